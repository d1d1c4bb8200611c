"""B-cubed precision, recall and F1 of a clustering against gold labels (Bagga & Baldwin 1998;
Amigó et al. 2009).

For each item, precision is the share of the items in its predicted cluster that share its gold
label, recall the share of the items with its gold label that share its predicted cluster; both are
averaged over items and F1 is their harmonic mean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from typing import NamedTuple

__all__ = ["BCubed", "bcubed"]


class BCubed(NamedTuple):
    precision: float
    recall: float
    f1: float


def bcubed(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> BCubed:
    """Score ``predicted`` (item -> cluster) against ``gold`` (item -> label) over the items of
    ``gold``; an item missing from ``predicted`` counts as a singleton."""
    items = list(gold)
    if not items:
        raise ValueError("no gold items to score")
    pred = {i: predicted.get(i, ("__single__", i)) for i in items}
    pair = Counter((pred[i], gold[i]) for i in items)
    pred_size = Counter(pred.values())
    gold_size = Counter(gold[i] for i in items)
    # every item of a (pred, gold) cell has the same per-item precision and recall
    precision = sum(c * c / pred_size[p] for (p, _), c in pair.items()) / len(items)
    recall = sum(c * c / gold_size[g] for (_, g), c in pair.items()) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubed(precision, recall, f1)
