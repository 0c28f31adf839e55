import shutil
import warnings

import pytest

from marian_fixture import tiny_marian  # noqa: F401  (session fixture)
from dedup.document import CleanDocument, Document
from xlate.errors import ConfigError, EngineUnavailableError
from xlate.glossary import Glossary, GlossaryEntry
from xlate.translator import AlignedPair, Translator

needs_apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="Debian apertium not installed")
GLOSSARY = Glossary.load("seeds/glossary.tsv")
FRENCH = ("Le 27 mars 2025, à Achgabat, Kaja Kallas a présidé la réunion UE-Asie centrale.\n\n"
          "M. Nurtleu a rencontré le président Tokaïev à Samarcande. Gourbangouly Berdymoukhamedov était absent.")


@needs_apertium
def test_apertium_article_locked_names_and_alignment():
    result = Translator("apertium", glossary=GLOSSARY).translate(FRENCH, "fr", id="a1")
    assert result.id == "a1" and result.lang == "fr"
    assert [p.source for p in result.pairs] == [
        "Le 27 mars 2025, à Achgabat, Kaja Kallas a présidé la réunion UE-Asie centrale.",
        "M. Nurtleu a rencontré le président Tokaïev à Samarcande.",
        "Gourbangouly Berdymoukhamedov était absent.",
    ]
    for pair in result.pairs:
        assert FRENCH[pair.start:pair.end] == pair.source
        assert pair.engine == "apertium"
        assert pair.violations == []
        for term in pair.terms:
            assert FRENCH[term["start"]:term["end"]] == term["source"]
            assert term["english"] in pair.english
    assert [t["english"] for t in result.pairs[0].terms] == ["Ashgabat", "Kaja Kallas", "EU", "Central Asia"]
    assert "Gurbanguly Berdimuhamedov" in result.pairs[2].english
    assert result.signature.startswith("engine:apertium-") and f"|gl:{GLOSSARY.sha256[:8]}|lock:2|seg:v1|xlate:" in result.signature


@needs_apertium
@pytest.mark.parametrize("french, english", [
    # A locked name opening the sentence: Apertium capitalised the next word ("Kaja Kallas Has").
    ("Kaja Kallas a rappelé les sanctions.", "Kaja Kallas has remembered the sanctions."),
    ("« Kallas et Tokaïev sont arrivés », dit-il.", "« Kallas and Tokayev are arrived », says."),
    ("UE-Asie centrale : Kaja Kallas mise sur la coopération", "EU-Central Asia : Kaja Kallas put on the cooperation"),
    # Inside the sentence the name stays an unknown word, which keeps its article.
    ("Il a rencontré le Tokaïev de la presse.", "It has found the Tokayev of the press."),
])
def test_apertium_sentence_opening_names_keep_the_next_words_case(french, english):
    (pair,) = Translator("apertium", glossary=GLOSSARY).translate(french, "fr").pairs
    assert pair.english == english and pair.violations == []


@needs_apertium
@pytest.mark.parametrize("french, english", [
    # With a placeholder for the name these came out "to Paris" and "The Kazakhstan goes".
    ("La réunion aura lieu à Paris.", "The meeting will take place in Paris."),
    ("Le Kazakhstan va recevoir la délégation.", "Kazakhstan goes to receive the delegation."),
])
def test_apertium_names_it_keeps_are_translated_as_without_a_glossary(french, english):
    places = Glossary([GlossaryEntry("Paris", ("Paris",)), GlossaryEntry("Kazakhstan", ("Kazakhstan",))])
    (locked,) = Translator("apertium", glossary=places).translate(french, "fr").pairs
    (plain,) = Translator("apertium").translate(french, "fr").pairs
    assert locked.english == plain.english == english
    assert locked.violations == [] and len(locked.terms) == 1


@needs_apertium
def test_apertium_a_name_it_changes_is_translated_again_with_a_placeholder():
    french = "Le sommet a eu lieu à Achgabat."
    (plain,) = Translator("apertium").translate(french, "fr").pairs
    assert "Ashgabat" not in plain.english and "Achgabat" not in plain.english  # Apertium's own spelling
    (locked,) = Translator("apertium", glossary=GLOSSARY).translate(french, "fr").pairs
    assert "Ashgabat" in locked.english and locked.violations == []


