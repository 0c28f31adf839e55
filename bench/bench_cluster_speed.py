"""Clustering speed and memory against datasketch baselines, same process, same articles.

    .venv/bin/python bench/bench_cluster_speed.py [--n 100000] [--baseline-n 5000] [--workers 2]
    .venv/bin/python bench/bench_cluster_speed.py --stream 1000000 [--workers 2]

Articles: ``n`` synthetic ~2 KB articles made of real sentences (rpm2-dev French news and
SemEval task-8 texts), deterministic; 2% of them are planted near-duplicates of earlier
ones (60% truncation plus light edits) so recall can be compared at equal settings.

Speed run (writes bench/results/bench_cluster_speed.md), rows in docs/s:
  naive        tokenise, datasketch MinHash.update per word 5-gram, MinHashLSH insert +
               query; at the LSH threshold of our near-duplicate setting, and at a lower
               threshold where its recall of the planted copies comes closest to ours
  bulk         datasketch MinHash.bulk with xxhash over pre-shingled documents, LSH
  ours-mh      dedup MinHash (numpy shingle hashes + rensa) + LSH band pairs, in this
               process and in ``workers`` spawned processes
  fingerprints dedup fingerprints (MinHash, event signature, keywords, lead) in
               ``workers`` spawned processes: the first half of `dedup.cluster`
  clustering   `cluster_fingerprints`: both candidate sources, verification, grouping
  whole path   the two together: exactly what `dedup.cluster(docs, config)` runs
The naive and bulk baselines run on the first ``baseline-n`` articles only (the naive path
needs minutes for 100k); their docs/s are measured there and the time they would take for
``n`` articles is extrapolated at that rate (said so in the table).  Ratios compare docs/s.
Recall: the share of planted (source, copy) pairs found as candidates (MinHash rows) or put
in one cluster (whole path).  Peak RSS: this process (which also holds the ``n`` texts and
the baselines) and its workers together.

Streaming run (``--stream N``, writes bench/results/bench_cluster_speed-stream.md): N
articles generated one at a time (never all in memory) and fed to `dedup.cluster`; a
sampler records this process's and its workers' RSS every second, so the table gives the
peak and the RSS growth per 100k articles while fingerprints accumulate.
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import random
import re
import resource
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
RESULTS = ROOT / "bench" / "results" / "bench_cluster_speed.md"
STREAM_RESULTS = ROOT / "bench" / "results" / "bench_cluster_speed-stream.md"


def load_sentences() -> list[str]:
    sentences: list[str] = []
    for f in sorted(glob.glob(str(CORPORA / "rpm2-dev" / "T*.txt"))):
        text = open(f, encoding="utf-8-sig").read()
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 30]
    csv.field_size_limit(1 << 30)
    with open(CORPORA / "semeval2022-task8" / "training_set.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for key in ("text1", "text2"):
                sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", row[key]) if len(s.strip()) > 30]
    return sentences


def iter_articles(n: int, seed: int = 0, window: int | None = None, planted: list | None = None) -> Iterator[tuple[str, str]]:
    """(id, text) of ``n`` articles; planted copies are appended to ``planted`` as (source, copy).

    ``window``: copies are made of one of the last ``window`` articles (None: any earlier
    one), so a stream keeps only that many texts."""
    sentences = load_sentences()
    rng = random.Random(seed)
    recent: deque[tuple[str, str]] = deque(maxlen=window)
    for i in range(n):
        doc_id = f"a{i:07d}"
        if i > 10 and rng.random() < 0.02:
            source, text = recent[rng.randrange(len(recent))]
            text = text[: int(len(text) * 0.6)]
            words = text.split(" ")
            for _ in range(len(words) // 40):
                words[rng.randrange(len(words))] = "également"
            text = " ".join(words)
            if planted is not None:
                planted.append((source, doc_id))
        else:
            parts, size = [], 0
            while size < 2000:
                s = sentences[rng.randrange(len(sentences))]
                parts.append(s)
                size += len(s) + 1
            text = " ".join(parts)[:2048]
        recent.append((doc_id, text))
        yield doc_id, text


def make_articles(n: int, seed: int = 0) -> tuple[dict[str, str], list[tuple[str, str]]]:
    planted: list[tuple[str, str]] = []
    docs = dict(iter_articles(n, seed, planted=planted))
    return docs, planted


_WORDS = re.compile(r"\w+")


def shingles(text: str, k: int = 5) -> list[bytes]:
    words = _WORDS.findall(text.lower())
    return [" ".join(words[i : i + k]).encode("utf-8") for i in range(max(1, len(words) - k + 1))]


def naive(docs: dict[str, str], threshold: float, num_perm: int) -> tuple[float, set]:
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    pairs = set()
    for doc_id, text in docs.items():
        m = MinHash(num_perm=num_perm)
        for sh in shingles(text):
            m.update(sh)
        for other in lsh.query(m):
            pairs.add((other, doc_id))
        lsh.insert(doc_id, m)
    return time.perf_counter() - t0, pairs


def bulk(docs: dict[str, str], threshold: float, num_perm: int) -> tuple[float, set]:
    import xxhash
    from datasketch import MinHash, MinHashLSH

    pre = [shingles(t) for t in docs.values()]  # pre-shingled, as the issue measured
    t0 = time.perf_counter()
    sketches = MinHash.bulk(pre, num_perm=num_perm, hashfunc=lambda b: xxhash.xxh32_intdigest(b))
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    pairs = set()
    for doc_id, m in zip(docs, sketches):
        for other in lsh.query(m):
            pairs.add((other, doc_id))
        lsh.insert(doc_id, m)
    return time.perf_counter() - t0, pairs


def _minhash_rows(args) -> "object":
    texts, config = args
    from dedup.entities import fold_text
    from dedup.fingerprint import minhash_matrix

    return minhash_matrix([fold_text(t) for t in texts], config)


def ours_minhash(docs: dict[str, str], config, workers: int = 1) -> tuple[float, set]:
    """Fold + MinHash (numpy shingle hashes, rensa) + LSH band pairs; ``workers`` spawned
    processes compute the MinHash rows, the band pairs are computed here."""
    import numpy as np

    from dedup.lsh import band_keys, lsh_pairs

    ids = list(docs)
    texts = list(docs.values())
    jobs = [(texts[s : s + config.batch_size], config) for s in range(0, len(texts), config.batch_size)]
    t0 = time.perf_counter()
    if workers > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            rows = pool.map(_minhash_rows, jobs, chunksize=1)
    else:
        rows = [_minhash_rows(job) for job in jobs]
    matrix = np.concatenate(rows)
    codes = lsh_pairs(band_keys(matrix, config.lsh_bands, config.lsh_rows))
    elapsed = time.perf_counter() - t0
    return elapsed, {(ids[c >> 32], ids[c & 0xFFFFFFFF]) for c in codes.tolist()}


def recall_pairs(pairs: set, planted: list[tuple[str, str]]) -> float:
    found = sum((a, b) in pairs or (b, a) in pairs for a, b in planted)
    return found / len(planted) if planted else float("nan")


def recall_clusters(assign: dict[str, str], planted: list[tuple[str, str]]) -> float:
    return sum(assign[a] == assign[b] for a, b in planted) / len(planted) if planted else float("nan")


def usable_key_share(fps, max_postings: int) -> float:
    """Share of the (article, event key) occurrences whose key is in 2..max_postings
    articles: only those keys give event-index candidates (a key in more is skipped)."""
    from collections import Counter

    from dedup.verify import event_keys

    df: Counter[str] = Counter()
    for fp in fps:
        df.update([k for k, _ in event_keys(fp)])
    total = sum(df.values())
    return sum(c for c in df.values() if 2 <= c <= max_postings) / total if total else float("nan")


def peak_rss_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def speed_run(args) -> str:
    from dedup.clustering import cluster_fingerprints, fingerprints
    from dedup.config import ClusterConfig

    config = ClusterConfig(workers=args.workers, batch_size=1024)
    one = ClusterConfig(workers=1, batch_size=1024)
    t0 = time.perf_counter()
    docs, planted = make_articles(args.n)
    gen = time.perf_counter() - t0
    base_docs = dict(list(docs.items())[: args.baseline_n])
    base_planted = [(a, b) for a, b in planted if b in base_docs]
    n, nb = len(docs), len(base_docs)
    rows: list[tuple[str, int, float, float, str]] = []  # name, articles, docs/s, recall, note

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:7.1f} s] {msg}", file=sys.stderr, flush=True)

    # Workers' RSS is sampled (ru_maxrss of a spawned child also counts the parent's pages
    # it saw between fork and exec).
    sampler = RssSampler([0], every=0.5, report=False)
    sampler.start()

    extrapolated = f"measured on {nb}, {n} would take ~{{:.0f}} s"
    t, p = naive(base_docs, config.near_duplicate, config.num_perm)
    naive_rate = nb / t
    rows.append((f"naive: datasketch update + LSH, threshold {config.near_duplicate}", nb, naive_rate,
                 recall_pairs(p, base_planted), extrapolated.format(n / naive_rate)))
    progress("naive")
    t, p = naive(base_docs, args.naive_low, config.num_perm)
    naive_low_rate = nb / t
    rows.append((f"naive: datasketch update + LSH, threshold {args.naive_low}", nb, naive_low_rate,
                 recall_pairs(p, base_planted), extrapolated.format(n / naive_low_rate)))
    t, p = bulk(base_docs, config.near_duplicate, config.num_perm)
    rows.append(("datasketch bulk + xxhash + LSH (pre-shingled)", nb, nb / t, recall_pairs(p, base_planted),
                 extrapolated.format(n * t / nb)))
    progress("baselines")
    t, p = ours_minhash(docs, one, workers=1)
    rows.append(("ours: MinHash + LSH pairs, 1 process", n, n / t, recall_pairs(p, planted), ""))
    t, p = ours_minhash(docs, config, workers=args.workers)
    rows.append((f"ours: MinHash + LSH pairs, {args.workers} spawned processes", n, n / t, recall_pairs(p, planted),
                 "includes starting the processes"))
    del p
    progress("ours minhash")
    t1 = time.perf_counter()
    fps = list(fingerprints(docs, config))
    t_fp = time.perf_counter() - t1
    progress("fingerprints")
    t2 = time.perf_counter()
    clusters = cluster_fingerprints(fps, config)
    t_cl = time.perf_counter() - t2
    progress("clustering")
    usable = usable_key_share(fps, config.max_postings)
    del fps
    assign = {m: c.id for c in clusters for m in c.members}
    rows.append((f"ours: fingerprints (all parts), {args.workers} spawned processes", n, n / t_fp, float("nan"),
                 f"{t_fp:.1f} s"))
    rows.append((f"ours: candidates + verification + grouping, 1 process on {args.workers} threads",
                 n, n / t_cl, float("nan"), f"{t_cl:.1f} s"))
    whole = n / (t_fp + t_cl)
    rows.append(("ours: whole path = dedup.cluster()", n, whole, recall_clusters(assign, planted),
                 f"{t_fp + t_cl:.1f} s, {len(clusters)} clusters"))
    sampler.stop.set()
    sampler.join()
    own, _ = peak_rss_mib()
    workers_peak = max((c for _, _, _, c in sampler.samples), default=0.0)
    lines = [
        "# Clustering speed",
        "",
        f"{n} synthetic ~2 KB articles of real sentences ({len(planted)} planted near-duplicates), "
        f"{os.cpu_count()} cores, config `{config.signature}`; generated in {gen:.1f} s. "
        f"Baselines on the first {nb} articles ({len(base_planted)} planted copies), in the same process.",
        "",
        "| path | articles | docs/s | x naive | x naive (low threshold) | planted near-dup recall | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, count, rate, rec, note in rows:
        recall = "" if rec != rec else f"{rec:.3f}"
        lines.append(f"| {name} | {count} | {rate:,.0f} | {rate / naive_rate:.1f} | {rate / naive_low_rate:.1f} | {recall} | {note} |")
    lines += [
        "",
        f"peak RSS: {own:,.0f} MiB (this process: the {n} texts, the baselines and the clustering), "
        f"{workers_peak:,.0f} MiB (its spawned workers together, sampled every 0.5 s)",
        "",
        f"Event-index coverage: {usable:.1%} of the articles' name/date/amount keys are in 2..{config.max_postings} "
        "articles and so give candidates (keys in more articles are skipped as too common).",
        "",
    ]
    return "\n".join(lines)


class RssSampler(threading.Thread):
    """Samples this process's and its children's RSS every ``every`` seconds."""

    def __init__(self, counter: list[int], every: float = 1.0, limit_mib: float = float("inf"), report: bool = True):
        super().__init__(daemon=True)
        self.counter, self.every, self.limit_mib, self.report = counter, every, limit_mib, report
        self.over_limit = False
        self.samples: list[tuple[float, int, float, float]] = []  # (s, articles, own MiB, children MiB)
        self.stop = threading.Event()
        self.t0 = time.perf_counter()

    @staticmethod
    def _rss_mib(pid: int | str) -> float:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _children(self) -> list[str]:
        me = str(os.getpid())
        found = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/stat") as fh:
                        if fh.read().rsplit(")", 1)[1].split()[1] == me:
                            found.append(pid)
                except OSError:
                    continue
        return found

    def run(self) -> None:
        last_print = 0.0
        while not self.stop.is_set():
            elapsed = time.perf_counter() - self.t0
            own = self._rss_mib("self")
            children = sum(self._rss_mib(p) for p in self._children())
            self.samples.append((elapsed, self.counter[0], own, children))
            if own + children > self.limit_mib and not self.over_limit:
                # Stop the run (it reports what it measured) before the machine runs out.
                self.over_limit = True
                os.kill(os.getpid(), signal.SIGTERM)
            if self.report and elapsed - last_print >= 30:
                last_print = elapsed
                print(f"[{elapsed:7.0f} s] {self.counter[0]:>9,} articles in, RSS {own:,.0f} MiB + workers {children:,.0f} MiB",
                      file=sys.stderr, flush=True)
            self.stop.wait(self.every)


def stream_run(args) -> str:
    from dedup.clustering import cluster_fingerprints, fingerprints
    from dedup.config import ClusterConfig
    from dedup.fingerprint import ArticleInput

    config = ClusterConfig(workers=args.workers, batch_size=1024)
    planted: list[tuple[str, str]] = []
    counter = [0]

    def articles() -> Iterator[ArticleInput]:
        for doc_id, text in iter_articles(args.stream, seed=1, window=5000, planted=planted):
            counter[0] += 1
            yield ArticleInput(id=doc_id, text=text)

    sampler = RssSampler(counter, limit_mib=args.rss_limit_mib)
    sampler.start()
    t0 = time.perf_counter()
    fed_at: list[float] = []  # when the last fingerprint came back

    # A run stopped early (SIGTERM, Ctrl-C) still reports what it measured.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    finished, usable = True, float("nan")
    try:
        # What dedup.cluster(articles, config) runs, with the boundary between its halves timed.
        fps = list(fingerprints(articles(), config))
        fed_at.append(time.perf_counter() - t0)
        clusters = cluster_fingerprints(fps, config)
        elapsed = time.perf_counter() - t0
        usable = usable_key_share(fps, config.max_postings)
        del fps
    except KeyboardInterrupt:
        finished, clusters = False, []
        elapsed = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    assign = {m: c.id for c in clusters for m in c.members}
    n = counter[0]
    own, children = peak_rss_mib()
    # RSS growth while articles stream in (fingerprints accumulate): least-squares slope of
    # own RSS against articles read, over the samples after the first 10% of the input and
    # before the last fingerprint came back.
    t_feed = fed_at[0] if fed_at else float("inf")
    feed = [(a, r) for t, a, r, _ in sampler.samples if n * 0.1 <= a and t < t_feed]
    slope = float("nan")
    if len(feed) >= 3:
        ma = sum(a for a, _ in feed) / len(feed)
        mr = sum(r for _, r in feed) / len(feed)
        var = sum((a - ma) ** 2 for a, _ in feed)
        slope = sum((a - ma) * (r - mr) for a, r in feed) / var * 100_000 if var else float("nan")
    t_feed = fed_at[0] if fed_at else float("nan")
    peak_sample = max(sampler.samples, key=lambda s: s[2] + s[3]) if sampler.samples else (0, 0, 0, 0)
    status = "finished" if finished else (
        f"STOPPED after {elapsed:,.0f} s"
        + (f" (RSS above --rss-limit-mib {args.rss_limit_mib:,.0f})" if sampler.over_limit else "")
        + f", {n:,} of {args.stream:,} articles read"
        + (", all fingerprinted, clustering not finished" if fed_at else ", fingerprinting not finished")
    )
    lines = [
        "# Clustering memory, streaming",
        "",
        f"{args.stream:,} synthetic ~2 KB articles asked for, generated one at a time and fed to `dedup.cluster` "
        f"(config `{config.signature}`, {args.workers} spawned workers, {os.cpu_count()} cores): {status}.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| articles read | {n:,} ({len(planted)} planted near-duplicates) |",
        f"| all articles fingerprinted after | {t_feed:,.0f} s ({n / t_feed:,.0f} docs/s, {args.workers} workers) |",
        f"| whole path | {elapsed:,.0f} s ({n / elapsed:,.0f} docs/s){'' if finished else ', not finished'} |",
    ]
    if finished:
        lines += [
            f"| clusters | {len(clusters):,} |",
            f"| planted near-dup recall | {recall_clusters(assign, planted):.3f} |",
            f"| event keys in 2..{config.max_postings} articles (the others give no candidates) | {usable:.1%} of key occurrences |",
        ]
    lines += [
        f"| peak RSS, this process | {own:,.0f} MiB |",
        f"| peak RSS of the workers together (sampled) | {max((c for _, _, _, c in sampler.samples), default=0.0):,.0f} MiB |",
        f"| largest sampled total (process + workers) | {peak_sample[2] + peak_sample[3]:,.0f} MiB at {peak_sample[0]:,.0f} s |",
        f"| RSS growth while fingerprinting | {slope:,.0f} MiB per 100k articles |",
        "",
        "RSS samples (this process + workers):",
        "",
        "| s | articles in | process MiB | workers MiB |",
        "|---:|---:|---:|---:|",
    ]
    step = max(1, len(sampler.samples) // 25)
    for s, a, r, c in sampler.samples[::step] + sampler.samples[-1:]:
        lines.append(f"| {s:,.0f} | {a:,} | {r:,.0f} | {c:,.0f} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--baseline-n", type=int, default=5_000)
    parser.add_argument("--naive-low", type=float, default=0.3, help="the naive path's second, lower LSH threshold")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stream", type=int, default=0, help="streaming memory run of this many articles")
    parser.add_argument("--rss-limit-mib", type=float, default=16_000,
                        help="streaming run: stop (and report) when this process and its workers use more")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    text = stream_run(args) if args.stream else speed_run(args)
    print(text)
    if not args.no_write:
        write_atomic(STREAM_RESULTS if args.stream else RESULTS, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
