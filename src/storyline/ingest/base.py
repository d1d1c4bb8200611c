"""The reader interface and the report every ingest fills: what was read, what was skipped, why."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from storyline.models import Article

__all__ = ["Reader", "IngestReport", "Problem"]

log = logging.getLogger("storyline.ingest")


@dataclass(frozen=True, slots=True)
class Problem:
    """One skipped record or file: where it was (``file:line``) and why."""

    where: str
    reason: str


@dataclass
class IngestReport:
    """Counts of what was read and skipped, per reason, with the first problems kept verbatim."""

    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    max_problems: int = 50

    def ok(self, n: int = 1) -> None:
        self.read += n

    def skip(self, where: str, reason: str, detail: str = "") -> None:
        """Record a skipped record: ``reason`` is a short category ("invalid JSON"), ``detail`` the
        specific message."""
        self.skipped[reason] += 1
        message = f"{reason}: {detail}" if detail else reason
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(where, message))
        log.warning("%s: skipped: %s", where, message)

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        """One line: ``read 120 records; skipped 3: invalid JSON 2, empty record 1``."""
        line = f"read {self.read} record{'s' if self.read != 1 else ''}"
        if self.total_skipped:
            parts = ", ".join(f"{reason} {n}" for reason, n in self.skipped.most_common())
            line += f"; skipped {self.total_skipped}: {parts}"
        return line


class Reader(Protocol):
    """Reads one file into articles. Bad records are reported to ``report`` and skipped; a reader
    raises ``storyline.errors.InputError`` only when the whole file cannot be read."""

    def __call__(self, path: Path, report: IngestReport) -> Iterator[Article]: ...
