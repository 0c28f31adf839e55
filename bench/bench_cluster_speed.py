"""Clustering speed against datasketch baselines, same process, same articles.

    .venv/bin/python bench/bench_cluster_speed.py [--n 100000] [--baseline-n 5000] [--workers 2]

Articles: ``n`` synthetic ~2 KB articles made of real sentences (rpm2-dev French news and
SemEval task-8 texts), deterministic; 2% of them are planted near-duplicates of earlier
ones (60% truncation plus light edits) so recall can be compared at equal settings.

Rows (docs/s, ratio against the naive path):
  naive     tokenise, datasketch MinHash.update per word 5-gram, MinHashLSH insert + query
  bulk      datasketch MinHash.bulk with xxhash over pre-shingled documents, LSH insert + query
  ours-mh   dedup fingerprint MinHash (numpy shingle hashes + rensa) + LSH band pairs, 1 process
  ours-path dedup.cluster end to end: fingerprints, event signature, both candidate
            sources, verification, average linkage, ``workers`` spawned processes
Baselines run on the first ``baseline-n`` articles (the naive path is ~0.4k docs/s: 100k
would take minutes); ratios compare docs/s.  Peak RSS is this process's (and children's).
Writes bench/results/bench_cluster_speed.md.
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import random
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
RESULTS = ROOT / "bench" / "results" / "bench_cluster_speed.md"


def make_articles(n: int, seed: int = 0) -> tuple[dict[str, str], list[tuple[str, str]]]:
    sentences: list[str] = []
    for f in sorted(glob.glob(str(CORPORA / "rpm2-dev" / "T*.txt"))):
        text = open(f, encoding="utf-8-sig").read()
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 30]
    csv.field_size_limit(1 << 30)
    with open(CORPORA / "semeval2022-task8" / "training_set.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for key in ("text1", "text2"):
                sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", row[key]) if len(s.strip()) > 30]
    rng = random.Random(seed)
    docs: dict[str, str] = {}
    planted: list[tuple[str, str]] = []
    ids = []
    for i in range(n):
        doc_id = f"a{i:07d}"
        if i > 10 and rng.random() < 0.02:
            source = ids[rng.randrange(len(ids))]
            text = docs[source]
            text = text[: int(len(text) * 0.6)]
            words = text.split(" ")
            for _ in range(len(words) // 40):
                words[rng.randrange(len(words))] = "également"
            docs[doc_id] = " ".join(words)
            planted.append((source, doc_id))
        else:
            parts, size = [], 0
            while size < 2000:
                s = sentences[rng.randrange(len(sentences))]
                parts.append(s)
                size += len(s) + 1
            docs[doc_id] = " ".join(parts)[:2048]
        ids.append(doc_id)
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


def bulk(docs: dict[str, str], threshold: float, num_perm: int) -> tuple[float, float, set]:
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
    return time.perf_counter() - t0, 0.0, pairs


def ours_minhash(docs: dict[str, str], config) -> tuple[float, set]:
    import numpy as np

    from dedup.entities import fold_text
    from dedup.fingerprint import minhash_matrix
    from dedup.lsh import band_keys, lsh_pairs

    ids = list(docs)
    t0 = time.perf_counter()
    rows = []
    texts = list(docs.values())
    for start in range(0, len(texts), config.batch_size):
        rows.append(minhash_matrix([fold_text(t) for t in texts[start : start + config.batch_size]], config))
    matrix = np.concatenate(rows)
    codes = lsh_pairs(band_keys(matrix, config.lsh_bands, config.lsh_rows))
    elapsed = time.perf_counter() - t0
    return elapsed, {(ids[c >> 32], ids[c & 0xFFFFFFFF]) for c in codes.tolist()}


def ours_path(docs: dict[str, str], config) -> tuple[float, dict[str, str]]:
    from dedup.clustering import cluster

    t0 = time.perf_counter()
    clusters = cluster(docs, config)
    elapsed = time.perf_counter() - t0
    return elapsed, {m: c.id for c in clusters for m in c.members}


def recall_pairs(pairs: set, planted: list[tuple[str, str]]) -> float:
    found = sum((a, b) in pairs or (b, a) in pairs for a, b in planted)
    return found / len(planted) if planted else float("nan")


def peak_rss_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--baseline-n", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    from dedup.config import ClusterConfig

    config = ClusterConfig(workers=args.workers, batch_size=1024)
    one = ClusterConfig(workers=1, batch_size=1024)
    t0 = time.perf_counter()
    docs, planted = make_articles(args.n)
    gen = time.perf_counter() - t0
    base_docs = dict(list(docs.items())[: args.baseline_n])
    base_planted = [(a, b) for a, b in planted if b in base_docs]
    rows = []
    t_naive, p_naive = naive(base_docs, config.near_duplicate, config.num_perm)
    naive_rate = len(base_docs) / t_naive
    rows.append(("naive (datasketch update + LSH)", len(base_docs), naive_rate, recall_pairs(p_naive, base_planted)))
    t_bulk, _, p_bulk = bulk(base_docs, config.near_duplicate, config.num_perm)
    rows.append(("datasketch bulk + xxhash + LSH (pre-shingled)", len(base_docs), len(base_docs) / t_bulk, recall_pairs(p_bulk, base_planted)))
    t_mh, p_mh = ours_minhash(base_docs, one)
    rows.append(("ours: MinHash + LSH pairs, 1 process", len(base_docs), len(base_docs) / t_mh, recall_pairs(p_mh, base_planted)))
    t_mh_all, p_mh_all = ours_minhash(docs, one)
    rows.append(("ours: MinHash + LSH pairs, 1 process", len(docs), len(docs) / t_mh_all, recall_pairs(p_mh_all, planted)))
    t_path, assign = ours_path(docs, config)
    path_recall = sum(assign[a] == assign[b] for a, b in planted) / len(planted)
    rows.append((f"ours: whole path (cluster(), {args.workers} spawned workers)", len(docs), len(docs) / t_path, path_recall))
    own, children = peak_rss_mib()
    lines = [
        "# Clustering speed",
        "",
        f"{args.n} synthetic ~2 KB articles of real sentences ({len(planted)} planted near-duplicates), "
        f"{os.cpu_count()} cores, config `{config.signature}`; generated in {gen:.1f} s.",
        "",
        "| path | articles | docs/s | x naive | planted near-dup recall |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, n, rate, rec in rows:
        lines.append(f"| {name} | {n} | {rate:,.0f} | {rate / naive_rate:.1f} | {rec:.3f} |")
    lines += ["", f"peak RSS: {own:,.0f} MiB (this process), {children:,.0f} MiB (largest worker)", ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        tmp = RESULTS.with_suffix(".md.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, RESULTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
