"""Event-signature extraction: named entities, dates and amounts, normalised to keys.

Two reports of one event rarely share long phrases (the seeds' Ashgabat pair shares 1.1% of
word 5-grams), but they name the same people and places, give the same date and the same
figures.  This module turns a text into those keys, cheaply (a few C-level regex passes per
article, no model), so that they can be indexed for candidate generation and compared when
a link is verified.

* Entities: capitalised words (and acronyms) outside a stop list of function words in the
  languages we meet, case- and accent-folded, Cyrillic/Greek transliterated, then mapped
  through the caller's alias table (variant -> canonical name, e.g. from the translation
  glossary), so ``Achgabat``, ``Ashgabat`` and ``Achgabat,`` all give one key.
* Dates: ``27 mars``, ``le 15 décembre 2020``, ``March 27, 2025``, ``27.03.2025``,
  ``2025-03-27`` in fr/en/de/es/it/pt, normalised to ISO ``YYYY-MM-DD``; a day without a
  year takes the publication year when it is known (a December date in a January article
  takes the year before), else it stays partial: ``--MM-DD``.
* Numbers: amounts and counts of two or more significant digits, scale words folded
  (``10,5 milliards`` and ``10.5 billion`` both give ``10500000000``); years are dates,
  not numbers.
"""
from __future__ import annotations

import datetime as _dt
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from .errors import ConfigError

__all__ = [
    "EventSignature",
    "AliasTable",
    "fold",
    "fold_text",
    "extract",
    "extract_dates",
    "extract_numbers",
    "extract_entities",
    "iso_day",
]

# Latin transliteration of Cyrillic and Greek, enough for names (Токаев -> tokaev).
_TRANSLIT = {
    **dict(zip("абвгдезийклмнопрстуфхцыэ", "abvgdeziyklmnopr" "stufhcye")),
    "ё": "e", "ж": "zh", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya",
    "ъ": "", "ь": "", "і": "i", "ї": "yi", "є": "ye", "ғ": "g", "қ": "q", "ң": "n",
    "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "ә": "a",
    **dict(zip("αβγδεζηθικλμνξοπρστυφχψω", "abgdezitiklmnxoprstyfxpo")),
    "ς": "s", "θ": "th", "χ": "ch", "ψ": "ps",
    "œ": "oe", "æ": "ae", "ø": "o", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i",
}
_TRANSLIT_TABLE = str.maketrans(_TRANSLIT)
_NEEDS_TRANSLIT = re.compile("[" + "".join(sorted(_TRANSLIT)) + "]")


# Combining marks left by NFKD (accents); removed with one regex pass, not a Python loop.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold_text(text: str) -> str:
    """Case-fold, strip accents and transliterate: ``Tokaïev`` -> ``tokaiev``, ``Токаев`` -> ``tokaev``.

    Apostrophes and dashes are kept (they separate name parts); every key in this module is
    made of folded text.  CJK and other scripts pass through unchanged.
    """
    low = text.casefold()
    if low.isascii():
        return low
    low = _COMBINING.sub("", unicodedata.normalize("NFKD", low))
    if _NEEDS_TRANSLIT.search(low):
        # str.translate walks every character in Python-level lookups; a regex that only
        # calls back on the few characters to replace is much faster on Latin text.
        low = _NEEDS_TRANSLIT.sub(lambda m: _TRANSLIT[m.group()], low)
    return low


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """`fold_text` for short strings (words, names), cached: the same names recur a lot."""
    return fold_text(word)


