"""`xlate run` end to end: the output layout contract, failures, resume, determinism."""
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlate.cli import cli
from xlate.errors import ConfigError
from xlate.outputs import read_jsonl
from xlate.pipeline import RunConfig, run

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GLOSSARY = ROOT / "seeds" / "glossary.tsv"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("0*.txt"))


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    if shutil.which("apertium") is None:
        pytest.skip("Debian apertium is not installed (make test installs it)")
    out = tmp_path_factory.mktemp("run") / "out"
    result = CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(out), "--engine", "apertium", "--glossary", str(GLOSSARY), "--json"])
    return out, result


def test_seeds_run_writes_the_layout_contract(seeds_run):
    out, result = seeds_run
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["articles"] == 5 and summary["failures"] == 0 and summary["exit_code"] == 0
    clusters = read_jsonl(out / "clusters.jsonl")
    members = [m for c in clusters for m in c["members"]]
    assert sorted(members) == SEED_IDS  # every article exactly once, singletons included
    assert [c["cluster"] for c in clusters] == [f"c{i:04d}" for i in range(1, len(clusters) + 1)]
    groups = sorted(sorted(c["members"]) for c in clusters)
    assert groups == [[SEED_IDS[0], SEED_IDS[2]], [SEED_IDS[1]], [SEED_IDS[3]], [SEED_IDS[4]]]
    ashgabat = next(c for c in clusters if c["size"] == 2)
    assert ashgabat["links"] and ashgabat["links"][0]["reasons"]["entities"]
    docs = read_jsonl(out / "documents.jsonl")
    assert [d["id"] for d in docs] == SEED_IDS
    assert all(d["lang"] == "fr" and d["cluster"].startswith("c") and d["sentences"] > 0 for d in docs)
    from xlate.pipeline import DOCUMENT_KEYS  # the README's list: on every line, null when unknown

    assert DOCUMENT_KEYS == ("id", "title", "lang", "lang_confidence", "source", "url", "published", "date_stamp",
                             "cluster", "sentences", "violations", "removed")
    assert all(set(DOCUMENT_KEYS) <= set(d) for d in docs) and docs[0]["url"] is None
    for doc_id in SEED_IDS:
        pairs = read_jsonl(out / "articles" / f"{doc_id}.jsonl")
        assert [p["index"] for p in pairs] == list(range(len(pairs)))
        assert set(pairs[0]) == {"index", "source", "english", "start", "end", "engine", "terms", "violations"}
        cleaned = (out / "cleaned" / f"{doc_id}.txt").read_text(encoding="utf-8")
        assert all(cleaned[p["start"]:p["end"]] == p["source"] for p in pairs)  # offsets point into the cleaned text
        ET.parse(out / "articles" / f"{doc_id}.tmx")
        ET.parse(out / "articles" / f"{doc_id}.xlf")
        assert (out / "removed" / f"{doc_id}.jsonl").exists()
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["engine"]["engine"] == "apertium"
    assert run_json["glossary"]["sha256"] and run_json["signature"].startswith("engine:apertium")
    assert run_json["cluster"]["lsh_bands"] > 0 and run_json["version"]
    assert run_json["langid"].startswith("langid:py3langid-") and run_json["langid"] in run_json["signature"]
    assert (out / "errors.jsonl").read_text() == ""
    # The translation memory is closed when the run returns: no SQLite -wal/-shm files left.
    assert (out / "tm.sqlite").exists() and not list(out.glob("tm.sqlite-*"))


def test_glossary_locks_names_in_the_english(seeds_run):
    out, _ = seeds_run
    english = " ".join(p["english"] for p in read_jsonl(out / "articles" / f"{SEED_IDS[0]}.jsonl"))
    assert "Ashgabat" in english and "Achgabat" not in english
    assert "Kaja Kallas" in english and "Samarkand" in english
    english_001 = " ".join(p["english"] for p in read_jsonl(out / "articles" / f"{SEED_IDS[1]}.jsonl"))
    assert "Vassilenko" in english_001


