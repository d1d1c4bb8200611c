"""WARC and WARC.gz web archives with warcio (``[feeds]`` extra): the HTML pages in them.

Records are streamed one at a time; each page payload is read up to ``MAX_PAGE_BYTES`` (the rest
is skipped by the iterator, never held). Only ``response`` (HTTP 200) and ``resource`` records
with an HTML payload are extracted (see :mod:`storyline.ingest.html`); everything else is counted
under a reason: ``not a page record`` (request, metadata, warcinfo...), ``HTTP status``,
``not HTML``, ``no main text``. A record with bad headers, or a compressed stream that ends
early, is reported as ``bad WARC record`` / ``truncated gzip``; after a bad record, reading goes
on from the next ``WARC/1.`` header line (a compressed stream that ends early ends the file).
Progress (bytes and records) is logged every ``PROGRESS_BYTES``.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from storyline.config import IngestSettings
from storyline.errors import MissingDependency, require
from storyline.ingest._records import IdMinter
from storyline.ingest._source import sniff
from storyline.ingest.base import IngestReport
from storyline.ingest.html import MAX_PAGE_BYTES, decode_html, extract_article
from storyline.models import Article

__all__ = ["HTML_TYPES", "PROGRESS_BYTES", "read_warc"]

log = logging.getLogger("storyline.ingest")

HTML_TYPES = ("text/html", "application/xhtml+xml")
PROGRESS_BYTES = 64 * 1024 * 1024
#: bad records after which an archive is given up (each one is skipped to the next header)
MAX_RESYNCS = 1000
CHUNK = 256 * 1024

Progress = Callable[[int, int], None]


def _log_progress(path: Path) -> Progress:
    def report(bytes_read: int, records: int) -> None:
        log.info("%s: %.0f MB, %d records", path, bytes_read / 1e6, records)

    return report


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _looks_like_html(head: bytes) -> bool:
    sample = head[:1024].lstrip().lower()
    return sample.startswith((b"<!doctype html", b"<html")) or b"<html" in sample


def _page(record: Any, where: str, report: IngestReport) -> tuple[bytes, str | None] | None:
    """The HTML payload of a record and its declared charset, or ``None`` (reported)."""
    if record.rec_type == "response":
        http = record.http_headers
        status = http.get_statuscode() if http is not None else None
        if status != "200":
            report.skip(where, "HTTP status", f"status {status}")
            return None
        content_type = (http.get_header("Content-Type") or "") if http is not None else ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        report.skip(where, "not a page record", f"WARC-Type {record.rec_type}", quiet=True)
        return None
    data = record.content_stream().read(MAX_PAGE_BYTES + 1)
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime not in HTML_TYPES and not (not mime and _looks_like_html(data)):
        report.skip(where, "not HTML", f"content type {mime or 'unknown'}")
        return None
    if len(data) > MAX_PAGE_BYTES:
        report.warn(where, "page too large", f"cut at {MAX_PAGE_BYTES} bytes")
        data = data[:MAX_PAGE_BYTES]
    return data, _charset(content_type)


def read_warc(
    path: Path,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),
    mint: IdMinter | None = None,
    progress: Progress | None = None,
) -> Iterator[Article]:
    """The articles of the HTML pages in a WARC or WARC.gz file, in archive order."""
    try:
        warcio = require("warcio.archiveiterator", "feeds", "warcio")
        require("trafilatura", "feeds")
    except MissingDependency as exc:
        report.skip(str(path), "missing dependency", str(exc))
        return
    mint = mint or IdMinter()
    progress = progress or _log_progress(path)
    try:
        info = sniff(path)
        raw = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        report.skip(str(path), "unreadable file", exc.strerror or str(exc))
        return
    try:
        if info.empty:
            report.skip(str(path), "empty file")
            return
        if not info.head.startswith((b"WARC/", b"filedesc://")):
            report.skip(str(path), "not a WARC file", "does not start with a WARC record")
            return
        # decompress here (whole-file or per-record gzip alike); warcio sees a plain archive
        stream = _Rewindable(_SafeGzip(raw) if info.gzipped else raw)
        yield from _iterate(warcio, stream, raw, path, report, mint, settings, progress)
        if isinstance(stream.src, _SafeGzip) and stream.src.error:
            report.skip(str(path), stream.src.error, "the archive ends early; kept what was read")
    finally:
        raw.close()


class _SafeGzip:
    """A gzip reader that ends cleanly where the compressed data ends early or is corrupt
    (``error`` then says which), instead of losing the last buffered bytes to an exception."""

    def __init__(self, raw: Any) -> None:
        self._gz = gzip.GzipFile(fileobj=raw)
        self.error = ""

    def read(self, size: int = -1) -> bytes:
        if self.error:
            return b""
        want = size if size is not None and size >= 0 else 1 << 62
        parts: list[bytes] = []
        got = 0
        while got < want:
            try:
                part = self._gz.read1(min(want - got, 1 << 20))
            except EOFError:
                self.error = "truncated gzip"
                break
            except (OSError, zlib.error):
                self.error = "corrupt gzip"
                break
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts)

    def readline(self, size: int = -1) -> bytes:  # warcio reads headers by line
        if self.error:
            return b""
        try:
            return self._gz.readline(size)
        except EOFError:
            self.error = "truncated gzip"
        except (OSError, zlib.error):
            self.error = "corrupt gzip"
        return b""


class _Rewindable:
    """The plain archive stream handed to warcio. It keeps the last ``HISTORY`` bytes read, so
    that after a record with bad headers reading can restart at the next ``WARC/1.`` line."""

    HISTORY = 1 << 20
    MARK = b"\nWARC/1."

    def __init__(self, src: Any) -> None:
        self.src = src
        self.history = bytearray()
        self.history_start = 0  # stream offset of history[0]
        self.pending = b""  # bytes to hand out again after a rewind
        self.position = 0  # stream offset of the next byte handed out

    def tell(self) -> int:
        return self.position

    def read(self, size: int = -1) -> bytes:
        if self.pending:
            n = len(self.pending) if size is None or size < 0 else min(size, len(self.pending))
            data, self.pending = self.pending[:n], self.pending[n:]
        else:
            data = self.src.read(size)
        self.position += len(data)
        self.history += data
        excess = len(self.history) - self.HISTORY
        if excess > 0:
            del self.history[:excess]
            self.history_start += excess
        return data

    def skip_to_next_record(self, after: int) -> bool:
        """Position the stream at the first ``WARC/1.`` line starting after offset ``after``;
        False when there is none before the end."""
        start = max(after, self.history_start)
        window = bytes(self.history[start - self.history_start :]) + self.pending
        base = start  # stream offset of window[0]
        while True:
            found = window.find(self.MARK)
            if found >= 0:
                mark = base + found + 1
                self.pending = window[found + 1 :]
                self.position = mark
                self.history = bytearray()
                self.history_start = mark
                return True
            keep = window[-(len(self.MARK) - 1) :]
            chunk = self.src.read(CHUNK)
            if not chunk:
                return False
            base += len(window) - len(keep)
            window = keep + chunk


def _iterate(
    warcio: Any,
    stream: _Rewindable,
    raw: Any,
    path: Path,
    report: IngestReport,
    mint: IdMinter,
    settings: IngestSettings,
    progress: Progress,
) -> Iterator[Article]:
    records = 0
    resyncs = 0
    next_progress = PROGRESS_BYTES
    seen = raw.tell()
    iterator = warcio.ArchiveIterator(stream, arc2warc=True)
    while True:
        where = f"{path} record {records + 1}"
        try:
            record = next(iterator)
        except StopIteration:
            break
        except EOFError:
            report.skip(where, "truncated gzip", "the archive ends early; kept what was read")
            break
        except Exception as exc:  # warcio's ArchiveLoadFailed, zlib errors, bad headers
            report.skip(where, "bad WARC record", f"{type(exc).__name__}: {exc}"[:200])
            records += 1
            resyncs += 1
            bad_start = int(getattr(iterator, "offset", stream.tell()) or 0)
            if resyncs > MAX_RESYNCS or not stream.skip_to_next_record(bad_start + 1):
                break
            iterator = warcio.ArchiveIterator(stream, arc2warc=True)
            continue
        records += 1
        try:
            article = _record_article(record, where, report, mint, settings)
        except EOFError:
            report.skip(where, "truncated gzip", "the archive ends early; kept what was read")
            break
        if article is not None:
            report.ok()
            yield article
        position = raw.tell()
        report.bytes_read += position - seen
        seen = position
        if position >= next_progress:
            progress(position, records)
            next_progress = position + PROGRESS_BYTES
    progress(raw.tell(), records)


def _record_article(
    record: Any, where: str, report: IngestReport, mint: IdMinter, settings: IngestSettings
) -> Article | None:
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
    try:
        page = _page(record, where, report)
    except EOFError:
        raise
    except Exception as exc:  # a payload that cannot be read (bad chunking, bad encoding)
        report.skip(where, "bad WARC record", f"{type(exc).__name__}: {exc}"[:200])
        return None
    if page is None:
        return None
    data, charset = page
    text, _ = decode_html(data, charset)
    return extract_article(text, uri, where, report, mint, settings)
