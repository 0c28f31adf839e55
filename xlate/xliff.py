"""XLIFF 2.0 export of one translated article, for CAT tools.

One ``<file>`` per article, one ``<unit>`` per sentence with a single ``<segment>``.
Glossary terms are marked in the source with ``<mrk type="term">`` and listed with the
Glossary module (``gls:``); violations become ``<note category="violation">``; run
properties (signature, engine...) go in the Metadata module (``mda:``).  Characters that
XML 1.0 forbids are written as ``<cp hex="..."/>`` as the XLIFF 2.0 core requires, so no
article text is lost or silently altered.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from xlate.errors import ConfigError, OutputError
from xlate.outputs import write_atomic
from xlate.report.spans import field, source_term_spans, split_by_spans

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
GLS_NS = "urn:oasis:names:tc:xliff:glossary:2.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_NSMAP = {None: XLIFF_NS, "mda": MDA_NS, "gls": GLS_NS}

# Code points XML 1.0 cannot carry at all (C0 controls except tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LANG_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def write_xliff(
    path: str | os.PathLike[str],
    article_id: str,
    pairs: Iterable[Any],
    src_lang: str | None,
    props: Mapping[str, Any] | None = None,
    *,
    trg_lang: str = "en",
) -> Path:
    """Write ``pairs`` (sentence records: objects or dicts with ``index``, ``source``,
    ``english``, ``terms``, ``violations``) as an XLIFF 2.0 document at ``path``, atomically.

    ``src_lang`` is the article's BCP 47 language (``None`` writes ``und``, undetermined);
    ``props`` are run properties (signature, engine, url...) kept as metadata.
    Returns the path written.
    """
    src = _lang(src_lang if src_lang is not None else "und", "src_lang")
    trg = _lang(trg_lang, "trg_lang")
    if not isinstance(article_id, str) or not article_id:
        raise OutputError(f"article_id must be a non-empty string, got {article_id!r}")
    data = xliff_bytes(article_id, pairs, src, props or {}, trg)
    return write_atomic(path, data)


def xliff_bytes(article_id: str, pairs: Iterable[Any], src_lang: str, props: Mapping[str, Any], trg_lang: str = "en") -> bytes:
    """The XLIFF document as UTF-8 bytes (what `write_xliff` writes)."""
    from lxml import etree

    root = etree.Element(f"{{{XLIFF_NS}}}xliff", nsmap=_NSMAP)
    root.set("version", "2.0")
    root.set("srcLang", src_lang)
    root.set("trgLang", trg_lang)
    file_el = etree.SubElement(root, f"{{{XLIFF_NS}}}file", id="f1", original=_attr(article_id))
    props_items = sorted((str(k), v) for k, v in props.items() if v is not None)
    if props_items:
        metadata = etree.SubElement(file_el, f"{{{MDA_NS}}}metadata")
        group = etree.SubElement(metadata, f"{{{MDA_NS}}}metaGroup", category="xlate")
        for key, value in props_items:
            meta = etree.SubElement(group, f"{{{MDA_NS}}}meta", type=_attr(key))
            meta.text = _attr(str(value))

    records = sorted((_as_record(p) for p in pairs), key=_index_of)
    seen: set[int] = set()
    for record in records:
        index = _index_of(record)
        if index in seen:
            raise OutputError(f"article {article_id!r}: two sentences have index {index}; indexes must be unique")
        seen.add(index)
        _unit(file_el, record, index)
    if not records:
        # A <file> needs at least one unit: an article whose every line was boilerplate
        # gets one empty, ignorable unit saying so instead of an invalid document.
        unit = etree.SubElement(file_el, f"{{{XLIFF_NS}}}unit", id="empty")
        notes = etree.SubElement(unit, f"{{{XLIFF_NS}}}notes")
        etree.SubElement(notes, f"{{{XLIFF_NS}}}note", category="xlate").text = "article has no sentences to translate"
        ignorable = etree.SubElement(unit, f"{{{XLIFF_NS}}}ignorable")
        etree.SubElement(ignorable, f"{{{XLIFF_NS}}}source")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _unit(file_el: Any, record: Any, index: int) -> None:
    from lxml import etree

    source = str(field(record, "source") or "")
    english = field(record, "english")
    terms = list(field(record, "terms") or ())
    violations = list(field(record, "violations") or ())
    sentence_start = field(record, "start")
    spans = source_term_spans(source, terms, sentence_start if isinstance(sentence_start, int) else None)

    unit = etree.SubElement(file_el, f"{{{XLIFF_NS}}}unit", id=f"u{index}")
    marker_ids = {span: f"m{n}" for n, span in enumerate(spans, start=1)}
    if spans:
        glossary = etree.SubElement(unit, f"{{{GLS_NS}}}glossary")
        for span in spans:
            entry = etree.SubElement(glossary, f"{{{GLS_NS}}}glossEntry", ref=f"#{marker_ids[span]}")
            etree.SubElement(entry, f"{{{GLS_NS}}}term", source="xlate-glossary").text = _attr(span.source)
            if span.english:
                etree.SubElement(entry, f"{{{GLS_NS}}}translation").text = _attr(span.english)
    if violations:
        notes = etree.SubElement(unit, f"{{{XLIFF_NS}}}notes")
        for violation in violations:
            term = field(violation, "term") or ""
            expected = field(violation, "expected") or ""
            reason = field(violation, "reason") or ""
            note = etree.SubElement(notes, f"{{{XLIFF_NS}}}note", category="violation", priority="1")
            note.text = _attr(f"glossary term {term!s} should be {expected!s} in the translation: {reason!s}")
    state = "translated" if english else "initial"
    segment = etree.SubElement(unit, f"{{{XLIFF_NS}}}segment", id=f"s{index}", state=state)
    source_el = etree.SubElement(segment, f"{{{XLIFF_NS}}}source")
    source_el.set(f"{{{XML_NS}}}space", "preserve")
    for piece, marked in split_by_spans(source, spans):
        if marked is None:
            _append_text(source_el, piece)
        else:
            mrk = etree.SubElement(source_el, f"{{{XLIFF_NS}}}mrk", id=marker_ids[marked], type="term")
            _append_text(mrk, piece)
    if english:
        target_el = etree.SubElement(segment, f"{{{XLIFF_NS}}}target")
        target_el.set(f"{{{XML_NS}}}space", "preserve")
        _append_text(target_el, str(english))


def _append_text(element: Any, text: str) -> None:
    """Append ``text`` as mixed content, turning XML-invalid code points into ``<cp>``."""
    from lxml import etree

    pos = 0
    for match in _XML_INVALID.finditer(text):
        _add_plain(element, text[pos:match.start()])
        etree.SubElement(element, f"{{{XLIFF_NS}}}cp", hex=f"{ord(match.group()):04X}")
        pos = match.end()
    _add_plain(element, text[pos:])


def _add_plain(element: Any, text: str) -> None:
    if not text:
        return
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def _attr(text: str) -> str:
    # Attributes and notes have no <cp>: replace what XML cannot hold, visibly.
    return _XML_INVALID.sub("\ufffd", text)


def _as_record(pair: Any) -> Any:
    # A translator's pair object serialises itself exactly as the sentence JSONL does;
    # using that keeps the XLIFF and the JSONL from ever disagreeing.
    if not isinstance(pair, Mapping) and callable(getattr(pair, "to_json", None)):
        return pair.to_json()
    return pair


def _index_of(record: Any) -> int:
    index = field(record, "index")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise OutputError(f"sentence record has index {index!r}; each needs a non-negative integer index")
    return index


def _lang(tag: str, name: str) -> str:
    if not isinstance(tag, str) or not _LANG_TAG.fullmatch(tag):
        raise ConfigError(f"{name}={tag!r} is not a BCP 47 language tag; use e.g. 'fr', 'pt-BR' or 'und'")
    return tag