# --- stop lists -------------------------------------------------------------------------
# Capitalised function words (sentence starts, titles) that are not names.  Folded.
_STOP = frozenset(
    """
    a à au aux avec ce ces cet cette c d de des du dans en et il ils elle elles je j l la le les
    leur leurs lors mais ne ni nous on ou où par pas pour qu que qui quand quoi sa se selon ses
    si son sont sur ta tes toi ton tous tout toute toutes tu un une vous y apres avant depuis
    pendant comme alors ainsi aussi encore deja selon contre entre chez sous vers voici voila
    cependant pourtant enfin ensuite puis donc or car mme m mr monsieur madame mlle
    lundi mardi mercredi jeudi vendredi samedi dimanche
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    the a an and or but if of in on at to for from by with as is are was were be been this that
    these those it its he she they we you i his her their our my your not no yes all any some
    there here when where who whom what which why how after before during while since until
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    mr mrs ms dr
    der die das den dem des ein eine einen einem einer und oder aber im am an auf aus bei mit
    nach von vor zu zum zur ist sind war waren wird werden hat haben es er sie wir ihr ich
    nicht auch noch nur schon wie als wenn dass seit
    montag dienstag mittwoch donnerstag freitag samstag sonntag
    januar februar marz juni juli oktober dezember
    el la los las un una unos unas y o pero en con por para del al es son fue era lo le les se
    su sus este esta estos estas ese esa como cuando donde que quien mas tambien segun sin
    lunes martes miercoles jueves viernes sabado domingo
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
    il lo gli i una uno e o ma di da con per tra fra nel nella nei delle degli della dello
    alla alle allo agli sul sulla che chi non anche come quando dove questo questa quello quella
    lunedi martedi mercoledi giovedi venerdi sabato domenica
    gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre
    o os as um uma ao aos do da dos das no na nos nas pelo pela com sem sobre
    """.split()
)

# Month names (folded) -> month number, fr/en/de/es/it/pt and common abbreviations.
_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "janvier january jan januar enero gennaio janeiro",
        "fevrier february feb februar febrero febbraio fevereiro",
        "mars march mar marz maerz marzo marco",
        "avril april apr abril aprile",
        "mai may maggio maio mayo",
        "juin june jun juni junio giugno junho",
        "juillet july jul juli julio luglio julho",
        "aout august aug agosto",
        "septembre september sep sept septiembre setiembre settembre setembro",
        "octobre october oct oktober octubre ottobre outubro",
        "novembre november nov noviembre novembro",
        "decembre december dec dezember diciembre dicembre dezembro",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _num



