"""Verification of a candidate pair: a score in [0, 1] and the reasons behind it.

score = entity_weight * event overlap (IDF-weighted cosine over names, dates, amounts)
      + keyword_weight * keyword TF-IDF cosine
      + title_weight * fuzzy title/lead similarity (character trigrams, see `lead_similarity`)
then: pairs whose day-level dates are all further apart than ``date_window_days`` are
multiplied by ``date_penalty``, pairs published further apart than
``published_window_days`` (both publication dates known; copies excepted: a syndicated
text reprinted later is still the one story) by ``published_penalty``; other copies
(MinHash Jaccard >= near_duplicate) score at least 0.5 + J/2.  Cross-lingual pairs (both languages known and different) share few
keywords and no comparable titles: their score is mostly the event overlap
(``1 - cross_keyword_weight``), the rest the keyword cosine.  With embeddings, the pairs
``embedding_pairs`` names (by default the cross-lingual ones) score
``(1 - embedding_weight) * score + embedding_weight * rescaled e5 cosine`` before the date
and copy rules.
"""
from __future__ import annotations

import datetime as _dt
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._threads import map_threads
from .config import ClusterConfig
from .entities import iso_day
from .fingerprint import KEYWORD_PREFIX, Fingerprint
from .reasons import describe_reasons

__all__ = [
    "Link", "CorpusStats", "PairScorer", "PairScores", "verify", "event_keys", "event_terms", "lead_bits", "lead_similarity",
]


@dataclass
class Link:
    """A verified pair: ``linked`` says whether it may join a cluster (score >= min_link)."""

    a: str
    b: str
    score: float
    linked: bool
    reasons: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": round(self.score, 4), "linked": self.linked, "reasons": self.reasons}

    def describe(self) -> str:
        """The pair, its score and its reasons in words (what `xlate explain` prints)."""
        verdict = "a link" if self.linked else "no link: below min_link"
        lines = [f"{self.a} <-> {self.b}: score {self.score:.3f} ({verdict})"]
        return "\n".join(lines + ["  " + line for line in describe_reasons(self.reasons)])


def event_terms(fp: Fingerprint) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(keys, counts) of an article's event signature: entities with their counts, then
    dates and amounts (count 1).  A key's term weight is 1 + log(count)."""
    names, counts = fp.entity_names, fp.entity_counts
    extra = []
    seen = set()
    for date in fp.dates:
        # Month-day (or year-month) only: a year given in one article and guessed in the
        # other must not hide a shared date; far-apart years are caught by the date gap.
        if date.startswith("--"):
            key = "date:" + date
        elif len(date) == 10:
            key = "date:--" + date[5:]
        else:
            key = "date:" + date
        if key not in seen:
            seen.add(key)
            extra.append(key)
    extra.extend(["num:" + n for n in fp.numbers])
    return names + tuple(extra), counts + (1,) * len(extra)


def event_keys(fp: Fingerprint) -> list[tuple[str, float]]:
    """(key, term weight) of an article's event signature: entities, dates, amounts."""
    keys, counts = event_terms(fp)
    return [(key, 1.0 + math.log(count)) for key, count in zip(keys, counts)]


def keyword_keys(fp: Fingerprint) -> list[str]:
    """The keys an article's keywords are compared and counted by (`fingerprint.keyword_key`;
    distinct within an article, which merged the words sharing one)."""
    return [word[:KEYWORD_PREFIX] for word in fp.keyword_words]


def _keyword_word(fp: Fingerprint, key: str) -> str:
    """The keyword of ``fp`` that ``key`` stands for (keywords are sorted, and one of them has
    the key: the first word not below the key)."""
    words = fp.keyword_words
    return words[bisect_left(words, key)]


def _keyword_pair(a: Fingerprint, b: Fingerprint, key: str) -> str:
    """A shared keyword as a reason: the word, or ``word_a/word_b`` where the two articles
    wrote it differently (``election/elections``: compared by `keyword_key`), the article
    with the smaller id first, as in the link."""
    if len(key) < KEYWORD_PREFIX:
        return key  # a word shorter than the prefix is its own key, in both articles
    if a.id > b.id:
        a, b = b, a
    word_a, word_b = _keyword_word(a, key), _keyword_word(b, key)
    return word_a if word_a == word_b else f"{word_a}/{word_b}"


