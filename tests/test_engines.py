import shutil

import pytest

from marian_fixture import tiny_marian  # noqa: F401  (session fixture; tests/ is on sys.path under pytest)
from xlate.engines.apertium import OPENING_NOUNS, ApertiumEngine
from xlate.engines.marian import MarianEngine, resolve, split_to_fit
from xlate.errors import ConfigError, EngineUnavailableError

needs_apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="Debian apertium not installed")

SENTENCES = [
    "Le ministre des Affaires étrangères a participé à la réunion.",
    "Bonjour.",
    "",
    "Les deux parties ont souligné l'urgence de parvenir à une paix globale, juste et durable.",
]


@needs_apertium
def test_apertium_pivot_route_and_translation():
    engine = ApertiumEngine()
    assert engine.route("fr") == ["fr-es", "spa-eng"]
    assert engine.route("es") == ["spa-eng"]
    assert engine.route("xx") is None
    out = engine.translate_batch(["Le ministre a parlé.", "Bonjour <b> & « le monde »."], "fr")
    assert out == ["The minister has spoken.", "Good morning <b> & « The world »."]


@needs_apertium
def test_apertium_batch_equals_one_by_one_and_keeps_order():
    engine = ApertiumEngine()
    batch = engine.translate_batch(SENTENCES, "fr")
    assert batch == [engine.translate_batch([s], "fr")[0] for s in SENTENCES]
    assert batch[2] == ""


OPENING_CONTEXTS = [
    "{X} est arrivée mardi.", "{X} a dit que son pays paiera.", "Selon {X}, le ministre a parlé.",
    "La visite de {X} à {X} est prévue.", "« {X} et ses alliés », dit-il.", "Il a rencontré {X} à Paris.",
    "Les {X} sont venus.", "{X} : les chiffres augmentent.", "D'après {X}, c'est fini.",
]


@needs_apertium
def test_apertium_opening_nouns_come_through_unchanged():
    # The nouns put before an unknown opening word must survive fr->es->en as they are, in
    # every context, and take the capital of the sentence's first known word (a dictionary
    # update could make one of them a common noun: "Rosa" became "Pink").
    sentences = [c.format(X=name) for name in OPENING_NOUNS for c in OPENING_CONTEXTS]
    out = iter(ApertiumEngine().translate_batch(sentences, "fr"))
    for name in OPENING_NOUNS:
        for context in OPENING_CONTEXTS:
            english = next(out)
            assert english.count(name) == context.count("{X}"), (name, english)
            if context.startswith("{X} ") and not context.startswith("{X} :"):
                assert english.split(name, 1)[1].split()[0].islower(), (name, english)


@needs_apertium
@pytest.mark.parametrize("french, english", [
    # Apertium capitalised the first word it knows: "Betancourt Has said", "Calyon Goes".
    ("Betancourt a dit que tout va bien.", "Betancourt has said that everything goes well."),
    ("« Calyon va investir », dit-il.", "« Calyon goes to invest », says."),
    ("Rachida Dati est contre.", "Rachida Dati is against."),
    ("Coïncidence fâcheuse", "Coïncidence fâcheuse"),
    # A known first word, a number first, and a sentence that holds the first nouns already.
    ("Le ministre a parlé.", "The minister has spoken."),
    ("12 Betancourt ici.", "12 Betancourt here."),
    ("Lucie, Irma et Betancourt sont là.", "Lucie, Irma and Betancourt are there."),
    ("Betancourt et Lucie sont là.", "Betancourt and Lucie are there."),
])
def test_apertium_unknown_opening_word_keeps_the_next_words_case(french, english):
    assert ApertiumEngine().translate_batch([french], "fr") == [english]


@needs_apertium
def test_apertium_without_an_analyser_translates_as_apertium_alone(monkeypatch):
    # A custom install whose .mode file cannot be read: the opening step is skipped, not fatal.
    import xlate.engines.apertium as apertium

    assert apertium._mode_analyser(ApertiumEngine().binary, "spa-eng") is not None
    monkeypatch.setattr(apertium, "_mode_analyser", lambda binary, mode: None)
    assert ApertiumEngine().translate_batch(["Betancourt a dit."], "fr") == ["Betancourt Has said."]


@pytest.mark.parametrize("french, uninverted", [
    ("« Nous partons », a-t-il dit.", "« Nous partons », il a dit."),
    ("« Rien », dit-elle.", "« Rien », elle dit."),
    ("Faut-il partir ?", "Il faut partir ?"),
    ("A-t-il connaissance du dossier ?", "Il a connaissance du dossier ?"),
    ("Que se passe-t-il ? Viendra-t-on ?", "Que se il passe ? On viendra ?"),
    # Object pronouns, other hyphenated words and names are left alone.
    ("Dites-nous tout, dit-on à Saint-Étienne.", "Dites-nous tout, on dit à Saint-Étienne."),
    ("Peut-être à Aix-en-Provence, c'est-à-dire demain.", "Peut-être à Aix-en-Provence, c'est-à-dire demain."),
])
def test_french_subject_inversion_is_undone_before_apertium(french, uninverted):
    from xlate.engines.apertium import _FRENCH_INVERSION, _uninvert

    assert _FRENCH_INVERSION.sub(_uninvert, french) == uninverted


