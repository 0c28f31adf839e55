"""A link's reasons in words: the one wording `xlate explain` prints and the report shows.

``Link.reasons`` is a JSON object (see `dedup.verify.PairScorer.links`).  The report reads
it back from ``clusters.jsonl`` files that an older or newer version may have written, so
the describer takes any mapping: keys it does not know are still shown, as ``key=value``.
Plain text, no markup: the report escapes each line.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["describe_reasons", "format_items"]

_LISTS = (("entities", "shared names:"), ("dates", "shared dates:"), ("numbers", "shared amounts:"),
          ("keywords", "shared keywords:"))
_LABEL_WIDTH = max(len(label) for _, label in _LISTS) + 1
_SCORES = (("event", "event overlap"), ("keywords", "keywords"), ("title", "title/lead"),
           ("minhash_jaccard", "shingle Jaccard"), ("embedding_cosine", "e5 cosine"))
_SCORED = frozenset(key for key, _ in _SCORES)
_PENALISED = " -> different events, score penalised"
_FLAGS = (("near_duplicate", "near-duplicate: copies of one text"),
          # Titles in two languages are not comparable character by character (verify.py).
          ("cross_lingual", "cross-lingual pair: titles not compared; scored on names, dates, amounts and keywords"))


def describe_reasons(reasons: Any) -> list[str]:
    """Lines that say why a pair scored as it did, from a link's ``reasons``.

    >>> describe_reasons({"entities": ["kallas"], "date_gap_days": 2, "date_conflict": False})
    ['shared names:    kallas', 'closest dates 2 days apart']
    """
    if not isinstance(reasons, Mapping):
        return [str(reasons)]
    lines: list[str] = []
    shown: set[str] = set()
    scores = reasons.get("scores")
    if isinstance(scores, Mapping):
        shown.add("scores")
        parts = [f"{label} {scores[key]:.3f}" for key, label in _SCORES if _is_number(scores.get(key))]
        others = {k: v for k, v in scores.items() if k not in _SCORED or not _is_number(v)}
        parts += [format_items(others)] if others else []
        lines.append("scores: " + ", ".join(parts))
    for key, label in _LISTS:
        value = reasons.get(key)
        if isinstance(value, (list, tuple)):
            shown.add(key)
            lines.append(label.ljust(_LABEL_WIDTH) + (", ".join(str(v) for v in value) or "-"))
    gap = reasons.get("date_gap_days", False)
    if gap is None or _is_number(gap):
        shown.update(("date_gap_days", "date_conflict"))
        if gap is None:
            lines.append("dates: not comparable (an article gives no day)")
        else:
            lines.append(f"closest dates {_days(gap)} apart" + (_PENALISED if reasons.get("date_conflict") is True else ""))
    gap = reasons.get("published_gap_days", False)
    if gap is None or _is_number(gap):
        shown.update(("published_gap_days", "published_conflict"))
        if gap is not None:  # None: a publication date is missing, nothing to say
            lines.append(f"published {_days(gap)} apart" + (_PENALISED if reasons.get("published_conflict") is True else ""))
    for flag, text in _FLAGS:
        if isinstance(reasons.get(flag), bool):
            shown.add(flag)
            if reasons[flag]:
                lines.append(text)
    rest = {k: v for k, v in reasons.items() if k not in shown}
    return lines + ([format_items(rest)] if rest else [])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _days(n: Any) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def format_items(mapping: Mapping[Any, Any]) -> str:
    """``key=value, ...`` in key order, floats to 4 places: how unknown fields are shown."""
    return ", ".join(f"{k}={_value(v)}" for k, v in sorted(mapping.items(), key=lambda kv: str(kv[0])))


def _value(value: Any) -> str:
    if isinstance(value, float):
        return str(round(value, 4))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + format_items(value) + "}"
    return str(value)
