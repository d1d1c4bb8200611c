"""Opening input files: gzip by magic bytes, binary sniffing, encoding guesses, bounded lines.

Every reader goes through :func:`open_lines`, which streams a file as numbered text lines and
never holds more than one (capped) line in memory. What it cannot read cleanly it reports:

* a file of NUL bytes or control characters is skipped as ``binary file``;
* an empty file is skipped as ``empty file``;
* a gzip stream that ends early keeps the lines read so far and reports ``truncated gzip``;
* a line that is not UTF-8 is decoded as cp1252 (latin-1 for the few bytes cp1252 leaves
  undefined) and counted once per file as ``not UTF-8``;
* a line longer than the cap is cut and flagged ``truncated`` for the reader to report.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from storyline.ingest.base import IngestReport

__all__ = [
    "CHUNK_BYTES",
    "HEAD_BYTES",
    "Line",
    "Sniff",
    "open_binary",
    "open_lines",
    "open_text",
    "sniff",
]

_T = TypeVar("_T", bytes, str)

GZIP_MAGIC = b"\x1f\x8b"
HEAD_BYTES = 64 * 1024
CHUNK_BYTES = 256 * 1024
#: bytes per character allowed before a line is cut (UTF-8 needs at most 4)
BYTES_PER_CHAR = 4

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an input file, without its line terminator. ``number`` counts from 1."""

    number: int
    text: str
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Sniff:
    """What the first bytes of a file say: compression, encoding, whether it is binary."""

    head: bytes  # first HEAD_BYTES of the (decompressed) content
    gzipped: bool
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"
    binary: bool
    empty: bool
    #: lines end in a bare CR (classic Mac OS): no LF in the head, but CRs
    cr_lines: bool = False

    @property
    def head_text(self) -> str:
        """The head decoded leniently (for format detection only)."""
        return self.head.decode(_python_codec(self.encoding), errors="replace")


