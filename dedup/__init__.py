"""dedup: read a corpus of articles, clean their boilerplate, cluster same-event reports.

    from dedup import read_corpus, clean, cluster
    docs = [clean(d) for d in read_corpus("feeds/")]
    for c in cluster(docs):
        print(c.id, c.members)

Names are resolved lazily so importing `dedup` loads nothing heavy.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Document": "dedup.document",
    "CleanDocument": "dedup.document",
    "RemovedLine": "dedup.document",
    "read_corpus": "dedup.reader",
    "decode_bytes": "dedup.encoding",
    "clean": "dedup.cleaner",
    "Cleaner": "dedup.cleaner",
    "CleanerConfig": "dedup.cleaner",
    "LineStats": "dedup.cleaner",
    "DedupError": "dedup.errors",
    "ConfigError": "dedup.errors",
    "ArticleTypeError": "dedup.errors",
    "CorpusReadError": "dedup.errors",
    "cluster": "dedup.clustering",
    "explain": "dedup.clustering",
    "Cluster": "dedup.clustering",
    "Link": "dedup.clustering",
    "ClusterConfig": "dedup.config",
    "ClusterIndex": "dedup.index",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dedup' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
