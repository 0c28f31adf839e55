"""Offline language identification of an article (py3langid, 97 languages).

The identifier is loaded once, on first use, with normalised probabilities so the
confidence is a probability in [0, 1].  Long articles are cut to their first
``MAX_CHARS`` characters: the language is settled well before that (on SemEval-2022's
2,502 texts in 10 languages, 1000 characters and whole articles give the same answers,
bench/eval_langid.py), and langid walks the text byte by byte in Python.
"""
from __future__ import annotations

import threading
from typing import Any

MAX_CHARS = 1000
UNDETERMINED = "und"

_lock = threading.Lock()
_identifier: Any = None


def _get_identifier() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def signature() -> str:
    """What decides detect's answers, e.g. ``langid:py3langid-0.4.0|chars:1000`` (part of a
    run's signature: another model or cut can give articles other languages)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        model = f"py3langid-{version('py3langid')}"
    except PackageNotFoundError:  # pragma: no cover - a dependency of the package
        model = "py3langid-unknown"
    return f"langid:{model}|chars:{MAX_CHARS}"


def detect(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of ``text``'s language and its probability.

    Text with no letters (empty, numbers, punctuation) gives ``("und", 0.0)``: there is
    nothing to identify, and guessing would send it to a translation engine.
    """
    if not isinstance(text, str):
        raise TypeError(f"detect() needs a str, got {type(text).__name__}")
    sample = text[:MAX_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return UNDETERMINED, 0.0
    lang, prob = _get_identifier().classify(sample)
    return str(lang), round(float(prob), 4)
