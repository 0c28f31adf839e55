"""HTML page skeleton and escaping shared by the report and the run-diff page.

Pages carry no script at all and a Content-Security-Policy that allows only the page's
own inline stylesheet (by hash): even if some text escaped escaping, a browser would run
nothing from it.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
import string
from functools import lru_cache
from importlib import resources
from urllib.parse import quote

from xlate.report.spans import Span, split_by_spans

GENERATOR = "xlate-report/1"


# Characters HTML forbids in text (controls other than tab, newline and return, and lone
# surrogates): shown as U+FFFD, as the TMX and XLIFF writers do.
_NOT_HTML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def esc(value: object) -> str:
    """Escape any value for HTML text or a double-quoted attribute."""
    return html.escape(_NOT_HTML.sub("\ufffd", "" if value is None else str(value)), quote=True)


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("xlate.report").joinpath("assets", name).read_text(encoding="utf-8")


def stylesheet() -> str:
    return _asset("report.css")


def content_security_policy(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; base-uri 'none'; form-action 'none'"


def page(title: str, body: str, *, crumbs: str = "", footer: str = "") -> str:
    """A complete HTML document; ``body``, ``crumbs`` and ``footer`` are already-escaped HTML."""
    css = stylesheet()
    return string.Template(_asset("page.html")).substitute(
        csp=esc(content_security_policy(css)),
        generator=esc(GENERATOR),
        title=esc(title),
        css=css,
        crumbs=crumbs,
        body=body,
        footer=footer,
    )


def href(relative_path: str) -> str:
    """A relative link to a file we wrote, percent-encoded and attribute-escaped."""
    return esc(quote(relative_path, safe="/"))


def external_link(url: object) -> str:
    """A link for an http(s) URL; anything else (javascript:, data:...) shows as text."""
    text = "" if url is None else str(url)
    if text.lower().startswith(("http://", "https://")):
        return f'<a href="{esc(text)}" rel="noopener noreferrer nofollow">{esc(text)}</a>'
    return esc(text)


def highlighted(text: str, spans: list[Span], *, kind: str) -> str:
    """``text`` escaped, with each glossary span wrapped in ``<mark class="term">``."""
    out = []
    for piece, span in split_by_spans(text, spans):
        if span is None:
            out.append(esc(piece))
        else:
            tip = f"glossary: {span.source} \u2192 {span.english}" if kind == "source" else f"glossary: {span.english} \u2190 {span.source}"
            out.append(f'<mark class="term" title="{esc(tip)}">{esc(piece)}</mark>')
    return "".join(out)
