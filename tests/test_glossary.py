import textwrap

import pytest

from xlate.errors import GlossaryError
from xlate.glossary import Glossary, GlossaryEntry, fold, protect, restore, unprotect

SEEDS = "seeds/glossary.tsv"


@pytest.fixture(scope="module")
def glossary():
    return Glossary.load(SEEDS)


FIND_CASES = [
    ("plain", "Réunion à Achgabat.", [("Achgabat", "Ashgabat")]),
    ("elision_straight", "la ville d'Achgabat", [("Achgabat", "Ashgabat")]),
    ("elision_curly", "la ville d’Achgabat", [("Achgabat", "Ashgabat")]),
    ("upper_case", "À ACHGABAT", [("ACHGABAT", "Ashgabat")]),
    ("no_diacritics", "le president Tokaiev", [("Tokaiev", "Tokayev")]),
    ("diacritics", "le président Tokaïev", [("Tokaïev", "Tokayev")]),
    ("hyphenated_compound", "réunion UE-Asie centrale", [("UE", "EU"), ("Asie centrale", "Central Asia")]),
    ("hyphen_for_space", "l'Asie-Centrale", [("Asie-Centrale", "Central Asia")]),
    ("longest_wins", "Kaja Kallas et Kallas", [("Kaja Kallas", "Kaja Kallas"), ("Kallas", "Kallas")]),
    ("multiword_name", "Gourbangouly Berdymoukhamedov a parlé", [("Gourbangouly Berdymoukhamedov", "Gurbanguly Berdimuhamedov")]),
    ("english_form_found", "visit to Samarkand", [("Samarkand", "Samarkand")]),
    ("not_inside_word", "Achgabatien Kallasson", []),
    ("samarcande", "à Samarcande", [("Samarcande", "Samarkand")]),
    ("lang_specific_entry_fr", "la mer d'Aral", [("mer d'Aral", "Aral Sea")]),
    # An abbreviation matches only in capitals: French "eu" (had) and "ue" are words.
    ("abbreviation_in_capitals_only", "Le sommet a eu lieu; l'UE, l'EU, l'ue.", [("UE", "EU"), ("EU", "EU")]),
    # A name with a capital needs one in the text: "samarcande" in lowercase is not the city
    # (as "le monde" is not the newspaper "Le Monde"); any capital will do.
    ("capitalised_name_not_in_lowercase", "samarcande, SAMARCANDE, Samarcande", [("SAMARCANDE", "Samarkand"), ("Samarcande", "Samarkand")]),
    ("capital_anywhere_in_a_multiword_name", "l'asie centrale et l'asie Centrale", [("asie Centrale", "Central Asia")]),
]


@pytest.mark.parametrize("name,text,expected", FIND_CASES, ids=[c[0] for c in FIND_CASES])
def test_find(glossary, name, text, expected):
    matches = glossary.find(text, "fr")
    assert [(m.surface, m.english) for m in matches] == expected
    for m in matches:
        assert text[m.start:m.end] == m.surface


def test_language_specific_entries_only_for_their_language(glossary):
    assert [m.english for m in glossary.find("UE et mer d'Aral", "de")] == []
    assert [m.english for m in glossary.find("UE et mer d'Aral", "fr")] == ["EU", "Aral Sea"]


def test_aliases_map_every_form_to_locked(glossary):
    aliases = glossary.aliases()
    assert aliases["Achgabat"] == "Ashgabat"
    assert aliases["Ashgabat"] == "Ashgabat"
    assert aliases["Tokaïev"] == "Tokayev"
    assert aliases["Gourbangouly Berdymoukhamedov"] == "Gurbanguly Berdimuhamedov"
    assert aliases["Samarcande"] == "Samarkand"
    assert aliases["Vassilenko"] == "Vassilenko"


def test_sha256_depends_on_content_not_notes_or_order(tmp_path):
    a = tmp_path / "a.tsv"
    b = tmp_path / "b.tsv"
    a.write_text("Ashgabat\tAchgabat\t\tnote one\nSamarkand\tSamarcande\n", encoding="utf-8")
    b.write_text("# comment\nSamarkand\tSamarcande\nAshgabat\tAchgabat\t\tanother note\n", encoding="utf-8")
    assert Glossary.load(a).sha256 == Glossary.load(b).sha256
    b.write_text("Ashgabat\tAchgabat|Achkhabad\n", encoding="utf-8")
    assert Glossary.load(a).sha256 != Glossary.load(b).sha256


