"""Embed stage: short units (titles, leads, sentences) to unit vectors."""

from __future__ import annotations

from functools import lru_cache

from storyline.config import EmbedSettings
from storyline.embed.base import Embedder, normalize_rows
from storyline.errors import StorylineError

__all__ = ["Embedder", "get_embedder", "normalize_rows"]

EMBEDDERS = ("minilm", "static", "tfidf")


@lru_cache(maxsize=4)
def get_embedder(settings: EmbedSettings = EmbedSettings()) -> Embedder:
    """The embedder named in the settings, loaded once per process."""
    if settings.model == "minilm":
        from storyline.embed.minilm import MiniLMEmbedder

        return MiniLMEmbedder(settings.batch_size, settings.max_tokens, settings.threads,
                              settings.quantize)
    if settings.model == "static":
        from storyline.embed.static import StaticEmbedder

        return StaticEmbedder()
    if settings.model == "tfidf":
        from storyline.embed.tfidf import TfidfEmbedder

        return TfidfEmbedder()
    raise StorylineError(
        f"unknown embedder {settings.model!r} (choose from {', '.join(EMBEDDERS)})"
    )
