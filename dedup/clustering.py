"""Same-event clustering: fingerprints -> candidates -> verified links -> average-link groups.

    clusters = dedup.cluster({"a": text_a, "b": text_b, ...})
    clusters = dedup.cluster(clean_documents, ClusterConfig(threshold=0.35), aliases=glossary_aliases)
    link = dedup.explain(doc_a, doc_b)          # score and reasons of one pair

Articles are fingerprinted in batches as they stream in (optionally in spawned worker
processes) and only the fingerprints are kept.  Candidates come from two sources: MinHash
LSH bands over content shingles (copies, syndication) and an inverted index over rare event
keys (names, dates, amounts: same event told in other words, or in another language).
Each candidate is verified (`dedup.verify`) and groups are formed by average linkage over
the verified links: two groups merge only when the mean score over *all* their member pairs
(missing pairs count 0) reaches ``threshold``, so one strong link between two big stories
cannot chain them together.  Everything is ordered by article id: the same articles give
the same clusters whatever their input order.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ._pool import map_batches
from .config import ClusterConfig, checked_config
from .entities import AliasTable
from .errors import DedupError
from .fingerprint import Fingerprint, _worker_batch, _worker_state, as_input, fingerprint_batch, iter_inputs
from .lsh import band_keys, event_pairs, lsh_pairs, merge_pairs
from .verify import CorpusStats, Link, PairScorer, verify

__all__ = ["Cluster", "Link", "cluster", "clusters_from_links", "groups_of_component", "explain", "fingerprints", "cluster_fingerprints"]


@dataclass
class Cluster:
    """One event: its members (sorted ids), a representative, and the links that join them.

    ``links`` are the strongest verified links that connect every member (a maximum spanning
    tree of the links among the members: ``len(members) - 1`` of them), each with its
    reasons; ``linked_pairs`` counts all verified links among the members.  Any other pair
    can be explained with `explain` (``xlate explain``).
    """

    id: str
    members: list[str]
    representative: str
    links: list[Link] = field(default_factory=list)
    linked_pairs: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "cluster": self.id,
            "members": list(self.members),
            "representative": self.representative,
            "size": len(self.members),
            "linked_pairs": self.linked_pairs,
            "links": [
                {"a": link.a, "b": link.b, "score": round(link.score, 4), "reasons": link.reasons} for link in self.links
            ],
        }


def fingerprints(
    docs, config: ClusterConfig | None = None, *, aliases: Mapping[str, str] | None = None
) -> Iterator[Fingerprint]:
    """Stream fingerprints of ``docs`` (Mapping[id, text] or Documents), in input order.

    With ``config.workers > 1`` and more than one batch, batches go to a pool of *spawned*
    processes (a forked pool created after rensa was used deadlocked); results keep the
    input order and are the same as in one process.
    """
    config = checked_config(config)
    table = AliasTable(aliases) if aliases else None
    for result in map_batches(iter_inputs(docs), config.batch_size, config.workers,
                              lambda batch: fingerprint_batch(batch, config, table), _worker_batch,
                              state=(_worker_state, (config, dict(aliases) if aliases else None))):
        yield from result


def _average_link(n: int, scores: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """`_average_link_edges` of a {(i, j): score} mapping."""
    first = np.fromiter((i for i, _ in scores), dtype=np.int64, count=len(scores))
    second = np.fromiter((j for _, j in scores), dtype=np.int64, count=len(scores))
    score = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    return _average_link_edges(n, first, second, score, threshold)


def _average_link_edges(n: int, first: np.ndarray, second: np.ndarray, score: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage agglomeration over a sparse score graph (missing pairs score 0);
    groups as sorted index lists, ordered by smallest member.  An edge given twice (either
    way round) counts once, the last given.

    The result is the greedy one: the pair of groups with the highest average score merges
    first, ties going to the pair whose smallest members come first (indices are id-sorted,
    so every run resolves ties the same way), until no pair averages ``threshold``.  It is
    computed in rounds of array operations (reciprocal agglomerative clustering): each
    group's best neighbour in that order is found for all groups at once, and every pair of
    groups that are each other's best merges in the same round.  Average linkage is
    reducible (a merge never raises another group's average to the merged one above both
    of its old averages), so such a pair would have merged in the greedy order too.  After
    each round, links between groups that no chain of above-threshold averages joins are
    dropped: they can never be inside a merge, and the rounds shrink to the groups still
    growing.
    """
    if n == 0:
        return []
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    keep = first != second
    first, second, score = first[keep], second[keep], np.asarray(score, dtype=np.float64)[keep]
    lo, hi = np.minimum(first, second), np.maximum(first, second)
    _, last_from_end = np.unique((lo * n + hi)[::-1], return_index=True)
    last = len(lo) - 1 - last_from_end  # each pair's last occurrence, in pair order
    ga, gb, total = lo[last], hi[last], score[last]
    label = np.arange(n, dtype=np.int64)  # group of each node, named by one of its members
    size = np.ones(n, dtype=np.int64)
    low = np.arange(n, dtype=np.int64)  # smallest member of each group
    top = np.empty(n)
    best_low = np.empty(n, dtype=np.int64)
    touched = np.zeros(n, dtype=bool)
    ga, gb, total = _joinable(n, ga, gb, total, size, threshold)
    while len(ga):
        avg = total / (size[ga] * size[gb])
        strong = np.flatnonzero(avg >= threshold)
        if len(strong) == 0:
            break
        a, b, v = ga[strong], gb[strong], avg[strong]
        # Each group's best neighbour: highest average, ties to the smallest low member
        # (which gives the smallest (low, high) pair of lows, whichever side it falls).
        top.fill(-1.0)
        np.maximum.at(top, a, v)
        np.maximum.at(top, b, v)
        best_at_a, best_at_b = v == top[a], v == top[b]
        best_low.fill(n)
        np.minimum.at(best_low, a[best_at_a], low[b[best_at_a]])
        np.minimum.at(best_low, b[best_at_b], low[a[best_at_b]])
        mutual = best_at_a & best_at_b & (low[b] == best_low[a]) & (low[a] == best_low[b])
        x, y = a[mutual], b[mutual]  # y merges into x
        if len(x) == 0:  # the best pair of all is always mutual: every round merges
            raise RuntimeError("average link: a round without a merge (a bug: please report it)")
        size[x] += size[y]
        low[x] = np.minimum(low[x], low[y])
        remap = np.arange(n, dtype=np.int64)
        remap[y] = x
        label = remap[label]
        # Only links touching a merged group change: renamed, and summed where two now join
        # the same pair of groups.
        touched[x] = touched[y] = True
        hit = touched[ga] | touched[gb]
        touched[x] = touched[y] = False
        moved = np.flatnonzero(hit)
        na, nb, nt = remap[ga[moved]], remap[gb[moved]], total[moved]
        apart = na != nb
        na, nb, nt = na[apart], nb[apart], nt[apart]
        pairs, which = np.unique(np.minimum(na, nb) * n + np.maximum(na, nb), return_inverse=True)
        summed = np.bincount(which.reshape(-1), weights=nt, minlength=len(pairs))
        rest = np.flatnonzero(~hit)
        ga = np.concatenate([ga[rest], pairs // n])
        gb = np.concatenate([gb[rest], pairs % n])
        total = np.concatenate([total[rest], summed])
        ga, gb, total = _joinable(n, ga, gb, total, size, threshold)
    order = np.argsort(label, kind="stable")  # members of a group together, ascending
    bounds = np.flatnonzero(np.r_[True, label[order][1:] != label[order][:-1], True]).tolist()
    members = order.tolist()
    groups = [members[start:end] for start, end in zip(bounds, bounds[1:])]
    groups.sort(key=lambda g: g[0])
    return groups


def _joinable(n: int, ga: np.ndarray, gb: np.ndarray, total: np.ndarray, size: np.ndarray, threshold: float):
    """The links between groups that a chain of above-threshold averages joins (only
    those can ever be inside a merge: a merge needs such a link between its two sides)."""
    strong = total / (size[ga] * size[gb]) >= threshold
    _, component = _component_labels(n, ga[strong], gb[strong])
    inside = np.flatnonzero(component[ga] == component[gb])
    return ga[inside], gb[inside], total[inside]


def cluster_fingerprints(fps: list[Fingerprint], config: ClusterConfig | None = None) -> list[Cluster]:
    """Cluster already computed fingerprints (used by `cluster` and by `ClusterIndex`)."""
    config = checked_config(config)
    fps = sorted(fps, key=lambda f: f.id)
    for prev, cur in zip(fps, fps[1:]):
        if prev.id == cur.id:
            raise DedupError(f"article id {cur.id!r} appears twice; ids must be unique (rename one of the files)")
    n = len(fps)
    if n == 0:
        return []
    # Candidates 1: LSH over content MinHash (copies and syndicated rewrites).
    matrix = np.stack([f.minhash for f in fps])
    if matrix.shape[1] != config.num_perm:
        from .errors import IncompatibleFingerprintError

        raise IncompatibleFingerprintError(
            f"fingerprints have {matrix.shape[1]} permutations, config.num_perm={config.num_perm}; "
            "fingerprint again with this config"
        )

    def lsh_candidates(minhashes: np.ndarray) -> np.ndarray:
        return lsh_pairs(band_keys(minhashes, config.lsh_bands, config.lsh_rows))

    # Candidates 2: inverted index over rare event keys, read off the scorer's event rows
    # (one row of key columns per article).  The scorer's rows are built in Python while
    # the LSH pairs (numpy sorts, which release the GIL) are found on another thread.
    if config.workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            lsh_job = pool.submit(lsh_candidates, matrix)
            scorer = PairScorer(fps, None, config)  # document frequencies over these fingerprints
            lsh = lsh_job.result()
    else:
        lsh = lsh_candidates(matrix)
        scorer = PairScorer(fps, None, config)
    del matrix
    events = event_pairs(
        scorer.event_rows, scorer.event_idf, config.max_postings, config.max_candidates, workers=config.workers
    )
    pairs = merge_pairs(lsh, events)
    # Verify every candidate in bulk; reasons are written only for the links that end up
    # in the output (see `_spanning_links`).
    first, second = pairs >> 32, pairs & 0xFFFFFFFF
    scores = scorer.score(first, second)
    keep = np.flatnonzero(scores.linked)
    return _clusters_of_edges(
        [f.id for f in fps], first[keep], second[keep], scores.score[keep], config,
        lambda at: scorer.links(first[keep[at]], second[keep[at]], scores, keep[at]),
    )


def _clusters_of_edges(
    ids: Sequence[str], first: np.ndarray, second: np.ndarray, score: np.ndarray, config: ClusterConfig,
    links_at: Callable[[np.ndarray], list[Link]],
) -> list[Cluster]:
    """Clusters of the id-sorted ``ids`` from their link edges in (first, second) order:
    average-link groups, then each group's spanning links, made by ``links_at(positions
    of the edges)`` (only those links get their reasons written)."""
    groups = _average_link_edges(len(ids), first, second, score, config.threshold)
    group_of = _group_index(len(ids), groups)
    inner = np.flatnonzero(group_of[first] == group_of[second])
    tree = _spanning_links(len(ids), first[inner], second[inner], score[inner])
    links = links_at(inner[tree])
    return _make_clusters(ids, groups, group_of, first[inner], second[inner], score[inner], tree, links)


def _component_labels(n: int, first: np.ndarray, second: np.ndarray) -> tuple[int, np.ndarray]:
    """(count, label of each of the ``n`` nodes) of the graph's connected components,
    labels numbered by each component's smallest member."""
    from scipy.sparse import coo_matrix  # lazy: heavy to import
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(first), dtype=np.int8), (first, second)), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    smallest = np.full(count, n, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n, dtype=np.int64))
    rank = np.empty(count, dtype=np.int64)
    rank[np.argsort(smallest)] = np.arange(count, dtype=np.int64)
    return count, rank[labels]


