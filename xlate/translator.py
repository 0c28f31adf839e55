"""Article translation: language id, segmentation, glossary locking, batching, memory.

For each article: identify the language (unless given), split into sentences with
offsets, find glossary terms, protect them (locked English form or placeholder, as the
engine prefers), look the protected sentences up in the translation memory, translate
the rest in length-sorted batches shared across articles, restore the locked forms and
verify them.  A term that did not come through is a violation on its sentence; nothing
is dropped silently.  Engines that take placeholders (rule-based: an invented word in
place of a name changes the words around it, "à Paris" -> "to Paris") translate a
sentence as it is first; only a sentence whose locked forms do not come through that way
is translated again with placeholders.  English articles pass through (engine ``identity``), with their
glossary variants normalised to the locked forms.
"""
from __future__ import annotations

import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlate import __version__
from xlate.engines.base import Engine
from xlate.errors import ConfigError, EngineUnavailableError
from xlate.glossary import Glossary, TermMatch, base_language, protect, restore, unprotect
from xlate.segment import SEGMENTER_VERSION, segment

ENGINES = ("auto", "marian", "apertium", "ctranslate2")
IDENTITY = "identity"
# How locked names are kept through an engine, named in signatures: 2 = placeholders only
# for the sentences that lose a name without them (1: every sentence with a name).
LOCK_VERSION = "2"
_FLUSH_SENTENCES = 1024  # sentences gathered across articles before the engine runs (an Apertium call)


@dataclass(frozen=True)
class AlignedPair:
    """One source sentence, its English, and where it is in the cleaned article."""

    index: int
    source: str
    english: str
    start: int
    end: int
    engine: str
    terms: list[dict[str, Any]] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "source": self.source, "english": self.english, "start": self.start,
                "end": self.end, "engine": self.engine, "terms": list(self.terms), "violations": list(self.violations)}


@dataclass
class TranslatedArticle:
    id: str
    lang: str
    pairs: list[AlignedPair]
    signature: str

    @property
    def violations(self) -> int:
        return sum(len(p.violations) for p in self.pairs)


@dataclass
class _Job:
    """An article on its way through: its sentences, terms and protected sources."""

    id: str
    lang: str
    segments: list[Any]
    matches: list[list[TermMatch]]
    protected: list[str]
    tables: list[dict[str, str]]
    engine: Engine | None  # None: identity
    # Per sentence, for a placeholder engine: (text with placeholders, their table), used
    # when the sentence as it is loses a locked form; None otherwise.
    fallback: list[tuple[str, dict[str, str]] | None] = field(default_factory=list)
    english: list[str | None] = field(default_factory=list)


