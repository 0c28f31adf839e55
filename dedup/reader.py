"""Stream articles from a corpus folder, a file, or JSONL on stdin.

Nothing is held in memory beyond one file (or one JSONL line) at a time, so a corpus of
a million files streams.  Bad inputs never stop the stream when ``on_error`` is given:
each becomes one `CorpusReadError` handed to the callback, and reading goes on.
"""
from __future__ import annotations

import codecs
import fnmatch
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from dedup.document import Document
from dedup.encoding import decode_bytes
from dedup.errors import ConfigError, CorpusReadError

TEXT_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
DEFAULT_MAX_BYTES = 10_000_000
# A corpus folder often carries its own documentation; those files are not articles.
DEFAULT_EXCLUDE = ("*README*", "*LICENSE*", "PROVENANCE*", "CHANGELOG*")
_JSONL_FIELDS = ("title", "lang", "url", "published", "source")
# A folder holding one of these files is the output of a command (`xlate run/clean/cluster
# -o OUT` writes the first, `xlate report --dest DIR` the second): its cleaned/*.txt, *.jsonl
# and *.html are not articles, so a corpus walk passes over it (an OUT inside the corpus
# folder would otherwise be read back as articles).
OUTPUT_FOLDER_MARKER = ".xlate-out"
REPORT_FOLDER_MARKER = ".xlate-report"
OUTPUT_FOLDER_MARKERS = (OUTPUT_FOLDER_MARKER, REPORT_FOLDER_MARKER)

ErrorHandler = Callable[[CorpusReadError], None]


def read_corpus(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_error: ErrorHandler | None = None,
    stdin: IO[str] | IO[bytes] | None = None,
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE,
) -> Iterator[Document]:
    """Yield every article under ``path`` (a folder, read recursively; a file; or ``-``).

    Folders are walked in sorted order so ids and outputs are deterministic. Hidden
    entries and files with other suffixes are not articles and are passed over.
    ``on_error`` receives each unreadable input; without it the first one raises.
    ``exclude`` holds file-name globs that are not articles (a corpus's own README...).
    """
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
        raise ConfigError(f"max_bytes must be a positive byte count, got {max_bytes!r}; use e.g. 10_000_000")
    if isinstance(exclude, (str, bytes)) or not all(isinstance(glob, str) for glob in exclude):
        raise ConfigError(f"exclude must be a tuple of file-name globs, not {exclude!r}; e.g. exclude=('README*', '*.csv')")
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigError(f"path must be a folder, a file or '-', not {type(path).__name__}; e.g. read_corpus('feeds/')")
    report = on_error if on_error is not None else _raise
    first: dict[str, tuple[str, str]] = {}  # id_key -> (id, path) of the input read first
    for doc in _iter_documents(path, max_bytes, report, stdin, exclude):
        key = id_key(doc.id)
        if key in first:
            report(CorpusReadError(doc.path or doc.id, duplicate_id_reason(doc.id, *first[key]), doc_id=doc.id))
            continue
        first[key] = (doc.id, doc.path or doc.id)
        yield doc


def missing_corpus(path: str | os.PathLike[str]) -> CorpusReadError:
    """The error for a corpus path that names nothing (raised by the reader, and by `xlate
    run` before it makes OUT)."""
    return CorpusReadError(str(path), "no such file or folder; check the corpus path")


def id_key(doc_id: str) -> str:
    """What makes two article ids one: ids that differ only in case (``Story``, ``story``)
    would share one output file on a case-insensitive file system (macOS, Windows), so a
    corpus keeps the first and reports the other, on every platform alike."""
    return doc_id.lower()


