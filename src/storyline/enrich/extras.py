"""A story's structured extras: timeline, entities, disagreements (each switchable in
``EnrichSettings``), in the JSON shapes the store keeps for the story page and ``show``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from storyline.config import EnrichSettings
from storyline.embed.base import Embedder
from storyline.enrich.entities import EntityExtractor, HeuristicExtractor, get_extractor
from storyline.models import Document

__all__ = ["StoryExtras", "compute_extras"]


@dataclass(frozen=True)
class StoryExtras:
    """Storage shapes: timeline ``[{"date", "text", "articles"}]``, entities
    ``[{"name", "label", "mentions", "aliases"}]``, disagreements
    ``[{"topic", "kind", "claims": [{"text", "value", "articles", "sources", "earliest"}]}]``."""

    timeline: list[dict[str, Any]] | None = None
    entities: list[dict[str, Any]] | None = None
    disagreements: list[dict[str, Any]] | None = None


@lru_cache(maxsize=2)
def _extractor(mode: str) -> EntityExtractor:
    return HeuristicExtractor() if mode == "heuristic" else get_extractor("spacy")


def compute_extras(
    docs: Sequence[Document], settings: EnrichSettings, embedder: Embedder | None = None
) -> StoryExtras:
    timeline = entities = disagreements = None
    if settings.timeline:
        from storyline.enrich.timeline import build_timeline_entries

        timeline = [
            {"date": entry.date.isoformat(), "text": s.text, "articles": list(s.articles)}
            for entry in build_timeline_entries(
                docs, sentences_per_date=settings.timeline_sentences, embedder=embedder)
            for s in entry.sentences
        ]
    if settings.entities != "off":
        from storyline.enrich.entities import story_entities

        entities = [
            {"name": e.name, "label": e.label, "mentions": e.mentions, "aliases": list(e.aliases),
             "articles": list(e.articles)}
            for e in story_entities(docs, _extractor(settings.entities), top=settings.entities_top)
        ]
    if settings.disagreements:
        from storyline.enrich.disagreements import find_disagreements

        disagreements = [
            {
                "topic": d.claim,
                "kind": d.kind,
                "claims": [
                    {"text": v.text, "value": v.value, "articles": list(v.articles),
                     "sources": list(v.sources),
                     "earliest": v.earliest.isoformat() if v.earliest else None}
                    for v in d.variants
                ],
            }
            for d in find_disagreements(docs)
        ]
    return StoryExtras(timeline, entities, disagreements)
