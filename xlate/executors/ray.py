"""`xlate run --executor ray`: the same pipeline on a Ray cluster, the same outputs.

Every step calls the local pipeline's own code (`xlate.pipeline`, `dedup`); what changes
is where it runs and how the corpus-wide steps are split:

1. scan (Ray Data ``map_batches`` over the file list): per-site line statistics and the
   article ids; the driver merges the statistics in file order and finds duplicate ids
   (the first in reading order wins, as in `read_corpus`) *before* anything is cleaned;
2. clean (``map_batches``): cleaning, language identification and fingerprints; workers
   write ``cleaned/`` and ``removed/`` and keep each batch's records and fingerprints in
   ``OUT/.state/ray/clean/<key>.pkl`` (key: files, sizes, mtimes, settings, line
   statistics), so a rerun skips finished batches (a finished run keeps only the batches
   it used); only ids and records reach the driver;
3. cluster (Ray tasks over hash partitions, numpy inside each partition): fingerprints
   are re-blocked by id range; document frequencies are summed per batch and broadcast;
   LSH band keys and event keys are hash-partitioned by key and turned into candidate
   pairs per partition (`dedup.lsh._pairs_in_groups`, the `event_pairs` arithmetic: the
   same pairs and the same summed weights, summed in the same order); the top candidates
   per article are chosen in partitions keyed by article; each pair is verified after two
   keyed hops (the block of its first article, then of its second), with IDF vectors
   computed once per article;
4. connected components by min-label propagation over the link partitions (the driver
   holds one label per article, never the links) and grouping per component with
   `dedup.clustering.clusters_from_links` (average linkage never crosses components) on
   scores alone; then the links the clusters list (size - 1 each) make the two hops again
   to have their reasons written, as the local run writes reasons for those links only;
5. translation in an actor pool (a callable class loads the engine once per actor;
   one actor per GPU with ``num_gpus=1`` for a neural engine when the cluster has GPUs,
   else one per CPU with one CPU left free, see
   ray-project/ray#44687); each finished batch writes a state file under
   ``OUT/.state/ray/``, so a killed run, rerun with the same OUT, skips what is done (a
   finished run merges them into ``OUT/.state/translated.jsonl``, as a local run leaves it).

OUT and CORPUS must be on storage every node sees at the same path (workers write there).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from dedup.cleaner import Cleaner, LineStats
from dedup.errors import CorpusReadError
from dedup.langid import signature as langid_signature
from dedup.reader import corpus_files, duplicate_id_reason, id_key, read_file
from xlate import __version__
from xlate.executors import ExecutorError
from xlate.outputs import article_path, dumps_line, failure_row, read_failure, write_atomic
from xlate.pipeline import (
    Job,
    RunConfig,
    RunSummary,
    articles_per_pass,
    clean_many,
    count_existing,
    finish,
    is_done,
    load_done,
    prepare,
    to_translate,
    translate_articles,
    translation_key,
)

FILES_PER_TASK = 64  # corpus files per scan/clean batch
PARTITIONS: int | None = None  # hash partitions of the keyed steps; None: 2 per CPU, 2..64
BLOCK_DOCS = 8192  # articles per id-range block in the clustering step
LSH_CAP = 64  # as dedup.lsh.lsh_pairs: buckets above this link each member to the first 64


def run_ray(corpus, out, config: RunConfig, *, progress=None, stdin=None) -> RunSummary:
    import ray

    tick = progress or (lambda stage, n: None)
    with prepare(corpus, out, config, stdin) as job:  # closes the translation memory, also if Ray fails to start
        try:
            started_here = _init(config)
        except Exception as exc:  # ray.init raises ConnectionError, ValueError, RuntimeError... by cause
            where = f"the Ray cluster at {config.ray_address}" if config.ray_address else "a local Ray instance"
            raise ExecutorError(f"could not start {where}: {_last_line(exc)}; check --address, "
                                "or run with --executor local") from exc
        try:
            return _run(job, tick)
        except ray.exceptions.RayError as exc:
            cause = exc
            while isinstance(cause, ray.exceptions.RayTaskError) and cause.cause is not None and cause.cause is not cause:
                cause = cause.cause  # the worker's own exception, not Ray's wrapper
            raise ExecutorError(f"the Ray run failed: {_last_line(cause)}; "
                                "rerun with the same OUT to resume (finished batches are kept)") from exc
        finally:
            if started_here:
                ray.shutdown()


def _last_line(exc: BaseException) -> str:
    """``Type: last line of the message`` (Ray's messages end with the cause), capped."""
    return f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[-1][:300]}"


def _init(config: RunConfig) -> bool:
    import logging

    import ray
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # stderr carries our progress, not Ray's plans
    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {"logging_level": "ERROR", "log_to_driver": False, "include_dashboard": False}
    if config.ray_address:
        ray.init(address=config.ray_address, **kwargs)
    else:
        ray.init(num_cpus=config.num_cpus, **kwargs)
    return True


