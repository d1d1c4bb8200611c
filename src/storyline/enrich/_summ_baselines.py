"""Reference extractive systems used as baselines in evaluation: Lead, Centroid, LexRank.

They share the default summarizer's candidate cleaning (datelines and bylines removed) so that
the comparison is about sentence *selection*. ``sumy`` was not used: its tokenizer needs NLTK data
downloaded at run time, which breaks the offline rule; LexRank is short enough to write here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from storyline.enrich._summ_text import clean_sentence, dup_key, is_junk, stems, tokens
from storyline.models import Document, Summary, SummarySentence
from storyline.text import STOPWORDS

__all__ = ["CentroidSummarizer", "LeadSummarizer", "LexRankSummarizer"]

_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def _body(docs: Sequence[Document]) -> list[tuple[int, int, str]]:
    out = []
    for d, doc in enumerate(docs):
        for s in doc.sentences:
            if s.is_title:
                continue
            text = clean_sentence(s.text)
            if text and not is_junk(text) and len(text.split()) >= 5:
                out.append((d, s.index, text))
    return out


def _fill(docs: Sequence[Document], ranked: list[tuple[int, int, str]], words: int,
          redundancy: np.ndarray | None = None, threshold: float = 0.5,
          keep_order: bool = False) -> Summary:
    """Take sentences in rank order while they fit, skipping near-repeats of chosen ones."""
    chosen: list[int] = []
    used = 0
    for j, (_d, _p, text) in enumerate(ranked):
        n = len(text.split())
        if used + n > words:
            continue
        if redundancy is not None and any(redundancy[j, k] > threshold for k in chosen):
            continue
        chosen.append(j)
        used += n
    picks = [ranked[j] for j in chosen]
    if not keep_order:
        picks.sort(key=lambda t: (docs[t[0]].time or _EPOCH, t[1], t[0]))
    return Summary(tuple(SummarySentence(t, docs[d].all_ids, docs[d].time) for d, _p, t in picks))


class LeadSummarizer:
    """The first sentences of the earliest article (DUC's baseline)."""

    name = "Lead"

    def __call__(self, docs: Sequence[Document], words: int = 100, style: str = "default"
                 ) -> Summary:
        if not docs:
            return Summary()
        first = min(range(len(docs)), key=lambda d: (docs[d].time or _EPOCH, d))
        sents = [t for t in _body([docs[first]])]
        out: list[tuple[int, int, str]] = []
        used = 0
        for _d, p, text in sents:
            n = len(text.split())
            if used + n > words:
                break
            out.append((first, p, text))
            used += n
        return _fill(docs, out, words, keep_order=True)


def _tfidf_rows(texts: list[str], docs_texts: list[str]) -> np.ndarray:
    """TF-IDF rows of ``texts`` (stemmed content words) with IDF from ``docs_texts``."""
    def bag(t: str) -> Counter[str]:
        toks = [w for w in tokens(t) if w not in STOPWORDS]
        return Counter(stems(" ".join(toks)))

    df: Counter[str] = Counter()
    for t in docs_texts:
        df.update(bag(t).keys())
    n = len(docs_texts)
    vocab = {w: i for i, w in enumerate(sorted(df))}
    mat = np.zeros((len(texts), len(vocab)))
    for i, t in enumerate(texts):
        for w, c in bag(t).items():
            if w in vocab:
                mat[i, vocab[w]] = c * math.log((n + 1) / df[w])
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return mat / norms


class CentroidSummarizer:
    """Radev et al.'s centroid method: sentences ranked by TF-IDF similarity to the cluster
    centroid (top words), greedy with a redundancy threshold."""

    name = "Centroid"

    def __call__(self, docs: Sequence[Document], words: int = 100, style: str = "default"
                 ) -> Summary:
        sents = _unique(_body(docs))
        if not sents:
            return Summary()
        rows = _tfidf_rows([t for *_x, t in sents], [f"{d.title} {d.body}" for d in docs])
        centroid = rows.sum(axis=0)
        keep = np.argsort(-centroid)[:100]
        mask = np.zeros_like(centroid)
        mask[keep] = centroid[keep]
        score = rows @ mask
        order = sorted(range(len(sents)), key=lambda j: (-score[j], j))
        ranked = [sents[j] for j in order]
        sim = rows[order] @ rows[order].T
        return _fill(docs, ranked, words, sim, 0.5)


class LexRankSummarizer:
    """Erkan & Radev's LexRank: PageRank on the thresholded cosine graph of sentences."""

    name = "LexRank"

    def __init__(self, threshold: float = 0.1, damping: float = 0.85) -> None:
        self.threshold = threshold
        self.damping = damping

    def __call__(self, docs: Sequence[Document], words: int = 100, style: str = "default"
                 ) -> Summary:
        sents = _unique(_body(docs))
        if not sents:
            return Summary()
        rows = _tfidf_rows([t for *_x, t in sents], [f"{d.title} {d.body}" for d in docs])
        sim = rows @ rows.T
        adj = (sim > self.threshold).astype(float)
        deg = adj.sum(axis=1, keepdims=True)
        deg[deg == 0] = 1.0
        trans = adj / deg
        n = len(sents)
        rank = np.full(n, 1.0 / n)
        for _ in range(100):
            new = (1 - self.damping) / n + self.damping * trans.T @ rank
            if np.abs(new - rank).sum() < 1e-8:
                rank = new
                break
            rank = new
        order = sorted(range(n), key=lambda j: (-rank[j], j))
        ranked = [sents[j] for j in order]
        return _fill(docs, ranked, words, sim[np.ix_(order, order)], 0.5)


def _unique(sents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    seen: set[str] = set()
    out = []
    for s in sents:
        key = dup_key(s[2])
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
