"""A story's structured extras: timeline, entities, disagreements (each switchable in
``EnrichSettings``), in the JSON shapes the store keeps for the story page and ``show``."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from storyline.config import EnrichSettings
from storyline.enrich.entities import EntityExtractor, HeuristicExtractor, get_extractor
from storyline.models import Document, StoryExtras

__all__ = ["StoryExtras", "compute_extras"]


@lru_cache(maxsize=2)
def _extractor(mode: str, max_chars: int) -> EntityExtractor:
    return HeuristicExtractor() if mode == "heuristic" else get_extractor("spacy", max_chars)


def compute_extras(docs: Sequence[Document], settings: EnrichSettings) -> StoryExtras:
    timeline = entities = disagreements = None
    if settings.timeline:
        from storyline.enrich.timeline import build_timeline_entries, timeline_rows

        timeline = timeline_rows(
            build_timeline_entries(docs, sentences_per_date=settings.timeline_sentences))
    if settings.entities != "off":
        from storyline.enrich.entities import entity_rows, story_entities

        entities = entity_rows(
            story_entities(docs, _extractor(settings.entities, settings.entities_chars),
                           top=settings.entities_top))
    if settings.disagreements:
        from storyline.enrich.disagreements import disagreement_rows, find_disagreements

        disagreements = disagreement_rows(find_disagreements(docs))
    return StoryExtras(timeline, entities, disagreements)