def _run(job: Job, tick) -> RunSummary:
    config = job.config
    root = Path(job.corpus)
    base = root.parent if root.is_file() else root
    files = [str(f) for f in corpus_files(root)]
    batches = [{"order": i, "files": files[i:i + FILES_PER_TASK]} for i in range(0, len(files), FILES_PER_TASK)]
    failures: list[dict[str, Any]] = []

    # 1. Scan: line statistics and ids; duplicates found before anything is written.
    stats, losers = _scan(batches, str(base), config, failures)
    tick("scan", len(files))

    # 2. Clean, identify language, fingerprint (batch results kept under .state for a rerun).
    records: dict[str, dict[str, Any]] = {}
    blocks: list[tuple[str, list[str]]] = []  # (state file, ids in its order)
    used_states: set[str] = set()
    if batches:
        stats_digest = _stats_digest(stats)
        rows = _map(batches, _clean_batch, {
            "base": str(base), "out": str(job.out), "config": config, "stats": _put(stats), "losers": losers,
            "stats_digest": stats_digest, "cluster_config": job.cluster_config, "aliases": job.aliases,
            "gloss": job.glossary.sha256 if job.glossary else None})
        for row in sorted(rows, key=lambda r: r["order"]):
            used_states.add(Path(row["state"]).name)
            failures.extend(json.loads(row["errors"]))
            ids = json.loads(row["ids"])
            for doc_id, record in zip(ids, json.loads(row["records"])):
                records[doc_id] = record
            if ids:
                blocks.append((row["state"], ids))
    tick("clean", len(records))

    clusters = _cluster(blocks, job.cluster_config, tick)
    summary = job.summary()
    if job.translator is not None:
        _translate(job, records, summary, failures, tick)
    summary = finish(job, clusters, records, summary, failures)
    # The run is finished: cleaned batches it did not use (files since changed or gone, other
    # settings) are of no use to a rerun, and would pile up under a daily job.
    for stale in (job.out / ".state" / "ray" / "clean").glob("*.pkl"):
        if stale.name not in used_states:
            stale.unlink(missing_ok=True)
    return summary


# -- helpers -------------------------------------------------------------------------------
_RESOLVED: dict[str, Any] = {}


def _put(value):
    import ray

    return ray.put(value)


def _resolve(value):
    """Object-store values handed to a Ray Data UDF: fetched once per worker process."""
    import ray

    if not isinstance(value, ray.ObjectRef):
        return value
    key = value.hex()
    if key not in _RESOLVED:
        if len(_RESOLVED) > 8:
            _RESOLVED.clear()
        _RESOLVED[key] = ray.get(value)
    return _RESOLVED[key]


