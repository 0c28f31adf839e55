"""MarianMT (opus-mt) through transformers: `MarianMTModel.generate`, no pipeline.

The model is a hub id (default ``Helsinki-NLP/opus-mt-{src}-en``, falling back to
``Helsinki-NLP/opus-mt-mul-en``) or a local folder written by ``save_pretrained``.
``HF_HOME`` decides where the hub cache is and ``HF_HUB_OFFLINE=1`` forbids downloads; a
model is "available" when it is a local folder, is in the cache, or (online) exists on
the hub.  Each model is loaded once and kept.

Speed without changing results: sentences are sorted by token length before batching
(little padding), ``torch.inference_mode``, and fp16 only on GPU.  A sentence longer than
the model's positions is cut at clause punctuation (else spaces, else tokens) into
pieces that fit, translated piece by piece, and joined, so nothing is truncated.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlate.engines.base import Engine
from xlate.errors import ConfigError, EngineUnavailableError, TranslationError

HUB_PATTERN = "Helsinki-NLP/opus-mt-{src}-en"
HUB_FALLBACK = "Helsinki-NLP/opus-mt-mul-en"
INSTALL_HINT = ("pip install 'xlate[marian]' and download a model once online "
                "(e.g. huggingface-cli download Helsinki-NLP/opus-mt-fr-en), or pass --model DIR")
_CLAUSE = re.compile(r"(?<=[,;:)\]»])\s+")
_OPUS_NAME = re.compile(r"opus-mt-([a-z]{2,3}(?:_[a-z]+)?)-([a-z]{2,3})", re.IGNORECASE)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's files are and which exact version they are."""

    id: str  # what the user named: hub id or folder
    path: str  # local folder, or the hub id when it still has to be downloaded
    revision: str  # hub commit, or a hash of the folder's config and weights
    local: bool


def _cached_snapshot(repo_id: str) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    try:
        found = try_to_load_from_cache(repo_id, "config.json")
    except ValueError:  # huggingface_hub's HFValidationError: a path, not a hub id
        return None
    if isinstance(found, str):
        return Path(found).parent
    return None