def _keyword_counts(fp: Fingerprint) -> tuple[list[str], tuple[int, ...]]:
    return keyword_keys(fp), fp.keyword_counts


class CorpusStats:
    """Document frequencies of event keys and keywords over the whole corpus (for IDF)."""

    def __init__(self, fingerprints: Sequence[Fingerprint]):
        self.n_docs = len(fingerprints)
        event_df: dict[str, int] = {}
        keyword_df: dict[str, int] = {}
        for fp in fingerprints:
            for key in event_terms(fp)[0]:
                event_df[key] = event_df.get(key, 0) + 1
            for key in keyword_keys(fp):
                keyword_df[key] = keyword_df.get(key, 0) + 1
        self.event_df = event_df
        self.keyword_df = keyword_df


def _idf(n_docs: int, df: np.ndarray) -> np.ndarray:
    """IDF of document frequencies: log((n + 1) / (df + 0.5)), never below 0."""
    return np.maximum(0.0, np.log((n_docs + 1.0) / (df + 0.5)))


def _shared_keys(matrix, keys: Sequence[str], i: np.ndarray, j: np.ndarray) -> list[list[str]]:
    """For each pair (i[k], j[k]), the keys its two rows of a `_unit_idf_rows` matrix share,
    largest product first (the reasons of a link: the products sum to the pair's cosine),
    ties by key.  All pairs in a few array passes: per pair, numpy calls cost more than
    the work."""
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    width = max(1, matrix.shape[1])

    def entries(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # (pair * width + column, position in the matrix) of every entry of the rows.
        sizes = indptr[rows + 1] - indptr[rows]
        at = np.repeat(indptr[rows] - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        return np.repeat(np.arange(len(rows), dtype=np.int64), sizes) * width + indices[at].astype(np.int64), at

    code_i, at_i = entries(i)
    code_j, at_j = entries(j)
    # A row holds a column once, so a code present on both sides is a shared key.
    common, where_i, where_j = np.intersect1d(code_i, code_j, assume_unique=True, return_indices=True)
    products = data[at_i[where_i]] * data[at_j[where_j]]
    pair, column = common // width, common % width
    # Columns are in key order, so sorting on the column breaks ties by key.
    order = np.lexsort((column, -products, pair))
    column = column[order].tolist()
    bounds = np.searchsorted(pair[order], np.arange(len(i) + 1)).tolist()
    return [[keys[c] for c in column[bounds[k] : bounds[k + 1]]] for k in range(len(i))]


def _day_dates(dates: Sequence[str]) -> list[tuple[int | None, int, int]]:
    out: list[tuple[int | None, int, int]] = []
    for d in dates:
        if len(d) == 10 and d[4] == "-" and not d.startswith("--"):
            out.append((int(d[:4]), int(d[5:7]), int(d[8:10])))
        elif d.startswith("--"):
            out.append((None, int(d[2:4]), int(d[5:7])))
    return out


# Pairs scored per numpy step: bounds the temporary row copies (~100 MB at 64 keys a row).
_CHUNK = 100_000
# Date tables: day ordinals of "no date here" and of a date that does not exist (29 Feb of
# a common year): a pair with such a date is put at distance 0 rather than vetoed.
_NO_DATE, _BAD_DATE = -(1 << 40), -(1 << 41)


def _unit_idf_rows(rows: Iterable[tuple[Sequence[str], Sequence[int]]], df: dict[str, int] | None, n_docs: int):
    """(CSR matrix, column keys, column IDF) of unit-length rows from (keys, counts) per
    row: each entry is (1 + log count) x IDF of the key's document frequency in ``df`` (a
    repeated key: the last wins).  ``df=None``: the rows are the corpus, and a key's
    document frequency is the number of times the rows list it (as `CorpusStats` counts).

    Columns are in key order, so a pair's dot product sums in the same order whichever
    subset of the corpus the matrix was built from: the Ray executor scores per block and
    must match a local run bit for bit."""
    from scipy import sparse  # lazy: a datasketch dependency, heavy to import

    from array import array

    # Each new key gets the next column number (a missing key's default is the dict's size).
    column: defaultdict[str, int] = defaultdict()
    column.default_factory = column.__len__
    # Typed arrays, not lists: at a million articles a list of Python numbers per entry
    # would hold several GB.
    code_buf, count_buf, length_buf = array("q"), array("q"), array("q")
    for keys, row_counts in rows:
        code_buf.extend(map(column.__getitem__, keys))
        count_buf.extend(row_counts)
        length_buf.append(len(keys))
    n_rows = len(length_buf)
    lengths = np.frombuffer(length_buf, dtype=np.int64) if n_rows else np.zeros(0, dtype=np.int64)
    codes = np.frombuffer(code_buf, dtype=np.int64) if len(code_buf) else np.zeros(0, dtype=np.int64)
    vocab = list(column)
    order = np.asarray(sorted(range(len(vocab)), key=vocab.__getitem__), dtype=np.int64)
    rank = np.empty(len(vocab), dtype=np.int64)
    rank[order] = np.arange(len(vocab), dtype=np.int64)
    if df is None:
        doc_freq = np.bincount(codes, minlength=len(vocab))[order].astype(np.float64)
    else:
        doc_freq = np.fromiter((df.get(vocab[c], 0) for c in order.tolist()), dtype=np.float64, count=len(vocab))
    idf = _idf(n_docs, doc_freq)
    cols = rank[codes]
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    width = max(1, len(vocab))
    # Last occurrence of each (row, column), in (row, column) order.
    cell = row_of * width + cols
    _, last_from_end = np.unique(cell[::-1], return_index=True)
    keep = len(cell) - 1 - last_from_end
    cols, row_of = cols[keep], row_of[keep]
    weights = 1.0 + np.log(np.frombuffer(count_buf, dtype=np.int64)[keep].astype(np.float64)) if len(count_buf) else np.zeros(0)
    values = weights * idf[cols]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of, minlength=n_rows), out=indptr[1:])
    lengths = np.diff(indptr)
    norms = np.zeros(n_rows)
    filled = np.flatnonzero(lengths)
    if len(filled):
        norms[filled] = np.sqrt(np.add.reduceat(values * values, indptr[filled]))
    scale = np.repeat(np.where(norms > 0, norms, 1.0), lengths)
    return sparse.csr_matrix((values / scale, cols, indptr), shape=(n_rows, width)), [vocab[c] for c in order.tolist()], idf


