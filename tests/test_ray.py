"""The Ray executor gives the local executor's outputs, and resumes a killed run."""
import json
import shutil
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the [scale] extra (ray[data]) is not installed")

from xlate.outputs import read_jsonl  # noqa: E402
from xlate.pipeline import RunConfig, run  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ray_instance():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if shutil.which("apertium") is None:
        pytest.skip("Debian apertium is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(ROOT / "seeds", root / "seeds", ignore=shutil.ignore_patterns("*.tsv", "*.yaml", "*.md"))
    shutil.copytree(ROOT / "corpora" / "rpm2-excerpt", root / "rpm2")
    (root / "web").mkdir()
    shutil.copy(ROOT / "corpora" / "html" / "fr-second.html", root / "web")
    lines = [json.dumps({"id": "feed/1", "text": (ROOT / "seeds" / "002_3e9d996f7f80b2c1.txt").read_text(encoding="utf-8")[:3000], "lang": "fr"}),
             "{broken", json.dumps({"id": "feed/2", "text": "The minister met his counterparts in Ashgabat on Thursday to discuss trade and energy links.", "lang": "en"})]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    return root


def _config(executor):
    return RunConfig(engine="apertium", glossary=str(ROOT / "seeds" / "glossary.tsv"), executor=executor)


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in ("run.json", "tm.sqlite") and ".state" not in p.parts and "report" not in p.parts}


def test_ray_and_local_runs_write_the_same_outputs(tmp_path, corpus, ray_instance):
    local = run(corpus, tmp_path / "local", _config("local"))
    distributed = run(corpus, tmp_path / "ray", _config("ray"))
    assert (local.articles, local.clusters, local.translated) == (distributed.articles, distributed.clusters, distributed.translated)
    assert local.articles == 11 and local.exit_code == distributed.exit_code == 1
    a, b = _files(tmp_path / "local"), _files(tmp_path / "ray")
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    errors = read_jsonl(tmp_path / "ray" / "errors.jsonl")
    assert [(e["file"], e["line"]) for e in errors] == [("empty.txt", None), ("feed.jsonl", 2)]
    clusters = read_jsonl(tmp_path / "ray" / "clusters.jsonl")
    ashgabat = next(c for c in clusters if "seeds/000_2c8e8df7cb3b87a9" in c["members"])
    assert "seeds/002_3e9d996f7f80b2c1" in ashgabat["members"]
    run_json = json.loads((tmp_path / "ray" / "run.json").read_text(encoding="utf-8"))
    assert run_json["executor"] == "ray"


def test_killed_ray_run_resumes_without_redoing_finished_work(tmp_path, corpus, ray_instance):
    out = tmp_path / "out"
    first = run(corpus, out, _config("ray"))
    assert first.translated == 11 and first.resumed == 0
    before = _files(out)
    # A kill: one finished batch's state file and one article's outputs are gone.
    state_files = sorted((out / ".state" / "ray").glob("*.jsonl"))
    lost_batch = [json.loads(line)["id"] for line in state_files[0].read_text(encoding="utf-8").splitlines()]
    state_files[0].unlink()
    (out / "articles" / "rpm2" / "T03_C1_01.jsonl").unlink()
    expected_redo = set(lost_batch) | {"rpm2/T03_C1_01"}
    second = run(corpus, out, _config("ray"))
    assert second.translated == len(expected_redo)
    assert second.resumed == 11 - len(expected_redo)
    assert _files(out) == before