class Translator:
    """Translate articles to English; see the module docstring for the steps."""

    def __init__(self, engine: str = "auto", *, model: str | os.PathLike[str] | None = None,
                 glossary: Glossary | str | os.PathLike[str] | None = None, cache: str | Path | None = None,
                 device: str = "auto", batch_size: int = 32, beam: int = 4, target: str = "en"):
        if engine not in ENGINES:
            raise ConfigError(f"engine {engine!r} is not one of {', '.join(ENGINES)}; e.g. engine='auto'")
        if target != "en":
            raise ConfigError(f"target {target!r} is not supported: xlate translates to English only; use target='en'")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigError(f"batch_size={batch_size!r} must be an integer >= 1, e.g. 32")
        if not isinstance(beam, int) or beam < 1:
            raise ConfigError(f"beam={beam!r} must be an integer >= 1, e.g. 4")
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", str(device)):
            raise ConfigError(f"device={device!r} is not auto, cpu, cuda or cuda:N; e.g. device='cpu'")
        if model is not None and engine == "apertium":
            raise ConfigError(f"model={str(model)!r} is meaningless with engine 'apertium'; drop --model or use --engine marian")
        if isinstance(glossary, (str, os.PathLike)):
            glossary = Glossary.load(glossary)
        elif glossary is not None and not isinstance(glossary, Glossary):
            raise ConfigError(f"glossary must be a Glossary or a file path, not {type(glossary).__name__}; "
                              "e.g. glossary='seeds/glossary.tsv'")
        self.engine_request = engine
        self.model = str(model) if model is not None else None
        self.glossary = glossary
        self.cache_path = Path(cache) if cache is not None else None
        self.device = device
        self.batch_size = batch_size
        self.beam = beam
        self.target = target
        self._chain: list[Engine] | None = None
        self._by_lang: dict[str, Engine] = {}
        self._memory: Any = None
        self._session: dict[tuple[str, str], str] = {}  # this run's translations, when there is no cache file

    # -- engines ---------------------------------------------------------------------
    def _make(self, name: str) -> Engine:
        if name == "apertium":
            from xlate.engines.apertium import ApertiumEngine

            return ApertiumEngine()
        if name == "marian":
            from xlate.engines.marian import MarianEngine

            return MarianEngine(self.model, device=self.device, beam=self.beam, batch_size=self.batch_size)
        from xlate.engines.ctranslate2 import CTranslate2Engine

        return CTranslate2Engine(self.model, device=self.device, beam=self.beam, batch_size=self.batch_size)

    @property
    def engines(self) -> list[Engine]:
        """The engines tried in order for each language (resolved once)."""
        if self._chain is None:
            self._chain = self._resolve()
        return self._chain

    def _resolve(self) -> list[Engine]:
        if self.engine_request != "auto":
            engine = self._make(self.engine_request)
            self._check_usable(engine)
            return [engine]
        from xlate.engines.apertium import INSTALL_HINT as APERTIUM_HINT
        from xlate.engines.apertium import ApertiumEngine
        from xlate.engines.marian import INSTALL_HINT as MARIAN_HINT

        apertium = ApertiumEngine()
        apertium_ok = apertium.supports("fr") or bool(_safe_modes(apertium))
        if self.model is not None:
            # A model named by the user must load: falling back to Apertium would hide a typo.
            neural = self._make("ctranslate2" if _importable("ctranslate2") else "marian")
            self._check_usable(neural)
            return [neural, apertium] if apertium_ok else [neural]
        if _marian_usable():
            # CTranslate2 int8 measured 7.7x transformers fp32 at beam 4 on 2 CPU threads
            # (bench/bench_marian_speed.py), so it is the fast path when installed.
            neural = self._make("ctranslate2" if _importable("ctranslate2") else "marian")
            return [neural, apertium] if apertium_ok else [neural]
        if apertium_ok:
            warnings.warn("xlate: no Marian model available, translating with apertium (rule-based, lower quality); "
                          f"for MarianMT: {MARIAN_HINT}", stacklevel=3)
            return [apertium]
        raise EngineUnavailableError(f"no translation engine is available. For MarianMT: {MARIAN_HINT}. "
                                     f"For the offline rule-based engine: {APERTIUM_HINT}")

    def _check_usable(self, engine: Engine) -> None:
        """Fail early, with the how-to, when the named engine cannot run at all."""
        from xlate.engines.apertium import ApertiumEngine

        if isinstance(engine, ApertiumEngine):
            engine.modes  # raises EngineUnavailableError without the binary  # noqa: B018
            return
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401

            if engine.name == "ctranslate2":
                import ctranslate2  # noqa: F401
        except ImportError as exc:
            from xlate.engines.ctranslate2 import INSTALL_HINT

            raise EngineUnavailableError(f"engine {engine.name!r} needs {exc.name}; {INSTALL_HINT}") from exc
        engine.check()  # a named model must exist now

    def engine_for(self, lang: str) -> Engine:
        if lang in self._by_lang:
            return self._by_lang[lang]
        for engine in self.engines:
            if engine.supports(lang):
                self._by_lang[lang] = engine
                return engine
        names = ", ".join(e.name for e in self.engines)
        raise EngineUnavailableError(f"no engine here translates {lang!r} to English (tried {names}); "
                                     f"install a Marian model for it (opus-mt-{lang}-en or opus-mt-mul-en) or an Apertium pair, "
                                     "or give the article its language (--lang, or a JSONL \"lang\" field) if detection was wrong")

    # -- description -----------------------------------------------------------------
    @property
    def info(self) -> dict[str, Any]:
        chain = self.engines
        primary = chain[0].info
        out = dict(primary)
        out["fallback"] = chain[1].info if len(chain) > 1 else None
        out["requested"] = self.engine_request
        out["glossary_sha256"] = self.glossary.sha256 if self.glossary else None
        out["config"] = {"device": self.device, "batch_size": self.batch_size, "beam": self.beam, "target": self.target,
                         "segmenter": SEGMENTER_VERSION, "cache": str(self.cache_path) if self.cache_path else None}
        out["xlate"] = __version__
        return out

    @property
    def signature(self) -> str:
        engines = "+".join(_describe(e) for e in self.engines)
        return f"{engines}|gl:{self._glossary_tag()}|lock:{LOCK_VERSION}|seg:{SEGMENTER_VERSION}|xlate:{__version__}"

    def _glossary_tag(self) -> str:
        return self.glossary.sha256[:8] if self.glossary else "none"

    def _article_signature(self, engine: Engine | None, lang: str) -> str:
        used = engine.signature_for(lang) if engine is not None else IDENTITY
        return f"engine:{used}|gl:{self._glossary_tag()}|lock:{LOCK_VERSION}|seg:{SEGMENTER_VERSION}|xlate:{__version__}"

    # -- translation -----------------------------------------------------------------
    def translate(self, doc: Any, lang: str | None = None, *, id: str | None = None) -> "TranslatedArticle":
        """Translate one article (a `CleanDocument` or its text)."""
        return next(self.translate_many([doc], lang=lang, ids=[id] if id is not None else None))

    def translate_many(self, docs: Iterable[Any], *, lang: str | None = None,
                       ids: Iterable[str] | None = None) -> Iterator["TranslatedArticle"]:
        """Translate articles in order, batching sentences across articles.

        Items are `CleanDocument`s (their id and lang are used) or texts; ``lang``
        applies to items without one (None: detected), ``ids`` names text items.
        """
        if isinstance(docs, (str, bytes)):
            raise ConfigError("give a list of articles, not one text; translate(text) translates one")
        # What can be checked before any engine runs is checked here; a generator's length
        # only shows as it is read, so the loop checks again.
        if ids is not None:
            ids = list(ids)
            if len(set(ids)) != len(ids):
                twice = min(i for i, n in Counter(ids).items() if n > 1)
                raise ConfigError(f"article id {twice!r} is given twice; ids must be unique")
            if isinstance(docs, Sized) and len(docs) != len(ids):
                raise ConfigError(f"ids gives {len(ids)} ids for {len(docs)} articles; give one id per article")
        if lang is not None:
            _language_code(lang)
        id_iter = iter(ids) if ids is not None else None
        pending: list[_Job] = []
        count = 0
        seen: set[str] = set()
        n = -1
        for n, doc in enumerate(docs):
            explicit_id = None
            if id_iter is not None:
                explicit_id = next(id_iter, None)
                if explicit_id is None:
                    raise ConfigError(f"ids gives {n} ids for more articles than that; give one id per article")
            pending.append(self._prepare(doc, lang, explicit_id, n))
            if pending[-1].id in seen:
                raise ConfigError(f"article id {pending[-1].id!r} is given twice; ids must be unique")
            seen.add(pending[-1].id)
            count += len(pending[-1].segments)
            if count >= _FLUSH_SENTENCES:
                yield from self._finish(pending)
                pending, count = [], 0
        if id_iter is not None and next(id_iter, None) is not None:
            raise ConfigError(f"ids gives more ids than the {n + 1} articles; give one id per article")
        if pending:
            yield from self._finish(pending)

    def _prepare(self, doc: Any, lang: str | None, explicit_id: str | None, n: int) -> _Job:
        from dedup.document import Document

        if isinstance(doc, Document) and doc.format == "html":
            # A page as read, not its article: translating it would translate its markup.
            from dedup.cleaner import clean

            doc = clean(doc)
        if isinstance(doc, str):
            text, doc_id, doc_lang = doc, explicit_id or f"doc-{n + 1}", None
        elif hasattr(doc, "text") and hasattr(doc, "id"):
            text, doc_id, doc_lang = doc.text, explicit_id or doc.id, getattr(doc, "lang", None)
        else:
            raise ConfigError(f"cannot translate a {type(doc).__name__}; pass a CleanDocument or a str")
        lang = lang or doc_lang
        if not lang:
            from dedup.langid import detect

            lang = detect(text)[0]
        lang = _language_code(lang, f"article {doc_id!r}: ")
        segments = segment(text, lang)
        matches = [self.glossary.find(s.text, lang) if self.glossary else [] for s in segments]
        identity = lang in (self.target, "und")
        engine = None if identity else self.engine_for(lang)
        placeholders = engine is not None and engine.protection == "placeholder"
        if placeholders:
            fallback = [protect(s.text, m, placeholders=True) if m else None for s, m in zip(segments, matches)]
            return _Job(doc_id, lang, segments, matches, [s.text for s in segments], [{} for _ in segments], engine,
                        fallback)
        protected, tables = [], []
        for s, m in zip(segments, matches):
            text_p, table = protect(s.text, m) if m else (s.text, {})
            protected.append(text_p)
            tables.append(table)
        return _Job(doc_id, lang, segments, matches, protected, tables, engine)

    def _finish(self, jobs: list[_Job]) -> Iterator["TranslatedArticle"]:
        # Group the sentences that need an engine by (engine, language), translate each
        # group's distinct misses in one call (the engine sorts by length and batches).
        groups: dict[tuple[int, str], list[_Job]] = {}
        for job in jobs:
            job.english = [None] * len(job.segments)
            if job.engine is None:
                job.english = list(job.protected)
            else:
                groups.setdefault((id(job.engine), job.lang), []).append(job)
        for group in groups.values():
            engine, lang = group[0].engine, group[0].lang
            assert engine is not None
            known = self._translate_sources(engine, lang, [s for job in group for s in job.protected])
            for job in group:
                job.english = [known.get(s, "") if s.strip() else "" for s in job.protected]
            # Sentences that lost a locked form as they were: again, with placeholders.
            retry = [(job, i) for job in group for i, fb in enumerate(job.fallback)
                     if fb is not None and restore(job.english[i] or "", job.matches[i])[1]]
            for job, i in retry:
                job.protected[i], job.tables[i] = job.fallback[i]  # type: ignore[misc]
            if retry:
                known = self._translate_sources(engine, lang, [job.protected[i] for job, i in retry])
                for job, i in retry:
                    job.english[i] = known.get(job.protected[i], "")
        for job in jobs:
            yield self._assemble(job)

    def _translate_sources(self, engine: Engine, lang: str, sources: list[str]) -> dict[str, str]:
        """English of the distinct non-blank ``sources``: from the translation memory, the
        rest from ``engine`` in calls of `sentences_per_call` (each stored as it comes)."""
        key = engine.signature_for(lang)
        sources = list(dict.fromkeys(s for s in sources if s.strip()))
        known = self._lookup(key, sources)
        missing = [s for s in sources if s not in known]
        step = self.sentences_per_call(engine)
        for i in range(0, len(missing), step):
            chunk = missing[i:i + step]
            fresh = list(zip(chunk, engine.translate_batch(chunk, lang)))
            self._store(key, fresh)
            known.update(fresh)
        return known

    def sentences_per_call(self, engine: Engine) -> int:
        """Sentences handed to ``engine.translate_batch`` at a time (each call's results go
        to the translation memory): the engine's own size, else 4 x batch_size."""
        return engine.sentences_per_call or max(self.batch_size * 4, 1)

    def _lookup(self, key: str, sources: list[str]) -> dict[str, str]:
        gl = self.glossary.sha256 if self.glossary else ""
        found = {s: self._session[(key, s)] for s in sources if (key, s) in self._session}
        rest = [s for s in sources if s not in found]
        if rest and self.cache_path is not None:
            found.update(self.memory.get_many(key, gl, rest))
        return found

    def _store(self, key: str, pairs: list[tuple[str, str]]) -> None:
        for s, e in pairs:
            self._session[(key, s)] = e
        if self.cache_path is not None:
            self.memory.put_many(key, self.glossary.sha256 if self.glossary else "", pairs)

    @property
    def memory(self) -> Any:
        if self._memory is None:
            from xlate.cache import TranslationMemory

            if self.cache_path is None:
                raise ConfigError("this Translator has no translation memory; pass Translator(cache=FILE)")
            self._memory = TranslationMemory(self.cache_path)
        return self._memory

    def _assemble(self, job: _Job) -> "TranslatedArticle":
        engine_name = job.engine.name if job.engine is not None else IDENTITY
        pairs = []
        for seg, matches, table, raw in zip(job.segments, job.matches, job.tables, job.english):
            english = unprotect(raw or "", table) if table else (raw or "")
            violations: list[dict[str, Any]] = []
            if matches:
                english, violations = restore(english, matches)
            pairs.append(AlignedPair(seg.index, seg.text, english, seg.start, seg.end, engine_name,
                                     [m.to_json(seg.start) for m in matches], violations))
        return TranslatedArticle(job.id, job.lang, pairs, self._article_signature(job.engine, job.lang))

    def close(self) -> None:
        """Close the translation memory and the engines' processes."""
        if self._memory is not None:
            self._memory.close()
            self._memory = None
        for engine in self._chain or []:
            engine.close()

    def __enter__(self) -> "Translator":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _language_code(lang: str, where: str = "") -> str:
    """`base_language` of ``lang`` (``und``, no language found, as it is), or a
    `ConfigError` (``where`` starts it) for what is not a language code."""
    code = base_language(lang) if lang != "und" else lang
    if not re.fullmatch(r"[a-z]{2,3}", code):
        raise ConfigError(f"{where}language {code!r} is not a language code; give an ISO 639-1 code such as 'fr'")
    return code


