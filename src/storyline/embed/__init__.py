"""Embed stage: short units (titles, leads, sentences) to unit vectors."""

from __future__ import annotations

from functools import lru_cache

from storyline.config import EmbedSettings
from storyline.embed.base import Embedder, normalize_rows, same_model
from storyline.errors import StorylineError

__all__ = ["Embedder", "embedder_name", "get_embedder", "normalize_rows", "same_model"]

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
    raise _unknown(settings.model)


def embedder_name(settings: EmbedSettings = EmbedSettings()) -> str:
    """The ``Embedder.name`` of ``get_embedder(settings)``, without loading the model."""
    if settings.model == "minilm":
        from storyline.embed.minilm import model_name

        return model_name(settings.quantize)
    if settings.model == "static":
        from storyline.embed.static import StaticEmbedder

        return StaticEmbedder.name
    if settings.model == "tfidf":
        from storyline.embed.tfidf import TfidfEmbedder

        return TfidfEmbedder.name
    raise _unknown(settings.model)


def _unknown(model: str) -> StorylineError:
    return StorylineError(f"unknown embedder {model!r} (choose from {', '.join(EMBEDDERS)})")
