"""Candidate generation (dedup.lsh) against plain-Python references of what it promises.

`event_pairs` is computed block by block with packed integer sorts for speed; these tests
check it returns exactly the pairs of the definition: each document keeps its
``max_candidates`` strongest partners (summed IDF of shared keys with 2 <= df <=
max_postings, added in (df, key id) order; ties: smaller partner), union over both ends.
"""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from dedup.lsh import _distinct, band_keys, event_pairs, lsh_pairs


def reference_event_pairs(doc_keys, idf, max_postings, max_candidates):
    df: dict[int, int] = {}
    for keys in doc_keys:
        for k in keys:
            df[k] = df.get(k, 0) + 1
    postings: dict[int, list[int]] = {}
    for d, keys in enumerate(doc_keys):
        for k in keys:
            if 2 <= df[k] <= max_postings:
                postings.setdefault(k, []).append(d)
    sums: dict[tuple[int, int], float] = {}
    for k in sorted(postings, key=lambda k: (df[k], k)):
        for a, b in itertools.combinations(sorted(postings[k]), 2):
            sums[(a, b)] = sums.get((a, b), 0.0) + float(idf[k])
    partners: dict[int, list[tuple[float, int, tuple[int, int]]]] = {}
    for (a, b), w in sums.items():
        partners.setdefault(a, []).append((-w, b, (a, b)))
        partners.setdefault(b, []).append((-w, a, (a, b)))
    kept = set()
    for d, items in partners.items():
        kept.update(pair for _, _, pair in sorted(items)[:max_candidates])
    return sorted((a << 32) | b for a, b in kept)


def random_doc_keys(seed: int, n_docs: int, n_keys: int, per_doc: int):
    rng = random.Random(seed)
    docs = [sorted(rng.sample(range(n_keys), rng.randrange(0, per_doc + 1))) for _ in range(n_docs)]
    # A few identical key sets: equal weights, so ties are exercised.
    for i in range(0, n_docs, 7):
        docs[i] = docs[0]
    df = np.bincount([k for ks in docs for k in ks], minlength=n_keys).astype(np.float64)
    idf = np.log((n_docs + 1.0) / (df + 0.5)).clip(min=0.0)
    return docs, idf


@pytest.mark.parametrize(
    "seed, n_docs, n_keys, per_doc, max_postings, max_candidates, block_entries",
    [
        (0, 40, 30, 6, 200, 3, 1 << 16),
        (1, 120, 60, 8, 200, 5, 1 << 16),
        (2, 120, 60, 8, 10, 5, 50),  # many small blocks, common keys skipped
        (3, 300, 40, 5, 200, 2, 7),  # a block per document
        (4, 200, 500, 12, 200, 20, 1 << 16),  # fewer partners than max_candidates
        (5, 80, 3, 3, 200, 4, 1 << 16),  # every document shares the same few keys: all ties
    ],
)
def test_event_pairs_match_the_definition(seed, n_docs, n_keys, per_doc, max_postings, max_candidates, block_entries):
    docs, idf = random_doc_keys(seed, n_docs, n_keys, per_doc)
    got = event_pairs(docs, idf, max_postings, max_candidates, block_entries=block_entries)
    assert got.tolist() == reference_event_pairs(docs, idf, max_postings, max_candidates)
    # The same keys as rows of a sparse matrix (what the clustering passes: the scorer's rows).
    from scipy import sparse

    rows = sparse.csr_matrix(
        (np.ones(sum(map(len, docs))), np.array([k for ks in docs for k in sorted(ks)], dtype=np.int64),
         np.cumsum([0] + [len(ks) for ks in docs])), shape=(len(docs), n_keys))
    assert event_pairs(rows, idf, max_postings, max_candidates, block_entries=block_entries).tolist() == got.tolist()
    # Blocks shared by two threads: the same pairs.
    assert event_pairs(rows, idf, max_postings, max_candidates, block_entries=block_entries, workers=2).tolist() == got.tolist()


def test_event_pairs_small_cases():
    idf = np.array([1.0, 2.0, 0.5, 3.0])
    # doc 0 shares key 1 with doc 1 (2.0) and key 0 with doc 2 (1.0); keep 1 partner each.
    docs = [[0, 1], [1], [0], [3]]
    assert event_pairs(docs, idf, 200, 1).tolist() == [(0 << 32) | 1, (0 << 32) | 2]
    assert event_pairs([[], [], []], idf, 200, 5).tolist() == []
    assert event_pairs([[2], [2], [2]], idf, 2, 5).tolist() == []  # df 3 > max_postings
    assert event_pairs([], idf, 200, 5).tolist() == []


@pytest.mark.parametrize("values", [[], [5], [3, 1, 3, 2, 1], list(range(10, 0, -1)) * 3])
def test_distinct_is_sorted_unique(values):
    arr = np.array(values, dtype=np.int64)
    assert _distinct(arr).tolist() == np.unique(arr).tolist()


def reference_lsh_pairs(keys: np.ndarray, cap: int) -> list[int]:
    pairs = set()
    for b in range(keys.shape[1]):
        buckets: dict[int, list[int]] = {}
        for doc, key in enumerate(keys[:, b].tolist()):
            buckets.setdefault(key, []).append(doc)
        for members in buckets.values():
            for j in range(1, len(members)):
                for i in range(min(j, cap)):
                    pairs.add((members[i] << 32) | members[j])
    return sorted(pairs)


@pytest.mark.parametrize("seed, cap", [(0, 64), (1, 3)])
def test_lsh_pairs_match_banding(seed, cap):
    rng = np.random.default_rng(seed)
    # Few distinct values per column so that bands collide, some buckets above the cap.
    matrix = rng.integers(0, 3, size=(60, 12)).astype(np.uint32)
    keys = band_keys(matrix, 4, 3)
    assert lsh_pairs(keys, cap=cap).tolist() == reference_lsh_pairs(keys, cap)


def test_packed_fingerprints_round_trip_through_pickle():
    import pickle

    from dedup.config import ClusterConfig
    from dedup.fingerprint import ArticleInput, PackedFingerprints, fingerprint_batch

    items = [
        ArticleInput("a", "Kaja Kallas à Achgabat le 27 mars 2025: 10,5 milliards.", title="Réunion", published="2025-03-28"),
        ArticleInput("b", ""),  # no entities, no keywords, empty MinHash sentinel
        ArticleInput("c", "Токаев встретился с Каллас в Ашхабаде 27 марта.", lang="ru"),
    ]
    assert pickle.loads(pickle.dumps(items)) == items
    fps = fingerprint_batch(items, ClusterConfig())
    packed = list(pickle.loads(pickle.dumps(PackedFingerprints(fps))))
    plain = pickle.loads(pickle.dumps(fps))  # Fingerprint.__reduce__
    for back in (packed, plain):
        assert [f.id for f in back] == ["a", "b", "c"]
        for original, copy in zip(fps, back):
            for name in original.__dataclass_fields__:
                if name == "minhash":
                    assert np.array_equal(getattr(original, name), getattr(copy, name))
                else:
                    assert getattr(original, name) == getattr(copy, name), name
    assert fps[0].entities and fps[0].keywords and fps[0].dates == ("2025-03-27",)
    assert list(PackedFingerprints([])) == []
