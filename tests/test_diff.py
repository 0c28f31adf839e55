"""Run diff: exact per-sentence changes, glossary differences, text/colour/HTML output, CLI."""
from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from outfolder_fixture import ID_A, ID_B, ID_HOSTILE, build_out_folder
from xlate.cli_report import diff as diff_command
from xlate.diff import SentenceChange, TermDifference, diff_runs, render_text, write_html
from xlate.outputs import article_path

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("runs")
    return build_out_folder(root / "A", "a"), build_out_folder(root / "B", "b")


def test_changes_are_exact(runs):
    a, b = runs
    result = diff_runs(a, b)
    assert [art.id for art in result.articles] == [ID_B, ID_A]
    assert result.only_in_a == (ID_HOSTILE,) and result.only_in_b == ()
    assert [(art.id, art.unchanged, len(art.changes)) for art in result.changed_articles] == [(ID_B, 2, 1), (ID_A, 2, 2)]
    assert result.changed_articles[0].changes[0] == SentenceChange(
        "changed", 0, 0, "Le 27 mars, Kaja Kallas a présidé à Achgabat la 20e réunion ministérielle UE-Asie centrale.",
        "On 27 March, Kaja Kallas chaired the 20th EU-Central Asia ministerial meeting in Asgabat.",
        "On 27 March, Kaja Kallas chaired the 20th EU-Central Asia ministerial meeting in Ashgabat.", 1, 0)
    assert [c.index_a for c in result.changed_articles[1].changes] == [0, 3]
    assert (result.count("changed"), result.count("added"), result.count("removed")) == (3, 0, 0)
    assert result.terms == (TermDifference("Samarcande", (("Samarkand", 1),), (("Samarqand", 1),)),)
    assert result.glossary_changed and (result.violations_a, result.violations_b) == (1, 0)
    assert ("engine.name", "apertium", "marian") in result.settings and ("config.beam", 1, 4) in result.settings
    assert re.fullmatch(r"diff:v2\|a:[0-9a-f]{8}\|b:[0-9a-f]{8}", result.signature)


def test_same_run_has_no_differences(runs):
    a, _ = runs
    result = diff_runs(a, a)
    assert result.changed_articles == () and result.terms == () and result.settings == ()
    assert not result.glossary_changed
    assert "summary: 0 sentences changed, 0 added, 0 removed, in 0 of 3 articles compared" in render_text(result, False)


def test_resegmented_article_shows_added_and_removed(runs, tmp_path):
    a, _ = runs
    b = build_out_folder(tmp_path / "B", "a")
    path = article_path(b, ID_B, "jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    # run B split sentence 2 in two
    split = [dict(rows[2], index=2, source="Un protocole d'accord a été signé.", english="A memorandum was signed."),
             dict(rows[2], index=3, source="Il porte sur les matières premières critiques.", english="It covers critical raw materials.")]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:2] + split), encoding="utf-8")
    article = next(art for art in diff_runs(a, b).changed_articles if art.id == ID_B)
    assert [(c.kind, c.index_a, c.index_b) for c in article.changes] == [("removed", 2, None), ("added", None, 2), ("added", None, 3)]
    assert article.unchanged == 2


def test_render_text_plain_and_colour(runs):
    result = diff_runs(*runs)
    plain = render_text(result, color=False)
    coloured = render_text(result, color=True)
    assert not ANSI.search(plain)
    assert "\x1b[31m-" in coloured and "\x1b[32m+" in coloured and "\x1b[7mSamarqand\x1b[0m" in coloured
    lines = plain.splitlines()
    assert lines[0].startswith("--- a: ") and lines[1].startswith("+++ b: ")
    assert f"@@ {ID_A}: 2 of 4 sentences differ @@" in lines
    assert "-The next summit will take place in Samarkand." in lines
    assert "+The next summit will take place in Samarqand." in lines
    assert "  term Samarcande: a 'Samarkand' x1 | b 'Samarqand' x1" in lines
    assert "glossary violations: a 1, b 0" in lines
    assert f"articles only in a: 1 ({ID_HOSTILE})" in lines