def _folder_revision(folder: Path) -> str:
    """sha256 of config.json and the weight files (content), so a retrained folder differs."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        if name.endswith((".json", ".safetensors", ".bin", ".spm")):
            digest.update(name.encode())
            with open(folder / name, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def model_available(model: str) -> bool:
    """Local folder with a config, hub id in the cache, or (when online) on the hub."""
    if Path(model).is_dir():
        return (Path(model) / "config.json").is_file()
    if _cached_snapshot(model) is not None:
        return True
    if _offline():
        return False
    try:
        from huggingface_hub import file_exists

        return bool(file_exists(model, "config.json"))
    except Exception:  # noqa: BLE001 - no network, no hub package, bad id: all mean "not available"
        return False


def _looks_like_path(model: str) -> bool:
    """Hub ids are ``name`` or ``owner/name``; anything else was meant as a folder."""
    return model.startswith(("/", ".", "~")) or model.count("/") > 1 or os.sep != "/" and os.sep in model


def resolve(model: str) -> ResolvedModel:
    folder = Path(model).expanduser()
    if not folder.is_dir() and _looks_like_path(model):
        raise EngineUnavailableError(f"model folder {model!r} does not exist; pass a save_pretrained folder or a hub id such as Helsinki-NLP/opus-mt-fr-en")
    if folder.is_dir():
        if not (folder / "config.json").is_file():
            raise EngineUnavailableError(f"model folder {model!r} has no config.json; point --model at a save_pretrained folder")
        return ResolvedModel(model, str(folder), _folder_revision(folder), True)
    snapshot = _cached_snapshot(model)
    if snapshot is not None:
        return ResolvedModel(model, str(snapshot), snapshot.name, True)  # snapshots/<commit>
    if _offline():
        raise EngineUnavailableError(f"model {model!r} is not in the Hugging Face cache and HF_HUB_OFFLINE is set; {INSTALL_HINT}")
    if not model_available(model):
        raise EngineUnavailableError(f"model {model!r} is not a folder, not cached, and cannot be reached on the hub; {INSTALL_HINT}")
    return ResolvedModel(model, model, "hub-latest", False)


def _model_langs(model: str) -> tuple[str, str] | None:
    m = _OPUS_NAME.search(Path(model).name if Path(model).is_dir() else model)
    return (m.group(1).lower(), m.group(2).lower()) if m else None


class MarianEngine(Engine):
    name = "marian"
    protection = "english"

    def __init__(self, model: str | os.PathLike[str] | None = None, *, device: str = "auto", beam: int = 4,
                 batch_size: int = 32, max_length: int = 512, min_new_tokens: int = 0,
                 max_input_tokens: int | None = None):
        if device not in ("auto", "cpu", "cuda") and not str(device).startswith("cuda:"):
            raise ConfigError(f"device {device!r} is not auto, cpu or cuda[:N]; pick one, e.g. device='auto'")
        if beam < 1 or batch_size < 1 or max_length < 8:
            raise ConfigError(f"beam={beam}, batch_size={batch_size}, max_length={max_length}: need beam >= 1, batch_size >= 1, max_length >= 8")
        self.model = str(model) if model is not None else None
        self.device_request = device
        self.beam = beam
        self.batch_size = batch_size
        self.max_length = max_length
        self.min_new_tokens = min_new_tokens  # > 0 only in benchmarks: a fixed output length
        self.max_input_tokens = max_input_tokens  # None: what the model's positions hold
        self._loaded: dict[str, tuple[Any, Any, ResolvedModel]] = {}
        self._resolved: dict[str, ResolvedModel] = {}

    # -- which model ------------------------------------------------------------------
    def model_for(self, src: str) -> str | None:
        """The model that translates ``src``: the one given, else opus-mt-{src}-en, else mul-en."""
        if self.model is not None:
            langs = _model_langs(self.model)
            if langs is not None and langs[0] not in (src, "mul") and not langs[0].startswith(src):
                return None  # e.g. opus-mt-de-en asked for French
            return self.model if model_available(self.model) else None
        for candidate in (HUB_PATTERN.format(src=src), HUB_FALLBACK):
            if model_available(candidate):
                return candidate
        return None

    def supports(self, src: str) -> bool:
        if src == "en":
            return False
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
        except ImportError:
            return False
        return self.model_for(src) is not None

    def resolved(self, src: str) -> ResolvedModel:
        model = self.model_for(src)
        if model is None:
            named = self.model or f"{HUB_PATTERN.format(src=src)} / {HUB_FALLBACK}"
            raise EngineUnavailableError(f"no Marian model for {src!r}->en ({named} not available); {INSTALL_HINT}")
        if model not in self._resolved:
            self._resolved[model] = resolve(model)
        return self._resolved[model]

    def check(self) -> None:
        """Resolve a named model now, so a wrong --model fails before any work is done."""
        if self.model is not None and self.model not in self._resolved:
            self._resolved[self.model] = resolve(self.model)

    @property
    def device(self) -> str:
        if self.device_request != "auto":
            return self.device_request
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    @property
    def info(self) -> dict[str, Any]:
        import transformers

        resolved = next(iter(self._resolved.values()), None)
        return {"engine": self.name, "engine_version": f"transformers-{transformers.__version__}",
                "model": resolved.id if resolved else self.model, "model_revision": resolved.revision if resolved else None,
                "device": self.device, "compute_type": "float16" if self.device.startswith("cuda") else "float32",
                "beam": self.beam, "batch_size": self.batch_size}

    def signature_for(self, src: str) -> str:
        import transformers

        r = self.resolved(src)
        dtype = "float16" if self.device.startswith("cuda") else "float32"
        return f"marian-transformers-{transformers.__version__}|model:{r.id}@{r.revision[:12]}|{dtype}|beam:{self.beam}|src:{src}"

    # -- loading ----------------------------------------------------------------------
    def load(self, src: str) -> tuple[Any, Any]:
        """The tokenizer and model for ``src``, loaded once."""
        resolved = self.resolved(src)
        if resolved.id not in self._loaded:
            try:
                import torch
                from transformers import MarianMTModel, MarianTokenizer
            except ImportError as exc:
                raise EngineUnavailableError(f"transformers/torch are not installed ({exc}); {INSTALL_HINT}") from exc
            from huggingface_hub import utils as hub_utils
            from transformers.utils import logging as hf_logging

            local_only = resolved.local or _offline()
            # Download and "Loading weights" bars only on a terminal: not into logs or pipes.
            quiet = hf_logging.is_progress_bar_enabled() and not sys.stderr.isatty()
            hub_bars_off = hub_utils.are_progress_bars_disabled()
            if quiet:
                hf_logging.disable_progress_bar()
            try:
                tokenizer = MarianTokenizer.from_pretrained(resolved.path, local_files_only=local_only)
                model = MarianMTModel.from_pretrained(resolved.path, local_files_only=local_only)
            except (OSError, ValueError) as exc:
                raise EngineUnavailableError(f"cannot load Marian model {resolved.id!r}: {exc}; {INSTALL_HINT}") from exc
            finally:
                if quiet:  # as the caller had them: transformers' bars on, the hub's as they were
                    hf_logging.enable_progress_bar()
                    if hub_bars_off:
                        hub_utils.disable_progress_bars()
            model.eval()
            device = self.device
            if device.startswith("cuda"):
                model = model.half()
            model.to(device)  # type: ignore[arg-type]  # transformers' stubs wrap `to` for models only
            if not resolved.local:
                # Downloaded just now: from here on it is a cached snapshot with a commit.
                snapshot = _cached_snapshot(resolved.id)
                if snapshot is not None:
                    self._resolved[resolved.id] = ResolvedModel(resolved.id, str(snapshot), snapshot.name, True)
            self._loaded[resolved.id] = (tokenizer, model, resolved)
        tokenizer, model, _ = self._loaded[resolved.id]
        return tokenizer, model

    def max_source_tokens(self, config: Any) -> int:
        """Longest source (in tokens, EOS excluded) the encoder positions hold."""
        positions = int(getattr(config, "max_position_embeddings", 512) or 512) - 1  # room for EOS
        return max(4, min(positions, self.max_input_tokens or positions))

    def max_decoding_length(self, config: Any) -> int:
        """Most tokens generated (EOS included): the decoder start token takes position 0."""
        positions = int(getattr(config, "max_position_embeddings", 512) or 512)
        return min(self.max_length, positions - 1)

    # -- translation ------------------------------------------------------------------
    def translate_batch(self, sentences: Sequence[str], src: str) -> list[str]:
        if not sentences:
            return []
        tokenizer, model = self.load(src)
        pieces, owners = split_sentences(sentences, tokenizer, self.max_source_tokens(model.config))
        return join_pieces(len(sentences), owners, self._generate(pieces, tokenizer, model))

    def _generate(self, texts: list[str], tokenizer: Any, model: Any) -> list[str]:
        import torch

        lengths = [len(tokenizer(t, verbose=False)["input_ids"]) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: (-lengths[i], i))
        results: list[str] = [""] * len(texts)
        max_new = self.max_decoding_length(model.config)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            batch = [texts[i] for i in idx]
            if not any(t.strip() for t in batch):
                continue
            encoded = tokenizer(batch, return_tensors="pt", padding=True)
            encoded = {k: v.to(model.device) for k, v in encoded.items()}
            try:
                with torch.inference_mode():
                    generated = model.generate(**encoded, num_beams=self.beam, max_new_tokens=max_new, do_sample=False,
                                               min_new_tokens=self.min_new_tokens or None)
            except RuntimeError as exc:
                raise TranslationError(f"Marian generate failed on a batch of {len(batch)}: {exc}") from exc
            decoded = tokenizer.batch_decode(generated, skip_special_tokens=True)
            for i, text in zip(idx, decoded):
                results[i] = text.strip() if texts[i].strip() else ""
        return results


def split_sentences(sentences: Sequence[str], tokenizer: Any, limit: int) -> tuple[list[str], list[int]]:
    """Sentences cut into pieces that fit ``limit`` source tokens, and the sentence each piece belongs to."""
    pieces: list[str] = []
    owners: list[int] = []
    for i, sentence in enumerate(sentences):
        # verbose=False: measuring a sentence longer than the model takes is why this splits it
        # (transformers would warn "Token indices sequence length is longer than...").
        for piece in split_to_fit(sentence, lambda t: len(tokenizer(t, verbose=False)["input_ids"]), limit):
            pieces.append(piece)
            owners.append(i)
    return pieces, owners


def join_pieces(count: int, owners: Sequence[int], translated: Sequence[str]) -> list[str]:
    """Translated pieces joined back into one English string per source sentence."""
    out: list[list[str]] = [[] for _ in range(count)]
    for owner, english in zip(owners, translated):
        if english:
            out[owner].append(english)
    return [" ".join(parts) for parts in out]


def split_to_fit(text: str, count_tokens: Any, limit: int) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` tokens: at clause punctuation, else
    at spaces, else (one enormous word) by characters.  Short text is returned as is."""
    if count_tokens(text) <= limit:
        return [text]
    for splitter in (_CLAUSE, re.compile(r"\s+")):
        parts = [p for p in splitter.split(text) if p]
        if len(parts) > 1:
            pieces: list[str] = []
            current = ""
            for part in parts:
                candidate = f"{current} {part}" if current else part
                if current and count_tokens(candidate) > limit:
                    pieces.append(current)
                    current = part
                else:
                    current = candidate
            if current:
                pieces.append(current)
            out: list[str] = []
            for piece in pieces:
                out.extend(split_to_fit(piece, count_tokens, limit) if count_tokens(piece) > limit else [piece])
            return out
    half = max(1, len(text) // 2)
    return split_to_fit(text[:half], count_tokens, limit) + split_to_fit(text[half:], count_tokens, limit)
