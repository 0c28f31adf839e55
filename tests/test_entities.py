"""Event-signature extraction: folding, aliases, entities, dates, amounts (exact values)."""
import pytest

from dedup.entities import AliasTable, extract, extract_dates, extract_entities, extract_numbers, fold


@pytest.mark.parametrize(
    "raw, folded",
    [
        ("Tokaïev", "tokaiev"),
        ("Токаев", "tokaev"),
        ("ŁÓDŹ", "lodz"),
        ("Œuvre", "oeuvre"),
        ("Straße", "strasse"),
        ("Ἀθῆναι", "athinai"),
        ("北京", "北京"),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize(
    "text, published, expected",
    [
        ("le 15 décembre 2020", None, ("2020-12-15",)),
        ("réunion le 27 mars à Achgabat", "2025-04-25", ("2025-03-27",)),
        ("réunion le 27 mars à Achgabat", None, ("--03-27",)),
        ("On March 27, 2025 the ministers met", None, ("2025-03-27",)),
        ("am 4. Juli 2021", None, ("2021-07-04",)),
        ("el 3 de mayo de 2019", None, ("2019-05-03",)),
        ("27.03.2025 et 2025-03-27", None, ("2025-03-27",)),
        ("le 1er juillet", None, ("--07-01",)),
        ("en juillet 2003", None, ("2003-07",)),
        # A December day in a January article is from the year before.
        ("le 15 décembre", "2021-01-10", ("2020-12-15",)),
        ("2025年3月27日", None, ("2025-03-27",)),
        ("le 31 février", None, ()),
        ("rien de daté", None, ()),
    ],
)
def test_extract_dates(text, published, expected):
    assert extract_dates(text, published) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10,5 milliards d'euros", ("10500000000",)),
        ("12.5 billion dollars", ("12500000000",)),
        ("70 000 euros", ("70000",)),
        ("1,234,567 people", ("1234567",)),
        ("5 % de hausse", ("5%",)),
        ("600 millions de noisettes", ("600000000",)),
        ("en 2008, 3 hommes", ()),  # a year and a single digit say nothing
        ("le 27 mars", ()),  # a day number is a date, not an amount
    ],
)
def test_extract_numbers(text, expected):
    assert extract_numbers(text) == expected


def test_entities_fold_case_accents_and_stop_words():
    counts = extract_entities("L'Union européenne et l'UE à Achgabat. Les Etats-Unis, d'Ingrid Betancourt. ÉTATS-UNIS")
    assert dict(counts) == {"union": 1, "ue": 1, "achgabat": 1, "etats-unis": 2, "ingrid": 1, "betancourt": 1}


def test_aliases_map_variants_and_multiword_names():
    table = AliasTable({"Achgabat": "Ashgabat", "Ashgabat": "Ashgabat", "Tokaïev": "Tokayev", "Kaja Kallas": "Kaja Kallas"})
    counts = extract_entities("Kaja Kallas à Achgabat; Tokaïev et TOKAÏEV à Ashgabat.", table)
    assert dict(counts) == {"kaja kallas": 1, "kaja": 1, "kallas": 1, "ashgabat": 2, "tokayev": 2}


def test_extract_signature_counts_title_once():
    sig = extract("Achgabat accueille la réunion le 27 mars 2025.", title="Réunion à Achgabat", published="2025-03-28")
    assert sig.entities == (("achgabat", 2), ("reunion", 1))
    assert sig.dates == ("2025-03-27",)
    assert sig.numbers == ()
    same = extract("Réunion à Achgabat\nAchgabat accueille la réunion le 27 mars 2025.", title="Réunion à Achgabat")
    assert same.entities == sig.entities
