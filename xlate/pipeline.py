"""The batch job behind `xlate run`: read -> clean -> cluster -> translate -> write.

Small steps over a stream of documents (datatrove style).  What a step drops is written
with its reason (`errors.jsonl`, `removed/`), the run never stops for one bad article, and
a rerun with the same OUT skips the articles whose translation is already written for the
same text and the same translator signature.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from dedup._lock import FileLock, LockBusy
from dedup.cleaner import Cleaner, CleanerConfig, LineStats
from dedup.document import CleanDocument, Document
from dedup.errors import CorpusReadError
from dedup.langid import signature as langid_signature
from dedup.reader import DEFAULT_MAX_BYTES, missing_corpus, read_corpus
from xlate import __version__
from xlate import cleaning
from xlate.cleaning import NOTHING_LEFT, nothing_left, with_languages
from xlate.errors import ConfigError, OutputError, XlateError
from xlate.outputs import (
    REPORT_FOLDER, article_path, dumps_line, failure_row, make_output_folder, prune_article_files, write_atomic, write_json,
    write_jsonl,
)

ENGINES = ("auto", "marian", "apertium", "ctranslate2")
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's outputs (recorded in run.json)."""

    engine: str = "auto"
    model: str | None = None
    glossary: str | None = None
    translate: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES
    cleaner: CleanerConfig = field(default_factory=CleanerConfig)
    cluster: Any = None  # dedup.config.ClusterConfig; None means its defaults
    cache: str | None = None  # translation memory file; default OUT/tm.sqlite
    device: str = "auto"
    batch_size: int = 32
    beam: int = 4
    executor: str = "local"  # local | ray (same outputs)
    ray_address: str | None = None  # None: start a local Ray instance
    num_cpus: int | None = None  # for a local Ray instance; None = all
    # Translate only the articles in these languages (ISO codes); the others are kept, with
    # their clusters, untranslated and counted, not failures.  None: every language.
    languages: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # Paths may be given as pathlib.Path: kept as strings, as run.json records them.
        for name in ("model", "glossary", "cache"):
            value = getattr(self, name)
            if isinstance(value, os.PathLike):
                object.__setattr__(self, name, os.fspath(value))
            elif value is not None and not isinstance(value, str):
                hint = " (a Glossary object goes to Translator(glossary=...); a run reads its file)" if name == "glossary" else ""
                raise ConfigError(f"{name} must be a file path, not {type(value).__name__}{hint}")
        from dedup.config import ClusterConfig

        if not isinstance(self.cleaner, CleanerConfig):
            raise ConfigError(f"cleaner must be a CleanerConfig, not {type(self.cleaner).__name__}; e.g. CleanerConfig(min_body_words=10)")
        if self.cluster is not None and not isinstance(self.cluster, ClusterConfig):
            raise ConfigError(f"cluster must be a ClusterConfig, not {type(self.cluster).__name__}; "
                              "for a dict of settings: ClusterConfig.from_json(settings)")
        import numbers

        for name in ("max_bytes", "batch_size", "beam"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise ConfigError(f"{name} must be an integer, not {value!r}")
            object.__setattr__(self, name, int(value))  # np.int64(16) as 16
        if self.languages is not None:
            bad = [code for code in self.languages if not isinstance(code, str) or not re.fullmatch(r"[a-z]{2,3}", code)]
            if bad or not self.languages:
                raise ConfigError(f"languages {list(self.languages)!r}: give ISO 639-1 codes, e.g. --languages fr,es")
            object.__setattr__(self, "languages", tuple(sorted(set(self.languages))))  # frozen: normalised once
        if self.executor not in ("local", "ray"):
            raise ConfigError(f"executor {self.executor!r} is not local or ray; e.g. --executor ray")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine {self.engine!r} is not one of {', '.join(ENGINES)}; pick one, e.g. --engine auto")
        if self.max_bytes <= 0:
            raise ConfigError(f"max_bytes must be positive, got {self.max_bytes}; e.g. --max-bytes 10000000")
        if self.batch_size < 1 or self.beam < 1:
            raise ConfigError(f"batch_size and beam must be >= 1, got {self.batch_size} and {self.beam}")
        if self.glossary is not None and not Path(self.glossary).is_file():
            raise ConfigError(f"glossary file {self.glossary!r} not found; pass an existing .tsv, .csv or .yaml file")

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["cleaner"] = self.cleaner.to_json()
        out["cluster"] = self.cluster.to_json() if self.cluster is not None else None
        return out


@dataclass
class RunSummary:
    out: Path
    signature: str
    articles: int = 0
    clusters: int = 0
    translated: int = 0
    resumed: int = 0
    sentences: int = 0
    violations: int = 0
    untranslated: int = 0  # articles in a language RunConfig.languages leaves out
    stale_removed: int = 0  # files of an earlier run into OUT that this run did not write
    failures: list[dict[str, Any]] = field(default_factory=list)
    # With RunConfig.languages: how many articles each language had (base codes), so that
    # a code no article had (a typo: --languages fr,sp) can be pointed out.
    languages_seen: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every input made it through, 1 when some failed (listed in errors.jsonl)."""
        return 1 if self.failures else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "signature": self.signature, "articles": self.articles, "clusters": self.clusters,
            "translated": self.translated, "resumed": self.resumed, "sentences": self.sentences,
            "violations": self.violations, "untranslated": self.untranslated, "stale_removed": self.stale_removed,
            "failures": len(self.failures),
            "exit_code": self.exit_code,
        }


class _Failures:
    """Collects per-input failures; the same input failing in two passes is listed once."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._seen: set[tuple] = set()

    def add(self, file: str, reason: str, stage: str, line: int | None = None, doc_id: str | None = None) -> None:
        row = failure_row(file, reason, stage, line=line, doc_id=doc_id)
        # The corpus is read twice (line statistics, then cleaning): the same failure comes
        # twice; two failures of one line (a duplicate id and a bad field) stay two.
        key = (row["file"], row["line"], stage, reason)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(row)

    def reader(self, stage: str = "read") -> Callable[[CorpusReadError], None]:
        return lambda err: self.add(err.path, err.reason, stage, err.line, err.doc_id)


def run(
    corpus: str | os.PathLike[str],
    out: str | os.PathLike[str],
    config: RunConfig | None = None,
    *,
    progress: Progress | None = None,
    stdin: IO[bytes] | None = None,
) -> RunSummary:
    """Run the whole job over ``corpus`` (folder, file or ``-``) into ``out``; see README for the layout."""
    if config is not None and not isinstance(config, RunConfig):
        raise ConfigError(f"config must be a RunConfig, not {type(config).__name__}; e.g. RunConfig(engine='apertium')")
    config = config or RunConfig()
    if config.executor == "ray":
        from xlate.executors.ray import run_ray

        return run_ray(corpus, out, config, progress=progress, stdin=stdin)
    tick = progress or (lambda stage, n: None)
    # The job closes its translation memory on the way out, not at garbage collection:
    # SQLite removes its -wal and -shm files from OUT when the last connection closes.
    with prepare(corpus, out, config, stdin) as job:
        failures = _Failures()

        stats = LineStats(config.cleaner)
        for n, doc in enumerate(read_corpus(job.corpus, max_bytes=config.max_bytes, on_error=failures.reader()), start=1):
            stats.add(doc)
            tick("scan", n)
        cleaner = Cleaner(config.cleaner, line_stats=stats)

        records: dict[str, dict[str, Any]] = {}
        clusters = _clean_and_cluster(job, cleaner, records, failures, tick)
        summary = job.summary()
        if job.translator is not None:
            _translate_all(job, records, summary, failures, tick)
        return finish(job, clusters, records, summary, failures.items)


@dataclass
class Job:
    """What a run is made of once its inputs are resolved (shared by the executors)."""

    corpus: str | os.PathLike[str]
    out: Path
    config: RunConfig
    glossary: Any
    translator: Any
    cluster_config: Any
    signature: str
    lock: FileLock | None = None  # OUT/.xlate-lock held while the job runs (`_lock_out`)

    @property
    def aliases(self) -> dict[str, str] | None:
        return self.glossary.aliases() if self.glossary else None

    def close(self) -> None:
        """Close the translator (its translation memory and engines) and let OUT go; the job is done."""
        try:
            if self.translator is not None:
                self.translator.close()
        finally:
            if self.lock is not None:
                self.lock.release()  # emptied, so two finished runs leave identical OUT folders
                self.lock = None

    def __enter__(self) -> "Job":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def summary(self) -> RunSummary:
        return RunSummary(out=self.out, signature=self.signature)


def prepare(corpus, out, config: RunConfig, stdin=None) -> Job:
    """Resolve everything that decides the outputs; a missing engine or model fails here,
    before any work is done."""
    if str(corpus) != "-" and not Path(corpus).exists():
        # Before OUT is made and the engine loaded: a mistyped path gets only its own error.
        raise missing_corpus(corpus)
    out = make_output_folder(out, corpus)
    lock = _lock_out(out)
    try:
        corpus = _spool_stdin(corpus, out, stdin)
        glossary = _load_glossary(config.glossary)
        translator = _make_translator(config, glossary, out) if config.translate else None
        cluster_config = config.cluster if config.cluster is not None else _default_cluster_config()
        signature = _signature(config, glossary, translator, cluster_config)
    except BaseException:
        lock.release()
        raise
    return Job(corpus, out, config, glossary, translator, cluster_config, signature, lock)


def _lock_out(out: Path) -> FileLock:
    """An exclusive lock on OUT/.xlate-lock for the run: two runs into one OUT (a cron job
    that overran) would interleave their files and prune each other's.  The second is
    refused at once, naming the first's process id.  Where ``fcntl`` is missing (Windows)
    the run goes on unlocked."""
    try:
        return FileLock.take(out / ".xlate-lock")
    except LockBusy as busy:
        raise OutputError(f"{out}: another xlate run (process {busy.holder}) is writing there; wait for it to finish "
                          "or choose another OUT") from None


def finish(job: Job, clusters, records: dict[str, dict[str, Any]], summary: RunSummary, failures: list[dict[str, Any]]) -> RunSummary:
    """Write clusters.jsonl, documents.jsonl, errors.jsonl and run.json (the run's index files)."""
    out = job.out
    for c in clusters:
        for member in c.members:
            if member in records:
                records[member]["cluster"] = c.id
    write_jsonl(out / "clusters.jsonl", (c.to_json() for c in clusters))
    # OUT shows this run only.  A translated article has its sentence count (written or
    # resumed); an article to translate again later comes back from the translation memory.
    # An article with nothing left keeps its removed/ file: it says why (not "an earlier run's").
    emptied = {f["id"] for f in failures if f["reason"].startswith(NOTHING_LEFT) and f["id"] is not None}
    summary.stale_removed = prune_article_files(out, {
        "cleaned": set(records), "removed": set(records) | emptied,
        "articles": {doc_id for doc_id, record in records.items() if record.get("sentences") is not None},
    })
    _drop_earlier_report(out)
    _keep_this_runs_state(job, records)
    summary.clusters = len(clusters)
    summary.articles = len(records)
    write_jsonl(out / "documents.jsonl", (records[k] for k in sorted(records)))
    summary.failures = sorted(failures, key=lambda f: (f["file"], f["line"] or 0, f["stage"]))
    write_jsonl(out / "errors.jsonl", summary.failures)
    write_json(out / "run.json", {
        "version": __version__,
        "signature": job.signature,
        "corpus": str(job.corpus),
        "executor": job.config.executor,
        "engine": _engine_record(job),
        "glossary": {"path": job.config.glossary, "sha256": job.glossary.sha256, "entries": len(job.glossary.entries)} if job.glossary else None,
        "config": {k: v for k, v in job.config.to_json().items() if k not in ("executor", "ray_address", "num_cpus")},
        "cluster": job.cluster_config.to_json(),
        # Cleaning identifies every article's language (documents.jsonl), clustering or not.
        "langid": langid_signature(),
        "counts": {k: v for k, v in summary.to_json().items() if isinstance(v, int)},
        "exit_code": summary.exit_code,
    })
    return summary


def _keep_this_runs_state(job: Job, records: dict[str, dict[str, Any]]) -> None:
    """Leave in OUT/.state only what this finished run translated (or resumed), as OUT
    shows this run only: one sorted file whatever the executor and however often the run
    was resumed, so a daily job's state does not grow and two OUTs of one corpus diff equal.
    (A killed run never gets here: its appended lines are what the rerun resumes from.)"""
    state = job.out / ".state"
    done = []
    if job.translator is not None:
        done = [{"id": doc_id, "key": translation_key(record, job.translator)}
                for doc_id, record in sorted(records.items()) if record.get("sentences") is not None]
    if done:
        write_atomic(state / "translated.jsonl", "".join(dumps_line(d) for d in done))
    else:
        (state / "translated.jsonl").unlink(missing_ok=True)
    for batch in state.glob("ray/*.jsonl"):  # the Ray actors' files of finished batches: merged above
        batch.unlink()


def _engine_record(job: Job) -> dict[str, Any] | None:
    """The translator's info for run.json, its translation memory named relative to OUT
    when it lies there: two runs of one corpus into two folders then record the same
    settings (`xlate diff` would otherwise list the folder names as a difference)."""
    if job.translator is None:
        return None
    info = dict(job.translator.info)
    config = dict(info.get("config") or {})
    cache, out = (Path(config["cache"]).resolve() if config.get("cache") else None), job.out.resolve()
    if cache is not None and cache.is_relative_to(out):
        config["cache"] = cache.relative_to(out).as_posix()
        info["config"] = config
    return info


def _drop_earlier_report(out: Path) -> None:
    """OUT/report shows the run it was built from: after another run it would show old
    clusters and translations as current.  Deleted when it is one `build_report` wrote
    (it holds the marker); `--report` or `xlate report OUT` builds the new one."""
    from xlate.report.build import MARKER

    report = out / REPORT_FOLDER
    if (report / MARKER).is_file():
        shutil.rmtree(report)


def _spool_stdin(corpus, out: Path, stdin) -> str | os.PathLike[str]:
    """JSONL on stdin is read twice (line statistics, then cleaning): keep a copy in OUT."""
    if str(corpus) != "-":
        return corpus
    target = out / "input.jsonl"
    stream = stdin if stdin is not None else sys.stdin.buffer
    tmp = target.with_suffix(".jsonl.tmp")
    with open(tmp, "wb") as fh:
        shutil.copyfileobj(stream, fh)
    os.replace(tmp, target)
    return target


def _load_glossary(path: str | None):
    if path is None:
        return None
    from xlate.glossary import Glossary

    return Glossary.load(path)


def _make_translator(config: RunConfig, glossary, out: Path, *, cache: bool = True):
    """``cache=False`` for parallel workers: one SQLite memory is not shared across processes."""
    from xlate.translator import Translator

    translator = Translator(
        config.engine, model=config.model, glossary=glossary, cache=(config.cache or out / "tm.sqlite") if cache else None,
        device=config.device, batch_size=config.batch_size, beam=config.beam,
    )
    translator.info  # resolves the engine now: a missing model fails before any work is done
    return translator


def _default_cluster_config():
    from dedup.config import ClusterConfig

    return ClusterConfig()


def _signature(config: RunConfig, glossary, translator, cluster_config) -> str:
    """sacrebleu-style: the translator's own signature (engine, glossary, segmenter, version)
    followed by the cleaner and clustering settings."""
    if translator is not None:
        parts = [f"engine:{translator.signature}"]
    else:
        parts = ["engine:none", f"gl:{glossary.sha256[:8]}" if glossary else "gl:none", f"xlate:{__version__}"]
    parts.append(config.cleaner.signature)
    parts.append(langid_signature())
    parts.append(f"cluster:{cluster_config.signature}")
    return "|".join(parts)


def _clean_and_cluster(job: Job, cleaner: Cleaner, records, failures: _Failures, tick) -> list:
    """Clean every article (writing cleaned/ and removed/), then cluster what is left.

    Each batch is cleaned and then fingerprinted; the cleaned texts are not kept
    (translation reads them from OUT/cleaned/).  With ``workers`` > 1 (the clustering
    setting, the CLI's default: the CPUs available) and more than one batch, that happens
    in a pool of spawned processes, and the parent only reads files and rebuilds
    fingerprints.  The clusters, records and files are the same either way (tested)."""
    from dedup._pool import map_batches
    from dedup.clustering import cluster_fingerprints
    from dedup.entities import AliasTable

    docs = read_corpus(job.corpus, max_bytes=job.config.max_bytes, on_error=failures.reader())
    config = job.cluster_config
    table = AliasTable(job.aliases) if job.aliases else None
    per_batch = map_batches(docs, cleaning.CLEAN_BATCH, config.workers,
                            lambda batch: _clean_and_fingerprint(batch, cleaner, job.out, config, table),
                            _clean_fingerprint_batch, state=(_clean_worker_state, (cleaner, str(job.out), config, job.aliases)))
    fps: list = []
    done = 0
    for outcomes, batch_fps in per_batch:
        for doc_id, path, record, error in outcomes:
            done += 1
            if error is not None:
                failures.add(path or doc_id, error, "clean", doc_id=doc_id)
                continue
            records[doc_id] = record
            tick("clean", done)
        fps.extend(batch_fps)
    return cluster_fingerprints(fps, config)


def _clean_and_fingerprint(batch: list[Document], cleaner: Cleaner, out: Path, config, table, *, share: bool = True):
    """`clean_many` a batch, then fingerprint its cleaned articles: (id, path, record, error)
    per article and the fingerprints (``share=False`` in a worker, whose parent interns)."""
    from dedup.fingerprint import as_input, fingerprint_batch

    results = clean_many(batch, cleaner, out)
    outcomes = [(r.doc.id, r.doc.path, r.record, r.error) for r in results]
    items = [as_input(r.cleaned) for r in results if r.error is None]
    return outcomes, fingerprint_batch(items, config, table, share=share)


def _clean_worker_state(cleaner: Cleaner, out: str, config, aliases: dict[str, str] | None) -> tuple:
    """Once per worker process: the cleaner (with the corpus's line statistics), OUT, the
    clustering settings and the alias table, instead of sending them with every batch."""
    from dedup.entities import AliasTable

    return cleaner, Path(out), config, AliasTable(aliases) if aliases else None


def _clean_fingerprint_batch(state: tuple, batch: list[Document]):
    """Worker: `_clean_and_fingerprint`, its fingerprints packed for the trip back."""
    from dedup.fingerprint import PackedFingerprints

    cleaner, out, config, table = state
    outcomes, fps = _clean_and_fingerprint(batch, cleaner, out, config, table, share=False)
    return outcomes, PackedFingerprints(fps)


class Cleaned(NamedTuple):
    """An article through `clean_many`: cleaned, with its documents.jsonl record, or the
    reason it goes no further (nothing left after cleaning, an output not written)."""

    doc: Document
    cleaned: CleanDocument | None
    record: dict[str, Any] | None
    error: str | None


def clean_many(docs: Sequence[Document], cleaner: Cleaner, out: Path) -> list[Cleaned]:
    """Clean articles, identify their languages (together: the same answers as one by one),
    write cleaned/ and removed/; one `Cleaned` per article, in order."""
    cleaned = [cleaner.clean(doc) for doc in docs]
    languages = iter(with_languages([c for c in cleaned if c.text.strip()]))
    results = []
    for doc, clean_doc in zip(docs, cleaned):
        try:
            if not clean_doc.text.strip():
                write_jsonl(article_path(out, doc.id, "jsonl", "removed"), (r.to_json() for r in clean_doc.removed))
                results.append(Cleaned(doc, None, None, nothing_left(doc.id)))
                continue
            clean_doc, confidence = next(languages)
            write_atomic(article_path(out, doc.id, "txt", "cleaned"), clean_doc.text + "\n")
            write_jsonl(article_path(out, doc.id, "jsonl", "removed"), (r.to_json() for r in clean_doc.removed))
            results.append(Cleaned(doc, clean_doc, _document_record(clean_doc, confidence), None))
        except XlateError as exc:
            results.append(Cleaned(doc, None, None, str(exc)))
    return results


# Keys every documents.jsonl line has (null when unknown, or before translation), so a
# reader of the contract never has to test for a key: the README's layout lists them.
DOCUMENT_KEYS = ("id", "title", "lang", "lang_confidence", "source", "url", "published", "date_stamp", "cluster",
                 "sentences", "violations", "removed")


def _document_record(doc: CleanDocument, lang_confidence: float) -> dict[str, Any]:
    record: dict[str, Any] = dict.fromkeys(DOCUMENT_KEYS)
    record.update({"id": doc.id, "title": doc.title, "lang": doc.lang, "lang_confidence": round(lang_confidence, 4)})
    record.update({k: v for k, v in doc.doc.to_json().items() if k not in ("id", "title", "lang")})
    record["published"] = doc.published or None
    record["date_stamp"] = doc.date_stamp or None
    record["removed"] = len(doc.removed)
    record["text_sha256"] = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    return record


def articles_per_pass(translator) -> int:
    """Articles per translate_many call: enough for one engine call (sentences are batched
    across them; an Apertium call costs 0.2 s to start and takes 1,024 sentences, about 64
    articles), few enough that progress and the resume state move every few seconds with
    Marian on a CPU (128 sentences a call: 16 articles).  A killed run loses no engine work
    either way: each call's translations are already in the translation memory."""
    return max(16, min(64, translator.sentences_per_call(translator.engines[0]) // 16))


def _translate_all(job: Job, records, summary: RunSummary, failures: _Failures, tick) -> None:
    """Translate in id order, a chunk of articles at a time; finished articles are recorded
    in OUT/.state/translated.jsonl so a killed run resumes where it stopped."""
    out, translator = job.out, job.translator
    state_path = out / ".state" / "translated.jsonl"
    done = load_done(out)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    todo = []
    for doc_id in sorted(records):
        if not to_translate(job.config, records[doc_id], summary):
            continue
        if is_done(out, doc_id, translation_key(records[doc_id], translator), done):
            count_existing(out, doc_id, records[doc_id], summary)
            summary.resumed += 1
        else:
            todo.append(doc_id)
    with open(state_path, "a", encoding="utf-8") as state:
        step = articles_per_pass(translator)
        for start in range(0, len(todo), step):
            chunk = todo[start:start + step]
            errors = translate_articles(translator, chunk, records, out)
            for doc_id in chunk:
                record = records[doc_id]
                if doc_id in errors:
                    failures.add(record.get("path") or doc_id, errors[doc_id], "translate", doc_id=doc_id)
                    continue
                summary.sentences += record["sentences"]
                summary.violations += record["violations"]
                summary.translated += 1
                state.write(dumps_line({"id": doc_id, "key": translation_key(record, translator)}))
            state.flush()
            tick("translate", summary.translated)


def to_translate(config: RunConfig, record: dict[str, Any], summary: RunSummary) -> bool:
    """Whether the run translates this article (`RunConfig.languages`; English passes through
    anyway, as the target language, and so does a text of no known language); one it leaves
    out is counted.  ``fr-CA``, ``FR`` and ``fr_CA`` are French, as the translator reads them."""
    from xlate.glossary import base_language

    if config.languages is None:
        return True
    lang = base_language(str(record["lang"] or "und"))
    summary.languages_seen[lang] = summary.languages_seen.get(lang, 0) + 1
    if lang in config.languages or lang in ("en", "und"):
        return True
    summary.untranslated += 1
    return False


def translate_articles(translator, doc_ids: list[str], records: dict[str, dict[str, Any]], out: Path) -> dict[str, str]:
    """Translate several cleaned articles in one engine pass (sentences batched across them;
    Apertium starts its processes once, not once per article) and write their outputs.
    If the pass fails, each article is retried alone so one bad article fails alone.
    Returns the errors by id; records get their sentences/violations counts."""
    from types import SimpleNamespace

    from xlate.errors import XlateError

    items = [SimpleNamespace(id=i, text=_cleaned_text(out, i), lang=records[i]["lang"]) for i in doc_ids]
    try:
        results = list(translator.translate_many(items))
    except XlateError:
        results = None
    errors: dict[str, str] = {}
    for n, doc_id in enumerate(doc_ids):
        try:
            result = results[n] if results is not None else translator.translate(items[n].text, items[n].lang, id=doc_id)
        except XlateError as exc:
            errors[doc_id] = str(exc)
            continue
        try:
            write_translation(out, doc_id, result, records[doc_id])
        except (XlateError, ValueError) as exc:  # one article's files, not the batch
            errors[doc_id] = f"its translation could not be written ({exc}); please report it"
    return errors


def _cleaned_text(out: Path, doc_id: str) -> str:
    return article_path(out, doc_id, "txt", "cleaned").read_text(encoding="utf-8").rstrip("\n")


def translation_key(record: dict[str, Any], translator) -> str:
    """What an article's translation depends on: its cleaned text and the translator."""
    return hashlib.sha256(f"{record['text_sha256']}|{translator.signature}".encode()).hexdigest()


def is_done(out: Path, doc_id: str, key: str, done: dict[str, str]) -> bool:
    return done.get(doc_id) == key and article_path(out, doc_id, "jsonl").exists()


def write_translation(out: Path, doc_id: str, result, record: dict[str, Any]) -> None:
    """Write an article's TMX, XLIFF and JSONL (JSONL last: its presence means the article
    is complete); fills the record's sentences/violations counts."""
    from xlate.tmx import write_tmx
    from xlate.xliff import write_xliff

    props = {"article": doc_id, "signature": result.signature, "xlate": __version__}
    write_tmx(article_path(out, doc_id, "tmx"), doc_id, result.pairs, result.lang, props)
    write_xliff(article_path(out, doc_id, "xlf"), doc_id, result.pairs, result.lang, props)
    write_jsonl(article_path(out, doc_id, "jsonl"), (p.to_json() for p in result.pairs))
    record["sentences"] = len(result.pairs)
    record["violations"] = sum(len(p.violations) for p in result.pairs)


def load_done(out: Path) -> dict[str, str]:
    """Articles already translated, by id -> key, from every executor's state files."""
    done: dict[str, str] = {}
    state = out / ".state"
    for path in [state / "translated.jsonl", *sorted(state.glob("ray/*.jsonl"))]:
        done.update(_load_state(path))
    return done


def _load_state(path: Path) -> dict[str, str]:
    done: dict[str, str] = {}
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    item = json.loads(line)
                    done[item["id"]] = item["key"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut by a kill: that article is simply redone
    return done


def count_existing(out: Path, doc_id: str, record: dict[str, Any], summary: RunSummary) -> None:
    with open(article_path(out, doc_id, "jsonl"), encoding="utf-8") as fh:
        pairs = [json.loads(line) for line in fh if line.strip()]
    record["sentences"] = len(pairs)
    record["violations"] = sum(len(p.get("violations", [])) for p in pairs)
    summary.sentences += record["sentences"]
    summary.violations += record["violations"]