@needs_apertium
def test_apertium_french_inversion_translates_as_plain_order():
    # fr-es left "a-t-il dit" half-analysed: "has says", "haindicado", "says-."
    out = ApertiumEngine().translate_batch(["« Nous partons », a-t-il dit.", "« Nous partons », a-t-elle indiqué."], "fr")
    assert out == ["« We leave », it has said.", "« We leave », it has indicated."]


@needs_apertium
def test_apertium_unknown_language_raises():
    with pytest.raises(EngineUnavailableError, match="no Apertium route from 'xx'"):
        ApertiumEngine().translate_batch(["texte"], "xx")


def test_apertium_missing_binary_says_how_to_install(tmp_path):
    engine = ApertiumEngine(binary=None)
    engine._binary = None
    import os

    old = os.environ["PATH"]
    os.environ["PATH"] = str(tmp_path)
    try:
        with pytest.raises(EngineUnavailableError, match="apt-get install apertium"):
            engine.binary  # noqa: B018
        assert engine.supports("fr") is False
    finally:
        os.environ["PATH"] = old


def test_marian_batched_equals_one_at_a_time(tiny_marian):
    engine = MarianEngine(tiny_marian, batch_size=3, beam=2, device="cpu")
    batched = engine.translate_batch(SENTENCES, "fr")
    single = [engine.translate_batch([s], "fr")[0] for s in SENTENCES]
    assert batched == single
    assert batched[2] == ""
    assert all(batched[i] for i in (0, 1, 3))


def test_marian_long_sentence_split_never_truncates(tiny_marian):
    engine = MarianEngine(tiny_marian, beam=1, device="cpu", max_input_tokens=14)
    tokenizer, model = engine.load("fr")
    long = ", ".join(["le ministre a parlé de la coopération régionale"] * 6) + "."
    pieces = split_to_fit(long, lambda t: len(tokenizer(t)["input_ids"]), engine.max_source_tokens(model.config))
    assert len(pieces) > 1
    assert " ".join(pieces) == long
    assert all(len(tokenizer(p)["input_ids"]) <= 14 for p in pieces)
    out = engine.translate_batch([long], "fr")
    assert len(out) == 1 and out[0]


def test_split_to_fit_cases():
    count = lambda t: len(t.split())  # noqa: E731
    assert split_to_fit("a b c", count, 5) == ["a b c"]
    assert split_to_fit("a b, c d, e f", count, 4) == ["a b, c d,", "e f"]
    assert split_to_fit("a b c d e", count, 2) == ["a b", "c d", "e"]


def test_marian_resolve_folder_revision_is_content_hash(tiny_marian):
    first = resolve(str(tiny_marian))
    assert first.local and len(first.revision) == 16
    assert resolve(str(tiny_marian)).revision == first.revision


def test_marian_offline_missing_model_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    engine = MarianEngine()
    assert engine.supports("fr") is False
    with pytest.raises(EngineUnavailableError, match="pip install 'xlate\\[marian\\]'"):
        engine.resolved("fr")


def test_marian_model_language_mismatch(tiny_marian, tmp_path):
    target = tmp_path / "opus-mt-de-en"
    shutil.copytree(tiny_marian, target)
    engine = MarianEngine(target)
    assert engine.supports("de") is True
    assert engine.supports("fr") is False


@pytest.mark.parametrize("kwargs", [{"device": "tpu"}, {"beam": 0}, {"batch_size": 0}])
def test_marian_config_validation(kwargs):
    with pytest.raises(ConfigError):
        MarianEngine(**kwargs)


def test_ctranslate2_float32_matches_transformers(tiny_marian, tmp_path):
    pytest.importorskip("ctranslate2")
    from xlate.engines.ctranslate2 import CTranslate2Engine

    reference = MarianEngine(tiny_marian, beam=2, device="cpu").translate_batch(SENTENCES, "fr")
    fast = CTranslate2Engine(tiny_marian, beam=2, device="cpu", compute_type="float32", convert_dir=tmp_path)
    assert fast.translate_batch(SENTENCES, "fr") == reference
    assert fast.signature_for("fr").startswith("ctranslate2-")
    assert "|float32|beam:2|src:fr" in fast.signature_for("fr")
    # Converted once, reused.
    assert len(list(tmp_path.glob("*/model.bin"))) == 1
