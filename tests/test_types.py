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


def test_a_script_importing_the_packages_is_type_checked_against_them(tmp_path):
    # `from dedup import cluster` resolved lazily at run time; a type checker must still see
    # the real names, not Any (a script's mistakes passed unnoticed).
    pytest.importorskip("mypy")
    script = tmp_path / "newsroom_script.py"
    script.write_text(
        "from dedup import ClusterConfig, cluster\n"
        "from xlate import Glossary, Translator\n"
        "clusters = cluster({'a': 'text'}, ClusterConfig(threshold=0.2))\n"
        "first: str = clusters[0].members[0]\n"
        "wrong: int = Glossary.load('g.tsv').aliases()\n"
        "Translator(engine=5)\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent", str(script)],
                          cwd=ROOT, capture_output=True, text=True, timeout=280, env={"MYPYPATH": str(ROOT), "PATH": ""})
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["5", "6"], proc.stdout
