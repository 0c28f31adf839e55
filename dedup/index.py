"""A persisted clustering index: add articles now, more later, same clusters as one run.

    with ClusterIndex.open("events.idx", lock=True) as index:   # created if missing; one updater at a time
        index.add(clean_documents)               # new ids join, known ids are replaced
        index.remove(["retracted-id"])           # an article withdrawn
        index.forget_before(date(2025, 1, 1))    # a rolling window over publication dates
        index.save()                             # atomic; nothing written if nothing changed
    for c in index.clusters(): ...
    index.explain("a-id", "b-id")                # why two indexed articles are (not) linked

The file holds the fingerprints (never texts), as columns in a zip archive (format 2):
``header.json`` (the format, the fingerprint settings, the alias table digest, the count),
``articles.json`` (ids, leads, languages, dates...), ``vocabulary.json`` (every name and
keyword once), and little-endian arrays: the MinHash matrix, names and keywords as
vocabulary numbers with counts and offsets, the embeddings.  Opening it builds no JSON
object per article, and the MinHash matrix (incompressible) is stored, not deflated.
Format 1 files (gzip'd JSON lines, one article a line) still open; `save` writes format 2.

`clusters()` re-runs candidate generation, verification and average linkage over all
stored fingerprints, sorted by id, so adding articles in any order and any number of
steps gives exactly the clusters of a from-scratch run on the union: corpus IDF weights
and group boundaries may legitimately change when new articles arrive.
"""
from __future__ import annotations

import base64
import datetime as _dt
import glob
import gzip
import hashlib
import json
import os
import re
import sys
import warnings
import zipfile
import zlib
from collections.abc import Mapping
from itertools import chain
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._lock import FileLock, LockBusy
from .clustering import Cluster, cluster_fingerprints, fingerprints
from .config import ClusterConfig, checked_config
from .entities import AliasTable, check_aliases, iso_day
from .errors import ArticleTypeError, ConfigError, DedupError, IncompatibleFingerprintError, IndexLockedError
from .fingerprint import _FINGERPRINT_FIELDS, Fingerprint, _fingerprint_of_fields
from .reader import id_key
from .verify import CorpusStats, Link, verify

__all__ = ["Added", "Forgotten", "ClusterIndex", "INDEX_FORMAT", "alias_digest"]

INDEX_FORMAT = "dedup-cluster-index/2"
_FORMAT_1 = "dedup-cluster-index/1"  # gzip'd JSON lines: read, no longer written
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every member's time: the same fingerprints give the same bytes


class Added(NamedTuple):
    """What `ClusterIndex.add` did: ids new to the index, ids whose article changed (its new
    version replaced the old), and ids added again with the same fingerprint."""

    new: int
    changed: int
    unchanged: int


class Forgotten(NamedTuple):
    """What `ClusterIndex.forget_before` did: articles removed (published before the day),
    and articles kept because they carry no publication date to judge by."""

    removed: int
    undated: int


def _fp_to_json(fp: Fingerprint) -> dict:
    return {
        "id": fp.id,
        "minhash": base64.b64encode(fp.minhash.astype("<u4").tobytes()).decode("ascii"),
        "entities": [list(e) for e in fp.entities],
        "dates": list(fp.dates),
        "numbers": list(fp.numbers),
        "keywords": [list(k) for k in fp.keywords],
        "lead": fp.lead,
        "lang": fp.lang,
        "published": fp.published,
        "length": fp.length,
        **({"embedding": base64.b64encode(fp.embedding.astype("<f2").tobytes()).decode("ascii")} if fp.embedding is not None else {}),
    }


def _fp_from_json(obj: dict) -> Fingerprint:
    return Fingerprint(
        id=obj["id"],
        minhash=np.frombuffer(base64.b64decode(obj["minhash"]), dtype="<u4").astype(np.uint32),
        entities=tuple((sys.intern(k), int(c)) for k, c in obj["entities"]),
        dates=tuple(obj["dates"]),
        numbers=tuple(obj["numbers"]),
        keywords=tuple((sys.intern(k), int(c)) for k, c in obj["keywords"]),
        lead=obj["lead"],
        lang=obj.get("lang"),
        published=obj.get("published"),
        length=int(obj.get("length", 0)),
        embedding=np.frombuffer(base64.b64decode(obj["embedding"]), dtype="<f2").astype(np.float16) if "embedding" in obj else None,
    )


