"""XLIFF 2.0 export: valid structure, exact content, hostile text, atomic writes."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from lxml import etree

from xlate.errors import ConfigError, OutputError
from xlate.xliff import GLS_NS, MDA_NS, XLIFF_NS, write_xliff

NS = {"x": XLIFF_NS, "gls": GLS_NS, "mda": MDA_NS}
SENTENCE = "La réunion était présidée par Kaja Kallas à Achgabat."
PAIRS = [
    {"index": 0, "source": SENTENCE, "english": "The meeting was chaired by Kaja Kallas in Asgabat.", "start": 0,
     "end": len(SENTENCE),
     "terms": [{"source": "Kaja Kallas", "english": "Kaja Kallas", "start": 30, "end": 41},
               {"source": "Achgabat", "english": "Ashgabat", "start": 44, "end": 52}],
     "violations": [{"term": "Achgabat", "expected": "Ashgabat", "reason": "missing"}]},
    {"index": 1, "source": "Texte <script>alert(1)</script> & \"><img src=x onerror=alert(2)>",
     "english": "Text <script>alert(1)</script> & \"><img src=x onerror=alert(2)>", "terms": [], "violations": []},
]


def _parse(path):
    return etree.parse(str(path)).getroot()


def _text(element) -> str:
    """Mixed content back to the original string: <cp hex> is the code point it stands for."""
    out = [element.text or ""]
    for child in element:
        if child.tag == f"{{{XLIFF_NS}}}cp":
            out.append(chr(int(child.get("hex"), 16)))
        else:
            out.append(_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _check_core_structure(root) -> None:
    """The XLIFF 2.0 core constraints this exporter relies on (spec sections 4.2-4.3)."""
    assert root.tag == f"{{{XLIFF_NS}}}xliff" and root.get("version") == "2.0"
    assert root.get("srcLang") and root.get("trgLang")
    files = root.findall("x:file", NS)
    assert files and all(f.get("id") for f in files)
    for file_el in files:
        units = [c for c in file_el if c.tag == f"{{{XLIFF_NS}}}unit"]
        assert units, "a <file> needs at least one unit"
        assert len({u.get("id") for u in units}) == len(units)
        for unit in units:
            order = [c.tag for c in unit]
            # other-namespace modules first, then notes?, then segments/ignorables
            core = [t for t in order if t.startswith(f"{{{XLIFF_NS}}}")]
            assert order[len(order) - len(core):] == core, order
            assert core[: core.count(f"{{{XLIFF_NS}}}notes")] == [f"{{{XLIFF_NS}}}notes"] * core.count(f"{{{XLIFF_NS}}}notes")
            assert any(t in (f"{{{XLIFF_NS}}}segment", f"{{{XLIFF_NS}}}ignorable") for t in core)
            mrk_ids = [m.get("id") for m in unit.iter(f"{{{XLIFF_NS}}}mrk")]
            assert len(set(mrk_ids)) == len(mrk_ids)
            for entry in unit.iterfind("gls:glossary/gls:glossEntry", NS):
                assert entry.get("ref", "#")[1:] in mrk_ids
            for segment in unit.iterfind("x:segment", NS):
                assert segment.get("state") in {"initial", "translated", "reviewed", "final"}
                assert segment.find("x:source", NS) is not None


def test_exact_units_terms_and_violations(tmp_path):
    path = write_xliff(tmp_path / "a.xlf", "site/a", PAIRS, "fr", {"signature": "engine:x|gl:1", "xlate": "0.1.0", "url": None})
    root = _parse(path)
    _check_core_structure(root)
    assert (root.get("srcLang"), root.get("trgLang")) == ("fr", "en")
    file_el = root.find("x:file", NS)
    assert file_el.get("original") == "site/a"
    assert [(m.get("type"), m.text) for m in file_el.iterfind("mda:metadata/mda:metaGroup/mda:meta", NS)] == [
        ("signature", "engine:x|gl:1"), ("xlate", "0.1.0")]
    units = file_el.findall("x:unit", NS)
    assert [u.get("id") for u in units] == ["u0", "u1"]
    source = units[0].find("x:segment/x:source", NS)
    assert _text(source) == SENTENCE
    assert [(m.get("id"), m.get("type"), m.text) for m in source.findall("x:mrk", NS)] == [
        ("m1", "term", "Kaja Kallas"), ("m2", "term", "Achgabat")]
    assert [(e.get("ref"), e.findtext("gls:term", namespaces=NS), e.findtext("gls:translation", namespaces=NS))
            for e in units[0].iterfind("gls:glossary/gls:glossEntry", NS)] == [
        ("#m1", "Kaja Kallas", "Kaja Kallas"), ("#m2", "Achgabat", "Ashgabat")]
    notes = units[0].findall("x:notes/x:note", NS)
    assert [(n.get("category"), n.text) for n in notes] == [
        ("violation", "glossary term Achgabat should be Ashgabat in the translation: missing")]
    assert units[0].findtext("x:segment/x:target", namespaces=NS) == PAIRS[0]["english"]
    assert units[0].find("x:segment", NS).get("state") == "translated"


def test_hostile_text_round_trips_as_text(tmp_path):
    path = write_xliff(tmp_path / "h.xlf", 'x"><script>', PAIRS[1:], "fr", {})
    raw = path.read_bytes()
    assert b"<script>" not in raw and b"<img" not in raw
    root = _parse(path)
    unit = root.find("x:file/x:unit", NS)
    assert root.find("x:file", NS).get("original") == 'x"><script>'
    assert unit.findtext("x:segment/x:source", namespaces=NS) == PAIRS[1]["source"]
    assert unit.findtext("x:segment/x:target", namespaces=NS) == PAIRS[1]["english"]


@pytest.mark.parametrize("text, cps", [
    ("bell\x07here", ["0007"]),
    ("nul\x00 and \x1f", ["0000", "001F"]),
    ("ok\ttab\nnewline", []),
    ("bom\ufeff kept, \uffff not", ["FFFF"]),
])
def test_xml_invalid_code_points_become_cp(tmp_path, text, cps):
    path = write_xliff(tmp_path / "c.xlf", "c", [{"index": 0, "source": text, "english": text}], "fr", {})
    source = _parse(path).find("x:file/x:unit/x:segment/x:source", NS)
    assert [cp.get("hex") for cp in source.iter(f"{{{XLIFF_NS}}}cp")] == cps
    assert _text(source) == text


@dataclass
class _Pair:  # the translator hands objects, not dicts
    index: int
    source: str
    english: str | None
    terms: list = field(default_factory=list)
    violations: list = field(default_factory=list)


def test_objects_untranslated_and_empty_articles(tmp_path):
    path = write_xliff(tmp_path / "o.xlf", "o", [_Pair(1, "Deux.", None), _Pair(0, "Un.", "One.")], None, {})
    root = _parse(path)
    _check_core_structure(root)
    assert root.get("srcLang") == "und"
    segments = root.findall("x:file/x:unit/x:segment", NS)
    assert [(s.get("id"), s.get("state"), s.findtext("x:target", namespaces=NS)) for s in segments] == [
        ("s0", "translated", "One."), ("s1", "initial", None)]
    empty = _parse(write_xliff(tmp_path / "e.xlf", "e", [], "fr", {}))
    _check_core_structure(empty)
    assert empty.find("x:file/x:unit/x:ignorable", NS) is not None


def test_deterministic_atomic_and_replaces(tmp_path):
    target = tmp_path / "deep" / "sub" / "a.xlf"
    first = write_xliff(target, "a", PAIRS, "fr", {"b": 2, "a": 1}).read_bytes()
    target.write_bytes(b"old")
    second = write_xliff(target, "a", PAIRS, "fr", {"a": 1, "b": 2}).read_bytes()
    assert first == second
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.xlf"]


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"src_lang": "french!"}, ConfigError, "'french!' is not a BCP 47"),
    ({"pairs": [{"index": 0, "source": "a"}, {"index": 0, "source": "b"}]}, OutputError, "two sentences have index 0"),
    ({"pairs": [{"index": -1, "source": "a"}]}, OutputError, "index -1"),
    ({"article_id": ""}, OutputError, "non-empty"),
])
def test_bad_input_raises_typed_errors(tmp_path, kwargs, error, fragment):
    args = {"path": tmp_path / "x.xlf", "article_id": "a", "pairs": PAIRS, "src_lang": "fr", "props": {}} | kwargs
    with pytest.raises(error, match=fragment.replace("(", r"\(")):
        write_xliff(**args)
    assert not (tmp_path / "x.xlf").exists()


@dataclass(frozen=True)
class _Term:  # shaped like xlate.glossary.TermMatch: ``surface``, offsets within the sentence
    start: int
    end: int
    surface: str
    english: str


@dataclass
class _SerialisingPair:
    index: int
    source: str
    english: str
    terms: list
    violations: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"index": self.index, "source": self.source, "english": self.english,
                "terms": [{"source": t.surface, "english": t.english, "start": t.start, "end": t.end} for t in self.terms],
                "violations": self.violations}


@pytest.mark.parametrize("pair", [
    _SerialisingPair(0, SENTENCE, "chaired by Kaja Kallas", [_Term(30, 41, "Kaja Kallas", "Kaja Kallas")]),
    _Pair(0, SENTENCE, "chaired by Kaja Kallas", [_Term(30, 41, "Kaja Kallas", "Kaja Kallas")]),
])
def test_term_objects_are_marked(tmp_path, pair):
    root = _parse(write_xliff(tmp_path / "t.xlf", "t", [pair], "fr", {}))
    _check_core_structure(root)
    assert [m.text for m in root.iter(f"{{{XLIFF_NS}}}mrk")] == ["Kaja Kallas"]
