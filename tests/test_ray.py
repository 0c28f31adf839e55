"""The Ray executor gives the local executor's outputs, and resumes a killed run."""
import json
import pickle
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
    # The finished run left one state file, as a local run does (its batches' files merged).
    state = out / ".state" / "translated.jsonl"
    assert not list((out / ".state" / "ray").glob("*.jsonl"))
    finished = state.read_text(encoding="utf-8")
    # A kill: a batch never recorded as finished, one recorded by its actor only (a batch
    # file: not redone), and one article's outputs gone.
    lines = finished.splitlines(keepends=True)
    lost_batch = [json.loads(line)["id"] for line in lines[:3]]
    (out / ".state" / "ray" / "0123456789abcdef.jsonl").write_text("".join(lines[3:6]), encoding="utf-8")
    state.write_text("".join(lines[6:]), encoding="utf-8")
    (out / "articles" / "rpm2" / "T03_C1_01.jsonl").unlink()
    expected_redo = set(lost_batch) | {"rpm2/T03_C1_01"}
    second = run(corpus, out, _config("ray"))
    assert second.translated == len(expected_redo)
    assert second.resumed == 11 - len(expected_redo)
    assert _files(out) == before and state.read_text(encoding="utf-8") == finished


def test_a_finished_ray_run_keeps_only_the_cleaned_batches_it_used(tmp_path, corpus, ray_instance):
    out = tmp_path / "out"
    run(corpus, out, _config("ray"))
    cache = out / ".state" / "ray" / "clean"
    used = sorted(p.name for p in cache.glob("*.pkl"))
    (cache / "0123456789abcdef01234567.pkl").write_bytes(b"a batch of files since changed")
    again = run(corpus, out, _config("ray"))
    assert sorted(p.name for p in cache.glob("*.pkl")) == used and again.resumed == 11


def test_a_run_killed_before_it_finished_resumes_from_the_actors_batch_files(tmp_path, corpus, ray_instance, monkeypatch):
    # Killed after the translations, before the finished run merged its state: what the
    # actors recorded must be what the driver checks (the same translation keys).
    import xlate.pipeline

    out = tmp_path / "out"
    with monkeypatch.context() as patched:
        patched.setattr(xlate.pipeline, "_keep_this_runs_state", lambda job, records: None)
        first = run(corpus, out, _config("ray"))
    assert first.translated == 11 and list((out / ".state" / "ray").glob("*.jsonl"))
    assert not (out / ".state" / "translated.jsonl").exists()
    second = run(corpus, out, _config("ray"))
    assert (second.translated, second.resumed) == (0, 11)


# -- the partitioned steps, checked against the local code they replace (no Ray needed) ----
def _split(codes, parts):
    return [codes[codes % parts == r] for r in range(parts)]


@pytest.mark.parametrize("parts,max_postings,max_candidates", [(1, 200, 20), (3, 10, 3), (4, 12, 1)])
def test_partitioned_event_candidates_equal_event_pairs(parts, max_postings, max_candidates):
    """Keys split over partitions, weights summed per pair, top partners per article:
    the same pair set as `dedup.lsh.event_pairs`, ties included (weights summed in the same order)."""
    import numpy as np

    from dedup.lsh import event_pairs
    from xlate.executors.ray import _candidate_set, _event_candidates, _sum_pairs, _top_k

    rng = np.random.default_rng(7)
    n, vocab = 80, 30
    doc_keys = [sorted(set(rng.integers(0, vocab, size=rng.integers(0, 7)).tolist())) for _ in range(n)]
    df = np.bincount([k for ks in doc_keys for k in ks], minlength=vocab).astype(np.float64)
    idf = np.log((n + 1.0) / (df + 0.5)).clip(min=0.0)
    expected = event_pairs(doc_keys, idf, max_postings, max_candidates)
    assert len(expected) > 20  # the case has work in it

    class Config:
        pass

    config = Config()
    config.max_candidates = max_candidates
    by_part = [([], []) for _ in range(parts)]
    for doc, ks in enumerate(doc_keys):
        for k in ks:
            by_part[k % parts][0].append(f"key{k}")
            by_part[k % parts][1].append(doc)
    cands = []
    for keys, docs in by_part:
        codes, dfs, weights = _event_candidates(keys, np.asarray(docs, dtype=np.int64), n, max_postings)
        cands.append([(np.zeros(0, np.int64), codes[codes % parts == r], dfs[codes % parts == r], weights[codes % parts == r])
                      for r in range(parts)])
    sums = [_sum_pairs(parts, *[c[r] for c in cands]) for r in range(parts)]
    kept = [_top_k(config, parts, *[s[1 + r] for s in sums]) for r in range(parts)]
    got = np.concatenate([_candidate_set(1, n, s[0], *[k[r] for k in kept])[1] for r, s in enumerate(sums)])
    assert np.array_equal(np.sort(got), expected)


