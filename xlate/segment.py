"""Sentence segmentation that keeps source offsets.

Every line of the cleaned text is a paragraph (headings, datelines and body paragraphs
are separate lines after cleaning); inside a line a sentence ends at ``.``, ``!``, ``?``
or ``…`` (with any closing quotes or brackets) followed by a space and something that can
start a sentence, unless the period closes a known abbreviation (``M.``, ``Mme``,
``art.``), an initial (``J. Dupont``), or sits inside a «...» or “...” quotation.
Numbers such as ``14.5 C`` never split because no space follows their period.

``text[seg.start:seg.end] == seg.text`` always holds, so translations can be shown and
diffed against the exact source characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SEGMENTER_VERSION = "v1"

# Lower-cased, without the final period.  Shared by every language: a French article
# quoting "Mr. Smith" or "Dr. No" should not split either.
_COMMON_ABBREVIATIONS = {
    "m", "mm", "mme", "mmes", "mlle", "mlles", "me", "mgr", "dr", "drs", "pr", "prof", "st", "ste",
    "mr", "mrs", "ms", "messrs", "jr", "sr", "gen", "gén", "col", "lt", "sgt", "capt", "cpt", "gov", "sen", "rep",
    "art", "al", "cf", "etc", "env", "p", "pp", "vol", "ch", "chap", "fig", "n°", "nº", "tél", "tel",
    "av", "apr", "bd", "boul", "vs", "v", "e.g", "i.e", "ibid", "op", "approx", "inc", "ltd", "co", "corp",
    "dept", "dépt", "éd", "ed", "eds", "coll", "réf", "ref", "sq", "suiv",
    "janv", "févr", "fév", "avr", "juil", "sept", "oct", "nov", "déc", "jan", "feb", "aug", "dec",
    "j.-c", "u.s", "u.k", "u.n",
}
_LANG_ABBREVIATIONS = {
    "de": {"nr", "bzw", "ca", "evtl", "ggf", "hr", "fr", "str", "usw", "vgl", "z.b", "d.h", "u.a", "s", "dt", "inkl", "sog", "abs"},
    "es": {"sr", "sra", "srta", "dña", "d", "ud", "uds", "pág", "núm", "art", "arts", "ee.uu", "aprox", "excmo", "lic"},
    "it": {"sig", "sigg", "dott", "ing", "avv", "on", "pag", "ecc", "geom"},
    "pt": {"sr", "sra", "dr", "dra", "pág", "núm"},
}

_ENDERS = ".!?…"
_CLOSERS = "»”\"')]’"
_OPENERS = "«“\"'([‘¿¡—–-"
_WORD_BEFORE = re.compile(r"([\w°º.\-]+)$")


@dataclass(frozen=True)
class Segment:
    """One sentence: its position in the article and its exact span in the cleaned text."""

    index: int
    text: str
    start: int
    end: int


def segment(text: str, lang: str | None = None) -> list[Segment]:
    """Split ``text`` into sentences with offsets; see the module docstring for the rules."""
    if not isinstance(text, str):
        raise TypeError(f"segment() needs a str, got {type(text).__name__}")
    abbreviations = _COMMON_ABBREVIATIONS | _LANG_ABBREVIATIONS.get((lang or "").split("-")[0].lower(), set())
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        for start, end in _split_line(line, abbreviations):
            spans.append((pos + start, pos + end))
        pos += len(line)
    return [Segment(i, text[s:e], s, e) for i, (s, e) in enumerate(spans)]


def _split_line(line: str, abbreviations: set[str]) -> list[tuple[int, int]]:
    """Sentence spans within one line, stripped of surrounding whitespace."""
    spans = []
    start = 0
    depth = 0  # open «...» / “...” quotations
    straight_quotes_balanced = line.count('"') % 2 == 0
    in_straight = False
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch in "«“":
            depth += 1
        elif ch in "»”":
            depth = max(0, depth - 1)
        elif ch == '"' and straight_quotes_balanced:
            in_straight = not in_straight
        elif ch in _ENDERS:
            end = i + 1
            while end < n and line[end] in _ENDERS:
                end += 1
            closing_depth, closing_straight = depth, in_straight
            while end < n:
                if line[end] in " \u00a0\u202f":
                    # French typography puts a (non-breaking) space before the closing ».
                    after_space = end
                    while after_space < n and line[after_space] in " \u00a0\u202f":
                        after_space += 1
                    if after_space < n and line[after_space] in "»”":
                        end = after_space
                        continue
                    break
                if line[end] not in _CLOSERS:
                    break
                if line[end] in "»”":
                    closing_depth = max(0, closing_depth - 1)
                elif line[end] == '"' and straight_quotes_balanced:
                    closing_straight = not closing_straight
                end += 1
            if (closing_depth == 0 and not closing_straight and _is_boundary(line, i, end)
                    and (line[i:i + 2] == ".." or not _is_abbreviation(line, start, i, abbreviations))):
                spans.append((start, end))
                start = end
                depth, in_straight = 0, False
                i = end
                continue
            depth, in_straight = closing_depth, closing_straight
            i = end
            continue
        i += 1
    spans.append((start, n))
    out = []
    for s, e in spans:
        piece = line[s:e]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            out.append((s + lead, s + lead + len(stripped)))
    return out


def _is_boundary(line: str, ender: int, after: int) -> bool:
    """A space must follow, then something that can start a sentence (or the line end)."""
    if after >= len(line) or line[after:].strip() == "":
        return True
    if not line[after].isspace():
        return False
    rest = line[after:].lstrip()
    first = rest[0]
    return first.isupper() or first.isdigit() or first in _OPENERS or (line[ender] in "!?…" and first.isalpha())


def _is_abbreviation(line: str, start: int, ender: int, abbreviations: set[str]) -> bool:
    if line[ender] != ".":
        return False
    match = _WORD_BEFORE.search(line[start:ender])
    if match is None:
        return False
    word = match.group(1).strip(".-").lower()
    if not word:
        return False
    if word in abbreviations:
        return True
    # A single capital letter is an initial (J. Dupont, Kaja K.); "U.S" and "J.-C" patterns too.
    token = match.group(1)
    if len(token) == 1 and token.isupper():
        return True
    return bool(re.fullmatch(r"(?:[A-Za-z]\.-?)+[A-Za-z]", token))
