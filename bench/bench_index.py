"""Cluster index costs: the file format of this version against format 1, same fingerprints.

    .venv/bin/python bench/bench_index.py [--n 100000] [--add 1000] [--workers 2] [--repeat 2] [--no-write]

``n`` synthetic ~2 KB articles (bench_cluster_speed's generator: real rpm2 and SemEval
sentences, made as they are fingerprinted) are fingerprinted once, then written and read back in both formats, in this
process, one after the other:

  format 1   gzip'd JSON lines, one fingerprint an object (the writer of the previous
             version, kept here as the baseline; `ClusterIndex.open` still reads it)
  format 2   `ClusterIndex.save`: a zip of columns (module doc of `dedup.index`)

Then what a daily `xlate cluster NEW --index FILE` does with format 2, in a process of its
own (as a cron job runs it): open, add ``add`` new articles, save, cluster everything again,
and that process's peak RSS.  Times are wall seconds (best of ``repeat`` for save and open);
sizes in MB; peak RSS is VmHWM (a worker's ``ru_maxrss`` counts what its parent held when it
forked, before exec).
Writes bench/results/bench_index.md (bench_index-<n>.md for another ``n``).
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "bench_index.md"


def write_format_1(path: Path, header: dict, fps: list) -> None:
    """The previous version's `ClusterIndex.save`, as it was (gzip level 6, sorted ids)."""
    from dedup.index import _fp_to_json

    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=6) as gz:
        gz.write((json.dumps(header, sort_keys=True) + "\n").encode("utf-8"))
        for fp in sorted(fps, key=lambda f: f.id):
            gz.write((json.dumps(_fp_to_json(fp), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM): per address space, so, unlike
    ``ru_maxrss``, it does not count what a large parent held when it forked this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def daily_update(path: Path, n: int, add: int, workers: int) -> dict:
    """What `xlate cluster NEW --index FILE` does, timed: open, add, save, cluster all."""
    from itertools import islice

    from bench_cluster_speed import iter_articles

    from dedup.config import ClusterConfig
    from dedup.index import ClusterIndex

    config = ClusterConfig(workers=workers)
    times = {}
    start = time.perf_counter()
    with ClusterIndex.open(path, config, lock=True) as index:
        times["open"] = time.perf_counter() - start
        start = time.perf_counter()
        added = index.add(islice(iter_articles(n + add, window=1000), n, None))
        times["add"] = time.perf_counter() - start
        start = time.perf_counter()
        index.save()
        times["save"] = time.perf_counter() - start
    start = time.perf_counter()
    clusters = index.clusters()
    times["cluster"] = time.perf_counter() - start
    return {"times": times, "new": added.new, "articles": len(index), "clusters": len(clusters), "peak_rss_mib": peak_rss_mib()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--daily", type=Path, default=None, help=argparse.SUPPRESS)  # the update, in its own process
    args = parser.parse_args(argv)
    if args.daily:
        print(json.dumps(daily_update(args.daily, args.n, args.add, args.workers)))
        return 0

    import subprocess
    from itertools import islice

    from bench_cluster_speed import iter_articles, write_atomic

    from dedup.clustering import fingerprints
    from dedup.config import ClusterConfig
    from dedup.index import _FORMAT_1, ClusterIndex, _alias_digest, _fp_to_json

    # Generated as they are fingerprinted (a million texts would take 2 GB more); the last
    # ``add`` articles are the day's new ones.
    config = ClusterConfig(workers=args.workers)
    start = time.perf_counter()
    fps = list(fingerprints(islice(iter_articles(args.n + args.add, window=1000), args.n), config))
    fingerprint_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as folder:
        v1, v2 = Path(folder) / "v1.idx", Path(folder) / "v2.idx"
        header = {"format": _FORMAT_1, "fingerprint": config.fingerprint_key(), "aliases": _alias_digest(None), "count": len(fps)}
        index = ClusterIndex(v2, config, None, {fp.id: fp for fp in fps})
        save_1 = best_of(args.repeat, lambda: write_format_1(v1, header, fps))
        save_2 = best_of(args.repeat, lambda: (v2.unlink(missing_ok=True), index.save()))  # unchanged: no write
        open_1 = best_of(args.repeat, lambda: ClusterIndex.open(v1, config))
        open_2 = best_of(args.repeat, lambda: ClusterIndex.open(v2, config))
        same = all(len(opened) == len(fps) and all(_fp_to_json(opened._fps[fp.id]) == _fp_to_json(fp) for fp in fps)
                   for opened in (ClusterIndex.open(v1, config), ClusterIndex.open(v2, config)))
        size_1, size_2 = v1.stat().st_size / 1e6, v2.stat().st_size / 1e6
        rows = [("save", save_1, save_2), ("open", open_1, open_2)]
        bench_peak = peak_rss_mib()
        # A day's update of the format-2 file, as a cron job runs it: a process of its own.
        run = subprocess.run([sys.executable, __file__, "--daily", str(v2), "--n", str(args.n), "--add", str(args.add),
                              "--workers", str(args.workers)], check=True, capture_output=True, text=True)
        daily = json.loads(run.stdout.strip().splitlines()[-1])
    t = daily["times"]

    lines = [
        "# Cluster index: format 2 (columns in a zip) against format 1 (gzip'd JSON lines)",
        "",
        f"{args.n:,} synthetic ~2 KB articles, fingerprinted once in {fingerprint_s:.1f} s on {args.workers} workers; "
        f"best of {args.repeat}; every fingerprint read back identical from both files: {same}.",
        "",
        "| step | format 1 (s) | format 2 (s) | format 1 / format 2 |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {a:.2f} | {b:.2f} | {a / b:.1f}× |" for name, a, b in rows),
        f"| file size (MB) | {size_1:.1f} | {size_2:.1f} | {size_1 / size_2:.2f}× |",
        "",
        f"A day's update of the format-2 index, in a process of its own (`xlate cluster NEW --index FILE`): "
        f"open {t['open']:.2f} s, add {daily['new']:,} new articles {t['add']:.2f} s, save {t['save']:.2f} s, "
        f"cluster all {daily['articles']:,} again {t['cluster']:.1f} s ({daily['clusters']:,} clusters); "
        f"{sum(t.values()):.1f} s in all; peak RSS {daily['peak_rss_mib']:,.0f} MiB.",
        "",
        f"Peak RSS of this process (all the fingerprints, and each format opened): {bench_peak:,.0f} MiB.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_atomic(RESULTS if args.n == 100_000 else RESULTS.with_name(f"bench_index-{args.n}.md"), text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
