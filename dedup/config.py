"""`ClusterConfig`: every knob of same-event clustering, validated, hashable, signed."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any

from .errors import ConfigError

__all__ = ["ClusterConfig", "lsh_params", "candidate_probability", "CLUSTER_VERSION", "FINGERPRINT_VERSION"]

# Bump when scores or clusters change meaning: it is part of every result's signature.
CLUSTER_VERSION = "0.6"  # 0.6: keywords compared by prefix, empty texts nobody's copies (fingerprint 0.6)
# Bump when fingerprints change meaning: an index made by another version is refused.  Kept
# apart from CLUSTER_VERSION so that a scoring change does not force an index rebuild.
FINGERPRINT_VERSION = "0.6"  # 0.6: keyword variants merged by prefix; 0.5: languages identified while fingerprinting


# Values of ClusterConfig.embedding_pairs.
EMBEDDING_PAIRS = ("cross-lingual", "all")

# Recall the LSH bands must reach for a pair exactly at `near_duplicate`.
LSH_MIN_RECALL = 0.99


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that two sets of Jaccard ``jaccard`` share at least one LSH band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int, min_recall: float = LSH_MIN_RECALL) -> tuple[int, int]:
    """(bands, rows) that find a pair of Jaccard ``threshold`` with probability >= ``min_recall``.

    Recall first: a missed copy is never verified, while an extra candidate only costs one
    verification.  Every permutation is used (``bands = num_perm // rows``: more bands only
    add recall) and, of the row counts that reach ``min_recall``, the largest is taken (the
    steepest curve, so the fewest candidates below the threshold).  datasketch's default
    criterion (equal false-positive and false-negative areas) puts the 50% point near the
    threshold instead: with 128 permutations at 0.5 it picks 25x5, which finds only 55% of
    pairs at Jaccard 0.5 and missed 42% of the planted copies in bench/bench_cluster_speed.py.
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if candidate_probability(threshold, bands, rows) >= min_recall:
            best = (bands, rows)
    return best


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise ConfigError(message)


