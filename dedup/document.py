"""The records that stream through the pipeline.

A `Document` is what the reader produced; a `CleanDocument` is the same article after
boilerplate removal, carrying every removed line with its reason so a reviewer can audit
the cleaner.  Both are immutable: steps return new objects instead of mutating.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One article as read.

    ``id`` is stable: the path relative to the corpus root without extension (or the
    ``id`` field of a JSONL line).  ``path`` says where it came from (``file`` or
    ``file:line`` for JSONL).  ``source`` is the outlet/site, used to find lines that
    repeat across one site's pages.  ``published`` is the article's own date, ISO
    (``2025-04-25``, a time part may follow; `dedup.reader.publication_date` converts
    spelled dates): clustering treats articles published far apart as other events.
    """

    id: str
    text: str
    title: str | None = None
    lang: str | None = None
    url: str | None = None
    published: str | None = None
    source: str | None = None
    path: str | None = None
    format: str = "txt"  # txt | md | html | jsonl
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        # "HTML" from a caller's script is html: read as text, its title was '<p>…'.
        if isinstance(self.format, str) and self.format != self.format.lower():
            object.__setattr__(self, "format", self.format.lower())

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "title": self.title,
            "lang": self.lang,
            "url": self.url,
            "published": self.published,
            "source": self.source,
            "path": self.path,
            "format": self.format,
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class RemovedLine:
    """A line the cleaner dropped: its 1-based number in the raw text, the text, why."""

    line_no: int
    text: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line_no, "text": self.text, "reason": self.reason}


@dataclass(frozen=True)
class CleanDocument:
    """An article after cleaning.

    ``text`` is the kept lines joined by newlines (paragraphs separated by blank
    lines); ``title`` is the article's title (the document's own, or the first kept
    heading-like line); ``removed`` lists every dropped line with its reason.
    """

    doc: Document
    text: str
    title: str | None
    removed: tuple[RemovedLine, ...] = ()
    published: str | None = None  # the article's own date: the document's, or its page markup's
    # A date read off a removed date-stamp line: the article's, or the site's of the day the
    # page was scraped (no way to tell), so it only dates year-less mentions ("27 mars").
    date_stamp: str | None = None

    @property
    def id(self) -> str:
        return self.doc.id

    @property
    def lang(self) -> str | None:
        return self.doc.lang

    @property
    def source(self) -> str | None:
        return self.doc.source

    def with_lang(self, lang: str) -> "CleanDocument":
        from dataclasses import replace

        return replace(self, doc=replace(self.doc, lang=lang))
