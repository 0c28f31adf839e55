"""`xlate clean`: the cleaning stage on its own, for auditing the cleaner."""
from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from dedup._pool import map_batches
from dedup.cleaner import Cleaner, CleanerConfig, LineStats
from dedup.document import CleanDocument, Document
from dedup.errors import CorpusReadError
from dedup.reader import DEFAULT_MAX_BYTES, read_corpus
from xlate import __version__
from xlate.outputs import (
    article_path, dumps_line, failure_row, make_output_folder, prune_article_files, read_failure, safe_relpath,
    write_atomic, write_json, write_jsonl,
)


# Why an article is left out of translation and clustering (the start of the failure's reason).
NOTHING_LEFT = "nothing left after cleaning (all lines were boilerplate)"


def nothing_left(doc_id: str | None = None) -> str:
    """The failure of an article cleaned to nothing: where its removed lines are listed
    (``removed/<id>.jsonl`` in OUT when the command wrote it, else ask `xlate clean`)."""
    if doc_id is None:
        return f"{NOTHING_LEFT}; `xlate clean` shows what was removed"
    return f"{NOTHING_LEFT}; removed/{safe_relpath(doc_id)}.jsonl lists each line and why"


def with_languages(clean_docs: Sequence[CleanDocument]) -> list[tuple[CleanDocument, float]]:
    """Each article with its language and that language's probability: the one its feed
    gave (1.0), else the one `dedup.langid` finds in the cleaned text, as clustering does
    for an article given without one (`ClusterConfig.identify_languages`)."""
    from dedup.langid import languages

    found = languages([d.text for d in clean_docs], [d.doc.lang for d in clean_docs])
    return [(d if d.doc.lang else d.with_lang(lang), probability) for d, (lang, probability) in zip(clean_docs, found)]


def clean_documents(corpus, *, max_bytes: int = DEFAULT_MAX_BYTES, on_error=None,
                    config: CleanerConfig | None = None) -> Iterator[tuple[Document, CleanDocument]]:
    """Each article of ``corpus`` with its cleaned version, site-repeated lines included:
    a first pass counts lines per site (stdin, read once, is kept in memory for it)."""
    cleaner, docs = _cleaner_and_documents(corpus, max_bytes, on_error, config)
    for doc in docs:
        yield doc, cleaner.clean(doc)


def _cleaner_and_documents(corpus, max_bytes: int, on_error, config: CleanerConfig | None) -> tuple[Cleaner, Iterable[Document]]:
    """The cleaner with the corpus's line statistics (a first pass) and the articles to clean."""
    stats = LineStats(config)  # the same thresholds as the cleaner that reads them
    if str(corpus) == "-":
        docs: Iterable[Document] = list(read_corpus("-", max_bytes=max_bytes, on_error=on_error))
        for doc in docs:
            stats.add(doc)
    else:
        for doc in read_corpus(corpus, max_bytes=max_bytes, on_error=lambda err: None):
            stats.add(doc)
        docs = read_corpus(corpus, max_bytes=max_bytes, on_error=on_error)
    return Cleaner(config, line_stats=stats), docs


def clean_corpus(corpus, out: Path | None, *, max_bytes: int = DEFAULT_MAX_BYTES, stdout: IO[str] | None = None,
                 progress=None, workers: int = 1) -> list[dict[str, Any]]:
    """Clean every article of ``corpus``; write into ``out`` (or JSONL on ``stdout`` when out is None).

    Returns the failures (also written to OUT/errors.jsonl).  ``progress(stage, n)`` is
    told how many articles were cleaned so far.  OUT/clean.json records what
    made the output: the cleaner's signature and settings, and what was removed, by reason.
    ``workers`` > 1: batches are cleaned and their files written in that many spawned
    processes (into OUT only; the same files as one process).
    """
    failures: list[dict[str, Any]] = []
    articles, removed_by_reason = 0, Counter[str]()
    if out is None and stdout is None:
        stdout = sys.stdout  # "JSONL on stdout when out is None", also when not handed one
    written: set[str] = set()

    def on_error(err: CorpusReadError) -> None:
        failures.append(read_failure(err))

    cleaner_config = CleanerConfig()
    if out is not None:
        make_output_folder(out, corpus)  # before reading: a corpus walk passes over it
    cleaner, docs = _cleaner_and_documents(corpus, max_bytes, on_error, cleaner_config)
    # Workers write into OUT only; JSONL on stdout is written here, in order.
    per_batch = map_batches(docs, CLEAN_BATCH, workers if out is not None else 1,
                            lambda batch: _clean_and_write(batch, cleaner, out, stdout), _clean_write_batch,
                            state=(_clean_write_state, (cleaner, str(out))))
    emptied: set[str] = set()
    for outcomes in per_batch:
        for doc_id, path, reasons, empty in outcomes:
            articles += 1
            if progress is not None:
                progress("articles cleaned", articles)
            removed_by_reason.update(reasons)
            if empty:  # as `xlate run` lists it; its removed lines say why
                failures.append(failure_row(path or doc_id, nothing_left(doc_id if out is not None else None), "clean",
                                            doc_id=doc_id))
                emptied.add(doc_id)
            else:
                written.add(doc_id)
    if out is not None:
        # OUT shows this run only (as `xlate run`): files of articles no longer read go.
        stale = prune_article_files(out, {"cleaned": written, "removed": written | emptied})
        write_jsonl(out / "errors.jsonl", failures)
        write_json(out / "clean.json", {
            "version": __version__,
            "signature": cleaner_config.signature,
            "corpus": str(corpus),
            "cleaner": cleaner_config.to_json(),
            "counts": {"articles": articles, "removed_lines": sum(removed_by_reason.values()),
                       "removed_by_reason": dict(sorted(removed_by_reason.items())), "failures": len(failures),
                       "stale_removed": stale},
        })
    return failures


# Articles cleaned together, by `xlate clean` and `xlate run`: languages are identified a
# batch at a time (dedup.langid), and with workers a batch is one task.  A module constant
# (read when used) so tests can make batches small.
CLEAN_BATCH = 512


def _clean_and_write(docs: Sequence[Document], cleaner: Cleaner, out: Path | None,
                     stdout: IO[str] | None) -> list[tuple[str, str | None, list[str], bool]]:
    """Clean ``docs`` and write each to OUT (or one JSONL line to ``stdout``); per article
    (id, path, removal reasons, whether nothing was left).  An article with nothing left
    gets its removed/ file (why) and no empty cleaned/ file."""
    outcomes = []
    for doc in docs:
        result = cleaner.clean(doc)
        removed = [r.to_json() for r in result.removed]
        empty = not result.text.strip()
        if out is None:
            assert stdout is not None, "clean to OUT or to a stream"
            stdout.write(dumps_line({"id": doc.id, "title": result.title, "text": result.text, "removed": removed}))
        else:
            if not empty:
                write_atomic(article_path(out, doc.id, "txt", "cleaned"), result.text + "\n")
            write_jsonl(article_path(out, doc.id, "jsonl", "removed"), removed)
        outcomes.append((doc.id, doc.path, [r.reason for r in result.removed], empty))
    return outcomes


def _clean_write_state(cleaner: Cleaner, out: str) -> tuple[Cleaner, Path]:
    return cleaner, Path(out)  # once per worker: the line statistics can be large


def _clean_write_batch(state: tuple[Cleaner, Path], batch: list[Document]) -> list[tuple[str, str | None, list[str], bool]]:
    cleaner, out = state
    return _clean_and_write(batch, cleaner, out, None)