# Title/lead similarity.  Each lead (the sorted distinct words of title + lead, see
# `Fingerprint.lead`) becomes the set of its within-word byte trigrams (`` wo``, ``wor``,
# ``ord``, ``rd ``), hashed into LEAD_BITS bits; two leads compare by the overlap of their bit
# sets less what two random sets of those sizes share by chance, so identical leads score 1
# and unrelated ones about 0.  Like token_set_ratio (which it replaced) it forgives word order
# and inflections (``libération`` / ``libéré``), and at 2.0M pairs it costs 0.3 s where
# rapidfuzz's cpdist took 10 CPU-s.  A 240-character lead has ~170 trigrams: 2048 bits keep
# chance collisions to ~14, which the correction removes on average.
LEAD_BITS = 2048
# Similarities below this are noise: 90% of the pairs of French articles on unrelated topics
# (rpm2-dev, other topic) score under it, mostly by sharing function words (`` de``, ``es ``).
LEAD_FLOOR = 0.26
_LEAD_BLOCK = 20_000  # leads hashed per numpy pass: bounds the per-byte temporaries


def lead_bits(leads: Sequence[str]) -> np.ndarray:
    """uint64[len(leads), LEAD_BITS // 64]: the hashed trigram set of each lead (see above)."""
    out = np.zeros((len(leads), LEAD_BITS // 8), dtype=np.uint8)
    shift = np.uint32(32 - (LEAD_BITS.bit_length() - 1))
    for s in range(0, len(leads), _LEAD_BLOCK):
        encoded = [f" {lead} ".encode("utf-8") for lead in leads[s : s + _LEAD_BLOCK]]
        sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        joined = b"".join(encoded)
        padded = joined + bytes(4)
        total = len(joined)
        ends = np.repeat(np.cumsum(sizes), sizes)
        # A trigram lies inside its lead, and its middle byte is not a space (not across words).
        middle = np.frombuffer(padded, dtype=np.uint8, count=total, offset=1)
        inside = np.flatnonzero((np.arange(3, total + 3, dtype=np.int64) <= ends) & (middle != 32))
        # Bytes p..p+2 as one number: an unaligned 4-byte view of the buffer, top byte masked.
        windows = np.ndarray((total,), dtype="<u4", buffer=padded, strides=(1,))
        trigram = windows[inside] & np.uint32(0xFFFFFF)
        # Fibonacci hashing: the top bits of a 32-bit multiply (wraps the same everywhere).
        bit = ((trigram * np.uint32(0x9E3779B1)) >> shift).astype(np.int64)
        row = np.repeat(np.arange(len(encoded), dtype=np.int64), sizes)[inside]
        present = np.zeros((len(encoded), LEAD_BITS), dtype=bool)
        present[row, bit] = True
        out[s : s + len(encoded)] = np.packbits(present, axis=1)
    return out.view(np.uint64)


def lead_similarity(bits: np.ndarray, counts: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Chance-corrected overlap of the trigram sets of pairs (i[k], j[k]), rescaled from
    LEAD_FLOOR..1 to 0..1.  ``bits`` from `lead_bits`, ``counts`` its bits set per row."""
    shared = np.bitwise_count(bits[i] & bits[j]).sum(axis=1, dtype=np.int64).astype(np.float64)
    a, b = counts[i], counts[j]
    chance = a * b / LEAD_BITS
    room = np.sqrt(a * b) - chance  # > 0 unless a side is empty (or every bit is set)
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = np.where(room > 0, np.maximum(0.0, shared - chance) / room, 0.0)
    return np.maximum(0.0, (similarity - LEAD_FLOOR) / (1.0 - LEAD_FLOOR))


def _row_dots(matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    if len(i) == 0:
        return np.zeros(0)
    return np.asarray(matrix[i].multiply(matrix[j]).sum(axis=1)).ravel()


def _date_table(fps: Sequence[Fingerprint]) -> tuple[np.ndarray, np.ndarray]:
    """(full ordinals, day of a leap year) per article, padded with _NO_DATE."""
    rows = [_day_dates(f.dates) for f in fps]
    width = max((len(r) for r in rows), default=0)
    full = np.full((len(fps), max(1, width)), _NO_DATE, dtype=np.int64)
    day = np.full((len(fps), max(1, width)), _NO_DATE, dtype=np.int64)
    for r, dates in enumerate(rows):
        for c, (year, month, dom) in enumerate(dates):
            try:
                day[r, c] = _dt.date(2000, month, dom).toordinal()
            except ValueError:
                day[r, c] = _BAD_DATE
            if year is None:
                continue
            try:
                full[r, c] = _dt.date(year, month, dom).toordinal()
            except ValueError:
                full[r, c] = _BAD_DATE
    return full, day


def _published_ordinals(fps: Sequence[Fingerprint]) -> np.ndarray:
    """Day ordinal of each article's publication date (``YYYY-MM-DD...``), else _NO_DATE
    (none, or not a calendar day: unknown, never a reason to split)."""
    days = [iso_day(f.published) for f in fps]
    return np.array([_NO_DATE if d is None else d.toordinal() for d in days], dtype=np.int64)


def _date_gaps(full: np.ndarray, day: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Days between the closest day-level dates of each pair (float; NaN where either
    article has none).  Both years known: calendar days; otherwise days within a leap year,
    around the year end too."""
    gaps = np.full(len(i), np.nan)
    dated = np.flatnonzero((day[i, 0] != _NO_DATE) & (day[j, 0] != _NO_DATE))
    width = full.shape[1]
    step = max(1, 4_000_000 // (width * width))  # bounds the (pairs, width, width) temporaries
    for s in range(0, len(dated), step):
        rows = dated[s : s + step]
        a, b = i[rows], j[rows]
        fa, fb = full[a][:, :, None], full[b][:, None, :]
        da, db = day[a][:, :, None], day[b][:, None, :]
        present = (da != _NO_DATE) & (db != _NO_DATE)
        # A date that does not exist puts the pair at 0 days: never veto on a malformed date.
        bad = (da == _BAD_DATE) | (db == _BAD_DATE)
        bad |= (fa == _BAD_DATE) & (fb != _NO_DATE) | (fb == _BAD_DATE) & (fa != _NO_DATE)
        circular = np.abs(da - db)
        circular = np.minimum(circular, 366 - circular)
        distance = np.where((fa != _NO_DATE) & (fb != _NO_DATE), np.abs(fa - fb), circular)
        distance = np.where(bad, 0, distance)
        distance = np.where(present, distance, np.iinfo(np.int64).max)
        gaps[rows] = distance.reshape(len(rows), -1).min(axis=1)
    return gaps


@dataclass
class PairScores:
    """Scores of many pairs, arrays aligned with the pairs: what `verify` says of one."""

    score: np.ndarray
    linked: np.ndarray  # score >= min_link
    event: np.ndarray
    keywords: np.ndarray
    title: np.ndarray
    jaccard: np.ndarray
    gap: np.ndarray  # days; NaN where a side has no day-level date
    published_gap: np.ndarray  # days between publication dates; NaN where a side has none
    dates_apart: np.ndarray  # the closest dates are further apart than date_window_days
    published_apart: np.ndarray  # published further apart than published_window_days (copies excepted)
    cross: np.ndarray
    embedding: np.ndarray | None  # cosine; NaN where not mixed in (a side has none, or config.embedding_pairs excludes the pair)

    @classmethod
    def concatenate(cls, parts: Sequence[PairScores]) -> PairScores:
        fields: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            arrays = [getattr(p, name) for p in parts]
            fields[name] = None if arrays[0] is None else np.concatenate(arrays)
        return cls(**fields)


class PairScorer:
    """Scores candidate pairs of a set of fingerprints with array arithmetic.

    Scoring pair by pair in Python (dict cosines, a fuzzy title call, date loops) cost about
    40 µs a pair; here sparse row products (scipy), trigram bit sets and a padded date
    table do the same arithmetic for a chunk of pairs at once.  `link` then writes the
    reasons of the few pairs that need them (links shown inside clusters).
    """

    def __init__(self, fps: Sequence[Fingerprint], stats: CorpusStats | None, config: ClusterConfig):
        """``stats``: document frequencies of the corpus the pairs come from; ``None`` when
        that corpus is ``fps`` (then they are counted off the rows built here, in one pass)."""
        self.fps = list(fps)
        self.config = config
        n_docs = len(self.fps) if stats is None else stats.n_docs
        self.event_rows, self._event_keys, self.event_idf = _unit_idf_rows(
            map(event_terms, self.fps), None if stats is None else stats.event_df, n_docs
        )
        self._keyword, self._keyword_keys, _ = _unit_idf_rows(
            map(_keyword_counts, self.fps), None if stats is None else stats.keyword_df, n_docs
        )
        sizes = {len(f.minhash) for f in self.fps}
        self._minhash = np.stack([f.minhash for f in self.fps]) if len(sizes) == 1 else None
        codes: dict[str, int] = {}
        # "und": langid found no letters to read, as unknown as no language at all.
        self._lang = np.array([codes.setdefault(f.lang, len(codes)) if f.lang and f.lang != "und" else -1 for f in self.fps],
                              dtype=np.int64)
        self._lead_bits = lead_bits([f.lead for f in self.fps])
        self._lead_counts = np.bitwise_count(self._lead_bits).sum(axis=1, dtype=np.int64).astype(np.float64)
        self._full_dates, self._day_dates = _date_table(self.fps)
        self._published = _published_ordinals(self.fps)
        has = [f.embedding is not None for f in self.fps]
        self._has_embedding = np.array(has, dtype=bool)
        self._embedding: np.ndarray | None
        if any(has):
            dim = next(len(f.embedding) for f in self.fps if f.embedding is not None)
            self._embedding = np.stack(
                [f.embedding.astype(np.float32) if f.embedding is not None else np.zeros(dim, np.float32) for f in self.fps]
            )
        else:
            self._embedding = None

    def score(self, i: np.ndarray, j: np.ndarray) -> PairScores:
        """Scores of the pairs (i[k], j[k]) (row positions in ``fps``)."""
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        starts = range(0, max(len(i), 1), _CHUNK)
        # Chunks on ``workers`` threads: most of a chunk's time is in numpy and scipy passes
        # that release the GIL (2.0M pairs: 3.2 s on one thread, 1.9 s on two).
        parts = map_threads(lambda s: self._score_chunk(i[s : s + _CHUNK], j[s : s + _CHUNK]), starts, self.config.workers)
        return PairScores.concatenate(parts)

    def _score_chunk(self, i: np.ndarray, j: np.ndarray) -> PairScores:
        config = self.config
        event = _row_dots(self.event_rows, i, j)
        keywords = _row_dots(self._keyword, i, j)
        li, lj = self._lang[i], self._lang[j]
        cross = (li >= 0) & (lj >= 0) & (li != lj)
        # Titles in two languages are not comparable character by character.
        title = np.where(cross, 0.0, lead_similarity(self._lead_bits, self._lead_counts, i, j))
        score = np.where(
            cross,
            (1.0 - config.cross_keyword_weight) * event + config.cross_keyword_weight * keywords,
            config.entity_weight * event + config.keyword_weight * keywords + config.title_weight * title,
        )
        embedding = None
        if self._embedding is not None:
            both = self._has_embedding[i] & self._has_embedding[j]
            if config.embedding_pairs == "cross-lingual":
                both &= cross
            embedding = np.einsum("ij,ij->i", self._embedding[i], self._embedding[j]).astype(np.float64)
            embedding[~both] = np.nan  # not part of the score: not a reason either
            from .embed import embedding_score

            scaled = embedding_score(embedding, config.embedding_floor)
            score = np.where(both, (1.0 - config.embedding_weight) * score + config.embedding_weight * scaled, score)
        if self._minhash is not None:
            jaccard = np.count_nonzero(self._minhash[i] == self._minhash[j], axis=1) / self._minhash.shape[1]
        else:
            jaccard = np.array([
                np.count_nonzero(self.fps[a].minhash == self.fps[b].minhash) / len(self.fps[a].minhash)
                if len(self.fps[a].minhash) == len(self.fps[b].minhash) else 0.0
                for a, b in zip(i.tolist(), j.tolist())
            ], dtype=np.float64)
        near_duplicate = jaccard >= config.near_duplicate
        gap = _date_gaps(self._full_dates, self._day_dates, i, j)
        pa, pb = self._published[i], self._published[j]
        published_gap = np.where((pa != _NO_DATE) & (pb != _NO_DATE), np.abs(pa - pb), np.nan)
        # Copies share their dates; a "copy" whose dates are all far apart is a recurring
        # template (weekly report, same press release a month later): a different event.
        # Publication dates alone do not split copies: a syndicated text reprinted weeks
        # later is still the one story.  They split the rest: the same subject a month on
        # (a trial's verdict after its opening) shares names and topic words, not the event.
        with np.errstate(invalid="ignore"):
            dates_apart = gap > config.date_window_days
            published_apart = (published_gap > config.published_window_days) & ~near_duplicate
        factor = np.where(dates_apart, config.date_penalty, 1.0) * np.where(published_apart, config.published_penalty, 1.0)
        score = np.where(dates_apart | published_apart, score * factor,
                         np.where(near_duplicate, np.maximum(score, 0.5 + 0.5 * jaccard), score))
        score = np.round(np.minimum(1.0, score), 6)
        return PairScores(score=score, linked=score >= config.min_link, event=event, keywords=keywords, title=title,
                          jaccard=jaccard, gap=gap, published_gap=published_gap, dates_apart=dates_apart,
                          published_apart=published_apart, cross=cross, embedding=embedding)

    def link(self, i: int, j: int, scores: PairScores, k: int) -> Link:
        """The `Link` of pair ``k`` of ``scores`` (articles ``i``, ``j``), with its reasons."""
        return self.links([i], [j], scores, [k])[0]

    def links(self, i: Sequence[int] | np.ndarray, j: Sequence[int] | np.ndarray, scores: PairScores,
              k: Sequence[int] | np.ndarray) -> list[Link]:
        """`link` of many pairs: pair ``k[n]`` of ``scores`` (articles ``i[n]``, ``j[n]``)."""
        i, j, k = (np.asarray(x, dtype=np.int64).reshape(-1) for x in (i, j, k))
        shared_events = _shared_keys(self.event_rows, self._event_keys, i, j)
        shared_keywords = [
            [_keyword_pair(self.fps[a], self.fps[b], key) for key in keys[:12]]
            for a, b, keys in zip(i.tolist(), j.tolist(), _shared_keys(self._keyword, self._keyword_keys, i, j))
        ]
        config = self.config
        # Plain Python numbers of the pairs' scores, once (numpy scalars cost per access).
        gaps = scores.gap[k].tolist()
        published_gaps = scores.published_gap[k].tolist()
        dates_apart = scores.dates_apart[k].tolist()
        published_apart = scores.published_apart[k].tolist()
        jaccards = scores.jaccard[k].tolist()
        cosines = scores.embedding[k].tolist() if scores.embedding is not None else [math.nan] * len(k)
        totals = scores.score[k].tolist()
        parts = [
            [round(x, 4) for x in values]  # Python's round: correctly rounded, as reasons always were
            for values in np.stack([scores.event[k], scores.keywords[k], scores.title[k], scores.jaccard[k]], axis=1).tolist()
        ]
        cross = scores.cross[k].tolist()
        ids = [self.fps[x].id for x in i.tolist()], [self.fps[x].id for x in j.tolist()]
        out = []
        for n, events in enumerate(shared_events):
            gap, jaccard, cosine, score = gaps[n], jaccards[n], cosines[n], totals[n]
            gap_days = None if math.isnan(gap) else int(gap)
            published_days = None if math.isnan(published_gaps[n]) else int(published_gaps[n])
            event, keywords, title, rounded_jaccard = parts[n]
            # One pass over the shared keys (many, for a pair of long articles).
            entities: list[str] = []
            dates: list[str] = []
            numbers: list[str] = []
            for key in events:
                if key.startswith("date:"):
                    dates.append(key[5:])
                elif key.startswith("num:"):
                    numbers.append(key[4:])
                elif len(entities) < 12:
                    entities.append(key)
            reasons: dict[str, Any] = {
                "entities": entities,
                "dates": sorted(dates),
                "numbers": sorted(numbers)[:12],
                "keywords": shared_keywords[n],
                "scores": {
                    "event": event,
                    "keywords": keywords,
                    "title": title,
                    "minhash_jaccard": rounded_jaccard,
                    **({"embedding_cosine": round(cosine, 4)} if not math.isnan(cosine) else {}),
                },
                "date_gap_days": gap_days,
                "date_conflict": dates_apart[n],  # the rules the score applied, not restated here
                "published_gap_days": published_days,
                "published_conflict": published_apart[n],
                "near_duplicate": jaccard >= config.near_duplicate,
                "cross_lingual": cross[n],
            }
            id_a, id_b = ids[0][n], ids[1][n]
            if id_a > id_b:
                id_a, id_b = id_b, id_a
            out.append(Link(a=id_a, b=id_b, score=score, linked=score >= config.min_link, reasons=reasons))
        return out


def verify(a: Fingerprint, b: Fingerprint, stats: CorpusStats, config: ClusterConfig) -> Link:
    """Score one pair and say why (the same arithmetic as a corpus run: `PairScorer`)."""
    scorer = PairScorer([a, b], stats, config)
    scores = scorer.score(np.array([0]), np.array([1]))
    return scorer.link(0, 1, scores, 0)
