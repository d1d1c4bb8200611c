"""Off-topic filtering: which members of a group do not belong with the rest.

The **core** of a group is its better-connected half (by average similarity to all others, the
clusterer's blend of embedding and term cosines), so a minority of intruders — even several from
one foreign topic — does not pull the reference towards itself. Each member is then scored on two
views, each divided by the median of the core members (leave-one-out: a core member is compared
with the rest of the core), so the test is relative and serves full articles (high similarities)
and piles of loose one-line items (low ones) alike:

* **embedding**: average cosine of the member's lead vector with the core members';
* **best sentence**: cosine of the member's best-matching sentence (title included) with the
  core's term centroid (sublinear TF-IDF). A long report that is about the topic somewhere —
  a digest, a feature that comes to the point late — has a sentence that matches the core even
  when its lead does not; an intruder has none.

``score = a * embedding + (1 - a) * best sentence`` with ``a = off_topic_embed_weight`` (groups of
mostly short items, at most two sentences each, use ``title_embed_weight``: for one-line items the
embedding is the better view). A member scoring below ``off_topic_threshold`` is off-topic,
except a bare title (no body) in a group of full articles: feature titles are often puns ("OFF
THE GRID" over a report on solar power), too little to judge, so such a member is kept.

The term weights need an IDF from **other** documents (fitted on the group itself it would play
down exactly the words the members share): ``background`` — e.g. ``background_of`` all the
groups of the input, as ``filter_clusters`` does. Without one (or when the background is mostly
the group itself) plain sublinear TF is used.

``filter_clusters`` runs the filter over cluster files (``storyline filter FILE``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from scipy.sparse import csr_matrix

from storyline.cluster.terms import DocFreq, is_short, term_counts, text_counts, weigh
from storyline.config import ClusterSettings, DedupeSettings
from storyline.dedupe import fold_batch
from storyline.embed.base import Embedder
from storyline.models import Article, Document, Embedded
from storyline.normalize import normalize_one

__all__ = [
    "CoreOffTopicFilter",
    "background_of",
    "filter_clusters",
    "filter_off_topic",
    "off_topic_scores",
]

log = logging.getLogger(__name__)

#: groups smaller than this are left alone: there is no majority to compare with
MIN_MEMBERS = 4
#: a background must hold at least this many times the group's documents to serve as the IDF
#: (a background that is mostly the group plays its shared words down)
BACKGROUND_FACTOR = 2
_NO_IDF = DocFreq()


def _counts(doc: Document, settings: ClusterSettings) -> dict[str, float]:
    return term_counts(doc, settings.body_sentences, settings.title_weight, settings.entity_boost)


def background_of(docs: Iterable[Document], settings: ClusterSettings) -> DocFreq:
    """Document frequencies of ``docs`` (e.g. every document of the input), the IDF background
    of ``off_topic_scores``."""
    freq = DocFreq()
    for doc in docs:
        freq.add(_counts(doc, settings))
    return freq


def _sparse(vectors: Sequence[dict[str, float]], vocab: dict[str, int]) -> csr_matrix:
    rows, cols, values = [], [], []
    for row, vec in enumerate(vectors):
        for t, w in vec.items():
            rows.append(row)
            cols.append(vocab[t])
            values.append(w)
    return csr_matrix((values, (rows, cols)), shape=(len(vectors), max(len(vocab), 1)),
                      dtype=np.float64)


def _sentence_rows(
    docs: Sequence[Document], scored: Sequence[int], vocab: dict[str, int], idf: DocFreq,
    entity_boost: float,
) -> tuple[np.ndarray, csr_matrix]:
    """The sentences of ``docs[i]`` for each i in ``scored``, as TF-IDF rows over ``vocab`` (terms
    outside it dropped), and the document index of each row. A sentence repeated across members
    (near copies) is weighed once."""
    weighed: dict[str, dict[str, float]] = {}
    owner, vectors = [], []
    for i in scored:
        for x in docs[i].sentences:
            vec = weighed.get(x.text)
            if vec is None:
                vec = weighed[x.text] = {
                    t: w for t, w in weigh(text_counts([x.text], entity_boost), idf).items()
                    if t in vocab}
            owner.append(i)
            vectors.append(vec)
    return np.asarray(owner), _sparse(vectors, vocab)


def _mostly_short(docs: Sequence[Document]) -> bool:
    """A group of mostly short items (headlines, loose lines) rather than full articles."""
    return sum(is_short(d) for d in docs) * 2 > len(docs)


def _relative(values: np.ndarray, core: np.ndarray) -> np.ndarray | None:
    reference = float(np.median(values[core]))
    return values / reference if reference > 0 else None


def off_topic_scores(
    members: Sequence[Embedded], settings: ClusterSettings, background: DocFreq | None = None
) -> dict[str, float]:
    """Member id -> its score relative to the core (1.0 = a typical core member; lower = less
    related; see the module docstring). Groups smaller than ``MIN_MEMBERS`` score 1.0
    throughout. ``background``: document frequencies of other documents for the IDF."""
    n = len(members)
    if n < MIN_MEMBERS:
        return {m.id: 1.0 for m in members}
    s = settings
    docs = [m.document for m in members]
    idf = background if background is not None and background.n >= BACKGROUND_FACTOR * n else None
    idf = idf or _NO_IDF
    doc_vectors = [weigh(_counts(d, s), idf) for d in docs]
    vocab = {t: i for i, t in enumerate(sorted({t for v in doc_vectors for t in v}))}
    # Every pairwise average below is computed from sums (x_i . sum_j x_j minus x_i . x_i), which
    # is exact and keeps memory linear in the group: no n x n or dense n x vocabulary matrix.
    terms = _sparse(doc_vectors, vocab)
    emb = np.stack([np.asarray(m.vector, dtype=np.float64) for m in members])
    emb_self = np.einsum("ij,ij->i", emb, emb)
    term_self = np.asarray(terms.multiply(terms).sum(axis=1)).ravel()
    short = _mostly_short(docs)
    w = s.title_embed_weight if short else s.embed_weight
    term_sum = np.asarray(terms.sum(axis=0)).ravel()
    mean_sim = (w * (emb @ emb.sum(axis=0) - emb_self)
                + (1.0 - w) * (terms @ term_sum - term_self)) / (n - 1)
    core = np.zeros(n, dtype=bool)
    core[np.argsort(-mean_sim, kind="stable")[: max(n // 2, 2)]] = True
    in_core = core.astype(np.float64)
    # embedding view: average cosine with the core (leave-one-out)
    size = core.sum() - in_core
    by_emb = _relative(
        (emb @ emb[core].sum(axis=0) - in_core * emb_self) / np.maximum(size, 1), core)
    # best-sentence view: each sentence's TF-IDF cosine with the core's term centroid (without
    # the member itself when it is in the core)
    centroid = np.asarray(terms[core].sum(axis=0)).ravel()
    centroid_sq = float(centroid @ centroid)
    own = terms @ centroid  # t_i . C
    length_sq = np.where(core, centroid_sq - 2 * own + term_self, centroid_sq)
    scored = [i for i, doc in enumerate(docs) if length_sq[i] > 1e-12 and doc.sentences]
    best = np.zeros(n, dtype=np.float64)
    if scored:
        owner, sentences = _sentence_rows(docs, scored, vocab, idf, s.entity_boost)
        # s . (C - t_i) for the core members, s . C for the others
        cosine = sentences @ centroid - np.where(
            core[owner], np.asarray(sentences.multiply(terms[owner]).sum(axis=1)).ravel(), 0.0)
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        best[scored] = np.maximum.reduceat(cosine, starts) / np.sqrt(length_sq[scored])
    by_sentence = _relative(best, core)
    if by_emb is None or by_sentence is None:
        return {m.id: 1.0 for m in members}
    a = s.title_embed_weight if short else s.off_topic_embed_weight
    scores = a * by_emb + (1.0 - a) * by_sentence
    return {m.id: float(x) for m, x in zip(members, scores, strict=True)}


def filter_off_topic(
    members: Sequence[Embedded], settings: ClusterSettings, background: DocFreq | None = None
) -> set[str]:
    """The ids of the members that do not belong with the rest (see the module docstring)."""
    scores = off_topic_scores(members, settings, background)
    docs = [m.document for m in members]
    if not _mostly_short(docs):  # a group of full articles
        scores.update((d.id, 1.0) for d in docs if all(x.is_title for x in d.sentences))
    return {i for i, score in scores.items() if score < settings.off_topic_threshold}


class CoreOffTopicFilter:
    """``OffTopicFilter`` object form of ``filter_off_topic`` (``background``: the IDF
    background, e.g. ``background_of`` every document of the run)."""

    def __init__(self, settings: ClusterSettings, background: DocFreq | None = None) -> None:
        self.settings = settings
        self.background = background

    def __call__(self, members: Sequence[Embedded]) -> set[str]:
        return filter_off_topic(members, self.settings, self.background)


def filter_clusters(
    clusters: Iterable[tuple[str, list[Article]]],
    embedder: Embedder,
    settings: ClusterSettings,
    dedupe: DedupeSettings = DedupeSettings(),
) -> Iterator[dict[str, object]]:
    """For each ``(cluster id, articles)``, yield ``{"id": cluster_id, "off_topic": [ids]}``
    (ids in input order). All clusters are read first: together they are the IDF background.
    Copies and near copies (``dedupe``) are folded into one member before the filter judges,
    and share its verdict: otherwise three syndicated copies of one intruder in a group of five
    reports form the group's best-connected half and the five reports are flagged."""
    groups = []
    for cluster_id, articles in clusters:
        docs = [d for d in (normalize_one(a) for a in articles) if d.sentences]
        groups.append((cluster_id, docs))
    # the other clusters of the input are the IDF background
    background = background_of((d for _, docs in groups for d in docs), settings)
    for cluster_id, docs in groups:
        folded = fold_batch(docs, dedupe)
        vectors = embedder.encode([d.lead for d in folded]) if folded else np.zeros((0, 1))
        members = [Embedded(d, v) for d, v in zip(folded, vectors, strict=True)]
        flagged = filter_off_topic(members, settings, background)
        off = {i for d in folded if d.id in flagged for i in d.all_ids}
        log.info("cluster %s: %d of %d off-topic", cluster_id, len(off), len(docs))
        yield {"id": cluster_id,
               "off_topic": list(dict.fromkeys(d.id for d in docs if d.id in off))}
