"""Candidate pairs: MinHash LSH banding (near-duplicates) and an event-key inverted index.

Both are vectorised over numpy arrays of document indices, so candidate generation costs a
few sorts, not a Python loop per pair.  Document indices are positions in the id-sorted
fingerprint list: the same input gives the same pairs in the same order.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["band_keys", "lsh_pairs", "event_pairs", "merge_pairs"]

_MIX = np.uint64(0x9E3779B97F4A7C15)


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
    for size in np.unique(group_len):
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
    return np.unique(np.concatenate(found))


def event_pairs(
    doc_keys: Sequence[Sequence[int]],
    idf: np.ndarray,
    max_postings: int,
    max_candidates: int,
) -> np.ndarray:
    """Candidate pairs sharing rare event keys (names, dates, amounts).

    ``doc_keys[i]`` are key ids of document i; ``idf[k]`` the weight of key k.  Keys in
    more than ``max_postings`` documents are skipped (too common to say "same event");
    each pair's shared IDF weight is summed, and each document keeps its
    ``max_candidates`` strongest partners.  Returns sorted unique pair codes.
    """
    lengths = np.fromiter((len(k) for k in doc_keys), dtype=np.int64, count=len(doc_keys))
    if lengths.sum() == 0:
        return np.zeros(0, dtype=np.int64)
    doc_of = np.repeat(np.arange(len(doc_keys), dtype=np.int64), lengths)
    key_of = np.fromiter((k for ks in doc_keys for k in ks), dtype=np.int64, count=int(lengths.sum()))
    df = np.bincount(key_of, minlength=len(idf))
    keep = (df[key_of] >= 2) & (df[key_of] <= max_postings)
    doc_of, key_of = doc_of[keep], key_of[keep]
    if len(key_of) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((doc_of, key_of))
    doc_sorted, key_sorted = doc_of[order], key_of[order]
    boundary = np.ones(len(key_sorted), dtype=bool)
    boundary[1:] = key_sorted[1:] != key_sorted[:-1]
    starts = np.flatnonzero(boundary)
    group_len = np.diff(np.append(starts, len(key_sorted)))
    codes: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for size in np.unique(group_len):
        size = int(size)
        if size < 2:
            continue
        group_starts = starts[group_len == size]
        members = doc_sorted[group_starts[:, None] + np.arange(size)[None, :]]
        ii, jj = np.triu_indices(size, k=1)
        codes.append(((members[:, ii] << 32) | members[:, jj]).ravel())
        weights.append(np.repeat(idf[key_sorted[group_starts]], len(ii)))
    if not codes:
        return np.zeros(0, dtype=np.int64)
    all_codes = np.concatenate(codes)
    all_weights = np.concatenate(weights)
    uniq, inverse = np.unique(all_codes, return_inverse=True)
    summed = np.bincount(inverse, weights=all_weights)
    # Top partners per document, from both ends of each pair.
    a = uniq >> 32
    b = uniq & 0xFFFFFFFF
    ends = np.concatenate([a, b])
    pair_idx = np.concatenate([np.arange(len(uniq)), np.arange(len(uniq))])
    w = np.concatenate([summed, summed])
    # Sort by document, then weight descending, then pair code (deterministic ties).
    order = np.lexsort((uniq[pair_idx], -w, ends))
    ends_sorted = ends[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ends_sorted[1:] != ends_sorted[:-1]
    group_id = np.cumsum(first) - 1
    rank = np.arange(len(order)) - np.flatnonzero(first)[group_id]
    kept = np.unique(pair_idx[order][rank < max_candidates])
    return uniq[kept]


def merge_pairs(*arrays: np.ndarray) -> np.ndarray:
    present = [a for a in arrays if len(a)]
    if not present:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(present))


def idf_weights(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Smoothed IDF; keys in every document weigh about zero."""
    return np.log((n_docs + 1.0) / (df + 0.5)).clip(min=0.0) if n_docs else np.zeros(len(df))


def expected_candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that a pair of this Jaccard shares at least one band (for reports)."""
    return 1.0 - (1.0 - jaccard**rows) ** bands if 0 <= jaccard <= 1 else math.nan
