"""The packages ship ``py.typed``, so their annotations are a promise to every script that
imports them: mypy must find nothing in them (configuration in pyproject.toml)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_packages_type_check_clean():
    pytest.importorskip("mypy")
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_py_typed_markers_ship():
    for package in ("dedup", "xlate"):
        assert (ROOT / package / "py.typed").is_file()
