"""The command line end to end, through click's CliRunner."""
import contextlib
import io
import json
import random
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlate.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    assert cli.commands, "no commands registered"
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help and len(command.help.strip()) > 20, f"`xlate {name}` needs a help text"
        assert re.search(rf"xlate {name}\b", readme), f"`xlate {name}` is not documented in README.md"


def test_readme_links_point_at_its_headings_and_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", readme, flags=re.S)
    # GitHub's anchors: lower case, punctuation dropped (hyphens kept), spaces as hyphens.
    anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", prose, re.M)}
    links = re.findall(r"\]\(([^)\s]+)\)", prose)
    assert links, "README.md has no links"
    for target in links:
        if target.startswith("#"):
            assert target[1:] in anchors, f"README link {target} has no heading"
        elif not re.match(r"https?://", target):
            assert (ROOT / target).exists(), f"README link {target} is not a file of the repository"


def test_readme_library_example_runs(needs_apertium, capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Library\n\n```python\n(.*?)```", readme, re.S)
    assert block, "README.md has no python example under ## Library"
    assert '"feeds/2025-03-28/"' in block.group(1)
    monkeypatch.chdir(ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no Marian model available": auto falls back to Apertium, as documented
        exec(compile(block.group(1).replace('"feeds/2025-03-28/"', '"seeds"'), "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    # One representative per cluster (4), the Ashgabat pair's first, names locked, no violations.
    assert lines[0].startswith("0 ") and "Ashgabat" in lines[0]
    assert len([x for x in lines if x.startswith("0 ")]) == 4 and all(x.endswith(" []") for x in lines)


def test_clean_writes_cleaned_text_and_removed_lines_with_reasons(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["clean", str(ROOT / "seeds"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    cleaned = (out / "cleaned" / "000_2c8e8df7cb3b87a9.txt").read_text(encoding="utf-8")
    assert cleaned.startswith("UE-Asie centrale\xa0: 20e réunion ministérielle à Achgabat\n")
    assert "Publicité" not in cleaned and "newsletter" not in cleaned
    removed = [json.loads(line) for line in (out / "removed" / "002_3e9d996f7f80b2c1.jsonl").read_text(encoding="utf-8").splitlines()]
    assert removed[0] == {"line": 1, "text": "Personnaliser les préférences en matière de consentement", "reason": "cookie-consent"}
    assert (out / "errors.jsonl").read_text() == ""
    record = json.loads((out / "clean.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"clean:[\d.]+\|rules:[0-9a-f]{8}\|cfg:[0-9a-f]{8}", record["signature"])
    # The seeds' 60 hand-labelled boilerplate lines (bench/eval_cleaner.py), by reason.
    assert record["counts"]["articles"] == 5 and record["counts"]["removed_lines"] == 60
    assert record["counts"]["removed_by_reason"]["cookie-consent"] == 15
    assert record["counts"]["removed_by_reason"]["advertisement"] == 9
    # Cleaning one article into the same OUT leaves only its files (translations elsewhere untouched).
    (out / "articles").mkdir()
    (out / "articles" / "000_2c8e8df7cb3b87a9.jsonl").write_text("{}\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["clean", str(ROOT / "seeds" / "001_23f5b63505be1cca.txt"), "-o", str(out)]).exit_code == 0
    assert sorted(p.name for p in (out / "cleaned").iterdir()) == ["001_23f5b63505be1cca.txt"]
    assert sorted(p.name for p in (out / "removed").iterdir()) == ["001_23f5b63505be1cca.jsonl"]
    assert (out / "articles" / "000_2c8e8df7cb3b87a9.jsonl").is_file()
    assert json.loads((out / "clean.json").read_text(encoding="utf-8"))["counts"]["stale_removed"] == 8


def test_clean_in_workers_writes_the_same_files(tmp_path, monkeypatch):
    import xlate.cleaning

    monkeypatch.setattr(xlate.cleaning, "CLEAN_BATCH", 2)  # 5 seeds: 3 batches, so the pool is used
    outs = []
    for workers in ("1", "2"):
        outs.append(tmp_path / workers)
        result = CliRunner().invoke(cli, ["clean", str(ROOT / "seeds"), "-o", str(outs[-1]), "--workers", workers])
        assert result.exit_code == 0, result.output

    def files(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    one, two = files(outs[0]), files(outs[1])
    assert len(one) == 13 and one == two  # 5 cleaned, 5 removed, clean.json, errors.jsonl, .xlate-out
    assert json.loads(one["clean.json"])["counts"]["removed_lines"] == 60


def test_clean_to_stdout_and_bad_inputs_give_exit_code_1(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Un titre assez long ici\n\nUne phrase d'article qui a assez de mots pour être gardée comme corps du texte.", encoding="utf-8")
    (corpus / "bad.txt").write_bytes(b"\x00\x01" * 64)
    result = CliRunner().invoke(cli, ["clean", str(corpus), "-o", "-"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["id"] for item in lines] == ["ok"]
    assert "failed: bad.txt: binary" in result.stderr


@pytest.mark.parametrize("command", ["clean", "cluster"])
def test_a_reader_that_stops_early_ends_the_command_quietly_with_141(tmp_path, command):
    # `xlate cluster feed.jsonl -o - | head`: the command must stop without a traceback, and
    # not exit 1, which says some inputs failed.
    feed = tmp_path / "feed.jsonl"
    rng = random.Random(0)
    words = [f"mot{k}" for k in range(5000)]  # unrelated articles: hundreds of clusters, many KB of output
    feed.write_text("".join(json.dumps({"id": f"a{k:04d}", "text": f"Titre numéro {k} assez long\n\n" + " ".join(rng.choices(words, k=150))})
                            + "\n" for k in range(600)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "xlate", command, str(feed), "-o", "-", "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert json.loads(proc.stdout.readline())  # one line read, then the reader is gone
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_a_broken_pipe_is_141_also_where_stdout_is_no_file(monkeypatch):
    # A script driving the CLI in process (CliRunner, a notebook): stdout has no file
    # descriptor to redirect, and the exit code must still say the pipe broke.
    import xlate.cleaning

    def broken(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(xlate.cleaning, "clean_corpus", broken)
    result = CliRunner().invoke(cli, ["clean", str(ROOT / "seeds"), "-o", "-"])
    assert result.exit_code == 141, result.output


def test_clean_reads_jsonl_from_stdin():
    feed = json.dumps({"id": "a1", "text": "Un titre assez long ici\n\n- Publicité -\n\nUne phrase d'article qui a assez de mots pour être gardée comme corps."})
    result = CliRunner().invoke(cli, ["clean", "-", "-o", "-"], input=feed + "\n")
    assert result.exit_code == 0, result.output
    item = json.loads(result.stdout)
    assert item["id"] == "a1" and item["removed"] == [{"line": 3, "text": "- Publicité -", "reason": "advertisement"}]


def test_usage_errors_exit_2(tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["clean", str(tmp_path / "missing"), "-o", str(tmp_path / "o")]).exit_code == 2
    assert runner.invoke(cli, ["run", "seeds"]).exit_code == 2  # -o is required
    assert runner.invoke(cli, ["nope"]).exit_code == 2
    # A mistyped corpus path: its one error, before OUT is made or an engine looked for.
    missing = runner.invoke(cli, ["run", str(tmp_path / "missing"), "-o", str(tmp_path / "out")])
    assert missing.exit_code == 2 and missing.output == f"error: {tmp_path / 'missing'}: no such file or folder; check the corpus path\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["run", "--no-translate"], ["cluster"], ["clean"]])
def test_out_inside_the_corpus_is_not_read_back_and_out_over_it_is_refused(tmp_path, command):
    corpus = tmp_path / "feeds"
    shutil.copytree(ROOT / "seeds", corpus, ignore=shutil.ignore_patterns("*.tsv", "*.yaml", "*.md"))
    runner = CliRunner()
    for _ in range(2):  # the second run would read the first one's cleaned/*.txt and *.jsonl as articles
        result = runner.invoke(cli, [command[0], str(corpus), "-o", str(corpus / "out"), *command[1:]])
        assert result.exit_code == 0 and "failed:" not in result.output, result.output  # exit 1 if any input failed
    assert (corpus / "out" / ".xlate-out").is_file()
    # OUT as the corpus folder, or holding it in one of OUT's own folders: refused.
    inner = tmp_path / "work" / "cleaned"
    shutil.copytree(ROOT / "seeds", inner, ignore=shutil.ignore_patterns("*.tsv", "*.yaml", "*.md"))
    for source, out in ((corpus, corpus), (inner, tmp_path / "work")):
        refused = runner.invoke(cli, [command[0], str(source), "-o", str(out), *command[1:]])
        assert refused.exit_code == 2 and "would put its outputs among the articles of" in refused.output, refused.output
    assert len(list(inner.iterdir())) == 5  # nothing written or deleted there


@pytest.mark.parametrize("command", [["run", "--no-translate"], ["cluster"], ["clean"]])
def test_a_folder_without_article_files_is_warned_about(tmp_path, command):
    corpus = tmp_path / "feeds"
    corpus.mkdir()
    for name in ("a.pdf", "b.xml", "c.doc", "d.rtf"):
        (corpus / name).write_bytes(b"%PDF")
    result = CliRunner().invoke(cli, [command[0], str(corpus), "-o", str(tmp_path / "out"), *command[1:]])
    assert result.exit_code == 0, result.output
    assert (f"warning: no article files in {corpus}: it holds 4 other files (a.pdf, b.xml, c.doc, ...); articles are "
            ".htm, .html, .jsonl, .markdown, .md, .txt files (hidden files and README/LICENSE are passed over)") in result.output
    (corpus / "a.txt").write_text("Un article.", encoding="utf-8")
    assert "no article files" not in CliRunner().invoke(cli, [command[0], str(corpus), "-o", str(tmp_path / "o2"), *command[1:]]).output


def test_explain_prints_the_reasons_of_a_pair_read_from_stdin():
    articles = [
        {"id": "verdict", "published": "2025-03-01",
         "text": "La cour d'assises de Rennes a condamné Yannick Morvan à douze ans de prison pour l'incendie de Plouguerneau."},
        {"id": "appeal", "published": "2025-04-12",
         "text": "Procès en appel à Rennes : Yannick Morvan conteste sa peine pour l'incendie de Plouguerneau."},
    ]
    stdin = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
    result = CliRunner().invoke(cli, ["explain", "-", "verdict", "appeal"], input=stdin)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "appeal <-> verdict: score 0.000 (no link: below min_link)",
        "  scores: event overlap 0.466, keywords 0.072, title/lead 0.526, shingle Jaccard 0.148",
        "  shared names:    morvan, plouguerneau, rennes, yannick",
        "  shared dates:    -",
        "  shared amounts:  -",
        "  shared keywords: incendie, morvan, plouguerneau, rennes, yannick",
        "  dates: not comparable (an article gives no day)",
        "  published 42 days apart -> different events, score penalised",
        "  clusters: appeal in c0001 (alone), verdict in c0002 (alone); groups merge when their average link score "
        "reaches threshold 0.1",
    ]
    # Ids may be shortened to a unique start, as git shortens commits.
    as_json = json.loads(CliRunner().invoke(cli, ["explain", "-", "verd", "app", "--json"], input=stdin).output)
    assert as_json["reasons"]["published_gap_days"] == 42 and as_json["reasons"]["published_conflict"] is True
    assert (as_json["a"], as_json["b"], as_json["same_cluster"]) == ("appeal", "verdict", False)
    for wanted, message in [("nope", "no article with id 'nope' in standard input (ids look like: appeal, verdict)"),
                            ("", "'' starts 2 article ids in standard input (appeal, verdict); give more of the id")]:
        missing = CliRunner().invoke(cli, ["explain", "-", "verdict", wanted], input=stdin)
        assert missing.exit_code == 2 and message in missing.output, missing.output
    # An id that failed to read is listed as a failure before the usage error, not hidden by it.
    broken = stdin + json.dumps({"id": "empty", "text": " "}) + "\n"
    missing = CliRunner().invoke(cli, ["explain", "-", "verdict", "empty"], input=broken)
    assert missing.exit_code == 2 and "failed: <stdin>:3: missing or empty \"text\"" in missing.output
    assert "no article with id 'empty'" in missing.output
    nothing = CliRunner().invoke(cli, ["explain", "-", "a", "b"], input=json.dumps({"id": "x", "text": ""}) + "\n")
    assert nothing.exit_code == 2 and "no articles could be read from standard input" in nothing.output


MONTH_APART = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in [
    {"id": "verdict", "published": "2025-03-01",
     "text": "La cour d'assises de Rennes a condamné Yannick Morvan à douze ans de prison pour l'incendie de Plouguerneau."},
    {"id": "appeal", "published": "2025-04-12",
     "text": "Procès en appel à Rennes : Yannick Morvan conteste sa peine pour l'incendie de Plouguerneau."},
])


def _members(out: Path) -> list[list[str]]:
    return [json.loads(line)["members"] for line in (out / "clusters.jsonl").read_text(encoding="utf-8").splitlines()]


def test_cluster_settings_from_the_command_line_are_used_recorded_and_repeatable(tmp_path):
    runner = CliRunner()
    default = runner.invoke(cli, ["cluster", "-", "-o", str(tmp_path / "default")], input=MONTH_APART)
    assert default.exit_code == 0, default.output
    assert _members(tmp_path / "default") == [["appeal"], ["verdict"]]  # 42 days apart: two events

    wide = runner.invoke(cli, ["cluster", "-", "-o", str(tmp_path / "wide"), "--set", "published_window_days=60"], input=MONTH_APART)
    assert wide.exit_code == 0, wide.output
    assert _members(tmp_path / "wide") == [["appeal", "verdict"]]
    record = json.loads((tmp_path / "wide" / "cluster.json").read_text(encoding="utf-8"))
    assert record["cluster"]["published_window_days"] == 60
    assert record["langid"].startswith("langid:py3langid-") and record["cluster"]["identify_languages"] is True
    assert record["counts"] == {"articles": 2, "clusters": 1, "grouped": 1, "failures": 0}
    assert f"signature: {record['signature']}" in wide.stderr

    # The recorded settings repeat the run, byte for byte; later options still override them.
    again = runner.invoke(cli, ["cluster", "-", "-o", str(tmp_path / "again"), "--cluster-config", str(tmp_path / "wide" / "cluster.json")],
                          input=MONTH_APART)
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "clusters.jsonl").read_bytes() == (tmp_path / "wide" / "clusters.jsonl").read_bytes()
    assert (tmp_path / "again" / "cluster.json").read_bytes() == (tmp_path / "wide" / "cluster.json").read_bytes()
    narrow = runner.invoke(cli, ["cluster", "-", "-o", str(tmp_path / "narrow"), "--cluster-config", str(tmp_path / "wide" / "cluster.json"),
                                 "--set", "published_window_days=14"], input=MONTH_APART)
    assert narrow.exit_code == 0, narrow.output
    assert _members(tmp_path / "narrow") == [["appeal"], ["verdict"]]

    explained = runner.invoke(cli, ["explain", "-", "verdict", "appeal", "--set", "published_window_days=60"], input=MONTH_APART)
    assert explained.output.splitlines()[0] == "appeal <-> verdict: score 0.281 (a link)"
    assert explained.output.splitlines()[-1] == "  clusters: both in c0001 (2 articles)"


def test_bad_cluster_settings_are_one_line_usage_errors(tmp_path):
    runner = CliRunner()
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    for args, message in [
        (["--set", "published_window=30"], "error: unknown cluster setting 'published_window' in 'published_window=30'; known: threshold, "),
        (["--set", "published_window_days"], "error: cluster setting 'published_window_days': write NAME=VALUE"),
        (["--set", "published_window_days=2.5"], "error: cluster setting 'published_window_days=2.5': published_window_days takes an integer"),
        (["--set", "min_link=0.5"], "error: ClusterConfig.min_link=0.5 is above threshold=0.1"),
        (["--cluster-config", str(tmp_path / "list.json")], f"error: {tmp_path / 'list.json'}: cluster settings must be a JSON object"),
    ]:
        for command in (["cluster", "-", "-o", str(tmp_path / "o")], ["run", "-", "-o", str(tmp_path / "r"), "--no-translate"]):
            result = runner.invoke(cli, command + args, input=MONTH_APART)
            assert result.exit_code == 2, (command, args, result.output)
            assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(message), result.stderr


def test_explain_reads_a_cluster_index_instead_of_the_texts(tmp_path):
    runner = CliRunner()
    index = tmp_path / "events.idx"
    assert runner.invoke(cli, ["cluster", str(ROOT / "seeds"), "-o", str(tmp_path / "out"), "--index", str(index)]).exit_code == 0
    again = runner.invoke(cli, ["cluster", str(ROOT / "seeds"), "-o", str(tmp_path / "out"), "--index", str(index)])
    assert f"{index}: 0 new articles, 0 changed, 5 unchanged; 5 in all" in again.stderr
    record = json.loads((tmp_path / "out" / "cluster.json").read_text(encoding="utf-8"))
    assert record["index"] == {"path": str(index), "new": 0, "changed": 0, "unchanged": 5, "refused": [], "articles": 5, "clusters": 4,
                               "corpus_only": False}
    pair = ["000_2c8e8df7cb3b87a9", "002_3e9d996f7f80b2c1"]
    from_texts = runner.invoke(cli, ["explain", str(ROOT / "seeds"), *pair])
    from_index = runner.invoke(cli, ["explain", str(index), *pair])
    assert from_index.exit_code == 0, from_index.output
    assert from_index.output == from_texts.output
    assert from_index.output.startswith("000_2c8e8df7cb3b87a9 <-> 002_3e9d996f7f80b2c1: score 0.257 (a link)\n")
    assert runner.invoke(cli, ["explain", str(index), "000", "002"]).output == from_index.output
    wrong_glossary = runner.invoke(cli, ["explain", str(index), *pair, "--glossary", str(ROOT / "seeds" / "glossary.tsv")])
    assert wrong_glossary.exit_code == 2 and "made with no glossary, this run has a glossary of alias digest" in wrong_glossary.stderr
    # The digest named is the one cluster.json records of a glossary.
    with_glossary = runner.invoke(cli, ["cluster", str(ROOT / "seeds"), "-o", str(tmp_path / "g"), "--glossary", str(ROOT / "seeds" / "glossary.tsv")])
    digest = json.loads((tmp_path / "g" / "cluster.json").read_text(encoding="utf-8"))["glossary"]["alias_digest"]
    assert with_glossary.exit_code == 0 and f"alias digest {digest} " in wrong_glossary.stderr


def test_readme_example_of_explain_is_what_explain_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ xlate (explain [^\n]+)\n(.*?)```", readme, re.S)
    assert block, "README.md has no `$ xlate explain ...` example"
    args = block.group(1).split()
    args[1] = str(ROOT / args[1])  # the corpus, relative to the repository
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output == block.group(2)


BILINGUAL = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in [
    {"id": "fr", "text": "Kaja Kallas a rencontré Rashid Meredov à Achgabat le 27 mars 2025. Les deux responsables ont "
                         "signé un accord de 12 millions d'euros sur l'énergie et les transports entre l'Union européenne "
                         "et le Turkménistan."},
    {"id": "en", "text": "Kaja Kallas met Rashid Meredov in Ashgabat on 27 March 2025. The two officials signed a 12 million "
                         "euro agreement on energy and transport between the European Union and Turkmenistan."},
    {"id": "empty", "text": "Partager sur Facebook\nPartager sur Twitter"},
])


def test_cluster_prepares_articles_as_run_does(tmp_path):
    """`xlate cluster` identifies languages and leaves out empty articles like `xlate run`:
    the same corpus gives the same clusters, and a French/English pair is scored as one."""
    runner = CliRunner()
    ran = runner.invoke(cli, ["run", "-", "-o", str(tmp_path / "run"), "--no-translate"], input=BILINGUAL)
    clustered = runner.invoke(cli, ["cluster", "-", "-o", str(tmp_path / "cluster")], input=BILINGUAL)
    assert ran.exit_code == clustered.exit_code == 1  # the empty article failed in both
    assert "<stdin>:3: nothing left after cleaning" in clustered.stderr
    lines = (tmp_path / "cluster" / "clusters.jsonl").read_text(encoding="utf-8")
    assert lines == (tmp_path / "run" / "clusters.jsonl").read_text(encoding="utf-8")
    first = json.loads(lines.splitlines()[0])
    assert first["members"] == ["en", "fr"] and first["links"][0]["reasons"]["cross_lingual"] is True
    explained = runner.invoke(cli, ["explain", "-", "fr", "en"], input=BILINGUAL)
    assert "  cross-lingual pair: titles not compared; scored on names, dates, amounts and keywords" in explained.output


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only():
    from xlate.cli_common import Progress

    shown, piped = _Terminal(), io.StringIO()
    for stream in (shown, piped):
        progress = Progress(stream, interval=3600)
        progress("clean", 1)
        progress("clean", 2)  # same stage within the interval: not redrawn
        progress("cluster", 2)  # a new stage always is
        progress("saving events.idx")  # a step that counts nothing
        progress.close()
    assert shown.getvalue() == "\r\x1b[Kclean: 1\r\x1b[Kcluster: 2\r\x1b[Ksaving events.idx\r\x1b[K"
    assert piped.getvalue() == ""


def test_cluster_prints_no_progress_into_a_pipe(tmp_path):
    result = CliRunner().invoke(cli, ["cluster", str(ROOT / "seeds"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr and "\x1b" not in result.stderr


def test_cluster_uses_the_cpus_unless_told(tmp_path):
    from xlate.cli_dedup import default_workers

    runner = CliRunner()

    def workers(*args: str) -> int:
        out = tmp_path / str(len(list(tmp_path.iterdir())))
        result = runner.invoke(cli, ["cluster", "-", "-o", str(out), *args], input=MONTH_APART)
        assert result.exit_code == 0, result.output
        return json.loads((out / "cluster.json").read_text(encoding="utf-8"))["cluster"]["workers"]

    assert 1 <= default_workers() <= 8
    assert workers() == default_workers()
    assert workers("--workers", "1") == 1
    assert workers("--set", "workers=3") == 3
    (tmp_path / "cfg.json").write_text('{"workers": 2}', encoding="utf-8")
    assert workers("--cluster-config", str(tmp_path / "cfg.json")) == 2


@pytest.mark.parametrize(
    "content, expected",
    [("max 100000\n", None), ("200000 100000\n", 2), ("150000 100000\n", 2), ("50000 100000\n", 1), ("garbage\n", None),
     (None, None)],
)
def test_a_container_cpu_quota_bounds_the_default_workers(tmp_path, content, expected):
    from xlate.cli_dedup import cgroup_cpus

    path = tmp_path / "cpu.max"
    if content is not None:
        path.write_text(content, encoding="ascii")
    assert cgroup_cpus(str(path)) == expected


HTML_PAGE = (ROOT / "corpora" / "html" / "fr-second.html").read_bytes()


@pytest.mark.parametrize("name, data, first_source", [
    # UTF-8 text on stdin, as it is
    ("-", "Le 27 mars, Kaja Kallas était à Achgabat.\n".encode(), "Le 27 mars, Kaja Kallas était à Achgabat."),
    # a legacy encoding is detected, as `xlate run` reads files (it was a UnicodeDecodeError traceback)
    ("latin1.txt", "Le café de Kallas était très bon à Achgabat.\n".encode("cp1252"), "Le café de Kallas était très bon à Achgabat."),
    # an HTML page is reduced to its article first (it was translated markup and all)
    ("page.html", HTML_PAGE, "L’Ecureuil perd 600 millions de noisettes"),
    ("-", HTML_PAGE, "L’Ecureuil perd 600 millions de noisettes"),
])
def test_translate_reads_files_as_run_does(tmp_path, needs_apertium, name, data, first_source):
    args = ["translate", "-"] if name == "-" else ["translate", str(tmp_path / name)]
    if name != "-":
        (tmp_path / name).write_bytes(data)
    result = CliRunner().invoke(cli, [*args, "--engine", "apertium", "--glossary", str(ROOT / "seeds" / "glossary.tsv")],
                                input=data if name == "-" else None)
    assert result.exit_code == 0, result.output
    pairs = [json.loads(line) for line in result.stdout.splitlines()]
    assert pairs[0]["source"] == first_source and pairs[0]["engine"] == "apertium"
    assert all("<" not in p["source"] for p in pairs) and not any("cookies" in p["source"] for p in pairs)
    if "Achgabat" in first_source:
        assert "Ashgabat" in pairs[0]["english"] and pairs[0]["terms"] and pairs[0]["violations"] == []


@pytest.mark.parametrize("data, message", [
    (bytes(range(256)) * 4, "binary file (NUL bytes"),
    (b"<html><body><nav>Accueil</nav><footer>Mentions legales</footer></body></html>", "nothing left after cleaning"),
    (b"", "-: empty input (no text to translate)"),  # an empty pipe exited 0 with "0 sentences"
    (b" \n\n", "-: empty input"),
])
def test_translate_bad_input_is_a_one_line_error(tmp_path, data, message):
    result = CliRunner().invoke(cli, ["translate", "-", "--engine", "apertium"], input=data)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output


def test_translate_exit_code_1_names_each_violation(tiny_marian):
    # A random-weight model cannot translate: the locked names come out missing, each reported.
    result = CliRunner().invoke(cli, ["translate", "-", "--engine", "marian", "--model", str(tiny_marian), "--beam", "1",
                                      "--glossary", str(ROOT / "seeds" / "glossary.tsv"), "--format", "text"],
                                input="Kaja Kallas a présidé la réunion à Achgabat.\n".encode())
    assert result.exit_code == 1, result.output
    assert re.search(r"violation: sentence 0: \S+ -> Ashgabat: ", result.stderr) and "1 sentences, lang" in result.stderr


def test_ctrl_c_exits_130_not_1(tmp_path, monkeypatch, capsys):
    """Exit code 1 means "finished, some inputs failed": an interrupted run must not say that."""
    import sys

    import xlate.cli as cli_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("xlate.pipeline.run", interrupted)
    monkeypatch.setattr(sys, "argv", ["xlate", "run", str(ROOT / "seeds"), "-o", str(tmp_path / "out"), "--no-translate"])
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main()
    assert exit_info.value.code == 130
    assert capsys.readouterr().err.endswith("interrupted; rerun the same command to resume\n")
    # Usage errors keep their code and message through main().
    monkeypatch.setattr(sys, "argv", ["xlate", "run"])
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main()
    assert exit_info.value.code == 2 and "Missing argument 'CORPUS'" in capsys.readouterr().err


def test_cluster_forgets_articles_of_an_index_and_reclusters_it_without_texts(tmp_path):
    runner = CliRunner()
    index, out = tmp_path / "events.idx", tmp_path / "out"
    added = runner.invoke(cli, ["cluster", "-", "-o", str(out), "--index", str(index), "--set", "published_window_days=60"],
                          input=MONTH_APART)
    assert added.exit_code == 0, added.output
    assert _members(out) == [["appeal", "verdict"]]

    # The index itself as CORPUS: clustered again with other settings, no text read.
    again = runner.invoke(cli, ["cluster", str(index), "-o", str(out)])
    assert again.exit_code == 0, again.output
    assert _members(out) == [["appeal"], ["verdict"]]  # the default 14-day window

    window = runner.invoke(cli, ["cluster", str(index), "-o", str(out), "--forget-before", "2025-04-01", "--forget", "nope"])
    assert window.exit_code == 0, window.output
    assert f"{index}: articles published before 2025-04-01 forgotten: 1" in window.stderr
    assert f"{index}: articles forgotten: 0; not in the index: nope" in window.stderr
    assert _members(out) == [["appeal"]]
    record = json.loads((out / "cluster.json").read_text(encoding="utf-8"))["index"]
    assert record == {"path": str(index), "new": 0, "changed": 0, "unchanged": 0, "refused": [], "forgotten": 0, "not_in_index": ["nope"],
                      "forgotten_before": {"day": "2025-04-01", "removed": 1, "undated": 0}, "articles": 1, "clusters": 1,
                      "corpus_only": False}

    gone = runner.invoke(cli, ["cluster", str(index), "-o", str(out), "--forget", "app"])  # the start of an id, as explain takes
    assert gone.exit_code == 0 and _members(out) == [] and "articles forgotten: 1" in gone.stderr

    for args, message in [
        (["--forget-before", "1/4/2025"], "Error: --forget-before '1/4/2025': not a day; give it as YYYY-MM-DD"),
        (["--index", str(tmp_path / "other.idx")], "Error: CORPUS"),
    ]:
        refused = runner.invoke(cli, ["cluster", str(index), "-o", str(out), *args])
        assert refused.exit_code == 2 and message in refused.stderr, refused.output
    no_index = runner.invoke(cli, ["cluster", "-", "-o", str(out), "--forget", "verdict"], input=MONTH_APART)
    assert no_index.exit_code == 2 and "add --index FILE" in no_index.stderr


@contextlib.contextmanager
def _another_job_updating(index: Path):
    """Another job, in a process of its own, holding ``index`` open for update; yields its pid."""
    holder = subprocess.Popen([sys.executable, "-c", "import time\nfrom dedup.index import ClusterIndex\n"
                               f"index = ClusterIndex.open({str(index)!r}, lock=True)\nprint('held', flush=True)\ntime.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_cluster_refuses_an_index_another_job_is_updating(tmp_path):
    from dedup.index import ClusterIndex

    runner = CliRunner()
    index = tmp_path / "events.idx"
    with _another_job_updating(index) as holder_pid:
        busy = runner.invoke(cli, ["cluster", "-", "-o", str(tmp_path / "out"), "--index", str(index)], input=MONTH_APART)
    assert busy.exit_code == 2
    assert busy.stderr.splitlines() == [f"error: {index}: another process (process {holder_pid}) is updating this index (it holds events.idx.lock); "
                                        "run again when it has finished, or wait longer for it (--index-wait SECONDS)"]
    assert not index.exists()  # nothing was written
    done = runner.invoke(cli, ["cluster", "-", "-o", str(tmp_path / "out"), "--index", str(index), "--index-wait", "5"], input=MONTH_APART)
    assert done.exit_code == 0 and len(ClusterIndex.open(index)) == 2


def test_an_index_as_corpus_is_only_read_while_a_job_updates_it_and_a_damaged_one_is_one_error(tmp_path):
    runner = CliRunner()
    index, out = tmp_path / "events.idx", tmp_path / "out"
    assert runner.invoke(cli, ["cluster", "-", "-o", str(out), "--index", str(index)], input=MONTH_APART).exit_code == 0
    with _another_job_updating(index):
        read = runner.invoke(cli, ["cluster", str(index), "-o", str(out)])
        assert read.exit_code == 0, read.output
        forget = runner.invoke(cli, ["cluster", str(index), "-o", str(out), "--forget", "appeal"])  # an update: waits its turn
        assert forget.exit_code == 2 and "is updating this index" in forget.stderr
    assert _members(out) == [["appeal"], ["verdict"]]
    truncated = tmp_path / "truncated.idx"
    truncated.write_bytes(index.read_bytes()[: len(index.read_bytes()) // 2])
    for command in (["cluster", str(truncated), "-o", str(out)], ["explain", str(truncated), "appeal", "verdict"]):
        damaged = runner.invoke(cli, command)
        assert damaged.exit_code == 2 and damaged.stderr.startswith(f"error: {truncated}: corrupt or truncated cluster index"), damaged.output
    dash = runner.invoke(cli, ["cluster", "-", "-o", str(out), "--index", "-"], input=MONTH_APART)
    assert dash.exit_code == 2 and "- is not a file" in dash.stderr and not Path("-").exists()


def test_an_id_differing_only_in_case_from_an_indexed_one_fails_as_in_one_run(tmp_path):
    runner = CliRunner()
    index, out = tmp_path / "events.idx", tmp_path / "out"
    lines = MONTH_APART.splitlines()
    assert runner.invoke(cli, ["cluster", "-", "-o", str(out), "--index", str(index)], input=lines[0] + "\n").exit_code == 0
    first_id = json.loads(lines[0])["id"]
    renamed = json.dumps(json.loads(lines[1]) | {"id": first_id.upper()})
    again = runner.invoke(cli, ["cluster", "-", "-o", str(out), "--index", str(index)], input=renamed + "\n")
    assert again.exit_code == 1, again.output
    assert f"differs only in case from {first_id!r}, already in the index {index}" in again.stderr
    [row] = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert row["id"] == first_id.upper() and row["stage"] == "cluster"
    assert _members(out) == [[first_id]]


def test_corpus_only_writes_the_clusters_todays_articles_joined(tmp_path):
    runner = CliRunner()
    index = tmp_path / "events.idx"
    seeds = ROOT / "seeds"
    yesterday, today = tmp_path / "yesterday", tmp_path / "today"
    yesterday.mkdir()
    today.mkdir()
    for name in ("000_2c8e8df7cb3b87a9.txt", "001_23f5b63505be1cca.txt", "003_87b471760b4ba742.txt"):
        shutil.copy(seeds / name, yesterday / name)
    shutil.copy(seeds / "002_3e9d996f7f80b2c1.txt", today / "002_3e9d996f7f80b2c1.txt")  # the second Ashgabat report
    assert runner.invoke(cli, ["cluster", str(yesterday), "-o", str(tmp_path / "d1"), "--index", str(index)]).exit_code == 0
    day2 = runner.invoke(cli, ["cluster", str(today), "-o", str(tmp_path / "d2"), "--index", str(index), "--corpus-only"])
    assert day2.exit_code == 0, day2.output
    assert _members(tmp_path / "d2") == [["000_2c8e8df7cb3b87a9", "002_3e9d996f7f80b2c1"]]  # it joined yesterday's story
    assert "2 articles, 1 clusters of the index's 3, those holding an article of CORPUS" in day2.stderr
    record = json.loads((tmp_path / "d2" / "cluster.json").read_text(encoding="utf-8"))
    assert record["index"]["clusters"] == 3 and record["index"]["corpus_only"] is True
    assert record["counts"]["clusters"] == 1
    everything = runner.invoke(cli, ["cluster", str(index), "-o", str(tmp_path / "all")])
    assert everything.exit_code == 0 and len(_members(tmp_path / "all")) == 3
    assert [m for m in _members(tmp_path / "all") if "002_3e9d996f7f80b2c1" in m] == _members(tmp_path / "d2")
    for args in (["cluster", str(today), "-o", str(tmp_path / "x"), "--corpus-only"],
                 ["cluster", str(index), "-o", str(tmp_path / "x"), "--corpus-only"]):
        refused = runner.invoke(cli, args)
        assert refused.exit_code == 2 and "--corpus-only writes the index's clusters" in refused.stderr


@pytest.mark.parametrize("command", ["run", "clean", "cluster"])
@pytest.mark.parametrize("where", ["a-file", "a-file/out"])
def test_an_output_folder_that_cannot_be_made_is_a_usage_error_not_a_traceback(tmp_path, command, where):
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    args = [command, str(ROOT / "seeds"), "-o", str(tmp_path / where)] + (["--no-translate"] if command == "run" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    last = result.stderr.splitlines()[-1]
    if where == "a-file":  # click's own check where the option declares a folder, else ours
        assert "is a file" in last
    else:
        assert last.startswith("error: cannot create the output folder") and "pass -o a folder you can write to" in last


def test_cluster_to_stdout_prints_what_clusters_jsonl_holds_and_writes_no_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    to_folder = runner.invoke(cli, ["cluster", str(ROOT / "seeds"), "-o", "out"])
    to_stdout = runner.invoke(cli, ["cluster", str(ROOT / "seeds"), "-o", "-"])
    assert to_folder.exit_code == to_stdout.exit_code == 0, to_stdout.output
    assert to_stdout.stdout == (tmp_path / "out" / "clusters.jsonl").read_text(encoding="utf-8")
    assert "-> stdout" in to_stdout.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no folder named "-"


def test_run_refuses_stdout_as_its_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", str(ROOT / "seeds"), "-o", "-", "--no-translate"])
    assert result.exit_code == 2 and "give -o a folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "clean", "cluster", "explain"])
def test_the_commands_the_readme_says_take_workers_do(command):
    assert "--workers" in CliRunner().invoke(cli, [command, "--help"]).output


@pytest.mark.parametrize("args, message", [
    (["--index-wait", "5"], "--index-wait is how long to wait for a locked index: add --index FILE"),
    (["--cluster-config", "{cfg}"], "{cfg}: unknown cluster setting 'bogus'"),
])
def test_cluster_options_that_cannot_apply_say_why(tmp_path, args, message):
    cfg = tmp_path / "cfg.json"
    cfg.write_text('{"threshold": 0.2, "bogus": 1}', encoding="utf-8")
    args = [a.format(cfg=cfg) for a in args]
    result = CliRunner().invoke(cli, ["cluster", str(ROOT / "seeds"), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and message.format(cfg=cfg) in result.stderr


def test_explain_exits_1_when_some_inputs_failed(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "seeds", corpus, ignore=shutil.ignore_patterns("*.tsv"))
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(corpus), "000", "002"])
    assert result.exit_code == 1 and "empty.txt: empty file" in result.stderr
    assert result.stdout.startswith("000_2c8e8df7cb3b87a9 <-> 002_3e9d996f7f80b2c1: score")


def test_translate_clean_removes_a_scrapes_boilerplate_first(needs_apertium):
    seed = ROOT / "seeds" / "000_2c8e8df7cb3b87a9.txt"
    runner = CliRunner()
    raw = [json.loads(line) for line in runner.invoke(cli, ["translate", str(seed), "--engine", "apertium"]).stdout.splitlines()]
    cleaned = [json.loads(line) for line in
               runner.invoke(cli, ["translate", str(seed), "--engine", "apertium", "--clean"]).stdout.splitlines()]
    assert any("Bruxelles" == p["source"].strip() for p in raw)  # a navigation line, translated as a sentence
    assert len(cleaned) == 19 and len(raw) > len(cleaned)
    assert not any(p["source"].strip() == "Bruxelles" for p in cleaned)


@pytest.mark.parametrize("file, line, expected", [
    ("feed.jsonl:4", None, ("feed.jsonl", 4)),
    ("<stdin>:2", None, ("<stdin>", 2)),
    ("urn:123", None, ("urn:123", None)),  # an id given as the file stays whole
    ("feed.jsonl", 7, ("feed.jsonl", 7)),
])
def test_failure_rows_split_a_jsonl_articles_path_only(file, line, expected):
    from xlate.outputs import failure_row

    row = failure_row(file, "why", "read", line=line)
    assert (row["file"], row["line"]) == expected and list(row) == ["file", "line", "id", "reason", "stage"]