def test_terminal_escapes_in_article_text_are_neutralised(runs, tmp_path):
    a, _ = runs
    b = build_out_folder(tmp_path / "B", "a")
    path = article_path(b, ID_A, "jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows[1]["english"] = "Cleared\x1b[2J screen\nand a newline"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    plain = render_text(diff_runs(a, b), color=False)
    assert "\x1b" not in plain and "+Cleared\\x1b[2J screen\\x0aand a newline" in plain


def test_write_html(runs, tmp_path):
    result = diff_runs(*runs)
    page = write_html(result, tmp_path / "sub" / "diff.html")
    tree = lxml.html.fromstring(page.read_bytes())
    assert tree.xpath("//script") == []
    assert [h.text for h in tree.xpath("//h2")] == ["Summary", "Settings that differ", ID_B, ID_A]
    assert [d.text for d in tree.xpath("//del[@class='word']")] == ["Asgabat", "European Union", "Asian countries", "Samarkand"]
    assert [i.text for i in tree.xpath("//ins[@class='word']")] == ["Ashgabat", "EU", "countries of ", "Asia", "Samarqand"]
    assert len(tree.xpath("//tr[@class='violation']")) == 1
    assert sorted(p.name for p in page.parent.iterdir()) == ["diff.html"]


def test_cli_diff_plain_when_piped_and_html(runs, tmp_path):
    a, b = runs
    html_file = tmp_path / "d.html"
    result = CliRunner().invoke(diff_command, [str(a), str(b), "--html", str(html_file)])
    assert result.exit_code == 0, result.output
    assert not ANSI.search(result.output) and "summary: 3 sentences changed" in result.output
    assert html_file.is_file()
    forced = CliRunner().invoke(diff_command, [str(a), str(b), "--color", "always"])
    assert forced.exit_code == 0 and ANSI.search(forced.output)


@pytest.mark.parametrize("args", [["missing-a", "missing-b"], ["{tmp}", "{tmp}"], ["{a}"]])
def test_cli_diff_usage_errors_exit_2(runs, tmp_path, args):
    a, _ = runs
    argv = [x.format(tmp=tmp_path, a=a) for x in args]
    result = CliRunner().invoke(diff_command, argv)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    "clusters_a, clusters_b, shared, changes, pairs",
    [
        # the same grouping, other cluster names: no change
        ([["x", "y"], ["z"]], [["z"], ["y", "x"]], "xyz", [], (0, 0)),
        # one cluster of a split in b
        ([["w", "x", "y", "z"]], [["w", "x"], ["y"], ["z"]], "wxyz",
         [("split", "A1", ("w", "x", "y", "z"), (("w", "x"), ("y",), ("z",)))], (5, 0)),
        # two clusters of a merged in b, with an article b does not hold
        ([["x"], ["y", "z", "gone"]], [["x", "y", "z"]], "xyz",
         [("merged", "B1", ("x", "y", "z"), (("x",), ("y", "z")))], (0, 2)),
        # split and merged at once: {a b} {c d} in a, {a c} {b d} in b
        ([["a", "b"], ["c", "d"]], [["a", "c"], ["b", "d"]], "abcd",
         [("split", "A1", ("a", "b"), (("a",), ("b",))), ("split", "A2", ("c", "d"), (("c",), ("d",))),
          ("merged", "B1", ("a", "c"), (("a",), ("c",))), ("merged", "B2", ("b", "d"), (("b",), ("d",)))], (2, 2)),
    ],
)
def test_cluster_differences_are_exact(clusters_a, clusters_b, shared, changes, pairs):
    from xlate.diff import GroupChange, _cluster_diff

    a = [{"cluster": f"A{n + 1}", "members": m} for n, m in enumerate(clusters_a)]
    b = [{"cluster": f"B{n + 1}", "members": m} for n, m in enumerate(clusters_b)]
    result = _cluster_diff(a, b, set(shared))
    assert result.changes == tuple(GroupChange(*c) for c in changes)
    assert (result.pairs_only_a, result.pairs_only_b) == pairs
    assert (result.clusters_a, result.clusters_b) == (len(clusters_a), len(clusters_b))


def test_diff_of_two_clusterings_of_the_seeds(tmp_path):
    from xlate.cli import cli

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    runner = CliRunner()
    for name, extra in (("a", []), ("b", ["--set", "threshold=0.3"])):
        result = runner.invoke(cli, ["run", str(seeds), "-o", str(tmp_path / name), "--no-translate", *extra])
        assert result.exit_code == 0, result.output
    text = runner.invoke(diff_command, [str(tmp_path / "a"), str(tmp_path / "b")]).output
    assert "  setting cluster.threshold: 0.1 -> 0.3" in text
    assert "config.cluster" not in text  # run.json's copy inside "config" is not listed twice
    assert "@@ cluster c0001 of a split in b: {000_2c8e8df7cb3b87a9, 002_3e9d996f7f80b2c1} -> " \
           "{000_2c8e8df7cb3b87a9} + {002_3e9d996f7f80b2c1} @@" in text
    assert "clusters: a 4, b 5; 1 of a split and 0 of b merged; article pairs grouped only in a 1, only in b 0" in text
    page = write_html(diff_runs(tmp_path / "a", tmp_path / "b"), tmp_path / "diff.html")
    tree = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    (table,) = tree.xpath("//h2[text()='Clusters that differ']/following-sibling::table[1]")
    assert [td.text_content() for td in table.xpath(".//tbody/tr/td")] == [
        "split c0001", "{000_2c8e8df7cb3b87a9, 002_3e9d996f7f80b2c1}", "{000_2c8e8df7cb3b87a9}{002_3e9d996f7f80b2c1}"]


def test_diff_of_two_xlate_cluster_folders(tmp_path):
    from xlate.cli import cli

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    runner = CliRunner()
    for name, extra in (("a", []), ("b", ["--set", "threshold=0.3"])):
        assert runner.invoke(cli, ["cluster", str(seeds), "-o", str(tmp_path / name), *extra]).exit_code == 0
    result = runner.invoke(diff_command, [str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "  setting cluster.threshold: 0.1 -> 0.3" in result.output
    assert "clusters: a 4, b 5; 1 of a split and 0 of b merged; article pairs grouped only in a 1, only in b 0" in result.output
    assert "langid" not in result.output  # the same identifier
    # Another language identifier (as after upgrading py3langid) is a setting that differs.
    record = json.loads((tmp_path / "b" / "cluster.json").read_text(encoding="utf-8"))
    old = record["langid"]
    record["langid"] = old.replace("chars:600", "chars:1000")
    (tmp_path / "b" / "cluster.json").write_text(json.dumps(record), encoding="utf-8")
    result = runner.invoke(diff_command, [str(tmp_path / "a"), str(tmp_path / "b")])
    assert f"  setting langid: {old!r} -> {record['langid']!r}" in result.output
    # The reviewer site still needs a full run.
    report = runner.invoke(cli, ["report", str(tmp_path / "a")])
    assert report.exit_code == 2 and "has no run.json" in report.stderr


def test_an_article_only_one_run_translated_is_named_not_listed_sentence_by_sentence(runs, tmp_path):
    import shutil

    a, _ = runs
    b = tmp_path / "B"
    shutil.copytree(a, b)
    article_path(b, ID_A, "jsonl").unlink()  # B kept the article, untranslated (--no-translate, --languages)
    result = diff_runs(a, b)
    assert result.translated_only_in_a == (ID_A,) and result.translated_only_in_b == ()
    assert ID_A not in [art.id for art in result.articles] and result.count("removed") == 0
    assert f"articles translated only in a: 1 ({ID_A})" in render_text(result, color=False)
