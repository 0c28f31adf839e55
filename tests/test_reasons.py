"""A link's reasons in words: one describer for `xlate explain` and the report."""
import pytest

from dedup.clustering import explain
from dedup.document import Document
from dedup.reasons import describe_reasons

_FULL = {"entities": ["kallas", "ashgabat"], "dates": [], "numbers": ["10500000000"], "keywords": ["sommet"],
         "scores": {"event": 0.5234, "keywords": 0.1337, "title": 0.19, "minhash_jaccard": 0.0078},
         "date_gap_days": 0, "date_conflict": False, "published_gap_days": None, "published_conflict": False,
         "near_duplicate": False, "cross_lingual": False}


@pytest.mark.parametrize(
    "reasons, expected",
    [
        (_FULL, ["scores: event overlap 0.523, keywords 0.134, title/lead 0.190, shingle Jaccard 0.008",
                 "shared names:    kallas, ashgabat",
                 "shared dates:    -",
                 "shared amounts:  10500000000",
                 "shared keywords: sommet",
                 "closest dates 0 days apart"]),
        # Penalties, copies, cross-lingual pairs and the e5 cosine say so.
        ({"scores": {"event": 0.8, "keywords": 0.1, "title": 0.0, "minhash_jaccard": 0.0, "embedding_cosine": 0.91234},
          "date_gap_days": 1, "date_conflict": False, "published_gap_days": 30, "published_conflict": True,
          "near_duplicate": True, "cross_lingual": True},
         ["scores: event overlap 0.800, keywords 0.100, title/lead 0.000, shingle Jaccard 0.000, e5 cosine 0.912",
          "closest dates 1 day apart",
          "published 30 days apart -> different events, score penalised",
          "near-duplicate: copies of one text",
          "cross-lingual pair: titles not compared; scored on names, dates, amounts and keywords"]),
        ({"date_gap_days": 40, "date_conflict": True, "published_gap_days": None},
         ["closest dates 40 days apart -> different events, score penalised"]),
        ({"date_gap_days": None}, ["dates: not comparable (an article gives no day)"]),
        # What this version does not know is still shown, not dropped.
        ({"entities": ["morvan"], "future_signal": 0.123456, "scores": {"event": 0.5, "novel": [1, 2.00004]}},
         ["scores: event overlap 0.500, novel=[1, 2.0]", "shared names:    morvan", "future_signal=0.1235"]),
        ({"date_gap_days": "soon", "near_duplicate": "yes"}, ["date_gap_days=soon, near_duplicate=yes"]),
        ("free text", ["free text"]),
        ({}, []),
    ],
)
def test_describe_reasons(reasons, expected):
    assert describe_reasons(reasons) == expected


def test_every_reason_a_link_carries_is_put_in_words():
    """No key of a real link falls through to key=value: the describer knows them all."""
    fr = "Le 27 mars, Kaja Kallas a présidé à Achgabat la réunion UE-Asie centrale sur 10,5 milliards d'euros."
    en = "On 27 March Kaja Kallas chaired the EU-Central Asia meeting in Ashgabat on 10.5 billion euros."
    link = explain(Document(id="fr", text=fr, lang="fr"), Document(id="en", text=en, lang="en"),
                   aliases={"Achgabat": "Ashgabat"})
    lines = describe_reasons(link.reasons)
    assert not any("=" in line for line in lines), lines
    assert lines[-1].startswith("cross-lingual pair")
    assert link.describe().splitlines()[1:] == ["  " + line for line in lines]
