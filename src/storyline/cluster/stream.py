"""``cluster_stream``: articles in, (article id, story id, storyline id) out — the library verb
behind ``storyline cluster FILE``.

Articles are put in time order (an article with no time keeps its place after the article that
precedes it in the file), normalized, embedded in small batches and assigned one at a time: no
assignment looks further ahead than the current batch's embeddings, which it does not use.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import TypeVar

from storyline.cluster.online import OnlineClusterer
from storyline.config import ClusterSettings
from storyline.embed.base import Embedder
from storyline.models import Article, Document, Embedded
from storyline.normalize import normalize_one

__all__ = ["cluster_stream", "embed_documents", "time_order"]

log = logging.getLogger(__name__)

T = TypeVar("T", Article, Document)


def time_order(items: Sequence[T]) -> list[T]:
    """Stable sort by time; an item with no time sorts with the last timed item before it in the
    input (items before any timed item come first, in input order)."""
    keys: list[tuple[int, datetime | None, int]] = []
    carried: datetime | None = None
    for pos, item in enumerate(items):
        if item.time is not None:
            carried = item.time
        keys.append((0 if carried is None else 1, carried, pos))
    order = sorted(range(len(items)), key=lambda i: (keys[i][0], keys[i][1] or 0, keys[i][2]))
    return [items[i] for i in order]


def embed_documents(
    docs: Iterable[Document], embedder: Embedder, batch_size: int = 64
) -> Iterator[Embedded]:
    """Embed the leads of ``docs`` in batches of ``batch_size``, preserving order."""
    it = iter(docs)
    while batch := list(islice(it, batch_size)):
        vectors = embedder.encode([d.lead for d in batch])
        for doc, vec in zip(batch, vectors, strict=True):
            yield Embedded(doc, vec)


def cluster_stream(
    articles: Iterable[Article],
    embedder: Embedder,
    settings: ClusterSettings,
    batch_size: int = 64,
    clusterer: OnlineClusterer | None = None,
) -> Iterator[tuple[str, str, str]]:
    """Yield ``(article_id, story_id, storyline_id)`` for every article with text, in time order.

    Storyline ids are computed once the stream is exhausted (they need every story), so the
    tuples are yielded at the end, with the ids of stories merged on the way resolved. Pass
    ``clusterer`` to keep its states afterwards (incremental runs construct it from the stored
    ``StoryState``s).
    """
    clusterer = clusterer if clusterer is not None else OnlineClusterer(settings)
    docs = []
    for article in time_order(list(articles)):
        doc = normalize_one(article)
        if doc.sentences:
            docs.append(doc)
        else:
            log.warning("article %s has no text after cleaning: skipped", article.id)
    assigned: list[tuple[str, str]] = []
    for item in embed_documents(docs, embedder, batch_size):
        assigned.append((item.id, clusterer.assign(item)))
    lines = clusterer.storylines()
    for article_id, story_id in assigned:
        story_id = clusterer.resolve(story_id)
        yield article_id, story_id, lines.get(story_id, story_id)
