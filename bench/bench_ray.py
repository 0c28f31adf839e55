"""Local vs Ray executor on the same synthetic corpus, same process; per-stage costs; a paper
estimate for 10M articles.

    .venv/bin/python bench/bench_ray.py [--n 100000] [--num-cpus 2] [--profile-n 20000]

1. Corpus: ``n`` synthetic ~2 KB French articles written as .txt files under site
   sub-folders (``site07/a0001234.txt``): a site navigation line, a title, a date line,
   paragraphs of real sentences sampled with a fixed seed from rpm2-dev, and a site
   footer (so the site-repeated-line cleaning has work).  ``--dup-share`` of them are
   near-duplicate copies of an earlier article on another site (body cut to ~80%, a few
   words changed), so clusters exist.
2. `xlate.pipeline.run` with ``RunConfig(translate=False)``: the local executor, then the
   Ray executor on a local instance started here (``ray.init(num_cpus=...)``).  Wall time
   per stage comes from the run's progress callback (time of each stage's last tick);
   peak RSS of the driver and of the processes it started (Ray workers, raylet/GCS, local
   fingerprint workers) is sampled with psutil every second.  Both runs must write
   byte-identical clusters.jsonl, documents.jsonl, errors.jsonl, cleaned/ and removed/.
3. Translation: 20 real articles (the 5 seeds and 15 rpm2-dev articles), engine apertium
   with the seed glossary, translate=True minus translate=False: seconds per article; the
   same 20 through the Ray executor's translation actors, outputs compared.
4. Per-stage costs: the library functions the executors call, timed directly on a sample
   of ``--profile-n`` articles in this process (read, line statistics, clean+langid+write,
   fingerprint, LSH band rows and bucket pairing, event-key candidates, verification per
   pair with and without the local vector cache, grouping, and the Ray driver's serial
   steps).  The sample's clustering is checked against `dedup.cluster_fingerprints`.
5. Memory per translation actor: a Translator built in a fresh process for apertium, and
   for Marian and CTranslate2 on a random-weight model of opus-mt-fr-en's full size
   (tests/marian_fixture.build_marian: d_model 512, 6+6 layers, vocab 59514).
6. A paper estimate for 10M articles on 1, 8 and 64 workers from the measured per-article
   costs (assumptions are printed with it).

Writes bench/results/ray.md (the table printed at the end).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
RPM2 = CORPORA / "rpm2-dev"
RESULTS = ROOT / "bench" / "results" / "ray.md"
GLOSSARY = ROOT / "seeds" / "glossary.tsv"
TARGET_N = 10_000_000
WORKERS = (1, 8, 64)
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
EDITS = (("a déclaré", "a indiqué"), (" mais ", " cependant "), (" très ", " fort "), ("selon", "d'après"))


# -- 1. corpus ---------------------------------------------------------------------------
def load_sentences() -> list[str]:
    """Body sentences of rpm2-dev (first line of each file is its title, skipped)."""
    sentences: list[str] = []
    for path in sorted(RPM2.glob("T*.txt")):
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        body = text.split("\n", 1)[1] if "\n" in text else text
        for s in re.split(r"(?<=[.!?»])\s+", body):
            s = " ".join(s.split())
            if 40 <= len(s) <= 400:
                sentences.append(s)
    if not sentences:
        raise SystemExit(f"no sentences under {RPM2}; is /work/shared/corpora there?")
    return sentences


def site_chrome(site: str) -> tuple[str, list[str]]:
    nav = f"Accueil | Monde | Politique | Économie | Culture | {site.capitalize()} Info"
    footer = [f"© 2025 {site.capitalize()} Info — Tous droits réservés", "Partager sur Facebook Twitter LinkedIn",
              f"Newsletter {site.capitalize()} Info"]
    return nav, footer


def make_corpus(root: Path, n: int, sites: int, dup_share: float, seed: int = 0) -> dict[str, Any]:
    """Write ``n`` articles under ``root``; returns counts (articles, copies, bytes)."""
    sentences = load_sentences()
    rng = random.Random(seed)
    originals: list[tuple[str, str, list[str]]] = []  # (site, title, body sentences)
    copies = total_bytes = 0
    for s in range(sites):
        (root / f"site{s:02d}").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        site = f"site{rng.randrange(sites):02d}"
        date = f"{rng.randint(1, 28)} {MONTHS[rng.randrange(12)]} 2025"
        if i > 20 and rng.random() < dup_share:
            src_site, title, body = originals[rng.randrange(len(originals))]
            while site == src_site:  # syndication: the copy is on another site
                site = f"site{rng.randrange(sites):02d}"
            body = body[: max(3, int(len(body) * 0.8))]
            old, new = EDITS[rng.randrange(len(EDITS))]
            body = [x.replace(old, new) for x in body]
            copies += 1
        else:
            words = sentences[rng.randrange(len(sentences))].rstrip(".!?»").split()
            title = " ".join(words[: rng.randint(6, 11)])
            body, size = [], 0
            while size < 1800:
                x = sentences[rng.randrange(len(sentences))]
                body.append(x)
                size += len(x) + 1
            originals.append((site, title, body))
        nav, footer = site_chrome(site)
        paragraphs = [" ".join(body[k : k + 3]) for k in range(0, len(body), 3)]
        text = "\n".join([nav, title, date, "", "\n\n".join(paragraphs), "", *footer]) + "\n"
        data = text.encode("utf-8")
        (root / site / f"a{i:07d}.txt").write_bytes(data)
        total_bytes += len(data)
    return {"articles": n, "copies": copies, "bytes": total_bytes, "sentence_pool": len(sentences)}


# -- 2. runs -----------------------------------------------------------------------------
class StageClock:
    """Progress callback: the time of each stage's last tick and its last count."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.last: dict[str, float] = {}
        self.count: dict[str, int] = {}

    def __call__(self, stage: str, n: int) -> None:
        self.last[stage] = time.perf_counter()
        self.count[stage] = n


