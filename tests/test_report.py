"""The static reviewer site: layout, escaping, safe names, alignment, determinism."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest

from outfolder_fixture import HOSTILE_IMG, HOSTILE_SCRIPT, ID_A, ID_B, ID_HOSTILE, build_out_folder
from xlate.errors import ConfigError, OutputError
from xlate.outputs import read_jsonl
from xlate.report import build_report
from xlate.report.align import AlignConfig, align_members
from xlate.report.build import ReportConfig, article_page, cluster_page
from xlate.report.files import safe_page_name
from xlate.report.load import RunFolderError
from xlate.report.spans import Span, english_term_spans, source_term_spans


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return build_out_folder(tmp_path_factory.mktemp("run") / "OUT")


@pytest.fixture(scope="module")
def site(out) -> Path:
    return build_report(out)


def _pages(index: Path) -> list[Path]:
    return sorted(p for p in index.parent.rglob("*.html"))


def _tree(path: Path):
    return lxml.html.fromstring(path.read_bytes())


# ---------------------------------------------------------------- names
@pytest.mark.parametrize("item_id, expected", [
    ("eeas_002", "eeas_002-df41ae391f.html"),
    ("europeantimes/000_ashgabat", "europeantimes_000_ashgabat-4038f0610d.html"),
    ("../../etc/passwd", "etc_passwd-3754d6cb3a.html"),
    ("/abs/path", "abs_path-6d80187b45.html"),
    ("..", "item-5ec1f7e700.html"),
    (".hidden", "hidden-1692419006.html"),
])
def test_safe_page_name_exact(item_id, expected):
    assert safe_page_name(item_id, "html") == expected


@pytest.mark.parametrize("item_id", ["a/b", "a_b", "a b", "<script>", "é/ü", "x" * 500, "\x00..\x1b", "C:\\evil", "…/../"])
def test_safe_page_name_is_one_plain_component(item_id):
    name = safe_page_name(item_id, "html")
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}-[0-9a-f]{10}\.html", name), name
    assert len(name) <= 60 + 1 + 10 + 5


def test_safe_page_names_do_not_collide_and_bad_input_raises():
    assert safe_page_name("a/b", "html") != safe_page_name("a_b", "html")
    with pytest.raises(OutputError, match="non-empty"):
        safe_page_name("", "html")
    with pytest.raises(OutputError, match="'h/tml'"):
        safe_page_name("a", "h/tml")


# ---------------------------------------------------------------- spans
SENT = "Le 27 mars, Kaja Kallas a présidé à Achgabat la réunion."


@pytest.mark.parametrize("terms, sentence_start, expected", [
    # offsets relative to the sentence
    ([{"source": "Kaja Kallas", "english": "Kaja Kallas", "start": 12, "end": 23}], None, [(12, 23)]),
    # offsets relative to the cleaned article (sentence starts at 100)
    ([{"source": "Achgabat", "english": "Ashgabat", "start": 136, "end": 144}], 100, [(36, 44)]),
    # wrong offsets: found by search instead
    ([{"source": "Achgabat", "english": "Ashgabat", "start": 0, "end": 8}], None, [(36, 44)]),
    # case differs: case-insensitive search
    ([{"source": "kaja kallas", "english": "Kaja Kallas"}], None, [(12, 23)]),
    # absent: nothing highlighted
    ([{"source": "Samarcande", "english": "Samarkand", "start": 0, "end": 10}], None, []),
    # overlapping terms: the first listed keeps its span
    ([{"source": "Kaja Kallas", "english": "K", "start": 12, "end": 23},
      {"source": "Kallas", "english": "K", "start": 17, "end": 23}], None, [(12, 23)]),
])
def test_source_term_spans(terms, sentence_start, expected):
    spans = source_term_spans(SENT, terms, sentence_start)
    assert [(s.start, s.end) for s in spans] == expected
    assert all(SENT[s.start:s.end].lower() == s.source.lower() for s in spans)


def test_english_term_spans_longest_first_every_occurrence():
    terms = [{"source": "Kallas", "english": "Kallas"}, {"source": "Kaja Kallas", "english": "Kaja Kallas"}]
    text = "Kaja Kallas met Kallas."
    assert english_term_spans(text, terms) == [Span(0, 11, "Kaja Kallas", "Kaja Kallas"), Span(16, 22, "Kallas", "Kallas")]


# ---------------------------------------------------------------- alignment
@pytest.mark.parametrize("members, config, expected", [
    # identical sentence shared; each outlet's own sentence stays alone, right after its predecessor
    ([["The ministers discussed energy and transport.", "Only the first outlet says this here."],
      ["The ministers discussed energy and transport.", "The second outlet alone reports a signing."]],
     AlignConfig(), [((0, 0), 100.0), ((None, 1), None), ((1, None), None)]),
    # below the cutoff: nothing shared; B's unanchored first sentence leads
    ([["Alpha beta gamma delta epsilon."], ["Zeta eta theta iota kappa."]],
     AlignConfig(), [((None, 0), None), ((0, None), None)]),
    # too short to match even if identical
    ([["Kaja Kallas said."], ["Kaja Kallas said."]], AlignConfig(min_tokens=4), [((None, 0), None), ((0, None), None)]),
    # one-to-one: B's single sentence goes to A's best match only
    ([["Ministers met in Ashgabat on Thursday.", "Ministers met in Ashgabat on Thursday morning."],
      ["Ministers met in Ashgabat on Thursday."]],
     AlignConfig(score_cutoff=80), [((0, 0), 100.0), ((1, None), None)]),
    # a headline whose words are all in the lead scores 100 but is too short to be "the same sentence"
    ([["EU-Central Asia: 20th ministerial meeting in Ashgabat"],
      ["On 27 March the EU and the five states of Central Asia held the 20th EU-Central Asia ministerial meeting in Ashgabat"]],
     AlignConfig(), [((None, 0), None), ((0, None), None)]),
    ([["EU-Central Asia: 20th ministerial meeting in Ashgabat"],
      ["On 27 March the EU and the five states of Central Asia held the 20th EU-Central Asia ministerial meeting in Ashgabat"]],
     AlignConfig(min_length_ratio=0), [((0, 0), 100.0)]),
    # three members chain into one row
    ([["The summit will take place in Samarkand next year."], ["The summit will take place in Samarkand next year."],
      ["The next summit will take place in Samarkand next year."]],
     AlignConfig(score_cutoff=80), [((0, 0, 0), 100.0)]),
])
def test_align_members(members, config, expected):
    rows = align_members(members, config)
    assert [(r.cells, r.score) for r in rows] == [(tuple(c), s) for c, s in expected]
    # every sentence appears exactly once
    for m, sentences in enumerate(members):
        assert sorted(r.cells[m] for r in rows if r.cells[m] is not None) == list(range(len(sentences)))


def test_align_lower_cutoff_matches_fused_sentence_greedily():
    from outfolder_fixture import article_rows

    rows = article_rows("a")
    a = [r[1] for r in rows[ID_A]]
    b = [r[1] for r in rows[ID_B]]
    # B's first sentence fuses A's first two; at 70 it goes to the better one (A#1, 71.6 > 70.1)
    aligned = align_members([a, b], AlignConfig(score_cutoff=70))
    assert [r.cells for r in aligned if r.shared] == [(1, 0), (2, 1)]
    assert [r.cells for r in align_members([a, b]) if r.shared] == [(2, 1)]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"score_cutoff": 0}, "score_cutoff=0 must be in (0, 100]"),
    ({"score_cutoff": 101}, "score_cutoff=101"),
    ({"min_tokens": 0}, "min_tokens=0 must be a positive integer"),
    ({"min_length_ratio": 1.5}, "min_length_ratio=1.5 must be in [0, 1]"),
])
def test_align_config_validation(kwargs, fragment):
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        AlignConfig(**kwargs)


def test_report_config_validation():
    with pytest.raises(ConfigError, match=re.escape("max_aligned_members=1 must be an integer >= 2")):
        ReportConfig(max_aligned_members=1)


# ---------------------------------------------------------------- the site
def test_layout_and_safe_file_names(site, out):
    assert site == out / "report" / "index.html"
    rel = sorted(p.relative_to(site.parent).as_posix() for p in _pages(site))
    assert rel == sorted(["index.html", article_page(ID_A), article_page(ID_B), article_page(ID_HOSTILE),
                          cluster_page("c0001"), cluster_page("c0002")])
    assert article_page(ID_HOSTILE) == "articles/misc_pi_ge_b_id_b-6441e2b541.html"
    for path in site.parent.rglob("*"):
        assert path.resolve().is_relative_to(site.parent.resolve())


def test_no_markup_from_article_text_survives(site):
    for page in _pages(site):
        raw = page.read_text(encoding="utf-8")
        assert "<script" not in raw.lower(), page
        tree = _tree(page)
        assert tree.xpath("//script | //img | //iframe | //object | //embed") == []
        for element in tree.iter():
            if isinstance(element.tag, str):
                assert not [a for a in element.attrib if a.lower().startswith("on")], (page, element.tag)
        assert [h for h in tree.xpath("//a/@href") if h.lower().startswith(("javascript:", "data:"))] == []


def test_csp_allows_exactly_the_page_stylesheet(site):
    for page in _pages(site):
        tree = _tree(page)
        csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
        css = tree.xpath("//style")[0].text
        digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
        assert csp == f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; base-uri 'none'; form-action 'none'"


def test_hostile_article_shows_text_literally(site):
    tree = _tree(site.parent / article_page(ID_HOSTILE))
    cells = [td.text_content() for td in tree.xpath("//table[@class='pairs']//td[@class='text']")]
    assert cells == [f"Texte piégé {HOSTILE_SCRIPT} fin.", f"Trapped text {HOSTILE_SCRIPT} end.",
                     f"Attribut {HOSTILE_IMG} cassé.", f"Broken {HOSTILE_IMG} attribute."]
    assert tree.findtext(".//title") == "<script>window.__pwned=4</script>Titre piégé \u2014 article"
    assert tree.xpath("//dt[text()='url']/following-sibling::dd[1]")[0].text_content() == "javascript:window.__pwned=5"
    removed = [td.text_content() for td in tree.xpath("//table[@class='removed']//td")]
    assert removed == ["3", "script <b>tag</b>", "<script>window.__pwned=3</script>"]


def test_article_page_rows_terms_violations(site):
    tree = _tree(site.parent / article_page(ID_B))
    rows = tree.xpath("//table[@class='pairs']/tbody/tr")
    assert [r.get("id") for r in rows] == ["s0", "s1", "s2"]
    assert [r.get("class") for r in rows] == ["violation", None, None]
    assert [m.text for m in rows[0].xpath(".//mark[@class='term']")] == ["Kaja Kallas", "Achgabat", "Kaja Kallas"]
    assert "should be" in rows[0].xpath(".//li[@class='flag']")[0].text_content()
    files = tree.xpath("//dt[text()='files']/following-sibling::dd[1]/a")
    assert [(a.text, a.get("href")) for a in files] == [("XLIFF 2.0", "../../articles/eeas_002.xlf"),
                                                        ("sentences JSONL", "../../articles/eeas_002.jsonl")]
    assert (site.parent / "articles" / files[0].get("href")).resolve() == (site.parent.parent / "articles" / "eeas_002.xlf").resolve()
    assert tree.xpath("//details/summary")[0].text == "Removed boilerplate (1 lines)"


def test_index_lists_clusters_links_chart_and_failures(site):
    tree = _tree(site)
    rows = tree.xpath("//table[@class='clusters']/tbody/tr")
    assert [r.get("id") for r in rows] == ["c0001", "c0002"]
    assert [a.get("href") for a in rows[0].xpath("./td[3]//a")] == [article_page(ID_A), article_page(ID_B)]
    assert "0.612" in rows[0].xpath("./td[4]")[0].text_content()
    assert "shared names:    Achgabat, Kaja Kallas" in rows[0].xpath("./td[4]")[0].text_content()
    assert "closest dates 1 day apart" in rows[0].xpath("./td[4]")[0].text_content()
    charts = tree.xpath("//svg[@class='chart']")
    assert [c.get("aria-label") for c in charts] == ["Clusters by size", "Articles by language"]
    assert [t.text for t in charts[0].iter("text")] == ["size 1", "1", "size 2", "1"]
    assert [t.text for t in charts[1].iter("text")] == ["fr", "3"]
    assert "broken<script>.txt" in tree.xpath("//h2[starts-with(text(), 'Failures')]/following-sibling::table[1]")[0].text_content()


def test_index_pages_hold_clusters_per_page_and_every_link_resolves(out, tmp_path):
    index = build_report(out, dest=tmp_path / "paged", config=ReportConfig(clusters_per_page=1))
    first, second = _tree(index), _tree(index.parent / "index-2.html")
    assert [r.get("id") for r in first.xpath("//table[@class='clusters']/tbody/tr")] == ["c0001"]
    assert [r.get("id") for r in second.xpath("//table[@class='clusters']/tbody/tr")] == ["c0002"]
    assert first.xpath("//p[@class='muted']")[0].text_content() == "clusters 1\u20131 of 2, biggest first"
    assert [n.text_content() for n in second.xpath("//nav[@class='pager']")] == ["pages: 1 2"] * 2
    assert second.xpath("//nav[@class='pager'][1]/a/@href") == ["index.html"]
    # the failures and the run summary stay on the first page
    assert first.xpath("//h2[starts-with(text(), 'Failures')]") and not second.xpath("//h2[starts-with(text(), 'Failures')]")
    # a cluster page leads back to the index page that lists it
    crumb = _tree(index.parent / cluster_page("c0002")).xpath("//nav[@class='crumbs']/a/@href")
    assert crumb == ["../index-2.html#c0002"]
    for page_path in _pages(index):  # no dead internal link anywhere in the site
        for link in _tree(page_path).xpath("//a/@href"):
            target = link.split("#")[0]
            if target and not target.startswith(("http://", "https://")):
                assert (page_path.parent / unquote(target)).exists(), (page_path, link)
    with pytest.raises(ConfigError, match=re.escape("clusters_per_page=0 must be an integer >= 1")):
        ReportConfig(clusters_per_page=0)


def test_big_clusters_fold_each_links_reasons_under_its_names(out, tmp_path):
    # A cluster joined by many links would bury its sentences under screens of reasons: past
    # FOLD_LINKS_AFTER, each link is one summary line (pair, score, first shared names).
    import shutil

    from xlate.report.build import FOLD_LINKS_AFTER

    run = tmp_path / "run"
    shutil.copytree(out, run, ignore=shutil.ignore_patterns("report"))
    clusters = read_jsonl(run / "clusters.jsonl")
    link = clusters[0]["links"][0]
    clusters[0]["links"] = [dict(link, reasons=dict(link["reasons"], entities=[f"name{k}" for k in range(n + 1)]))
                            for n in range(FOLD_LINKS_AFTER + 1)]
    (run / "clusters.jsonl").write_text("".join(json.dumps(c) + "\n" for c in clusters), encoding="utf-8")
    tree = _tree(build_report(run).parent / cluster_page(clusters[0]["cluster"]))
    summaries = [" ".join(s.text_content().split()) for s in tree.xpath("//ul[@class='links']/li/details/summary")]
    assert len(summaries) == FOLD_LINKS_AFTER + 1
    assert summaries[0].endswith("name0") and summaries[3].endswith("name0, name1, name2, name3")
    assert "shared names: name0" in " ".join(tree.xpath("//ul[@class='links']/li/details")[0].text_content().split())
    # the index folds them the same way
    index_rows = _tree(run / "report" / "index.html").xpath("//table[@class='clusters']/tbody/tr")
    assert len(index_rows[0].xpath(".//ul[@class='links']/li/details")) == FOLD_LINKS_AFTER + 1
    # with few links, the reasons stay open (the seeds' site: one link)
    small = _tree(build_report(out, dest=tmp_path / "small").parent / cluster_page("c0001"))
    assert small.xpath("//ul[@class='links']/li") and not small.xpath("//ul[@class='links']//details")


def test_cluster_page_aligns_members(site):
    tree = _tree(site.parent / cluster_page("c0001"))
    assert [a.text for a in tree.xpath("//table[@class='summary']//a")] == [
        "UE-Asie centrale : 20e réunion ministérielle à Achgabat", "Réunion ministérielle UE-Asie centrale à Achgabat"]
    assert [[td.text_content() for td in r.xpath("./td")][1:] for r in tree.xpath("//table[@class='summary']/tbody/tr")] == [
        ["europeantimes.news \u00b7 2025-03-28 \u00b7 fr", "1", "3"], ["eeas.europa.eu \u00b7 2025-03-27 \u00b7 fr", "1", "2"]]
    rows = tree.xpath("//table[@class='aligned']/tbody/tr")
    assert [r.get("class") for r in rows] == ["only", "only", "only", "shared", "only", "only"]
    shared = rows[3].xpath("./td")
    assert [td.text_content() for td in shared] == [
        "4", "#2 The ministers discussed connectivity and energy.", "#1 The ministers discussed connectivity and energy.", "100"]
    assert shared[1].xpath("./a/@href") == ["../" + article_page(ID_A) + "#s2"]


def test_deterministic_and_rebuild_replaces_stale_pages(out, tmp_path):
    first = build_report(out, dest=tmp_path / "r1")
    second = build_report(out, dest=tmp_path / "r2")
    # Pages link to OUT files relative to the site, so compare two sites at the same depth.
    assert [p.relative_to(first.parent) for p in _pages(first)] == [p.relative_to(second.parent) for p in _pages(second)]
    for a, b in zip(_pages(first), _pages(second)):
        assert a.read_bytes() == b.read_bytes(), a
    stale = first.parent / "articles" / "stale-0000000000.html"
    stale.write_text("old", encoding="utf-8")
    build_report(out, dest=tmp_path / "r1")
    assert not stale.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_refuses_to_replace_a_folder_it_did_not_write(out, tmp_path):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="is not an xlate report"):
        build_report(out, dest=precious)
    assert (precious / "notes.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("damage, fragment", [
    (lambda o: (o / "run.json").unlink(), "has no run.json"),
    (lambda o: (o / "documents.jsonl").write_text('{"id": "a"}\n{oops\n', encoding="utf-8"), "documents.jsonl:2: not JSON"),
    (lambda o: (o / "documents.jsonl").write_text('{"id": "a"}\n{"id": "a"}\n', encoding="utf-8"), "duplicate article id 'a'"),
    (lambda o: (o / "clusters.jsonl").write_text('{"cluster": "c1"}\n', encoding="utf-8"), "clusters.jsonl:1: a cluster needs"),
])
def test_broken_run_folder_raises_typed_error(tmp_path, damage, fragment):
    out = build_out_folder(tmp_path / "OUT")
    damage(out)
    with pytest.raises(RunFolderError, match=re.escape(fragment)):
        build_report(out)
    assert not (out / "report").exists()


def test_cli_report_command(out, tmp_path):
    from click.testing import CliRunner

    from xlate.cli_report import report

    result = CliRunner().invoke(report, [str(out), "--dest", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "site" / "index.html")
    result = CliRunner().invoke(report, [str(tmp_path / "site")])
    assert result.exit_code == 2 and "has no run.json" in result.output  # not a run: usage error


def test_untranslated_article_shows_its_cleaned_text(tmp_path):
    out = build_out_folder(tmp_path / "OUT")
    from xlate.outputs import article_path

    article_path(out, ID_B, "jsonl").unlink()  # as after `xlate run --no-translate`
    tree = _tree(build_report(out).parent / article_page(ID_B))
    assert tree.xpath("//table[@class='pairs']/tbody/tr") == []
    cleaned = tree.xpath("//div[@class='text cleaned']")[0].text_content()
    assert cleaned.startswith("Le 27 mars, Kaja Kallas a présidé à Achgabat") and "matières premières critiques" in cleaned


def test_link_reasons_read_like_xlate_explain_escaped():
    from dedup.reasons import describe_reasons
    from xlate.report.build import _reasons

    reasons = {"entities": ["<b>x</b>"], "published_gap_days": 42, "published_conflict": True}
    assert describe_reasons(reasons) == ["shared names:    <b>x</b>", "published 42 days apart -> different events, score penalised"]
    assert _reasons(reasons) == "shared names:    &lt;b&gt;x&lt;/b&gt;<br>published 42 days apart -&gt; different events, score penalised"
    assert _reasons("free text <i>") == "free text &lt;i&gt;"


@pytest.mark.parametrize("value, expected", [
    ("a & <b> \"c\"", "a &amp; &lt;b&gt; &quot;c&quot;"),
    ("bad\x01char\x0bthere\x7f", "bad\ufffdchar\ufffdthere\ufffd"),  # HTML forbids these controls
    ("line\nnext\ttab", "line\nnext\ttab"),
    (None, ""),
])
def test_esc_escapes_markup_and_replaces_characters_html_forbids(value, expected):
    from xlate.report.html import esc

    assert esc(value) == expected
