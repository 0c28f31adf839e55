"""Typed exceptions of the `dedup` package.  The library raises; only the CLI prints."""


class DedupError(Exception):
    """Base class of every error raised by `dedup`."""


class ConfigError(DedupError, ValueError):
    """A configuration value is invalid; the message names the value and the fix."""


class ArticleTypeError(DedupError, TypeError):
    """An item handed to clustering is not an article: the message says what is taken."""


class CorpusReadError(DedupError):
    """One input (a file, or a line of a JSONL file) could not be read.

    ``path`` is the file, ``line`` the 1-based JSONL line (``None`` for whole files),
    ``reason`` a one-line explanation that says how to fix it, ``doc_id`` the article's id
    when one was read (a JSONL line with an id but no text; a repeated id).
    """

    def __init__(self, path: str, reason: str, line: int | None = None, doc_id: str | None = None):
        self.path = path
        self.line = line
        self.reason = reason
        self.doc_id = doc_id
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")

    def to_json(self) -> dict:
        return {"file": self.path, "line": self.line, "id": self.doc_id, "reason": self.reason}


class IncompatibleFingerprintError(DedupError):
    """Two fingerprints (or an index and a config) were made with different settings."""


class IndexLockedError(DedupError):
    """Another process holds a cluster index open for update (`ClusterIndex.open(lock=True)`)."""