def duplicate_id_reason(doc_id: str, first_id: str, first_path: str) -> str:
    """Why an article is skipped: another input, read first, has its id (``a.txt`` and
    ``a.html`` are both ``a``) or the same id in other case; naming that input tells the
    user which two to reconcile."""
    if doc_id == first_id:
        return f"duplicate article id {doc_id!r} (also {first_path}, read first); rename one of the files or fix the JSONL id"
    return (f"article id {doc_id!r} differs only in case from {first_id!r} ({first_path}, read first), and they "
            "would share one output file on macOS and Windows; rename one of the files or fix the JSONL id")


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot name an article's output files, or None: ids become relative
    paths under OUT (``site/2025/story``), so an absolute path or an empty, ``.`` or ``..``
    component would write outside the folder it is joined to."""
    parts = doc_id.replace("\\", "/").split("/")
    if doc_id.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return f"article id {doc_id!r} has an empty, '.' or '..' path component; use plain names such as 'site/story-1'"
    return None


def _raise(error: CorpusReadError) -> None:
    raise error


def _iter_documents(path, max_bytes: int, report: ErrorHandler, stdin, exclude) -> Iterator[Document]:
    if str(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        yield from _read_jsonl_stream(stream, "<stdin>", max_bytes, report)
        return
    root = Path(path)
    base = root.parent if root.is_file() else root
    for file in corpus_files(root, exclude):
        yield from _read_file(file, base, max_bytes, report)


def article_id(file: Path, root: Path) -> str:
    """The stable id of a file: its path relative to the corpus root, without suffix, '/'-separated."""
    rel = file.relative_to(root).with_suffix("")
    return rel.as_posix()


def corpus_files(path: str | os.PathLike[str], exclude: tuple[str, ...] = DEFAULT_EXCLUDE) -> Iterator[Path]:
    """The article files under a folder, in the order `read_corpus` reads them (for
    executors that hand files out to workers and read them with `read_file`)."""
    root = Path(path)
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        raise missing_corpus(path)
    for dirpath, dirnames, filenames in os.walk(root):
        marker = next((m for m in OUTPUT_FOLDER_MARKERS if m in filenames), None)
        if marker is not None:
            if dirpath == str(root):
                raise CorpusReadError(str(path), f"is an output folder (it holds {marker}), not a corpus; "
                                                 "give the folder of the articles")
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in TEXT_SUFFIXES:
                continue
            if any(fnmatch.fnmatch(name, pattern) for pattern in exclude):
                continue
            yield Path(dirpath) / name


def read_file(file: str | os.PathLike[str], root: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
              on_error: ErrorHandler | None = None) -> Iterator[Document]:
    """The articles of one corpus file (several for JSONL), ids relative to ``root``.
    Duplicate ids across files are the caller's to find (`read_corpus` does it)."""
    yield from _read_file(Path(file), Path(root), max_bytes, on_error if on_error is not None else _raise)


def _read_file(file: Path, root: Path, max_bytes: int, report: ErrorHandler) -> Iterator[Document]:
    rel_path = file.relative_to(root).as_posix()
    fmt = TEXT_SUFFIXES.get(file.suffix.lower(), "txt")
    try:
        size = file.stat().st_size
    except OSError as exc:
        report(CorpusReadError(rel_path, f"cannot stat ({exc.strerror}); check permissions"))
        return
    if fmt == "jsonl":
        try:
            with file.open("rb") as stream:
                yield from _read_jsonl_stream(stream, rel_path, max_bytes, report)
        except OSError as exc:
            report(CorpusReadError(rel_path, f"cannot read ({exc.strerror}); check permissions"))
        return
    if size > max_bytes:
        report(CorpusReadError(rel_path, f"file is {size} bytes, over the {max_bytes}-byte limit; raise --max-bytes or split the file"))
        return
    try:
        data = file.read_bytes()
    except OSError as exc:
        report(CorpusReadError(rel_path, f"cannot read ({exc.strerror}); check permissions"))
        return
    try:
        text, encoding = decode_bytes(data, rel_path)
    except CorpusReadError as exc:
        report(exc)
        return
    if not text.strip():
        report(CorpusReadError(rel_path, "empty file (no text); remove it or fill it"))
        return
    doc_id = article_id(file, root)
    yield Document(
        id=doc_id,
        text=text,
        source=_source_from_path(doc_id),
        path=rel_path,
        format=fmt,
        meta={"encoding": encoding, "bytes": size},
    )


def _source_from_path(doc_id: str) -> str | None:
    """Articles in a sub-folder are taken to come from one site (scrapers file by site)."""
    head, sep, _ = doc_id.partition("/")
    return head if sep else None


