"""The bulk scorer (`PairScorer`) against per-pair reference arithmetic, written here plainly."""
from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest

from dedup.clustering import fingerprints
from dedup.config import ClusterConfig
from dedup.fingerprint import ArticleInput, Fingerprint
from dedup.verify import LEAD_BITS, LEAD_FLOOR, CorpusStats, PairScorer, _day_dates, event_keys, lead_bits, verify


def idf(stats, df: int) -> float:
    return max(0.0, math.log((stats.n_docs + 1.0) / (df + 0.5)))


def event_vector(stats, fp) -> dict[str, float]:
    """Reference: an article's event keys weighted by term weight x IDF, as a dict."""
    return {k: w * idf(stats, stats.event_df.get(k, 0)) for k, w in event_keys(fp)}


def keyword_vector(stats, fp) -> dict[str, float]:
    """Reference: an article's keywords weighted by (1 + log count) x IDF, as a dict keyed by
    what keywords are compared by (their first KEYWORD_PREFIX characters)."""
    from dedup.fingerprint import keyword_key

    return {keyword_key(w): (1.0 + math.log(c)) * idf(stats, stats.keyword_df.get(keyword_key(w), 0)) for w, c in fp.keywords}


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in vector.values()))
    return {k: x / norm for k, x in vector.items()} if norm else vector


def date_gap(a, b):
    """Reference: days between the closest day-level dates of two articles (None if a side
    has none); within a leap year, around the year end, when a year is missing; 0 for a
    date that does not exist."""
    da, db = _day_dates(a), _day_dates(b)
    if not da or not db:
        return None

    def distance(x, y):
        try:
            if x[0] is not None and y[0] is not None:
                return abs((dt.date(*x) - dt.date(*y)).days)
            d = abs(dt.date(2000, x[1], x[2]).toordinal() - dt.date(2000, y[1], y[2]).toordinal())
        except ValueError:
            return 0
        return min(d, 366 - d)

    return min(distance(x, y) for x in da for y in db)


def cosine(a, b):
    """Reference: cosine of two unit dict vectors."""
    return sum(x * b[k] for k, x in a.items() if k in b)


def trigram_bits(lead: str) -> set[int]:
    """Reference: the hashed within-word byte trigrams of a lead, as a set of bit numbers."""
    data = f" {lead} ".encode("utf-8")
    return {
        ((int.from_bytes(data[p : p + 3], "little") * 0x9E3779B1) % 2**32) >> (32 - 11)
        for p in range(len(data) - 2)
        if data[p + 1] != ord(" ")
    }


def title_similarity(a: str, b: str) -> float:
    """Reference: shared trigram bits less those two random sets of these sizes share by
    chance, over the room above chance; then LEAD_FLOOR..1 rescaled to 0..1."""
    sa, sb = trigram_bits(a), trigram_bits(b)
    if not sa or not sb:
        return 0.0
    chance = len(sa) * len(sb) / 2048
    similarity = max(0.0, len(sa & sb) - chance) / (math.sqrt(len(sa) * len(sb)) - chance)
    return max(0.0, (similarity - LEAD_FLOOR) / (1.0 - LEAD_FLOOR))


def _fp(doc_id: str, dates: tuple[str, ...]) -> Fingerprint:
    return Fingerprint(id=doc_id, minhash=np.zeros(16, np.uint32), entities=(), dates=dates, numbers=(),
                       keywords=(), lead="", lang="fr", published=None, length=0)


DATES = [
    (),
    ("2008-07-03",),
    ("2008-08-09", "--07-05"),
    ("--12-30",),
    ("--01-02", "2009-01-01"),
    ("2001-02-29",),  # does not exist: date_gap puts such pairs at 0 days
    ("--02-31",),
    ("2008-07",),  # month precision only: not a day-level date
    ("2007-12-31", "2008-07-20", "--03-01"),
]


def test_bulk_date_gaps_equal_date_gap_for_every_pair():
    fps = [_fp(f"d{k}", d) for k, d in enumerate(DATES)]
    scorer = PairScorer(fps, CorpusStats(fps), ClusterConfig())
    pairs = list(itertools.combinations(range(len(fps)), 2))
    scores = scorer.score(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]))
    for (a, b), got in zip(pairs, scores.gap.tolist()):
        want = date_gap(DATES[a], DATES[b])
        assert (math.isnan(got) and want is None) or got == want, (DATES[a], DATES[b], got, want)


@pytest.mark.parametrize("a, b, expected", [
    ("2008-07-03", "2008-08-09", 37),
    ("--12-30", "--01-02", 3),  # year unknown: across the year end
    ("2007-12-31", "--01-01", 1),
    ("2001-02-29", "2001-06-01", 0),
])
def test_bulk_date_gap_examples(a, b, expected):
    fps = [_fp("a", (a,)), _fp("b", (b,))]
    scores = PairScorer(fps, CorpusStats(fps), ClusterConfig()).score(np.array([0]), np.array([1]))
    assert scores.gap[0] == expected


