"""Locate glossary terms inside a sentence so they can be highlighted or annotated.

The pipeline records each term with ``start``/``end`` offsets.  Those are checked, never
trusted: a span is used only where the sentence text there really is the term (offsets
relative to the sentence, or to the cleaned article when the sentence records its own
``start``).  Otherwise the term is searched for in the sentence, so a reviewer still sees
it highlighted; a term that cannot be found is not highlighted at all.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` is one glossary term; ``source``/``english`` name the entry."""

    start: int
    end: int
    source: str
    english: str


def field(item: Any, name: str, default: Any = None) -> Any:
    """Read ``name`` from a dict or an object (pairs and terms may be either)."""
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def source_term_spans(text: str, terms: Iterable[Any], sentence_start: int | None = None) -> list[Span]:
    """Spans of the glossary terms in the source ``text``, sorted, non-overlapping."""
    found: list[Span] = []
    taken: list[tuple[int, int]] = []
    for term in terms:
        surface = str(field(term, "source") or field(term, "surface") or "")
        english = str(field(term, "english") or "")
        if not surface:
            continue
        start, end = _int_or_none(field(term, "start")), _int_or_none(field(term, "end"))
        span = None
        candidates = []
        if start is not None and end is not None:
            candidates.append((start, end))
            if sentence_start is not None:
                candidates.append((start - sentence_start, end - sentence_start))
        for s, e in candidates:
            if 0 <= s < e <= len(text) and text[s:e] == surface and not _overlaps(s, e, taken):
                span = (s, e)
                break
        if span is None:
            span = _search(text, surface, taken)
        if span is not None:
            taken.append(span)
            found.append(Span(span[0], span[1], surface, english))
    return sorted(found, key=lambda sp: (sp.start, sp.end))


def english_term_spans(text: str, terms: Iterable[Any]) -> list[Span]:
    """Every occurrence of each term's English form in ``text``, sorted, non-overlapping.

    Longer English forms win where two overlap ("Kaja Kallas" over "Kallas").
    """
    entries: dict[str, str] = {}
    for term in terms:
        english = str(field(term, "english") or "")
        if english:
            entries.setdefault(english, str(field(term, "source") or field(term, "surface") or ""))
    found: list[Span] = []
    taken: list[tuple[int, int]] = []
    for english in sorted(entries, key=lambda e: (-len(e), e)):
        pos = text.find(english)
        while pos != -1:
            end = pos + len(english)
            if not _overlaps(pos, end, taken):
                taken.append((pos, end))
                found.append(Span(pos, end, entries[english], english))
            pos = text.find(english, end)
    return sorted(found, key=lambda sp: (sp.start, sp.end))


def split_by_spans(text: str, spans: list[Span]) -> list[tuple[str, Span | None]]:
    """Cut ``text`` into (piece, span-or-None) runs covering it exactly, in order."""
    pieces: list[tuple[str, Span | None]] = []
    pos = 0
    for span in spans:
        if span.start > pos:
            pieces.append((text[pos:span.start], None))
        pieces.append((text[span.start:span.end], span))
        pos = span.end
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in taken)


def _search(text: str, surface: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    # Exact first, then case-insensitive (casefold can change lengths, so lower() is used
    # only when it keeps them, which holds for the Latin, Cyrillic and Greek we see).
    for haystack, needle in ((text, surface), (text.lower(), surface.lower())):
        if len(haystack) != len(text) or len(needle) != len(surface):
            continue
        pos = haystack.find(needle)
        while pos != -1:
            end = pos + len(needle)
            if not _overlaps(pos, end, taken):
                return pos, end
            pos = haystack.find(needle, pos + 1)
    return None