def _map(items: list[dict[str, Any]], fn, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    """One Ray Data ``map_batches`` call per item (a batch of files); small rows come back."""
    import ray

    out = ray.data.from_items(items).map_batches(fn, batch_size=1, batch_format="pandas", fn_kwargs=kwargs).to_pandas()
    return out.to_dict("records")


_REMOTES: dict[tuple[Any, int], Any] = {}


def _submit(fn, num_returns: int, *args) -> list:
    """``fn`` (which returns a list of ``num_returns`` values) as a Ray task: one object
    per value, so each consumer fetches only its part.  Always a list of refs."""
    import ray

    remote = _REMOTES.get((fn, num_returns))
    if remote is None:
        remote = _REMOTES[(fn, num_returns)] = ray.remote(fn if num_returns > 1 else _only).options(num_returns=num_returns)
    return list(remote.remote(*args)) if num_returns > 1 else [remote.remote(fn, *args)]


def _call(fn, *args):
    """``fn`` as a Ray task returning one object."""
    import ray

    remote = _REMOTES.get((fn, 0))
    if remote is None:
        remote = _REMOTES[(fn, 0)] = ray.remote(fn)
    return remote.remote(*args)


def _only(fn, *args):
    return fn(*args)[0]


def _partitions() -> int:
    import ray

    if PARTITIONS is not None:
        return PARTITIONS
    return max(2, min(64, 2 * int(ray.cluster_resources().get("CPU", 1))))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values by one sort (numpy 2.4's ``np.unique`` of ints is far slower)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` by one argsort."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.ones(len(ordered), dtype=bool)
    if len(ordered) > 1:
        np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def _stats_digest(stats: LineStats) -> str:
    """Order-free digest of the merged line statistics (they decide what is cleaned)."""
    h = hashlib.sha256()
    for site, count in sorted(stats.docs_per_site.items()):
        h.update(f"{site}\t{count}\n".encode())
    for (site, key), count in sorted(stats._counts.items()):
        h.update(f"{site}\t{key}\t{count}\n".encode())
    return h.hexdigest()


# -- 1. scan -------------------------------------------------------------------------------
def _scan(batches, base: str, config: RunConfig, failures: list[dict[str, Any]]):
    """Line statistics of the articles kept, and the duplicate ids to skip:
    ``(LineStats, {batch order: {(file index, seq in file), ...}})``."""
    stats = LineStats(config.cleaner)
    if not batches:
        return stats, {}
    kwargs = {"base": base, "max_bytes": config.max_bytes, "cleaner": config.cleaner, "skip": {}}
    rows = sorted(_map(batches, _scan_batch, kwargs), key=lambda r: r["order"])
    first: dict[str, tuple[str, str]] = {}  # id_key -> (id, path), as the local reader keeps them
    skip: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        for file_index, seq, doc_id, path in json.loads(row["ids"]):
            key = id_key(doc_id)
            if key in first:
                skip.setdefault(row["order"], []).append((file_index, seq))
                failures.append(failure_row(path or doc_id, duplicate_id_reason(doc_id, *first[key]), "read", doc_id=doc_id))
            else:
                first[key] = (doc_id, path or doc_id)
    if skip:  # rare: count the lines again without the duplicates, as the local reader never sees them
        rows = sorted(_map(batches, _scan_batch, {**kwargs, "skip": skip}), key=lambda r: r["order"])
    for row in rows:  # in file order: LineStats prunes when it grows, so the order must not vary
        stats.merge(pickle.loads(row["stats"]))
    return stats, {order: {tuple(x) for x in pairs} for order, pairs in skip.items()}


def _scan_batch(batch, base: str, max_bytes: int, cleaner, skip):
    import pandas as pd

    order = int(batch["order"][0])
    drop = {tuple(x) for x in skip.get(order, [])}
    stats = LineStats(cleaner)
    ids = []
    for file_index, file in enumerate(batch["files"][0]):
        for seq, doc in enumerate(read_file(file, base, max_bytes=max_bytes, on_error=lambda err: None)):
            if (file_index, seq) in drop:
                continue
            stats.add(doc)
            ids.append((file_index, seq, doc.id, doc.path or ""))
    return pd.DataFrame({"order": [order], "stats": [pickle.dumps(stats)], "ids": [json.dumps(ids)]})


# -- 2. clean ------------------------------------------------------------------------------
def _batch_key(files: list[str], drop, config: RunConfig, cluster_config, gloss, stats_digest: str) -> str:
    h = hashlib.sha256()
    # The cleaner's and langid's signatures, not just their settings: a batch cleaned by other
    # cue tables or with another langid cut must not be reused.
    settings = {"xlate": __version__, "cleaner": config.cleaner.signature, "langid": langid_signature(), "max_bytes": config.max_bytes,
                "fingerprint": cluster_config.fingerprint_key(), "glossary": gloss, "stats": stats_digest,
                "drop": sorted(drop)}
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for file in files:
        st = os.stat(file)
        h.update(f"\n{file}\t{st.st_size}\t{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def _clean_batch(batch, base: str, out: str, config: RunConfig, stats, losers, stats_digest: str,
                 cluster_config, aliases, gloss):
    import pandas as pd

    order = int(batch["order"][0])
    files = list(batch["files"][0])
    drop = losers.get(order, set())
    key = _batch_key(files, drop, config, cluster_config, gloss, stats_digest)
    state = Path(out) / ".state" / "ray" / "clean" / f"{key}.pkl"
    result = _load_state(state)  # finished by an earlier run, unless one of its files went missing since
    if result is None or not all(article_path(out, r["id"], "txt", "cleaned").exists()
                                 and article_path(out, r["id"], "jsonl", "removed").exists() for r in result["records"]):
        result = _clean_files(files, drop, base, Path(out), config, _resolve(stats), cluster_config, aliases)
        write_atomic(state, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return pd.DataFrame({"order": [order], "state": [str(state)], "ids": [json.dumps([r["id"] for r in result["records"]])],
                         "records": [json.dumps(result["records"])], "errors": [json.dumps(result["errors"])]})


def _load_state(path: Path) -> dict[str, Any] | None:
    """A batch's saved result, or None when missing or unreadable (then it is redone)."""
    try:
        with open(path, "rb") as fh:
            result = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return None
    return result if isinstance(result, dict) and {"records", "fps", "errors"} <= set(result) else None


def _clean_files(files, drop, base: str, out: Path, config: RunConfig, stats, cluster_config, aliases) -> dict[str, Any]:
    """Clean, identify and fingerprint the articles of some files (in reading order)."""
    from dedup.entities import AliasTable
    from dedup.fingerprint import as_input, fingerprint_batch

    cleaner = Cleaner(config.cleaner, line_stats=stats)
    errors: list[dict[str, Any]] = []
    cleaned, records = [], []
    per_file: list[tuple[int, list[CorpusReadError]]] = []  # (articles, read errors) of each file
    docs = []
    for file_index, file in enumerate(files):
        read_errors: list[CorpusReadError] = []
        kept = [doc for seq, doc in enumerate(read_file(file, base, max_bytes=config.max_bytes, on_error=read_errors.append))
                if (file_index, seq) not in drop]  # a duplicate id is listed by the scan
        docs += kept
        per_file.append((len(kept), read_errors))
    # The task's articles in one go: their languages are identified together.
    results = iter(clean_many(docs, cleaner, out))
    for count, read_errors in per_file:  # failures per file, as before: cleaning, then reading
        for result in islice(results, count):
            if result.error is not None:
                errors.append(failure_row(result.doc.path or result.doc.id, result.error, "clean", doc_id=result.doc.id))
                continue
            cleaned.append(result.cleaned)
            records.append(result.record)
        errors.extend(map(read_failure, read_errors))
    table = AliasTable(aliases) if aliases else None
    fps = fingerprint_batch([as_input(c) for c in cleaned], cluster_config, table) if cleaned else []
    return {"records": records, "fps": fps, "errors": errors}


# -- 3-4. cluster --------------------------------------------------------------------------
def _cluster(blocks: list[tuple[str, list[str]]], config, tick):
    """Clusters of the fingerprints kept in ``blocks`` (state files), as the local run makes them."""
    import ray

    from dedup.clustering import clusters_from_links

    ids = [doc_id for _, block_ids in blocks for doc_id in block_ids]
    n = len(ids)
    if n == 0:
        return []
    order = np.argsort(np.asarray(ids, dtype=object), kind="stable")  # ids are unique: rank = position in id order
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[order] = np.arange(n, dtype=np.int64)
    del order
    parts = _partitions()
    block_docs = max(1, BLOCK_DOCS)
    n_blocks = (n + block_docs - 1) // block_docs

    # Fingerprints to id-range blocks; document frequencies summed per group of batches.
    groups = _group_batches(blocks, rank_of, parts)
    prepped = [_submit(_prep, 1 + n_blocks, paths, ranks, n_blocks, block_docs) for paths, ranks in groups]
    event_df: Counter = Counter()
    keyword_df: Counter = Counter()
    for ev, kw in ray.get([p[0] for p in prepped]):
        event_df.update(ev)
        keyword_df.update(kw)
    from dedup.verify import CorpusStats

    stats = CorpusStats([])
    stats.n_docs, stats.event_df, stats.keyword_df = n, dict(event_df), dict(keyword_df)
    del event_df, keyword_df
    stats_ref = ray.put(stats)  # broadcast: every block task reads it once
    sorted_blocks = [_submit(_block, 1 + 2 * parts, b, block_docs, stats_ref, config, parts,
                             *[p[1 + b] for p in prepped]) for b in range(n_blocks)]
    del prepped
    payloads = [s[0] for s in sorted_blocks]

    # Candidates: LSH buckets and event keys, keyed by bucket / key.
    cands = [_submit(_candidates, parts, n, config, parts, n_blocks,
                     *[s[1 + r] for s in sorted_blocks], *[s[1 + parts + r] for s in sorted_blocks]) for r in range(parts)]
    sums = [_submit(_sum_pairs, 1 + parts, parts, *[c[r] for c in cands]) for r in range(parts)]
    kept = [_submit(_top_k, parts, config, parts, *[s[1 + r] for s in sums]) for r in range(parts)]
    pairs = [_submit(_candidate_set, 1 + n_blocks, n_blocks, block_docs, sums[r][0], *[k[r] for k in kept])
             for r in range(parts)]
    del cands, sums, kept
    tick("candidates", int(sum(ray.get([p[0] for p in pairs]))))

    # Verification: the pair visits the block of its first article, then of its second.
    attached = [_submit(_attach, n_blocks, payloads[b], b, block_docs, n_blocks, *[p[1 + b] for p in pairs])
                for b in range(n_blocks)]
    verified = [_submit(_verify, 3, payloads[b], b, block_docs, stats_ref, config, False, *[a[b] for a in attached])
                for b in range(n_blocks)]
    del attached, pairs
    counts = ray.get([v[2] for v in verified])
    tick("verified", int(sum(counts)))
    verified = [v for v, count in zip(verified, counts) if count]

    clusters = []
    if verified:
        labels = _components([v[0] for v in verified], n)
        labels_ref = ray.put(labels)
        routed = [_submit(_route, parts, v[0], v[1], labels_ref, parts) for v in verified]
        grouped = [_call(_group, config, *[r[p] for r in routed]) for p in range(parts)]
        with_codes = [item for part in ray.get(grouped) for item in part]
        del verified, routed, grouped
        # Reasons of the links the clusters list: those pairs visit their blocks again.
        tree = np.sort(np.array([code for _, codes in with_codes for code in codes], dtype=np.int64))
        first_block = (tree >> 32) // block_docs
        attached = [_submit(_attach, n_blocks, payloads[b], b, block_docs, n_blocks, tree[first_block == b])
                    for b in range(n_blocks)]
        full: dict[int, Any] = {}
        for part in ray.get([_submit(_verify, 1, payloads[b], b, block_docs, stats_ref, config, True, *[a[b] for a in attached])[0]
                             for b in range(n_blocks)]):
            full.update(part)
        for c, codes in with_codes:
            c.links = [full[code] for code in codes]
        clusters = [c for c, _ in with_codes]
    linked = {m for c in clusters for m in c.members}
    clusters += clusters_from_links([i for i in ids if i not in linked], [], config)  # singletons
    clusters.sort(key=lambda c: c.members[0])
    width = max(4, len(str(len(clusters))))
    for number, c in enumerate(clusters, start=1):
        c.id = f"c{number:0{width}d}"
    return clusters


def _group_batches(blocks, rank_of: np.ndarray, parts: int) -> list[tuple[list[str], np.ndarray]]:
    """Clean batches in groups of about equal size, with the rank of each of their articles."""
    n_groups = max(1, min(len(blocks), 4 * parts))
    per = (len(blocks) + n_groups - 1) // n_groups
    out, start = [], 0
    for g in range(0, len(blocks), per):
        chunk = blocks[g:g + per]
        size = sum(len(b_ids) for _, b_ids in chunk)
        out.append(([path for path, _ in chunk], rank_of[start:start + size]))
        start += size
    return out


def _prep(paths: list[str], ranks: np.ndarray, n_blocks: int, block_docs: int) -> list:
    """Document-frequency counts of some batches, and their fingerprints by id-range block."""
    from dedup.verify import event_terms, keyword_keys

    fps = []
    for path in paths:
        with open(path, "rb") as fh:
            fps.extend(pickle.load(fh)["fps"])
    event_df: Counter = Counter()
    keyword_df: Counter = Counter()
    out: list[list] = [[] for _ in range(n_blocks)]
    for fp, rank in zip(fps, ranks.tolist()):
        event_df.update(event_terms(fp)[0])  # occurrences, as CorpusStats counts them
        keyword_df.update(keyword_keys(fp))  # as CorpusStats counts them
        out[rank // block_docs].append((rank, fp))
    return [(event_df, keyword_df), *out]


def _block(b: int, block_docs: int, stats, config, parts: int, *pieces) -> list:
    """One id-range block: its fingerprints in id order (the payload verification reads),
    and its LSH band rows and event-key rows, keyed by partition."""
    from dedup.lsh import band_keys
    from dedup.verify import event_terms

    rows = sorted((item for piece in pieces for item in piece), key=lambda item: item[0])
    ranks = np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows))
    fps = [fp for _, fp in rows]
    assert len(ranks) == 0 or (ranks[0] == b * block_docs and ranks[-1] == ranks[0] + len(ranks) - 1)
    out: list[Any] = [fps]
    # LSH: (band, key, article) rows by key.
    if fps:
        matrix = np.stack([f.minhash for f in fps])
        if matrix.shape[1] != config.num_perm:
            from dedup.errors import IncompatibleFingerprintError

            raise IncompatibleFingerprintError(f"fingerprints have {matrix.shape[1]} permutations, "
                                               f"config.num_perm={config.num_perm}; fingerprint again with this config")
        keys = band_keys(matrix, config.lsh_bands, config.lsh_rows)
    else:
        keys = np.zeros((0, config.lsh_bands), dtype=np.uint64)
    band = np.tile(np.arange(keys.shape[1], dtype=np.int64), len(fps))
    key = keys.ravel()
    doc = np.repeat(ranks, keys.shape[1])
    part = (key % np.uint64(parts)).astype(np.int64)
    out += [(band[part == r], key[part == r], doc[part == r]) for r in range(parts)]
    # Event keys: (key, article) occurrences by key hash.
    import xxhash

    by_part: list[tuple[list[str], list[int]]] = [([], []) for _ in range(parts)]
    for rank, fp in zip(ranks.tolist(), fps):
        for k in event_terms(fp)[0]:
            keys_r, docs_r = by_part[xxhash.xxh64_intdigest(k.encode("utf-8")) % parts]
            keys_r.append(k)
            docs_r.append(rank)
    out += [(k, np.asarray(d, dtype=np.int64)) for k, d in by_part]
    return out


def _candidates(n: int, config, parts: int, n_blocks: int, *pieces) -> list:
    """One key partition: LSH pairs of its buckets and event-key pairs with their weights,
    each keyed by pair code (``i << 32 | j``, i < j: positions in id order)."""
    from dedup.lsh import _pairs_in_groups

    band_pieces, event_pieces = pieces[:n_blocks], pieces[n_blocks:]
    band = np.concatenate([p[0] for p in band_pieces])
    key = np.concatenate([p[1] for p in band_pieces])
    doc = np.concatenate([p[2] for p in band_pieces])
    lsh = np.zeros(0, dtype=np.int64)
    if len(key):
        order = np.lexsort((doc, key, band))
        band, key, doc = band[order], key[order], doc[order]
        boundary = np.ones(len(key), dtype=bool)
        boundary[1:] = (key[1:] != key[:-1]) | (band[1:] != band[:-1])
        starts = np.flatnonzero(boundary)
        lengths = np.diff(np.append(starts, len(key)))
        multi = lengths > 1
        if multi.any():
            lsh = _distinct(_pairs_in_groups(doc, starts[multi], lengths[multi], LSH_CAP))
    codes, dfs, weights = _event_candidates([k for p in event_pieces for k in p[0]],
                                            np.concatenate([p[1] for p in event_pieces]), n, config.max_postings)
    lsh_part = lsh % parts
    ev_part = codes % parts
    return [(lsh[lsh_part == r], codes[ev_part == r], dfs[ev_part == r], weights[ev_part == r]) for r in range(parts)]


def _event_candidates(keys: list[str], docs: np.ndarray, n: int, max_postings: int):
    """Pairs of articles sharing a key of this partition, each with the key's document
    frequency and IDF (as `dedup.lsh.event_pairs` before it sums them)."""
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    if not keys:
        return empty
    vocab: dict[str, int] = {}
    key_of = np.fromiter((vocab.setdefault(k, len(vocab)) for k in keys), dtype=np.int64, count=len(keys))
    df = np.bincount(key_of, minlength=len(vocab))
    keep = (df[key_of] >= 2) & (df[key_of] <= max_postings)
    doc_of, key_of = docs[keep], key_of[keep]
    if len(key_of) == 0:
        return empty
    idf = np.log((n + 1.0) / (df.astype(np.float64) + 0.5)).clip(min=0.0)
    order = np.lexsort((doc_of, key_of))
    doc_sorted, key_sorted = doc_of[order], key_of[order]
    boundary = np.ones(len(key_sorted), dtype=bool)
    boundary[1:] = key_sorted[1:] != key_sorted[:-1]
    starts = np.flatnonzero(boundary)
    group_len = np.diff(np.append(starts, len(key_sorted)))
    codes, dfs, weights = [], [], []
    for size in _distinct(group_len).tolist():
        group_starts = starts[group_len == size]
        members = doc_sorted[group_starts[:, None] + np.arange(size)[None, :]]
        ii, jj = np.triu_indices(size, k=1)
        codes.append(((members[:, ii] << 32) | members[:, jj]).ravel())
        dfs.append(np.full(len(group_starts) * len(ii), size, dtype=np.int64))
        weights.append(np.repeat(idf[key_sorted[group_starts]], len(ii)))
    if not codes:
        return empty
    return np.concatenate(codes), np.concatenate(dfs), np.concatenate(weights)


def _sum_pairs(parts: int, *pieces) -> list:
    """One pair partition: unique LSH pairs, and each event pair's weights summed in
    ascending document frequency (the order `event_pairs` adds them in, so the sums are the
    same to the last bit), sent on to the partitions of both its articles."""
    lsh = _distinct(np.concatenate([p[0] for p in pieces]))
    codes = np.concatenate([p[1] for p in pieces])
    dfs = np.concatenate([p[2] for p in pieces])
    weights = np.concatenate([p[3] for p in pieces])
    out: list[Any] = [lsh]
    if len(codes) == 0:
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        return out + [empty] * parts
    order = np.lexsort((dfs, codes))
    codes, weights = codes[order], weights[order]
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    np.not_equal(codes[1:], codes[:-1], out=new[1:])
    uniq = codes[new]
    summed = np.bincount(np.cumsum(new) - 1, weights=weights)  # adds in array order: df ascending
    ends = np.concatenate([uniq >> 32, uniq & 0xFFFFFFFF])
    both = np.concatenate([uniq, uniq])
    w = np.concatenate([summed, summed])
    part = ends % parts
    return out + [(ends[part == r], both[part == r], w[part == r]) for r in range(parts)]


def _top_k(config, parts: int, *pieces) -> list:
    """One article partition: each article keeps its ``max_candidates`` strongest event
    partners (weight, then pair code: `event_pairs`'s order)."""
    ends = np.concatenate([p[0] for p in pieces])
    codes = np.concatenate([p[1] for p in pieces])
    w = np.concatenate([p[2] for p in pieces])
    if len(ends) == 0:
        return [np.zeros(0, dtype=np.int64)] * parts
    order = np.lexsort((codes, -w, ends))
    ends_sorted = ends[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ends_sorted[1:] != ends_sorted[:-1]
    group_id = np.cumsum(first) - 1
    rank = np.arange(len(order)) - np.flatnonzero(first)[group_id]
    kept = _distinct(codes[order][rank < config.max_candidates])
    part = kept % parts
    return [kept[part == r] for r in range(parts)]


def _candidate_set(n_blocks: int, block_docs: int, lsh: np.ndarray, *kept) -> list:
    """One pair partition's candidates (LSH or event), keyed by the block of their first article."""
    from dedup.lsh import merge_pairs

    pairs = merge_pairs(lsh, *kept)
    block = (pairs >> 32) // block_docs
    return [len(pairs)] + [pairs[block == b] for b in range(n_blocks)]


def _attach(payload, b: int, block_docs: int, n_blocks: int, *pieces) -> list:
    """Pairs whose first article is in block ``b``: that article's payload travels with them
    to the block of the second."""
    codes = np.sort(np.concatenate(pieces)) if pieces else np.zeros(0, dtype=np.int64)
    first = (codes >> 32) - b * block_docs
    second_block = (codes & 0xFFFFFFFF) // block_docs
    out = []
    for target in range(n_blocks):
        sel = np.flatnonzero(second_block == target)
        # An article is in many pairs: its payload travels once per target block.
        uniq, inverse = _unique_inverse(first[sel])
        out.append((codes[sel], inverse, [payload[i] for i in uniq.tolist()]))
    return out


def _verify(payload, b: int, block_docs: int, stats, config, with_reasons: bool, *pieces) -> list:
    """Verify the pairs whose second article is in block ``b``.

    Candidate pass (``with_reasons`` false): the linked pairs come back as three objects:
    their edges (first, second positions), light columns for grouping (scores, ids, pair
    codes), and how many.  Reasons pass (true, over the links that clusters list): one
    object, {pair code: `Link` with its reasons}."""
    from dedup.verify import PairScorer

    firsts = [fp for _, _, fps in pieces for fp in fps]
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return [{}] if with_reasons else [(empty, empty), ([], [], [], []), 0]
    # One scorer over the visiting first articles and this block: the same arithmetic,
    # column order included, as the local run's scorer over the whole corpus.
    scorer = PairScorer(firsts + list(payload), stats, config)
    offsets = np.cumsum([0] + [len(fps) for _, _, fps in pieces])
    codes = np.concatenate([c for c, _, _ in pieces])
    i = np.concatenate([which + offsets[k] for k, (_, which, _) in enumerate(pieces)])
    j = len(firsts) + (codes & 0xFFFFFFFF) - b * block_docs
    scores = scorer.score(i, j)
    if with_reasons:
        return [dict(zip(codes.tolist(), scorer.links(i, j, scores, np.arange(len(codes)))))]
    linked = np.flatnonzero(scores.linked)
    linked = linked[np.argsort(codes[linked], kind="stable")]
    ids = [fp.id for fp in scorer.fps]
    pair_ids = [(ids[x], ids[y]) if ids[x] < ids[y] else (ids[y], ids[x]) for x, y in zip(i[linked].tolist(), j[linked].tolist())]
    # Grouping needs only ids and scores: reasons are written later, for the links the
    # clusters list (a few per cluster), not for every verified pair.
    items = (scores.score[linked].tolist(), [a for a, _ in pair_ids], [bb for _, bb in pair_ids], codes[linked].tolist())
    return [(codes[linked] >> 32, codes[linked] & 0xFFFFFFFF), items, len(linked)]


def _components(edges: list, n: int) -> np.ndarray:
    """Min-label propagation over the edge partitions with pointer jumping; the driver
    keeps one label per article, the edges stay in the object store."""
    import ray

    labels = np.arange(n, dtype=np.int64)
    while True:
        labels_ref = ray.put(labels)
        changed = False
        for nodes, lows in ray.get([_call(_propagate, ref, labels_ref) for ref in edges]):
            if len(nodes):
                before = labels[nodes].copy()
                np.minimum.at(labels, nodes, lows)
                changed |= bool((labels[nodes] != before).any())
        while True:  # pointer jumping: a label's label is a label too
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if not changed:
            return labels


def _propagate(edges, labels) -> tuple[np.ndarray, np.ndarray]:
    """For one edge partition: the nodes whose label would drop, with their new labels."""
    a, b = edges
    if len(a) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    low = np.minimum(labels[a], labels[b])
    nodes = np.concatenate([a, b])
    lows = np.concatenate([low, low])
    better = lows < labels[nodes]
    nodes, lows = nodes[better], lows[better]
    if len(nodes) == 0:
        return nodes, lows
    uniq, inverse = _unique_inverse(nodes)  # reduced inside the partition
    best = np.full(len(uniq), np.iinfo(np.int64).max)
    np.minimum.at(best, inverse, lows)
    return uniq, best


def _route(edges, items, labels, parts: int) -> list:
    """Links keyed by the component (label) of their articles."""
    comp = labels[edges[0]]
    part = comp % parts
    out = []
    for r in range(parts):
        sel = np.flatnonzero(part == r).tolist()
        out.append((comp[sel].tolist(), *([column[i] for i in sel] for column in items)))
    return out


def _group(config, *pieces) -> list:
    """Clusters of the components of one partition (`clusters_from_links` per component on
    light links, ids and scores only), each with the pair codes of the links it lists (their
    reasons are written afterwards); the driver numbers them."""
    from dedup.clustering import clusters_from_links
    from dedup.verify import Link

    by_comp: dict[int, list] = {}
    code_of: dict[tuple[str, str], int] = {}
    for comps, scores, a_ids, b_ids, codes in pieces:
        for comp, score, a, b, code in zip(comps, scores, a_ids, b_ids, codes):
            by_comp.setdefault(comp, []).append(Link(a, b, score, True))
            code_of[(a, b)] = code
    out = []
    for comp in sorted(by_comp):
        links = by_comp[comp]
        members = sorted({x.a for x in links} | {x.b for x in links})
        for c in clusters_from_links(members, links, config):
            out.append((c, [code_of[(x.a, x.b)] for x in c.links]))
    return out


# -- 5. translate --------------------------------------------------------------------------
class _TranslateBatch:
    """One per actor: the engine is loaded once and serves every batch sent to this actor."""

    def __init__(self, config: RunConfig, out: str):
        from xlate.pipeline import _load_glossary, _make_translator

        self.out = Path(out)
        self.translator = _make_translator(config, _load_glossary(config.glossary), self.out, cache=False)

    def __call__(self, batch):
        import pandas as pd

        results, done = [], []
        records = {doc_id: json.loads(record_json) for doc_id, record_json in zip(batch["id"], batch["record"])}
        errors = translate_articles(self.translator, list(records), records, self.out)
        for doc_id, record in records.items():
            if doc_id in errors:
                results.append({"id": doc_id, "sentences": 0, "violations": 0, "error": errors[doc_id]})
                continue
            done.append({"id": doc_id, "key": translation_key(record, self.translator)})
            results.append({"id": doc_id, "sentences": record["sentences"], "violations": record["violations"], "error": ""})
        if done:  # this batch is finished: a rerun skips it
            name = hashlib.sha256("\n".join(d["id"] for d in done).encode()).hexdigest()[:16]
            write_atomic(self.out / ".state" / "ray" / f"{name}.jsonl", "".join(dumps_line(d) for d in done))
        return pd.DataFrame(results, columns=["id", "sentences", "violations", "error"])


def _translate(job: Job, records, summary: RunSummary, failures: list[dict[str, Any]], tick) -> None:
    import ray

    done = load_done(job.out)
    todo = []
    for doc_id in sorted(records):
        record = records[doc_id]
        if not to_translate(job.config, record, summary):
            continue
        if is_done(job.out, doc_id, translation_key(record, job.translator), done):
            count_existing(job.out, doc_id, record, summary)
            summary.resumed += 1
        else:
            todo.append({"id": doc_id, "record": json.dumps(record)})
    if not todo:
        return
    cpus = int(ray.available_resources().get("CPU", 2))
    gpus = int(ray.available_resources().get("GPU", 0))
    # Only a neural engine asked to use a GPU holds one; Apertium actors run on CPUs.
    if job.translator.info.get("engine") not in ("marian", "ctranslate2") or job.config.device == "cpu":
        gpus = 0
    actors = max(1, min(len(todo), gpus if gpus else cpus - 1))  # one CPU stays free (ray#44687)
    # As many articles a call as a local run (an Apertium call starts its processes), but
    # never so many that an actor goes without a batch.
    batch = max(1, min(articles_per_pass(job.translator), -(-len(todo) // actors)))
    results = ray.data.from_items(todo).map_batches(
        _TranslateBatch, batch_size=batch, batch_format="pandas", compute=ray.data.ActorPoolStrategy(size=actors),
        num_gpus=1 if gpus else 0, num_cpus=1, fn_constructor_kwargs={"config": job.config, "out": str(job.out)},
    ).to_pandas()
    for row in results.itertuples(index=False):
        record = records[row.id]
        if row.error:
            failures.append(failure_row(record.get("path") or row.id, row.error, "translate", doc_id=row.id))
            continue
        record["sentences"], record["violations"] = int(row.sentences), int(row.violations)
        summary.sentences += record["sentences"]
        summary.violations += record["violations"]
        summary.translated += 1
    tick("translate", summary.translated)