def test_bulk_scores_equal_the_per_pair_arithmetic(seed_docs):
    config = ClusterConfig()
    fps = list(fingerprints(seed_docs, config))
    # Publication dates (the seeds' own come from date stamps in their text: hints, not
    # publication dates): "fr" and "fr2" are copies of 000 published 35 days apart (copies:
    # not split), "later" a copy of 001.
    extra = [ArticleInput(id="en", text="Kaja Kallas met Central Asian ministers in Ashgabat on 27 March 2025.", lang="en",
                          published="2025-04-26"),
             ArticleInput(id="fr", text=seed_docs[0].text, lang="fr", published="2025-05-30"),
             ArticleInput(id="fr2", text=seed_docs[0].text, lang="fr", published="2025-04-25"),
             ArticleInput(id="later", text=seed_docs[1].text, lang="fr", published="2025-04-28")]
    fps += list(fingerprints(extra, config))
    stats = CorpusStats(fps)
    scorer = PairScorer(fps, stats, config)
    pairs = list(itertools.combinations(range(len(fps)), 2))
    scores = scorer.score(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]))
    assert scores.cross.any() and not scores.cross.all()
    published = scores.published_gap[~np.isnan(scores.published_gap)]
    assert sorted(published.tolist()) == [1.0, 2.0, 3.0, 32.0, 34.0, 35.0]
    for k, (a, b) in enumerate(pairs):
        fa, fb = fps[a], fps[b]
        event = cosine(_unit(event_vector(stats, fa)), _unit(event_vector(stats, fb)))
        keywords = cosine(_unit(keyword_vector(stats, fa)), _unit(keyword_vector(stats, fb)))
        assert scores.event[k] == pytest.approx(event, abs=1e-12)
        assert scores.keywords[k] == pytest.approx(keywords, abs=1e-12)
        cross = bool(fa.lang and fb.lang and fa.lang != fb.lang)
        assert bool(scores.cross[k]) == cross
        assert scores.title[k] == pytest.approx(0.0 if cross else title_similarity(fa.lead, fb.lead), abs=1e-12)
        assert scores.jaccard[k] == np.count_nonzero(fa.minhash == fb.minhash) / len(fa.minhash)
        if cross:
            want = 0.7 * event + 0.3 * keywords
        else:
            want = 0.3 * event + 0.5 * keywords + 0.2 * scores.title[k]
        gap = date_gap(fa.dates, fb.dates)
        near_duplicate = scores.jaccard[k] >= config.near_duplicate
        published_apart = bool(fa.published and fb.published and not near_duplicate and abs(
            (dt.date.fromisoformat(fa.published) - dt.date.fromisoformat(fb.published)).days) > config.published_window_days)
        if gap is not None and gap > config.date_window_days or published_apart:
            if gap is not None and gap > config.date_window_days:
                want *= config.date_penalty
            if published_apart:
                want *= config.published_penalty
        elif near_duplicate:
            want = max(want, 0.5 + 0.5 * scores.jaccard[k])
        assert scores.score[k] == pytest.approx(min(1.0, want), abs=1e-6)
        # One pair alone (verify, explain) scores exactly as inside the bulk run.
        link = verify(fa, fb, stats, config)
        assert link.score == scores.score[k]
        assert link.reasons["scores"]["event"] == round(event, 4)
    # Without stats the scorer counts document frequencies over its own articles (what
    # cluster_fingerprints does): the same scores as with CorpusStats of those articles.
    own = PairScorer(fps, None, config).score(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]))
    assert own.score.tolist() == scores.score.tolist()
    assert own.event.tolist() == scores.event.tolist() and own.keywords.tolist() == scores.keywords.tolist()


def _title(a: str, b: str) -> float:
    fps = [Fingerprint(id=name, minhash=np.zeros(16, np.uint32), entities=(), dates=(), numbers=(), keywords=(),
                       lead=lead, lang="fr", published=None, length=0) for name, lead in (("a", a), ("b", b))]
    return float(PairScorer(fps, CorpusStats(fps), ClusterConfig()).score(np.array([0]), np.array([1])).title[0])


@pytest.mark.parametrize("a, b, expected", [
    ("ashgabat kallas ministres reunion", "ashgabat kallas ministres reunion", 1.0),  # the same lead
    ("ashgabat kallas ministres reunion", "kallas reunion ashgabat ministres", 1.0),  # word order is free
    ("ashgabat kallas ministres reunion", "", 0.0),
    ("", "", 0.0),
    ("xyz", "qwv", 0.0),  # nothing shared
])
def test_title_similarity_examples(a, b, expected):
    assert _title(a, b) == pytest.approx(expected, abs=1e-12)


def test_title_similarity_forgives_inflections_but_not_other_words():
    lead = "betancourt colombie farc liberation otages operation"
    inflected = "betancourt colombien farc libere otage operations"
    other = "ceremonie nobel paix pologne solidarnosc walesa"
    assert _title(lead, inflected) > 0.3
    assert _title(lead, other) == 0.0
    # Between the two: half the words shared.
    assert 0.0 < _title(lead, "betancourt farc otages ceremonie nobel walesa") < _title(lead, inflected)


def test_lead_bits_set_the_reference_trigram_bits():
    leads = ["ashgabat kallas", "l'etat c'est moi", "", "a", "東京 会議", "salam السلام"]
    bits = lead_bits(leads)
    assert bits.shape == (len(leads), LEAD_BITS // 64) and bits.dtype == np.uint64
    for row, lead in zip(bits, leads):
        got = {n for n in range(LEAD_BITS) if np.unpackbits(row.view(np.uint8))[n]}
        assert got == trigram_bits(lead), lead


def test_scores_do_not_depend_on_which_other_articles_are_scored(seed_docs):
    """The Ray executor scores per block: a subset must give bit-identical scores."""
    config = ClusterConfig()
    fps = list(fingerprints(seed_docs, config))
    stats = CorpusStats(fps)
    whole = PairScorer(fps, stats, config).score(np.array([0, 1]), np.array([2, 3]))
    part = PairScorer([fps[0], fps[2], fps[1], fps[3]], stats, config).score(np.array([0, 2]), np.array([1, 3]))
    assert whole.score.tolist() == part.score.tolist()
    assert whole.event.tolist() == part.event.tolist()
