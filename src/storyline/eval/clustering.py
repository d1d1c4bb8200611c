"""Stream-clustering evaluation: pool a labelled set, order it by time, feed it once, score
B-cubed against the gold clusters (``Article.cluster``).

``evaluate`` is what ``storyline eval cluster DATASET`` runs; ``evaluate_embedded`` does the same
from already embedded items (benchmarks cache embeddings); ``format_table`` prints rows.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from storyline.cluster.offtopic import background_of, filter_off_topic
from storyline.cluster.online import OnlineClusterer, item_counts
from storyline.cluster.stream import embed_documents, time_order
from storyline.config import ClusterSettings
from storyline.embed.base import Embedder
from storyline.eval.bcubed import bcubed
from storyline.models import Article, Embedded
from storyline.normalize import normalize_one

__all__ = [
    "evaluate",
    "evaluate_embedded",
    "evaluate_off_topic",
    "format_table",
    "inject_intruders",
    "load_dataset",
]


T = TypeVar("T")


def load_dataset(name: str) -> list[Article]:
    """The articles of a labelled set: ``duc2006``, ``uci``, ``t17`` or the path of a cluster
    file (one cluster a line, WCEP-like; gold = the line's cluster id)."""
    from storyline.eval import datasets as ds

    if name == "duc2006":
        return [a for c in ds.load_duc2006() for a in c.articles]
    if name == "uci":
        return ds.load_uci()
    if name == "t17":
        return [a for t in ds.T17_TOPICS for a in ds.load_t17_articles(t)]
    from dataclasses import replace
    from pathlib import Path

    from storyline.errors import InputError
    from storyline.ingest import read_clusters

    path = Path(name)
    if not path.is_file():
        raise InputError(
            f"{name}: not a dataset name (duc2006, uci, t17) nor a cluster file (JSONL)"
        )
    # the ingest reader reports bad lines and goes on; gold = the cluster id of each line
    return [replace(a, cluster=cid) for cid, arts in read_clusters(path) for a in arts]


def evaluate(
    articles: Iterable[Article], embedder: Embedder, settings: ClusterSettings
) -> dict[str, Any]:
    """Cluster the pooled ``articles`` in time order and score them against ``Article.cluster``.

    Returns ``precision``, ``recall``, ``f1`` (B-cubed, stories), ``storyline_f1`` (the same for
    storylines), ``stories``, ``gold`` (number of gold clusters), ``articles`` and
    ``articles_per_s`` (assignment only, per CPU second of this process: the representations —
    embeddings and the clusterer's term counts — excluded, as in ``storyline run``, where a
    worker process computes both ahead of the clusterer) and ``with_terms_per_s`` (the term
    counts included).
    """
    docs = [d for d in (normalize_one(a) for a in time_order(list(articles))) if d.sentences]
    items = list(embed_documents(docs, embedder))
    return evaluate_embedded(items, settings)


def evaluate_embedded(items: Sequence[Embedded], settings: ClusterSettings) -> dict[str, Any]:
    """``evaluate`` for items already embedded and in time order."""
    gold = {e.id: e.document.article.cluster for e in items if e.document.article.cluster}
    clusterer = OnlineClusterer(settings)
    start = time.process_time()  # CPU time: robust on a shared machine
    counts = [item_counts(e.document, settings) for e in items]
    counting = time.process_time() - start
    start = time.process_time()
    predicted = {e.id: clusterer.assign(e, c) for e, c in zip(items, counts, strict=True)}
    elapsed = time.process_time() - start
    predicted = {i: clusterer.resolve(s) for i, s in predicted.items()}
    lines = clusterer.storylines()
    story = bcubed(predicted, gold)
    storyline = bcubed({i: lines[s] for i, s in predicted.items()}, gold)
    return {
        "precision": story.precision,
        "recall": story.recall,
        "f1": story.f1,
        "storyline_precision": storyline.precision,
        "storyline_recall": storyline.recall,
        "storyline_f1": storyline.f1,
        "stories": len(set(predicted.values())),
        "storylines": len(set(lines.values())),
        "gold": len(set(gold.values())),
        "articles": len(items),
        "articles_per_s": len(items) / elapsed if elapsed > 0 else float("inf"),
        "with_terms_per_s": len(items) / (elapsed + counting) if elapsed > 0 else float("inf"),
    }


_COLUMNS = (
    ("P", "precision", "{:.3f}"), ("R", "recall", "{:.3f}"), ("F1", "f1", "{:.3f}"),
    ("line F1", "storyline_f1", "{:.3f}"), ("stories", "stories", "{}"), ("gold", "gold", "{}"),
    ("articles", "articles", "{}"), ("art/s", "articles_per_s", "{:.0f}"),
    ("art/s with terms", "with_terms_per_s", "{:.0f}"),
)


def format_table(rows: Mapping[str, Mapping[str, Any]]) -> str:
    """A plain-text (Markdown) table: one row per named result of ``evaluate``."""
    head = ["set", *[c[0] for c in _COLUMNS]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, res in rows.items():
        cells = [name] + [fmt.format(res[key]) if key in res else "" for _, key, fmt in _COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def inject_intruders(
    groups: Sequence[Sequence[T]], fraction: float, seed: int = 0
) -> list[tuple[list[T], list[int]]]:
    """Each group with ``round(fraction * len(group))`` members of *other* groups added (drawn at
    random, seeded) and shuffled in; returns ``(members, positions of the intruders)``."""
    rng = random.Random(seed)
    out = []
    for g, group in enumerate(groups):
        pool = [x for h, other in enumerate(groups) if h != g for x in other]
        intruders = rng.sample(pool, min(round(fraction * len(group)), len(pool)))
        tagged = [(x, False) for x in group] + [(x, True) for x in intruders]
        rng.shuffle(tagged)
        out.append(([x for x, _ in tagged], [i for i, (_, bad) in enumerate(tagged) if bad]))
    return out


def evaluate_off_topic(
    groups: Sequence[Sequence[Embedded]], settings: ClusterSettings,
    fractions: Sequence[float] = (0.1, 0.2, 0.3), seed: int = 0, draws: int = 1,
) -> dict[str, float]:
    """Precision and recall of ``filter_off_topic`` at finding injected members (DUC protocol:
    10-30 % of each cluster's size drawn from the other clusters), pooled over groups,
    fractions and ``draws`` independent random draws of the intruders (one draw is noisy: a
    few hard intruders more or less move recall by 0.03). The IDF background is the pooled
    input (all injected groups), as ``filter_clusters`` does with a cluster file."""
    tp = fp = fn = 0
    for draw, (k, fraction) in itertools.product(range(draws), enumerate(fractions)):
        injected = inject_intruders(groups, fraction, seed + 1000 * draw + k)
        # the input is every injected group: its documents are the IDF background
        background = background_of(
            (m.document for members, _ in injected for m in members), settings
        )
        for members, bad in injected:
            truth = {members[i].id for i in bad}
            flagged = filter_off_topic(members, settings, background)
            tp += len(flagged & truth)
            fp += len(flagged - truth)
            fn += len(truth - flagged)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "intruders": tp + fn}
