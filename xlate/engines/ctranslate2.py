"""CTranslate2 fast path for the same Marian models (int8 on CPU, float16 on GPU).

The Marian folder (or cached hub snapshot) is converted once with CTranslate2's own
converter, offline, into ``$XLATE_CACHE/ct2/<model revision>`` (default
``~/.cache/xlate``); the conversion keeps float32 weights and the compute type is chosen
at load, so one conversion serves int8, float32 and float16.  Tokenisation is the model's
own MarianTokenizer, so source pieces are exactly those the transformers path sees.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlate.engines.marian import INSTALL_HINT as MARIAN_HINT
from xlate.engines.marian import MarianEngine, join_pieces, split_sentences
from xlate.errors import ConfigError, EngineUnavailableError, TranslationError

INSTALL_HINT = "pip install 'xlate[marian,fast]'; " + MARIAN_HINT
COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "float32", "float16", "bfloat16")


def cache_root() -> Path:
    return Path(os.environ.get("XLATE_CACHE") or Path.home() / ".cache" / "xlate")


class CTranslate2Engine(MarianEngine):
    name = "ctranslate2"

    def __init__(self, model: str | os.PathLike[str] | None = None, *, device: str = "auto", beam: int = 4,
                 batch_size: int = 32, max_length: int = 512, compute_type: str = "auto", threads: int = 0,
                 convert_dir: str | os.PathLike[str] | None = None, min_new_tokens: int = 0):
        super().__init__(model, device=device, beam=beam, batch_size=batch_size, max_length=max_length,
                         min_new_tokens=min_new_tokens)
        if compute_type not in COMPUTE_TYPES:
            raise ConfigError(f"compute_type {compute_type!r} is not one of {', '.join(COMPUTE_TYPES)}; e.g. compute_type='int8'")
        if threads < 0:
            raise ConfigError(f"threads={threads} must be >= 0 (0 = CTranslate2 default)")
        self.compute_type_request = compute_type
        self.threads = threads
        self.convert_dir = Path(convert_dir) if convert_dir is not None else None
        self._translators: dict[str, tuple[Any, Any]] = {}
        self._configs: dict[str, Any] = {}

    def supports(self, src: str) -> bool:
        try:
            import ctranslate2  # noqa: F401
        except ImportError:
            return False
        return super().supports(src)

    @property
    def device(self) -> str:
        if self.device_request != "auto":
            return self.device_request.split(":")[0]
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"

    @property
    def compute_type(self) -> str:
        if self.compute_type_request != "auto":
            return self.compute_type_request
        return "float16" if self.device == "cuda" else "int8"

    @property
    def info(self) -> dict[str, Any]:
        import ctranslate2

        resolved = next(iter(self._resolved.values()), None)
        return {"engine": self.name, "engine_version": f"ctranslate2-{ctranslate2.__version__}",
                "model": resolved.id if resolved else self.model, "model_revision": resolved.revision if resolved else None,
                "device": self.device, "compute_type": self.compute_type, "beam": self.beam, "batch_size": self.batch_size}

    def signature_for(self, src: str) -> str:
        import ctranslate2

        r = self.resolved(src)
        return f"ctranslate2-{ctranslate2.__version__}|model:{r.id}@{r.revision[:12]}|{self.compute_type}|beam:{self.beam}|src:{src}"

    def converted(self, src: str) -> Path:
        """The CTranslate2 folder for ``src``'s model, converting it (atomically) the first time."""
        resolved = self.resolved(src)
        if not resolved.local:
            # Let transformers download it into the HF cache first; then it is a snapshot.
            super().load(src)
            resolved = self.resolved(src)
        root = self.convert_dir or cache_root() / "ct2"
        target = root / f"{Path(resolved.id).name}-{resolved.revision[:16]}"
        if (target / "model.bin").is_file():
            return target
        try:
            from ctranslate2.converters import TransformersConverter
        except ImportError as exc:
            raise EngineUnavailableError(f"ctranslate2 is not installed ({exc}); {INSTALL_HINT}") from exc
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{target.name}."))
        try:
            TransformersConverter(resolved.path).convert(str(tmp / "model"), force=True)
            os.replace(tmp / "model", target)
        except FileExistsError:
            pass  # another process converted it meanwhile
        except OSError as exc:
            if not (target / "model.bin").is_file():
                raise EngineUnavailableError(f"cannot convert {resolved.id!r} for CTranslate2 into {target}: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - the converter raises plain exceptions for unsupported models
            raise EngineUnavailableError(f"CTranslate2 cannot convert {resolved.id!r}: {exc}; use engine 'marian'") from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return target

    def load(self, src: str) -> tuple[Any, Any]:
        """(tokenizer, ctranslate2.Translator) for ``src``, loaded once."""
        resolved = self.resolved(src)
        if resolved.id not in self._translators:
            import ctranslate2
            from transformers import MarianTokenizer

            folder = self.converted(src)
            resolved = self.resolved(src)
            tokenizer = MarianTokenizer.from_pretrained(resolved.path, local_files_only=True)
            translator = ctranslate2.Translator(str(folder), device=self.device, compute_type=self.compute_type,
                                                intra_threads=self.threads, inter_threads=1)
            self._translators[resolved.id] = (tokenizer, translator)
            from transformers import MarianConfig

            self._configs[resolved.id] = MarianConfig.from_pretrained(resolved.path, local_files_only=True)
        return self._translators[resolved.id]

    def translate_batch(self, sentences: Sequence[str], src: str) -> list[str]:
        if not sentences:
            return []
        tokenizer, translator = self.load(src)
        config = self._configs[self.resolved(src).id]
        pieces, owners = split_sentences(sentences, tokenizer, self.max_source_tokens(config))
        tokens = [tokenizer.convert_ids_to_tokens(tokenizer(p, verbose=False)["input_ids"]) for p in pieces]
        try:
            results = translator.translate_batch(tokens, beam_size=self.beam, max_batch_size=self.batch_size,
                                                 max_decoding_length=self.max_decoding_length(config),
                                                 min_decoding_length=self.min_new_tokens)
        except RuntimeError as exc:
            raise TranslationError(f"CTranslate2 failed on a batch of {len(tokens)}: {exc}") from exc
        translated = [
            tokenizer.decode(tokenizer.convert_tokens_to_ids(result.hypotheses[0]), skip_special_tokens=True).strip()
            if piece.strip() else ""
            for piece, result in zip(pieces, results)
        ]
        return join_pieces(len(sentences), owners, translated)
