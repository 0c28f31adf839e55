"""The fast scans of dedup.entities find exactly what plain regex scans find.

Dates and numbers are matched with patterns written first-character-first (so Python's
re can skip ahead in C) and tried only where a match can start (digit runs, words before
digits).  These tests compare them, on generated strings dense in dates and numbers, with
the textbook ``\\b`` forms of the patterns scanned over the whole text.
"""
from __future__ import annotations

import random
import re

import pytest

from dedup import entities as E

_MONTH = E._MONTH_ALT
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
TEXTBOOK = {
    "_DATE_DMY": rf"\b(?P<day>[0-3]?\d)(?:er|st|nd|rd|th|\.|º)?\s+(?:de\s+)?(?P<month>{_MONTH})\b\.?(?:\s+(?:de\s+)?{_YEAR}\b)?",
    "_DATE_ISO": r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b",
    "_DATE_NUM": r"\b(?P<day>[0-3]?\d)[./](?P<month>[01]?\d)[./](?P<year>(?:19|20)\d\d)\b",
    "_NUMBER": (
        r"(?<![\w.,])(?P<num>\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
        r"(?:\s*(?P<scale>milliards?|billions?|millions?|millones?|milioni?|milliarden?|mrd|mio|mds?|"
        r"thousands?|mille|mil|tausend|bn|m|k|%|percent|pour\s?cent|prozent|por\s?ciento|per\s?cento))?(?![\w])"
        rf"(?!\s+(?:de\s+)?{_MONTH}\b)"
    ),
}

ATOMS = [
    "27", "3", "1", "31", "2025", "1999", "12", "05", "2020-03-27", "27.03.2025", "3/4/2020", " ", "  ", "\n", "\u00a0",
    ".", ",", "/", "-", "mars", "mai", "may", "sept", "sep.", "september", "dec", "de", "del", "le", "er", "th", "x",
    "a1", "1a", "_", "ed", "led", "%", "milliards", "10,5", "1 000", "1.234.567", "million", "k", "٣",
]


# Month names next to spaces and digits: month-first dates are frequent.
MONTH_ATOMS = ["mars", "mai", "sept", "sep.", "december", "de", "del", " ", "  ", ".", ",", "5", "27", "2020", "1999", "x", "a1", "\n"]


def generated(seed: int, count: int, atoms: list[str] = ATOMS) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(atoms) for _ in range(rng.randrange(1, 16))) for _ in range(count)]


def spans(matches) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in matches]


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_first_character_patterns_match_the_textbook_forms(name):
    fast, plain = getattr(E, name), re.compile(TEXTBOOK[name])
    texts = generated(1, 4000)
    assert [spans(fast.finditer(t)) for t in texts] == [spans(plain.finditer(t)) for t in texts]


@pytest.mark.parametrize("name", ["_DATE_DMY", "_DATE_ISO", "_DATE_NUM", "_NUMBER"])
def test_digit_first_patterns_tried_at_digit_runs_find_every_match(name):
    pattern = getattr(E, name)
    for text in generated(2, 4000):
        assert spans(E._match_from(pattern, text, E._digit_starts(text))) == spans(pattern.finditer(text))


@pytest.mark.parametrize("name", ["_DATE_MDY", "_DATE_MY"])
def test_month_first_patterns_tried_before_digits_find_every_match(name):
    pattern = getattr(E, name)
    found = 0
    for text in generated(3, 3000) + generated(4, 3000, MONTH_ATOMS):
        starts = E._month_word_starts(text, E._digit_starts(text))
        expected = spans(pattern.finditer(text))
        assert spans(E._match_from(pattern, text, starts)) == expected, text
        found += len(expected)
    assert found > 20  # the generated texts do contain such dates


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mai 5 5 et mars de 2020", ("--05-05", "2020-03")),  # a digit right after a date's day
        ("sept. 5, 2024", ("2024-09-05",)),
        ("le 3 mai 2025-03-27", ("2025-03-27",)),  # the ISO date is read first; "3 mai 2025" overlaps it
        ("le 3 mai 2025, le 4 mai", ("--05-04", "2025-05-03")),
    ],
)
def test_month_first_examples(text, expected):
    assert E.extract_dates(text) == expected