@needs_apertium
def test_english_passes_through_with_locked_forms():
    result = Translator("apertium", glossary=GLOSSARY).translate("The meeting was held in Ashkhabad. Kallas spoke.", "en")
    assert [(p.english, p.engine) for p in result.pairs] == [
        ("The meeting was held in Ashgabat.", "identity"), ("Kallas spoke.", "identity")]
    assert result.signature.startswith("engine:identity|")


def test_marian_violations_are_recorded_never_silent(tiny_marian):
    # The tiny random model cannot copy names: every locked term must show up as a violation.
    translator = Translator("marian", model=tiny_marian, glossary=GLOSSARY, beam=1, device="cpu")
    result = translator.translate("Kaja Kallas est arrivée à Achgabat.", "fr")
    pair = result.pairs[0]
    assert pair.engine == "marian"
    assert [t["english"] for t in pair.terms] == ["Kaja Kallas", "Ashgabat"]
    names_present = {t["english"] for t in pair.terms if t["english"] in pair.english}
    assert [v["expected"] for v in pair.violations] == [t["english"] for t in pair.terms if t["english"] not in names_present]
    assert result.violations == len(pair.violations) > 0


def test_marian_prints_no_loading_bar_or_length_warning_into_a_log(tiny_marian, capfd):
    # stderr here is not a terminal (a cron job's log): progress only on a terminal.
    long_sentence = " ".join(["Le ministre a parlé de la réforme des retraites à Paris"] * 30) + "."
    translator = Translator("marian", model=tiny_marian, beam=1, device="cpu")
    translator.translate(long_sentence, "fr")
    err = capfd.readouterr().err
    assert "Loading weights" not in err and "Token indices sequence length" not in err, err
    from transformers.utils import logging as hf_logging

    assert hf_logging.is_progress_bar_enabled()  # the caller's setting is given back


def test_translate_many_batches_across_articles_same_result(tiny_marian):
    translator = Translator("marian", model=tiny_marian, beam=1, device="cpu")
    docs = [CleanDocument(Document(id=f"d{i}", text=t, lang="fr"), t, None) for i, t in
            enumerate(["Le ministre a parlé. Il est parti.", "Bonjour.", "La réunion a eu lieu à Chengdu."])]
    many = list(translator.translate_many(docs))
    one = [Translator("marian", model=tiny_marian, beam=1, device="cpu").translate(d) for d in docs]
    assert [a.id for a in many] == ["d0", "d1", "d2"]
    assert [[p.to_json() for p in a.pairs] for a in many] == [[p.to_json() for p in a.pairs] for a in one]


def test_deterministic(tiny_marian):
    a = Translator("marian", model=tiny_marian, glossary=GLOSSARY, beam=2, device="cpu").translate(FRENCH, "fr")
    b = Translator("marian", model=tiny_marian, glossary=GLOSSARY, beam=2, device="cpu").translate(FRENCH, "fr")
    assert [p.to_json() for p in a.pairs] == [p.to_json() for p in b.pairs]
    assert a.signature == b.signature


def test_language_detected_when_not_given(tiny_marian):
    result = Translator("marian", model=tiny_marian, beam=1, device="cpu").translate(
        "Les ministres des Affaires étrangères ont adopté une déclaration conjointe comme document final de la réunion.")
    assert result.lang == "fr"


def test_pair_json_keys_exact():
    pair = AlignedPair(0, "a", "b", 0, 1, "apertium")
    assert list(pair.to_json()) == ["index", "source", "english", "start", "end", "engine", "terms", "violations"]


@needs_apertium
def test_auto_falls_back_to_apertium_with_one_warning(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    translator = Translator("auto")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert [e.name for e in translator.engines] == ["apertium"]
    assert len(caught) == 1 and "no Marian model available" in str(caught[0].message)
    assert "\n" not in str(caught[0].message)


def test_auto_prefers_marian_when_model_given(tiny_marian):
    import importlib.util

    translator = Translator("auto", model=tiny_marian)
    expected = "ctranslate2" if importlib.util.find_spec("ctranslate2") else "marian"
    assert translator.engines[0].name == expected
    assert translator.info["engine"] == expected


def test_auto_ctranslate2_translates_with_fallback_engine_recorded(tiny_marian, tmp_path, monkeypatch):
    pytest.importorskip("ctranslate2")
    monkeypatch.setenv("XLATE_CACHE", str(tmp_path))
    result = Translator("auto", model=tiny_marian, beam=1).translate("Le ministre a parlé.", "fr")
    assert [p.engine for p in result.pairs] == ["ctranslate2"]
    assert result.signature.startswith("engine:ctranslate2-")


def test_auto_without_any_engine_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineUnavailableError) as err:
        Translator("auto").info  # noqa: B018
    assert "pip install 'xlate[marian]'" in str(err.value) and "apt-get install apertium" in str(err.value)


