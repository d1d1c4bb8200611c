"""Supervised concept weights for the summarizer's concept ILP (Li, Qian & Liu 2013; Hong &
Nenkova 2014): each bigram concept of a cluster gets a feature vector (how many documents carry
it, weighted by their topicality, how early and in how many leads and titles it appears, whether
it holds a name or a number, how central the sentences carrying it are, ...) and a small logistic
model turns it into the probability that a human summary of the cluster uses the bigram.

The summarizer uses ``SHIPPED_MODEL`` (``concept_model.json``: a few dozen floats fitted on DUC
2006 by ``benchmarks/train_concept_weights.py --augment 10 --write``, no dataset text) for
clusters of fewer than 15 distinct articles: under cross-validation it raised ROUGE-2 on DUC 2006
clusters cut to 10 articles (DUC 2004's size) by 0.67 points (paired 95 % interval +0.31 to
+1.04), while on the full 25-article clusters it did not beat the unsupervised weights (see
docs/summarization.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

import numpy as np

from storyline.text import STOPWORDS

__all__ = ["FEATURES", "SHIPPED_MODEL", "ConceptModel", "concept_features", "fit_logistic"]

#: feature names, in column order
FEATURES = (
    "wdf_frac",      # topicality-weighted document frequency / total document weight
    "log_wdf",       # log(1 + weighted document frequency)
    "log_tf",        # log(1 + number of sentences carrying it)
    "tf_per_df",     # log(sentences / documents): repeated within documents
    "first_pos",     # log(1 + earliest sentence position over documents)
    "mean_pos",      # log(1 + mean first position over the documents carrying it)
    "lead_frac",     # share of the documents carrying it in their first two sentences
    "title_frac",    # share of the documents carrying it in their title
    "entity",        # holds a name (capitalized mid-sentence) or a number
    "number",        # holds a digit
    "stopword",      # one of the two words is a stopword
    "unigram_min",   # document share of the rarer of its two content words
    "unigram_max",   # ... of the more common one
    "centrality",    # mean centroid relevance of the sentences carrying it
    "log_docs",      # log(1 + total document weight): cluster size
    "wdf_rank",      # percentile of its weighted document frequency within the cluster
    "max_centrality",  # highest centroid relevance of a sentence carrying it
)


class SentLike(Protocol):
    """What the feature extractor reads of a summarizer sentence."""

    @property
    def doc(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def is_title(self) -> bool: ...
    @property
    def concepts(self) -> frozenset[str]: ...
    @property
    def entities(self) -> frozenset[str]: ...


def concept_features(
    sents: Sequence[SentLike],
    weights: np.ndarray,
    unique: set[int],
    floor: int,
    centrality: Sequence[float],
) -> tuple[list[str], np.ndarray]:
    """The bigram concepts of a cluster found in at least ``floor`` of the ``unique``
    documents, and their feature rows (``FEATURES`` order). ``centrality[i]`` is the
    relevance (0-1) of ``sents[i]``."""
    first: dict[str, dict[int, int]] = {}
    tf: dict[str, int] = {}
    cent: dict[str, float] = {}
    top: dict[str, float] = {}
    titles: dict[str, set[int]] = {}
    uni: dict[str, set[int]] = {}
    entities: set[str] = set()
    for s, rel in zip(sents, centrality, strict=True):
        if s.doc not in unique or weights[s.doc] <= 0:  # off-topic members count for nothing
            continue
        pos = max(0, s.position)
        for c in s.concepts:
            if c.startswith("u:"):
                uni.setdefault(c[2:], set()).add(s.doc)
                continue
            seen = first.setdefault(c, {})
            seen[s.doc] = min(seen.get(s.doc, pos), pos)
            tf[c] = tf.get(c, 0) + 1
            cent[c] = cent.get(c, 0.0) + rel
            top[c] = max(top.get(c, 0.0), rel)
            if s.is_title:
                titles.setdefault(c, set()).add(s.doc)
        entities |= s.entities
    # every count is topicality-weighted: an off-topic member (weight 0) changes nothing
    total_w = float(sum(weights[d] for d in unique)) or 1.0

    def share(docs: AbstractSet[int]) -> float:
        return float(sum(weights[d] for d in docs)) / total_w

    names = sorted(c for c, docs in first.items() if len(docs) >= floor)
    rows = np.zeros((len(names), len(FEATURES)))
    wdfs = np.array([float(sum(weights[d] for d in first[c])) for c in names])
    ranks = (np.argsort(np.argsort(wdfs, kind="stable"), kind="stable") + 1) / max(1, len(names))
    for i, c in enumerate(names):
        docs = first[c]
        df = len(docs)
        wdf = float(sum(weights[d] for d in docs))
        positions = list(docs.values())
        a, b = c.split(" ", 1)
        ua = share(uni.get(a, set())) if a not in STOPWORDS else 1.0
        ub = share(uni.get(b, set())) if b not in STOPWORDS else 1.0
        rows[i] = (
            wdf / total_w,
            math.log1p(wdf),
            math.log1p(tf[c]),
            math.log(tf[c] / df),
            math.log1p(min(positions)),
            math.log1p(sum(positions) / df),
            share({d for d, p in docs.items() if p < 2}),
            share(titles.get(c, set())),
            float(c in entities),
            float(any(ch.isdigit() for ch in c)),
            float(a in STOPWORDS or b in STOPWORDS),
            min(ua, ub),
            max(ua, ub),
            cent[c] / tf[c],
            math.log1p(total_w),
            float(ranks[i]),
            top[c],
        )
    return names, rows


@dataclass(frozen=True, slots=True)
class ConceptModel:
    """A logistic model over standardized ``FEATURES``: ``p = sigmoid(((x - mean) / scale) @
    coef + bias)``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    bias: float

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Probability, per row, that a human summary uses the concept."""
        if rows.shape[0] == 0:
            return np.zeros(0)
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.bias))))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "mean": list(self.mean),
                "scale": list(self.scale), "coef": list(self.coef), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConceptModel:
        features = tuple(str(f) for f in data["features"])
        if features != FEATURES:
            raise ValueError(f"concept model features {features} do not match {FEATURES}")
        return cls(features, tuple(map(float, data["mean"])), tuple(map(float, data["scale"])),
                   tuple(map(float, data["coef"])), float(data["bias"]))


def fit_logistic(
    rows: np.ndarray, target: np.ndarray, l2: float = 1.0, iterations: int = 50
) -> ConceptModel:
    """Fit a logistic model (soft targets in [0, 1], L2 penalty ``l2`` on the coefficients) by
    Newton's method on standardized features. Deterministic."""
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(rows - mean) / scale, np.ones((rows.shape[0], 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ beta)))
        grad = z.T @ (p - target) + penalty * beta
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(z.shape[1])
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return ConceptModel(FEATURES, tuple(mean.tolist()), tuple(scale.tolist()),
                        tuple(beta[:-1].tolist()), float(beta[-1]))


def _load_shipped() -> ConceptModel:
    data = json.loads(resources.files(__package__).joinpath("concept_model.json").read_text())
    return ConceptModel.from_dict(data)


#: the model fitted on all of DUC 2006 (``benchmarks/train_concept_weights.py``)
SHIPPED_MODEL = _load_shipped()
