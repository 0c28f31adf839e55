"""TMX 1.4 export of one translated article (opens in CAT tools: OmegaT, Trados, memoQ).

One ``<tu>`` per sentence with the source and English ``<tuv>``; the sentence index,
offsets, engine and glossary terms are ``<prop>``s, violations are ``<note>``s, and the
run properties (signature, engine...) are header ``<prop>``s.  XML 1.0 cannot carry some
control characters at all: they are written as U+FFFD and the unit gets a note saying
so, rather than an invalid file.  Written atomically.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from xlate import __version__
from xlate.errors import ConfigError, OutputError

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LANG_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _get(item: Any, name: str, default: Any = None) -> Any:
    return item.get(name, default) if isinstance(item, Mapping) else getattr(item, name, default)


def _clean(text: str) -> tuple[str, bool]:
    cleaned = _XML_INVALID.sub("\ufffd", text)
    return cleaned, cleaned != text


def tmx_bytes(article_id: str, pairs: Iterable[Any], src_lang: str, props: Mapping[str, Any], trg_lang: str = "en") -> bytes:
    from lxml import etree

    for name, tag in (("src_lang", src_lang), ("trg_lang", trg_lang)):
        if not isinstance(tag, str) or not _LANG_TAG.fullmatch(tag):
            raise ConfigError(f"{name}={tag!r} is not a language tag; use e.g. 'fr' or 'en'")
    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(root, "header", creationtool="xlate", creationtoolversion=__version__,
                              segtype="sentence", **{"o-tmf": "xlate-jsonl", "adminlang": "en", "srclang": src_lang,
                                                     "datatype": "plaintext"})
    # One prop per type: a run's props name the article too ("article" is "x-article").
    header_props = {(k if k.startswith("x-") else f"x-{k}"): v for k, v in ((str(k), v) for k, v in props.items())}
    header_props["x-article"] = article_id
    for key, value in sorted(header_props.items()):
        if value is not None:
            etree.SubElement(header, "prop", type=key).text = _clean(str(value))[0]
    body = etree.SubElement(root, "body")
    seen: set[int] = set()
    for pair in sorted(pairs, key=lambda p: _get(p, "index")):
        index = _get(pair, "index")
        if not isinstance(index, int) or index in seen:
            raise OutputError(f"article {article_id!r}: sentence index {index!r} is missing or repeated")
        seen.add(index)
        tu = etree.SubElement(body, "tu", tuid=_clean(f"{article_id}#{index}")[0])
        for key in ("index", "start", "end", "engine"):
            value = _get(pair, key)
            if value is not None:
                etree.SubElement(tu, "prop", type=f"x-{key}").text = _clean(str(value))[0]
        for term in _get(pair, "terms") or []:
            etree.SubElement(tu, "prop", type="x-term").text = _clean(f"{_get(term, 'source')} => {_get(term, 'english')}")[0]
        for v in _get(pair, "violations") or []:
            note = f"glossary violation: {_get(v, 'term')} should be {_get(v, 'expected')} ({_get(v, 'reason')})"
            etree.SubElement(tu, "note").text = _clean(note)[0]
        # The DTD puts a unit's notes and props before its variants: tu ((note|prop)*, tuv+).
        segs = [(lang, *_clean(str(text))) for lang, text in ((src_lang, _get(pair, "source") or ""),
                                                             (trg_lang, _get(pair, "english") or ""))]
        if any(changed for _, _, changed in segs):
            etree.SubElement(tu, "note").text = "characters XML cannot carry were written as U+FFFD"
        for lang, seg, _ in segs:
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            etree.SubElement(tuv, "seg").text = seg
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True,
                          doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">')


def write_tmx(path: str | os.PathLike[str], article_id: str, pairs: list[Any], src_lang: str,
              props: dict[str, Any] | None = None, *, trg_lang: str = "en") -> None:
    """Write ``pairs`` as a TMX 1.4 document at ``path`` (atomically)."""
    from xlate.outputs import write_atomic

    write_atomic(path, tmx_bytes(article_id, pairs, src_lang, props or {}, trg_lang))
