"""Verification of a candidate pair: a score in [0, 1] and the reasons behind it.

score = entity_weight * event overlap (IDF-weighted cosine over names, dates, amounts)
      + keyword_weight * keyword TF-IDF cosine
      + title_weight * fuzzy title/lead similarity (rapidfuzz, cut off below 50)
then: pairs whose day-level dates are all further apart than ``date_window_days`` are
multiplied by ``date_penalty``; other copies (MinHash Jaccard >= near_duplicate) score at
least 0.5 + J/2.  Cross-lingual pairs (both languages known and different) share few
keywords and no comparable titles: their score is mostly the event overlap
(``1 - cross_keyword_weight``), the rest the keyword cosine.
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .config import ClusterConfig
from .fingerprint import Fingerprint

__all__ = ["Link", "CorpusStats", "verify", "event_keys"]


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


def event_keys(fp: Fingerprint) -> list[tuple[str, float]]:
    """(key, term weight) of an article's event signature: entities, dates, amounts."""
    keys = [(name, 1.0 + math.log(count)) for name, count in fp.entities]
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
            keys.append((key, 1.0))
    keys.extend(("num:" + n, 1.0) for n in fp.numbers)
    return keys


class CorpusStats:
    """Document frequencies of event keys and keywords over the whole corpus (for IDF)."""

    def __init__(self, fingerprints: Sequence[Fingerprint]):
        self.n_docs = len(fingerprints)
        event_df: dict[str, int] = {}
        keyword_df: dict[str, int] = {}
        for fp in fingerprints:
            for key, _ in event_keys(fp):
                event_df[key] = event_df.get(key, 0) + 1
            for word, _ in fp.keywords:
                keyword_df[word] = keyword_df.get(word, 0) + 1
        self.event_df = event_df
        self.keyword_df = keyword_df

    def idf(self, df: int) -> float:
        return max(0.0, math.log((self.n_docs + 1.0) / (df + 0.5)))

    def event_vector(self, fp: Fingerprint) -> dict[str, float]:
        return {k: w * self.idf(self.event_df.get(k, 0)) for k, w in event_keys(fp)}

    def keyword_vector(self, fp: Fingerprint) -> dict[str, float]:
        return {w: (1.0 + math.log(c)) * self.idf(self.keyword_df.get(w, 0)) for w, c in fp.keywords}


def _cosine(a: dict[str, float], b: dict[str, float], unit: bool = False) -> tuple[float, list[tuple[str, float]]]:
    if len(a) > len(b):
        a, b = b, a
    shared = [(k, x * b[k]) for k, x in a.items() if k in b]
    if not shared:
        return 0.0, []
    if unit:  # unit vectors (precomputed by the clustering loop): cosine is the dot product
        return sum(x for _, x in shared), shared
    na = math.sqrt(sum(x * x for x in a.values()))
    nb = math.sqrt(sum(x * x for x in b.values()))
    if na == 0 or nb == 0:
        return 0.0, shared
    return sum(x for _, x in shared) / (na * nb), shared


def _day_dates(dates: Sequence[str]) -> list[tuple[int | None, int, int]]:
    out = []
    for d in dates:
        if len(d) == 10 and d[4] == "-" and not d.startswith("--"):
            out.append((int(d[:4]), int(d[5:7]), int(d[8:10])))
        elif d.startswith("--"):
            out.append((None, int(d[2:4]), int(d[5:7])))
    return out


def _distance(x: tuple[int | None, int, int], y: tuple[int | None, int, int]) -> int:
    try:
        if x[0] is not None and y[0] is not None:
            return abs((_dt.date(*x) - _dt.date(*y)).days)  # type: ignore[arg-type]
        # Year unknown on one side: compare within a leap year, around the year end too.
        dx = _dt.date(2000, x[1], x[2]).toordinal()
        dy = _dt.date(2000, y[1], y[2]).toordinal()
    except ValueError:
        return 0  # 29 February of a non-leap year: do not veto on a malformed date
    d = abs(dx - dy)
    return min(d, 366 - d)


