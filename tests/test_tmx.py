from lxml import etree

from xlate.tmx import write_tmx
from xlate.translator import AlignedPair

PAIRS = [
    AlignedPair(1, "Kallas à Achgabat.", "Kallas in Ashgabat.", 20, 38, "apertium",
                [{"source": "Achgabat", "english": "Ashgabat", "start": 30, "end": 38}], []),
    AlignedPair(0, "Titre & <b>", "Title & <b>", 0, 11, "apertium", [],
                [{"term": "Tokaïev", "expected": "Tokayev", "reason": "missing from the translation"}]),
]


def test_tmx_is_valid_and_complete(tmp_path):
    path = tmp_path / "articles" / "site" / "a1.tmx"
    write_tmx(path, "site/a1", PAIRS, "fr", {"signature": "engine:apertium|gl:x", "engine": "apertium"})
    root = etree.parse(str(path)).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header.get("srclang") == "fr" and header.get("segtype") == "sentence"
    assert {p.get("type"): p.text for p in header.findall("prop")} == {
        "x-article": "site/a1", "x-engine": "apertium", "x-signature": "engine:apertium|gl:x"}
    units = root.findall("body/tu")
    assert [u.get("tuid") for u in units] == ["site/a1#0", "site/a1#1"]
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert [(t.get(lang), t.findtext("seg")) for t in units[0].findall("tuv")] == [("fr", "Titre & <b>"), ("en", "Title & <b>")]
    assert units[0].findtext("note") == "glossary violation: Tokaïev should be Tokayev (missing from the translation)"
    assert [p.text for p in units[1].findall("prop") if p.get("type") == "x-term"] == ["Achgabat => Ashgabat"]
    assert not list(path.parent.glob(".*tmp"))  # atomic: no temp file left


def test_tmx_control_characters_replaced_and_noted(tmp_path):
    path = tmp_path / "a.tmx"
    write_tmx(path, "a", [AlignedPair(0, "bad\x0bchar", "bad\x0bchar", 0, 8, "identity")], "en", {})
    unit = etree.parse(str(path)).getroot().find("body/tu")
    assert unit.find("tuv/seg").text == "bad\ufffdchar"
    assert unit.findtext("note") == "characters XML cannot carry were written as U+FFFD"


def test_tmx_deterministic(tmp_path):
    write_tmx(tmp_path / "a.tmx", "a", PAIRS, "fr", {"k": "v"})
    write_tmx(tmp_path / "b.tmx", "a", PAIRS, "fr", {"k": "v"})
    assert (tmp_path / "a.tmx").read_bytes() == (tmp_path / "b.tmx").read_bytes()


# The parts of the TMX 1.4 DTD (tmx14.dtd) that the writer uses: content models as the DTD
# gives them, so a unit's notes must come before its variants.
TMX14_SUBSET = """
<!ELEMENT tmx (header, body)>
<!ATTLIST tmx version CDATA #REQUIRED>
<!ELEMENT header (note|prop|ude)*>
<!ATTLIST header creationtool CDATA #REQUIRED creationtoolversion CDATA #REQUIRED segtype CDATA #REQUIRED
          o-tmf CDATA #REQUIRED adminlang CDATA #REQUIRED srclang CDATA #REQUIRED datatype CDATA #REQUIRED>
<!ELEMENT ude ANY>
<!ELEMENT body (tu*)>
<!ELEMENT tu ((note|prop)*, tuv+)>
<!ATTLIST tu tuid CDATA #IMPLIED>
<!ELEMENT tuv ((note|prop)*, seg)>
<!ATTLIST tuv xml:lang CDATA #REQUIRED>
<!ELEMENT seg (#PCDATA)>
<!ELEMENT prop (#PCDATA)>
<!ATTLIST prop type CDATA #REQUIRED>
<!ELEMENT note (#PCDATA)>
"""


def test_tmx_follows_the_dtd_with_notes_ids_and_props_a_run_gives(tmp_path):
    from io import StringIO

    path = tmp_path / "a.tmx"
    pairs = [*PAIRS, AlignedPair(2, "bad\x01char", "bad\x01char", 40, 48, "apertium")]
    # A run's props name the article again; an id may hold a control character.
    write_tmx(path, "site/a\x01b", pairs, "fr", {"article": "site/a\x01b", "signature": "s"})
    root = etree.parse(str(path)).getroot()
    dtd = etree.DTD(StringIO(TMX14_SUBSET))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    assert [p.get("type") for p in root.find("header").findall("prop")] == ["x-article", "x-signature"]
    assert root.find("body/tu").get("tuid") == "site/a\ufffdb#0"
