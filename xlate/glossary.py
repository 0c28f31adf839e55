"""Glossary of names whose English form is locked (Achgabat -> Ashgabat).

An entry has one locked English form, the source variants that mean it, an optional
language (``fr``: only French articles) and a note.  Two file formats:

TSV (``#`` comments, optional header)::

    english<TAB>variants separated by |<TAB>lang (empty = any)<TAB>note
    Ashgabat	Achgabat|Achkhabad|Ashkhabad	fr	capital of Turkmenistan

A header row names the columns, in any order: ``english`` (or ``target``), ``variants`` (or
``source``), ``lang``, ``note`` -- so a term base exported as ``source<TAB>target`` is read
the right way round.  CSV (``.csv``, cells quoted where they hold a comma) is read the same way.

YAML, a list of mappings (or ``{"terms": [...]}``)::

    - english: Ashgabat
      variants: [Achgabat, Achkhabad]
      lang: fr

Matching (`Glossary.find`) tolerates case, diacritics (``Tokaiev`` finds ``Tokaïev``),
typographic apostrophes, elision (``d'Achgabat``: the name after the apostrophe) and
hyphenation (``UE-Asie centrale``; ``Asie-Centrale`` finds ``Asie centrale``), and
never matches inside a word.  The locked English form is itself a variant, so a name
already written in English is found too.

`protect` writes the locked forms into a source sentence before translation; `restore`
checks the translation afterwards: every expected form found is normalised to its exact
locked spelling, a source variant the engine copied through is replaced by the locked
form, and what is still missing becomes a violation.  Nothing is dropped silently.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlate.errors import GlossaryError

MATCHER_VERSION = "v3"  # v2: abbreviations match only in capitals; v3: a capitalised name never matches lowercase text
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
# What `Glossary._matcher` builds per language (see there).
_Matcher = tuple["re.Pattern[str] | None", "dict[str, GlossaryEntry]", frozenset[str], frozenset[str]]
_SEPARATORS = re.compile(r"[\s\-]+")
_SPECIAL_FOLDS = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l",
                  "ı": "i", "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "‐": "-", "‑": "-", "‒": "-", "–": "-",
                  "—": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "}


@dataclass(frozen=True)
class GlossaryEntry:
    """One locked name: ``english`` is what every translation must contain."""

    english: str
    variants: tuple[str, ...]
    lang: str | None = None
    note: str = ""
    line: int = field(default=0, compare=False)  # where it was defined, for error messages

    def __post_init__(self) -> None:
        # Checked here too, not only by `Glossary.load`: a str of variants would lock each of
        # its letters ("a", "à") and a variant without letters would match between words.
        if not isinstance(self.english, str) or not any(ch.isalnum() for ch in self.english):
            raise GlossaryError(f"GlossaryEntry english must be a name with letters or digits, not {self.english!r}")
        if isinstance(self.variants, (str, bytes)) or not isinstance(self.variants, Iterable):
            raise GlossaryError(f"GlossaryEntry variants must be a tuple of strings, not {type(self.variants).__name__}: "
                                f"GlossaryEntry({self.english!r}, ({self.variants!r},))")
        # A set has no order: sorted, so the same entry always matches and hashes the same.
        variants = sorted(self.variants) if isinstance(self.variants, (set, frozenset)) else list(self.variants)
        object.__setattr__(self, "variants", tuple(variants))
        if self.lang == "":
            object.__setattr__(self, "lang", None)  # as a file's empty lang column: any language
        for variant in self.variants:
            if not isinstance(variant, str) or not any(ch.isalnum() for ch in variant):
                raise GlossaryError(f"variant {variant!r} of {self.english!r} is not a name with letters or digits")
        if self.lang is not None and (not isinstance(self.lang, str) or not _LANG.fullmatch(self.lang)):
            raise GlossaryError(f"GlossaryEntry lang must be an ISO 639 code such as 'fr' or None, not {self.lang!r}")

    def forms(self) -> tuple[str, ...]:
        """Every surface that means this entry: the variants and the locked form."""
        return tuple(dict.fromkeys((*self.variants, self.english)))


@dataclass(frozen=True)
class TermMatch:
    """``text[start:end]`` is ``surface``, a form of the entry locked to ``english``."""

    start: int
    end: int
    surface: str
    english: str
    entry: GlossaryEntry = field(compare=False, repr=False)

    def to_json(self, offset: int = 0) -> dict[str, Any]:
        return {"source": self.surface, "english": self.english, "start": self.start + offset, "end": self.end + offset}


def fold(text: str) -> str:
    """Case-, diacritic- and punctuation-variant-insensitive form of ``text``."""
    return _fold_with_map(text)[0]


def _fold_char(ch: str) -> str:
    special = _SPECIAL_FOLDS.get(ch)
    if special is not None:
        return special
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.casefold()


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index of its source character."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = ch if ch.isascii() and not ch.isupper() and ch != "`" else _fold_char(ch)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


def base_language(lang: str) -> str:
    """The base code of a language tag, unchecked: ``fr-CA``, ``fr_CA`` (a POSIX locale) and
    ``FR`` are ``fr``."""
    return re.split(r"[-_]", lang, maxsplit=1)[0].lower()


def _has_capital(text: str) -> bool:
    return any(c.isupper() for c in text)


def _is_abbreviation(form: str) -> bool:
    """A form written in capitals of at most 5 letters (``EU``, ``UE``, ``OSCE``): it
    matches only in capitals, since folded it is often a common word (French ``eu``, ``ue``,
    English ``us``)."""
    letters = [c for c in form if c.isalpha()]
    return 0 < len(letters) <= 5 and all(c.isupper() for c in letters)


def _key(surface: str) -> str:
    return _SEPARATORS.sub(" ", fold(surface)).strip()


def _pattern(surface: str) -> str:
    tokens = [re.escape(t) for t in _SEPARATORS.split(fold(surface).strip()) if t]
    return r"[\s\-]+".join(tokens)


class Glossary:
    """Locked names; build with `Glossary.load(path)` or ``Glossary(entries)``."""

    def __init__(self, entries: Iterable[GlossaryEntry], source: str = "<memory>"):
        if isinstance(entries, (str, bytes)):
            raise GlossaryError("Glossary takes GlossaryEntry items; to read a file: Glossary.load(path)")
        self.entries: tuple[GlossaryEntry, ...] = tuple(entries)
        for entry in self.entries:
            if not isinstance(entry, GlossaryEntry):
                raise GlossaryError(f"Glossary takes GlossaryEntry items, not {type(entry).__name__} ({entry!r}); "
                                    "e.g. GlossaryEntry('Ashgabat', ('Achgabat',))")
        self.source = source
        self._by_lang: dict[str | None, _Matcher] = {}
        self._check_conflicts()
        canonical = json.dumps(
            {"matcher": MATCHER_VERSION,
             "entries": sorted([e.english, list(e.variants), e.lang or ""] for e in self.entries)},
            ensure_ascii=False, sort_keys=True,
        )
        self.sha256 = hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"Glossary({len(self.entries)} entries from {self.source}, sha256={self.sha256[:8]})"

    # -- loading ---------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "Glossary":
        """Read a ``.tsv``, ``.csv`` or ``.yaml``/``.yml`` glossary; `GlossaryError` names file:line and the fix."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise GlossaryError(f"{path}: no such glossary file; pass an existing .tsv, .csv or .yaml file") from None
        except UnicodeDecodeError as exc:
            raise GlossaryError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); save the glossary as UTF-8") from None
        except OSError as exc:
            raise GlossaryError(f"{path}: cannot read it ({exc.strerror}); check the path and permissions") from None
        suffix = path.suffix.lower()
        if suffix == ".tsv":
            entries = list(_parse_tsv(text, str(path)))
        elif suffix == ".csv":
            entries = list(_parse_csv(text, str(path)))
        elif suffix in (".yaml", ".yml"):
            entries = list(_parse_yaml(text, str(path)))
        else:
            raise GlossaryError(f"{path}: unknown glossary format {suffix or '(no extension)'!r}; use .tsv, .csv or .yaml")
        if not entries:
            raise GlossaryError(f"{path}: the glossary has no entries; add lines like 'Ashgabat<TAB>Achgabat<TAB>fr'")
        try:
            return cls(entries, source=str(path))
        except GlossaryError as exc:
            raise GlossaryError(f"{path}:{exc}") from None

    def _check_conflicts(self) -> None:
        seen: dict[tuple[str | None, str], GlossaryEntry] = {}
        for entry in self.entries:
            for form in entry.forms():
                key = (entry.lang, _key(form))
                other = seen.get(key)
                if other is not None and other.english != entry.english:
                    scope = f"language {entry.lang}" if entry.lang else "all languages"
                    raise GlossaryError(
                        f"{entry.line}: {form!r} is locked to both {other.english!r} (line {other.line}) and "
                        f"{entry.english!r} for {scope}; keep one, or give each entry its own lang column")
                seen.setdefault(key, entry)

    # -- data for other packages -----------------------------------------------------
    def aliases(self) -> dict[str, str]:
        """Every variant and locked form -> the locked English form (first entry wins on clashes)."""
        out: dict[str, str] = {}
        for entry in sorted(self.entries, key=lambda e: e.lang is not None):  # generic entries first
            for form in entry.forms():
                out.setdefault(form, entry.english)
        return out

    # -- matching --------------------------------------------------------------------
    def _matcher(self, lang: str | None) -> _Matcher:
        """(regex over folded text, entry of each folded surface, the surfaces that match
        only in capitals, those that match only text with a capital) of the entries for ``lang``."""
        base = base_language(lang) if lang else None
        cached = self._by_lang.get(base)
        if cached is not None:
            return cached
        table: dict[str, GlossaryEntry] = {}
        cased: dict[str, bool] = {}  # surface key -> every form with it is an abbreviation
        capital: dict[str, bool] = {}  # surface key -> every form with it has a capital letter
        # Language-specific entries win over generic ones for the same surface.
        for entry in sorted(self.entries, key=lambda e: e.lang is None):
            if entry.lang is not None and entry.lang.split("-")[0] != base:
                continue
            for form in entry.forms():
                key = _key(form)
                table.setdefault(key, entry)
                cased[key] = cased.get(key, True) and _is_abbreviation(form)
                capital[key] = capital.get(key, True) and _has_capital(form)
        surfaces = sorted(table, key=lambda k: (-len(k), k))
        regex = None
        if surfaces:
            alternation = "|".join(_pattern(s) for s in surfaces)
            regex = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
        self._by_lang[base] = (regex, table, frozenset(k for k, v in cased.items() if v),
                               frozenset(k for k, v in capital.items() if v))
        return self._by_lang[base]

    def find(self, text: str, lang: str | None = None) -> list[TermMatch]:
        """Glossary terms in ``text`` (entries for ``lang`` and for any language), in order, non-overlapping."""
        regex, table, cased, capital = self._matcher(lang)
        if regex is None or not text:
            return []
        folded, origin = _fold_with_map(text)
        matches = []
        for m in regex.finditer(folded):
            start = origin[m.start()]
            end = origin[m.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1  # a decomposed accent belongs to the name
            key = _SEPARATORS.sub(" ", m.group()).strip()
            if key in cased and not text[start:end].isupper():
                continue  # "eu" (French "had") is not the abbreviation "EU"
            if key in capital and not _has_capital(text[start:end]):
                continue  # "le monde" (the world) is not the newspaper "Le Monde", "orange" not "Orange"
            entry = table[key]
            matches.append(TermMatch(start, end, text[start:end], entry.english, entry))
        return matches


# -- protect / restore -------------------------------------------------------------------
PLACEHOLDER_PREFIX = "Zzq"


def _placeholder(n: int) -> str:
    # Letters only: rule-based engines pass an unknown word through untouched, while
    # digits or punctuation would be analysed (numbers, abbreviations).
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(97 + r) + letters
    return PLACEHOLDER_PREFIX + letters


def protect(text: str, matches: list[TermMatch], *, placeholders: bool = False) -> tuple[str, dict[str, str]]:
    """``text`` with every matched term replaced by its locked English form, or by a
    placeholder word (``Zzqa``...) when ``placeholders`` is set; returns the text and the
    placeholder -> English form table (empty without placeholders).

    Placeholders suit rule-based engines, which would otherwise translate a locked form
    that happens to be a source-language word ("EU" is French for "had"); neural models
    copy a real name better than an invented token, so they get the English form.
    """
    out = []
    table: dict[str, str] = {}
    by_english: dict[str, str] = {}
    counter = 0
    pos = 0
    for m in sorted(matches, key=lambda m: m.start):
        out.append(text[pos:m.start])
        if placeholders:
            token = by_english.get(m.english)
            if token is None:
                token = _placeholder(counter)
                counter += 1
                while token.lower() in text.lower():
                    token = _placeholder(counter)
                    counter += 1
                by_english[m.english] = token
                table[token] = m.english
            out.append(token)
        else:
            out.append(m.english)
        pos = m.end
    out.append(text[pos:])
    return "".join(out), table


def unprotect(english: str, table: dict[str, str]) -> str:
    """Put the locked forms back where the engine kept the placeholders."""
    for token, form in table.items():
        # A function, not a replacement string: the form is taken literally (no \\1 escapes).
        english = re.sub(rf"(?<!\w){re.escape(token)}(?!\w)", lambda _m: form, english, flags=re.IGNORECASE)  # noqa: B023
    return english


def _find_surface(text: str, surface: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of ``surface`` in ``text`` not in ``taken``: case and accents aside, except
    that an abbreviation (``EU``, ``US``) counts only in capitals, as `Glossary.find` reads
    it.  A name otherwise counts in any case: the source had it capitalised (`Glossary.find`
    asks that), so an engine's "ashgabat" is that name, to be spelt as locked."""
    folded, origin = _fold_with_map(text)
    capitals = _is_abbreviation(surface)
    spans = []
    for m in re.finditer(rf"(?<!\w){_pattern(surface)}(?!\w)", folded):
        s, e = origin[m.start()], origin[m.end() - 1] + 1
        if capitals and not text[s:e].isupper():
            continue  # "us" is a word, not "US"
        if not any(s < te and ts < e for ts, te in taken):
            spans.append((s, e))
    return spans


def restore(english: str, matches: list[TermMatch]) -> tuple[str, list[dict[str, Any]]]:
    """Verify that each locked form came through ``english``; fix its spelling; list violations.

    Returns the corrected translation and the violations (``term``, ``expected``,
    ``reason``), one per source occurrence that is missing from the translation.
    """
    expected: dict[str, list[TermMatch]] = {}
    for m in matches:
        expected.setdefault(m.english, []).append(m)
    replacements: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    violations: list[tuple[int, dict[str, Any]]] = []
    # Longer forms first, so "Kaja Kallas" is claimed before "Kallas".
    for form in sorted(expected, key=lambda f: (-len(f), f)):
        wanted = expected[form]
        found = _find_surface(english, form, taken)[: len(wanted)]
        for s, e in found:
            taken.append((s, e))
            if english[s:e] != form:
                replacements.append((s, e, form))
        if len(found) < len(wanted):
            # The engine may have copied a source variant through untranslated: lock it.
            for variant in sorted(set(wanted[0].entry.variants), key=lambda v: (-len(v), v)):
                for s, e in _find_surface(english, variant, taken):
                    if len(found) >= len(wanted):
                        break
                    taken.append((s, e))
                    found.append((s, e))
                    replacements.append((s, e, form))
        for m in wanted[len(found):]:
            reason = "missing from the translation" if not found else f"only {len(found)} of {len(wanted)} occurrences in the translation"
            violations.append((m.start, {"term": m.surface, "expected": form, "reason": reason}))
    for s, e, form in sorted(replacements, reverse=True):
        english = english[:s] + form + english[e:]
    return english, [v for _, v in sorted(violations, key=lambda item: item[0])]


# -- parsers -----------------------------------------------------------------------------
def _entry(english: Any, variants: Any, lang: Any, note: Any, where: str, line: int) -> GlossaryEntry:
    if not isinstance(english, str) or not english.strip():
        raise GlossaryError(f"{where}:{line}: the English form is empty; write the locked English name first")
    english = english.strip()
    if isinstance(variants, str):
        variants = variants.split("|")
    if variants is None:
        variants = []
    if not isinstance(variants, (list, tuple)):
        raise GlossaryError(f"{where}:{line}: variants must be a list or a '|'-separated string, got {type(variants).__name__}")
    cleaned = []
    for v in variants:
        if not isinstance(v, str) or not v.strip():
            raise GlossaryError(f"{where}:{line}: empty variant for {english!r}; remove the stray '|' or empty list item")
        if not any(ch.isalnum() for ch in v):
            # "." would lock every full stop; "(" never matches a word boundary.
            raise GlossaryError(f"{where}:{line}: variant {v.strip()!r} of {english!r} has no letters or digits; write a name")
        cleaned.append(" ".join(v.split()))
    if lang in ("", "*", None):
        lang = None
    elif not isinstance(lang, str) or not _LANG.fullmatch(lang.strip()):
        raise GlossaryError(f"{where}:{line}: language {lang!r} is not an ISO 639 code; use e.g. 'fr', or leave it empty for all languages")
    else:
        lang = lang.strip()
    if not any(ch.isalnum() for ch in english):
        raise GlossaryError(f"{where}:{line}: English form {english!r} has no letters or digits; write a name")
    return GlossaryEntry(english, tuple(dict.fromkeys(cleaned)), lang, str(note or "").strip(), line)


# Header names a TSV glossary may use for its columns.  ``source``/``target`` is how CAT tools
# export a term base (source term first): a header names the columns, so such a file is read
# the right way round instead of locking every source form as the English one.
_TSV_COLUMNS = {"english": "english", "target": "english", "target term": "english", "tgt": "english",
                "variants": "variants", "source": "variants", "source term": "variants", "src": "variants",
                "lang": "lang", "language": "lang", "note": "note", "notes": "note", "comment": "note"}
_TSV_ORDER = ("english", "variants", "lang", "note")
# A first row of column names this reader does not take (a term base's "English / French",
# "term / translation", "en / fr") is refused, not locked as a name.  Such a row names at
# least one column (a known one, or a word no entry would be), the rest column words or
# language names in English, or it is lowercase language codes only ("en", "fr"; an entry
# of codes would be in capitals: "UK", "RU").
_COLUMN_WORDS = frozenset("""
    term terms translation translations locked original canonical variant entry entries definition
    description category form forms comment comments
""".split())
_LANGUAGE_NAMES = frozenset("""
    english french german spanish italian portuguese russian arabic chinese turkish polish dutch ukrainian
    japanese korean greek swedish danish norwegian finnish czech hungarian romanian
""".split())
_LANGUAGE_CODES = frozenset("en fr de es it pt ru ar zh tr pl nl uk ja ko el sv da no fi cs hu ro".split())


def _header_like(cells: list[str]) -> list[str] | None:
    """The cells of a first row that reads as a header of unknown columns (see above): the
    ones this reader does not know; None for an entry."""
    words = [c.strip() for c in cells if c.strip()]
    lower = [w.lower() for w in words]
    if all(w in _LANGUAGE_CODES and w == raw for w, raw in zip(lower, words)) and len(words) > 1:
        return words
    names_a_column = any(w in _TSV_COLUMNS or w in _COLUMN_WORDS for w in lower)
    if names_a_column and all(w in _TSV_COLUMNS or w in _COLUMN_WORDS or w in _LANGUAGE_NAMES for w in lower):
        return [raw for w, raw in zip(lower, words) if w not in _TSV_COLUMNS]
    return None


def _tsv_header(cells: list[str], where: str, number: int) -> tuple[int, ...] | None:
    """Column index of english, variants, lang and note (-1: absent) when ``cells`` is a header
    row (every cell a known column name), else None (the row is an entry)."""
    names = [c.strip().lower() for c in cells]
    if not all(n in _TSV_COLUMNS for n in names):
        return None
    columns = [_TSV_COLUMNS[n] for n in names]
    for column in sorted(set(columns)):
        if columns.count(column) > 1:
            raise GlossaryError(f"{where}:{number}: the header names the {column} column twice "
                                f"({', '.join(n for n in names if _TSV_COLUMNS[n] == column)}); keep one")
    missing = [c for c in ("english", "variants") if c not in columns]
    if missing:
        raise GlossaryError(f"{where}:{number}: the header has no {' or '.join(missing)} column; "
                            "name them english (or target) and variants (or source)")
    return tuple(columns.index(c) if c in columns else -1 for c in _TSV_ORDER)


def _parse_tsv(text: str, where: str) -> Iterable[GlossaryEntry]:
    rows = ((number, raw.rstrip("\r\n").split("\t")) for number, raw in enumerate(text.splitlines(), start=1))
    return _parse_rows(rows, where, "tab-separated", "separate columns with a TAB")


def _parse_csv(text: str, where: str) -> Iterable[GlossaryEntry]:
    """A term base as spreadsheets and CAT tools export it: comma-separated, cells quoted
    when they hold a comma; a header row names the columns as in TSV."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise GlossaryError(f"{where}:{reader.line_num}: malformed CSV ({exc}); quote cells that hold commas or quotes") from None
    return _parse_rows(rows, where, "comma-separated", "separate columns with commas, quoting a cell that holds one")


def _parse_rows(rows: Iterable[tuple[int, list[str]]], where: str, kind: str, fix: str) -> Iterable[GlossaryEntry]:
    """Entries from (line number, cells) rows of a TSV or CSV glossary."""
    columns: tuple[int, ...] = (0, 1, 2, 3)
    header_width = 0
    first = True
    for number, cells in rows:
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if first:
            first = False
            header = _tsv_header(cells, where, number)
            if header is not None:
                columns, header_width = header, len(cells)
                continue
            unknown = _header_like(cells)
            if unknown:
                raise GlossaryError(f"{where}:{number}: the first row ({', '.join(c.strip() for c in cells if c.strip())}) "
                                    f"looks like a header, but {', '.join(unknown)} {'is not a column' if len(unknown) == 1 else 'are not columns'} "
                                    "this reads; name the columns english, variants, lang, note (or target, source), or remove the row")
        if header_width and len(cells) > header_width:
            raise GlossaryError(f"{where}:{number}: {len(cells)} {kind} columns, but the header names "
                                f"{header_width}; name every column in the header or remove the extra cells")
        if len(cells) < 2 or len(cells) > 4:
            raise GlossaryError(
                f"{where}:{number}: expected 2 to 4 {kind} columns (english, variants, lang, note), "
                f"found {len(cells)}; {fix}, variants with '|'")
        cells += [""] * (4 - len(cells))
        english, variants, lang, note = (cells[k] if k >= 0 else "" for k in columns)
        yield _entry(english, variants if variants.strip() else [], lang.strip(), note, where, number)


def _parse_yaml(text: str, where: str) -> Iterable[GlossaryEntry]:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise GlossaryError(f"{where}:{line}: invalid YAML ({getattr(exc, 'problem', exc)}); fix the syntax there") from None
    if isinstance(data, dict) and "terms" in data:
        items = data["terms"]
        node = next((v for k, v in root.value if k.value == "terms"), None)
    else:
        items, node = data, root
    if not isinstance(items, list):
        raise GlossaryError(f"{where}:1: expected a list of entries (or 'terms:' with a list); see seeds/glossary.yaml")
    lines = [n.start_mark.line + 1 for n in node.value] if node is not None else [0] * len(items)
    for item, line in zip(items, lines):
        if not isinstance(item, dict):
            raise GlossaryError(f"{where}:{line}: each entry must be a mapping with 'english' and 'variants'")
        unknown = set(item) - {"english", "variants", "lang", "note"}
        if unknown:
            raise GlossaryError(f"{where}:{line}: unknown key(s) {sorted(unknown)}; allowed: english, variants, lang, note")
        yield _entry(item.get("english"), item.get("variants"), item.get("lang"), item.get("note"), where, line)
