"""Same-event clustering: seeds grouping, determinism, near-duplicates, chaining, config."""
import json
import random
from pathlib import Path

import pytest

from dedup.clustering import _average_link, cluster, explain
from dedup.config import ClusterConfig, candidate_probability, lsh_params
from dedup.document import CleanDocument, Document
from dedup.errors import ArticleTypeError, ConfigError, DedupError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_seeds_group_only_the_ashgabat_pair(seed_docs):
    clusters = cluster(seed_docs, aliases={"Achgabat": "Ashgabat"})
    groups = [[m[:3] for m in c.members] for c in clusters]
    assert groups == [["000", "002"], ["001"], ["003"], ["004"]]
    assert [c.id for c in clusters] == ["c0001", "c0002", "c0003", "c0004"]
    pair = clusters[0]
    assert pair.to_json()["size"] == 2
    assert len(pair.links) == 1
    reasons = pair.links[0].reasons
    assert "ashgabat" in reasons["entities"] and "kallas" in reasons["entities"]
    assert reasons["dates"] == ["--03-27"]


def test_input_order_does_not_change_clusters(seed_docs):
    shuffled = list(seed_docs)
    random.Random(3).shuffle(shuffled)
    a = [c.to_json() for c in cluster(seed_docs)]
    b = [c.to_json() for c in cluster(shuffled)]
    assert a == b


def test_mapping_input_every_id_once():
    docs = {"x": "Le ministre Jean Dupont a visité Lyon le 3 mai.", "y": "", "z": "Autre chose à Brest."}
    clusters = cluster(docs)
    members = sorted(m for c in clusters for m in c.members)
    assert members == ["x", "y", "z"]


def test_id_text_pairs_cluster_as_the_mapping_does(seed_docs):
    pairs = [(d.id, d.text) for d in seed_docs]
    assert [c.to_json() for c in cluster(pairs)] == [c.to_json() for c in cluster(dict(pairs))]


@pytest.mark.parametrize("articles, message", [
    ([1, 2], "not an article: int '1'; give a mapping of id -> text, (id, text) pairs, or documents with .id and .text"),
    ([("a", 3)], "not an article: tuple \"('a', 3)\"; give a mapping"),
    ({"a": b"bytes"}, "article 'a': its text is bytes, not str; give a mapping of id -> text"),
    ("Kaja Kallas à Achgabat", "give the articles, not one text"),
])
def test_what_is_not_an_article_is_a_typed_error_that_says_what_is_taken(articles, message):
    from dedup.errors import ArticleTypeError

    with pytest.raises(ArticleTypeError) as refused:
        cluster(articles)
    assert str(refused.value).startswith(message) and isinstance(refused.value, (DedupError, TypeError))


def test_duplicate_ids_are_refused():
    docs = [Document(id="a", text="Paris"), Document(id="a", text="Lyon")]
    with pytest.raises(DedupError, match="appears twice"):
        cluster(docs)


def _story(seed: int) -> str:
    rng = random.Random(seed)
    words = "gouvernement annonce réforme budget école hôpital région emploi transport énergie".split()
    names = ["Marianne Dubreuil", "Clermont-Ferrand", "Agence Nordique", "Hervé Lantier"]
    sents = []
    for k in range(12):
        body = " ".join(rng.choice(words) for _ in range(14))
        sents.append(f"{names[k % 4]} {body} {rng.randint(100, 999)} euros.")
    return " ".join(sents)


def test_near_duplicates_truncated_and_boilerplated_join():
    text = _story(1)
    docs = {
        "orig": text,
        "trunc": text[: int(len(text) * 0.6)],
        "boiler": "Abonnez-vous à notre lettre.\n\n" + text + "\n\nTous droits réservés.",
    }
    clusters = cluster(docs)
    assert [c.members for c in clusters] == [["boiler", "orig", "trunc"]]
    near = [l for l in clusters[0].links if l.reasons["near_duplicate"]]
    assert {(l.a, l.b) for l in near} >= {("boiler", "orig")}


