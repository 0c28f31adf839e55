"""Boilerplate removal that keeps every article sentence and explains every cut.

Plain-text scrapes are cleaned line by line with two kinds of evidence:
- wording: cue phrases per category and language (`dedup.cues`);
- structure: where a line sits relative to the title and the body (short lines before
  the title are header navigation; short unpunctuated lines after the last body
  paragraph are footer), exact repeats inside one article, lines that repeat across many
  articles of the same site (`LineStats`), link lines and the author box after them.
HTML pages first go through trafilatura's main-content extraction (the measured leader);
the page text it leaves out is recorded as removed, then its output gets the same line
rules.  Every removed line carries its reason, so a reviewer can audit the cleaner.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import xxhash

from dedup import cues
from dedup.cues import match_cue
from dedup.document import CleanDocument, Document, RemovedLine
from dedup.errors import ArticleTypeError, ConfigError

_SENTENCE_END = re.compile(r"[.!?…»\"”)\]]\s*$")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
# What makes a short line after the last paragraph a list item (`Cleaner._closing_list`): a
# list marker, a figure, or a label and its value.
_LIST_ITEM = re.compile(r"^\s*(?:[-•*–·]|\d+[.)])\s|\d|\w\s*:\s*\S")
_SITE_INTRO = re.compile(r"\b(?:retrouvez|suivez|follow|find us|folgen sie|síguenos|abonnez|subscribe|newsletter|rubriques|sections|sites)\b",
                         re.IGNORECASE)
# A link to a picture, or a line that says it is one: a caption or credit, not an author's.
_PICTURE_LINK = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)\b|^(?:photo|image|illustration|foto|bild|imagen|crédits?)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|"
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "januar|februar|märz|juni|juli|oktober|dezember|"
    "enero|febrero|marzo|mayo|junio|julio|agosto|septiembre|setiembre|noviembre|diciembre|"
    "gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
)
_WEEKDAYS = (
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
    "lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica"
)
# A line that is nothing but a date/time stamp ("Vendredi, Avril 25, 2025",
# "16 Décembre 2020 13:44 (UTC+01:00)", "2025-03-27T10:00").
_DATELINE = re.compile(
    rf"^(?:(?:{_WEEKDAYS})\.?,?\s*)?(?:\d{{1,2}}\.?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?)?|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
    r"(?:\s*(?:à|at|um|a las|alle|-|,)?\s*\d{1,2}[:h]\d{2}(?::\d{2})?)?\s*(?:\((?:UTC|GMT)[^)]*\)|(?:UTC|GMT|CET|CEST)\S*)?$",
    re.IGNORECASE,
)


# Bump when a structural rule changes what is removed (or the title found).  The cue tables
# and the date-line pattern are hashed into the signature as they are, so editing a cue
# changes it anyway.  0.3: a first line over MAX_TITLE_WORDS is no title.  0.4: an article
# whose body (80% of it) repeats across its site (a copy) keeps its repeated lines.  0.5: a
# phrase cue inside quotation marks does not count; an article paragraph, or a line between
# two single-line cuts (ads, datelines, links), is not filled into a block; a list closing the
# article ("Here is what goes up:" and its items) is not a footer; a privacy-policy cue in a long
# line must speak as the site or to the reader; the line after a picture's link is no author box.
CLEANER_VERSION = "0.5"


@lru_cache(maxsize=1)
def _rules_digest() -> str:
    rules = {
        "line_cues": cues.LINE_CUES, "phrase_cues": cues.PHRASE_CUES, "max_phrase_cue_words": cues.MAX_PHRASE_CUE_WORDS,
        # The patterns that qualify a cue, and this module's structural patterns.
        "cue_rules": [cues._QUOTED.pattern, cues._UI_VERBS.pattern, cues._SITE_VOICE.pattern, cues._PRIVACY_SHORT_WORDS],
        "structure": [_LIST_ITEM.pattern, _SITE_INTRO.pattern, _PICTURE_LINK.pattern],
        "dateline": _DATELINE.pattern, "html_dates": _HTML_DATE_PARAMS,
    }
    return hashlib.sha256(json.dumps(rules, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class CleanerConfig:
    """Thresholds of the structural rules (defaults measured on the seeds' labels).

    min_body_words: a line this long ending in sentence punctuation is article body.
    max_header_words: shorter lines before the title are header navigation.
    max_fragment_words: lines between title and body this short are metadata fragments.
    max_footer_words: shorter unpunctuated lines after the body are footer navigation.
    repeat_min_docs / repeat_min_share: a short line found in at least this many of a
    site's articles (and this share of them) is site boilerplate.
    max_repeat_words: longer lines are never treated as site boilerplate.
    """

    min_body_words: int = 12
    max_header_words: int = 8
    max_fragment_words: int = 3
    max_footer_words: int = 12
    repeat_min_docs: int = 3
    repeat_min_share: float = 0.2
    max_repeat_words: int = 30

    def __post_init__(self) -> None:
        for name in ("min_body_words", "max_header_words", "max_footer_words", "repeat_min_docs", "max_repeat_words"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"CleanerConfig.{name} must be a positive integer, got {value!r}")
        if not isinstance(self.max_fragment_words, int) or self.max_fragment_words < 0:
            raise ConfigError(f"CleanerConfig.max_fragment_words must be an integer >= 0, got {self.max_fragment_words!r}")
        if not 0.0 < self.repeat_min_share <= 1.0:
            raise ConfigError(f"CleanerConfig.repeat_min_share must be in (0, 1], got {self.repeat_min_share!r}; e.g. 0.2")

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @property
    def signature(self) -> str:
        """What decides the cleaned text, e.g. ``clean:0.2|rules:1a2b3c4d|cfg:5e6f7a8b``:
        the version of the rules, a hash of the cue tables and patterns, a hash of these
        thresholds.  Two runs with one signature clean the same input the same way."""
        config = hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()[:8]
        return f"clean:{CLEANER_VERSION}|rules:{_rules_digest()}|cfg:{config}"


# Reasons that cut single lines, not blocks with lines between them (`_fill_blocks`).
_NOT_BLOCKS = frozenset({"header", "footer", "advertisement", "dateline", "link", "duplicate line", "repeated across site"})
# Body lines (`Cleaner._is_body`) of an article that must repeat across its site, and the
# share of its body they must make, for the article to count as a copy of another
# (`Cleaner._is_copy`): a copy repeats nearly all its prose, while a site's boilerplate,
# even three full disclaimer sentences, leaves an article with two paragraphs of its own
# at 60%.
COPY_MIN_BODY_LINES = 3
COPY_MIN_SHARE = 0.8

# A headline is short; a first line longer than this is a paragraph (a text scraped without
# its title), and the article is given no title rather than a paragraph as one.
MAX_TITLE_WORDS = 40


@lru_cache(maxsize=16384)  # the rules ask for one line's word count up to five times
def _words(line: str) -> int:
    return len(_WORD.findall(line))


def _at_most_words(line: str, n: int) -> bool:
    """``_words(line) <= n``, without counting a long line's words to its end: a line of
    L characters has at most (L + 1) // 2 words, and more than n words in a prefix means
    more than n in the line (a word cut by the prefix still counts once)."""
    if (len(line) + 1) // 2 <= n:
        return True
    if len(_WORD.findall(line, 0, 8 * (n + 1))) > n:
        return False
    return _words(line) <= n


def _line_key(line: str) -> int:
    return xxhash.xxh64_intdigest(" ".join(line.lower().split()).encode("utf-8"))


class LineStats:
    """How many articles of each site contain each short line (first pass over a corpus).

    Memory stays bounded on huge corpora: keys are 64-bit hashes, and when the table
    passes ``max_keys`` the lines seen in a single article are dropped (lossy counting:
    a line repeated across a site reappears quickly and is counted again).
    """

    def __init__(self, config: CleanerConfig | None = None, *, max_keys: int = 2_000_000):
        self.config = config or CleanerConfig()
        self.max_keys = max_keys
        self.docs_per_site: Counter[str] = Counter()
        self._counts: Counter[tuple[str, int]] = Counter()

    def add(self, doc: Document) -> None:
        site = doc.source or ""
        self.docs_per_site[site] += 1
        cap = self.config.max_repeat_words
        keys = {_line_key(t) for t in (ln.strip() for ln in doc.text.split("\n")) if t and _at_most_words(t, cap)}
        for key in keys:
            self._counts[(site, key)] += 1
        if len(self._counts) > self.max_keys:
            self._counts = Counter({k: c for k, c in self._counts.items() if c > 1})

    def merge(self, other: "LineStats") -> None:
        """Add another part's counts (executors count corpus partitions in parallel)."""
        self.docs_per_site.update(other.docs_per_site)
        self._counts.update(other._counts)
        if len(self._counts) > self.max_keys:
            self._counts = Counter({k: c for k, c in self._counts.items() if c > 1})

    def is_repeated(self, site: str | None, line: str) -> bool:
        site = site or ""
        total = self.docs_per_site.get(site, 0)
        count = self._counts.get((site, _line_key(line)), 0)
        return count >= self.config.repeat_min_docs and count >= self.config.repeat_min_share * total


class Cleaner:
    """Cleans documents; holds the config and (optionally) corpus line statistics."""

    def __init__(self, config: CleanerConfig | None = None, *, line_stats: LineStats | None = None):
        if config is not None and not isinstance(config, CleanerConfig):
            raise ConfigError(f"the cleaner's config must be a CleanerConfig, not {type(config).__name__}; "
                              "e.g. CleanerConfig(min_body_words=10)")
        self.config = config or CleanerConfig()
        self.line_stats = line_stats

    def clean(self, doc: Document) -> CleanDocument:
        if not isinstance(doc, Document):
            raise ArticleTypeError(f"clean takes a Document, not {type(doc).__name__}; "
                                   "e.g. clean(Document(id='a1', text=text))")
        removed: list[RemovedLine] = []
        text = doc.text
        if doc.format == "html":
            doc, text, removed = _extract_html(doc)
        elif doc.format == "md":
            text = _strip_markdown(text)
        kept, dropped, title = self._clean_lines(text, doc)
        if title is not None and not _at_most_words(title, MAX_TITLE_WORDS):
            title = None  # a text without a title line: its first paragraph is no headline
        removed.extend(dropped)
        return CleanDocument(doc=doc, text=kept, title=doc.title or title, removed=tuple(removed), published=doc.published,
                             date_stamp=_date_of_datelines(dropped))

    def _clean_lines(self, text: str, doc: Document) -> tuple[str, list[RemovedLine], str | None]:
        cfg = self.config
        lines = [(no, raw.strip()) for no, raw in enumerate(text.split("\n"), start=1)]
        rows = [(no, t) for no, t in lines if t]
        reason: dict[int, str] = {}
        repeated: list[int] = []

        for i, (_, t) in enumerate(rows):
            cue = match_cue(t)
            if cue:
                reason[i] = cue
            elif _DATELINE.match(t):
                reason[i] = "dateline"
            elif _URL.search(t) and _words(_URL.sub("", t)) < 8:
                reason[i] = "link"
            elif self.line_stats is not None and _at_most_words(t, cfg.max_repeat_words) and self.line_stats.is_repeated(doc.source, t):
                repeated.append(i)
        if not self._is_copy(rows, reason, repeated):
            for i in repeated:
                reason[i] = "repeated across site"
        self._fill_blocks(rows, reason)
        self._mark_duplicates_and_breadcrumbs(rows, reason)
        self._mark_author_box(rows, reason)

        title_i = self._find_title(rows, reason, doc.title)
        body = [i for i, (_, t) in enumerate(rows) if i not in reason and i != title_i and self._is_body(t)]
        first_body = body[0] if body else len(rows)
        last_body = body[-1] if body else -1
        listed = self._closing_list(rows, reason, last_body)
        for i, (_, t) in enumerate(rows):
            if i in reason or i == title_i or i in listed:
                continue
            words = _words(t)
            if title_i is not None and i < title_i and words < cfg.max_header_words:
                reason[i] = "header"
            elif (title_i is None or i > title_i) and i < first_body:
                # "Publié le", "Paris / La Gazette": not "Les interrogations s'accumulent."
                # (a sentence) nor "PARIS (Reuters) -" (an agency dateline opening the body).
                if words <= cfg.max_fragment_words and not _SENTENCE_END.search(t) and not t.endswith(("-", "–", "—")):
                    reason[i] = "metadata fragment"
            elif i > last_body and words < cfg.max_footer_words and not _SENTENCE_END.search(t):
                reason[i] = "footer"
        # A line just before a link line that the link line repeats is the author's name.
        for i in [i for i, r in reason.items() if r == "link"]:
            if i > 0 and i - 1 not in reason and rows[i][1].startswith(rows[i - 1][1]) and i - 1 != title_i:
                reason[i - 1] = "author box"

        removed = [RemovedLine(no, t, reason[i]) for i, (no, t) in enumerate(rows) if i in reason]
        kept_lines = [t if (not t or _index_of(rows, no) not in reason) else None for no, t in lines]
        kept = _join_paragraphs(kept_lines)
        title = rows[title_i][1] if title_i is not None else None
        return kept, removed, title

    @staticmethod
    def _closing_list(rows, reason: dict[int, str], last_body: int) -> set[int]:
        """A list that ends the article ("Here is what goes up:" and its items): short,
        unpunctuated lines after the last paragraph, which the footer rule would take.
        Introduced by a line of at least 4 words ending with a colon, and at least two
        items before the next line with a reason of its own ("Suivez-nous :" then
        "Facebook" is no list: the share cue cuts it)."""
        listed: set[int] = set()
        for i in range(last_body + 1, len(rows)):
            t = rows[i][1]
            if i in reason or i in listed or not t.endswith(":") or _words(t) < 4:
                continue
            j = i + 1
            while j < len(rows) and j not in reason and not rows[j][1].endswith(":"):  # up to the next heading
                j += 1
            items = [rows[k][1] for k in range(i + 1, j)]
            # Items of a list say something ("Council tax: up to 4.99%", "- 3 morts"); a
            # site's menu or its other titles ("Politique", "Le Parisien", "TikTok") do not.
            itemised = sum(bool(_LIST_ITEM.search(item)) for item in items)
            # ...unless a sentence of the article's introduces them ("The publishers most
            # exposed, according to the report:"), not the site speaking ("nos rubriques").
            reported = _words(t) >= 6 and not cues._SITE_VOICE.search(t.lower()) and not _SITE_INTRO.search(t)
            if len(items) >= 2 and (3 * itemised >= 2 * len(items) or reported):
                listed.update(range(i, j))
        return listed

    def _is_copy(self, rows, reason: dict[int, str], repeated: list[int]) -> bool:
        """Whether the article's own body repeats across its site: nearly all its body lines
        (COPY_MIN_SHARE, and at least COPY_MIN_BODY_LINES) are in other articles too.  Then
        it is one of several copies of one story (a wire story filed twice, a page scraped
        under two names), not an article wrapped in the site's boilerplate, and removing the
        repeated lines would remove the story itself."""
        repeated_set = set(repeated)
        body = [i for i, (_, t) in enumerate(rows) if i not in reason and self._is_body(t)]
        shared = sum(1 for i in body if i in repeated_set)
        return shared >= COPY_MIN_BODY_LINES and shared >= COPY_MIN_SHARE * len(body)

    def _is_body(self, line: str) -> bool:
        words = _words(line)
        return words >= 2 * self.config.min_body_words or (words >= self.config.min_body_words and bool(_SENTENCE_END.search(line)))

    def _fill_blocks(self, rows, reason: dict[int, str]) -> None:
        """A short line between two lines cut for the same reason belongs to that block
        (the "Toujours actif" inside a cookie banner, a newsletter pitch between prompts).
        Not an article paragraph (`_is_body`), and not between one-line cuts that come
        one at a time (two ads, two datelines, two links): the paragraph between two
        "- Publicité -" is the article's."""
        for i in range(1, len(rows) - 1):
            if i in reason or _words(rows[i][1]) > 40 or self._is_body(rows[i][1]):
                continue
            before, after = reason.get(i - 1), reason.get(i + 1)
            if before and before == after and before not in _NOT_BLOCKS:
                reason[i] = before

    @staticmethod
    def _mark_duplicates_and_breadcrumbs(rows, reason: dict[int, str]) -> None:
        seen: set[str] = set()
        for i, (_, t) in enumerate(rows):
            key = " ".join(t.lower().split())
            if i not in reason and key in seen:
                reason[i] = "duplicate line"
            seen.add(key)
            # "AsieUE-Asie centrale : ..." followed by "UE-Asie centrale : ...": a
            # breadcrumb glued to the title it precedes.
            if i not in reason:
                for j in range(i + 1, min(i + 4, len(rows))):
                    nxt = rows[j][1]
                    if len(nxt) < len(t) and _words(nxt) >= 3 and t.endswith(nxt):
                        reason[i] = "breadcrumb"
                        break

    def _mark_author_box(self, rows, reason: dict[int, str]) -> None:
        """The line after a link line in the page head is the author's bio ("X vise à couvrir..."),
        unless the link is a picture ("Photo : https://….jpg"): the article's opening follows it."""
        for i, (_, t) in enumerate(rows[:-1]):
            if i not in reason and self._is_body(t):
                return  # the body has started: links from here on are article content
            if reason.get(i) == "link" and not _PICTURE_LINK.search(t) and i + 1 not in reason and _words(rows[i + 1][1]) < 40:
                reason[i + 1] = "author box"

    @staticmethod
    def _find_title(rows, reason: dict[int, str], known_title: str | None) -> int | None:
        if known_title:
            key = " ".join(known_title.lower().split())
            for i, (_, t) in enumerate(rows):
                if " ".join(t.lower().split()) == key:
                    return i
            return None
        for i, (_, t) in enumerate(rows):
            if i not in reason and _words(t) >= 3:
                return i
        return None


def _date_of_datelines(removed: list[RemovedLine]) -> str | None:
    """The page's own date stamp ("16 Décembre 2020 13:44") gives the publication date
    the clustering needs to date "27 mars"; only a full day-month-year counts."""
    from dedup.entities import extract_dates

    for line in removed:
        if line.reason == "dateline":
            full = [d for d in extract_dates(line.text) if len(d) == 10 and not d.startswith("-")]
            if full:
                return full[0]
    return None


def _index_of(rows, line_no: int) -> int:
    # rows are sorted by line number: binary search keeps cleaning linear-ish.
    lo, hi = 0, len(rows) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if rows[mid][0] == line_no:
            return mid
        if rows[mid][0] < line_no:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


def _join_paragraphs(lines: list[str | None]) -> str:
    """Kept lines, one paragraph per line, a blank line between paragraphs; removed lines vanish."""
    out: list[str] = []
    for line in lines:
        if line is None or not line:
            if out and out[-1] != "":
                out.append("")
            continue
        if out and out[-1] != "":
            out.append("")
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def _strip_markdown(text: str) -> str:
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)


