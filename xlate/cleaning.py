"""`xlate clean`: the cleaning stage on its own, for auditing the cleaner."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from dedup.cleaner import Cleaner, LineStats
from dedup.document import CleanDocument, Document
from dedup.errors import CorpusReadError
from dedup.reader import DEFAULT_MAX_BYTES, read_corpus
from xlate.outputs import article_path, dumps_line, write_atomic, write_jsonl


def clean_documents(corpus, *, max_bytes: int = DEFAULT_MAX_BYTES, on_error=None) -> Iterator[tuple[Document, CleanDocument]]:
    """Each article of ``corpus`` with its cleaned version, site-repeated lines included:
    a first pass counts lines per site (stdin, read once, is kept in memory for it)."""
    stats = LineStats()
    if str(corpus) == "-":
        docs: Iterable[Document] = list(read_corpus("-", max_bytes=max_bytes, on_error=on_error))
        for doc in docs:
            stats.add(doc)
    else:
        for doc in read_corpus(corpus, max_bytes=max_bytes, on_error=lambda err: None):
            stats.add(doc)
        docs = read_corpus(corpus, max_bytes=max_bytes, on_error=on_error)
    cleaner = Cleaner(line_stats=stats)
    for doc in docs:
        yield doc, cleaner.clean(doc)


def clean_corpus(corpus, out: Path | None, *, max_bytes: int = DEFAULT_MAX_BYTES, stdout: IO[str] | None = None) -> list[dict[str, Any]]:
    """Clean every article of ``corpus``; write into ``out`` (or JSONL on ``stdout`` when out is None).

    Returns the failures (also written to OUT/errors.jsonl).
    """
    failures: list[dict[str, Any]] = []

    def on_error(err: CorpusReadError) -> None:
        failures.append({**err.to_json(), "stage": "read"})

    for doc, result in clean_documents(corpus, max_bytes=max_bytes, on_error=on_error):
        removed = [r.to_json() for r in result.removed]
        if out is None:
            stdout.write(dumps_line({"id": doc.id, "title": result.title, "text": result.text, "removed": removed}))
            continue
        write_atomic(article_path(out, doc.id, "txt", "cleaned"), result.text + "\n")
        write_jsonl(article_path(out, doc.id, "jsonl", "removed"), removed)
    if out is not None:
        write_jsonl(out / "errors.jsonl", failures)
    return failures
