"""Decode article bytes as scrapers leave them: BOMs, UTF-16, cp1252/latin-1, CRLF.

Detection order matters: a BOM is proof; strict UTF-8 that decodes is almost surely
UTF-8 (random cp1252 bytes rarely form valid multi-byte sequences); UTF-16 without BOM
shows as NULs on every other byte; only then is a single-byte code page chosen, by
charset-normalizer among the ones newsrooms meet, never by blind fallback.
"""
from __future__ import annotations

import codecs
import re

from dedup.errors import CorpusReadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Single-byte code pages seen in European news scrapes.  cp1252 first: it is latin-1
# plus typographic quotes and the euro sign in 0x80-0x9F, where latin-1 has controls.
_SINGLE_BYTE = ("cp1252", "latin_1", "iso8859_15", "cp1250", "cp1251", "iso8859_2", "koi8_r", "cp1253", "cp1254")


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: ASCII-heavy text has NUL on every odd (LE) or even (BE) byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


# C0 controls other than the whitespace \t \n \v \f \r, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def _is_binary(text: str) -> bool:
    """Control characters other than whitespace mark binary content decoded by accident."""
    sample = text[:8192]
    if _CONTROL.search(sample) is None:  # nearly every article: one C-speed scan
        return False
    return "\x00" in sample or len(_CONTROL.findall(sample)) > max(2, len(sample) // 200)


def decode_bytes(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Return ``(text, encoding)``; newlines normalised to ``\\n``.

    Raises `CorpusReadError` for binary or undecodable input, with the fix in the message.
    """
    encoding = _detect_encoding(data, path)
    body = data
    for bom, name in _BOMS:
        if name == encoding and data.startswith(bom):
            body = data[len(bom):]
            break
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CorpusReadError(
            path, f"cannot decode as {encoding} ({exc.reason} at byte {exc.start}); re-save the file as UTF-8"
        ) from None
    if _is_binary(text):
        raise CorpusReadError(path, "binary content (control characters); remove it or convert it to UTF-8 text")
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _detect_encoding(data: bytes, path: str) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    if b"\x00" in head:
        utf16 = _looks_utf16(data)
        if utf16:
            return utf16
        raise CorpusReadError(path, "binary file (NUL bytes, not UTF-16 text); remove it or convert it to UTF-8 text")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return _detect_single_byte(data, path)


# Non-ASCII characters of Western European news text (fr, de, es, it, pt, nl...) plus
# typographic punctuation.  When a cp1252 decoding yields mostly these, it is the answer;
# statistical detectors confuse cp1252 with cp1250 on short French texts.
_WESTERN = set("àâäáãåçéèêëíìîïñóòôöõúùûüýÿæœßøÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸÆŒØ€’‘“”«»–—…°²³·§©®¿¡ªº ")


def _detect_single_byte(data: bytes, path: str) -> str:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        high = [ch for ch in text if ord(ch) > 127]
        letters = sum(ch.isalpha() for ch in text)
        # Western text is mostly ASCII letters with some accents (a short French line, "L'été
        # déjà là", a third or more); a Cyrillic or Greek page misread as cp1252 is mostly
        # high characters, or a third or more even with Latin brand names in it.
        share = 0.5 if letters < 60 else 0.3
        if high and sum(ch in _WESTERN for ch in high) >= 0.9 * len(high) and len(high) < share * max(letters, 1):
            return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_SINGLE_BYTE)).best()
    if best is None:
        raise CorpusReadError(path, "undecodable text (not UTF-8/16 nor a known code page); re-save the file as UTF-8")
    return best.encoding