# Publication dates from the page's markup only (meta tags, JSON-LD, <time>, the URL).
# trafilatura's default also searches the text, and then dates a page without metadata by
# its copyright footer ("© 2025" became 2025-01-01): a date that vetoes true links and
# misdates "27 mars".  A fixed upper bound, not today's date (htmldate's default), keeps a
# page's date the same whenever it is processed.
_HTML_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2100-12-31"}


def _extract_html(doc: Document) -> tuple[Document, str, list[RemovedLine]]:
    """Main content by trafilatura; the page's other text lines are recorded as removed
    (numbered by their block in the page's visible text, with the cue category if any)."""
    import trafilatura

    extracted: Any = trafilatura.bare_extraction(  # a trafilatura Document (its stubs also allow a dict)
        doc.text, url=doc.url, include_comments=False, include_tables=True, with_metadata=True, deduplicate=False,
        date_extraction_params=_HTML_DATE_PARAMS,
    )
    main_text = (extracted.text if extracted is not None else "") or ""
    meta: dict[str, Any] = {}
    if extracted is not None:
        meta = {
            "title": extracted.title, "url": extracted.url, "published": extracted.date,
            "source": extracted.sitename or extracted.hostname,
        }
    lang = _html_lang(doc.text)
    updates = {k: v for k, v in meta.items() if v and getattr(doc, k) is None}
    if lang and doc.lang is None:
        updates["lang"] = lang
    doc = replace(doc, **updates)
    kept_keys = {" ".join(t.split()).lower() for t in main_text.split("\n") if t.strip()}
    if doc.title:
        kept_keys.add(" ".join(doc.title.split()).lower())
    removed = []
    for no, line in enumerate(_page_lines(doc.text), start=1):
        if " ".join(line.split()).lower() not in kept_keys:
            cue = match_cue(line)
            removed.append(RemovedLine(no, line, f"outside main content (html): {cue}" if cue else "outside main content (html)"))
    if doc.title and not main_text.lstrip().startswith(doc.title):
        main_text = doc.title + "\n\n" + main_text
    return doc, main_text, removed


_BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 header footer nav section article aside main td th tr table "
    "blockquote figcaption figure button dt dd dl pre form label br hr address details summary".split()
)


def _page_lines(html: str) -> list[str]:
    """The visible text of a page, one line per block element (what a reader sees)."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    for node in root.xpath("//script|//style|//noscript|//template|//head"):
        node.drop_tree()
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
    return [" ".join(ln.split()) for ln in "".join(parts).split("\n") if ln.strip()]


_HTML_LANG = re.compile(r"<html[^>]*\slang=[\"']?([a-zA-Z]{2,3})", re.IGNORECASE)


def _html_lang(html: str) -> str | None:
    m = _HTML_LANG.search(html[:4096])
    return m.group(1).lower() if m else None


def clean(doc: Document, config: CleanerConfig | None = None, *, line_stats: LineStats | None = None) -> CleanDocument:
    """Clean one document (see `Cleaner`); pass ``line_stats`` to use corpus repetition."""
    return Cleaner(config, line_stats=line_stats).clean(doc)