def _greedy_average_link(n, scores, threshold):
    """Reference: recompute every group pair's average each step, merge the best."""
    groups = [[i] for i in range(n)]
    while True:
        best = None
        for x in range(len(groups)):
            for y in range(x + 1, len(groups)):
                total = sum(scores.get((min(i, j), max(i, j)), 0.0) for i in groups[x] for j in groups[y])
                avg = total / (len(groups[x]) * len(groups[y]))
                key = (-avg, min(groups[x][0], groups[y][0]), max(groups[x][0], groups[y][0]))
                if avg >= threshold and (best is None or key < best[0]):
                    best = (key, x, y)
        if best is None:
            return sorted(groups)
        _, x, y = best
        groups[x] = sorted(groups[x] + groups[y])
        del groups[y]


def test_average_link_equals_the_plain_greedy_definition_ties_included():
    import random

    for trial in range(600):
        rng = random.Random(trial)
        n = rng.randint(2, 16)  # big enough for ties to arise after merges, not only at the start
        # Few distinct values, so equal averages (ties) are common; powers of two, so sums
        # are exact whatever order they are added in and a tie is a tie in both.
        scores = {(i, j): rng.choice([0.0625, 0.125, 0.25, 0.5, 1.0]) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.6}
        threshold = rng.choice([0.0625, 0.125, 0.25, 0.5])
        assert _average_link(n, scores, threshold) == _greedy_average_link(n, scores, threshold), (trial, scores, threshold)


def test_average_link_resists_chaining():
    # Two tight groups {0,1,2} and {3,4,5}, one strong bridge 2-3: average over the 9
    # cross pairs is 0.9/9 = 0.1 < 0.3, so they stay apart; single linkage would merge.
    scores = {(0, 1): 0.9, (0, 2): 0.9, (1, 2): 0.9, (3, 4): 0.9, (3, 5): 0.9, (4, 5): 0.9, (2, 3): 0.9}
    assert _average_link(6, scores, 0.3) == [[0, 1, 2], [3, 4, 5]]
    assert _average_link(6, scores, 0.05) == [[0, 1, 2, 3, 4, 5]]


def test_date_conflict_penalises_same_names_a_month_apart():
    a = "Le président Arnaud Villemin a inauguré le pont de Saint-Brévin le 3 juillet 2008."
    b = "Le président Arnaud Villemin a inauguré le pont de Saint-Brévin le 9 août 2008."
    near = explain(a, a.replace("inauguré", "ouvert"))
    far = explain(a, b)
    assert far.reasons["date_gap_days"] == 37
    assert far.reasons["date_conflict"] is True
    assert near.reasons["date_conflict"] is False
    assert far.score < near.score


_VERDICT = "La cour d'assises de Rennes a condamné Yannick Morvan à douze ans de prison pour l'incendie de la scierie de Plouguerneau."
_APPEAL = "Yannick Morvan fera appel : la cour d'assises de Rennes l'a condamné à douze ans pour l'incendie de la scierie de Plouguerneau."


@pytest.mark.parametrize(
    "published_a, published_b, text_b, gap, conflict",
    [
        ("2025-03-01", "2025-03-04", _APPEAL, 3, False),
        ("2025-03-01", "2025-03-15", _APPEAL, 14, False),  # the 14-day window's edge
        ("2025-03-01", "2025-03-16", _APPEAL, 15, True),
        ("2025-03-01", "2025-04-10T08:00:00+02:00", _APPEAL, 40, True),  # a time part is ignored
        ("2025-03-01", None, _APPEAL, None, False),  # one date unknown: no judgement
        ("2025-03-01", "2025-02-30", _APPEAL, None, False),  # not a calendar day: unknown
        ("2025-03-01", "2025-04-10", _VERDICT + " Fin.", 40, False),  # a copy reprinted later
    ],
)
def test_publication_dates_far_apart_are_different_events(published_a, published_b, text_b, gap, conflict):
    a = Document(id="a", text=_VERDICT, published=published_a)
    b = Document(id="b", text=text_b, published=published_b)
    undated = explain(Document(id="a", text=_VERDICT), Document(id="b", text=text_b))
    link = explain(a, b)
    assert link.reasons["published_gap_days"] == gap
    assert link.reasons["published_conflict"] is conflict
    assert link.reasons["date_conflict"] is False  # no dates in the texts
    assert link.score == (0.0 if conflict else undated.score)  # published_penalty 0: a veto
    assert explain(a, b, ClusterConfig(published_penalty=0.5)).score == (
        round(undated.score * 0.5, 6) if conflict else undated.score)


