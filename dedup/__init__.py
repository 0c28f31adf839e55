"""dedup: read a corpus of articles, clean their boilerplate, cluster same-event reports.

    from dedup import read_corpus, clean, cluster
    docs = [clean(d) for d in read_corpus("feeds/")]
    for c in cluster(docs):
        print(c.id, c.members)

Names are resolved lazily so importing `dedup` loads nothing heavy.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    "IncompatibleFingerprintError": "dedup.errors",
    "IndexLockedError": "dedup.errors",
    "cluster": "dedup.clustering",
    "explain": "dedup.clustering",
    "Cluster": "dedup.clustering",
    "Link": "dedup.clustering",
    "ClusterConfig": "dedup.config",
    "ClusterIndex": "dedup.index",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # the names as type checkers see them; at run time they load on first use (below)
    from dedup.cleaner import Cleaner as Cleaner, CleanerConfig as CleanerConfig, LineStats as LineStats, clean as clean
    from dedup.clustering import Cluster as Cluster, Link as Link, cluster as cluster, explain as explain
    from dedup.config import ClusterConfig as ClusterConfig
    from dedup.document import CleanDocument as CleanDocument, Document as Document, RemovedLine as RemovedLine
    from dedup.encoding import decode_bytes as decode_bytes
    from dedup.errors import (
        ArticleTypeError as ArticleTypeError,
        ConfigError as ConfigError,
        CorpusReadError as CorpusReadError,
        DedupError as DedupError,
        IncompatibleFingerprintError as IncompatibleFingerprintError,
        IndexLockedError as IndexLockedError,
    )
    from dedup.index import ClusterIndex as ClusterIndex
    from dedup.reader import read_corpus as read_corpus


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dedup' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
