"""File helpers shared by the report, the run diff and the XLIFF export.

Article ids are hostile input (they come from file names and JSONL fields), so every
file name derived from one goes through `safe_page_name`: a readable slug plus a hash
of the full id, one path component, never ``..``, never absolute.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

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


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and `os.replace`.

    A reader never sees a half-written file; a crash leaves the old file (or none).
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}; check the folder exists and is writable") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))