def alias_digest(aliases: Mapping[str, str] | None) -> str:
    """The digest of an alias table (a glossary's name variants) an index records, and
    `xlate cluster` writes in cluster.json (``glossary.alias_digest``)."""
    return hashlib.sha256(AliasTable(aliases).digest_source.encode("utf-8")).hexdigest()[:16]


class ClusterIndex:
    """Fingerprints of every article added so far, in a file the user names."""

    def __init__(self, path: Path, config: ClusterConfig, aliases: Mapping[str, str] | None, fps: dict[str, Fingerprint]):
        self.path = path
        self.config = config
        self.aliases = dict(aliases) if aliases else None
        self._fps = fps
        self._dirty = False
        self._lock: FileLock | None = None

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], config: ClusterConfig | None = None, *, aliases: Mapping[str, str] | None = None,
        lock: bool = False, wait: float = 0.0,
    ) -> "ClusterIndex":
        """Open ``path`` (or start a new, empty index there if it does not exist).

        ``lock=True`` is for updating: it takes an exclusive lock (``PATH.lock`` beside the
        index; none where ``fcntl`` is missing, on Windows) before reading, held until
        `close` (or the end of a ``with`` block), so that two jobs adding to one index
        cannot both read it and the last save drop the other's articles.  If another
        process holds it, this waits up to ``wait`` seconds, then raises `IndexLockedError`.
        Readers need no lock: `save` replaces the file in one rename, so a reader sees the
        old index or the new one.

        An index made with other fingerprint settings (``num_perm``, ``shingle_chars``,
        ``keywords``, ``seed``, ``embeddings``, ``identify_languages`` and its model,
        version) or another alias table is refused with
        `IncompatibleFingerprintError`: rebuild it, or open it with the settings it names.
        Scoring settings (threshold, weights) may differ: they apply when clustering.
        """
        config = checked_config(config)
        check_aliases(aliases)
        if not isinstance(path, (str, os.PathLike)) or isinstance(wait, bool) or not isinstance(wait, (int, float)):
            raise ConfigError(f"ClusterIndex.open(path, ..., wait=seconds): a file path and a number of seconds, not "
                              f"{type(path).__name__} and {type(wait).__name__}")
        path = Path(path)
        held = _take_lock(path, wait) if lock else None
        fps: dict[str, Fingerprint] = {}
        try:
            if path.is_dir():
                raise DedupError(f"{path} is a folder; give the index's file path (a new index is made where no file is)")
            if path.exists():
                kind = _file_kind(path)
                if kind == "empty":
                    raise DedupError(f"{path} is an empty file, not a cluster index; delete it (a new index is made "
                                     "where no file is) or check the path")
                if kind is None:
                    raise DedupError(f"{path} is not a cluster index (neither a zip nor gzip file); check the path "
                                     "(a new index is made where no file is)")
                try:
                    fps = _read_json_lines(path, config, aliases) if kind == "gzip" else _read_columns(path, config, aliases)
                except (OSError, EOFError, gzip.BadGzipFile, zipfile.BadZipFile, zlib.error) as exc:
                    raise DedupError(f"{path}: corrupt or truncated cluster index ({exc}); delete it and add its "
                                     "articles again to rebuild") from exc
        except BaseException:
            if held is not None:
                held.release()
            raise
        index = cls(path, config, aliases, fps)
        index._lock = held
        return index

    def close(self) -> None:
        """Release the update lock, if `open` took one (saving is up to the caller)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "ClusterIndex":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @staticmethod
    def is_index(path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` is a file written by `ClusterIndex.save` (read: its header only).
        A damaged one counts: a zip whose first member is ``header.json`` (as `save`
        writes it) is an index even when the rest is cut off, so that opening it says it
        is corrupt instead of its bytes being read as an article."""
        if _first_zip_member(path) == "header.json":
            return True
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    header = json.loads(archive.read("header.json"))
            else:
                with gzip.open(path, "rt", encoding="utf-8") as fh:
                    header = json.loads(fh.readline(1 << 16) or "null")
        except (OSError, EOFError, KeyError, UnicodeDecodeError, ValueError, zipfile.BadZipFile, zlib.error):
            return False
        return isinstance(header, dict) and header.get("format") in (INDEX_FORMAT, _FORMAT_1)

    def __len__(self) -> int:
        return len(self._fps)

    def ids(self) -> list[str]:
        """The ids of the indexed articles, sorted."""
        return sorted(self._fps)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._fps

    def add(self, docs, *, refused: list[tuple[str, str]] | None = None) -> Added:
        """Fingerprint and add articles (same forms as `dedup.cluster`).  An id already in
        the index is replaced by the new version of its article; `Added` says how many ids
        were new, changed, or came again unchanged (a folder re-read every day).

        An id that differs only in case from an indexed one (``story``, ``Story``) is left
        out, as one run over the union would leave it out: appended to ``refused`` as
        (id, the indexed id), or, without that list, named in a `UserWarning`."""
        new = changed = unchanged = 0
        left_out: list[tuple[str, str]] = []
        by_key = {id_key(article_id): article_id for article_id in self._fps}
        for fp in fingerprints(docs, self.config, aliases=self.aliases):
            old = self._fps.get(fp.id)
            if old is None and by_key.setdefault(id_key(fp.id), fp.id) != fp.id:
                left_out.append((fp.id, by_key[id_key(fp.id)]))
                continue
            if old is None:
                new += 1
            elif _fp_to_json(old) == _fp_to_json(fp):
                unchanged += 1
                continue
            else:
                changed += 1
            self._fps[fp.id] = fp
            self._dirty = True
        if refused is not None:
            refused.extend(left_out)
        elif left_out:
            shown = ", ".join(f"{a!r} ({b!r} indexed)" for a, b in left_out[:5])
            warnings.warn(f"{self.path}: {len(left_out)} article ids differ only in case from indexed ids and were "
                          f"left out: {shown}{', ...' if len(left_out) > 5 else ''}; rename them "
                          "(add(docs, refused=[]) collects them)", stacklevel=2)
        return Added(new, changed, unchanged)

    def remove(self, ids) -> list[str]:
        """Take articles out of the index (withdrawn, or added by mistake); their links go
        with them, so `clusters` gives what a run over the remaining articles gives.  Returns
        the ids that were not in the index (sorted), so that a caller can say so: removing
        an id twice is not an error, as a rerun of the same command must succeed."""
        if isinstance(ids, (str, bytes)):
            raise ArticleTypeError(f"give a list of ids, not one string: remove([{ids!r}])")
        absent = []
        for article_id in dict.fromkeys(ids):
            if self._fps.pop(article_id, None) is None:
                absent.append(article_id)
            else:
                self._dirty = True
        return sorted(absent)

    def forget_before(self, day: _dt.date | str) -> Forgotten:
        """Remove the articles published before ``day`` (a `datetime.date`, or an ISO day
        ``"2025-01-31"``): an index kept as a rolling window (old events stop drawing new
        articles to them, and the index stops growing).  Articles without a publication date
        (or one that is not an ISO day) are kept, and counted, since nothing says how old
        they are."""
        if isinstance(day, str):
            try:
                day = _dt.date.fromisoformat(day.strip())
            except ValueError:
                raise ConfigError(f"forget_before({day!r}): not a day; give YYYY-MM-DD or a datetime.date") from None
        if not isinstance(day, _dt.date):
            raise ConfigError(f"forget_before needs a datetime.date or 'YYYY-MM-DD', not {type(day).__name__}")
        if isinstance(day, _dt.datetime):
            day = day.date()
        removed = undated = 0
        for article_id, fp in list(self._fps.items()):
            published = iso_day(fp.published)
            if published is None:
                undated += 1
            elif published < day:
                del self._fps[article_id]
                removed += 1
        self._dirty = self._dirty or removed > 0
        return Forgotten(removed, undated)

    def clusters(self) -> list[Cluster]:
        return cluster_fingerprints(list(self._fps.values()), self.config)

    def explain(self, a: str, b: str) -> Link:
        """Score and reasons of the link between indexed articles ``a`` and ``b``, names
        weighted by their rarity over the whole index, as `clusters` weighs them: the
        texts are not needed again."""
        missing = [x for x in (a, b) if x not in self._fps]
        if missing:
            known = ", ".join(self.ids()[:5])
            raise DedupError(f"{self.path}: no article {', '.join(map(repr, missing))} in this index of {len(self)} "
                             f"(ids look like: {known}); add it with `xlate cluster CORPUS --index {self.path}`")
        return verify(self._fps[a], self._fps[b], CorpusStats(list(self._fps.values())), self.config)

    def save(self) -> None:
        """Write the index atomically (temporary file in the same folder, then rename).  An
        index that has not changed since it was opened or saved is not written again (a
        daily job with nothing new leaves the file, and its time stamp, alone; a format-1
        file stays as it is until something changes, then is written as format 2)."""
        if self._lock is not None and self._lock.exclusive:
            # Under the update lock no other save of this index is under way: a temporary
            # file of its exact name shape is from a writer that was killed (SIGKILL, out of
            # memory).  Exact, so that `.events.idx.2024.<pid>.tmp`, another index's, stays.
            shape = re.compile(rf"\.{re.escape(self.path.name)}\.\d+\.tmp")
            for stale in self.path.parent.glob(f".{glob.escape(self.path.name)}.*.tmp"):
                if shape.fullmatch(stale.name):
                    stale.unlink(missing_ok=True)
        if not self._dirty and self.path.exists():
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        header = {
            "format": INDEX_FORMAT,
            "fingerprint": self.config.fingerprint_key(),
            "aliases": alias_digest(self.aliases),
            "count": len(self._fps),
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as raw:
                _write_columns(raw, header, [self._fps[key] for key in sorted(self._fps)])
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise DedupError(f"{self.path}: cannot write cluster index ({exc}); check the folder is writable") from exc
        except BaseException:  # Ctrl-C while writing: the old index stays, and no part-written file
            tmp.unlink(missing_ok=True)
            raise
        self._dirty = False


def _take_lock(path: Path, wait: float) -> FileLock:
    lock_path = path.with_name(path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock.take(lock_path, wait)
    except LockBusy as busy:
        if busy.holder == str(os.getpid()):
            raise IndexLockedError(
                f"{path}: this process already holds the index's update lock ({lock_path.name}): an index opened "
                "with lock=True is still open; close() it (or use a with block) before opening it again"
            ) from None
        raise IndexLockedError(
            f"{path}: another process (process {busy.holder}) is updating this index (it holds {lock_path.name}); "
            "run again when it has finished, or wait longer for it"
        ) from None
    except OSError as exc:
        not_folder = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if not_folder is not None:
            raise DedupError(f"{path}: {not_folder} is a file, not a folder; check the index path") from exc
        raise DedupError(f"{lock_path}: cannot create the index's lock file ({exc}); check the folder is writable") from exc


def _check_header(path: Path, header, config: ClusterConfig, aliases: Mapping[str, str] | None, expected: str) -> None:
    if not isinstance(header, dict) or header.get("format") != expected:
        found = header.get("format") if isinstance(header, dict) else None
        raise DedupError(f"{path}: not a cluster index (a {'gzip' if expected == _FORMAT_1 else 'zip'} file "
                         + (f"of format {found!r}" if found else "without an index header")
                         + "); check the path, or delete it to make a new index there")
    if header.get("fingerprint") != config.fingerprint_key():
        raise IncompatibleFingerprintError(
            f"{path}: made with other fingerprint settings ({_differences(header.get('fingerprint'), config.fingerprint_key())}); "
            "open it with matching settings or delete it to rebuild"
        )
    if header.get("aliases") != alias_digest(aliases):
        none = alias_digest(None)

        def which(digest) -> str:
            return "no glossary" if digest == none else f"a glossary of alias digest {digest}"

        raise IncompatibleFingerprintError(
            f"{path}: made with {which(header.get('aliases'))}, this run has {which(alias_digest(aliases))} "
            "(the glossary's name variants are part of every fingerprint); use the index's glossary or delete the "
            "index to rebuild"
        )


def _file_kind(path: str | os.PathLike[str]) -> str | None:
    """``"zip"`` (format 2), ``"gzip"`` (format 1) or ``"empty"`` by the file's first bytes;
    None for anything else, which is a wrong path, not an index to delete and rebuild.  An
    unreadable file is taken for a zip: reading it says why."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        return "zip"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    return "empty" if head == b"" else None


def _first_zip_member(path: str | os.PathLike[str]) -> str | None:
    """The name in a zip's first local file header (readable when the end of the archive,
    its directory, is missing)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(30 + 64)
    except OSError:
        return None
    if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
        return None
    size = int.from_bytes(head[26:28], "little")
    return head[30 : 30 + size].decode("utf-8", "replace")


def _read_json_lines(path: Path, config: ClusterConfig, aliases: Mapping[str, str] | None) -> dict[str, Fingerprint]:
    """A format-1 index: a gzip'd header line, then one fingerprint a JSON line."""
    fps: dict[str, Fingerprint] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        try:
            header = json.loads(fh.readline() or "null")
        except ValueError:
            header = None
        _check_header(path, header, config, aliases, _FORMAT_1)
        for line_no, line in enumerate(fh, start=2):
            try:
                fp = _fp_from_json(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise DedupError(f"{path}:{line_no}: corrupt fingerprint ({exc}); delete the index to rebuild") from exc
            fps[fp.id] = fp
    return fps


# Per-article fields stored in articles.json, as lists in id order.
_ARTICLE_FIELDS = ("id", "dates", "numbers", "lead", "lang", "published", "length")


def _write_columns(raw, header: dict, fps: list[Fingerprint]) -> None:
    """Format 2 (see the module doc) to the binary file ``raw``."""
    vocabulary = sorted({word for fp in fps for word in (*fp.entity_names, *fp.keyword_words)})
    number = {word: i for i, word in enumerate(vocabulary)}
    num_perm = len(fps[0].minhash) if fps else 0
    dims = {len(fp.embedding) for fp in fps if fp.embedding is not None}
    if len(dims) > 1 or (dims and any(fp.embedding is None for fp in fps)):
        raise DedupError("cannot save an index whose articles have embeddings of different sizes, or only some; rebuild it")
    columns = {"header.json": json.dumps(header | {"num_perm": num_perm, "embedding_dim": dims.pop() if dims else None},
                                         sort_keys=True).encode("utf-8"),
               "articles.json": json.dumps({name: [getattr(fp, name) for fp in fps] for name in _ARTICLE_FIELDS},
                                           ensure_ascii=False).encode("utf-8"),
               "vocabulary.json": json.dumps(vocabulary, ensure_ascii=False).encode("utf-8")}
    fast: dict[str, bytes] = {}  # vocabulary numbers: deflate gains 5% more at level 6, for 6x the time
    for part in ("entity", "keyword"):
        words = [getattr(fp, f"{part}_names" if part == "entity" else "keyword_words") for fp in fps]
        counts = [getattr(fp, f"{part}_counts") for fp in fps]
        fast[f"{part}.words.u4"] = np.array(list(map(number.__getitem__, chain.from_iterable(words))), dtype="<u4").tobytes()
        columns[f"{part}.counts.u4"] = np.array(list(chain.from_iterable(counts)), dtype="<u4").tobytes()
        columns[f"{part}.offsets.u8"] = np.cumsum([0, *map(len, words)], dtype="<u8").tobytes()
    stored = {"minhash.u4": np.stack([fp.minhash for fp in fps]).astype("<u4").tobytes() if fps else b""}
    embeddings = [fp.embedding for fp in fps if fp.embedding is not None]
    if embeddings:  # then every article has one (checked above)
        stored["embedding.f2"] = np.stack(embeddings).astype("<f2").tobytes()
    with zipfile.ZipFile(raw, "w") as archive:
        for level, members in ((6, columns), (1, fast)):
            for name, data in members.items():
                info = zipfile.ZipInfo(name, _ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data, compresslevel=level)
        for name, data in stored.items():  # random bits: deflate would spend time to gain nothing
            archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data)


def _read_columns(path: Path, config: ClusterConfig, aliases: Mapping[str, str] | None) -> dict[str, Fingerprint]:
    with zipfile.ZipFile(path) as archive:
        try:
            header = json.loads(archive.read("header.json"))
        except (KeyError, ValueError):
            header = None
        _check_header(path, header, config, aliases, INDEX_FORMAT)
        try:
            return _columns_to_fingerprints(archive, header)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            raise DedupError(f"{path}: corrupt cluster index ({type(exc).__name__}: {exc}); delete it to rebuild") from exc


def _columns_to_fingerprints(archive: zipfile.ZipFile, header: dict) -> dict[str, Fingerprint]:
    articles = json.loads(archive.read("articles.json"))
    n = int(header["count"])
    if any(len(articles[name]) != n for name in _ARTICLE_FIELDS):
        raise ValueError(f"articles.json does not hold {n} articles")
    vocabulary = [sys.intern(word) for word in json.loads(archive.read("vocabulary.json"))]
    minhash = np.frombuffer(archive.read("minhash.u4"), dtype="<u4").astype(np.uint32).reshape(n, int(header["num_perm"]))
    embedding = (np.frombuffer(archive.read("embedding.f2"), dtype="<f2").astype(np.float16).reshape(n, int(header["embedding_dim"]))
                 if header.get("embedding_dim") else None)
    parts = {}
    for part in ("entity", "keyword"):
        offset_array = np.frombuffer(archive.read(f"{part}.offsets.u8"), dtype="<u8")
        if len(offset_array) and (offset_array[0] != 0 or (np.diff(offset_array.astype(np.int64)) < 0).any()):
            raise ValueError(f"the {part} offsets do not run from 0 upwards")
        offsets = offset_array.tolist()
        words = [vocabulary[i] for i in np.frombuffer(archive.read(f"{part}.words.u4"), dtype="<u4").tolist()]
        counts = np.frombuffer(archive.read(f"{part}.counts.u4"), dtype="<u4").tolist()
        if len(offsets) != n + 1 or offsets[-1] != len(words) or len(counts) != len(words):
            raise ValueError(f"the {part} columns do not hold {n} articles")
        parts[part] = ([tuple(words[a:b]) for a, b in zip(offsets, offsets[1:])],
                       [tuple(counts[a:b]) for a, b in zip(offsets, offsets[1:])])
    (entity_names, entity_counts), (keyword_words, keyword_counts) = parts["entity"], parts["keyword"]
    fields = {"minhash": list(minhash), "entity_names": entity_names, "entity_counts": entity_counts,
              "keyword_words": keyword_words, "keyword_counts": keyword_counts,
              "dates": [tuple(d) for d in articles["dates"]], "numbers": [tuple(x) for x in articles["numbers"]],
              "embedding": list(embedding) if embedding is not None else [None] * n,
              **{name: articles[name] for name in ("id", "lead", "lang", "published", "length")}}
    columns = [fields[name] for name in _FINGERPRINT_FIELDS]
    return {values[0]: _fingerprint_of_fields(*values) for values in zip(*columns)}


def _differences(stored, wanted: dict) -> str:
    """``name: index X, this config Y`` for each fingerprint setting that differs."""
    stored = stored if isinstance(stored, dict) else {}
    return ", ".join(f"{key}: index {stored.get(key)!r}, this config {wanted.get(key)!r}"
                     for key in sorted(set(stored) | set(wanted)) if stored.get(key) != wanted.get(key))
