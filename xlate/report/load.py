"""Read an OUT folder written by ``xlate run`` (the layout in the README).

The report and the run diff work only from these files, never from the corpus, so a
reviewer can rebuild them from an archived run.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any

from xlate.errors import OutputError


class RunFolderError(OutputError):
    """An OUT folder lacks a file the report needs, or has a malformed line in one."""


@dataclass(frozen=True)
class RunFolder:
    """The run-level files of one OUT folder; per-article files are read on demand."""

    root: Path
    run: dict[str, Any]
    documents: tuple[dict[str, Any], ...]
    clusters: tuple[dict[str, Any], ...]
    errors: tuple[dict[str, Any], ...] = dc_field(default=())
    by_id: dict[str, dict[str, Any]] = dc_field(default_factory=dict, repr=False, compare=False)

    @property
    def signature(self) -> str:
        return str(self.run.get("signature") or "")

    def document(self, doc_id: str) -> dict[str, Any] | None:
        return self.by_id.get(doc_id)

    def article_file(self, doc_id: str, ext: str, folder: str = "articles") -> Path:
        """Where the run wrote ``<folder>/<id>.<ext>`` (`xlate.outputs.article_path`, which
        refuses ids that would leave the folder)."""
        from xlate.outputs import article_path

        return Path(article_path(self.root, doc_id, ext, folder))

    def sentences(self, doc_id: str) -> list[dict[str, Any]]:
        """The sentence records of one article, by index; [] when the run wrote none."""
        path = self.article_file(doc_id, "jsonl")
        if not path.is_file():
            return []
        rows = _read_jsonl(path)
        for number, row in enumerate(rows, start=1):
            if not isinstance(row.get("index"), int):
                raise RunFolderError(f"{path}:{number}: sentence record has no integer 'index'; rerun `xlate run`")
        return sorted(rows, key=lambda r: r["index"])

    def removed(self, doc_id: str) -> list[dict[str, Any]]:
        """The boilerplate lines the cleaner removed from one article ({line, text, reason})."""
        path = self.article_file(doc_id, "jsonl", "removed")
        return _read_jsonl(path) if path.is_file() else []

    def cleaned_text(self, doc_id: str) -> str | None:
        """``cleaned/<id>.txt`` (the text the translator saw), or None if absent."""
        path = self.article_file(doc_id, "txt", "cleaned")
        try:
            return path.read_text(encoding="utf-8") if path.is_file() else None
        except (OSError, UnicodeDecodeError) as exc:
            raise RunFolderError(f"{path}: cannot read ({exc})") from exc


def load_run(out_dir: str | os.PathLike[str], *, clusters_only: bool = False) -> RunFolder:
    """Read ``run.json``, ``documents.jsonl``, ``clusters.jsonl`` and ``errors.jsonl``.

    With ``clusters_only``, a folder written by ``xlate cluster`` (``cluster.json`` and
    ``clusters.jsonl``, no translations) is read too: its articles are the clusters' members."""
    root = Path(out_dir)
    run_path = root / "run.json"
    if clusters_only and not run_path.is_file() and (root / "cluster.json").is_file():
        return _load_cluster_folder(root)
    if not run_path.is_file():
        also = " or `xlate cluster ... -o OUT`" if clusters_only else ""
        raise RunFolderError(f"{root} has no run.json; pass the folder `xlate run ... -o OUT`{also} wrote")
    run = _read_object(run_path, "xlate run")
    docs_path = root / "documents.jsonl"
    if not docs_path.is_file():
        raise RunFolderError(f"{root} has no documents.jsonl; the run did not finish, rerun `xlate run`")
    documents = _read_jsonl(docs_path)
    seen: set[str] = set()
    for number, doc in enumerate(documents, start=1):
        doc_id = doc.get("id")
        if not isinstance(doc_id, str) or not doc_id:
            raise RunFolderError(f"{docs_path}:{number}: record has no string 'id'")
        if doc_id in seen:
            raise RunFolderError(f"{docs_path}:{number}: duplicate article id {doc_id!r}")
        seen.add(doc_id)
    clusters_path = root / "clusters.jsonl"
    clusters = _read_clusters(clusters_path) if clusters_path.is_file() else []
    by_id = {doc["id"]: doc for doc in documents}
    return RunFolder(root, run, tuple(documents), tuple(clusters), _read_errors(root), by_id)


def _load_cluster_folder(root: Path) -> RunFolder:
    record = _read_object(root / "cluster.json", "xlate cluster")
    clusters_path = root / "clusters.jsonl"
    if not clusters_path.is_file():
        raise RunFolderError(f"{root} has no clusters.jsonl; the clustering did not finish, rerun `xlate cluster`")
    clusters = _read_clusters(clusters_path)
    documents = [{"id": str(m)} for c in clusters for m in c["members"]]
    run = {key: record.get(key) for key in ("version", "signature", "corpus", "glossary", "cluster", "langid")}
    return RunFolder(root, run, tuple(documents), tuple(clusters), _read_errors(root), {d["id"]: d for d in documents})


def _read_object(path: Path, command: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"{path}: cannot read {path.name} ({exc}); rerun `{command}`") from exc
    if not isinstance(data, dict):
        raise RunFolderError(f"{path}: {path.name} must hold a JSON object; rerun `{command}`")
    return data


def _read_errors(root: Path) -> tuple[dict[str, Any], ...]:
    path = root / "errors.jsonl"
    return tuple(_read_jsonl(path)) if path.is_file() else ()


def _read_clusters(path: Path) -> list[dict[str, Any]]:
    clusters = _read_jsonl(path)
    for number, cluster in enumerate(clusters, start=1):
        if not isinstance(cluster.get("cluster"), str) or not isinstance(cluster.get("members"), list):
            raise RunFolderError(f"{path}:{number}: a cluster needs 'cluster' (string) and 'members' (list)")
    return clusters


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise RunFolderError(f"{path}:{number}: not JSON ({exc.msg}); rerun `xlate run`") from exc
                if not isinstance(row, dict):
                    raise RunFolderError(f"{path}:{number}: each line must be a JSON object")
                rows.append(row)
    except (OSError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"{path}: cannot read ({exc})") from exc
    return rows