def test_named_model_missing_fails_early(tmp_path):
    with pytest.raises(EngineUnavailableError, match="no config.json"):
        Translator("marian", model=tmp_path).info  # noqa: B018


@pytest.mark.parametrize("kwargs,message", [
    ({"engine": "google"}, "engine 'google' is not one of"),
    ({"target": "de"}, "translates to English only"),
    ({"batch_size": 0}, "batch_size=0"),
    ({"beam": 0}, "beam=0"),
    ({"engine": "apertium", "model": "x"}, "meaningless with engine 'apertium'"),
    ({"device": "tpu"}, "device='tpu' is not auto, cpu, cuda or cuda:N"),
    ({"device": "cuda:x"}, "device='cuda:x' is not"),
])
def test_config_validation(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Translator(**kwargs)


@needs_apertium
def test_engine_gets_its_own_number_of_sentences_per_call(monkeypatch):
    # Apertium starts its processes on every call, so the translator hands it 1,024 sentences
    # at a time across articles (not 4 x batch_size), and no sentence twice.
    from xlate.engines.apertium import ApertiumEngine

    calls = []

    def translate_batch(self, sentences, src):
        calls.append(len(sentences))
        return [s.upper() for s in sentences]

    monkeypatch.setattr(ApertiumEngine, "translate_batch", translate_batch)
    articles = [" ".join(f"Phrase {a} {k}." for k in range(30)) for a in range(40)]  # 1,200 distinct
    results = list(Translator("apertium", batch_size=8).translate_many(articles, lang="fr"))
    assert calls == [1024, 26, 150]  # whole articles are gathered up to 1,024 sentences (35 here), then the rest
    assert results[39].pairs[29].english == "PHRASE 39 29."


@needs_apertium
def test_articles_per_pass_follow_the_engines_call_size(tiny_marian):
    # `xlate run` hands the translator enough articles for one engine call: 64 for Apertium
    # (1,024 sentences a call), 16 for Marian on 128, so its progress still moves on a CPU.
    from xlate.pipeline import articles_per_pass

    assert articles_per_pass(Translator("apertium")) == 64
    assert articles_per_pass(Translator("marian", model=tiny_marian, device="cpu")) == 16


@pytest.mark.parametrize("folder, message", [
    ("missing", "does not exist; pass a save_pretrained folder"),
    ("empty", "has no config.json; point --model at a save_pretrained folder"),
])
def test_auto_with_a_named_model_that_cannot_load_fails_instead_of_falling_back(tmp_path, folder, message):
    (tmp_path / "empty").mkdir()
    translator = Translator("auto", model=tmp_path / folder)
    with pytest.raises(EngineUnavailableError, match=message):
        translator.engines  # noqa: B018 - resolving the engines is what fails


@pytest.mark.parametrize("lang", ["en", "EN", "en-GB", "en_GB"])
def test_a_language_tag_is_read_by_its_base_code(lang):
    # A POSIX locale (en_GB) as much as a BCP 47 tag (en-GB): `run --languages` reads both so.
    [article] = Translator("apertium").translate_many(["Hello there."], lang=lang)
    assert article.lang == "en" and [p.english for p in article.pairs] == ["Hello there."]


@pytest.mark.parametrize("docs, kwargs, message", [
    ("Bonjour le monde.", {}, "give a list of articles, not one text"),
    (["Bonjour.", "Salut."], {"ids": ["x"]}, "ids gives 1 ids for 2 articles"),
    (["Bonjour.", "Salut."], {"ids": ["x", "y", "z"]}, "ids gives 3 ids for 2 articles"),
    (["Bonjour.", "Salut."], {"ids": ["x", "x"]}, "article id 'x' is given twice"),
    (["Bonjour."], {"lang": "french"}, "language 'french' is not a language code; give an ISO 639-1 code"),
])
def test_translate_many_checks_a_list_before_any_engine_runs(docs, kwargs, message):
    # The named model does not exist: building the engine would be another error.
    with pytest.raises(ConfigError, match=message):
        list(Translator("marian", model="/nonexistent").translate_many(docs, **{"lang": "fr", **kwargs}))


@pytest.mark.parametrize("count, message", [(1, "ids gives 1 ids for more articles than that"),
                                            (3, "ids gives more ids than the 2 articles")])
def test_translate_many_checks_a_generators_ids_as_it_reads_it(count, message):
    ids = ["x", "y", "z"][:count]
    with pytest.raises(ConfigError, match=message):
        list(Translator("apertium").translate_many(iter(["Hello.", "Hi."]), lang="en", ids=ids))


@pytest.mark.parametrize("call, error, message", [
    (lambda: Translator(glossary=123), ConfigError, "glossary must be a Glossary or a file path, not int"),
    (lambda: Glossary(["Paris"]), __import__("xlate").errors.GlossaryError, r"Glossary takes GlossaryEntry items, not str \('Paris'\)"),
    (lambda: Glossary("seeds/glossary.tsv"), __import__("xlate").errors.GlossaryError, r"to read a file: Glossary.load\(path\)"),
    # A str of variants locked each of its letters ("a", "à" became "Ashgabat"), silently.
    (lambda: GlossaryEntry("Ashgabat", "Achgabat"), __import__("xlate").errors.GlossaryError,
     r"variants must be a tuple of strings, not str: GlossaryEntry\('Ashgabat', \('Achgabat',\)\)"),
    (lambda: GlossaryEntry("Ashgabat", ("--",)), __import__("xlate").errors.GlossaryError, "variant '--' of 'Ashgabat' is not a name"),
    # A dict where a config object goes failed at the end of the run, after all the work.
    (lambda: __import__("xlate").RunConfig(cluster={"threshold": 0.3}), ConfigError, r"ClusterConfig.from_json\(settings\)"),
    (lambda: __import__("xlate").RunConfig(batch_size=None), ConfigError, "batch_size must be an integer, not None"),
    (lambda: __import__("xlate").run("seeds", "out", {"engine": "apertium"}), ConfigError, "config must be a RunConfig, not dict"),
])
def test_xlate_library_mistakes_are_typed_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@needs_apertium
def test_an_html_document_is_translated_as_its_article_not_its_markup():
    page = Document(id="p", lang="fr", format="html", text="<html><body><nav>Accueil | Monde</nav><article><h1>Un titre "
                    "assez long pour une page</h1><p>Le maire de Lyon a inauguré le nouveau pont ce matin devant les habitants "
                    "du quartier.</p></article></body></html>")
    with Translator("apertium") as translator:  # closes its engines when done
        sources = [p.source for p in translator.translate(page).pairs]
    assert not any("<" in s or "Accueil" in s for s in sources) and any("Le maire de Lyon" in s for s in sources)


def test_run_config_takes_paths_and_records_them_as_strings(tmp_path):
    # A pathlib.Path reached run.json and failed it, after the whole run.
    from pathlib import Path

    from xlate.pipeline import RunConfig, run

    summary = run("seeds", tmp_path / "out", RunConfig(translate=False, glossary=Path("seeds/glossary.tsv"), cache=tmp_path / "tm.sqlite"))
    recorded = __import__("json").loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))["config"]
    assert summary.articles == 5 and recorded["glossary"] == "seeds/glossary.tsv" and recorded["cache"] == str(tmp_path / "tm.sqlite")


@needs_apertium
def test_a_common_word_spelled_like_an_abbreviation_is_not_taken_for_it():
    # Plain first: Apertium keeps "nous" as "us" and "US" as "US"; only the capitals are the name.
    usa = Glossary([GlossaryEntry("United States", ("US",))])
    (pair,) = Translator("apertium", glossary=usa).translate("Selon nous, les US ont tort.", "fr").pairs
    assert pair.english == "As us, the United States have fault." and pair.violations == []


@needs_apertium
def test_auto_without_a_model_does_not_import_torch(tmp_path):
    # Learning that no Marian model is there took 2.5 s of importing torch on every
    # `xlate translate`; the packages are looked up instead.
    import os
    import subprocess
    import sys

    code = "import sys, warnings\nwarnings.simplefilter('ignore')\nfrom xlate import Translator\nTranslator('auto').engines\nprint('torch' in sys.modules)"
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.stdout.strip() == "False", proc.stdout + proc.stderr