class ProcessSampler:
    """Peak RSS and CPU time of this process and of the processes it started, sampled every
    ``interval`` (psutil; without it, driver-only figures from getrusage).

    Ray workers are the processes titled ``ray::...``; "system" is everything else started
    from here (raylet, GCS, a local run's spawned fingerprint workers).  RSS counts shared
    pages (Ray's object store is shared memory) in every process that maps them, so sums
    over processes overstate; the largest single worker does not.  CPU seconds (user +
    system) are what the run consumed whatever else the machine was doing: other jobs
    slow the wall clock, not this count.  A process that exits between two samples loses
    at most ``interval`` of its CPU time.
    """

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.peak = {"driver": 0, "workers_sum": 0, "worker_max": 0, "system_sum": 0, "workers_n": 0}
        self.cpu = {"driver": 0.0, "workers": 0.0, "system": 0.0, "waited": 0.0}
        self._base: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._kind: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._usage0 = resource.getrusage(resource.RUSAGE_SELF)
        self._children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            import psutil

            self._me = psutil.Process()
        except ImportError:
            self._me = None

    def __enter__(self) -> "ProcessSampler":
        if self._me is not None:
            self._sample()
            self._base = dict(self._last)  # processes already running (a warm Ray instance) count from here
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        # Short-lived subprocesses the driver waited for (apertium's pipeline in a local run).
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu["waited"] = children.ru_utime + children.ru_stime - self._children0.ru_utime - self._children0.ru_stime
        if self._me is None:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            self.cpu["driver"] = usage.ru_utime + usage.ru_stime - self._usage0.ru_utime - self._usage0.ru_stime
            return
        self._thread.join()
        self._sample()
        for pid, last in self._last.items():
            self.cpu[self._kind[pid]] += last - self._base.get(pid, 0.0)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        import psutil

        try:
            driver = self._me.memory_info().rss
            times = self._me.cpu_times()
            kids = self._me.children(recursive=True)
        except psutil.Error:
            return
        self._last[self._me.pid] = times.user + times.system
        self._kind[self._me.pid] = "driver"
        workers, system = [], []
        for p in kids:
            try:
                with p.oneshot():
                    rss = p.memory_info().rss
                    t = p.cpu_times()
                    argv = p.cmdline() or [p.name()]
                    title, cmd = argv[0], " ".join(argv)
                    direct = p.ppid() == self._me.pid
            except psutil.Error:
                continue
            kind = "workers" if title.startswith("ray::") else "system"
            (workers if kind == "workers" else system).append(rss)
            if kind == "system" and direct and "ray" not in cmd:
                continue  # waited for by the driver (a fingerprint pool, apertium): counted in RUSAGE_CHILDREN
            self._last[p.pid] = t.user + t.system
            self._kind[p.pid] = kind
        peak = self.peak
        peak["driver"] = max(peak["driver"], driver)
        peak["workers_sum"] = max(peak["workers_sum"], sum(workers))
        peak["worker_max"] = max(peak["worker_max"], max(workers, default=0))
        peak["workers_n"] = max(peak["workers_n"], len(workers))
        peak["system_sum"] = max(peak["system_sum"], sum(system))


def timed_run(corpus: Path, out: Path, config) -> dict[str, Any]:
    from xlate.pipeline import run

    clock = StageClock()
    with ProcessSampler() as sampler:
        summary = run(corpus, out, config, progress=clock)
    end = time.perf_counter()
    return {"total": end - clock.start, "last": {k: v - clock.start for k, v in clock.last.items()}, "count": dict(clock.count),
            "summary": summary, "rss": sampler.peak, "cpu": sampler.cpu, "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def tree_digest(root: Path) -> tuple[int, str]:
    """(files, sha256 over relative paths and bytes) of a folder, in sorted order."""
    h = hashlib.sha256()
    count = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        count += 1
    return count, h.hexdigest()


def compare_outputs(a: Path, b: Path, names=("clusters.jsonl", "documents.jsonl", "errors.jsonl"), trees=("cleaned", "removed", "articles")) -> dict[str, str]:
    verdict: dict[str, str] = {}
    for name in names:
        verdict[name] = "identical" if (a / name).read_bytes() == (b / name).read_bytes() else "DIFFERENT"
    for tree in trees:
        if (a / tree).exists() or (b / tree).exists():
            ca, da = tree_digest(a / tree)
            cb, db = tree_digest(b / tree)
            verdict[f"{tree}/"] = f"identical ({ca} files)" if da == db else f"DIFFERENT ({ca} vs {cb} files)"
    return verdict


def snapshot_sources(dest: Path, source: str) -> str:
    """Copy the library (dedup/, xlate/) to ``dest``: git HEAD (default) or the working tree.

    The driver, the Ray workers (through PYTHONPATH) and the memory probes all import this
    copy, so other sessions editing the checkout while the bench runs cannot mix versions.
    Returns a description for the report.
    """
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "dedup", "xlate"],
                           capture_output=True, text=True).stdout.strip()
    dest.mkdir(parents=True, exist_ok=True)
    if source == "head":
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD", "dedup", "xlate"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
        note = f"git HEAD {head}" + (" (the checkout had uncommitted library changes, not measured)" if dirty else "")
    else:
        for pkg in ("dedup", "xlate"):
            shutil.copytree(ROOT / pkg, dest / pkg, ignore=shutil.ignore_patterns("__pycache__"))
        note = f"working tree on {head}" + (" with uncommitted library changes" if dirty else "")
    return note