@pytest.mark.parametrize("parts,cap", [(1, 64), (3, 64), (2, 3)])
def test_partitioned_lsh_pairs_equal_lsh_pairs(parts, cap, monkeypatch):
    import numpy as np

    import xlate.executors.ray as executor
    from dedup.lsh import band_keys, lsh_pairs

    monkeypatch.setattr(executor, "LSH_CAP", cap)
    rng = np.random.default_rng(3)
    matrix = rng.integers(0, 50, size=(60, 12), dtype=np.uint32)
    matrix[10:18] = matrix[2]  # a bucket of 9 copies (over a cap of 3)
    matrix[30, :6] = matrix[31, :6]  # shares some bands only
    keys = band_keys(matrix, 4, 3)
    expected = lsh_pairs(keys, cap=cap)
    assert len(expected) > 20  # 36 pairs among the copies, 22 under a cap of 3

    class Config:
        max_postings = 200

    band = np.tile(np.arange(4), 60)
    key, doc = keys.ravel(), np.repeat(np.arange(60, dtype=np.int64), 4)
    part = (key % np.uint64(parts)).astype(np.int64)
    no_events = ([], np.zeros(0, np.int64))
    got = [executor._candidates(60, Config, parts, 1, (band[part == r], key[part == r], doc[part == r]), no_events)
           for r in range(parts)]
    lsh = np.concatenate([piece[0] for g in got for piece in g])
    assert np.array_equal(np.unique(lsh), expected)  # a pair found in several bands: one candidate


# -- whole runs on a corpus that splits into many batches, blocks and partitions ----------
def _generated_corpus(root: Path) -> Path:
    """Three sites with their own header/footer lines, near-copies across sites (clusters),
    a duplicate id (x.md and x.txt), JSONL files with a broken line, a repeated id and an id
    repeated in other case, and
    a page that is all boilerplate."""
    import random
    import re

    text = " ".join((ROOT / "corpora" / "rpm2-excerpt" / name).read_text(encoding="utf-8-sig")
                    for name in sorted(p.name for p in (ROOT / "corpora" / "rpm2-excerpt").glob("*.txt")))
    text += " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("0*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 40 < len(s.strip()) < 400]
    rng = random.Random(5)
    corpus = root / "gen"
    bodies = []
    for i in range(30):
        site = f"site{i % 3}"
        if i >= 6 and i % 5 == 0:
            body = bodies[rng.randrange(len(bodies))]
            body = body[: int(len(body) * 0.85)]
        else:
            body = "\n".join(rng.sample(sentences, 6))
        bodies.append(body)
        page = [f"Accueil | {site} | Monde", "Se connecter", body.split("\n")[0][:80], body, f"© 2025 {site} – tous droits réservés"]
        (corpus / site).mkdir(parents=True, exist_ok=True)
        (corpus / site / f"a{i:02d}.txt").write_text("\n".join(page) + "\n", encoding="utf-8")
    (corpus / "site0" / "a03.md").write_text("# Un autre texte\n\n" + bodies[7] + "\n", encoding="utf-8")
    (corpus / "site1" / "menu.txt").write_text("Accueil | site1 | Monde\nSe connecter\n© 2025 site1 – tous droits réservés\n",
                                                encoding="utf-8")
    feed = [json.dumps({"id": f"feed/{k}", "text": bodies[k] + "\n" + bodies[k + 1], "lang": "fr"}) for k in range(4)]
    (corpus / "feed-1.jsonl").write_text("\n".join(feed[:2] + ["{not json"] + feed[2:]) + "\n", encoding="utf-8")
    feed_2 = [feed[1], json.dumps({"id": "feed/9", "text": bodies[20]}), json.dumps({"id": "Feed/9", "text": bodies[21]})]
    (corpus / "feed-2.jsonl").write_text("\n".join(feed_2) + "\n", encoding="utf-8")
    return corpus


@pytest.fixture
def small_partitions(monkeypatch):
    import xlate.executors.ray as executor

    monkeypatch.setattr(executor, "FILES_PER_TASK", 4)
    monkeypatch.setattr(executor, "BLOCK_DOCS", 5)
    monkeypatch.setattr(executor, "PARTITIONS", 3)