def groups_of_component(ids: Sequence[str], links: Sequence[Link], config: ClusterConfig) -> list[list[str]]:
    """Group the articles of one connected component of the verified link graph.

    A pure function of (ids, links, config), for callers that group components in parallel
    and number the clusters themselves: it gives the groups a corpus run gives that
    component.  Returns sorted member lists ordered by their smallest id; ids without links
    come back as singletons.
    """
    ids = sorted(ids)
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    # Links in (a, b) order so score sums, and hence ties, do not depend on input order.
    scores = {(index[link.a], index[link.b]): link.score for link in sorted(links, key=lambda x: (x.a, x.b))}
    groups = _average_link(len(ids), scores, config.threshold)
    groups.sort(key=lambda g: g[0])
    return [[ids[i] for i in group] for group in groups]


def _group_index(n: int, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Position in ``groups`` of each of the ``n`` articles (or components)."""
    group_of = np.empty(n, dtype=np.int64)
    for g, group in enumerate(groups):
        group_of[group] = g
    return group_of


def _spanning_links(n: int, first: np.ndarray, second: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Positions, in the given (first, second) order, of the links of a maximum spanning
    forest: Kruskal over links by falling score, ties by (first, second), so the strongest
    chain that joins each member is kept and the choice never depends on input order."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    chosen = []
    order = np.lexsort((second, first, -score))
    for k, i, j in zip(order.tolist(), first[order].tolist(), second[order].tolist()):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
            chosen.append(k)
    return np.sort(np.array(chosen, dtype=np.int64))


def _make_clusters(
    ids: Sequence[str], groups: list[list[int]], group_of: np.ndarray, first: np.ndarray, second: np.ndarray,
    score: np.ndarray, tree: np.ndarray, links: list[Link],
) -> list[Cluster]:
    """Number the groups ``c0001``... and attach their spanning links.

    ``first``/``second``/``score`` are all links inside groups, in (first, second) order;
    ``links`` are the full links at positions ``tree``.  The representative is the member
    with the most link score over all inner links."""
    # Interleaved (first, second) so each member's score is summed in link order.
    strength = np.bincount(np.stack([first, second], axis=1).ravel(), weights=np.repeat(score, 2), minlength=len(ids))
    # Plain lists: one numpy scalar access per member cost more than the rest of the loop.
    strength_of = strength.tolist()
    pair_count = np.bincount(group_of[first], minlength=len(groups)).tolist()
    tree_links: dict[int, list[Link]] = {}
    for i, link in zip(first[tree].tolist(), links):
        tree_links.setdefault(int(group_of[i]), []).append(link)
    out: list[Cluster] = []
    width = max(4, len(str(len(groups))))
    for number, group in enumerate(groups, start=1):
        representative = group[0] if len(group) == 1 else min(group, key=lambda i: (-strength_of[i], ids[i]))
        out.append(
            Cluster(
                id=f"c{number:0{width}d}",
                members=[ids[i] for i in group],
                representative=ids[representative],
                links=tree_links.get(number - 1, []),
                linked_pairs=pair_count[number - 1],
            )
        )
    return out


def clusters_from_links(ids: Sequence[str], links: Iterable[Link], config: ClusterConfig) -> list[Cluster]:
    """Group articles from their verified links (see the module doc).

    ``ids`` are all article ids, ``links`` the verified links among them.  Average link
    never merges across connected components of the link graph, so the result is the same
    whether this runs on a whole corpus or on each component separately (the Ray executor
    does the latter).  Clusters are numbered ``c0001``... by their smallest
    member id.
    """
    ids = sorted(ids)
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    ordered = sorted((index[link.a], index[link.b], link) for link in links)
    first = np.array([i for i, _, _ in ordered], dtype=np.int64)
    second = np.array([j for _, j, _ in ordered], dtype=np.int64)
    score = np.array([link.score for _, _, link in ordered], dtype=np.float64)
    return _clusters_of_edges(ids, first, second, score, config, lambda at: [ordered[k][2] for k in at.tolist()])


def cluster(
    docs, config: ClusterConfig | None = None, *, aliases: Mapping[str, str] | None = None
) -> list[Cluster]:
    """Group articles that report the same event.

    ``docs`` is a ``Mapping[id, text]``, an iterable of ``(id, text)`` pairs, or an
    iterable of `Document` / `CleanDocument` (cleaned text, title, publication date and
    language are used when present); anything else raises `ArticleTypeError`.  Every
    input id ends up in exactly one cluster; clusters are numbered ``c0001``... by their
    smallest member id.
    """
    config = checked_config(config)
    return cluster_fingerprints(list(fingerprints(docs, config, aliases=aliases)), config)


def explain(
    a, b, config: ClusterConfig | None = None, *, aliases: Mapping[str, str] | None = None, context=None
) -> Link:
    """Score and reasons of the link between two articles.

    ``a``/``b`` are Documents, CleanDocuments or plain texts (ids ``a`` and ``b``).
    ``context`` (same forms as `cluster`'s ``docs``) supplies the corpus whose IDF weights
    the names; without it every key weighs the same, so scores differ from a corpus run.
    """
    config = checked_config(config)
    item_a = as_input("a", a) if isinstance(a, str) else as_input(a)
    item_b = as_input("b", b) if isinstance(b, str) else as_input(b)
    if item_a.id == item_b.id:
        item_b = replace(item_b, id=item_b.id + "#2")
    table = AliasTable(aliases) if aliases else None
    fa, fb = fingerprint_batch([item_a, item_b], config, table)
    if context is not None:
        stats = CorpusStats(list(fingerprints(context, config, aliases=aliases)))
    else:
        stats = CorpusStats([])
    return verify(fa, fb, stats, config)