def test_same_subject_published_a_month_apart_is_two_clusters():
    docs = [Document(id=f"{k}", text=text, published=day) for k, (text, day) in enumerate([
        (_VERDICT, "2025-03-01"), (_APPEAL, "2025-03-02"),
        # Six weeks on, the appeal: same names and subject, other words (not copies).
        ("Procès en appel à Rennes : Yannick Morvan conteste sa peine pour l'incendie de Plouguerneau.", "2025-04-12"),
        ("À Rennes, l'appel de Yannick Morvan s'ouvre ; la scierie de Plouguerneau avait brûlé.", "2025-04-14"),
    ])]
    undated = [Document(id=d.id, text=d.text) for d in docs]
    assert [c.members for c in cluster(undated)] == [["0", "1", "2", "3"]]
    assert [c.members for c in cluster(docs)] == [["0", "1"], ["2", "3"]]


def test_a_date_stamp_in_the_text_dates_mentions_but_does_not_split():
    """A scrape's date stamp may be the site's date of the day it was fetched: it gives
    "27 mars" its year, but two reports of one meeting fetched a month apart stay linked."""
    from dedup import clean
    from dedup.fingerprint import as_input

    body = ("Kaja Kallas a rencontré les ministres d'Asie centrale à Achgabat le 27 mars pour parler "
            "de commerce, d'énergie et de sécurité régionale avec Rashid Meredov.")
    other = ("À Achgabat, le 27 mars, Rashid Meredov a reçu Kaja Kallas et les ministres des cinq pays : "
             "sécurité régionale, énergie et commerce au programme.")
    early = clean(Document(id="early", text=f"Réunion ministérielle à Achgabat\nJeudi, Mars 27, 2025\n\n{body}"))
    late = clean(Document(id="late", text=f"Kallas à Achgabat\nVendredi, Avril 25, 2025\n\n{other}"))
    assert (early.date_stamp, late.date_stamp, late.published) == ("2025-03-27", "2025-04-25", None)
    item = as_input(late)
    assert (item.published, item.date_hint) == (None, "2025-04-25")
    from dedup.clustering import fingerprints

    assert [fp.dates for fp in fingerprints([late])] == [("2025-03-27",)]  # the year came from the stamp
    link = explain(early, late)
    assert link.reasons["published_gap_days"] is None and link.linked
    # The same dates given as the documents' own publication dates split them.
    dated = [Document(id=d.id, text=d.text, published=d.date_stamp) for d in (early, late)]
    assert explain(*dated).reasons["published_conflict"] is True


def test_explain_accepts_clean_documents(seed_docs):
    by = {d.id[:3]: d for d in seed_docs}
    link = explain(by["000"], by["002"], aliases={"Achgabat": "Ashgabat"}, context=seed_docs)
    assert link.linked and link.a.startswith("000") and link.b.startswith("002")
    assert link.to_json()["reasons"]["scores"]["minhash_jaccard"] < 0.1  # not a copy: found by names
    other = explain(by["000"], by["001"], context=seed_docs)
    assert other.score < link.score