def _default_max_candidates() -> int:
    from dedup.config import ClusterConfig

    return ClusterConfig().max_candidates


def _default_max_postings() -> int:
    from dedup.config import ClusterConfig

    return ClusterConfig().max_postings


def imported_from(module) -> str:
    return str(Path(module.__file__).resolve().parent.parent)


def _worker_sources() -> tuple[list[str], int]:
    """Where a Ray worker imports the library from (must be the snapshot), and the RSS of
    that worker with the pipeline imported (what a translation actor starts from)."""
    import dedup
    import xlate
    import xlate.pipeline  # noqa: F401

    with open("/proc/self/status") as fh:
        rss = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))
    return sorted({imported_from(dedup), imported_from(xlate)}), rss


# -- 3. translation ----------------------------------------------------------------------
def real_corpus(root: Path, n_rpm2: int = 15) -> Path:
    (root / "seeds").mkdir(parents=True)
    (root / "rpm2").mkdir()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(path, root / "seeds" / path.name)
    files = sorted(RPM2.glob("T*.txt"))
    step = max(1, len(files) // n_rpm2)
    for path in files[::step][:n_rpm2]:
        shutil.copy(path, root / "rpm2" / path.name)
    return root


# -- 4. per-stage costs ------------------------------------------------------------------
def profile(files: list[Path], base: Path, tmp: Path, cluster_config) -> dict[str, Any]:
    """CPU seconds of each library step on ``files`` (one process) plus counts.

    Only public library steps (`dedup`, `xlate.pipeline`) are timed, not the executors'
    internals: both executors are built from these steps, and how the Ray executor splits
    them between workers and driver is stated in the report, not assumed here.
    """
    import tracemalloc

    import numpy as np

    from dedup.cleaner import Cleaner, CleanerConfig, LineStats
    from dedup.clustering import cluster_fingerprints, clusters_from_links
    from dedup.fingerprint import as_input, fingerprint_batch
    from dedup.lsh import band_keys, event_pairs, lsh_pairs, merge_pairs
    from dedup.reader import read_file
    from dedup.verify import CorpusStats, Link, PairScorer, event_keys
    from dedup.langid import detect_many
    from xlate.outputs import write_jsonl
    from xlate.pipeline import clean_many

    pc = time.process_time  # CPU seconds of this process: other jobs on the machine do not inflate them
    t: dict[str, float] = {}
    c: dict[str, Any] = {}

    t0 = pc()
    docs = [d for f in files for d in read_file(f, base)]
    t["read + decode a file"] = pc() - t0
    n = len(docs)
    stats = LineStats(CleanerConfig())
    t0 = pc()
    for d in docs:
        stats.add(d)
    t["line statistics (scan)"] = pc() - t0
    cleaner = Cleaner(CleanerConfig(), line_stats=stats)
    t0 = pc()
    only_clean = [cleaner.clean(d) for d in docs]
    t["(in clean_many) cleaning rules"] = pc() - t0
    t0 = pc()
    detect_many([cd.text for cd in only_clean])
    t["(in clean_many) language id"] = pc() - t0
    del only_clean
    out = tmp / "profile-out"
    cleaned, records = [], {}
    t0 = pc()
    for result in clean_many(docs, cleaner, out):
        if result.cleaned is not None:
            cleaned.append(result.cleaned)
            records[result.doc.id] = result.record
    t["clean + langid + write cleaned/ removed/ (clean_many)"] = pc() - t0
    inputs = [as_input(cd) for cd in cleaned]
    del docs, cleaned
    t0 = pc()
    fps = []
    for s in range(0, len(inputs), cluster_config.batch_size):
        fps += fingerprint_batch(inputs[s : s + cluster_config.batch_size], cluster_config, None)
    t["fingerprint (MinHash, event signature, keywords)"] = pc() - t0
    del inputs
    c["fingerprint pickle bytes"] = sum(len(pickle.dumps(fp)) for fp in fps) / len(fps)
    tracemalloc.start()
    sample = [pickle.loads(pickle.dumps(fp)) for fp in fps[:2000]]
    c["fingerprint in-memory bytes"] = tracemalloc.get_traced_memory()[0] / len(sample)
    tracemalloc.stop()
    del sample
    # What a driver keeps per article: its documents.jsonl record (decoded from workers' JSON).
    record_json = [json.dumps(records[fp.id]) for fp in fps]
    c["record json bytes"] = sum(map(len, record_json)) / len(record_json)
    t0 = pc()
    decoded = [json.loads(r) for r in record_json]
    t["driver: decode records from workers"] = pc() - t0
    tracemalloc.start()
    sample = [json.loads(r) for r in record_json[:2000]]
    c["record in-memory bytes"] = tracemalloc.get_traced_memory()[0] / len(sample)
    tracemalloc.stop()
    del sample, decoded, record_json

    ids_unsorted = [fp.id for fp in fps]
    t0 = pc()
    np.argsort(np.asarray(ids_unsorted, dtype=object), kind="stable")
    t["driver: order ids (rank of each article)"] = pc() - t0
    fps.sort(key=lambda f: f.id)
    ids = [f.id for f in fps]
    t0 = pc()
    cstats = CorpusStats(fps)
    t["document frequencies (CorpusStats)"] = pc() - t0
    t0 = pc()
    scorer = PairScorer(fps, cstats, cluster_config)
    t["IDF unit vectors per article (PairScorer)"] = pc() - t0
    t0 = pc()
    keys = band_keys(np.stack([f.minhash for f in fps]), cluster_config.lsh_bands, cluster_config.lsh_rows)
    lsh = lsh_pairs(keys)
    t["LSH band keys + bucket pairs"] = pc() - t0
    del keys
    t0 = pc()
    vocab: dict[str, int] = {}
    doc_keys = [[vocab.setdefault(k, len(vocab)) for k, _ in event_keys(f)] for f in fps]
    df = np.zeros(len(vocab), dtype=np.float64)
    for key, v in vocab.items():
        df[v] = cstats.event_df[key]
    idf = np.log((len(fps) + 1.0) / (df + 0.5)).clip(min=0.0)
    events = event_pairs(doc_keys, idf, cluster_config.max_postings, cluster_config.max_candidates)
    pairs = merge_pairs(lsh, events)
    t["event-key candidates + merge"] = pc() - t0
    del doc_keys, vocab
    c["lsh pairs"], c["event pairs"], c["candidate pairs"] = len(lsh), len(events), len(pairs)

    links = {}
    t0 = pc()
    first, second = pairs >> 32, pairs & 0xFFFFFFFF
    scores = scorer.score(first, second)
    at = {}
    for k in np.flatnonzero(scores.linked).tolist():  # light links: ids and scores, as Ray groups them
        i, j = int(first[k]), int(second[k])
        a, b = sorted((ids[i], ids[j]))
        links[(i, j)] = Link(a, b, float(scores.score[k]), True)
        at[(a, b)] = (i, j, k)
    t[VERIFY] = pc() - t0
    c["links"] = len(links)
    ordered = [links[p] for p in sorted(links)]
    t0 = pc()
    clusters = clusters_from_links(ids, ordered, cluster_config)
    t["grouping (clusters_from_links)"] = pc() - t0
    t0 = pc()
    for cl in clusters:  # Ray's second pass: reasons of the links the clusters list
        cl.links = [scorer.link(at[(x.a, x.b)][0], at[(x.a, x.b)][1], scores, at[(x.a, x.b)][2]) for x in cl.links]
    t[REASONS] = pc() - t0
    del scorer
    c["clusters"] = len(clusters)
    c["clusters with links"] = sum(1 for cl in clusters if cl.links)

    # Driver steps of a distributed run: one label per article (pointer jumping over the
    # link graph, as min-label propagation converges), singleton clusters and numbering.
    a = np.fromiter((i for i, _ in sorted(links)), dtype=np.int64, count=len(links))
    b = np.fromiter((j for _, j in sorted(links)), dtype=np.int64, count=len(links))
    labels = np.arange(len(fps), dtype=np.int64)
    rounds = 0
    t0 = pc()
    while True:
        rounds += 1
        before = labels.copy()
        if len(a):
            low = np.minimum(labels[a], labels[b])
            np.minimum.at(labels, a, low)
            np.minimum.at(labels, b, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(before, labels):
            break
    t["driver: label array (min-label propagation)"] = pc() - t0
    c["label rounds"] = rounds
    linked = {m for cl in clusters if cl.links for m in cl.members}
    t0 = pc()
    singles = clusters_from_links([i for i in ids if i not in linked], [], cluster_config)
    singles.sort(key=lambda cl: cl.members[0])
    for number, cl in enumerate(singles, start=1):
        cl.id = f"c{number:04d}"
    t["driver: singleton clusters + numbering"] = pc() - t0
    t0 = pc()
    write_jsonl(tmp / "profile-clusters.jsonl", (cl.to_json() for cl in clusters))
    write_jsonl(tmp / "profile-documents.jsonl", (records[k] for k in sorted(records)))
    t["driver: write clusters.jsonl + documents.jsonl"] = pc() - t0

    reference = cluster_fingerprints(fps, cluster_config)  # the library's own path, untimed
    c["profile clusters == cluster_fingerprints"] = [cl.members for cl in reference] == [cl.members for cl in clusters]
    c["articles"] = n
    c["fingerprinted"] = len(fps)
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": t, "counts": c}


# -- 5. memory per translation actor -----------------------------------------------------
ACTOR_PROBE = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
def rss(field="VmRSS:"):  # VmHWM: this process's own peak (ru_maxrss keeps the peak of the parent it was forked from)
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith(field))
from xlate.translator import Translator
engine, model = sys.argv[2], (sys.argv[3] or None)
base = rss()
t0 = time.perf_counter()
tr = Translator(engine, model=model, glossary=None, cache=None, device="cpu", batch_size=8, beam=4)
tr.info
text = "Les ministres des Affaires étrangères se sont réunis à Achgabat le 27 mars 2025."
tr.translate(text, "fr", id="probe")
ready = time.perf_counter() - t0
print(json.dumps({"rss_import": base, "rss_loaded": rss(),
                  "peak_self": rss("VmHWM:"),
                  "peak_child": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
                  "seconds": ready, "signature": tr.signature}))
"""

BUILD_MARIAN = r"""
import sys
sys.path.insert(0, sys.argv[1])
from tests.marian_fixture import build_marian
build_marian(sys.argv[2], d_model=512, layers=6, heads=8, ffn=2048, max_positions=512, vocab_size=59514, seed=0)
"""


def actor_memory(work: Path, src: Path) -> dict[str, dict[str, Any]]:
    env = {**os.environ, "XLATE_CACHE": str(work / "xlate-cache"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    model = work / "opus-mt-fr-en-random"
    out: dict[str, dict[str, Any]] = {}
    probes = [("apertium", "")]
    try:
        subprocess.run([sys.executable, "-c", BUILD_MARIAN, str(ROOT), str(model)], check=True, env=env,
                       capture_output=True, text=True, timeout=900)
        probes += [("marian", str(model)), ("ctranslate2", str(model))]
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        out["marian"] = {"error": f"could not build the model: {getattr(exc, 'stderr', exc)}"[-300:]}
    for engine, model_dir in probes:
        if engine == "ctranslate2":  # the conversion is a one-off: measure a worker that finds it done
            subprocess.run([sys.executable, "-c", ACTOR_PROBE, str(src), engine, model_dir], env=env,
                           capture_output=True, text=True, timeout=900)
        proc = subprocess.run([sys.executable, "-c", ACTOR_PROBE, str(src), engine, model_dir], env=env,
                              capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            out[engine] = {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
            continue
        try:
            out[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            out[engine] = {"error": f"unreadable probe output: {proc.stdout[-200:]!r}"}
    if model.exists():
        out["_model_bytes"] = {"bytes": sum(p.stat().st_size for p in model.rglob("*") if p.is_file())}
    return out


# -- report ------------------------------------------------------------------------------
def mib(x: float) -> str:
    return f"{x / 2**20:,.0f} MiB"


def fmt_s(x: float) -> str:
    if x >= 86400 * 2:
        return f"{x / 86400:,.1f} d"
    if x >= 7200:
        return f"{x / 3600:,.1f} h"
    if x >= 120:
        return f"{x / 60:,.1f} min"
    return f"{x:,.1f} s"


def stage_rows(local: dict, dist: dict) -> list[tuple[str, float | None, float | None]]:
    """Wall time per stage from the progress ticks of each run (None: not separable)."""
    ll, rl = local["last"], dist["last"]
    rows = [
        ("prepare + scan (line statistics)", ll["scan"], rl["scan"]),
        ("clean + langid + write + fingerprint", ll["clean"] - ll["scan"], rl["clean"] - rl["scan"]),
        ("candidates (LSH + event keys)", None, rl["candidates"] - rl["clean"]),
        ("verification", None, rl["verified"] - rl["candidates"]),
        ("components + grouping + index files", None, dist["total"] - rl["verified"]),
        ("clustering after the last article (all of the above three)", local["total"] - ll["clean"], dist["total"] - rl["clean"]),
        ("total run()", local["total"], dist["total"]),
    ]
    return rows


VERIFY = "verification (all candidate pairs, bulk scores)"
REASONS = "reasons of the links clusters list (size - 1 each)"
WRITE_INDEX = "driver: write clusters.jsonl + documents.jsonl"


def estimate(prof: dict, tr_per_article: float | None, n_prof: int, pairs_per_article: float) -> dict[str, Any]:
    """CPU seconds per article: work that runs on Ray workers (parallel) and on the driver (serial).

    Verification is scaled to the candidate pairs per article of the full run (the sample
    has fewer: event keys are rarer in a smaller corpus).  Files are read twice by both
    executors (the line-statistics pass, then the cleaning pass).
    """
    s, c = prof["seconds"], prof["counts"]
    per = {k: v / n_prof for k, v in s.items() if not k.startswith("(in ")}
    verify_pair = s[VERIFY] / max(1, c["candidate pairs"])
    per[VERIFY] = verify_pair * pairs_per_article
    per["read + decode a file"] *= 2
    workers = sum(v for k, v in per.items() if not k.startswith("driver:"))
    driver = sum(v for k, v in per.items() if k.startswith("driver:"))
    local = workers + per[WRITE_INDEX]  # one process; the other driver rows are the distributed run's own
    return {"map_ray": workers, "driver_ray": driver, "local": local, "verify_pair": verify_pair,
            "translate": tr_per_article, "per": per}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="synthetic articles (the issue's size: 100000)")
    parser.add_argument("--num-cpus", type=int, default=2, help="CPUs of the local Ray instance")
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--dup-share", type=float, default=0.03, help="share of articles that are near-duplicate copies")
    parser.add_argument("--profile-n", type=int, default=20_000, help="articles in the per-stage profile sample")
    parser.add_argument("--skip-translation", action="store_true")
    parser.add_argument("--skip-actor-memory", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp folder, removed at the end")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--source", choices=("head", "tree"), default="head",
                        help="library measured: git HEAD (default) or the working tree, copied at start")
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error(f"--n {args.n} is too small to cluster anything; use e.g. --n 2000")

    import ray

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-ray-"))
    work.mkdir(parents=True, exist_ok=True)
    log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    src = work / "src"
    sources = snapshot_sources(src, args.source)
    sys.path.insert(0, str(src))  # before the first import of dedup / xlate
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), os.environ.get("PYTHONPATH")) if p)
    os.chdir(src)  # Ray puts the driver's working directory first on its workers' sys.path
    import dedup
    import xlate
    from xlate.pipeline import RunConfig

    if {imported_from(dedup), imported_from(xlate)} != {str(src.resolve())}:
        raise SystemExit(f"the library was imported before the snapshot: {xlate.__file__}")
    corpus = work / "corpus"
    t0 = time.perf_counter()
    made = make_corpus(corpus, args.n, args.sites, args.dup_share)
    gen_s = time.perf_counter() - t0
    log(f"corpus: {made} in {gen_s:.1f} s")

    base_config = RunConfig(translate=False)
    local = timed_run(corpus, work / "out-local", base_config)
    log(f"local: {local['total']:.1f} s, {local['summary'].articles} articles, {local['summary'].clusters} clusters")

    tr: dict[str, Any] = {}
    real = None
    if not args.skip_translation:
        real = real_corpus(work / "real20")
        tr_config = RunConfig(engine="apertium", glossary=str(GLOSSARY), translate=True)
        tr["no_translate"] = timed_run(real, work / "real-no-tr", replace(tr_config, translate=False))
        tr["local"] = timed_run(real, work / "real-local", tr_config)
        tr["chars"] = sum(p.stat().st_size for p in (work / "real-local" / "cleaned").rglob("*.txt"))
        log(f"translation local: {tr['local']['total']:.1f} s vs {tr['no_translate']['total']:.1f} s without")

    t0 = time.perf_counter()
    ray.init(num_cpus=args.num_cpus, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    init_s = time.perf_counter() - t0
    try:
        workers_import, worker_rss = ray.get(ray.remote(_worker_sources).remote())
        if workers_import != [str(src.resolve())]:
            raise SystemExit(f"Ray workers import the library from {workers_import}, not the snapshot {src}: "
                             "the comparison would mix versions")
        dist = timed_run(corpus, work / "out-ray", replace(base_config, executor="ray"))
        log(f"ray: {dist['total']:.1f} s")
        if real is not None:
            tr["ray"] = timed_run(real, work / "real-ray", replace(tr_config, executor="ray"))
            log(f"translation ray: {tr['ray']['total']:.1f} s")
    finally:
        ray.shutdown()

    same = compare_outputs(work / "out-local", work / "out-ray", trees=("cleaned", "removed"))
    if real is not None:
        tr["same"] = compare_outputs(work / "real-local", work / "real-ray")
    log(f"outputs: {same}")

    from xlate.pipeline import _default_cluster_config

    cluster_config = _default_cluster_config()
    from dedup.reader import corpus_files

    files = list(corpus_files(corpus))
    n_prof = min(args.profile_n, len(files))
    step = max(1, len(files) // n_prof)
    prof = profile(files[::step][:n_prof], corpus, work, cluster_config)
    log(f"profile: {prof['counts']}")
    memory = {} if args.skip_actor_memory else actor_memory(work, src)
    if memory:
        memory["_ray_worker"] = {"rss": worker_rss}
    log(f"actor memory: {memory}")

    text = report(args, made, gen_s, init_s, local, dist, same, tr, prof, memory, n_prof, sources)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        tmp = RESULTS.with_suffix(".md.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, RESULTS)
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(v.startswith("identical") for v in same.values()) else 1


def report(args, made, gen_s, init_s, local, dist, same, tr, prof, memory, n_prof, sources) -> str:
    n_docs = local["summary"].articles
    import ray

    lines = [
        "# Local vs Ray executor",
        "",
        f"`bench/bench_ray.py --n {args.n} --num-cpus {args.num_cpus}`: {made['articles']:,} synthetic ~2 KB French articles "
        f"({made['bytes'] / made['articles']:,.0f} bytes on average; real rpm2-dev sentences, {args.sites} site folders with "
        f"navigation/footer lines, {made['copies']:,} near-duplicate copies), written in {gen_s:.1f} s. "
        f"`RunConfig(translate=False)`, default cleaner and `{dist['summary'].signature.split('|cluster:')[-1]}`. "
        f"{os.cpu_count()} cores (shared with other jobs), Ray {ray.__version__}, library: {sources}.",
        "",
        "## Runs (same process, local first)",
        "",
        "Stage times come from the run's progress ticks (the time each stage's last tick arrived). The local "
        "executor cleans and fingerprints in one streaming pass, then clusters in one process; its clustering "
        "stages are not separated by ticks.",
        "",
        f"| stage | local (1 process) | ray (`ray.init(num_cpus={args.num_cpus})`) | ray / local |",
        "|---|---:|---:|---:|",
    ]
    for name, lv, rv in stage_rows(local, dist):
        ratio = f"{rv / lv:.2f}" if lv and rv is not None else ""
        lines.append(f"| {name} | {fmt_s(lv) if lv is not None else '—'} | {fmt_s(rv) if rv is not None else '—'} | {ratio} |")
    lines.append(f"| docs/s (total) | {n_docs / local['total']:,.0f} | {n_docs / dist['total']:,.0f} | {local['total'] / dist['total']:.2f} |")
    lines.append(f"| `ray.init` (not in the run) | | {fmt_s(init_s)} | |")
    lc, rc = local["cpu"], dist["cpu"]
    l_cpu, r_cpu = sum(lc.values()), sum(rc.values())
    lines += [
        f"| CPU seconds, driver | {lc['driver']:,.0f} | {rc['driver']:,.0f} | {rc['driver'] / max(1e-9, lc['driver']):.2f} |",
        f"| CPU seconds, Ray workers | | {rc['workers']:,.0f} | |",
        f"| CPU seconds, other child processes (incl. waited-for) | {lc['system'] + lc['waited']:,.0f} | {rc['system'] + rc['waited']:,.0f} | |",
        f"| CPU seconds, all | {l_cpu:,.0f} | {r_cpu:,.0f} | {r_cpu / max(1e-9, l_cpu):.2f} |",
        f"| docs per CPU second | {n_docs / max(1e-9, l_cpu):,.0f} | {n_docs / max(1e-9, r_cpu):,.0f} | {l_cpu / max(1e-9, r_cpu):.2f} |",
    ]
    lr, rr = local["rss"], dist["rss"]
    lines += [
        f"| peak RSS, driver (psutil samples) | {mib(lr['driver'])} | {mib(rr['driver'])} | {rr['driver'] / max(1, lr['driver']):.2f} |",
        f"| peak RSS, largest Ray worker | | {mib(rr['worker_max'])} ({rr['workers_n']} workers) | |",
        f"| peak RSS, all Ray workers (shared object-store pages counted in each) | | {mib(rr['workers_sum'])} | |",
        f"| peak RSS, other child processes (raylet, GCS; local: fingerprint pool) | {mib(lr['system_sum'])} | {mib(rr['system_sum'])} | |",
        f"| driver ru_maxrss after the run (monotonic over the process) | {mib(local['ru_maxrss'])} | {mib(dist['ru_maxrss'])} | |",
        "",
        f"Articles {n_docs:,}, clusters {local['summary'].clusters:,} (ray {dist['summary'].clusters:,}); "
        f"candidate pairs {dist['count'].get('candidates', 0):,}, verified links {dist['count'].get('verified', 0):,}.",
        "",
        "Same outputs: " + ", ".join(f"{k} {v}" for k, v in same.items()) + ".",
        "",
    ]
    pairs_full = dist["count"].get("candidates", 0) / max(1, n_docs)
    # Event candidates are capped at max_candidates partners per article; the estimate takes
    # the cap (plus the LSH rate), since a synthetic corpus of a few thousand sentences makes
    # every name too common at 100k (over max_postings) and understates real archives.
    cap = _default_max_candidates()
    pairs_per_article = cap + prof["counts"]["lsh pairs"] / max(1, prof["counts"]["fingerprinted"])
    tr_per_article = None
    if tr:
        n_real = tr["local"]["summary"].articles
        tr_s = tr["local"]["total"] - tr["no_translate"]["total"]
        tr_cpu = sum(tr["local"]["cpu"].values()) - sum(tr["no_translate"]["cpu"].values())
        tr_per_article = tr_cpu / n_real  # CPU seconds (python + apertium's pipeline processes): robust to other jobs
        lines += [
            "## Translation cost (apertium, 20 real articles)",
            "",
            f"The 5 seeds and 15 rpm2-dev articles ({n_real} articles, {tr['chars'] / n_real:,.0f} characters of cleaned text each on "
            "average), engine apertium (fr→es→en pivot) with seeds/glossary.tsv, fresh translation memory.",
            "",
            "| run | wall | CPU seconds (driver + child processes) | per article |",
            "|---|---:|---:|---:|",
            f"| local, translate=False | {fmt_s(tr['no_translate']['total'])} | {sum(tr['no_translate']['cpu'].values()):.1f} | |",
            f"| local, translate=True | {fmt_s(tr['local']['total'])} | {sum(tr['local']['cpu'].values()):.1f} | |",
            f"| translation alone (difference) | {fmt_s(tr_s)} | {tr_cpu:.1f} | {tr_s / n_real:.2f} s wall, {tr_per_article:.2f} CPU s "
            f"({tr_cpu / tr['chars'] * 1000:.3f} CPU s per 1,000 chars) |",
            f"| ray, translate=True ({max(1, args.num_cpus - 1)} translation actor: one CPU stays free) | {fmt_s(tr['ray']['total'])} | "
            f"{sum(tr['ray']['cpu'].values()):.1f} (apertium's processes partly visible) | ray / local wall {tr['ray']['total'] / tr['local']['total']:.2f} |",
            "",
            "Same outputs: " + ", ".join(f"{k} {v}" for k, v in tr["same"].items()) + ".",
            "",
        ]
    s, c = prof["seconds"], prof["counts"]
    lines += [
        f"## Per-stage costs (library functions timed directly in one process, CPU time, {n_prof:,}-article sample)",
        "",
        (f"Every {max(1, args.n // n_prof)}th article of the corpus" if args.n > n_prof else "All articles of the corpus")
        + f"; candidate pairs {c['candidate pairs']:,} (LSH {c['lsh pairs']:,}, event keys {c['event pairs']:,}), links "
        f"{c['links']:,}, clusters {c['clusters']:,} ({c['clusters with links']:,} with links), label-propagation rounds "
        f"{c['label rounds']}; the sample's clusters equal `dedup.cluster_fingerprints`: "
        f"{c['profile clusters == cluster_fingerprints']}. \"Where\" follows xlate/executors/ray.py at the time of the run: "
        "everything but the driver rows runs in Ray tasks (document frequencies summed per group of batches, LSH and "
        "event keys paired per hash partition, vectors and verification per id block, grouping per component "
        "partition).",
        "",
        "| step | CPU seconds | µs per article | where it runs on Ray |",
        "|---|---:|---:|---|",
    ]
    for name, v in s.items():
        where = "driver (serial)" if name.startswith("driver:") else "" if name.startswith("(in ") else "workers"
        lines.append(f"| {name} | {v:.2f} | {v / n_prof * 1e6:,.0f} | {where} |")
    est = estimate(prof, tr_per_article, n_prof, pairs_per_article)
    lines += [
        "",
        f"Verification: {est['verify_pair'] * 1e6:,.0f} µs per candidate pair. Candidate pairs per article: "
        f"{pairs_full:.2f} in the full {n_docs:,}-article run"
        + (f" (its few thousand source sentences make every name appear in more than max_postings="
           f"{_default_max_postings()} articles, so event keys stop proposing pairs)"
           if pairs_full < 0.5 * c["candidate pairs"] / max(1, c["fingerprinted"]) else "") + ", "
        f"{c['candidate pairs'] / max(1, c['fingerprinted']):.1f} in the {n_prof:,}-article sample; the estimate "
        f"takes the cap, max_candidates={cap} event partners per article plus the LSH rate ({pairs_per_article:.1f} "
        f"pairs, {est['per'][VERIFY] * 1e6:,.0f} µs per article).",
        f"Sizes per article: fingerprint {c['fingerprint pickle bytes']:,.0f} B pickled, {c['fingerprint in-memory bytes']:,.0f} B "
        f"as Python objects; documents.jsonl record {c['record json bytes']:,.0f} B as JSON, {c['record in-memory bytes']:,.0f} B "
        "as a dict.",
        "",
    ]
    check = estimate(prof, tr_per_article, n_prof, pairs_full)  # this corpus's own pair rate
    lines += estimate_section(est, check, c, n_docs, local, dist, args.num_cpus, init_s)
    if memory:
        lines += memory_section(memory)
    return "\n".join(lines) + "\n"


def estimate_section(est, check, c, n_docs, local, dist, cpus, init_s) -> list[str]:
    model_local = check["local"] * n_docs
    model_ray = check["map_ray"] * n_docs / cpus + check["driver_ray"] * n_docs
    model_ray_cpu = (check["map_ray"] + check["driver_ray"]) * n_docs
    local_cpu, ray_cpu = sum(local["cpu"].values()), sum(dist["cpu"].values())
    lines = [
        f"## Paper estimate: {TARGET_N:,} articles on N workers",
        "",
        "Assumptions: per-article CPU costs as measured above (one core of this machine); the worker rows (files read "
        "twice, line statistics, clean+langid+write, fingerprint, document frequencies, vectors, LSH, event-key "
        "candidates, verification, grouping) and translation scale "
        "linearly over N workers with no stragglers; the driver rows stay serial at their measured per-article cost; "
        "candidate pairs per article at the cap (max_candidates event partners plus the measured LSH rate); Ray's own overhead, network and object spilling are not added (the model check below shows "
        "how much that was here); translation is apertium at the measured CPU seconds per real article, one actor per "
        "worker.",
        "",
        f"Model check on this corpus (at its own pair rate): the model predicts {fmt_s(model_local)} for the local run (measured "
        f"{fmt_s(local['total'])} wall, {fmt_s(local_cpu)} CPU) and, for Ray, {fmt_s(model_ray_cpu)} of CPU and "
        f"{fmt_s(model_ray)} wall on {cpus} CPUs (measured {fmt_s(ray_cpu)} CPU and {fmt_s(dist['total'])} wall, plus "
        f"{fmt_s(init_s)} `ray.init`); the gap is Ray's own overhead (scheduling, Arrow/pandas blocks, object "
        "transfers, worker start-up, idle waits between stages) and contention, which the model leaves out.",
        "",
        f"Per article: map work {est['map_ray'] * 1e3:.2f} ms, driver work {est['driver_ray'] * 1e3:.3f} ms, local executor "
        f"(everything in one process) {est['local'] * 1e3:.2f} ms"
        + (f", apertium translation {est['translate']:.2f} CPU s" if est["translate"] else "") + ".",
        "",
        "| workers | no translation | of which driver (serial) | with apertium translation |",
        "|---:|---:|---:|---:|",
    ]
    for w in WORKERS:
        no_tr = est["map_ray"] * TARGET_N / w + est["driver_ray"] * TARGET_N
        with_tr = no_tr + (est["translate"] * TARGET_N / w if est["translate"] else float("nan"))
        lines.append(f"| {w} | {fmt_s(no_tr)} | {fmt_s(est['driver_ray'] * TARGET_N)} | "
                     f"{fmt_s(with_tr) if est['translate'] else '—'} |")
    lines.append(f"| local executor (1 process) | {fmt_s(est['local'] * TARGET_N)} | | "
                 f"{fmt_s(est['local'] * TARGET_N + est['translate'] * TARGET_N) if est['translate'] else '—'} |")
    gib = lambda per_article: per_article * TARGET_N / 2**30  # noqa: E731
    lines += [
        "",
        f"Memory at {TARGET_N:,} articles: the local executor keeps every fingerprint and record in one process "
        f"(~{gib(c['fingerprint in-memory bytes'] + c['record in-memory bytes']):,.0f} GiB); the Ray driver keeps the "
        f"records, ids and label array (~{gib(c['record in-memory bytes'] + 100 + 16):,.0f} GiB, plus the cluster list "
        "before it is written), fingerprints stay on workers' state files and in the object store "
        f"(~{gib(c['fingerprint pickle bytes']):,.0f} GiB pickled in all).",
        "",
    ]
    return lines


def memory_section(memory: dict) -> list[str]:
    lines = [
        "## Memory per translation actor (fresh process, CPU, one sentence translated)",
        "",
        "| engine | RSS after imports | RSS with the engine loaded | peak RSS | load + first sentence |",
        "|---|---:|---:|---:|---:|",
    ]
    for engine in ("apertium", "marian", "ctranslate2"):
        m = memory.get(engine)
        if not m:
            continue
        if "error" in m:
            lines.append(f"| {engine} | error: {m['error']} | | | |")
            continue
        peak = mib(m["peak_self"])
        if engine == "apertium" and m.get("peak_child"):
            peak += f" (+ {mib(m['peak_child'])} its largest pipeline process)"
        lines.append(f"| {engine} | {mib(m['rss_import'])} | {mib(m['rss_loaded'])} | {peak} | {m['seconds']:.1f} s |")
    notes = []
    if "_model_bytes" in memory:
        notes.append(f"Marian and CTranslate2 (int8) load a random-weight model of opus-mt-fr-en's size "
                     f"(tests/marian_fixture.build_marian: d_model 512, 6+6 layers, vocab 59514; "
                     f"{mib(memory['_model_bytes']['bytes'])} on disk).")
    if "_ray_worker" in memory:
        notes.append(f"A Ray worker process with the pipeline imported takes {mib(memory['_ray_worker']['rss'])} before any "
                     "engine: an actor is about that plus the engine's share above (RSS with the engine minus RSS after imports).")
    if notes:
        lines += ["", " ".join(notes)]
    lines.append("")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
