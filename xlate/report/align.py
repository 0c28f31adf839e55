"""Align the sentences of a cluster's member articles with each other.

Members are compared on their English sentences (so a French and a Russian report of the
same event line up).  Every cross-article sentence pair scoring at least ``score_cutoff``
with rapidfuzz's ``token_set_ratio`` is a candidate; candidates are taken greedily, best
first, and merged into rows as long as a row keeps at most one sentence per article
(one-to-one).  A row with two or more members is what outlets share; a row with one is
what only that outlet reports.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xlate.errors import ConfigError


@dataclass(frozen=True)
class AlignConfig:
    """``score_cutoff``: token_set_ratio (0-100) a pair needs to be "the same sentence";
    ``min_tokens``: sentences with fewer words never match (token_set_ratio scores any
    subset 100, so "Kaja Kallas said." would otherwise match every sentence naming her);
    ``min_length_ratio``: the shorter sentence of a pair needs at least this share of the
    longer one's words (for the same reason: a headline is a subset of the lead)."""

    score_cutoff: float = 75.0
    min_tokens: int = 4
    min_length_ratio: float = 0.5

    def __post_init__(self) -> None:
        if not isinstance(self.score_cutoff, (int, float)) or not 0 < self.score_cutoff <= 100:
            raise ConfigError(f"score_cutoff={self.score_cutoff!r} must be in (0, 100]; e.g. 75 keeps paraphrases, 90 near-copies")
        if not isinstance(self.min_tokens, int) or self.min_tokens < 1:
            raise ConfigError(f"min_tokens={self.min_tokens!r} must be a positive integer; e.g. 4")
        if not isinstance(self.min_length_ratio, (int, float)) or not 0 <= self.min_length_ratio <= 1:
            raise ConfigError(f"min_length_ratio={self.min_length_ratio!r} must be in [0, 1]; e.g. 0.5, or 0 to disable")


@dataclass(frozen=True)
class AlignedRow:
    """``cells[m]`` is the sentence position of member ``m`` in this row, or None;
    ``score`` is the best pair score that joined the row (None for one-member rows)."""

    cells: tuple[int | None, ...]
    score: float | None

    @property
    def shared(self) -> bool:
        return sum(c is not None for c in self.cells) >= 2


def align_members(members: Sequence[Sequence[str]], config: AlignConfig = AlignConfig()) -> list[AlignedRow]:
    """Rows covering every sentence of every member exactly once, in reading order.

    ``members[m]`` is member ``m``'s English sentences in article order; member 0 (the
    cluster's representative) sets the order, and sentences of other members that match
    nothing earlier are inserted after their own preceding sentence.
    """
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    count = len(members)
    words = [[len(utils.default_process(text or "").split()) for text in sentences] for sentences in members]
    eligible = [[i for i, n in enumerate(counts) if n >= config.min_tokens] for counts in words]
    candidates: list[tuple[float, int, int, int, int]] = []
    for a in range(count):
        for b in range(a + 1, count):
            if not eligible[a] or not eligible[b]:
                continue
            matrix = process.cdist(
                [members[a][i] for i in eligible[a]],
                [members[b][j] for j in eligible[b]],
                scorer=fuzz.token_set_ratio,
                processor=utils.default_process,
                score_cutoff=config.score_cutoff,
                workers=1,
            )
            len_a = np.array([words[a][i] for i in eligible[a]], dtype=float)[:, None]
            len_b = np.array([words[b][j] for j in eligible[b]], dtype=float)[None, :]
            balanced = np.minimum(len_a, len_b) >= config.min_length_ratio * np.maximum(len_a, len_b)
            for x, y in zip(*np.nonzero((matrix >= config.score_cutoff) & balanced)):
                # Rounded so float noise never changes which pair wins a tie.
                score = round(float(matrix[x, y]), 4)
                candidates.append((-score, a, eligible[a][x], b, eligible[b][y]))
    candidates.sort()

    group_of: dict[tuple[int, int], int] = {}
    groups: list[dict[int, int]] = []
    scores: list[float | None] = []
    for m, sentences in enumerate(members):
        for i in range(len(sentences)):
            group_of[(m, i)] = len(groups)
            groups.append({m: i})
            scores.append(None)
    for neg_score, a, i, b, j in candidates:
        ga, gb = group_of[(a, i)], group_of[(b, j)]
        if ga == gb or groups[ga].keys() & groups[gb].keys():
            continue
        for member, position in groups[gb].items():
            group_of[(member, position)] = ga
        groups[ga].update(groups[gb])
        groups[gb] = {}
        best = [s for s in (scores[ga], scores[gb], -neg_score) if s is not None]
        scores[ga] = max(best)
        scores[gb] = None
    live = [(g, scores[n]) for n, g in enumerate(groups) if g]
    return [AlignedRow(tuple(g.get(m) for m in range(count)), score) for g, score in _reading_order(live, count)]


def _reading_order(live: list[tuple[dict[int, int], float | None]], count: int) -> list[tuple[dict[int, int], float | None]]:
    rows: list[tuple[dict[int, int], float | None]] = []
    for member in range(count):
        # Rows whose first member is this one, in this member's sentence order.
        mine = sorted((item for item in live if min(item[0]) == member), key=lambda item: item[0][member])
        front = 0
        for item in mine:
            position = item[0][member]
            anchor = None
            for r, (group, _) in enumerate(rows):
                p = group.get(member)
                if p is not None and p < position and (anchor is None or p > rows[anchor][0][member]):
                    anchor = r
            if anchor is None:
                rows.insert(front, item)
                front += 1
            else:
                rows.insert(anchor + 1, item)
    return rows
