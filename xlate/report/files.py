"""Page names for the report, the run diff and the XLIFF export (files are written with
`xlate.outputs.write_atomic`).

Article ids are hostile input (they come from file names and JSONL fields), so every
file name derived from one goes through `safe_page_name`: a readable slug plus a hash
of the full id, one path component, never ``..``, never absolute.
"""
from __future__ import annotations

import hashlib
import re

from xlate.errors import OutputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SLUG_MAX = 60


def safe_page_name(item_id: str, ext: str) -> str:
    """Map an article or cluster id to one safe file name: ``<slug>-<sha256[:10]>.<ext>``.

    The slug keeps names readable; the hash keeps distinct ids distinct even when their
    slugs collide (``a/b`` and ``a_b``).  The result is a single path component that
    cannot start with a dot, so it can never be ``..`` or a hidden file.
    """
    if not isinstance(item_id, str) or not item_id:
        raise OutputError(f"cannot name a page for id {item_id!r}; ids must be non-empty strings")
    if not re.fullmatch(r"[a-z0-9]{1,8}", ext):
        raise OutputError(f"extension {ext!r} is not a plain lowercase extension like 'html'")
    slug = _UNSAFE.sub("_", item_id).strip("._-")[:_SLUG_MAX] or "item"
    digest = hashlib.sha256(item_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug}-{digest}.{ext}"
