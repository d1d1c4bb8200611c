"""Representative headline: the title of the member closest to the story's centre, preferring
titles of ordinary headline length; for a story with no titles, the first summary sentence,
shortened.

The centre and the closeness use the members' stored lead vectors (the embed stage already made
them), so picking a headline costs no model call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from storyline.models import Document, Summary

__all__ = ["central_headline"]

_SHOUT = re.compile(r"^[^a-z]*$")
#: headlines are shortened to this many words
MAX_WORDS = 18


def _length_penalty(title: str) -> float:
    n = len(title.split())
    if n < 4:
        return 0.15
    if n > 16:
        return 0.1
    return 0.0


def central_headline(docs: Sequence[Document], summary: Summary, vectors: np.ndarray) -> str:
    """``vectors``: one unit-length lead vector per document, in the same order."""
    if len(vectors) != len(docs):
        raise ValueError(f"{len(docs)} documents but {len(vectors)} vectors")
    titled = [i for i, d in enumerate(docs) if d.title]
    if not titled:
        return _shorten(summary.sentences[0].text if summary.sentences else "", MAX_WORDS)
    matrix = np.asarray(vectors, dtype=np.float32)
    centre = matrix.mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    closeness = matrix @ centre
    best = max(titled, key=lambda i: (closeness[i] - _length_penalty(docs[i].title), -i))
    return _tidy(docs[best].title)


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
