"""Translation memory: a SQLite file of engine outputs, so reruns translate only what changed.

A row is keyed by the engine signature (engine, version, model revision, decoding
settings, source language), the glossary sha256 and the exact (protected) source
sentence.  Rows are written in small transactions as batches finish, so a run killed
mid-way keeps every finished batch and a rerun redoes only the rest; the primary key
makes a row written twice one row, never two.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from xlate.errors import OutputError

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tm (
    engine   TEXT NOT NULL,
    glossary TEXT NOT NULL,
    source   TEXT NOT NULL,
    english  TEXT NOT NULL,
    created  REAL NOT NULL,
    PRIMARY KEY (engine, glossary, source)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_CHUNK = 500  # SQLite's default limit on host parameters is 999 (older builds)


class TranslationMemory:
    """``get_many`` / ``put_many`` over one SQLite file; usable from several threads."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                raise OutputError(f"translation memory {self.path} has schema {row[0]}, this xlate writes {SCHEMA_VERSION}; "
                                  "delete the file or pass another --cache path")
            self._db.commit()
        except sqlite3.Error as exc:
            raise OutputError(f"cannot open translation memory {self.path}: {exc}; pass a writable --cache path") from exc

    def get_many(self, engine: str, glossary: str, sources: Sequence[str]) -> dict[str, str]:
        """The stored English for those ``sources`` that have one."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sources))
        with self._lock:
            for i in range(0, len(unique), _CHUNK):
                chunk = unique[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT source, english FROM tm WHERE engine=? AND glossary=? AND source IN ({marks})",
                    (engine, glossary, *chunk)).fetchall()
                found.update(rows)
        self.hits += len(found)
        self.misses += len(unique) - len(found)
        return found

    def put_many(self, engine: str, glossary: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Store (source, english) pairs in one transaction."""
        now = time.time()
        rows = [(engine, glossary, s, e, now) for s, e in pairs]
        if not rows:
            return
        with self._lock:
            try:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO tm VALUES (?, ?, ?, ?, ?)", rows)
            except sqlite3.Error as exc:
                raise OutputError(f"cannot write translation memory {self.path}: {exc}") from exc

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM tm").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "TranslationMemory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
