"""Typed, immutable records that flow between the pipeline stages.

The data flow is ``Article`` (ingest) -> ``Document`` (normalize: clean text, sentences, dates)
-> ``Document`` with ``copies`` (dedupe folds exact and near-duplicates) -> ``Embedded`` (embed)
-> story assignment (cluster) -> ``Story`` with ``Summary`` (enrich) -> SQLite rows (store).

Every record carries stable ids so that any output (a summary sentence, a timeline entry) can be
traced back to the articles it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

__all__ = [
    "Article",
    "Document",
    "Embedded",
    "Sentence",
    "Story",
    "Summary",
    "SummarySentence",
]


@dataclass(frozen=True, slots=True)
class Article:
    """One input item as read from a file or feed: a full article, a headline or a loose sentence.

    ``id`` is stable: the id given by the input, or a hash of the content when none is given.
    ``origin`` says where it was read ("file.jsonl:12"). ``cluster`` is the cluster id the input
    file put it in (cluster files only; the pipeline ignores it except in evaluation).
    """

    id: str
    title: str = ""
    text: str = ""
    time: datetime | None = None
    source: str = ""
    url: str = ""
    origin: str = ""
    cluster: str | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article. ``index`` is its position in the body (0 = first); the title is
    a sentence with ``is_title=True`` and ``index=-1``."""

    id: str
    article_id: str
    index: int
    text: str
    is_title: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    """A normalized article: cleaned title and body, sentences, content fingerprint.

    ``copies`` lists the ids of the articles that dedupe folded into this one (exact or near
    duplicates); it is empty until the dedupe stage runs.
    """

    article: Article
    title: str
    body: str
    sentences: tuple[Sentence, ...]
    content_hash: str
    copies: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def time(self) -> datetime | None:
        return self.article.time

    @property
    def lead(self) -> str:
        """Title plus the first body sentences: the short unit the embedder sees."""
        body = [s.text for s in self.sentences if not s.is_title][:2]
        return " ".join([self.title, *body]).strip()

    @property
    def all_ids(self) -> tuple[str, ...]:
        return (self.article.id, *self.copies)


@dataclass(frozen=True, slots=True, eq=False)
class Embedded:
    """A document with its unit-length embedding vector (float32)."""

    document: Document
    vector: np.ndarray = field(repr=False)

    @property
    def id(self) -> str:
        return self.document.id


#: characters that end a sentence (a summary sentence without one is a headline)
_FINAL = tuple(".!?…\"'”’)]:;")


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """A sentence of a summary, with the ids of every article that carries it (or a near copy)."""

    text: str
    articles: tuple[str, ...]
    time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    sentences: tuple[SummarySentence, ...] = ()

    @property
    def text(self) -> str:
        """The sentences as one paragraph; a headline among them (no final punctuation) gets a
        full stop, so that it does not run into the next sentence."""
        return " ".join(s.text if s.text.endswith(_FINAL) else s.text + "."
                        for s in self.sentences)

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Story:
    """A group of reports about one real-world event.

    ``storyline_id`` groups related events (the coarser granularity). ``members`` are the ids of
    the articles in the story (duplicates included); ``off_topic`` those that were assigned to it
    but judged not to belong.
    """

    id: str
    storyline_id: str
    headline: str
    summary: Summary
    members: tuple[str, ...]
    off_topic: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class StoryExtras:
    """A story's timeline, entities and disagreements (enrich stage), in their storage shapes:
    timeline ``[{"date", "text", "articles"}]``; entities ``[{"name", "label", "mentions",
    "aliases", ...}]``; disagreements ``[{"topic", "kind", "claims": [{"text", "value",
    "articles", "sources", "earliest"}]}]``."""

    timeline: list[dict[str, Any]] | None = None
    entities: list[dict[str, Any]] | None = None
    disagreements: list[dict[str, Any]] | None = None
