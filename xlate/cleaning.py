"""`xlate clean`: the cleaning stage on its own, for auditing the cleaner."""
from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from dedup.cleaner import Cleaner, LineStats
from dedup.errors import CorpusReadError
from dedup.reader import DEFAULT_MAX_BYTES, read_corpus
from xlate.outputs import article_path, dumps_line, write_atomic, write_jsonl


def clean_corpus(corpus, out: Path | None, *, max_bytes: int = DEFAULT_MAX_BYTES, stdout: IO[str] | None = None) -> list[dict[str, Any]]:
    """Clean every article of ``corpus``; write into ``out`` (or JSONL on ``stdout`` when out is None).

    Two passes: the first counts lines per site so site-wide boilerplate is found.
    Returns the failures (also written to OUT/errors.jsonl).
    """
    failures: list[dict[str, Any]] = []

    def on_error(err: CorpusReadError) -> None:
        failures.append({**err.to_json(), "stage": "read"})

    if str(corpus) == "-":
        docs = list(read_corpus("-", max_bytes=max_bytes, on_error=on_error))  # stdin is read once
        stats = LineStats()
        for doc in docs:
            stats.add(doc)
    else:
        stats = LineStats()
        for doc in read_corpus(corpus, max_bytes=max_bytes, on_error=lambda err: None):
            stats.add(doc)
        docs = read_corpus(corpus, max_bytes=max_bytes, on_error=on_error)
    cleaner = Cleaner(line_stats=stats)
    for doc in docs:
        result = cleaner.clean(doc)
        removed = [r.to_json() for r in result.removed]
        if out is None:
            stdout.write(dumps_line({"id": doc.id, "title": result.title, "text": result.text, "removed": removed}))
            continue
        write_atomic(article_path(out, doc.id, "txt", "cleaned"), result.text + "\n")
        write_jsonl(article_path(out, doc.id, "jsonl", "removed"), removed)
    if out is not None:
        write_jsonl(out / "errors.jsonl", failures)
    return failures
