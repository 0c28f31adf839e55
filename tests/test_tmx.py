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