def test_many_partitions_give_the_local_outputs(tmp_path, ray_instance, small_partitions):
    corpus = _generated_corpus(tmp_path)
    local = run(corpus, tmp_path / "local", RunConfig(translate=False))
    distributed = run(corpus, tmp_path / "ray", RunConfig(translate=False, executor="ray"))
    assert local.articles == distributed.articles == 35  # 30 ids of pages (a03.md wins over a03.txt) + 5 distinct JSONL ids
    assert local.clusters == distributed.clusters < 30
    a, b = _files(tmp_path / "local"), _files(tmp_path / "ray")
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    errors = read_jsonl(tmp_path / "ray" / "errors.jsonl")
    assert [(e["file"], e["line"], e["id"], e["stage"]) for e in errors] == [
        ("feed-1.jsonl", 3, None, "read"), ("feed-2.jsonl", 1, "feed/1", "read"), ("feed-2.jsonl", 3, "Feed/9", "read"),
        ("site0/a03.txt", None, "site0/a03", "read"), ("site1/menu.txt", None, "site1/menu", "clean")]
    assert "(also site0/a03.md, read first)" in errors[3]["reason"]  # the same words as the local reader's
    assert "'Feed/9' differs only in case from 'feed/9' (feed-2.jsonl:2, read first)" in errors[2]["reason"]
    clusters = read_jsonl(tmp_path / "ray" / "clusters.jsonl")
    # Clusters list size - 1 joining links, fewer than their linked pairs: Ray wrote the
    # reasons of the same links as the local run, picked across blocks of 5 articles.
    assert all(len(c["links"]) == c["size"] - 1 and all(x["reasons"] for x in c["links"]) for c in clusters)
    assert any(c["linked_pairs"] > len(c["links"]) for c in clusters)


def test_rerun_skips_finished_clean_batches_and_redoes_lost_ones(tmp_path, ray_instance, small_partitions):
    corpus = _generated_corpus(tmp_path)
    out = tmp_path / "out"
    run(corpus, out, RunConfig(translate=False, executor="ray"))
    before = _files(out)
    states = sorted((out / ".state" / "ray" / "clean").glob("*.pkl"))
    assert len(states) == 9  # 34 files in batches of 4: one state per batch
    stamps = {p: p.stat().st_mtime_ns for p in states}
    holder = next(p for p in states if "site0/a00" in [r["id"] for r in pickle.loads(p.read_bytes())["records"]])
    lost = {states[0], states[1], holder}
    states[0].unlink()  # a batch lost by a kill
    states[1].write_bytes(states[1].read_bytes()[:50])  # a state cut short: redone, not trusted
    (out / "cleaned" / "site0" / "a00.txt").unlink()  # an output gone: its batch is redone
    run(corpus, out, RunConfig(translate=False, executor="ray"))
    assert _files(out) == before
    after = sorted((out / ".state" / "ray" / "clean").glob("*.pkl"))
    assert after == states
    assert {p for p in states if p.stat().st_mtime_ns != stamps[p]} == lost


def test_ray_that_fails_to_start_is_a_typed_error_and_closes_the_run(tmp_path, corpus, monkeypatch):
    from xlate import pipeline
    from xlate.executors import ExecutorError

    def refuse(*args, **kwargs):
        raise ConnectionError("Could not find any running Ray instance.\nPlease specify the one to connect to.")

    closed = []
    close = pipeline.Job.close
    monkeypatch.setattr(pipeline.Job, "close", lambda job: closed.append(job.out) or close(job))
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", refuse)
    with pytest.raises(ExecutorError, match=r"^could not start a local Ray instance: ConnectionError: "
                                            r"Please specify the one to connect to\.; check --address, or run with --executor local$"):
        run(corpus, tmp_path / "out", _config("ray"))
    assert closed == [tmp_path / "out"]  # the translator (and its memory) closed on the way out


def test_a_cleaned_batch_is_reused_only_by_the_same_cleaner_and_langid(tmp_path, monkeypatch):
    # Resuming reuses a batch's saved cleaning when its key matches: the key must change with
    # the cue tables (not only the cleaner's thresholds) and with how langid reads articles.
    from dedup import cleaner as cleaner_module
    from dedup.config import ClusterConfig
    from dedup import langid
    from xlate.executors.ray import _batch_key

    article = tmp_path / "a.txt"
    article.write_text("Un titre\n\nUn texte.", encoding="utf-8")

    def key() -> str:
        return _batch_key([str(article)], set(), RunConfig(engine="apertium"), ClusterConfig(), None, "stats")

    base = key()
    assert key() == base
    monkeypatch.setattr(cleaner_module, "_rules_digest", lambda: "0000beef")
    assert key() != base
    monkeypatch.undo()
    monkeypatch.setattr(langid, "MAX_CHARS", 300)
    assert key() != base
    monkeypatch.undo()
    assert key() == base
