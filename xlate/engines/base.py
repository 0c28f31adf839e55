"""The interface every translation engine implements.

An engine translates a batch of plain sentences from one source language to English.
It is cheap to construct; whatever is heavy (a model, a subprocess) is loaded on first
use and kept.  ``signature`` names everything that decides its output (engine, version,
model and revision, decoding settings), so the translation memory and run.json can tell
two configurations apart.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any


class Engine(ABC):
    """A sentence-batch translator to English."""

    #: short engine name written into every output ("apertium", "marian", ...)
    name: str = ""
    #: how glossary terms are protected: "english" writes the locked English form into
    #: the source (neural models copy names), "placeholder" writes an unknown word
    #: that a rule-based engine passes through untouched.
    protection: str = "english"
    #: sentences handed to `translate_batch` at a time (each call's results go to the
    #: translation memory); None: 4 x the translator's batch_size
    sentences_per_call: int | None = None

    @abstractmethod
    def supports(self, src: str) -> bool:
        """Whether this engine can translate ``src`` (ISO 639-1) to English here."""

    @abstractmethod
    def translate_batch(self, sentences: Sequence[str], src: str) -> list[str]:
        """English translations of ``sentences``, same order and length."""

    @property
    @abstractmethod
    def info(self) -> dict[str, Any]:
        """engine, engine_version, model, model_revision and decoding settings."""

    def signature_for(self, src: str) -> str:
        """A short string naming what decides the output for ``src`` (cache key part)."""
        info = self.info
        parts = [f"{info['engine']}-{info.get('engine_version') or '?'}"]
        if info.get("model"):
            parts.append(f"model:{info['model']}@{(info.get('model_revision') or '?')[:12]}")
        for key in ("compute_type", "beam", "route"):
            if info.get(key) is not None:
                parts.append(f"{key}:{info[key]}")
        parts.append(f"src:{src}")
        return "|".join(parts)

    def check(self) -> None:
        """Raise `EngineUnavailableError` (with the how-to) when the engine cannot run at all."""

    def close(self) -> None:
        """Release processes or memory; the engine may be used again afterwards."""