def test_bad_inputs_are_listed_and_the_run_goes_on(tmp_path, needs_apertium):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("002*", "003*", "004*", "*.tsv"))
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02" * 50)
    (corpus / "feed.jsonl").write_text('{"id": "ok1", "text": "Le ministre a présidé mardi la réunion des Affaires étrangères à Paris, avec ses homologues européens."}\n{oops\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", str(corpus), "-o", str(out), "--engine", "apertium"])
    assert result.exit_code == 1
    errors = read_jsonl(out / "errors.jsonl")
    assert sorted((e["file"], e["line"]) for e in errors) == [("broken.txt", None), ("feed.jsonl", 2)]
    assert "failed: broken.txt: binary" in result.stderr
    assert sorted(d["id"] for d in read_jsonl(out / "documents.jsonl")) == [SEED_IDS[0], SEED_IDS[1], "ok1"]


def test_rerun_resumes_and_retranslates_only_what_changed(tmp_path, needs_apertium):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("*.tsv", "*.md"))
    out = tmp_path / "out"
    config = RunConfig(engine="apertium", glossary=str(GLOSSARY))
    first = run(corpus, out, config)
    assert (first.translated, first.resumed) == (5, 0)
    before = {p.name: p.read_bytes() for p in (out / "articles").glob("*.jsonl")}
    second = run(corpus, out, config)
    assert (second.translated, second.resumed) == (0, 5)
    # A killed run: one article's outputs never got written.
    (out / "articles" / f"{SEED_IDS[3]}.jsonl").unlink()
    edited = corpus / f"{SEED_IDS[4]}.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("19 février 1992", "20 février 1992"), encoding="utf-8")
    third = run(corpus, out, config)
    assert (third.translated, third.resumed) == (2, 3)
    after = {p.name: p.read_bytes() for p in (out / "articles").glob("*.jsonl")}
    assert after[f"{SEED_IDS[3]}.jsonl"] == before[f"{SEED_IDS[3]}.jsonl"]
    assert after[f"{SEED_IDS[4]}.jsonl"] != before[f"{SEED_IDS[4]}.jsonl"]
    assert len(read_jsonl(out / "documents.jsonl")) == 5
    # An article gone from the corpus leaves no files behind; a run without translation
    # leaves no translations of an earlier run (they come back from tm.sqlite).
    (corpus / f"{SEED_IDS[1]}.txt").unlink()
    (out / "articles" / "notes.md").write_text("the user's own file", encoding="utf-8")
    fourth = run(corpus, out, config)
    assert (fourth.resumed, fourth.stale_removed) == (4, 5)
    assert not list(out.glob(f"*/{SEED_IDS[1]}.*"))
    # The resume state, too, is this run's only: the same file as one fresh run writes (it
    # held the old version of the edited article and the article gone).
    state = (out / ".state" / "translated.jsonl").read_text(encoding="utf-8")
    run(corpus, tmp_path / "fresh", config)
    assert state == (tmp_path / "fresh" / ".state" / "translated.jsonl").read_text(encoding="utf-8")
    assert [json.loads(line)["id"] for line in state.splitlines()] == [i for i in SEED_IDS if i != SEED_IDS[1]]
    fifth = run(corpus, out, RunConfig(translate=False))
    assert fifth.stale_removed == 12 and sorted(p.name for p in (out / "articles").iterdir()) == ["notes.md"]
    assert not (out / ".state" / "translated.jsonl").exists()
    assert len(list((out / "cleaned").iterdir())) == 4
    sixth = run(corpus, out, config)
    assert (sixth.translated, sixth.stale_removed) == (4, 0)
    assert {p.name: p.read_bytes() for p in (out / "articles").glob("*.jsonl")} == {k: v for k, v in after.items() if SEED_IDS[1] not in k}


def test_a_second_run_into_the_same_out_is_refused_while_the_first_holds_it(tmp_path):
    from xlate.errors import OutputError
    from xlate.pipeline import prepare

    out = tmp_path / "out"
    with prepare(SEEDS, out, RunConfig(translate=False)):
        assert (out / ".xlate-lock").read_text(encoding="utf-8").strip().isdigit()  # the holder's process id
        with pytest.raises(OutputError, match=r"another xlate run \(process \d+\) is writing there"):
            run(SEEDS, out, RunConfig(translate=False))
    assert run(SEEDS, out, RunConfig(translate=False)).articles == 5  # released when the job closed
    assert (out / ".xlate-lock").read_text(encoding="utf-8") == ""  # no process id left to differ between runs