def date_gap(a: Sequence[str], b: Sequence[str]) -> int | None:
    """Days between the closest day-level dates of two articles; None if either has none."""
    da, db = _day_dates(a), _day_dates(b)
    if not da or not db:
        return None
    return min(_distance(x, y) for x in da for y in db)


def _title_similarity(a: str, b: str) -> float:
    from rapidfuzz import fuzz  # lazy: C extension

    if not a or not b:
        return 0.0
    # token_set_ratio on <= 240-char leads: word order free, fast; below 50 is noise.
    ratio = fuzz.token_set_ratio(a, b, score_cutoff=50)
    return max(0.0, (ratio - 50.0) / 50.0)


def _label(key: str) -> str:
    return key


def verify(
    a: Fingerprint,
    b: Fingerprint,
    stats: CorpusStats,
    config: ClusterConfig,
    *,
    vectors: tuple[dict, dict, dict, dict] | None = None,
) -> Link:
    """Score one pair and say why.  ``vectors`` may carry precomputed unit-length IDF vectors
    (event a, event b, keywords a, keywords b)."""
    unit = vectors is not None
    if vectors is None:
        ea, eb = stats.event_vector(a), stats.event_vector(b)
        ka, kb = stats.keyword_vector(a), stats.keyword_vector(b)
    else:
        ea, eb, ka, kb = vectors
    event_score, shared_events = _cosine(ea, eb, unit)
    cross = bool(a.lang and b.lang and a.lang != b.lang)
    if cross:
        # Other languages share few keywords, but those they share (names the entity
        # extractor missed, codes, CJK-free Latin tokens) are telling; titles are not comparable.
        keyword_score, shared_keywords = _cosine(ka, kb, unit)
        title_score = 0.0
        score = (1.0 - config.cross_keyword_weight) * event_score + config.cross_keyword_weight * keyword_score
    else:
        keyword_score, shared_keywords = _cosine(ka, kb, unit)
        title_score = _title_similarity(a.lead, b.lead)
        score = (
            config.entity_weight * event_score
            + config.keyword_weight * keyword_score
            + config.title_weight * title_score
        )
    embedding_cosine = None
    if a.embedding is not None and b.embedding is not None:
        from .embed import embedding_score

        embedding_cosine, embedded = embedding_score(a.embedding, b.embedding, config.embedding_floor)
        score = (1.0 - config.embedding_weight) * score + config.embedding_weight * embedded
    jaccard = float(np.count_nonzero(a.minhash == b.minhash)) / len(a.minhash) if len(a.minhash) == len(b.minhash) else 0.0
    near_duplicate = jaccard >= config.near_duplicate
    gap = date_gap(a.dates, b.dates)
    # Copies share their dates; a "copy" whose dates are all far apart is a recurring
    # template (weekly report, same press release a month later): a different event.
    date_conflict = gap is not None and gap > config.date_window_days
    if date_conflict:
        score *= config.date_penalty
    elif near_duplicate:
        score = max(score, 0.5 + 0.5 * jaccard)
    score = min(1.0, score)
    shared_events.sort(key=lambda kv: (-kv[1], kv[0]))
    shared_keywords.sort(key=lambda kv: (-kv[1], kv[0]))
    reasons: dict[str, Any] = {
        "entities": [k for k, _ in shared_events if not k.startswith(("date:", "num:"))][:12],
        "dates": sorted(k[5:] for k, _ in shared_events if k.startswith("date:")),
        "numbers": sorted(k[4:] for k, _ in shared_events if k.startswith("num:"))[:12],
        "keywords": [k for k, _ in shared_keywords][:12],
        "scores": {
            "event": round(event_score, 4),
            "keywords": round(keyword_score, 4),
            "title": round(title_score, 4),
            "minhash_jaccard": round(jaccard, 4),
            **({"embedding_cosine": round(embedding_cosine, 4)} if embedding_cosine is not None else {}),
        },
        "date_gap_days": gap,
        "date_conflict": date_conflict,
        "near_duplicate": near_duplicate,
        "cross_lingual": cross,
    }
    if a.id > b.id:
        a, b = b, a
    return Link(a=a.id, b=b.id, score=round(score, 6), linked=score >= config.min_link, reasons=reasons)
