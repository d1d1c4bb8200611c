"""Interfaces of the enrich stage: summary and headline of a story."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from storyline.models import Document, Summary

__all__ = ["Headliner", "Summarizer"]


class Summarizer(Protocol):
    def __call__(
        self, docs: Sequence[Document], words: int = 100, style: str = "default"
    ) -> Summary:
        """An extractive summary of at most ``words`` words made of the documents' own sentences;
        each summary sentence lists every article (and folded copy) that carries it."""
        ...


class Headliner(Protocol):
    def __call__(self, docs: Sequence[Document], summary: Summary) -> str: ...
