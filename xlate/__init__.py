"""xlate: translate news articles to English, sentence-aligned, with glossary-locked names.

    from xlate import Glossary, Translator
    tr = Translator(engine="auto", glossary=Glossary.load("seeds/glossary.tsv"))
    for pair in tr.translate(text, "fr").pairs:
        print(pair.index, pair.english, pair.violations)

Names are resolved lazily so importing `xlate` loads no model library.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Glossary": "xlate.glossary",
    "Translator": "xlate.translator",
    "AlignedPair": "xlate.translator",
    "TranslatedArticle": "xlate.translator",
    "Segment": "xlate.segment",
    "detect_language": ("dedup.langid", "detect"),
    "detect_languages": ("dedup.langid", "detect_many"),
    "run": "xlate.pipeline",
    "RunConfig": "xlate.pipeline",
    "RunSummary": "xlate.pipeline",
    "write_tmx": "xlate.tmx",
    "write_xliff": "xlate.xliff",
    "build_report": "xlate.report",
    "diff_runs": "xlate.diff",
    "XlateError": "xlate.errors",
    "EngineUnavailableError": "xlate.errors",
    "GlossaryError": "xlate.errors",
    "ConfigError": "xlate.errors",
    "OutputError": "xlate.errors",
    "TranslationError": "xlate.errors",
    "GlossaryEntry": "xlate.glossary",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # the names as type checkers see them; at run time they load on first use (below)
    from dedup.langid import detect as detect_language, detect_many as detect_languages
    from xlate.diff import diff_runs as diff_runs
    from xlate.errors import (
        ConfigError as ConfigError,
        EngineUnavailableError as EngineUnavailableError,
        GlossaryError as GlossaryError,
        OutputError as OutputError,
        TranslationError as TranslationError,
        XlateError as XlateError,
    )
    from xlate.glossary import Glossary as Glossary, GlossaryEntry as GlossaryEntry
    from xlate.pipeline import RunConfig as RunConfig, RunSummary as RunSummary, run as run
    from xlate.report import build_report as build_report
    from xlate.segment import Segment as Segment
    from xlate.tmx import write_tmx as write_tmx
    from xlate.translator import (
        AlignedPair as AlignedPair,
        TranslatedArticle as TranslatedArticle,
        Translator as Translator,
    )
    from xlate.xliff import write_xliff as write_xliff


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'xlate' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
