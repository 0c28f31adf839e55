"""Writing outputs safely: atomic files, JSONL, and id-to-path mapping that cannot escape.

Every file is written to a temporary name in its final folder and renamed into place, so
a killed run leaves either the old file or the new one, never half of one.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dedup.errors import CorpusReadError
from dedup.reader import id_problem
from xlate.errors import OutputError

_SAFE_COMPONENT = re.compile(r"[^A-Za-z0-9._-]")
_MAX_COMPONENT = 120


def safe_relpath(article_id: str) -> str:
    """A relative path for an article id, always inside the folder it is joined to.

    Sub-folders in ids (``site/2025/story``) are kept; any other character outside
    ``[A-Za-z0-9._-]`` becomes ``_`` and a short hash of the original id is appended so
    two ids that differ only in such characters never collide.  ``..``, empty and
    absolute components are refused.
    """
    if not isinstance(article_id, str) or not article_id.strip():
        raise OutputError(f"article id {article_id!r} is empty; give every article a non-empty id")
    problem = id_problem(article_id)
    if problem is not None:
        raise OutputError(problem)
    parts = article_id.replace("\\", "/").split("/")
    safe = []
    changed = False
    for part in parts:
        cleaned = _SAFE_COMPONENT.sub("_", part)[:_MAX_COMPONENT]
        if cleaned.startswith("."):
            cleaned = "_" + cleaned[1:]
        changed |= cleaned != part
        safe.append(cleaned)
    if changed:
        digest = hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:8]
        safe[-1] = f"{safe[-1]}-{digest}"
    return "/".join(safe)


def article_path(out: str | os.PathLike[str], article_id: str, ext: str, folder: str = "articles") -> Path:
    """``OUT/<folder>/<safe id>.<ext>`` (see `safe_relpath`), checked to stay inside OUT/<folder>."""
    base = Path(out) / folder
    path = base / f"{safe_relpath(article_id)}.{ext.lstrip('.')}"
    if os.path.commonpath([os.path.abspath(base), os.path.abspath(path)]) != os.path.abspath(base):
        raise OutputError(f"article id {article_id!r} maps outside {base}; rename it")
    return path


# The per-article folders of OUT and the files each article has there.
ARTICLE_FILES = {"articles": ("jsonl", "tmx", "xlf"), "cleaned": ("txt",), "removed": ("jsonl",)}
# OUT's folder for the reviewer site (`xlate.report.build_report`'s default destination).
REPORT_FOLDER = "report"


def make_output_folder(out: str | os.PathLike[str], corpus: str | os.PathLike[str] | None = None) -> Path:
    """Create OUT and mark it as an output folder (`dedup.reader.OUTPUT_FOLDER_MARKER`), so
    a corpus walk never reads it back: ``xlate run feeds -o feeds/out`` is fine.  A CORPUS
    that is OUT, or lies inside OUT's own folders, is refused: outputs would be written
    among the articles (and stale ones deleted there)."""
    from dedup.reader import OUTPUT_FOLDER_MARKER

    out = Path(out)
    if corpus is not None and str(corpus) != "-":
        source, target = Path(corpus).resolve(), out.resolve()
        if source == target or any(source.is_relative_to(target / name) for name in (*ARTICLE_FILES, REPORT_FOLDER)):
            raise OutputError(f"OUT {out} would put its outputs among the articles of {corpus}; write them to another folder")
    if out.exists() and not out.is_dir():
        raise OutputError(f"OUT {out} is a file, not a folder; pass -o a folder (it is created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: {exc.strerror or exc}; pass -o a folder you can write to") from exc
    marker = out / OUTPUT_FOLDER_MARKER
    if not marker.exists():
        write_atomic(marker, "Written by xlate: an output folder, passed over when a corpus folder holding it is read.\n")
    return out


def prune_article_files(out: str | os.PathLike[str], keep: dict[str, set[str]]) -> int:
    """Delete the per-article files in each OUT ``folder`` that ``keep`` names (see
    `ARTICLE_FILES`) of the ids not in ``keep[folder]``, and the sub-folders left empty;
    returns how many files went.  Folders ``keep`` does not name are left alone.

    An earlier run into the same OUT leaves files this run did not write (an article gone
    from the corpus, one that failed this time, translations of a run that translated):
    without this, OUT/articles/*.tmx would mix two runs.  Only names of the layout are
    touched (``<safe id>.<ext>``), never other files; ids are compared as `safe_relpath`s,
    one set per folder, so a million articles cost one string each."""
    gone = 0
    for folder, ids in keep.items():
        exts = ARTICLE_FILES[folder]
        base = Path(out) / folder
        if not base.is_dir():
            continue
        wanted = {safe_relpath(i) for i in ids}
        for dirpath, dirnames, filenames in os.walk(base, topdown=False):
            rel_dir = os.path.relpath(dirpath, base).replace(os.sep, "/")
            prefix = "" if rel_dir == "." else rel_dir + "/"
            for name in filenames:
                stem, dot, ext = name.rpartition(".")
                if dot and ext in exts and not name.startswith(".") and prefix + stem not in wanted:
                    os.unlink(os.path.join(dirpath, name))
                    gone += 1
            if dirpath != str(base) and not os.listdir(dirpath):
                os.rmdir(dirpath)
    return gone


@functools.cache
def _umask() -> int:
    """The process umask, read once (Linux: from /proc, no change to the process)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: the only portable read sets it, and puts it back
    os.umask(mask)
    return mask


def file_mode() -> int:
    """What ``open(path, "w")`` would give a new file (0o644 under the usual umask)."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    """What ``mkdir`` would give a new folder (0o755 under the usual umask)."""
    return 0o777 & ~_umask()


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then
    `os.replace`, so a reader never sees half a file and a crash leaves the old one.

    The file gets the permissions a plain write would (mkstemp makes its files 0600:
    reviewers and web servers on a shared machine could not read the outputs).  An
    unwritable folder is an `OutputError` naming the file."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}; check the folder exists and is writable") from exc
    try:
        if hasattr(os, "fchmod"):  # POSIX; Windows has no such modes to fix
            os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise
    return target


def dumps_line(record: Any) -> str:
    """One JSON line: UTF-8 kept readable, keys in a stable order given by the record."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n"


# What a JSONL article's path looks like (``feed.jsonl:4``, ``<stdin>:4``); an id such as
# ``urn:123`` given as the file is left whole.
_LINE_OF_FILE = re.compile(r"(.+\.jsonl|<stdin>):(\d+)", re.IGNORECASE)


def failure_row(file: str, reason: str, stage: str, *, line: int | None = None, doc_id: str | None = None) -> dict[str, Any]:
    """One line of errors.jsonl (README layout): the input file, the line in it (JSONL), the
    article id when one was read, why, and at which stage.  A JSONL article's path
    (``feed.jsonl:4``) is split into its file and line, as reading errors give them."""
    if line is None:
        parts = _LINE_OF_FILE.fullmatch(file)
        if parts:
            file, line = parts.group(1), int(parts.group(2))
    return {"file": file, "line": line, "id": doc_id, "reason": reason, "stage": stage}


def read_failure(error: CorpusReadError) -> dict[str, Any]:
    """The errors.jsonl row of an input the reader could not take (`failure_row`, stage "read")."""
    return failure_row(error.path, error.reason, "read", line=error.line, doc_id=error.doc_id)


def write_jsonl(path: str | os.PathLike[str], records: Iterable[Any]) -> int:
    """Write records as JSONL atomically; returns how many were written."""
    lines = [dumps_line(r) for r in records]
    write_atomic(path, "".join(lines))
    return len(lines)


def write_json(path: str | os.PathLike[str], record: Any) -> None:
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def read_jsonl(path: str | os.PathLike[str]) -> list[Any]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