def test_workers_clean_and_fingerprint_in_processes_with_the_same_outputs(tmp_path, monkeypatch):
    """With workers, each batch is cleaned and fingerprinted in a spawned process; every
    file is the one a single process writes (run.json records the workers)."""
    import dataclasses

    import xlate.cleaning
    from dedup.config import ClusterConfig

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("*.tsv", "*.yaml", "*.md"))
    for page in sorted((ROOT / "corpora" / "html").glob("*.html")):
        shutil.copy(page, corpus / page.name)
    for article in sorted((ROOT / "corpora" / "rpm2-excerpt").glob("*.txt")):
        shutil.copy(article, corpus / article.name)
    (corpus / "menu.txt").write_text("Accueil\nPolitique\nSport\n", encoding="utf-8")  # nothing left: a failure
    monkeypatch.setattr(xlate.cleaning, "CLEAN_BATCH", 4)  # 14 articles: 4 batches, so the pool is used
    outs = {}
    for workers in (1, 2):
        outs[workers] = tmp_path / f"w{workers}"
        summary = run(corpus, outs[workers], RunConfig(translate=False, cluster=dataclasses.replace(ClusterConfig(), workers=workers)))
        assert (summary.articles, len(summary.failures)) == (13, 1)

    def files(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != "run.json"}

    one, two = files(outs[1]), files(outs[2])
    assert sorted(one) == sorted(two) and [name for name in one if one[name] != two[name]] == []
    assert b'"size": 2' in one["clusters.jsonl"]  # the seeds' Ashgabat pair, found through the pool too


def test_a_rerun_drops_the_report_of_the_run_before(tmp_path):
    from xlate.report import build_report

    out = tmp_path / "out"
    run(SEEDS, out, RunConfig(translate=False))
    index = build_report(out)
    assert index.is_file()
    run(SEEDS, out, RunConfig(translate=False))
    assert not (out / "report").exists()  # it would show the run before as current
    (out / "report").mkdir()
    (out / "report" / "mine.html").write_text("not ours", encoding="utf-8")
    run(SEEDS, out, RunConfig(translate=False))
    assert (out / "report" / "mine.html").is_file()  # only a report xlate wrote is dropped
    shutil.rmtree(out / "report")
    result = CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(out), "--no-translate", "--report"])
    assert result.exit_code == 0 and index.is_file()


def test_outputs_get_a_plain_files_permissions(tmp_path):
    """mkstemp makes 0600 files and mkdtemp 0700 folders: reviewers on a shared machine
    and a web server serving the report could not read them."""
    import os
    import stat

    from xlate.report import build_report

    mask = os.umask(0o022)
    os.umask(mask)
    out = tmp_path / "out"
    run(SEEDS, out, RunConfig(translate=False))
    build_report(out)
    for path in (out / "run.json", out / "documents.jsonl", out / "cleaned" / f"{SEED_IDS[0]}.txt", out / "report" / "index.html"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path
    assert stat.S_IMODE((out / "report").stat().st_mode) == 0o777 & ~mask


@pytest.mark.parametrize("files, keep, left", [
    # per folder: an id's files of the layout are kept or deleted together
    (["articles/a.jsonl", "articles/a.tmx", "articles/a.xlf", "articles/b.jsonl"], {"articles": {"a"}},
     ["articles/a.jsonl", "articles/a.tmx", "articles/a.xlf"]),
    # sub-folders in ids; a folder left empty goes too
    (["cleaned/site/x.txt", "cleaned/site/y.txt", "cleaned/old/z.txt"], {"cleaned": {"site/x"}}, ["cleaned/site/x.txt"]),
    # ids that are not safe paths are compared as the paths they were written to
    (["removed/a_b-" + "0" * 8 + ".jsonl"], {"removed": set()}, []),
    # other names are never touched: other extensions, temp files of atomic writes, other folders
    (["articles/notes.md", "articles/.a.jsonl.x1.tmp", "report/index.html", "cleaned/a.jsonl"], {},
     ["articles/.a.jsonl.x1.tmp", "articles/notes.md", "cleaned/a.jsonl", "report/index.html"]),
])
def test_prune_article_files(tmp_path, files, keep, left):
    from xlate.outputs import prune_article_files

    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert prune_article_files(tmp_path, keep) == len(files) - len(left)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == left


def test_prune_keeps_an_unsafe_id_it_wrote(tmp_path):
    from xlate.outputs import article_path, prune_article_files

    path = article_path(tmp_path, "Le Monde: 1/2", "jsonl", "articles")
    path.parent.mkdir(parents=True)
    path.write_text("x", encoding="utf-8")
    assert prune_article_files(tmp_path, {"articles": {"Le Monde: 1/2"}}) == 0 and path.exists()
    assert prune_article_files(tmp_path, {"articles": set()}) == 1 and not path.exists()


def test_same_input_and_config_give_identical_outputs(tmp_path, seeds_run):
    """Two runs into two folders: every file the same (`diff -r` shows nothing), but the
    translation memory, a cache whose rows keep when they were written."""
    out_a, _ = seeds_run
    out_b = tmp_path / "b"
    result = CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(out_b), "--engine", "apertium", "--glossary", str(GLOSSARY), "--json"])
    assert result.exit_code == 0, result.output

    def files(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
                if p.is_file() and p.name != "tm.sqlite"}

    a, b = files(out_a), files(out_b)
    assert sorted(a) == sorted(b) and len(a) > 20
    assert [name for name in a if a[name] != b[name]] == []


