"""Candidate pairs: MinHash LSH banding (near-duplicates) and an event-key inverted index.

Both are vectorised over numpy arrays of document indices, so candidate generation costs a
few sorts, not a Python loop per pair.  Document indices are positions in the id-sorted
fingerprint list: the same input gives the same pairs in the same order.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._threads import map_threads

__all__ = ["band_keys", "lsh_pairs", "event_pairs", "merge_pairs"]

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: ``np.unique`` without its cost (numpy 2.4's unique of an int
    array is ~100x slower than a sort here: 0.9 s against 10 ms for a million codes)."""
    if len(values) < 2:
        return np.sort(values)
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def band_keys(matrix: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """uint64[n, bands]: one hash per band of ``rows`` consecutive MinHash values."""
    n = matrix.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    m64 = matrix.astype(np.uint64)
    for r in range(rows):
        cols = m64[:, r : bands * rows : rows]  # row r of every band
        keys = (keys * _MIX) ^ cols
    # Different bands must not collide with each other: fold the band number in.
    keys ^= np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(0xD6E8FEB86659FD93)
    return keys


def _pairs_in_groups(sorted_docs: np.ndarray, group_start: np.ndarray, group_len: np.ndarray, cap: int) -> np.ndarray:
    """All (i, j) pairs, i < j, within each group of a sorted array; groups above ``cap``
    members link each member to the group's first ``cap`` members only (a star keeps a
    big bucket of copies connected without a quadratic blow-up).  Returns int64 codes
    ``i * 2**32 + j``."""
    out: list[np.ndarray] = []
    for size in _distinct(group_len):
        size = int(size)
        if size < 2:
            continue
        starts = group_start[group_len == size]
        members = sorted_docs[starts[:, None] + np.arange(size)[None, :]]  # [groups, size]
        members.sort(axis=1)
        if size <= cap:
            ii, jj = np.triu_indices(size, k=1)
        else:
            ii, jj = np.nonzero(np.arange(size)[:, None] < np.minimum(np.arange(size)[None, :], cap))
        a = members[:, ii].ravel().astype(np.int64)
        b = members[:, jj].ravel().astype(np.int64)
        out.append((a << 32) | b)
    if not out:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(out)


def lsh_pairs(keys: np.ndarray, cap: int = 64) -> np.ndarray:
    """Unique candidate pair codes from band keys (pairs sharing at least one band)."""
    n, bands = keys.shape
    found: list[np.ndarray] = []
    docs = np.arange(n, dtype=np.int64)
    for b in range(bands):
        col = keys[:, b]
        order = np.argsort(col, kind="stable")
        sorted_keys = col[order]
        boundary = np.ones(n, dtype=bool)
        boundary[1:] = sorted_keys[1:] != sorted_keys[:-1]
        starts = np.flatnonzero(boundary)
        lengths = np.diff(np.append(starts, n))
        multi = lengths > 1
        if multi.any():
            found.append(_pairs_in_groups(docs[order], starts[multi], lengths[multi], cap))
    if not found:
        return np.zeros(0, dtype=np.int64)
    return _distinct(np.concatenate(found))


def event_pairs(
    doc_keys: Any,  # Sequence[Sequence[int]] or a scipy CSR matrix
    idf: np.ndarray,
    max_postings: int,
    max_candidates: int,
    *,
    block_entries: int = 1 << 16,
    workers: int = 1,
) -> np.ndarray:
    """Candidate pairs sharing rare event keys (names, dates, amounts).

    ``doc_keys[i]`` are the (distinct) key ids of document i (or ``doc_keys`` is a CSR
    matrix whose row i has document i's keys as column indices); ``idf[k]`` the weight of
    key k.  Keys in more than ``max_postings`` documents are skipped (too common to say "same
    event"); each pair's shared IDF weight is summed, and each document keeps its
    ``max_candidates`` strongest partners (ties: the smaller partner).  Returns sorted
    unique pair codes.

    Computed document block by document block (about ``block_entries`` key postings each):
    every document of a block is expanded to the postings of its keys, partners are summed
    and the strongest kept, so memory stays bounded however many pairs the keys make.  A
    pair's weights are added in ascending (document frequency, key id) order, so sums, and
    hence ties, are the same to the last bit whichever end they are computed from.
    ``workers`` threads share the blocks (numpy releases the GIL in the sorts and
    array passes that dominate); the result does not depend on it.
    """
    empty = np.zeros(0, dtype=np.int64)
    if hasattr(doc_keys, "indptr"):  # a CSR matrix: row i's column indices are document i's keys
        n = int(doc_keys.shape[0])
        lengths = np.diff(doc_keys.indptr).astype(np.int64)
        key_of = doc_keys.indices.astype(np.int64)
    else:
        n = len(doc_keys)
        lengths = np.fromiter((len(k) for k in doc_keys), dtype=np.int64, count=n)
        key_of = np.fromiter((k for ks in doc_keys for k in ks), dtype=np.int64, count=int(lengths.sum()))
    if lengths.sum() == 0:
        return empty
    doc_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
    n_keys = max(len(idf), int(key_of.max()) + 1)
    df = np.bincount(key_of, minlength=n_keys)
    keep = (df[key_of] >= 2) & (df[key_of] <= max_postings)
    doc_of, key_of = doc_of[keep], key_of[keep]
    if len(key_of) == 0:
        return empty
    weight = np.zeros(n_keys, dtype=np.float64)
    weight[: len(idf)] = idf
    # Keys ranked in summation order: (document frequency, key id).
    key_by_rank = np.lexsort((np.arange(n_keys), df))
    key_rank = np.empty(n_keys, dtype=np.int64)
    key_rank[key_by_rank] = np.arange(n_keys)
    # Postings (documents of each key, ascending) and each document's keys in summation
    # order, both from one sort of a combined integer code.
    post_docs = np.sort(key_of * n + doc_of) % n
    post_start = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(np.bincount(key_of, minlength=n_keys), out=post_start[1:])
    by_doc = np.sort(doc_of * n_keys + key_rank[key_of])
    e_doc, e_key = by_doc // n_keys, key_by_rank[by_doc % n_keys]
    del doc_of, key_of, by_doc
    e_size = df[e_key]
    doc_first = np.searchsorted(e_doc, np.arange(n + 1))  # first entry of each document
    e_cum = np.zeros(len(e_size) + 1, dtype=np.int64)
    np.cumsum(e_size, out=e_cum[1:])
    doc_cum = e_cum[doc_first]  # postings expanded before each document
    p_bits = max(1, (n - 1).bit_length())
    blocks: list[tuple] = []
    lo = 0
    while lo < n:
        # Documents whose expansion fits the budget (at least one), at most 2**16 of them.
        hi = int(np.searchsorted(doc_cum, doc_cum[lo] + block_entries, side="right")) - 1
        hi = min(max(hi, lo + 1), lo + (1 << 16), n)
        ea, eb = int(doc_first[lo]), int(doc_first[hi])
        if eb > ea:
            blocks.append((lo, hi, e_doc[ea:eb], e_key[ea:eb], e_size[ea:eb], post_docs, post_start, weight, p_bits, max_candidates))
        lo = hi
    if not blocks:
        return empty
    kept = map_threads(lambda args: _block_top_partners(*args), blocks, workers)
    return _distinct(np.concatenate(kept))


def _block_top_partners(
    lo: int, hi: int, docs: np.ndarray, keys: np.ndarray, sizes: np.ndarray,
    post_docs: np.ndarray, post_start: np.ndarray, weight: np.ndarray, p_bits: int, max_candidates: int,
) -> np.ndarray:
    """Pair codes of the strongest ``max_candidates`` partners of documents lo..hi-1, from
    their (doc, key) entries in summation order."""
    total = int(sizes.sum())
    # Expand every entry to its key's postings: partner, and the key's weight.
    first = np.cumsum(sizes) - sizes
    partner = post_docs[np.repeat(post_start[keys] - first, sizes) + np.arange(total)]
    doc = np.repeat(docs, sizes)
    w = np.repeat(weight[keys], sizes)
    other = partner != doc
    partner, doc, w = partner[other], doc[other], w[other]
    # Sum per (doc, partner) in order of appearance (= summation order): sort a code that
    # ends with the position, then bincount adds each group's weights position by position.
    pair = ((doc - lo) << p_bits) | partner
    pos_bits = max(1, len(pair).bit_length())
    if (hi - lo).bit_length() + p_bits + pos_bits <= 62:
        ordered = np.sort((pair << pos_bits) | np.arange(len(pair)))
        pair_sorted, pos = ordered >> pos_bits, ordered & ((1 << pos_bits) - 1)
        new_group = np.empty(len(pair_sorted), dtype=bool)
        new_group[:1] = True
        np.not_equal(pair_sorted[1:], pair_sorted[:-1], out=new_group[1:])
        summed = np.bincount(np.cumsum(new_group) - 1, weights=w[pos])
        pairs = pair_sorted[new_group]
    else:  # codes too wide to pack: the same sums via unique's inverse
        pairs, inverse = np.unique(pair, return_inverse=True)
        summed = np.bincount(inverse, weights=w)
    local = pairs >> p_bits  # sorted by document, then partner
    partner = pairs & ((1 << p_bits) - 1)
    # Each document's max_candidates-th largest weight, first on float32-rounded weights
    # (a monotone rounding: a sort of one packed integer), keeping every pair at or above
    # it; the exact order (weight descending, partner ascending) is then taken on those few.
    rounded = summed.astype(np.float32).view(np.int32).astype(np.int64)
    np.maximum(rounded, 0, out=rounded)  # -0.0 sorts with 0.0
    span = hi - lo
    count = np.bincount(local, minlength=span)
    start = np.cumsum(count) - count
    ordered = np.sort((local << 32) | rounded)
    cut_at = np.maximum(start + count - max_candidates, start)
    has = count > 0
    threshold = np.zeros(span, dtype=np.int64)
    threshold[has] = ordered[cut_at[has]] & 0xFFFFFFFF
    sel = np.flatnonzero(rounded >= threshold[local])
    order = np.lexsort((partner[sel], -summed[sel], local[sel]))
    sel = sel[order]
    sel_local = local[sel]
    group_first = np.empty(len(sel), dtype=bool)
    group_first[:1] = True
    np.not_equal(sel_local[1:], sel_local[:-1], out=group_first[1:])
    group_start = np.flatnonzero(group_first)
    rank = np.arange(len(sel)) - np.repeat(group_start, np.diff(np.append(group_start, len(sel))))
    top = sel[rank < max_candidates]
    a = local[top] + lo
    b = partner[top]
    return (np.minimum(a, b) << 32) | np.maximum(a, b)


def merge_pairs(*arrays: np.ndarray) -> np.ndarray:
    present = [a for a in arrays if len(a)]
    if not present:
        return np.zeros(0, dtype=np.int64)
    return _distinct(np.concatenate(present))
