"""Static reviewer site for an OUT folder: `build_report(out_dir) -> Path` (index.html).

Importing this package is cheap; the builder (and rapidfuzz/numpy for cluster alignment)
loads on first call.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["build_report"]


def build_report(out_dir: str | os.PathLike[str], *, dest: str | os.PathLike[str] | None = None, **kwargs: Any) -> Path:
    """Write the report for the run in ``out_dir`` (into ``dest``, default ``OUT/report``);
    return the path of its ``index.html``.  ``config=ReportConfig(...)`` tunes alignment."""
    from xlate.report.build import build_report as _build

    return _build(out_dir, dest=dest, **kwargs)
