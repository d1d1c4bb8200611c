"""Storylines: the coarser grouping of related stories (events).

Two stories share a storyline when their combined similarity (embedding centroids and term
centroids, with the time penalty for the gap between their spans; see
``storyline.cluster.online.story_similarity``) reaches ``storyline_threshold``; storylines are the
connected components of that relation (single link over each story's nearest neighbours). The
storyline id is derived from its oldest story: ``s-000007`` -> ``l-000007``, so it is stable as
long as that story exists.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storyline.cluster.base import StoryState
from storyline.cluster.online import story_similarity
from storyline.cluster.terms import dot, norm
from storyline.config import ClusterSettings

__all__ = ["group_storylines", "storyline_id"]

_NEIGHBOURS = 10
_CHUNK = 1024


def storyline_id(story_id: str) -> str:
    return "l-" + story_id[2:] if story_id.startswith("s-") else "l-" + story_id


def group_storylines(states: Sequence[StoryState], settings: ClusterSettings) -> dict[str, str]:
    """Story id -> storyline id for every story in ``states``."""
    n = len(states)
    if n == 0:
        return {}
    matrix = np.stack([np.asarray(s.vector_sum, dtype=np.float64) for s in states])
    lengths = np.linalg.norm(matrix, axis=1, keepdims=True)
    lengths[lengths == 0] = 1.0
    matrix = (matrix / lengths).astype(np.float32)
    norms = [norm(s.terms) or 1.0 for s in states]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    k = min(_NEIGHBOURS + 1, n)
    for start in range(0, n, _CHUNK):
        sims = matrix[start : start + _CHUNK] @ matrix.T
        for off, row in enumerate(sims):
            i = start + off
            idx = np.argpartition(-row, k - 1)[:k] if k < n else np.arange(n)
            for j in sorted(int(x) for x in idx):
                if j <= i:
                    continue
                a, b = states[i], states[j]
                cos_terms = dot(a.terms, b.terms) / (norms[i] * norms[j])
                sim = story_similarity(float(row[j]), cos_terms, _gap_days(a, b), settings)
                if sim >= settings.storyline_threshold:
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
    return {s.id: storyline_id(states[find(i)].id) for i, s in enumerate(states)}


def _gap_days(a: StoryState, b: StoryState) -> float:
    """Days between the two stories' spans (0 when they overlap or a time is unknown)."""
    if a.first is None or a.last is None or b.first is None or b.last is None:
        return 0.0
    if a.last < b.first:
        return (b.first - a.last).total_seconds() / 86400.0
    if b.last < a.first:
        return (a.first - b.last).total_seconds() / 86400.0
    return 0.0
