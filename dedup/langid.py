"""Offline language identification of an article (py3langid's model, 97 languages).

py3langid's naive Bayes model is used as its author trained it: a byte automaton finds
the n-gram features of a text, and ``log(1 + count)`` of each feature weighs its column of
per-language log-probabilities.  Two things differ from calling ``py3langid.classify``:

- many texts are walked at once (`detect_many`): the automaton takes one step for every
  text of a batch as a numpy gather, instead of one Python step per byte and text
  (``bench/eval_langid.py``: 4.4x faster on news articles);
- the features of a text are scored as a sparse row times the model's table in float32,
  in feature order, so a text gets the same answer alone or in any batch.  py3langid
  sums in the order features were met; the probabilities differ by about 1e-5 and the
  languages were the same on all 2,502 SemEval-2022 texts (eval_langid checks it).

Long articles are cut to their first ``MAX_CHARS`` characters: the language is settled
well before that (on the same texts, 600 characters and whole articles give the same
answers).  The model loads once, on first use.
"""
from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

MAX_CHARS = 600
UNDETERMINED = "und"
# Texts walked together by the numpy automaton; below this many a Python walk is cheaper
# (each numpy step costs a few microseconds whatever the batch size).
BATCH = 512
_MIN_NUMPY_BATCH = 8
# What `signature` says of this scorer (bump when the arithmetic changes).
_SCORER = "sparse-f32"

_lock = threading.Lock()
_model: "_Model | None" = None