def _python_codec(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def open_binary(path: Path) -> tuple[BinaryIO, bool]:
    """Open ``path`` for reading bytes, transparently decompressing gzip (detected by magic)."""
    raw = open(path, "rb")  # noqa: SIM115 - handed to the caller, who closes it
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError:
        raw.close()
        raise
    if magic == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb"), True  # type: ignore[return-value]
    return raw, False


def _guess_encoding(head: bytes) -> tuple[str, bool]:
    """(encoding, binary) from the first bytes: BOMs, BOM-less UTF-16, NULs and control bytes."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, False
    sample = head[:8192]
    if not sample:
        return "utf-8", False
    if b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        even_nul = even.count(0) / max(len(even), 1)
        odd_nul = odd.count(0) / max(len(odd), 1)
        if odd_nul > 0.3 and even_nul < 0.05:
            return "utf-16-le", False
        if even_nul > 0.3 and odd_nul < 0.05:
            return "utf-16-be", False
        return "utf-8", True
    controls = sum(1 for b in sample if b < 0x20 and b not in _TEXT_CONTROLS)
    return "utf-8", controls / len(sample) > 0.05


def sniff(path: Path) -> Sniff:
    """Read the first bytes of ``path`` (decompressed) and classify them. Raises OSError."""
    stream, gzipped = open_binary(path)
    with stream:
        head, _ = read_prefix(stream, HEAD_BYTES)  # a broken gzip: the reader reports it
    encoding, binary = _guess_encoding(head)
    text_head = (
        head if not encoding.startswith(("utf-16", "utf-32")) else head.replace(b"\x00", b"")
    )
    cr_lines = b"\r" in text_head and b"\n" not in text_head
    empty = not head.strip(b" \t\r\n\x00")
    return Sniff(head, gzipped, encoding, binary, empty=empty, cr_lines=cr_lines)


def read_prefix(stream: BinaryIO, limit: int) -> tuple[bytes, str]:
    """Up to ``limit`` bytes from ``stream``, and ``""`` or the reason it broke early
    (``truncated gzip``, ``corrupt gzip``, ``read error``): what came out before is kept."""
    read = getattr(stream, "read1", stream.read)
    parts: list[bytes] = []
    size = 0
    while size < limit:
        try:
            part = read(min(limit - size, CHUNK_BYTES))
        except EOFError:
            return b"".join(parts), "truncated gzip"
        except (zlib.error, gzip.BadGzipFile):
            return b"".join(parts), "corrupt gzip"
        except OSError:
            return b"".join(parts), "read error"
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts), ""


def _chunks(stream: BinaryIO, where: str, gzipped: bool, report: IngestReport) -> Iterator[bytes]:
    """Read ``stream`` in chunks; a broken gzip stream ends the file with a reported reason."""
    # read1: a gzip stream that breaks still hands out everything decompressed before the break
    read = getattr(stream, "read1", stream.read)
    while True:
        try:
            chunk = read(CHUNK_BYTES)
        except EOFError:
            report.skip(
                where, "truncated gzip", "the compressed stream ends early; kept what was read"
            )
            return
        except (gzip.BadGzipFile, zlib.error) as exc:
            reason = "corrupt gzip" if gzipped else "read error"
            report.skip(where, reason, f"{exc}; kept what was read")
            return
        except OSError as exc:
            report.skip(where, "read error", f"{exc}; kept what was read")
            return
        if not chunk:
            return
        report.bytes_read += len(chunk)
        yield chunk


def _split(chunks: Iterator[_T], newline: _T, limit: int) -> Iterator[tuple[_T, bool]]:
    """Split a stream of chunks into lines of at most ``limit`` units; the rest of a longer line is
    read and dropped, and the kept part flagged ``True``."""
    parts: list[_T] = []  # pieces of the current line
    size = 0
    dropping = False  # inside an over-long line, past the cap
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(newline, start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if not dropping:
                room = limit - size
                if len(piece) > room:
                    parts.append(piece[:room])
                    dropping = True
                    yield newline[:0].join(parts), True
                    parts, size = [], 0
                elif piece:
                    parts.append(piece)
                    size += len(piece)
            if end < 0:
                break
            if dropping:
                dropping = False
            else:
                yield newline[:0].join(parts), False
                parts, size = [], 0
            start = end + 1
    if parts and not dropping:
        yield newline[:0].join(parts), False


class _Decoder:
    """Decodes byte lines as UTF-8, falling back to cp1252/latin-1 line by line, counting them."""

    def __init__(self) -> None:
        self.fallbacks = 0
        self.first_fallback = 0

    def __call__(self, data: bytes, number: int, truncated: bool) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if truncated and exc.start >= len(data) - 3:
                return data[: exc.start].decode("utf-8", errors="replace")
        self.fallbacks += 1
        if not self.first_fallback:
            self.first_fallback = number
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _open_checked(
    path: Path, report: IngestReport, name: str
) -> tuple[Sniff, BinaryIO, bool] | None:
    """``(sniff, binary stream, gzipped)`` of a readable text file; None, reported, for an
    unreadable, binary or empty one."""
    try:
        info = sniff(path)
    except OSError as exc:
        report.skip(name, "unreadable file", exc.strerror or str(exc))
        return None
    if info.binary:
        report.skip(name, "binary file", "NUL or control bytes in the first 8 KB")
        return None
    if info.empty and not info.gzipped:
        report.skip(name, "empty file")
        return None
    try:
        stream, gzipped = open_binary(path)
    except OSError as exc:
        report.skip(name, "unreadable file", exc.strerror or str(exc))
        return None
    return info, stream, gzipped


def open_lines(
    path: Path, report: IngestReport, max_chars: int, where: str | None = None
) -> Iterator[Line]:
    """Stream ``path`` as numbered text lines (terminators stripped), each capped at ``max_chars``.

    Binary and empty files are reported and give no lines. Raises nothing for bad content; an
    unopenable file is reported as ``unreadable file``.
    """
    name = where or str(path)
    opened = _open_checked(path, report, name)
    if opened is None:
        return
    info, stream, gzipped = opened
    seen_text = False
    problems_before = report.total_skipped
    with stream:
        for line in _lines(stream, info, gzipped, name, report, max_chars):
            seen_text = seen_text or bool(line.text.strip())
            yield line
    if not seen_text and info.empty and report.total_skipped == problems_before:
        report.skip(name, "empty file")


def _lines(
    stream: BinaryIO, info: Sniff, gzipped: bool, name: str, report: IngestReport, max_chars: int
) -> Iterator[Line]:
    chunks = _chunks(stream, name, gzipped, report)
    if info.encoding.startswith(("utf-16", "utf-32")):
        decoder = codecs.getincrementaldecoder(info.encoding)(errors="replace")

        def text_chunks() -> Iterator[str]:
            for chunk in chunks:
                yield decoder.decode(chunk)
            yield decoder.decode(b"", final=True)

        newline = "\r" if info.cr_lines else "\n"
        for number, (text, cut) in enumerate(_split(text_chunks(), newline, max_chars), 1):
            yield Line(number, _strip_terminator(text, number), cut)
        return
    decode = _Decoder()
    limit = max_chars * BYTES_PER_CHAR
    separator = b"\r" if info.cr_lines else b"\n"
    for number, (data, cut) in enumerate(_split(chunks, separator, limit), 1):
        if number == 1 and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        text = decode(data, number, cut)
        if len(text) > max_chars:
            text, cut = text[:max_chars], True
        yield Line(number, _strip_terminator(text, number), cut)
    if decode.fallbacks:
        report.warn(
            f"{name}:{decode.first_fallback}",
            "not UTF-8",
            f"{decode.fallbacks} line(s) decoded as cp1252/latin-1",
        )


def _strip_terminator(text: str, number: int) -> str:
    if number == 1 and text.startswith("\ufeff"):
        text = text[1:]
    return text[:-1] if text.endswith("\r") else text


def open_text(path: Path, report: IngestReport, where: str | None = None) -> Iterator[str]:
    """Stream ``path`` as decoded text chunks (for formats that are not line-based, such as a
    pretty-printed JSON array). UTF-8 (or the BOM's encoding); undecodable bytes become U+FFFD,
    counted once as a ``not UTF-8`` warning. Binary and empty files are reported, giving nothing.
    """
    name = where or str(path)
    opened = _open_checked(path, report, name)
    if opened is None:
        return
    info, stream, gzipped = opened
    with stream:
        encoding = "utf-8-sig" if info.encoding == "utf-8" else info.encoding
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        bad = False
        for chunk in _chunks(stream, name, gzipped, report):
            text = decoder.decode(chunk)
            bad = bad or "\ufffd" in text
            yield text
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail
        if bad:
            report.warn(name, "not UTF-8", "undecodable bytes replaced by U+FFFD")
