import pytest

from dedup.langid import detect, detect_many, languages

PARAGRAPHS = [
    ("fr", "Le vice-ministre des Affaires étrangères du Kazakhstan a participé à la première réunion ministérielle "
           "des pays d'Asie centrale et du G7, qui s'est déroulée en ligne."),
    ("en", "The European Union and the five Central Asian countries reaffirmed their commitment to deepen "
           "cooperation at the ministerial meeting chaired by the High Representative."),
    ("de", "Die Europäische Union und die fünf Länder Zentralasiens haben ihre Zusammenarbeit bei dem Ministertreffen "
           "in Aschgabat bekräftigt."),
    ("es", "La Unión Europea y los cinco países de Asia Central reafirmaron su compromiso de profundizar la cooperación "
           "durante la reunión ministerial."),
    ("it", "L'Unione europea e i cinque paesi dell'Asia centrale hanno ribadito il loro impegno a rafforzare la "
           "cooperazione durante la riunione ministeriale."),
    ("ru", "Европейский союз и пять стран Центральной Азии подтвердили свою приверженность углублению сотрудничества."),
]


@pytest.mark.parametrize("lang,text", PARAGRAPHS, ids=[p[0] for p in PARAGRAPHS])
def test_detects_news_paragraphs(lang, text):
    code, confidence = detect(text)
    assert code == lang
    assert 0.9 <= confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "2025 — 14.5 / 27", "!!!"])
def test_no_letters_is_undetermined(text):
    assert detect(text) == ("und", 0.0)


def test_deterministic():
    text = PARAGRAPHS[0][1]
    assert detect(text) == detect(text)


def test_rejects_bytes():
    with pytest.raises(TypeError):
        detect(b"texte")


def test_signature_names_the_model_and_how_much_is_read(monkeypatch):
    import re

    from dedup import langid

    assert re.fullmatch(r"langid:py3langid-[\w.]+\|chars:600\|sparse-f32", langid.signature())
    monkeypatch.setattr(langid, "MAX_CHARS", 300)
    assert langid.signature().endswith("|chars:300|sparse-f32")


def test_a_batch_gives_each_text_the_answer_it_gets_alone():
    """The numpy walk (batches of 8 or more) and the Python walk (fewer) find the same
    features, and the scorer sums them in one order: batching never changes an answer."""
    texts = [text for _, text in PARAGRAPHS] * 2 + ["", "2025", PARAGRAPHS[1][1].upper(), PARAGRAPHS[0][1][:40],
                                                    "Kallas", PARAGRAPHS[2][1] * 20]
    batch = detect_many(texts)
    assert batch == [detect(t) for t in texts]
    assert [lang for lang, _ in batch[:6]] == [lang for lang, _ in PARAGRAPHS]
    assert batch[12:14] == [("und", 0.0), ("und", 0.0)]
    assert batch[14][0] == "en"  # an all-capitals text is read in lower case, as py3langid does
    assert detect_many([]) == []


def test_agrees_with_py3langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    texts = [text for _, text in PARAGRAPHS] + ["Kallas in Ashgabat", "Gipfel in Aschgabat am Donnerstag"]
    for text, (lang, probability) in zip(texts, detect_many(texts)):
        expected_lang, expected_probability = reference.classify(text)
        assert lang == expected_lang and abs(probability - expected_probability) < 1e-3, text


def test_detect_many_rejects_bytes():
    with pytest.raises(TypeError, match="needs a str, got bytes"):
        detect_many(["texte", b"texte"])


def test_languages_keeps_the_given_ones_and_finds_the_rest():
    texts = [PARAGRAPHS[0][1], PARAGRAPHS[1][1], "2025"]
    assert languages(texts, ["de", None, None]) == [("de", 1.0), detect(texts[1]), ("und", 0.0)]