class _Model:
    """The arrays of py3langid's model, in the shapes the batch walk and scorer use."""

    def __init__(self, identifier: Any):
        import numpy as np

        moves = identifier.tk_nextmove  # an array.array of 9.8M states: viewed, not copied
        self.next_state = np.frombuffer(moves, dtype=f"u{moves.itemsize}") if hasattr(moves, "itemsize") else np.asarray(moves)
        self.row_base = np.asarray(identifier.tk_row, dtype=np.int64) << 8
        self.feature = np.asarray(identifier.tk_output, dtype=np.int64)
        self.table = np.asarray(identifier.nb_ptc, dtype=np.float32)  # features x classes
        self.prior = np.asarray(identifier.nb_pc, dtype=np.float32)
        self.classes = list(identifier.nb_classes)
        first: dict[str, int] = {}
        # Labels listed twice (a language in two scripts): the second column's probability
        # is added to the first, as py3langid does.
        self.aliases = [(first.setdefault(c, i), i) for i, c in enumerate(self.classes) if first.get(c, i) != i]
        if self.feature[0] >= 0:  # the batch walk pads finished texts with state 0
            from .errors import DedupError

            raise DedupError("this py3langid model emits a feature in its start state; install py3langid 0.4.x")
        self._row_base_list = self.row_base.tolist()
        self._next_list = identifier.tk_nextmove
        self._feature_list = identifier.tk_output

    def walk_one(self, data: bytes) -> list[int]:
        """Feature ids met while walking ``data`` (Python: cheapest for a few texts)."""
        nm, rb, out = self._next_list, self._row_base_list, self._feature_list
        state, found = 0, []
        for byte in data:
            state = nm[rb[state] + byte]
            f = out[state]
            if f >= 0:
                found.append(f)
        return found

    def feature_counts(self, texts: list[bytes]) -> Any:
        """A sparse matrix (texts x features) of how often each text meets each feature."""
        import numpy as np
        from scipy.sparse import csr_matrix

        n_features = self.table.shape[0]
        if len(texts) >= _MIN_NUMPY_BATCH:
            indptr, ids, counts = self._walk_many(texts)
        else:
            parts = [np.unique(np.asarray(self.walk_one(t), dtype=np.int64), return_counts=True) for t in texts]
            indptr = np.cumsum([0] + [len(u) for u, _ in parts])
            ids = np.concatenate([u for u, _ in parts]) if parts else np.zeros(0, np.int64)
            counts = np.concatenate([c for _, c in parts]) if parts else np.zeros(0, np.int64)
        return csr_matrix((counts.astype(np.float32), ids, indptr), shape=(len(texts), n_features))

    def _walk_many(self, texts: list[bytes]) -> tuple[Any, Any, Any]:
        """`walk_one` of every text as CSR parts (indptr, feature ids, counts): one automaton
        step for all texts at a time; the states are kept and read for features at the end."""
        import numpy as np

        # Longest first: the texts still walking at step t are a prefix of the batch, and
        # the positions past a text's end keep state 0, which emits no feature.
        order = np.array(sorted(range(len(texts)), key=lambda k: -len(texts[k])), dtype=np.int64)
        lengths = np.array([len(texts[k]) for k in order.tolist()], dtype=np.int64)
        steps = int(lengths[0])
        data = np.zeros((steps, len(texts)), dtype=np.int64)
        for position, k in enumerate(order.tolist()):
            data[: len(texts[k]), position] = np.frombuffer(texts[k], dtype=np.uint8)
        walking = np.searchsorted(-lengths, -np.arange(steps), side="left").tolist()
        states = np.zeros((steps, len(texts)), dtype=np.int64)
        state = np.zeros(len(texts), dtype=np.int64)
        next_state, row_base = self.next_state, self.row_base
        for t, n in enumerate(walking):
            moved = next_state[row_base[state[:n]] + data[t, :n]]
            state[:n] = moved
            states[t, :n] = moved
        found = self.feature[states]
        step, column = np.nonzero(found >= 0)
        n_features = self.table.shape[0]
        keys, counts = np.unique(order[column] * n_features + found[step, column], return_counts=True)
        text = keys // n_features
        return np.searchsorted(text, np.arange(len(texts) + 1)), keys % n_features, counts

    def classify(self, rows: Any, sizes: Sequence[int]) -> list[tuple[str, float]]:
        """(label, probability) of each text from its `feature_counts` row and its length in bytes."""
        import numpy as np

        rows = rows.copy()
        rows.data = np.log1p(rows.data)
        scores = np.asarray(rows @ self.table, dtype=np.float32) + self.prior
        # As py3langid with normalised probabilities: a temperature of sqrt(bytes) keeps
        # the softmax calibrated across lengths; a text without features is uniform.
        empty = np.diff(rows.indptr) == 0
        scores[empty] = 0.0
        scores *= (1.0 / np.sqrt(np.maximum(np.asarray(sizes, dtype=np.float32), 1.0)))[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        for keep, fold in self.aliases:
            scores[:, keep] += scores[:, fold]
            scores[:, fold] = 0.0
        best = scores.argmax(axis=1)
        return [(self.classes[b], float(scores[n, b])) for n, b in enumerate(best.tolist())]


def _get_model() -> _Model:
    global _model
    with _lock:
        if _model is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _model = _Model(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
        return _model


def signature() -> str:
    """What decides detect's answers, e.g. ``langid:py3langid-0.4.0|chars:600|sparse-f32``
    (part of a run's signature: another model, cut or scorer can give other languages)."""
    return f"langid:{_model_version()}|chars:{MAX_CHARS}|{_SCORER}"


@lru_cache(maxsize=1)
def _model_version() -> str:
    # Looked up once: reading package metadata costs ~0.2 ms, and every Ray batch key and
    # index header asks for the signature.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"py3langid-{version('py3langid')}"
    except PackageNotFoundError:  # pragma: no cover - a dependency of the package
        return "py3langid-unknown"


def _encode(sample: str) -> bytes:
    # As py3langid: an all-capitals text is read in lower case; NFC; UTF-8.
    if sample.isupper():
        sample = sample.lower()
    return unicodedata.normalize("NFC", sample).encode("utf-8", errors="surrogatepass")


def detect_many(texts: Sequence[str]) -> list[tuple[str, float]]:
    """`detect` of each text, walking up to ``BATCH`` texts at once; the same answers as
    one `detect` call per text."""
    from .errors import ArticleTypeError

    if isinstance(texts, str):
        raise ArticleTypeError("give a list of texts, not one text (it would be read letter by letter): "
                               "detect_many([text]), or detect(text)")
    texts = list(texts)  # a generator too
    for text in texts:
        if not isinstance(text, str):
            raise ArticleTypeError(f"detect() needs a str, got {type(text).__name__}")
    results: list[tuple[str, float]] = [(UNDETERMINED, 0.0)] * len(texts)
    todo = []
    for k, text in enumerate(texts):
        sample = text[:MAX_CHARS]
        if any(ch.isalpha() for ch in sample):
            todo.append((k, _encode(sample)))
    if not todo:
        return results
    model = _get_model()
    for start in range(0, len(todo), BATCH):
        part = todo[start : start + BATCH]
        data = [d for _, d in part]
        for (k, d), (lang, prob) in zip(part, model.classify(model.feature_counts(data), [len(d) for d in data])):
            results[k] = (str(lang), round(prob, 4))
    return results


def languages(texts: Sequence[str], given: Sequence[str | None]) -> list[tuple[str, float]]:
    """(language, probability) of each text: the language ``given`` for it (probability
    1.0), else the one `detect_many` finds.  How both cleaning (``xlate run``) and
    fingerprinting (`ClusterConfig.identify_languages`) fill in what a feed leaves out."""
    unknown = [k for k, lang in enumerate(given) if not lang]
    found = dict(zip(unknown, detect_many([texts[k] for k in unknown])))
    return [found[k] if k in found else (str(lang), 1.0) for k, lang in enumerate(given)]


def detect(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of ``text``'s language and its probability.

    Text with no letters (empty, numbers, punctuation) gives ``("und", 0.0)``: there is
    nothing to identify, and guessing would send it to a translation engine.
    """
    return detect_many([text])[0]