@dataclass(frozen=True)
class ClusterConfig:
    """How articles are fingerprinted, paired, verified and grouped.

    threshold: average link score (0..1) two groups need to be merged; raise it to split
        more, lower it to merge more.
    near_duplicate: MinHash Jaccard of content shingles above which two articles are
        copies of one text (syndication); also the threshold the LSH bands are tuned for.
    num_perm: MinHash permutations (more: finer Jaccard estimates, more memory).
    shingle_chars: length of the word-anchored character shingles fingerprinted.
    entity_weight, keyword_weight, title_weight: how the verified score mixes IDF-weighted
        entity overlap, keyword (TF-IDF) cosine and fuzzy title/lead similarity; they must
        sum to 1.  Keywords weigh most: on SemEval-2022 pairs a 0.3/0.5/0.2 mix ranks
        same-event pairs better than entity-heavy mixes (bench/eval_cluster.py).
    cross_keyword_weight: share of the keyword cosine in the score of a cross-lingual
        pair (the rest is the event overlap).
    identify_languages: an article given without a language gets the one `dedup.langid`
        finds in its text (py3langid's model): a pair is scored as cross-lingual only when
        both languages are known and differ.  Off: only the languages given are used.
    embeddings: also embed each article's title and lead with multilingual-e5-small
        (``pip install 'xlate[embed]'``; `dedup.embed`) and mix the cosine into the score.
    embedding_pairs: which pairs the embedding score is mixed into: ``"cross-lingual"``
        (both languages known and different: where words share least) or ``"all"``.  In one
        language, news about one region embeds close together, so mixing it into every
        pair links unrelated articles unless ``threshold`` is raised.
    embedding_weight: share of the embedding score in the verified score when embeddings are on.
    embedding_floor: e5 cosine that counts as no similarity (unrelated cross-lingual news
        pairs of SemEval-2022 have a median of 0.79).
    date_window_days: two articles whose date sets are both known and whose closest dates
        are further apart than this are treated as different events.
    date_penalty: factor applied to the score of such a pair (0 vetoes it).  Soft: an
        article's mentioned dates include background (the day a war began).
    published_window_days: two articles whose publication dates are both known and further
        apart than this are treated as different events (the same subject a month later),
        unless they are copies of one text.  Wider than one event's coverage (a week or
        two), narrower than a month.
    published_penalty: factor applied to the score of such a pair; 0 (the default) vetoes
        the pair, since publication dates are metadata, not words.  Average linkage can
        still join the two through articles in between (a long-running story).
    max_postings: event keys (names, dates, amounts) shared by more articles than this are
        too common to propose candidates (``Europe``); they still count when verifying.
    max_candidates: per article, the strongest event-key candidates kept for verification.
    min_link: a verified pair scoring below this is not a link at all (kept out of
        clusters and of the output).
    keywords: content words kept per article for the keyword cosine.
    seed: MinHash seed.
    workers: processes used to fingerprint (spawn start method), and threads used to
        find candidates and score them; 1 = in process.
    batch_size: articles fingerprinted per batch (bounded memory while streaming).
    """

    threshold: float = 0.1
    near_duplicate: float = 0.5
    num_perm: int = 128
    shingle_chars: int = 24
    entity_weight: float = 0.3
    keyword_weight: float = 0.5
    title_weight: float = 0.2
    cross_keyword_weight: float = 0.3
    identify_languages: bool = True
    embeddings: bool = False
    embedding_pairs: str = "cross-lingual"
    embedding_weight: float = 0.5
    embedding_floor: float = 0.8
    date_window_days: int = 10
    date_penalty: float = 0.5
    published_window_days: int = 14
    published_penalty: float = 0.0
    max_postings: int = 200
    max_candidates: int = 20
    min_link: float = 0.05
    keywords: int = 40
    seed: int = 1
    workers: int = 1
    batch_size: int = 512
    # Derived in __post_init__ (stated in outputs so a run can be reproduced).
    lsh_bands: int = field(init=False, default=0)
    lsh_rows: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        import numbers

        # numpy scalars (a grid from np.linspace, np.int64 from an array) as the Python
        # numbers they stand for: the checks below, the signature and JSON take those.
        for f in fields(self):
            value = getattr(self, f.name)
            if f.init and isinstance(value, numbers.Real) and type(value) not in (int, float, bool) \
                    and type(value).__module__ == "numpy" and not type(value).__name__.startswith("bool"):
                object.__setattr__(self, f.name, int(value) if isinstance(value, numbers.Integral) else float(value))
        for name in ("threshold", "near_duplicate", "min_link", "date_penalty", "published_penalty", "cross_keyword_weight",
                     "embedding_weight"):
            value = getattr(self, name)
            _need(
                isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0,
                f"ClusterConfig.{name}={value!r}: must be a number between 0 and 1 (e.g. {name}=0.5)",
            )
        _need(
            0.0 < self.near_duplicate < 1.0,
            f"ClusterConfig.near_duplicate={self.near_duplicate!r}: must be strictly between 0 and 1 "
            "(0.5 finds copies sharing half their shingles)",
        )
        for name, low, hint in (
            ("num_perm", 16, "128"),
            ("shingle_chars", 4, "24 (about four words)"),
            ("max_postings", 2, "200"),
            ("max_candidates", 1, "20"),
            ("keywords", 1, "40"),
            ("workers", 1, "1, or os.cpu_count()"),
            ("batch_size", 1, "512"),
        ):
            value = getattr(self, name)
            _need(
                isinstance(value, int) and not isinstance(value, bool) and value >= low,
                f"ClusterConfig.{name}={value!r}: must be an integer >= {low} (try {name}={hint})",
            )
        _need(
            self.num_perm <= 1024,
            f"ClusterConfig.num_perm={self.num_perm!r}: at most 1024 permutations; 128 is the usual choice",
        )
        for name, hint in (("date_window_days", "10"), ("published_window_days", "14")):
            value = getattr(self, name)
            _need(
                isinstance(value, int) and not isinstance(value, bool) and value >= 0,
                f"ClusterConfig.{name}={value!r}: must be an integer >= 0 days (e.g. {hint})",
            )
        _need(isinstance(self.seed, int) and not isinstance(self.seed, bool) and self.seed >= 0,
              f"ClusterConfig.seed={self.seed!r}: must be an integer >= 0")
        for name in ("embeddings", "identify_languages"):
            _need(isinstance(getattr(self, name), bool), f"ClusterConfig.{name}={getattr(self, name)!r}: must be True or False")
        _need(
            isinstance(self.embedding_floor, (int, float)) and 0.0 <= self.embedding_floor < 1.0,
            f"ClusterConfig.embedding_floor={self.embedding_floor!r}: must be in [0, 1) (e.g. 0.8)",
        )
        _need(
            self.embedding_pairs in EMBEDDING_PAIRS,
            f"ClusterConfig.embedding_pairs={self.embedding_pairs!r}: must be one of "
            + ", ".join(repr(v) for v in EMBEDDING_PAIRS),
        )
        weights = (self.entity_weight, self.keyword_weight, self.title_weight)
        _need(
            all(isinstance(w, (int, float)) and w >= 0 for w in weights) and abs(sum(weights) - 1.0) < 1e-9,
            f"ClusterConfig weights entity_weight={self.entity_weight!r}, keyword_weight={self.keyword_weight!r}, "
            f"title_weight={self.title_weight!r}: must be >= 0 and sum to 1 (e.g. 0.3, 0.5, 0.2)",
        )
        _need(
            self.min_link <= self.threshold,
            f"ClusterConfig.min_link={self.min_link!r} is above threshold={self.threshold!r}: "
            "no link could ever merge; lower min_link",
        )
        bands, rows = lsh_params(round(self.near_duplicate, 6), self.num_perm)
        object.__setattr__(self, "lsh_bands", bands)
        object.__setattr__(self, "lsh_rows", rows)

    # Fields that change fingerprints: an index built with other values must be rebuilt.
    FINGERPRINT_FIELDS = ("num_perm", "shingle_chars", "keywords", "seed", "embeddings", "identify_languages")

    # Keys of to_json() that are derived or stated, not settings: from_json skips them.
    DERIVED_KEYS = ("lsh_bands", "lsh_rows", "version")

    @classmethod
    def settings(cls) -> tuple[str, ...]:
        """Names of the fields a user may set, in declaration order."""
        return tuple(f.name for f in fields(cls) if f.init)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], **overrides: Any) -> "ClusterConfig":
        """A config from a mapping written by `to_json` (a run's ``run.json`` "cluster"
        object, or a hand-written subset: missing settings keep their defaults), then
        ``overrides``.  Derived keys (``lsh_bands``, ``lsh_rows``, ``version``) are skipped:
        they are recomputed, and results are signed with this version."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"cluster settings must be a JSON object of name: value, not {type(data).__name__}")
        known = cls.settings()
        values = {k: v for k, v in data.items() if k not in cls.DERIVED_KEYS}
        values.update(overrides)
        unknown = sorted(k for k in values if k not in known)
        if unknown:
            raise ConfigError(
                f"unknown cluster setting{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(known)}"
            )
        return cls(**values)

    @classmethod
    def parse_settings(cls, assignments: Iterable[str]) -> dict[str, Any]:
        """``["threshold=0.2", "published_window_days=30"]`` -> typed values, for command
        lines and config files written as text.  Booleans read true/false/yes/no/1/0."""
        types = {f.name: str(f.type) for f in fields(cls) if f.init}  # annotations are strings here
        out: dict[str, Any] = {}
        for item in assignments:
            name, sep, text = item.partition("=")
            name, text = name.strip(), text.strip()
            if not sep or not name:
                raise ConfigError(f"cluster setting {item!r}: write NAME=VALUE, e.g. published_window_days=30")
            if name not in types:
                raise ConfigError(f"unknown cluster setting {name!r} in {item!r}; known: {', '.join(types)}")
            kind = types[name]
            try:
                if kind == "bool":
                    lowered = text.lower()
                    if lowered not in ("true", "false", "yes", "no", "1", "0"):
                        raise ValueError(text)
                    value: Any = lowered in ("true", "yes", "1")
                elif kind == "int":
                    value = int(text)
                elif kind == "float":
                    value = float(text)
                else:
                    value = text
            except ValueError:
                expected = {"bool": "true or false", "int": "an integer", "float": "a number"}.get(kind, "a value")
                example = str(getattr(cls, name)).lower() if kind == "bool" else getattr(cls, name)
                raise ConfigError(f"cluster setting {item!r}: {name} takes {expected}, e.g. {name}={example}") from None
            out[name] = value
        return out

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["version"] = CLUSTER_VERSION
        return out

    def fingerprint_key(self) -> dict[str, Any]:
        key = {name: getattr(self, name) for name in self.FINGERPRINT_FIELDS} | {"version": FINGERPRINT_VERSION}
        if self.identify_languages:  # another model or reading length can give other languages
            from .langid import signature as langid_signature

            key["langid"] = langid_signature()
        return key

    @property
    def signature(self) -> str:
        """Short stable id of the settings, e.g. ``dedup:0.1|t:0.3|nd:0.5|lsh:16x8|cfg:1a2b3c4d``."""
        blob = json.dumps({k: v for k, v in self.to_json().items() if k not in ("workers", "batch_size")}, sort_keys=True)
        digest = hashlib.sha256(blob.encode()).hexdigest()[:8]
        return (
            f"dedup:{CLUSTER_VERSION}|t:{self.threshold:g}|nd:{self.near_duplicate:g}"
            f"|lsh:{self.lsh_bands}x{self.lsh_rows}|cfg:{digest}"
        )


def checked_config(config: ClusterConfig | None) -> ClusterConfig:
    """``config``, or the defaults for None; anything else is a `ConfigError` saying what to pass."""
    if config is None:
        return ClusterConfig()
    if not isinstance(config, ClusterConfig):
        hint = " (for a dict: ClusterConfig.from_json(d))" if isinstance(config, dict) else ""
        raise ConfigError(f"config must be a ClusterConfig, not {type(config).__name__}{hint}; e.g. ClusterConfig(threshold=0.2)")
    return config
