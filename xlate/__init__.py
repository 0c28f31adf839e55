"""xlate: translate news articles to English, sentence-aligned, with glossary-locked names.

    from xlate import Glossary, Translator
    tr = Translator(engine="auto", glossary=Glossary.load("seeds/glossary.tsv"))
    for pair in tr.translate(text, "fr").pairs:
        print(pair.index, pair.english, pair.violations)

Names are resolved lazily so importing `xlate` loads no model library.
"""
from __future__ import annotations

import importlib
from typing import Any

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
}

__all__ = sorted(_EXPORTS)


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