def _trie_regex(words: list[str]) -> str:
    """A regex alternation factored by prefix: Python's re tries every branch of a flat
    alternation at every position, a trie tries one character class."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return "(?:" + emit(trie) + ")"


_MONTH_ALT = _trie_regex(list(_MONTHS))
# Speed: Python's re scans quickly (a C loop) only to positions where the pattern's *first
# character* can match, when that first item is a plain character class.  A leading ``\b``
# or lookbehind disables that, so the patterns below match the first character, then check
# the character before it with ``(?<!\w.)`` ("not preceded by a word character"): the same
# matches as ``\b`` there, found at a fraction of the cost.
_START = r"(?<!\w.)"
# ``\b[0-3]?\d`` written digit-first: the second digit only after a 0-3.
_DAY_NUM = rf"\d{_START}(?:(?<=[0-3])\d)?"
_DAY = rf"(?P<day>{_DAY_NUM})(?:er|st|nd|rd|th|\.|º)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
# Dates are matched on folded text so that accents and case do not matter.
_DATE_DMY = re.compile(
    rf"{_DAY}\s+(?:de\s+)?(?P<month>{_MONTH_ALT})\b\.?(?:\s+(?:de\s+)?{_YEAR}\b)?"
)
# Month-first patterns start with a month name, whose first letters are common ones: they
# are tried only where a month word can stand (see `_month_word_starts`), with .match().
_DATE_MDY = re.compile(
    rf"\b(?P<month>{_MONTH_ALT})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR}\b)?"
)
_DATE_MY = re.compile(rf"\b(?P<month>{_MONTH_ALT})\s+(?:de\s+|del\s+)?{_YEAR}\b")
# Both month-first patterns need a word, then ``.``/spaces (and "de"/"del"), then a digit.
# Matched on the reversed text from just before such a digit, this reads that word.
_WORD_BEFORE_REVERSED = re.compile(r"\s+(?:(?:ed|led)\s+)?\.?(\w+)")
# Every date and number pattern starts at the first digit of a run of digits: one scan
# finds those starts (~10 in an article), and each pattern is tried there only.
_DIGIT_RUN = re.compile(r"\d+")
_DATE_ISO = re.compile(rf"(?P<year>[12]{_START}(?:(?<=1)9|(?<=2)0)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
_DATE_NUM = re.compile(rf"(?P<day>{_DAY_NUM})[./](?P<month>[01]?\d)[./](?P<year>(?:19|20)\d\d)\b")
_DATE_CJK = re.compile(r"(?:(?P<year>(?:19|20)\d\d)年)?(?P<month>1[0-2]|0?[1-9])月(?P<day>[0-3]?\d)日")

# Numbers: digits with thousands separators and a decimal part, then an optional scale word.
# (The first digit is matched before the lookbehind, as above: same matches, faster scan.)
_NUMBER = re.compile(
    r"(?P<num>\d(?<![\w.,].)(?:\d{0,2}(?:[ \u00a0\u202f.,']\d{3})+(?:[.,]\d+)?|\d*(?:[.,]\d+)?))"
    r"(?:\s*(?P<scale>milliards?|billions?|millions?|millones?|milioni?|milliarden?|mrd|mio|mds?|"
    r"thousands?|mille|mil|tausend|bn|m|k|%|percent|pour\s?cent|prozent|por\s?ciento|per\s?cento))?(?![\w])"
    rf"(?!\s+(?:de\s+)?{_MONTH_ALT}\b)"  # "27 mars" is a date, not a number
)
_SCALES = {
    "milliard": 1e9, "milliards": 1e9, "billion": 1e9, "billions": 1e9, "bn": 1e9,
    "milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9, "md": 1e9, "mds": 1e9,
    "million": 1e6, "millions": 1e6, "millon": 1e6, "millones": 1e6, "milione": 1e6,
    "milioni": 1e6, "mio": 1e6, "m": 1e6,
    "thousand": 1e3, "thousands": 1e3, "mille": 1e3, "mil": 1e3, "tausend": 1e3, "k": 1e3,
}


def _upper_class() -> str:
    # A regex class of the uppercase letters of the Latin, Greek and Cyrillic blocks
    # (Python's re has no \p{Lu}).  Kept to those blocks: a class of every uppercase
    # letter in Unicode makes the scan ten times slower.  Scripts without case (CJK,
    # Arabic) get no entities from here; their dates and numbers still count.
    ranges: list[tuple[int, int]] = []
    for lo, hi in ((0x41, 0x250), (0x370, 0x530), (0x1E00, 0x2000)):
        for code in range(lo, hi):
            if chr(code).isupper():
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1] = (ranges[-1][0], code)
                else:
                    ranges.append((code, code))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


@lru_cache(maxsize=1)
def _entity_regex() -> re.Pattern[str]:
    upper = _upper_class()
    # A capitalised word, possibly hyphenated (Jean-Luc, Alliot-Marie), after an elided
    # article (l'Ecureuil, d'Ingrid) or not.
    # The capital is matched first (a cheap class test at each position), the lookbehind
    # then checks the character before it is not part of a word.
    return re.compile(rf"[{upper}](?<![\w-].)\w*(?:-\w+)*")


_WORD = re.compile(r"\w+")


def check_aliases(aliases: object) -> None:
    """A `ConfigError` unless ``aliases`` is None or a mapping (a Glossary given for its
    aliases is the usual slip: the message says to pass ``glossary.aliases()``)."""
    if aliases is not None and not isinstance(aliases, Mapping):
        hint = "glossary.aliases()" if hasattr(aliases, "aliases") else "a mapping of variant -> name"
        raise ConfigError(f"aliases must be a mapping, not {type(aliases).__name__}; pass {hint}")


class AliasTable:
    """Variant -> canonical key, both folded; single words and multi-word names.

    Built from a plain mapping such as a translation glossary's aliases
    (``{"Achgabat": "Ashgabat", "Tokaïev": "Tokayev"}``).  Keys produced for entities are
    the folded canonical name with spaces kept (``kaja kallas``).
    """

    __slots__ = ("_single", "_multi", "_max_words", "digest_source", "_entity_keys")

    def __init__(self, aliases: Mapping[str, str] | None = None):
        self._entity_keys: dict[str, str | None] = {}  # see `extract_entities`
        self._single: dict[str, str] = {}
        self._multi: dict[tuple[str, ...], str] = {}
        self._max_words = 1
        check_aliases(aliases)
        pairs = sorted((fold(k).strip(), fold(v).strip()) for k, v in (aliases or {}).items())
        self.digest_source = "\n".join(f"{k}\t{v}" for k, v in pairs)
        for variant, canonical in pairs:
            words = tuple(_WORD.findall(variant))
            if not words or not canonical:
                continue
            if len(words) == 1:
                self._single[words[0]] = canonical
            else:
                self._multi[words] = canonical
                self._max_words = max(self._max_words, len(words))

    def __bool__(self) -> bool:
        return bool(self._single or self._multi)

    def map_word(self, word: str) -> str:
        return self._single.get(word, word)

    def find_multi(self, folded_words: list[str]) -> list[tuple[int, int, str]]:
        """(start, end, canonical) spans of multi-word variants in a folded word list."""
        if not self._multi:
            return []
        found = []
        i = 0
        n = len(folded_words)
        while i < n:
            for width in range(min(self._max_words, n - i), 1, -1):
                canonical = self._multi.get(tuple(folded_words[i : i + width]))
                if canonical is not None:
                    found.append((i, i + width, canonical))
                    i += width
                    break
            else:
                i += 1
        return found


@dataclass(frozen=True, slots=True)
class EventSignature:
    """What identifies an event in one article: entity counts, ISO dates, amounts."""

    entities: tuple[tuple[str, int], ...]  # (key, count), sorted by key
    dates: tuple[str, ...]  # sorted unique ISO dates, full or partial (--MM-DD, YYYY-MM)
    numbers: tuple[str, ...]  # sorted unique normalised amounts

    def entity_keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.entities)


# Capitalised word as matched -> its entity key, or None for a stop word / digits; one
# dict per alias table (keys depend on the aliases).  The same words recur in article after
# article, so most matches cost one dict lookup instead of fold + stop test + alias lookup.
_ENTITY_KEYS: dict[str, str | None] = {}
_ENTITY_KEYS_MAX = 1 << 18  # entries; cleared when full (a bound, not an eviction policy)
_MISSING = "\x00"  # a str sentinel (typed like the values); no entity key is a NUL


def _entity_key(word: str, table: AliasTable | None) -> str | None:
    key = fold(word)
    if key in _STOP or len(key) < 2 or key.isdigit():
        return None
    if table is not None:
        key = table.map_word(key)
    return sys.intern(key)


def extract_entities(text: str, aliases: AliasTable | None = None, *, folded: str | None = None) -> Counter[str]:
    """Entity keys with their counts: capitalised non-stop words, folded and alias-mapped.

    Multi-word aliases (``Kaja Kallas`` -> ``kaja kallas``) are matched on the folded word
    sequence first; remaining capitalised words become one key each, which is what makes
    ``Betancourt`` and ``Ingrid Betancourt`` overlap.  ``folded`` may pass
    ``fold_text(text)`` when the caller has it.
    """
    counts: Counter[str] = Counter()
    table = aliases if aliases else None
    if table is not None and table._multi:
        words = _WORD.findall(fold_text(text) if folded is None else folded)
        for _, _, canonical in table.find_multi(words):
            counts[sys.intern(canonical)] += 1
    cache = _ENTITY_KEYS if table is None else table._entity_keys
    keys: list[str] = []
    for match in _entity_regex().findall(text):
        key = cache.get(match, _MISSING)
        if key is _MISSING:
            if len(cache) >= _ENTITY_KEYS_MAX:
                cache.clear()
            key = cache[match] = _entity_key(match, table)
        if key is not None:
            keys.append(key)
    counts.update(keys)
    return counts


def _valid(year: int | None, month: int, day: int | None) -> bool:
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    if not 1 <= day <= 31:
        return False
    return not (month == 2 and day > 29) and not (month in (4, 6, 9, 11) and day > 30)


# An ISO day at the start of a date string; a time part may follow ("2025-04-25T10:00").
_ISO_DAY = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[T ]|$)")


def iso_day(value: str | None) -> _dt.date | None:
    """The calendar day an ISO date string starts with (``2025-04-25``, a time part may
    follow), or ``None`` (not ISO, or not a day of the calendar: ``2025-02-30``)."""
    m = _ISO_DAY.match(value.strip()) if value else None
    if m is None:
        return None
    try:
        return _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _pub_parts(published: str | None) -> tuple[int, int] | None:
    if not published:
        return None
    m = re.match(r"((?:19|20)\d\d)(?:-(\d\d))?", published.strip())
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 12)


def extract_dates(text: str, published: str | None = None, *, folded: str | None = None) -> tuple[str, ...]:
    """ISO dates mentioned in ``text``; a day without a year takes the publication year.

    ``published`` is an ISO date (``2025-04-25``) or ``None``.  A month later than the
    publication month by more than one is taken from the year before (a January article
    speaking of ``15 décembre``).  Without a publication date the result is ``--MM-DD``.
    """
    if folded is None:
        folded = fold_text(text)
    pub = _pub_parts(published)
    found: set[str] = set()
    taken: list[tuple[int, int]] = []

    def add(year: int | None, month: int, day: int | None, span: tuple[int, int]) -> None:
        if any(a <= span[0] < b or a < span[1] <= b for a, b in taken):
            return  # an earlier, more specific pattern already read this text
        if not _valid(year, month, day):
            return
        taken.append(span)
        if day is None:
            found.add(f"{year:04d}-{month:02d}")
            return
        if year is None and pub is not None:
            pub_year, pub_month = pub
            year = pub_year - 1 if month > pub_month + 1 else pub_year
        found.add(f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}")

    digits = _digit_starts(folded)
    if digits:
        if "-" in folded:
            for m in _match_from(_DATE_ISO, folded, digits):
                add(int(m["year"]), int(m["month"]), int(m["day"]), m.span())
        for m in _match_from(_DATE_NUM, folded, digits):
            add(int(m["year"]), int(m["month"]), int(m["day"]), m.span())
        for m in _match_from(_DATE_DMY, folded, digits):
            add(int(m["year"]) if m["year"] else None, _MONTHS[m["month"]], int(m["day"]), m.span())
    starts = _month_word_starts(folded, digits)
    if starts:
        for m in _match_from(_DATE_MDY, folded, starts):
            add(int(m["year"]) if m["year"] else None, _MONTHS[m["month"]], int(m["day"]), m.span())
        for m in _match_from(_DATE_MY, folded, starts):
            add(int(m["year"]), _MONTHS[m["month"]], None, m.span())
    if "月" in text:
        for m in _DATE_CJK.finditer(text):
            add(int(m["year"]) if m["year"] else None, int(m["month"]), int(m["day"]), m.span())
    return tuple(sorted(found))


_LAST_DIGITS: tuple[str | None, list[int]] = (None, [])


def _digit_starts(folded: str) -> list[int]:
    """Positions where a run of digits starts, ascending.  The dates and the numbers of one
    text ask in turn: the last answer is kept for the same string object."""
    global _LAST_DIGITS
    last = _LAST_DIGITS
    if last[0] is folded:
        return last[1]
    starts = [m.start() for m in _DIGIT_RUN.finditer(folded)]
    _LAST_DIGITS = (folded, starts)
    return starts


def _month_word_starts(folded: str, digits: list[int]) -> list[int]:
    """Sorted starts of the words that a month-first date could begin with: words followed
    by spaces (after an optional ``.``, ``de`` or ``del``) and a digit.  Every match of
    `_DATE_MDY` and `_DATE_MY` starts at one of them; most articles have a handful."""
    n = len(folded)
    reversed_text = None
    found = set()
    for d in digits:
        if d and folded[d - 1].isspace():
            if reversed_text is None:
                reversed_text = folded[::-1]
            m = _WORD_BEFORE_REVERSED.match(reversed_text, n - d)
            # group 1 is the word reversed: its last character is the word's first, a
            # letter for a month.
            if m is not None and m.group(1)[-1].isalpha():
                found.add(n - m.end(1))
    return sorted(found)


def _match_from(pattern: re.Pattern[str], text: str, starts: list[int]):
    """``pattern.finditer(text)`` when every match is known to start at one of ``starts``:
    the leftmost match at or after the end of the previous one, tried only there."""
    end = 0
    for start in starts:
        if start < end:
            continue
        m = pattern.match(text, start)
        if m is not None:
            yield m
            end = m.end()


_THOUSANDS = re.compile(r"\d{1,3}(?:[ .,']\d{3})+")
_ONE_GROUP = re.compile(r"\d{1,3}[.,]\d{3}")
_THOUSANDS_DECIMAL = re.compile(r"(\d{1,3}(?:[ .,']\d{3})+)([.,]\d+)")
_DECIMAL = re.compile(r"\d+[.,]\d+")
_SEPARATOR = re.compile(r"[ .,']")


def _parse_number(raw: str) -> float | None:
    if raw.isdigit():
        return float(raw)
    digits = raw.replace("\u00a0", " ").replace("\u202f", " ")
    # "70 000", "1,234,567", "1.234.567", "10,5", "10.5": a separator followed by exactly
    # three digits and repeated is a thousands separator, otherwise a decimal point.
    if _THOUSANDS.fullmatch(digits) and not _ONE_GROUP.fullmatch(digits):
        return float(_SEPARATOR.sub("", digits))
    m = _THOUSANDS_DECIMAL.fullmatch(digits)
    if m:
        return float(_SEPARATOR.sub("", m.group(1)) + "." + m.group(2)[1:])
    if _DECIMAL.fullmatch(digits):
        return float(digits.replace(",", "."))
    return None


def extract_numbers(text: str, *, folded: str | None = None) -> tuple[str, ...]:
    """Normalised amounts and counts (``10,5 milliards`` -> ``10500000000``, ``5%`` -> ``5%``).

    Single digits, years (1800-2099 without a scale) and day numbers are too common to
    say anything about an event and are skipped.
    """
    found: set[str] = set()
    if folded is None:
        folded = fold_text(text)
    for m in _match_from(_NUMBER, folded, _digit_starts(folded)):
        raw, scale = m["num"], (m["scale"] or "").lower()
        value = _parse_number(raw)
        if value is None:
            continue
        if scale.endswith("%") or "cent" in scale or scale.startswith("percent") or scale == "prozent":
            found.add(f"{value:g}%")
            continue
        if scale in _SCALES:
            value *= _SCALES[scale]
        elif 1800 <= value <= 2099 and value.is_integer():
            continue  # a year
        if value < 10:
            continue
        found.add(f"{value:.15g}")
    return tuple(sorted(found))


def extract(
    text: str,
    *,
    title: str | None = None,
    published: str | None = None,
    aliases: AliasTable | None = None,
    folded_text: str | None = None,
) -> EventSignature:
    """The event signature of one article (title counted with the body).

    ``folded_text`` may pass ``fold_text(text)`` when the caller already has it (folding
    works character by character, so the title is folded on its own and prepended).
    """
    if title and not text.startswith(title):
        full = f"{title}\n{text}"
        folded = fold_text(full) if folded_text is None else f"{fold_text(title)}\n{folded_text}"
    else:
        full = text
        folded = fold_text(text) if folded_text is None else folded_text
    counts = extract_entities(full, aliases, folded=folded)
    return EventSignature(
        entities=tuple(sorted(counts.items())),
        dates=extract_dates(full, published, folded=folded),
        numbers=extract_numbers(full, folded=folded),
    )
