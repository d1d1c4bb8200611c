"""Summaries of given clusters with their off-topic members flagged (``storyline summarize``).

A cluster handed to ``storyline summarize`` may hold items that do not belong (a WCEP-style pile,
or a story the clusterer got wrong). ``GuardedSummarizer`` embeds each document's lead, asks the
clusterer's off-topic filter (``storyline.cluster.offtopic.filter_off_topic``) which documents do
not belong, and summarizes only the others; the flagged ids (with their folded copies) are
returned next to the summary. The extractive summarizer's own topicality weights stay on as a
second guard.

``summarize_cluster_file`` is the command's generator: one ``{"id", "summary", "sentences",
"off_topic"}`` dict per cluster (plus ``"rewritten"`` when the optional rewrite is on).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyline.cluster.offtopic import background_of, filter_off_topic
from storyline.cluster.terms import DocFreq
from storyline.config import ClusterSettings, Settings
from storyline.dedupe import fold_batch
from storyline.embed.base import Embedder
from storyline.enrich.summarize import ExtractiveSummarizer
from storyline.ingest.base import IngestReport
from storyline.models import Article, Document, Embedded, Summary
from storyline.normalize import normalize
from storyline.runtime import lean_runtime

__all__ = ["ClusterSummary", "GuardedSummarizer", "background_of", "summarize_cluster_file"]

log = logging.getLogger(__name__)

#: leads embedded and remembered per process (an evaluation summarizes the same leads twice)
_CACHE_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """A cluster's summary and the ids of the members left out as off-topic (input order)."""

    summary: Summary
    off_topic: tuple[str, ...] = ()


class GuardedSummarizer:
    """A ``Summarizer`` that first drops the documents the off-topic filter flags.

    ``summarize_flagged(docs, ...)`` returns the summary and the flagged ids; calling the object
    (the ``Summarizer`` protocol) returns the summary only. ``embedder`` encodes each document's
    lead (as the clusterer does); vectors are cached by lead text. ``background``: document
    frequencies of the whole input (``background_of`` every document of every cluster), the
    filter's IDF; without it the filter falls back on plain term frequencies and finds fewer
    intruders.
    """

    name = "ours (concept ILP + off-topic filter)"

    def __init__(
        self,
        embedder: Embedder,
        cluster_settings: ClusterSettings = ClusterSettings(),
        summarizer: ExtractiveSummarizer | None = None,
        background: DocFreq | None = None,
    ) -> None:
        self.embedder = embedder
        self.background = background
        self.cluster_settings = cluster_settings
        self.summarizer = summarizer or ExtractiveSummarizer()
        self._vectors: dict[str, np.ndarray] = {}

    def flag(self, docs: Sequence[Document]) -> set[str]:
        """Ids of the documents that do not belong with the rest (groups under 4: none)."""
        if len(docs) < 4:
            return set()
        vectors = self._encode([d.lead for d in docs])
        members = [Embedded(d, v) for d, v in zip(docs, vectors, strict=True)]
        return filter_off_topic(members, self.cluster_settings, self.background)

    def summarize_flagged(
        self,
        docs: Sequence[Document],
        words: int = 100,
        style: str = "default",
        query: str | None = None,
    ) -> ClusterSummary:
        """The summary of the on-topic documents and the flagged ids (copies included)."""
        docs = [d for d in docs if d.sentences]
        flagged = self.flag(docs)
        kept = [d for d in docs if d.id not in flagged]
        summary = self.summarizer(kept, words, style, query) if kept else Summary()
        off = tuple(i for d in docs if d.id in flagged for i in d.all_ids)
        if off:
            log.info("%d of %d documents flagged off-topic", len(flagged), len(docs))
        return ClusterSummary(summary, off)

    def __call__(
        self,
        docs: Sequence[Document],
        words: int = 100,
        style: str = "default",
        query: str | None = None,
    ) -> Summary:
        return self.summarize_flagged(docs, words, style, query).summary

    def _encode(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            if len(self._vectors) + len(missing) > _CACHE_LIMIT:
                self._vectors.clear()
            for t, v in zip(missing, self.embedder.encode(missing), strict=True):
                self._vectors[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])


def summarize_articles_flagged(
    articles: Sequence[Article],
    words: int,
    style: str,
    settings: Settings,
    guard: GuardedSummarizer,
) -> ClusterSummary:
    """One cluster: normalize, fold duplicates, flag off-topic members, summarize the rest."""
    with lean_runtime():
        return summarize_documents_flagged(list(normalize(articles)), words, style, settings,
                                           guard)


def summarize_documents_flagged(
    docs: Sequence[Document],
    words: int,
    style: str,
    settings: Settings,
    guard: GuardedSummarizer,
) -> ClusterSummary:
    """``summarize_articles_flagged`` of a cluster already normalized, under the lean runtime of
    ``storyline.runtime`` (fewer collector passes: the slowest of DUC 2006's 25-article clusters
    0.56-0.58 -> 0.49-0.53 s; docs/summarization.md, *Speed*)."""
    with lean_runtime():
        folded = fold_batch(docs, settings.dedupe)
        return (guard.summarize_flagged(folded, words, style) if folded
                else ClusterSummary(Summary()))


def summarize_cluster_file(
    path: str | Path,
    words: int,
    style: str,
    settings: Settings,
    embedder: Embedder,
    report: IngestReport | None = None,
    rewrite: bool | None = None,
    fmt: str | None = None,
) -> Iterator[dict[str, Any]]:
    """``storyline summarize FILE``: one ``{"id", "summary", "sentences": [{"text",
    "articles"}], "off_topic": [ids]}`` per cluster. With ``rewrite`` (default: the
    ``summary.rewrite`` setting), the summary is rewritten by the configured chat-completions
    server when the rewrite passes the source check (``"rewritten": true``), and the extractive
    text is kept otherwise (``"rewritten": false``, ``"rewrite_note"`` says why). ``path``: a
    cluster file, or any other input read as one cluster (``storyline.ingest.read_groups``, with
    ``fmt``)."""
    from storyline.ingest import read_groups

    clusters = [(cluster_id, articles, list(normalize(articles))) for cluster_id, articles
                in read_groups(path, fmt, settings.ingest, report or IngestReport())]
    # every cluster of the file is the off-topic filter's IDF background (as `storyline filter`)
    background = background_of((d for _, _, docs in clusters for d in docs), settings.cluster)
    guard = GuardedSummarizer(embedder, settings.cluster, background=background)
    do_rewrite = settings.summary.rewrite if rewrite is None else rewrite
    rewriter = None
    if do_rewrite:
        from storyline.enrich.rewrite import Rewriter

        rewriter = Rewriter.from_settings(settings.summary)
    for cluster_id, articles, docs in clusters:
        result = summarize_documents_flagged(docs, words, style, settings, guard)
        summary = result.summary
        record: dict[str, Any] = {
            "id": cluster_id,
            "summary": summary.text,
            "sentences": [
                {"text": s.text, "articles": list(s.articles)} for s in summary.sentences
            ],
            "off_topic": list(result.off_topic),
        }
        if rewriter is not None:
            flagged = set(result.off_topic)
            sources = [a for a in articles if a.id not in flagged]
            outcome = rewriter.rewrite(summary, sources, words)
            record["summary"] = outcome.text
            record["rewritten"] = outcome.accepted
            if not outcome.accepted:
                record["rewrite_note"] = outcome.reason
        yield record
