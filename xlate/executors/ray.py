"""`xlate run --executor ray`: the same pipeline on a Ray cluster, the same outputs.

Every stage is the local pipeline's own code (`xlate.pipeline`, `dedup`), run where the
data is:

1. corpus files are handed out in partitions (Ray Data ``map_batches``): line statistics
   per site, merged on the driver (small: hashed short lines), then cleaning, language
   identification and fingerprinting; workers write ``cleaned/`` and ``removed/``;
2. LSH band keys are computed per block and grouped by key bucket (``groupby`` on a
   bucket column with a handful of values, then vectorised pairing per group: one group per
   bucket, not one per key, which is what made per-key ``map_groups`` slow); event-key
   candidates come from the same vectorised `dedup.lsh.event_pairs` on compact integer
   arrays;
3. candidate pairs are verified in parallel (``map_batches``), with corpus statistics
   broadcast through the object store;
4. connected components by min-label propagation with pointer jumping: each round,
   every block of links reports per-node label improvements (already reduced inside the
   block); the driver holds one label per article, never the edge list;
5. each component is grouped on a worker with `dedup.clustering.clusters_from_links`
   (average linkage never crosses components, so this equals the local grouping);
6. translation in an actor pool (a callable class loads the engine once per actor;
   ``num_gpus=1`` per actor when the cluster has GPUs; one CPU is left free, see
   ray-project/ray#44687); each finished batch appends its ids to a state file under
   ``OUT/.state/ray/``, so a killed run, rerun with the same OUT, skips what is done.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from dedup.cleaner import Cleaner, LineStats
from dedup.errors import CorpusReadError
from dedup.reader import corpus_files, read_file
from xlate.outputs import dumps_line
from xlate.pipeline import (
    Job,
    RunConfig,
    RunSummary,
    clean_one,
    count_existing,
    finish,
    is_done,
    load_done,
    prepare,
    translate_one,
    translation_key,
)

FILES_PER_TASK = 64
BUCKETS = 16  # key buckets for grouping band keys and components (one group each)
VERIFY_BATCH = 4096


def run_ray(corpus, out, config: RunConfig, *, progress=None, stdin=None) -> RunSummary:
    import ray

    tick = progress or (lambda stage, n: None)
    job = prepare(corpus, out, config, stdin)
    started_here = _init(config)
    try:
        return _run(job, tick)
    finally:
        if started_here:
            ray.shutdown()


def _init(config: RunConfig) -> bool:
    import ray
    from ray.data import DataContext

    import logging

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
    import ray

    config = job.config
    root = Path(job.corpus)
    base = root.parent if root.is_file() else root
    files = [str(f) for f in corpus_files(root)]
    items = [{"order": i, "file": f} for i, f in enumerate(files)]
    failures: list[dict[str, Any]] = []
    if not items:
        from dedup.clustering import clusters_from_links

        return finish(job, clusters_from_links([], [], job.cluster_config), {}, job.summary(), failures)

    # 1a. Line statistics per site, merged on the driver.
    stats = LineStats(config.cleaner)
    parts = ray.data.from_items(items).map_batches(
        _line_stats_batch, batch_size=FILES_PER_TASK, batch_format="pandas",
        fn_kwargs={"base": str(base), "max_bytes": config.max_bytes, "cleaner": config.cleaner})
    for blob in parts.to_pandas()["stats"]:
        stats.merge(pickle.loads(blob))
    tick("scan", len(files))

    # 1b. Clean, identify language, fingerprint; workers write cleaned/ and removed/.
    stats_ref = ray.put(stats)
    rows = ray.data.from_items(items).map_batches(
        _clean_batch, batch_size=FILES_PER_TASK, batch_format="pandas",
        fn_kwargs={"base": str(base), "out": str(job.out), "config": config, "stats": stats_ref,
                   "cluster_config": job.cluster_config, "aliases": job.aliases}).to_pandas()
    rows = rows.sort_values(["order", "seq"], kind="stable")
    records: dict[str, dict[str, Any]] = {}
    fingerprints = []
    for row in rows.itertuples(index=False):
        if row.error:
            failures.append(json.loads(row.error))
        elif row.id in records:
            failures.append({"file": row.path, "line": None, "stage": "read",
                             "reason": f"duplicate article id {row.id!r}; rename one of the files or fix the JSONL id"})
        else:
            records[row.id] = json.loads(row.record)
            fingerprints.append(pickle.loads(row.fp))
    tick("clean", len(records))

    # 2-5. Candidates, verification, components, groups.
    clusters = _cluster(fingerprints, job.cluster_config, tick)
    summary = job.summary()
    if job.translator is not None:
        _translate(job, records, summary, failures, tick)
    return finish(job, clusters, records, summary, failures)


_RESOLVED: dict[str, Any] = {}


def _resolve(value):
    """Object-store values handed to a UDF; fetched (and unpickled) once per worker process,
    not once per batch: the fingerprint list is the big one."""
    import ray

    if not isinstance(value, ray.ObjectRef):
        return value
    key = value.hex()
    if key not in _RESOLVED:
        if len(_RESOLVED) > 8:
            _RESOLVED.clear()
        _RESOLVED[key] = ray.get(value)
    return _RESOLVED[key]


# -- stage 1 -------------------------------------------------------------------------------
def _line_stats_batch(batch, base: str, max_bytes: int, cleaner):
    import pandas as pd

    stats = LineStats(cleaner)
    for file in batch["file"]:
        for doc in read_file(file, base, max_bytes=max_bytes, on_error=lambda err: None):
            stats.add(doc)
    return pd.DataFrame({"stats": [pickle.dumps(stats)]})


def _clean_batch(batch, base: str, out: str, config: RunConfig, stats, cluster_config, aliases):
    import pandas as pd

    from dedup.entities import AliasTable
    from dedup.fingerprint import as_input, fingerprint_batch
    from xlate.errors import XlateError

    cleaner = Cleaner(config.cleaner, line_stats=_resolve(stats))
    rows: list[dict[str, Any]] = []
    cleaned = []
    for order, file in zip(batch["order"], batch["file"]):
        errors: list[CorpusReadError] = []
        docs = list(read_file(file, base, max_bytes=config.max_bytes, on_error=errors.append))
        for err in errors:
            rows.append(_row(order, err.line or 0, error={**err.to_json(), "stage": "read"}))
        for seq, doc in enumerate(docs):
            where = doc.path or doc.id
            try:
                clean_doc, record = clean_one(doc, cleaner, Path(out))
            except XlateError as exc:
                rows.append(_row(order, seq, error={"file": where, "line": None, "reason": str(exc), "stage": "clean"}))
                continue
            if clean_doc is None:
                rows.append(_row(order, seq, error={"file": where, "line": None, "stage": "clean",
                                                    "reason": "nothing left after cleaning (all lines were boilerplate); check removed/ for this id"}))
                continue
            cleaned.append((order, seq, doc.path or "", clean_doc, record))
    table = AliasTable(aliases) if aliases else None
    fps = fingerprint_batch([as_input(c[3]) for c in cleaned], cluster_config, table) if cleaned else []
    for (order, seq, path, clean_doc, record), fp in zip(cleaned, fps):
        rows.append(_row(order, seq, id=clean_doc.id, path=path, record=json.dumps(record), fp=pickle.dumps(fp)))
    return pd.DataFrame(rows, columns=["order", "seq", "id", "path", "record", "fp", "error"])


def _row(order, seq, *, id="", path="", record="", fp=b"", error=None) -> dict[str, Any]:
    return {"order": int(order), "seq": int(seq), "id": id, "path": path, "record": record, "fp": fp,
            "error": json.dumps(error) if error else ""}


# -- stages 2-5 ----------------------------------------------------------------------------
def _cluster(fingerprints, config, tick):
    import ray

    from dedup.clustering import Cluster, clusters_from_links
    from dedup.lsh import event_pairs, merge_pairs
    from dedup.verify import CorpusStats, event_keys

    fps = sorted(fingerprints, key=lambda f: f.id)  # indices as in the local clustering
    n = len(fps)
    ids = [f.id for f in fps]
    if n == 0:
        return []
    stats = CorpusStats(fps)
    fps_ref, stats_ref = ray.put(fps), ray.put(stats)

    # LSH: band keys per block, grouped by key bucket, pairs per group.
    chunks = [{"start": s, "end": min(n, s + 4096)} for s in range(0, n, 4096)]
    keyed = ray.data.from_items(chunks).flat_map(_band_rows, fn_kwargs={"fps": fps_ref, "config": config})
    lsh_codes = keyed.groupby("bucket", num_partitions=BUCKETS).map_groups(_pairs_of_bucket, batch_format="numpy").to_numpy_refs()
    lsh = np.unique(np.concatenate([ray.get(r)["code"] for r in lsh_codes] or [np.zeros(0, np.int64)])).astype(np.int64)

    # Event keys: the same vectorised selection as the local run, on compact integer arrays.
    vocab: dict[str, int] = {}
    doc_keys = [[vocab.setdefault(k, len(vocab)) for k, _ in event_keys(f)] for f in fps]
    df = np.zeros(len(vocab), dtype=np.float64)
    for key, v in vocab.items():
        df[v] = stats.event_df[key]
    idf = np.log((n + 1.0) / (df + 0.5)).clip(min=0.0)
    events = event_pairs(doc_keys, idf, config.max_postings, config.max_candidates)
    del doc_keys, vocab
    pairs = merge_pairs(lsh, events)
    tick("candidates", len(pairs))

    # Verification in parallel; only linked pairs come back, as compact columns.
    verified = ray.data.from_numpy(pairs).map_batches(
        _verify_batch, batch_size=VERIFY_BATCH, batch_format="numpy",
        fn_kwargs={"fps": fps_ref, "stats": stats_ref, "config": config}).materialize()
    tick("verified", verified.count())

    labels = _components(verified, n)
    comp_ids = ray.put(np.asarray(ids, dtype=object))
    grouped = verified.map_batches(_with_component, batch_format="numpy", fn_kwargs={"labels": ray.put(labels)}) \
        .groupby("bucket", num_partitions=BUCKETS).map_groups(_group_components, batch_format="pandas",
                                      fn_kwargs={"ids": comp_ids, "config": config}).to_pandas()
    clusters: list[Cluster] = [pickle.loads(blob) for blob in grouped["clusters"]] if len(grouped) else []
    clusters = [c for batch in clusters for c in batch]
    linked = {m for c in clusters for m in c.members}
    clusters += clusters_from_links([i for i in ids if i not in linked], [], config)  # singletons
    clusters.sort(key=lambda c: c.members[0])
    width = max(4, len(str(len(clusters))))
    for number, c in enumerate(clusters, start=1):
        c.id = f"c{number:0{width}d}"
    return clusters


def _band_rows(chunk, fps, config):
    from dedup.lsh import band_keys

    part = _resolve(fps)[chunk["start"]:chunk["end"]]
    keys = band_keys(np.stack([f.minhash for f in part]), config.lsh_bands, config.lsh_rows)
    docs = np.repeat(np.arange(chunk["start"], chunk["end"], dtype=np.int64), keys.shape[1])
    flat = keys.ravel()
    return [{"bucket": int(k % BUCKETS), "key": int(k), "doc": int(d)} for k, d in zip(flat.tolist(), docs.tolist())]


def _pairs_of_bucket(group):
    from dedup.lsh import _pairs_in_groups

    keys = np.asarray(group["key"], dtype=np.uint64)
    docs = np.asarray(group["doc"], dtype=np.int64)
    order = np.lexsort((docs, keys))
    keys, docs = keys[order], docs[order]
    boundary = np.ones(len(keys), dtype=bool)
    boundary[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(boundary)
    lengths = np.diff(np.append(starts, len(keys)))
    multi = lengths > 1
    codes = _pairs_in_groups(docs, starts[multi], lengths[multi], cap=64) if multi.any() else np.zeros(0, np.int64)
    return {"code": np.unique(codes)}


def _verify_batch(batch, fps, stats, config):
    from dedup.clustering import _unit
    from dedup.verify import verify

    fps, stats = _resolve(fps), _resolve(stats)
    a_out, b_out, links = [], [], []
    for code in batch["data"].tolist():
        i, j = code >> 32, code & 0xFFFFFFFF
        va = (_unit(stats.event_vector(fps[i])), _unit(stats.keyword_vector(fps[i])))
        vb = (_unit(stats.event_vector(fps[j])), _unit(stats.keyword_vector(fps[j])))
        link = verify(fps[i], fps[j], stats, config, vectors=(va[0], vb[0], va[1], vb[1]))
        if link.linked:
            a_out.append(i)
            b_out.append(j)
            links.append(pickle.dumps(link))
    return {"a": np.asarray(a_out, dtype=np.int64), "b": np.asarray(b_out, dtype=np.int64),
            "link": np.asarray(links, dtype=object)}


def _components(verified, n: int) -> np.ndarray:
    """Min-label propagation over the link blocks; the driver keeps one label per article."""
    import ray

    labels = np.arange(n, dtype=np.int64)
    while True:
        labels_ref = ray.put(labels)
        updates = verified.map_batches(_propagate, batch_format="numpy", fn_kwargs={"labels": labels_ref}).to_numpy_refs()
        changed = False
        for ref in updates:
            part = ray.get(ref)
            if len(part["node"]):
                before = labels[part["node"]].copy()
                np.minimum.at(labels, part["node"], part["label"])
                changed |= bool((labels[part["node"]] != before).any())
        while True:  # pointer jumping: a label's label is a label too
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if not changed:
            return labels


def _propagate(batch, labels):
    labels = _resolve(labels)
    a, b = batch["a"], batch["b"]
    if len(a) == 0:
        return {"node": np.zeros(0, np.int64), "label": np.zeros(0, np.int64)}
    low = np.minimum(labels[a], labels[b])
    nodes = np.concatenate([a, b])
    lows = np.concatenate([low, low])
    better = lows < labels[nodes]
    nodes, lows = nodes[better], lows[better]
    if len(nodes) == 0:
        return {"node": nodes, "label": lows}
    uniq, inverse = np.unique(nodes, return_inverse=True)  # reduce inside the block
    best = np.full(len(uniq), np.iinfo(np.int64).max)
    np.minimum.at(best, inverse, lows)
    return {"node": uniq, "label": best}


def _with_component(batch, labels):
    labels = _resolve(labels)
    comp = labels[batch["a"]] if len(batch["a"]) else np.zeros(0, np.int64)
    return {**batch, "comp": comp, "bucket": comp % BUCKETS}


def _group_components(group, ids, config):
    import pandas as pd

    from dedup.clustering import clusters_from_links

    out = []
    by_comp: dict[int, list] = {}
    for comp, blob in zip(group["comp"], group["link"]):
        by_comp.setdefault(int(comp), []).append(pickle.loads(blob))
    for comp in sorted(by_comp):
        links = by_comp[comp]
        members = sorted({x.a for x in links} | {x.b for x in links})
        out.extend(clusters_from_links(members, links, config))
    return pd.DataFrame({"clusters": [pickle.dumps(out)]})


# -- stage 6 -------------------------------------------------------------------------------
class _TranslateBatch:
    """One per actor: the engine is loaded once and serves every batch sent to this actor."""

    def __init__(self, config: RunConfig, out: str):
        from xlate.pipeline import _load_glossary, _make_translator

        self.out = Path(out)
        self.translator = _make_translator(config, _load_glossary(config.glossary), self.out, cache=False)

    def __call__(self, batch):
        import pandas as pd

        from xlate.errors import XlateError

        results, done = [], []
        for doc_id, record_json in zip(batch["id"], batch["record"]):
            record = json.loads(record_json)
            try:
                translate_one(self.translator, doc_id, record, self.out)
            except XlateError as exc:
                results.append({"id": doc_id, "sentences": 0, "violations": 0, "error": str(exc)})
                continue
            done.append({"id": doc_id, "key": translation_key(record, self.translator)})
            results.append({"id": doc_id, "sentences": record["sentences"], "violations": record["violations"], "error": ""})
        if done:  # this batch is finished: a rerun skips it
            name = hashlib.sha256("\n".join(d["id"] for d in done).encode()).hexdigest()[:16]
            state = self.out / ".state" / "ray"
            state.mkdir(parents=True, exist_ok=True)
            tmp = state / f".{name}.tmp"
            tmp.write_text("".join(dumps_line(d) for d in done), encoding="utf-8")
            os.replace(tmp, state / f"{name}.jsonl")
        return pd.DataFrame(results, columns=["id", "sentences", "violations", "error"])


def _translate(job: Job, records, summary: RunSummary, failures: list[dict[str, Any]], tick) -> None:
    import ray

    done = load_done(job.out)
    todo = []
    for doc_id in sorted(records):
        record = records[doc_id]
        if is_done(job.out, doc_id, translation_key(record, job.translator), done):
            count_existing(job.out, doc_id, record, summary)
            summary.resumed += 1
        else:
            todo.append({"id": doc_id, "record": json.dumps(record)})
    if not todo:
        return
    cpus = int(ray.available_resources().get("CPU", 2))
    gpus = int(ray.available_resources().get("GPU", 0))
    actors = max(1, min(len(todo), gpus if gpus else cpus - 1))  # one CPU stays free (ray#44687)
    results = ray.data.from_items(todo).map_batches(
        _TranslateBatch, batch_size=8, batch_format="pandas", compute=ray.data.ActorPoolStrategy(size=actors),
        num_gpus=1 if gpus else 0, num_cpus=1, fn_constructor_kwargs={"config": job.config, "out": str(job.out)},
    ).to_pandas()
    for row in results.itertuples(index=False):
        record = records[row.id]
        if row.error:
            failures.append({"file": record.get("path") or row.id, "line": None, "reason": row.error, "stage": "translate"})
            continue
        record["sentences"], record["violations"] = int(row.sentences), int(row.violations)
        summary.sentences += record["sentences"]
        summary.violations += record["violations"]
        summary.translated += 1
    tick("translate", summary.translated)
