"""A model-free fallback: hashed word and bigram TF (sublinear) projected to a dense vector.

Needs no model and no fitting, so it streams; quality is below MiniLM's on paraphrases but it is
instant and deterministic. The dense projection is a fixed sparse random sign matrix, so cosine
similarities approximate those of the hashed TF vectors.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from storyline.embed.base import normalize_rows
from storyline.text import STOPWORDS

__all__ = ["TfidfEmbedder"]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


class TfidfEmbedder:
    name = "hashed-tf-v1"

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
            feats = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            counts: dict[str, int] = {}
            for f in feats:
                counts[f] = counts.get(f, 0) + 1
            for f, c in counts.items():
                h = _hash(f)
                sign = 1.0 if (h >> 31) & 1 else -1.0
                out[row, h % self.dim] += sign * (1.0 + np.log(c))
        return normalize_rows(out)


def _hash(token: str) -> int:
    # FNV-1a, stable across processes (unlike hash())
    h = 2166136261
    for byte in token.encode("utf-8"):
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h
