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

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .config import ClusterConfig
from .entities import AliasTable
from .errors import DedupError
from .fingerprint import ArticleInput, Fingerprint, _worker_batch, as_input, fingerprint_batch, iter_inputs
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


def _batches(items: Iterable[ArticleInput], size: int) -> Iterator[list[ArticleInput]]:
    batch: list[ArticleInput] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def fingerprints(
    docs, config: ClusterConfig | None = None, *, aliases: Mapping[str, str] | None = None
) -> Iterator[Fingerprint]:
    """Stream fingerprints of ``docs`` (Mapping[id, text] or Documents), in input order.

    With ``config.workers > 1`` batches go to a pool of *spawned* processes (a forked pool
    created after rensa was used deadlocked); results keep the input order.
    """
    config = config or ClusterConfig()
    table = AliasTable(aliases) if aliases else None
    batches = _batches(iter_inputs(docs), config.batch_size)
    if config.workers <= 1:
        for batch in batches:
            yield from fingerprint_batch(batch, config, table)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    plain_aliases = dict(aliases) if aliases else None
    with context.Pool(config.workers) as pool:
        jobs = ((batch, config, plain_aliases) for batch in batches)
        for result in pool.imap(_worker_batch, jobs, chunksize=1):
            yield from result


def _average_link(n: int, scores: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """`_average_link_edges` of a {(i, j): score} mapping."""
    first = np.fromiter((i for i, _ in scores), dtype=np.int64, count=len(scores))
    second = np.fromiter((j for _, j in scores), dtype=np.int64, count=len(scores))
    score = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    return _average_link_edges(n, first, second, score, threshold)


# Neighbours beyond which a group's best neighbour is found with numpy, not a Python loop.
_LONG_ADJACENCY = 48


def _average_link_edges(n: int, first: np.ndarray, second: np.ndarray, score: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage agglomeration over a sparse score graph (missing pairs score 0);
    groups as sorted index lists, ordered by smallest member.  An edge given twice (either
    way round) counts once, the last given.

    Greedy: the pair of groups with the highest average score merges first, ties going to
    the pair whose smallest members come first (indices are id-sorted, so every run
    resolves ties the same way).  The heap holds one entry per group, for its best
    neighbour only: a merge can only lower the average of other groups to the merged one
    (average linkage is reducible), so only the merged group needs a fresh entry, and a
    group whose best neighbour was merged away recomputes when its stale entry comes up.
    """
    size = [1] * n
    low = list(range(n))  # smallest member index of each live group
    # Both directions of every edge, sorted by (source, target); of repeated edges the last
    # given wins (the sort is stable).
    lo, hi = np.minimum(first, second), np.maximum(first, second)
    source, target, weight = np.concatenate([lo, hi]), np.concatenate([hi, lo]), np.concatenate([score, score])
    order = np.lexsort((target, source))
    source, target, weight = source[order], target[order], weight[order]
    last = np.r_[(source[1:] != source[:-1]) | (target[1:] != target[:-1]), True] if len(source) else np.zeros(0, bool)
    source, target, weight = source[last], target[last], weight[last]
    bounds = np.searchsorted(source, np.arange(n + 1)).tolist()
    targets, weights = target.tolist(), weight.tolist()
    adjacency: list[dict[int, float] | None] = [
        dict(zip(targets[bounds[i] : bounds[i + 1]], weights[bounds[i] : bounds[i + 1]])) for i in range(n)
    ]
    version = [0] * n
    # First entries, one array pass: every group is one article, so a group's best
    # neighbour is its highest-scoring one, ties to the smallest index.
    best = np.lexsort((target, -weight, source))
    best = best[np.r_[True, source[best][1:] != source[best][:-1]]] if len(best) else best
    best = best[weight[best] >= threshold]
    a, b, w = source[best], target[best], weight[best]
    heap: list[tuple[float, int, int, int, int, int, int]] = [
        (-avg, x, y, i, j, 0, 0)
        for avg, x, y, i, j in zip(w.tolist(), np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), a.tolist(), b.tolist())
    ]
    heapq.heapify(heap)

    size_of = np.ones(n, dtype=np.int64)  # size and low again, as arrays for long adjacencies
    low_of = np.arange(n, dtype=np.int64)

    def push_best(a: int) -> None:
        # a's best neighbour: highest average, ties to the smallest low member (which gives
        # the smallest (low, high) pair of lows, whichever side low[a] falls).
        adj = adjacency[a]
        size_a = size[a]
        if len(adj) > _LONG_ADJACENCY:  # type: ignore[arg-type]
            ks = np.fromiter(adj, dtype=np.int64, count=len(adj))  # type: ignore[arg-type]
            avg = np.fromiter(adj.values(), dtype=np.float64, count=len(ks)) / (size_a * size_of[ks])  # type: ignore[union-attr]
            top = avg.max()
            if top < threshold:
                return
            tied = ks[avg == top]
            partner = int(tied[np.argmin(low_of[tied])])
            best_avg = float(top)
        else:
            best_avg, best_low, partner = -1.0, n, -1
            for k, total in adj.items():  # type: ignore[union-attr]
                avg = total / (size_a * size[k])
                if avg > best_avg or (avg == best_avg and low[k] < best_low):
                    best_avg, best_low, partner = avg, low[k], k
            if best_avg < threshold:
                return
        low_a, low_k = low[a], low[partner]
        heapq.heappush(heap, (-best_avg, min(low_a, low_k), max(low_a, low_k), a, partner, version[a], version[partner]))

    members: list[list[int] | None] = [[i] for i in range(n)]
    while heap:
        _, _, _, a, b, va, vb = heapq.heappop(heap)
        if adjacency[a] is None or version[a] != va:
            continue  # a merged since: its new entry is in the heap
        if adjacency[b] is None or version[b] != vb:
            push_best(a)  # a's best neighbour changed
            continue
        # Merge the smaller adjacency into the larger (sums are the same either way round).
        if len(adjacency[a]) < len(adjacency[b]):  # type: ignore[arg-type]
            a, b = b, a
        adj_a, adj_b = adjacency[a], adjacency[b]
        assert adj_a is not None and adj_b is not None
        adj_a.pop(b, None)
        adj_b.pop(a, None)
        for k, s in adj_b.items():
            adj_a[k] = adj_a.get(k, 0.0) + s
            adj_k = adjacency[k]
            assert adj_k is not None
            adj_k[a] = adj_k.get(a, 0.0) + adj_k.pop(b)
        adjacency[b] = None
        size[a] += size[b]
        low[a] = min(low[a], low[b])
        size_of[a], low_of[a] = size[a], low[a]
        members[a].extend(members[b])  # type: ignore[union-attr]
        members[b] = None
        version[a] += 1
        push_best(a)
    return sorted((sorted(m) for m in members if m is not None), key=lambda m: m[0])


def cluster_fingerprints(fps: list[Fingerprint], config: ClusterConfig | None = None) -> list[Cluster]:
    """Cluster already computed fingerprints (used by `cluster` and by `ClusterIndex`)."""
    config = config or ClusterConfig()
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
    keys = band_keys(matrix, config.lsh_bands, config.lsh_rows)
    del matrix
    lsh = lsh_pairs(keys)
    del keys
    # Candidates 2: inverted index over rare event keys, read off the scorer's event rows
    # (one row of key columns per article).
    scorer = PairScorer(fps, None, config)  # document frequencies over these fingerprints
    events = event_pairs(scorer.event_rows, scorer.event_idf, config.max_postings, config.max_candidates)
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
    groups = _group_edges(len(ids), first, second, score, config)
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


def _group_edges(n: int, first: np.ndarray, second: np.ndarray, score: np.ndarray, config: ClusterConfig) -> list[list[int]]:
    """Groups (sorted index lists, ordered by smallest member) of ``n`` id-sorted articles from
    their link edges, given in (first, second) order: components, then average link in each.

    Components of the edges at or above the threshold only: two groups merge when their
    average is at or above it, so some edge between them is, and every group stays inside
    one such component.  Weaker edges between components can never count; inside one they
    do (they lower or raise averages)."""
    strong = score >= config.threshold
    count, label = _component_labels(n, first[strong], second[strong])
    inside = np.flatnonzero(label[first] == label[second])
    first, second, score = first[inside], second[inside], score[inside]
    members = np.argsort(label, kind="stable")  # each component's members, ascending
    member_bounds = np.searchsorted(label[members], np.arange(count + 1))
    edge_component = label[first]
    order = np.argsort(edge_component, kind="stable")  # keeps (first, second) order inside a component
    bounds = np.searchsorted(edge_component[order], np.arange(count + 1))
    local = np.empty(n, dtype=np.int64)
    groups: list[list[int]] = []
    for c in range(count):
        comp = members[member_bounds[c] : member_bounds[c + 1]]
        if bounds[c] == bounds[c + 1]:
            groups.append(comp.tolist())
            continue
        comp = comp.tolist()
        local[comp] = np.arange(len(comp))
        rows = order[bounds[c] : bounds[c + 1]]
        for group in _average_link_edges(len(comp), local[first[rows]], local[second[rows]], score[rows], config.threshold):
            groups.append([comp[k] for k in group])
    groups.sort(key=lambda g: g[0])
    return groups


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
    pair_count = np.bincount(group_of[first], minlength=len(groups))
    tree_links: dict[int, list[Link]] = {}
    for i, link in zip(first[tree].tolist(), links):
        tree_links.setdefault(int(group_of[i]), []).append(link)
    out: list[Cluster] = []
    width = max(4, len(str(len(groups))))
    for number, group in enumerate(groups, start=1):
        representative = min(group, key=lambda i: (-strength[i], ids[i]))
        out.append(
            Cluster(
                id=f"c{number:0{width}d}",
                members=[ids[i] for i in group],
                representative=ids[representative],
                links=tree_links.get(number - 1, []),
                linked_pairs=int(pair_count[number - 1]),
            )
        )
    return out


def clusters_from_links(ids: Sequence[str], links: Iterable[Link], config: ClusterConfig) -> list[Cluster]:
    """Group articles from their verified links (see the module doc).

    ``ids`` are all article ids, ``links`` the verified links among them.  The link graph
    is split into connected components and each is grouped by average link, so the result
    is the same whether this runs on a whole corpus or on each component separately (the
    Ray executor does the latter).  Clusters are numbered ``c0001``... by their smallest
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

    ``docs`` is a ``Mapping[id, text]`` or an iterable of `Document` / `CleanDocument`
    (cleaned text, title, publication date and language are used when present).  Every
    input id ends up in exactly one cluster; clusters are numbered ``c0001``... by their
    smallest member id.
    """
    config = config or ClusterConfig()
    return cluster_fingerprints(list(fingerprints(docs, config, aliases=aliases)), config)


def explain(
    a, b, config: ClusterConfig | None = None, *, aliases: Mapping[str, str] | None = None, context=None
) -> Link:
    """Score and reasons of the link between two articles.

    ``a``/``b`` are Documents, CleanDocuments or plain texts (ids ``a`` and ``b``).
    ``context`` (same forms as `cluster`'s ``docs``) supplies the corpus whose IDF weights
    the names; without it every key weighs the same, so scores differ from a corpus run.
    """
    config = config or ClusterConfig()
    item_a = as_input("a", a) if isinstance(a, str) else as_input(a)
    item_b = as_input("b", b) if isinstance(b, str) else as_input(b)
    if item_a.id == item_b.id:
        item_b = ArticleInput(id=item_b.id + "#2", text=item_b.text, title=item_b.title,
                              published=item_b.published, lang=item_b.lang)
    table = AliasTable(aliases) if aliases else None
    fa, fb = fingerprint_batch([item_a, item_b], config, table)
    if context is not None:
        stats = CorpusStats(list(fingerprints(context, config, aliases=aliases)))
    else:
        stats = CorpusStats([])
    return verify(fa, fb, stats, config)
