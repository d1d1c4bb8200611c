"""Interfaces of the cluster stage: online assignment of items to stories, off-topic filtering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np

from storyline.models import Embedded

__all__ = ["Clusterer", "OffTopicFilter", "StoryState"]


@dataclass(frozen=True, slots=True, eq=False)
class StoryState:
    """What the clusterer remembers of a story between runs (persisted in the store): the sum of
    its members' vectors, their count, and the times of its first and last item.

    ``terms`` is the sum of the members' unit TF-IDF vectors (the strongest terms only) and
    ``doc_freq`` how many members contain each term (the online IDF of the stream is the sum of
    these over all stories, so a clusterer rebuilt from states continues exactly).
    """

    id: str
    vector_sum: np.ndarray = field(repr=False)
    count: int
    first: datetime | None = None
    last: datetime | None = None
    terms: dict[str, float] = field(default_factory=dict, repr=False)
    doc_freq: dict[str, int] = field(default_factory=dict, repr=False)


class Clusterer(Protocol):
    """Assigns a stream of items (in time order) to stories, one at a time, with no look-ahead."""

    def assign(self, item: Embedded) -> str:
        """Return the story id of ``item`` (a new id when it starts a story)."""
        ...

    def states(self) -> list[StoryState]:
        """The current state of every story (for persistence and incremental runs)."""
        ...

    def storylines(self) -> dict[str, str]:
        """Story id -> storyline id (the coarser grouping of related events)."""
        ...


class OffTopicFilter(Protocol):
    def __call__(self, members: Sequence[Embedded]) -> set[str]:
        """The ids of the members that do not belong with the rest."""
        ...