def test_yaml_and_tsv_give_same_glossary(tmp_path):
    y = tmp_path / "g.yaml"
    y.write_text(textwrap.dedent("""\
        - english: Ashgabat
          variants: [Achgabat, Achkhabad]
          lang: fr
        - english: Tokayev
          variants: Tokaïev|Tokaiev
    """), encoding="utf-8")
    t = tmp_path / "g.tsv"
    t.write_text("english\tvariants\tlang\tnote\nAshgabat\tAchgabat|Achkhabad\tfr\nTokayev\tTokaïev|Tokaiev\n", encoding="utf-8")
    gy, gt = Glossary.load(y), Glossary.load(t)
    assert gy.entries == gt.entries
    assert gy.sha256 == gt.sha256
    assert gy.entries[0] == GlossaryEntry("Ashgabat", ("Achgabat", "Achkhabad"), "fr")


@pytest.mark.parametrize("name, content", [
    ("g.tsv", "english\tvariants\tlang\tnote\nAshgabat\tAchgabat|Achkhabad\tfr\tcapital\n"),
    ("g.tsv", "\ufeffsource\ttarget\tlang\r\nAchgabat|Achkhabad\tAshgabat\tfr\r\n"),  # a CAT tool's term base, BOM and CRLF
    ("g.tsv", "# exported\nLang\tNote\tSource\tTarget\nfr\tcapital\tAchgabat|Achkhabad\tAshgabat\n"),
    ("g.tsv", "Source term\tTarget term\tLanguage\nAchgabat|Achkhabad\tAshgabat\tfr\n"),
    ("g.tsv", "Ashgabat\tAchgabat|Achkhabad\tfr\n"),  # no header: english, variants, lang, note
    ("g.csv", "\ufeffSource,Target,Language,Note\r\nAchgabat|Achkhabad,Ashgabat,fr,\"capital, Turkmenistan\"\r\n"),
    ("g.csv", "# comment\n\nAshgabat,Achgabat|Achkhabad,fr\n"),
])
def test_tsv_and_csv_header_names_the_columns(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    (entry,) = Glossary.load(path).entries
    assert (entry.english, entry.variants, entry.lang) == ("Ashgabat", ("Achgabat", "Achkhabad"), "fr")


ERROR_CASES = [
    ("g.tsv", "Ashgabat\tAchgabat\nSamarkand\n", "g.tsv:2: expected 2 to 4 tab-separated columns"),
    ("g.tsv", "\tAchgabat\n", "g.tsv:1: the English form is empty"),
    ("g.tsv", "Ashgabat\tAchgabat||Achkhabad\n", "g.tsv:1: empty variant"),
    ("g.tsv", "Ashgabat\tAchgabat\tFrench\n", "g.tsv:1: language 'French' is not an ISO 639 code"),
    ("g.tsv", "Ashgabat\tAchgabat\nAshkhabad\tAchgabat\n", "g.tsv:2: 'Achgabat' is locked to both 'Ashgabat' (line 1) and 'Ashkhabad'"),
    ("g.tsv", "# only a comment\n", "the glossary has no entries"),
    ("g.tsv", "source\tvariants\nAchgabat\tAshgabat\n", "g.tsv:1: the header names the variants column twice (source, variants); keep one"),
    ("g.tsv", "target\tnote\nAshgabat\tx\n", "g.tsv:1: the header has no variants column; name them english (or target)"),
    ("g.tsv", "source\ttarget\nAchgabat\tAshgabat\tfr\n", "g.tsv:2: 3 tab-separated columns, but the header names 2;"),
    ("g.yaml", "- english: Ashgabat\n  variants: [Achgabat\n", "g.yaml:"),
    ("g.yaml", "- english: Ashgabat\n  variant: [Achgabat]\n", "g.yaml:1: unknown key(s) ['variant']"),
    ("g.yaml", "- english: Ashgabat\n- english: ''\n", "g.yaml:2: the English form is empty"),
    ("g.txt", "Ashgabat\tAchgabat\n", "unknown glossary format '.txt'; use .tsv, .csv or .yaml"),
    ("g.csv", "source,target\nAchgabat,Ashgabat,fr\n", "g.csv:2: 3 comma-separated columns, but the header names 2;"),
    ("g.csv", 'Ashgabat,"Achgabat\n', "g.csv:"),
    # A first row that names columns this reader does not know is not locked as a name.
    ("g.tsv", "English\tFrench\nBeijing\tPékin\n", "g.tsv:1: the first row (English, French) looks like a header, but French is not a column this reads"),
    ("g.csv", "en,fr\nBeijing,Pékin\n", "g.csv:1: the first row (en, fr) looks like a header, but en, fr are not columns"),
    ("g.tsv", "term\ttranslation\nBeijing\tPékin\n", "g.tsv:1: the first row (term, translation) looks like a header"),
    ("g.tsv", "english\tvariants\tlang\tnote\tcategory\nBeijing\tPékin\n", "but category is not a column this reads"),
    ("g.tsv", "Ashgabat\tAchgabat|.\n", "g.tsv:1: variant '.' of 'Ashgabat' has no letters or digits"),
    ("g.yaml", "- english: Ashgabat\n  variants: ['(']\n", "g.yaml:1: variant '(' of 'Ashgabat' has no letters or digits"),
]


@pytest.mark.parametrize("content", ["German\tallemand\n", "UK\tRU\n", "Name\tNom\n", "Chinese\tchinois\tfr\tlanguage\n"])
def test_a_first_entry_of_language_names_or_codes_is_an_entry_not_a_header(tmp_path, content):
    path = tmp_path / "g.tsv"
    path.write_text(content + "Beijing\tPékin\n", encoding="utf-8")
    assert [e.line for e in Glossary.load(path).entries] == [1, 2]


@pytest.mark.parametrize("name,content,message", ERROR_CASES)
def test_load_errors_name_file_line_and_fix(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as err:
        Glossary.load(path)
    assert message in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(GlossaryError, match="no such glossary file"):
        Glossary.load(tmp_path / "nope.tsv")


def test_protect_english_and_placeholders(glossary):
    text = "Kallas à Achgabat et d'Achgabat avec Tokaïev."
    matches = glossary.find(text, "fr")
    assert protect(text, matches) == ("Kallas à Ashgabat et d'Ashgabat avec Tokayev.", {})
    protected, table = protect(text, matches, placeholders=True)
    assert protected == "Zzqa à Zzqb et d'Zzqb avec Zzqc."
    assert table == {"Zzqa": "Kallas", "Zzqb": "Ashgabat", "Zzqc": "Tokayev"}
    assert unprotect("ZZQA in zzqb and of Zzqb with Zzqc.", table) == "Kallas in Ashgabat and of Ashgabat with Tokayev."


RESTORE_CASES = [
    ("all_present", "Kallas went to Ashgabat.", "Kallas went to Ashgabat.", []),
    ("case_fixed", "KALLAS went to ashgabat.", "Kallas went to Ashgabat.", []),
    ("source_variant_copied_through", "Kallas went to Achgabat.", "Kallas went to Ashgabat.", []),
    ("missing", "She went to the capital.", "She went to the capital.",
     [{"term": "Kallas", "expected": "Kallas", "reason": "missing from the translation"},
      {"term": "Achgabat", "expected": "Ashgabat", "reason": "missing from the translation"}]),
]


@pytest.mark.parametrize("name,english,fixed,violations", RESTORE_CASES, ids=[c[0] for c in RESTORE_CASES])
def test_restore_verifies(glossary, name, english, fixed, violations):
    matches = glossary.find("Kallas est allée à Achgabat.", "fr")
    assert restore(english, matches) == (fixed, violations)


def test_restore_counts_occurrences(glossary):
    matches = glossary.find("Achgabat, puis Achgabat.", "fr")
    out, violations = restore("Ashgabat, then the city.", matches)
    assert violations == [{"term": "Achgabat", "expected": "Ashgabat", "reason": "only 1 of 2 occurrences in the translation"}]


def test_fold():
    assert fold("Tokaïev ŒUVRE d’Achgabat") == "tokaiev oeuvre d'achgabat"