def test_cross_lingual_pair_scores_on_names_dates_amounts():
    fr = CleanDocument(doc=Document(id="fr", text="x", lang="fr"),
                       text="Kaja Kallas a rencontré Rashid Meredov à Achgabat le 27 mars 2025 : 12 millions d'euros.", title=None)
    en = CleanDocument(doc=Document(id="en", text="x", lang="en"),
                       text="Kaja Kallas met Rashid Meredov in Ashgabat on 27 March 2025: 12 million euros.", title=None)
    link = explain(fr, en, aliases={"Achgabat": "Ashgabat"})
    assert link.reasons["cross_lingual"] is True
    assert link.reasons["dates"] == ["--03-27"]
    assert link.reasons["numbers"] == ["12000000"]
    assert {"kallas", "meredov", "ashgabat"} <= set(link.reasons["entities"])
    assert link.score > 0.5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"threshold": 1.5}, "threshold=1.5"),
        ({"near_duplicate": 0.0}, "near_duplicate=0.0"),
        ({"num_perm": 8}, "num_perm=8"),
        ({"workers": 0}, "workers=0"),
        ({"entity_weight": 0.9}, "sum to 1"),
        ({"threshold": 0.05, "min_link": 0.1}, "lower min_link"),
        ({"date_window_days": -1}, "date_window_days=-1"),
        ({"published_window_days": 2.5}, "published_window_days=2.5"),
        ({"published_penalty": -0.1}, "published_penalty=-0.1"),
    ],
)
def test_config_validation_names_value_and_fix(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        ClusterConfig(**kwargs)


def test_config_signature_and_lsh_params():
    config = ClusterConfig()
    assert (config.lsh_bands, config.lsh_rows) == lsh_params(0.5, 128) == (42, 3)
    assert config.signature.startswith("dedup:0.6|t:0.1|nd:0.5|lsh:42x3|cfg:")
    assert config.signature == ClusterConfig().signature
    assert ClusterConfig(threshold=0.2).signature != config.signature
    assert config.to_json()["lsh_bands"] == 42


@pytest.mark.parametrize(
    "threshold, num_perm, expected",
    [(0.3, 128, (64, 2)), (0.5, 128, (42, 3)), (0.5, 256, (85, 3)), (0.7, 128, (32, 4)), (0.8, 128, (21, 6)), (0.9, 128, (12, 10))],
)
def test_lsh_bands_find_pairs_at_the_threshold(threshold, num_perm, expected):
    bands, rows = lsh_params(threshold, num_perm)
    assert (bands, rows) == expected
    # Recall first: a copy at the threshold is proposed 99% of the time, and one more
    # row per band (fewer false candidates) would miss more than 1%.
    assert candidate_probability(threshold, bands, rows) >= 0.99
    assert candidate_probability(threshold, num_perm // (rows + 1), rows + 1) < 0.99


def test_spawn_workers_give_the_same_clusters(seed_docs):
    one = [c.to_json() for c in cluster(seed_docs, ClusterConfig(batch_size=2))]
    two = [c.to_json() for c in cluster(seed_docs, ClusterConfig(batch_size=2, workers=2))]
    assert one == two


def test_grouping_per_connected_component_equals_grouping_of_the_whole_graph():
    """The Ray executor groups each component of the link graph apart: same clusters."""
    from dedup.clustering import Link, clusters_from_links
    from dedup.config import ClusterConfig

    def link(a, b, score):
        return Link(a=a, b=b, score=score, linked=True, reasons={})

    links = [link("a1", "a2", 0.9), link("a2", "a3", 0.2), link("a1", "a3", 0.05), link("b1", "b2", 0.3),
             link("b2", "b3", 0.04), link("c1", "c2", 0.5), link("c2", "c3", 0.5), link("c3", "c4", 0.06)]
    ids = ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3", "c4", "d1"]
    config = ClusterConfig()
    whole = clusters_from_links(ids, links, config)
    parts = []
    for component in (["a1", "a2", "a3"], ["b1", "b2", "b3"], ["c1", "c2", "c3", "c4"], ["d1"]):
        inner = [x for x in links if x.a in component]
        parts.extend(clusters_from_links(component, inner, config))
    parts.sort(key=lambda c: c.members[0])
    assert [(c.members, c.representative, [(x.a, x.b) for x in c.links]) for c in whole] == \
           [(c.members, c.representative, [(x.a, x.b) for x in c.links]) for c in parts]
    assert [c.members for c in whole] == [["a1", "a2", "a3"], ["b1", "b2"], ["b3"], ["c1", "c2", "c3"], ["c4"], ["d1"]]


@pytest.mark.parametrize(
    "links, expected_links, expected_pairs, representative",
    [
        # The weakest side of a triangle is left out; the member on both strong links represents.
        ([("a", "b", 0.9), ("b", "c", 0.8), ("a", "c", 0.5)], [("a", "b"), ("b", "c")], 3, "b"),
        # Equal scores: the tree takes links in (a, b) order, whatever order they came in.
        ([("b", "c", 0.5), ("a", "c", 0.5), ("a", "b", 0.5)], [("a", "b"), ("a", "c")], 3, "a"),
        # A chain: every link is needed to join the members.
        ([("c", "d", 0.6), ("a", "b", 0.7), ("b", "c", 0.65)], [("a", "b"), ("b", "c"), ("c", "d")], 3, "b"),
        # Four members, six links: three strongest that still join everyone.
        ([("a", "b", 0.9), ("c", "d", 0.9), ("a", "c", 0.3), ("b", "d", 0.4), ("a", "d", 0.35), ("b", "c", 0.2)],
         [("a", "b"), ("b", "d"), ("c", "d")], 6, "d"),
    ],
)
def test_cluster_links_are_the_strongest_links_that_join_its_members(links, expected_links, expected_pairs, representative):
    from dedup.clustering import Link, clusters_from_links

    verified = [Link(a=a, b=b, score=s, linked=True, reasons={"score": s}) for a, b, s in links]
    [only] = clusters_from_links(sorted({x for a, b, _ in links for x in (a, b)}), verified, ClusterConfig())
    assert [(x.a, x.b) for x in only.links] == expected_links
    assert all(x.reasons for x in only.links)
    assert only.linked_pairs == expected_pairs
    assert only.representative == representative
    assert only.to_json()["linked_pairs"] == expected_pairs


def test_clusters_from_links_of_no_articles_and_of_unlinked_ones():
    """The Ray executor asks for the singletons of the articles left unlinked: maybe none."""
    from dedup.clustering import clusters_from_links

    assert clusters_from_links([], [], ClusterConfig()) == []
    assert [(c.members, c.links, c.linked_pairs) for c in clusters_from_links(["b", "a"], [], ClusterConfig())] == \
           [(["a"], [], 0), (["b"], [], 0)]


def test_every_cluster_carries_one_link_fewer_than_its_members(seed_docs):
    """The links of a cluster join all its members (a spanning tree), each with reasons."""
    for c in cluster(seed_docs, ClusterConfig(threshold=0.05, min_link=0.02)):
        assert len(c.links) == len(c.members) - 1
        joined = {c.members[0]}
        for _ in c.links:  # every member is reachable from the first through the links
            joined |= {x for link in c.links if {link.a, link.b} & joined for x in (link.a, link.b)}
        assert joined == set(c.members)
        assert all(link.reasons for link in c.links)


def test_groups_of_component_matches_clusters_from_links():
    """Grouping one component alone gives the groups of a whole-corpus run."""
    from dedup.clustering import Link, clusters_from_links, groups_of_component

    def link(a, b, score):
        return Link(a=a, b=b, score=score, linked=True, reasons={})

    links = [link("c1", "c2", 0.5), link("c2", "c3", 0.5), link("c3", "c4", 0.06)]
    config = ClusterConfig()
    assert groups_of_component(["c4", "c3", "c2", "c1"], list(reversed(links)), config) == [["c1", "c2", "c3"], ["c4"]]
    assert [c.members for c in clusters_from_links(["c1", "c2", "c3", "c4"], links, config)] == [["c1", "c2", "c3"], ["c4"]]


@pytest.mark.parametrize(
    "text, expected",
    [
        # CJK runs are whole clauses for \w+: counted as character bigrams instead.
        ("英国街道", (("国街", 1), ("英国", 1), ("街道", 1))),
        ("垃圾 垃圾", (("垃圾", 2),)),
        # Arabic article and attached conjunction/preposition stripped (light stemming).
        ("السلام والسلام للطالب", (("سلام", 2), ("طالب", 1))),
        # Latin text: words longer than 3 letters, digits and stop words dropped.
        ("gouvernement 2025 gouvernement", (("gouvernement", 2),)),
        # Words sharing their first 6 characters are one keyword, under the most frequent
        # (ties: the alphabetically first); 5 shared characters are not enough.
        ("elections election elections kallasa kallas", (("elections", 3), ("kallas", 2))),
        ("regierungen regierung", (("regierung", 2),)),
        ("parties participe", (("participe", 1), ("parties", 1))),
    ],
)
def test_keywords_of_handles_unspaced_and_arabic_scripts(text, expected):
    from dedup.fingerprint import keywords_of

    assert keywords_of(text, 40) == expected


def test_inflected_keywords_count_as_shared_and_the_reasons_show_both_forms():
    """Two reports of one vote, worded with other inflections: compared as whole words they
    share one keyword ("vote"); by their first 6 characters six ("ferment" / "ferme" differ
    in the sixth), and the link's reasons name each article's own word, the smaller id's first."""
    a = "Les électeurs kirghizes ont voté dimanche. Les bureaux de vote ferment; les observateurs comptent."
    b = "Un électeur kirghize a voté. Le bureau ferme tôt; un observateur compte."
    link = explain(a, b)
    assert link.reasons["keywords"] == ["vote", "bureaux/bureau", "comptent/compte", "electeurs/electeur",
                                        "kirghizes/kirghize", "observateurs/observateur"]
    assert link.reasons["scores"]["keywords"] > 0


def test_cross_keyword_weight_is_validated_and_used():
    with pytest.raises(ConfigError, match="cross_keyword_weight=1.5"):
        ClusterConfig(cross_keyword_weight=1.5)
    fr = CleanDocument(doc=Document(id="fr", text="x", lang="fr"), text="Le projet Zorblax avance à Zorblax-City.", title=None)
    en = CleanDocument(doc=Document(id="en", text="x", lang="en"), text="The Zorblax project moves on in Zorblax-City.", title=None)
    only_events = explain(fr, en, ClusterConfig(cross_keyword_weight=0.0))
    with_keywords = explain(fr, en, ClusterConfig(cross_keyword_weight=0.5))
    assert only_events.reasons["cross_lingual"] is True
    assert with_keywords.reasons["scores"]["keywords"] > 0
    expected = 0.5 * only_events.reasons["scores"]["event"] + 0.5 * with_keywords.reasons["scores"]["keywords"]
    assert with_keywords.score == pytest.approx(expected, abs=1e-4)  # reasons keep 4 decimals


@pytest.mark.parametrize(
    "assignments, expected",
    [
        (["threshold=0.25"], {"threshold": 0.25}),
        (["published_window_days=30", "date_penalty=0"], {"published_window_days": 30, "date_penalty": 0.0}),
        (["embeddings=yes", "embedding_pairs=all"], {"embeddings": True, "embedding_pairs": "all"}),
        (["embeddings=False"], {"embeddings": False}),
        ([" keywords = 60 "], {"keywords": 60}),
        (["threshold=0.2", "threshold=0.3"], {"threshold": 0.3}),
    ],
)
def test_parse_settings_types_each_value(assignments, expected):
    parsed = ClusterConfig.parse_settings(assignments)
    assert parsed == expected
    assert [type(v) for v in parsed.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize(
    "assignments, message",
    [
        (["treshold=0.2"], "unknown cluster setting 'treshold' in 'treshold=0.2'; known: threshold, near_duplicate,"),
        (["lsh_bands=4"], "unknown cluster setting 'lsh_bands'"),  # derived, not a setting
        (["=3"], "cluster setting '=3': write NAME=VALUE"),
        (["seed=one"], "cluster setting 'seed=one': seed takes an integer, e.g. seed=1"),
        (["threshold=high"], "cluster setting 'threshold=high': threshold takes a number, e.g. threshold=0.1"),
        (["embeddings=on?"], "cluster setting 'embeddings=on?': embeddings takes true or false, e.g. embeddings=false"),
    ],
)
def test_parse_settings_errors_name_the_setting_and_the_fix(assignments, message):
    with pytest.raises(ConfigError) as error:
        ClusterConfig.parse_settings(assignments)
    assert str(error.value).startswith(message)


def test_config_round_trips_through_json_and_overrides_apply():
    config = ClusterConfig(threshold=0.2, published_window_days=30, embeddings=True)
    data = json.loads(json.dumps(config.to_json()))
    assert ClusterConfig.from_json(data) == config
    assert ClusterConfig.from_json(data).signature == config.signature
    assert ClusterConfig.from_json({"threshold": 0.3}) == ClusterConfig(threshold=0.3)
    assert ClusterConfig.from_json(data, threshold=0.4).threshold == 0.4
    with pytest.raises(ConfigError, match="unknown cluster settings 'colour', 'size'; known: threshold"):
        ClusterConfig.from_json({"size": 3, "colour": "red"})
    with pytest.raises(ConfigError, match="must be a number between 0 and 1"):
        ClusterConfig.from_json({"threshold": 3})


def test_languages_are_identified_when_not_given():
    """A plain mapping of texts in two languages: the pair is scored as cross-lingual
    (titles not compared) unless identification is switched off."""
    texts = {
        "fr": "Kaja Kallas a rencontré Rashid Meredov à Achgabat le 27 mars 2025. Les deux responsables ont signé un "
              "accord de 12 millions d'euros sur l'énergie et les transports.",
        "en": "Kaja Kallas met Rashid Meredov in Ashgabat on 27 March 2025. The two officials signed a 12 million euro "
              "agreement on energy and transport.",
    }
    found = cluster(texts, aliases={"Achgabat": "Ashgabat"})
    assert [c.members for c in found] == [["en", "fr"]]
    assert found[0].links[0].reasons["cross_lingual"] is True
    assert explain(texts["fr"], texts["en"], ClusterConfig(identify_languages=False)).reasons["cross_lingual"] is False
    assert ClusterConfig().fingerprint_key()["langid"].startswith("langid:py3langid-")
    assert "langid" not in ClusterConfig(identify_languages=False).fingerprint_key()


def test_articles_with_no_text_left_are_nobodys_copies():
    """Cleaning can leave nothing (an anti-bot page, an ad): such articles share no
    shingle with anything, so they must not be near-duplicates of each other."""
    clusters = cluster({"a": "", "b": "  ", "c": "Le ministre a présidé la réunion à Achgabat.", "d": ""})
    assert [c.members for c in clusters] == [["a"], ["b"], ["c"], ["d"]]
    link = explain("", "")
    assert link.score == 0.0 and not link.reasons["near_duplicate"] and link.reasons["scores"]["minhash_jaccard"] == 0.0


@pytest.mark.parametrize("call, error, message", [
    (lambda: cluster({"a": "x"}, {"threshold": 0.2}), ConfigError, r"config must be a ClusterConfig, not dict \(for a dict: ClusterConfig.from_json"),
    (lambda: cluster({"a": "x"}, 0.2), ConfigError, "config must be a ClusterConfig, not float"),
    (lambda: cluster({"a": "x"}, aliases=__import__("xlate").Glossary.load("seeds/glossary.tsv")), ConfigError,
     r"aliases must be a mapping, not Glossary; pass glossary.aliases\(\)"),
    (lambda: cluster(None), DedupError, "give the articles, not NoneType"),
    (lambda: __import__("dedup").ClusterIndex.open("x.idx", aliases=__import__("xlate").Glossary.load("seeds/glossary.tsv")),
     ConfigError, r"pass glossary.aliases\(\)"),
    (lambda: __import__("dedup").clean("some text"), DedupError, "clean takes a Document, not str"),
    (lambda: list(__import__("dedup").read_corpus(None)), ConfigError, "path must be a folder, a file or '-', not NoneType"),
    (lambda: list(__import__("dedup").read_corpus("seeds", max_bytes="x")), ConfigError, "max_bytes must be a positive byte count, got 'x'"),
    # One glob as a str was read as its characters: "*" excluded every file, silently.
    (lambda: list(__import__("dedup").read_corpus("seeds", exclude="*T01*")), ConfigError, "exclude must be a tuple of file-name globs"),
    (lambda: cluster([Document(id="x", text="abc", title=5)]), ArticleTypeError, "article 'x': title is int, not str"),
    (lambda: __import__("dedup.langid").langid.detect_many("Le président"), ArticleTypeError, "give a list of texts, not one text"),
])
def test_library_mistakes_are_typed_errors_that_say_what_to_pass(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_documents_ids_dates_and_numpy_settings_are_read_as_python_values():
    # Integer ids become strings as a mapping's keys do (mixing 1 and "2" raised a bare
    # TypeError); a datetime.date is a publication day; numpy scalars are valid settings.
    import datetime

    import numpy as np

    assert [c.members for c in cluster([Document(id=1, text="un texte"), Document(id="2", text="autre chose")])] == [["1"], ["2"]]
    dated = cluster([Document(id="a", text="un texte", published=datetime.date(2025, 3, 1))])
    assert dated[0].members == ["a"]
    config = ClusterConfig(threshold=np.float64(0.2), num_perm=np.int64(64), max_candidates=np.int32(10))
    assert (type(config.num_perm), type(config.max_candidates), config.num_perm) == (int, int, 64)
    assert config.signature == ClusterConfig(threshold=0.2, num_perm=64, max_candidates=10).signature