def _read_jsonl_stream(stream, where: str, max_bytes: int, report: ErrorHandler) -> Iterator[Document]:
    binary = stream if not isinstance(stream, io.TextIOBase) else None
    if binary is not None and hasattr(binary, "peek"):
        head = binary.peek(2)[:2]
        if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            # UTF-16 with its byte-order mark (PowerShell's default for `> feed.jsonl`):
            # read as text, its lines split on the decoded newlines.
            stream = io.TextIOWrapper(binary, encoding="utf-16", errors="replace", newline=None)
            binary = None
    for line_no, raw in enumerate(stream, start=1):
        if binary is not None:
            if len(raw) > max_bytes:
                report(CorpusReadError(where, f"line is {len(raw)} bytes, over the {max_bytes}-byte limit; raise --max-bytes", line_no))
                continue
            try:
                line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError:
                report(CorpusReadError(where, "line is not UTF-8; JSONL must be UTF-8 encoded", line_no))
                continue
        else:
            line = raw.lstrip("\ufeff") if line_no == 1 else raw
            if len(line) > max_bytes:
                report(CorpusReadError(where, f"line is over the {max_bytes}-byte limit; raise --max-bytes", line_no))
                continue
        if not line.strip():
            continue
        doc = _document_from_json_line(line, where, line_no, report)
        if doc is not None:
            yield doc


def publication_date(value: str) -> str | None:
    """``value`` if it is an ISO date (a time part may follow), else the one full date it
    spells (``25/04/2025``, ``April 25, 2025``, ``Fri, 25 Apr 2025 10:00:00 GMT`` ->
    ``2025-04-25``), else ``None``.  A numeric date is read day first (``03/04/2025`` is
    3 April), as European feeds write it.  Publication dates split pairs far apart in time,
    so one that is not a calendar day is refused rather than guessed."""
    from dedup.entities import extract_dates, iso_day  # its date patterns compile on first use

    value = value.strip()
    if iso_day(value):
        return value
    full = [d for d in extract_dates(value) if not d.startswith("-") and len(d) == 10]
    return full[0] if len(full) == 1 else None


def _document_from_json_line(line: str, where: str, line_no: int, report: ErrorHandler) -> Document | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        report(CorpusReadError(where, f"malformed JSON ({exc.msg} at column {exc.colno}); one JSON object per line", line_no))
        return None
    if not isinstance(record, dict):
        report(CorpusReadError(where, f"expected a JSON object, got {type(record).__name__}; one object per line", line_no))
        return None
    doc_id, text = record.get("id"), record.get("text")
    if not isinstance(doc_id, (str, int)) or str(doc_id).strip() == "":
        report(CorpusReadError(where, 'missing "id" (a non-empty string); add an "id" field', line_no))
        return None
    doc_id = str(doc_id).strip()
    problem = id_problem(doc_id)
    if problem is not None:
        report(CorpusReadError(where, problem, line_no, doc_id))
        return None
    if not isinstance(text, str) or not text.strip():
        report(CorpusReadError(where, 'missing or empty "text"; add the article text as a string', line_no, doc_id))
        return None
    fields = {}
    for key in _JSONL_FIELDS:
        value = record.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            if str(value).strip():
                fields[key] = str(value)
        elif value is not None:
            # The article is kept; the bad field is listed so the feed can be fixed.
            report(CorpusReadError(where, f'"{key}" is a {type(value).__name__}, not a string; give a string '
                                          "(the article is read without it)", line_no, doc_id))
    if "published" in fields:
        published = publication_date(fields["published"])
        if published is None:
            # The article is kept (undated); the bad field is listed so the feed can be fixed.
            report(CorpusReadError(where, f'"published" {fields["published"][:40]!r} is not a date; give YYYY-MM-DD '
                                          "(the article is read without it)", line_no, doc_id))
            del fields["published"]
        else:
            fields["published"] = published
    fmt = "html" if str(record.get("format", "")).lower() == "html" else "txt"
    extra = {k: v for k, v in record.items() if k not in {"id", "text", "format", *_JSONL_FIELDS}}
    return Document(
        id=doc_id,
        text=text.replace("\r\n", "\n").replace("\r", "\n"),
        path=f"{where}:{line_no}",
        format=fmt,
        meta=extra,
        **fields,
    )