def test_marian_engine_end_to_end_with_a_tiny_model(tmp_path, tiny_marian):
    """The real Marian classes (tiny random model built by the fixture) through the batch job."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("001*", "003*", "004*", "*.tsv", "*.md"))
    out = tmp_path / "out"
    summary = run(corpus, out, RunConfig(engine="marian", model=str(tiny_marian), glossary=str(GLOSSARY), beam=1))
    assert summary.exit_code == 0 and summary.translated == 2
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["engine"]["engine"] == "marian" and run_json["engine"]["model"]
    pairs = read_jsonl(out / "articles" / f"{SEED_IDS[0]}.jsonl")
    assert all(p["engine"].startswith("marian") for p in pairs)
    # A random model cannot translate, so the lock is what guarantees the names: each
    # locked term is either present in the English or reported as a violation.
    for p in pairs:
        for term in p["terms"]:
            assert term["english"] in p["english"] or any(v["expected"] == term["english"] for v in p["violations"])


def test_stdin_corpus_and_missing_engine_model(tmp_path, needs_apertium):
    feed = json.dumps({"id": "s1", "text": "La ministre a présidé la réunion mardi à Achgabat, au Turkménistan, avec ses homologues.", "lang": "fr"})
    result = CliRunner().invoke(cli, ["run", "-", "-o", str(tmp_path / "o"), "--engine", "apertium"], input=feed + "\n")
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in read_jsonl(tmp_path / "o" / "documents.jsonl")] == ["s1"]
    missing = CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(tmp_path / "m"), "--engine", "marian", "--model", str(tmp_path / "no-model")])
    assert missing.exit_code == 2
    assert missing.stderr.startswith("error: ") and len(missing.stderr.strip().splitlines()) == 1


def test_documents_keep_every_key_without_translation(tmp_path):
    run(SEEDS, tmp_path / "out", RunConfig(translate=False))
    from xlate.pipeline import DOCUMENT_KEYS

    for doc in read_jsonl(tmp_path / "out" / "documents.jsonl"):
        assert set(DOCUMENT_KEYS) <= set(doc)
        assert doc["sentences"] is None and doc["violations"] is None and doc["cluster"].startswith("c")


def test_an_article_cleaned_to_nothing_is_a_failure_that_keeps_its_removed_lines(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / f"{SEED_IDS[0]}.txt", corpus)
    (corpus / "junk.txt").write_text("Nous utilisons des cookies. Accepter les cookies\nPartager sur Facebook\n", encoding="utf-8")
    summary = run(corpus, tmp_path / "out", RunConfig(translate=False))
    # A first run into a new folder removed nothing "of an earlier run".
    assert summary.stale_removed == 0 and summary.articles == 1
    (failure,) = read_jsonl(tmp_path / "out" / "errors.jsonl")
    assert failure == {"file": "junk.txt", "line": None, "id": "junk", "stage": "clean", "reason":
                       "nothing left after cleaning (all lines were boilerplate); removed/junk.jsonl lists each line and why"}
    assert [r["reason"] for r in read_jsonl(tmp_path / "out" / "removed" / "junk.jsonl")] == ["cookie-consent", "share"]
    # `xlate clean` says the same, and writes no empty cleaned file.
    cleaned = CliRunner().invoke(cli, ["clean", str(corpus), "-o", str(tmp_path / "clean")])
    assert cleaned.exit_code == 1 and "junk.txt: nothing left after cleaning" in cleaned.stderr
    assert not (tmp_path / "clean" / "cleaned" / "junk.txt").exists() and (tmp_path / "clean" / "removed" / "junk.jsonl").exists()


def test_languages_leaves_other_articles_untranslated_not_failed(tmp_path):
    if shutil.which("apertium") is None:
        pytest.skip("Debian apertium is not installed (make test installs it)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / f"{SEED_IDS[0]}.txt", corpus)
    (corpus / "de1.txt").write_text("Die Bundesregierung hat am Dienstag in Berlin ein neues Gesetz zur Rente beschlossen, "
                                    "teilte ein Sprecher des Ministeriums mit.\n", encoding="utf-8")
    (corpus / "en1.txt").write_text("The government announced a new pension law in London on Tuesday, a spokesman said.\n",
                                    encoding="utf-8")
    # Without --languages the German article is a failure: no engine here translates it.
    every = run(corpus, tmp_path / "every", RunConfig(engine="apertium"))
    assert [(f["id"], f["stage"]) for f in every.failures] == [("de1", "translate")] and every.exit_code == 1
    chosen = run(corpus, tmp_path / "chosen", RunConfig(engine="apertium", languages=("fr",)))
    assert chosen.failures == [] and chosen.exit_code == 0
    assert (chosen.translated, chosen.untranslated) == (2, 1)  # English passes through as the target language
    assert chosen.languages_seen == {"de": 1, "en": 1, "fr": 1}  # what `xlate run` names when a code matches nothing
    typo = CliRunner().invoke(cli, ["run", str(corpus), "-o", str(tmp_path / "typo"), "--engine", "apertium", "--languages", "fr,sp"])
    assert "warning: --languages sp: no article of this run is in that language (found: de 1, en 1, fr 1)" in typo.stderr
    docs = {d["id"]: d for d in read_jsonl(tmp_path / "chosen" / "documents.jsonl")}
    assert docs["de1"]["sentences"] is None and docs["de1"]["cluster"] and docs["en1"]["sentences"] == 1
    assert json.loads((tmp_path / "chosen" / "run.json").read_text(encoding="utf-8"))["config"]["languages"] == ["fr"]
    with pytest.raises(ConfigError, match="give ISO 639-1 codes"):
        RunConfig(languages=("french",))


def test_every_failure_of_a_line_is_listed_once(tmp_path):
    """The corpus is read twice: one failure must not be listed twice, and two failures of
    one line (a repeated id, a bad field) must both be."""
    feed = tmp_path / "feed.jsonl"
    lines = [{"id": "a", "text": "Le ministre a parlé mardi de la réforme des retraites."},
             {"id": "a", "text": "Autre texte.", "title": ["x"]},
             {"id": "b", "text": "La Banque centrale a relevé ses taux jeudi.", "title": ["y"], "published": "hier"}]
    feed.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    summary = run(feed, tmp_path / "out", RunConfig(translate=False))
    assert sorted((f["line"], f["reason"].split(";")[0]) for f in summary.failures) == [
        (2, "\"title\" is a list, not a string"),
        (2, "duplicate article id 'a' (also feed.jsonl:1, read first)"),
        (3, "\"published\" 'hier' is not a date"),
        (3, "\"title\" is a list, not a string"),
    ]


@pytest.mark.parametrize("lang, translated", [("fr", True), ("fr-CA", True), ("FR", True), ("fr_CA", True),
                                              ("en-GB", True), ("und", True), ("de", False)])
def test_languages_reads_codes_as_the_translator_does(lang, translated):
    from xlate.pipeline import RunSummary, to_translate

    summary = RunSummary(Path("."), "")
    assert to_translate(RunConfig(languages=("fr",)), {"lang": lang}, summary) is translated
    assert summary.untranslated == (0 if translated else 1)
