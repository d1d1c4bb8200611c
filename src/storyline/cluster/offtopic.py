"""Off-topic filtering: which members of a group do not belong with the rest.

Each member is scored by its average similarity to the *core* of the group, leave-one-out. The
similarity is the same blend as the clusterer's: embedding cosine and term cosine (here plain
sublinear TF without IDF, since an IDF fitted on the group would play down the shared words).
The core is the better-connected half of the group (by average similarity to all others), so a
minority of intruders — even several from one foreign topic — does not pull the reference
towards itself. A member is off-topic when its score is below ``off_topic_threshold`` times the
median score of the core members: a relative test, so that it works alike on full articles (high
similarities) and on piles of loose one-line items (low ones). Groups of loose lines (most
members with at most two sentences) weigh the embedding like headlines (``title_embed_weight``).

``filter_clusters`` runs the filter over cluster files (``storyline filter FILE``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from storyline.cluster.terms import DocFreq, is_short, term_counts, weigh
from storyline.config import ClusterSettings
from storyline.embed.base import Embedder
from storyline.models import Article, Embedded
from storyline.normalize import normalize_one

__all__ = ["CoreOffTopicFilter", "filter_clusters", "filter_off_topic", "off_topic_scores"]

log = logging.getLogger(__name__)

#: groups smaller than this are left alone: there is no majority to compare with
MIN_MEMBERS = 4
_NO_IDF = DocFreq()


def _similarity(members: Sequence[Embedded], settings: ClusterSettings) -> np.ndarray:
    s = settings
    docs = [m.document for m in members]
    counts = [term_counts(d, s.body_sentences, s.title_weight, s.entity_boost) for d in docs]
    # no IDF: fitted on the group itself it would play down exactly the words the members share
    vectors = [weigh(c, _NO_IDF) for c in counts]
    vocab = {t: i for i, t in enumerate(sorted({t for v in vectors for t in v}))}
    terms = np.zeros((len(members), max(len(vocab), 1)), dtype=np.float32)
    for row, vec in enumerate(vectors):
        for t, w in vec.items():
            terms[row, vocab[t]] = w
    emb = np.stack([np.asarray(m.vector, dtype=np.float32) for m in members])
    # a pile of headlines or loose sentences: the embedding is the better view (as for titles)
    short = sum(is_short(d) for d in docs) * 2 > len(docs)
    w = s.title_embed_weight if short else s.embed_weight
    sim = w * (emb @ emb.T) + (1.0 - w) * (terms @ terms.T)
    np.fill_diagonal(sim, np.nan)
    return sim


def off_topic_scores(members: Sequence[Embedded], settings: ClusterSettings) -> dict[str, float]:
    """Member id -> its score relative to the core (1.0 = a typical core member; lower = less
    related). Groups smaller than ``MIN_MEMBERS`` score 1.0 throughout."""
    n = len(members)
    if n < MIN_MEMBERS:
        return {m.id: 1.0 for m in members}
    sim = _similarity(members, settings)
    mean_all = np.nanmean(sim, axis=1)
    core = np.argsort(-mean_all, kind="stable")[: max(n // 2, 2)]
    mask = np.zeros(n, dtype=bool)
    mask[core] = True
    to_core = np.array([np.nanmean(sim[i, mask & (np.arange(n) != i)]) for i in range(n)])
    reference = float(np.median(to_core[mask]))
    if reference <= 0:
        return {m.id: 1.0 for m in members}
    return {m.id: float(score / reference) for m, score in zip(members, to_core, strict=True)}


def filter_off_topic(members: Sequence[Embedded], settings: ClusterSettings) -> set[str]:
    """The ids of the members that do not belong with the rest (see the module docstring)."""
    scores = off_topic_scores(members, settings)
    return {i for i, score in scores.items() if score < settings.off_topic_threshold}


class CoreOffTopicFilter:
    """``OffTopicFilter`` object form of ``filter_off_topic``."""

    def __init__(self, settings: ClusterSettings) -> None:
        self.settings = settings

    def __call__(self, members: Sequence[Embedded]) -> set[str]:
        return filter_off_topic(members, self.settings)


def filter_clusters(
    clusters: Iterable[tuple[str, list[Article]]], embedder: Embedder, settings: ClusterSettings
) -> Iterator[dict[str, object]]:
    """For each ``(cluster id, articles)``, yield ``{"id": cluster_id, "off_topic": [ids]}``
    (ids in input order)."""
    for cluster_id, articles in clusters:
        docs = [d for d in (normalize_one(a) for a in articles) if d.sentences]
        vectors = embedder.encode([d.lead for d in docs]) if docs else np.zeros((0, 1))
        members = [Embedded(d, v) for d, v in zip(docs, vectors, strict=True)]
        flagged = filter_off_topic(members, settings)
        log.info("cluster %s: %d of %d off-topic", cluster_id, len(flagged), len(members))
        yield {"id": cluster_id, "off_topic": [d.id for d in docs if d.id in flagged]}
