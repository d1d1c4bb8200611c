"""Representative headline: the member title closest to the story's centre, preferring titles of
ordinary headline length; for a story with no titles, the first summary sentence, shortened."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from storyline.embed.base import Embedder
from storyline.models import Document, Summary

__all__ = ["CentralHeadliner"]

_SHOUT = re.compile(r"^[^a-z]*$")


def _length_penalty(title: str) -> float:
    n = len(title.split())
    if n < 4:
        return 0.15
    if n > 16:
        return 0.1
    return 0.0


class CentralHeadliner:
    def __init__(self, embedder: Embedder, max_words: int = 18) -> None:
        self.embedder = embedder
        self.max_words = max_words

    def __call__(
        self, docs: Sequence[Document], summary: Summary, leads: np.ndarray | None = None
    ) -> str:
        """``leads``: the documents' lead vectors when already embedded (they are in the store)."""
        titles = list(dict.fromkeys(d.title for d in docs if d.title))
        if not titles:
            return _shorten(summary.sentences[0].text if summary.sentences else "", self.max_words)
        if len(titles) == 1:
            return _tidy(titles[0])
        if leads is None:
            leads = self.embedder.encode([d.lead for d in docs])
        t = self.embedder.encode(titles)
        centre = np.asarray(leads, dtype=np.float32).mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        scores = t @ centre - np.array([_length_penalty(x) for x in titles])
        return _tidy(titles[int(np.argmax(scores))])


def _tidy(title: str) -> str:
    title = title.strip()
    if _SHOUT.match(title) and any(ch.isalpha() for ch in title):
        title = title.capitalize()  # DUC-style ALL CAPS titles
    return title


def _shorten(text: str, max_words: int) -> str:
    words = text.split()
    if len(words) <= max_words:
        return text
    return " ".join(words[:max_words]).rstrip(",;:") + "…"
