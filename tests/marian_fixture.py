"""A tiny but real MarianMT model for tests (and the full-size random one for bench/).

`build_marian` trains a SentencePiece model on a few KB of the seed articles, writes the
Marian vocabulary (``</s>`` first, ``<pad>`` last, as in the opus-mt models, which the
CTranslate2 converter relies on), builds `MarianMTModel` from a `MarianConfig` with
random weights from a fixed seed, and saves both with ``save_pretrained``.  Reloading the
folder with ``local_files_only`` exercises exactly the code path of a downloaded model.

Use the ``tiny_marian`` fixture (session scoped, ~2 s) from test modules, or
``pytest_plugins = ["tests.marian_fixture"]`` in a conftest.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_GLOB = "seeds/*.txt"

# Extra English lines so the shared vocabulary also covers the target side.
_ENGLISH = """The European Union and the five Central Asian countries met in Ashgabat on 27 March.
Kaja Kallas chaired the ministerial meeting. Roman Vassilenko spoke about regional security.
President Tokayev and President Gurbanguly Berdimuhamedov discussed trade in Samarkand.
The ministers adopted a joint declaration at the end of the meeting.
"""


def training_text(max_chars: int = 12_000) -> str:
    """A few KB of French (the seeds) and English text to train SentencePiece on."""
    parts = [p.read_text(encoding="utf-8") for p in sorted(REPO.glob(SEED_GLOB))]
    return ("\n".join(parts))[:max_chars] + "\n" + _ENGLISH


def build_marian(
    path: str | Path,
    *,
    d_model: int = 32,
    layers: int = 1,
    heads: int = 2,
    ffn: int = 64,
    max_positions: int = 128,
    spm_vocab: int = 400,
    vocab_size: int | None = None,
    seed: int = 0,
) -> Path:
    """Write a MarianMT model + tokenizer with random weights to ``path``; return it.

    ``vocab_size`` pads the vocabulary with unused ``<unused_N>`` entries up to that size
    (the bench uses 59514, opus-mt-fr-en's); by default it is what SentencePiece learned.
    """
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    lines = [line.strip() for line in training_text().splitlines() if line.strip()]
    model_bytes = io.BytesIO()
    # One thread: SentencePiece training is then deterministic for the same text.
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model_bytes, vocab_size=spm_vocab,
        model_type="unigram", character_coverage=1.0, hard_vocab_limit=False,
        num_threads=1, minloglevel=2,
    )
    for name in ("source.spm", "target.spm"):
        (path / name).write_bytes(model_bytes.getvalue())
    processor = spm.SentencePieceProcessor(model_proto=model_bytes.getvalue())
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    tokens = ["</s>", "<unk>"] + [p for p in pieces if p not in ("<unk>", "<s>", "</s>")]
    if vocab_size is not None:
        if vocab_size < len(tokens) + 1:
            raise ValueError(f"vocab_size={vocab_size} is smaller than the learned vocabulary ({len(tokens) + 1})")
        tokens += [f"<unused_{i}>" for i in range(vocab_size - len(tokens) - 1)]
    tokens.append("<pad>")
    vocab = {tok: i for i, tok in enumerate(tokens)}
    (path / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    tokenizer = MarianTokenizer(str(path / "source.spm"), str(path / "target.spm"), str(path / "vocab.json"),
                                source_lang="fr", target_lang="en", model_max_length=max_positions)
    tokenizer.save_pretrained(str(path))
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads,
        encoder_ffn_dim=ffn, decoder_ffn_dim=ffn, max_position_embeddings=max_positions,
        pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=None,
        activation_function="swish", scale_embedding=True, share_encoder_decoder_embeddings=True,
        num_beams=4, max_length=max_positions, bad_words_ids=[[pad]],
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.eval()
    model.save_pretrained(str(path))
    return path


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory) -> Path:
    """Folder of a tiny random-weight MarianMT model, loadable offline."""
    return build_marian(tmp_path_factory.mktemp("tiny-marian") / "opus-mt-tiny-fr-en")
