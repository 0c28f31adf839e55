import pytest

from xlate.segment import segment

CASES = [
    ("fr_titles", "M. Nurtleu et Mme Kallas sont arrivés. Ils ont parlé.",
     ["M. Nurtleu et Mme Kallas sont arrivés.", "Ils ont parlé."]),
    ("fr_article_abbrev", "Selon l'art. 5 du traité, la paix prime. Fin.", ["Selon l'art. 5 du traité, la paix prime.", "Fin."]),
    ("number_with_period", "Il fait 14.5 C à Bruxelles. Demain 3.2 C.", ["Il fait 14.5 C à Bruxelles.", "Demain 3.2 C."]),
    ("guillemets_kept", "Il a dit : « Nous sommes prêts. Le Kazakhstan aussi. » Puis il est parti.",
     ["Il a dit : « Nous sommes prêts. Le Kazakhstan aussi. »", "Puis il est parti."]),
    ("curly_quotes_kept", "Elle a dit “Oui. Non.” Ensuite rien.", ["Elle a dit “Oui. Non.”", "Ensuite rien."]),
    ("straight_quotes_kept", '"Stabilité. Sécurité." Le texte.', ['"Stabilité. Sécurité."', "Le texte."]),
    ("initials", "J. Dupont est né en 52 av. J.-C. et alors. Le 27 mars.", ["J. Dupont est né en 52 av. J.-C. et alors.", "Le 27 mars."]),
    ("questions", "Vraiment? Oui! Bien sûr…", ["Vraiment?", "Oui!", "Bien sûr…"]),
    ("lowercase_after_period_no_split", "Le Dr. house et etc. encore.", ["Le Dr. house et etc. encore."]),
    ("paragraphs", "Titre sans point\n\nPremier paragraphe. Deuxième phrase.\nAutre ligne",
     ["Titre sans point", "Premier paragraphe.", "Deuxième phrase.", "Autre ligne"]),
    ("ellipsis_then_capital", "Il hésita... Puis partit.", ["Il hésita...", "Puis partit."]),
    ("english", "Mr. Smith met Dr. Jones in the U.S. last week. They talked.",
     ["Mr. Smith met Dr. Jones in the U.S. last week.", "They talked."]),
    ("empty", "", []),
    ("blank_lines_only", "\n \n\t\n", []),
]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[c[0] for c in CASES])
def test_segment_splits(name, text, expected):
    segments = segment(text, "fr")
    assert [s.text for s in segments] == expected
    assert [s.index for s in segments] == list(range(len(expected)))
    for s in segments:
        assert text[s.start:s.end] == s.text


def test_offsets_on_crlf_and_leading_spaces():
    text = "  Première phrase.  Deuxième.\r\nTroisième."
    segments = segment(text, "fr")
    assert [(s.start, s.end) for s in segments] == [(2, 18), (20, 29), (31, 41)]
    assert [text[s.start:s.end] for s in segments] == ["Première phrase.", "Deuxième.", "Troisième."]


def test_language_specific_abbreviation():
    text = "Das ist z.B. gut. Nr. 5 kommt."
    assert [s.text for s in segment(text, "de")] == ["Das ist z.B. gut.", "Nr. 5 kommt."]


def test_rejects_non_text():
    with pytest.raises(TypeError):
        segment(b"bytes", "fr")