def _describe(engine: Engine) -> str:
    """Language-independent engine description for the translator's signature."""
    info = engine.info
    parts = [f"{info['engine']}-{info.get('engine_version') or '?'}"]
    if info.get("data"):
        parts.append(",".join(f"{k}={v}" for k, v in sorted(info["data"].items())))
    if info.get("model"):
        parts.append(f"{info['model']}@{(info.get('model_revision') or 'auto')[:12]}")
    if info.get("compute_type"):
        parts.append(str(info["compute_type"]))
    if info.get("beam"):
        parts.append(f"beam{info['beam']}")
    if info.get("postedit"):  # what xlate does around the engine (Apertium's opening nouns)
        parts.append(str(info["postedit"]))
    return ":".join(parts)


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _safe_modes(engine: Any) -> dict:
    try:
        return engine.modes
    except EngineUnavailableError:
        return {}


def _marian_usable() -> bool:
    """Whether `auto` (no model named) finds a Marian model: torch and transformers, and an
    opus-mt model in the hub cache or reachable.  The packages are looked up, not imported:
    importing torch costs seconds, only worth it when a model is there to run."""
    if not (_importable("torch") and _importable("transformers")):
        return False
    from xlate.engines.marian import HUB_FALLBACK, HUB_PATTERN, _cached_snapshot, model_available

    # Without a named model, any cached opus-mt-*-en model (or mul-en reachable) will do;
    # languages without one fall back to Apertium article by article.
    if _any_cached_opus():
        return True
    return _cached_snapshot(HUB_PATTERN.format(src="fr")) is not None or model_available(HUB_FALLBACK)


def _any_cached_opus() -> bool:
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:
        return False
    cache = Path(HF_HUB_CACHE)
    return cache.is_dir() and any(p.name.startswith("models--Helsinki-NLP--opus-mt-") and p.name.endswith("-en")
                                  for p in cache.iterdir())
