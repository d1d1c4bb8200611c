"""CSV/TSV files with a header row: columns found by name, delimiter sniffed from the header.

Column names come from ``IngestSettings.csv_title``/``csv_text``/``csv_time``/``csv_source``/
``csv_url``/``csv_id`` (first match wins, case-insensitive). The delimiter is the one of comma,
tab and semicolon that occurs most in the header line (outside quotes). Rows are streamed.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from storyline.config import IngestSettings
from storyline.ingest._records import IdMinter, host_of, safe_time
from storyline.ingest._source import Line, open_lines
from storyline.ingest.base import IngestReport
from storyline.models import Article

__all__ = ["read_csv", "sniff_delimiter"]

_DELIMITERS = (",", "\t", ";", "|")
#: rows that fail to parse in a row before the file is given up as not CSV
_MAX_BAD_ROWS = 50
#: physical lines one row may span (quoted multi-line fields) before it is taken as runaway
MAX_ROW_LINES = 500


def sniff_delimiter(header: str) -> str:
    """The delimiter that occurs most in ``header`` outside double quotes (comma if none)."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().strip("\ufeff").lower() for h in header]
    for name in names:
        if name.lower() in lowered:
            return lowered.index(name.lower())
    return None


def read_csv(
    path: Path,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),
    mint: IdMinter | None = None,
) -> Iterator[Article]:
    """Articles from a delimited file with a header row, in file order."""
    mint = mint or IdMinter()
    cap = settings.max_record_chars
    lines = open_lines(path, report, cap)
    header_line = next((line for line in lines if line.text.strip()), None)
    if header_line is None:
        return
    delimiter = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else None
    delimiter = delimiter or sniff_delimiter(header_line.text)
    try:
        header = next(csv.reader([header_line.text.replace("\r", " ")], delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        report.skip(f"{path}:{header_line.number}", "invalid CSV header", str(exc))
        return
    cols = {
        key: _column(header, getattr(settings, f"csv_{key}"))
        for key in ("title", "text", "time", "source", "url", "id")
    }
    if cols["title"] is None and cols["text"] is None:
        names = ", ".join(settings.csv_title + settings.csv_text)
        report.skip(
            f"{path}:{header_line.number}",
            "no title or text column",
            f"header {header[:12]!r}; expected one of: {names}",
        )
        return
    source = _PhysicalLines(lines, path, report, cap)
    if csv.field_size_limit() < cap:
        csv.field_size_limit(cap)
    rows = csv.reader(source, delimiter=delimiter)
    bad_in_a_row = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except (_RowTooLong, csv.Error) as exc:
            first = source.first_number or header_line.number
            if isinstance(exc, _RowTooLong):
                report.skip(f"{path}:{first}", "invalid CSV row", str(exc))
                source.drop_row(replay_rest=True)
                rows = csv.reader(source, delimiter=delimiter)
            else:
                report.skip(f"{path}:{first}", "invalid CSV row", str(exc))
                source.drop_row(replay_rest=False)
            bad_in_a_row += 1
            if bad_in_a_row >= _MAX_BAD_ROWS:
                report.skip(f"{path}:{first}", "invalid CSV", f"{_MAX_BAD_ROWS} bad rows in a row")
                return
            continue
        if source.unclosed_quote():  # the file ended inside a quoted field
            first = source.first_number or header_line.number
            report.skip(f"{path}:{first}", "invalid CSV row", "unclosed quote; later lines re-read")
            source.drop_row(replay_rest=True)
            rows = csv.reader(source, delimiter=delimiter)
            continue
        bad_in_a_row = 0
        where = f"{path}:{source.first_number}"
        source.drop_row(replay_rest=False)
        if not any(cell.strip() for cell in row):
            continue
        article = _row_article(row, cols, where, report, mint, cap)
        if article is not None:
            report.ok()
            yield article


class _RowTooLong(Exception):
    pass


class _PhysicalLines:
    """Feeds ``csv.reader`` one physical line at a time, keeping the lines of the row being
    read: a row that runs away (a quote left open) can then be dropped and its later lines read
    again as rows of their own, so one stray quote costs one row, not the rest of the file."""

    def __init__(self, lines: Iterator[Line], path: Path, report: IngestReport, cap: int) -> None:
        self.lines = lines
        self.path = path
        self.report = report
        self.cap = cap
        self.replay: deque[Line] = deque()
        self.current: list[Line] = []
        self.chars = 0

    def __iter__(self) -> _PhysicalLines:
        return self

    def __next__(self) -> str:
        if self.replay:
            line = self.replay.popleft()
        else:
            line = next(self.lines)
            if line.truncated:
                where = f"{self.path}:{line.number}"
                self.report.warn(where, "truncated", f"line longer than {self.cap} characters")
        self.current.append(line)
        self.chars += len(line.text)
        if len(self.current) > MAX_ROW_LINES or self.chars > self.cap:
            raise _RowTooLong(
                f"a quoted field runs on for more than {len(self.current) - 1} lines "
                "(a quote left open?); later lines re-read"
            )
        return line.text.replace("\r", " ") + "\n"  # a lone CR is not a line break here

    @property
    def first_number(self) -> int:
        return self.current[0].number if self.current else 0

    def unclosed_quote(self) -> bool:
        return len(self.current) > 1 and sum(x.text.count('"') for x in self.current) % 2 == 1

    def drop_row(self, replay_rest: bool) -> None:
        if replay_rest:
            self.replay.extendleft(reversed(self.current[1:]))
        self.current = []
        self.chars = 0


def _row_article(
    row: list[str],
    cols: dict[str, int | None],
    where: str,
    report: IngestReport,
    mint: IdMinter,
    cap: int,
) -> Article | None:
    def cell(key: str) -> str:
        index = cols[key]
        return row[index].strip() if index is not None and index < len(row) else ""

    title, text = cell("title"), cell("text")
    if not title and not text:
        report.skip(where, "no text or title", "empty title and text cells")
        return None
    if len(title) > cap or len(text) > cap:
        report.warn(where, "truncated", f"record longer than {cap} characters")
        title, text = title[:cap], text[:cap]
    raw_time = cell("time")
    time = safe_time(raw_time)
    if raw_time and time is None:
        report.warn(where, "unreadable time", repr(raw_time)[:60])
    url = cell("url")
    given = cell("id")
    return Article(
        id=mint.claim(given) if given else mint("c", title, text),
        title=title,
        text=text,
        time=time,
        source=cell("source") or host_of(url),
        url=url,
        origin=where,
    )
