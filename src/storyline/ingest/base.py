"""The reader interface and the report every ingest fills: what was read, what was skipped, why."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from storyline.models import Article

__all__ = ["FileReport", "IngestReport", "Problem", "Reader"]

log = logging.getLogger("storyline.ingest")


@dataclass(frozen=True, slots=True)
class Problem:
    """One skipped record or file: where it was (``file:line``) and why."""

    where: str
    reason: str


@dataclass
class FileReport:
    """What one input file gave: its detected format, records read, skipped and warned about."""

    path: str
    format: str = ""
    read: int = 0
    skipped: int = 0
    warnings: int = 0

    def summary(self) -> str:
        line = f"{self.path} ({self.format or '?'}): read {self.read}"
        if self.skipped:
            line += f", skipped {self.skipped}"
        if self.warnings:
            line += f", {self.warnings} warning{'s' if self.warnings != 1 else ''}"
        return line


@dataclass
class IngestReport:
    """Counts of what was read and skipped, per reason, with the first problems kept verbatim.

    ``skipped`` counts records (or whole files) that were dropped; ``warned`` counts records that
    were kept but altered or guessed at (truncated, decoded as cp1252, unparseable time). ``files``
    has one :class:`FileReport` per input file, in reading order.
    """

    read: int = 0
    #: bytes read so far (decompressed for gzip; the archive's own bytes for WARC): for progress
    bytes_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    max_problems: int = 50
    warned: Counter[str] = field(default_factory=Counter)
    files: list[FileReport] = field(default_factory=list)

    def begin_file(self, path: str | Path, fmt: str = "") -> FileReport:
        """Start counting for a new input file; later ``ok``/``skip``/``warn`` calls count to it."""
        current = FileReport(str(path), fmt)
        self.files.append(current)
        return current

    @property
    def current(self) -> FileReport | None:
        return self.files[-1] if self.files else None

    def ok(self, n: int = 1) -> None:
        self.read += n
        if self.files:
            self.files[-1].read += n

    def skip(self, where: str, reason: str, detail: str = "", quiet: bool = False) -> None:
        """Record a skipped record: ``reason`` is a short category ("invalid JSON"), ``detail`` the
        specific message. ``quiet`` skips are counted but not listed in ``problems`` nor logged
        as warnings (routine skips, such as the request records of a web archive)."""
        self.skipped[reason] += 1
        if self.files:
            self.files[-1].skipped += 1
        message = f"{reason}: {detail}" if detail else reason
        if quiet:
            log.debug("%s: skipped: %s", where, message)
        elif len(self.problems) < self.max_problems:
            self.problems.append(Problem(where, message))
            log.warning("%s: skipped: %s", where, message)
        else:  # past the first problems, keep the log readable: counts are in the summary
            log.debug("%s: skipped: %s", where, message)

    def warn(self, where: str, reason: str, detail: str = "") -> None:
        """Record a problem with a record that was kept (truncated, re-decoded, bad time...)."""
        self.warned[reason] += 1
        if self.files:
            self.files[-1].warnings += 1
        message = f"{reason}: {detail}" if detail else reason
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(where, f"warning: {message}"))
            log.warning("%s: %s", where, message)
        else:
            log.debug("%s: %s", where, message)

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def total_warnings(self) -> int:
        return sum(self.warned.values())

    def as_dict(self) -> dict[str, object]:
        """The report as plain JSON-ready data (for ``--json`` output and the API)."""
        return {
            "read": self.read,
            "skipped": dict(self.skipped.most_common()),
            "warnings": dict(self.warned.most_common()),
            "files": [
                {
                    "path": f.path,
                    "format": f.format,
                    "read": f.read,
                    "skipped": f.skipped,
                    "warnings": f.warnings,
                }
                for f in self.files
            ],
            "problems": [{"where": p.where, "reason": p.reason} for p in self.problems],
        }

    def summary(self) -> str:
        """One line: ``read 120 records; skipped 3: invalid JSON 2, empty record 1``."""
        line = f"read {self.read} record{'s' if self.read != 1 else ''}"
        if len(self.files) > 1:
            line += f" from {len(self.files)} files"
        if self.total_skipped:
            parts = ", ".join(f"{reason} {n}" for reason, n in self.skipped.most_common())
            line += f"; skipped {self.total_skipped}: {parts}"
        if self.total_warnings:
            parts = ", ".join(f"{reason} {n}" for reason, n in self.warned.most_common())
            line += f"; warnings {self.total_warnings}: {parts}"
        return line


class Reader(Protocol):
    """Reads one file into articles. Bad records are reported to ``report`` and skipped; a reader
    raises ``storyline.errors.InputError`` only when the whole file cannot be read."""

    def __call__(self, path: Path, report: IngestReport) -> Iterator[Article]: ...
