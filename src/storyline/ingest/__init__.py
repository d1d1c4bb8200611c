"""Ingest stage: read files and folders of news into a stream of ``Article`` records.

``read_inputs(paths)`` walks files and folders (recursively, sorted, hidden names skipped),
detects each file's format (:func:`detect_format`: suffix first, then the first bytes; gzip by
its magic bytes whatever the name), and streams every file line by line in bounded memory.
Formats:

* ``text``: a plain pile, one item a line or a paragraph (:mod:`storyline.ingest.text`);
* ``jsonl``: one JSON article a line (:mod:`storyline.ingest.jsonl`);
* ``clusters``: one JSON cluster ``{"id", "articles": [...]}`` a line (WCEP, DUC 2006);
* ``csv``: a header row and one article a row (:mod:`storyline.ingest.table`);
* ``rss``/``atom``: RSS 0.9x/1.0 (RDF)/2.0 and Atom feeds, ``opml``: the local feeds an OPML
  list names (:mod:`storyline.ingest.feeds`);
* ``html``: a saved article page (:mod:`storyline.ingest.html`);
* ``warc``: the HTML pages of a WARC/WARC.gz web archive (:mod:`storyline.ingest.warc`).

The last five need the ``[feeds]`` extra (feedparser, trafilatura, warcio), imported lazily: the
core works without them, and a file that needs them is skipped as ``missing dependency``.
Fetching from the web is :mod:`storyline.ingest.fetch` and :func:`poll_feeds`.
:func:`read_groups` reads one input as given groups (what ``storyline summarize`` and ``storyline
filter`` take): the clusters of a cluster file, or all the articles of any other input as one.

Nothing bad in a file stops the stream: each skipped record or file is counted with its reason
and ``file:line`` in the :class:`IngestReport` (and logged); only a path that does not exist, or
an unknown format name, raises :class:`~storyline.errors.InputError`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from storyline.config import IngestSettings
from storyline.errors import InputError
from storyline.ingest._records import IdMinter
from storyline.ingest._source import HEAD_BYTES, sniff
from storyline.ingest.base import FileReport, IngestReport, Problem, Reader
from storyline.ingest.feeds import parse_opml, read_feed, read_opml
from storyline.ingest.fetch import Fetcher, FetchError, FetchResult, FetchSettings
from storyline.ingest.html import read_html
from storyline.ingest.jsonl import read_clusters, read_jsonl
from storyline.ingest.poll import fetch_article, poll_feeds
from storyline.ingest.table import read_csv
from storyline.ingest.text import read_text
from storyline.ingest.urls import canonical_url
from storyline.ingest.warc import read_warc
from storyline.models import Article

__all__ = [
    "FORMATS",
    "FetchError",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "FileReport",
    "IngestReport",
    "Problem",
    "Reader",
    "canonical_url",
    "check_path",
    "detect_format",
    "fetch_article",
    "iter_files",
    "parse_opml",
    "poll_feeds",
    "read_clusters",
    "read_groups",
    "read_inputs",
]

log = logging.getLogger("storyline.ingest")

FORMATS: tuple[str, ...] = (
    "text",
    "jsonl",
    "clusters",
    "csv",
    "rss",
    "atom",
    "opml",
    "html",
    "warc",
)

_COMPRESSED = (".gz", ".gzip")
_SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "json",
    ".ndjson": "json",
    ".jl": "json",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".rss": "rss",
    ".rdf": "rss",
    ".atom": "atom",
    ".xml": "xml",
    ".opml": "opml",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".warc": "warc",
    ".arc": "warc",
}
_MARKUP = (
    ("<rss", "rss"),
    ("<rdf:rdf", "rss"),
    ("<feed", "atom"),
    ("<opml", "opml"),
    ("<!doctype html", "html"),
    ("<html", "html"),
)
_CLUSTER_KEY = re.compile(r'"articles"\s*:\s*\[')
_CSV_NAME_WORDS = "title headline text body content description url link time date published"
_CSV_NAMES = frozenset(_CSV_NAME_WORDS.split())


def check_path(path: str | Path) -> Path:
    """``path`` as a Path, or InputError when it does not exist."""
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"{path}: no such file or directory")
    return p


def _suffix(path: Path) -> str:
    """The format-bearing suffix, looking through ``.gz``: ``a.jsonl.gz`` -> ``.jsonl``."""
    name = path.name.lower()
    for ext in _COMPRESSED:
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    return Path(name).suffix


def _first_line(head: str) -> str:
    for line in head.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _json_kind(first: str) -> str:
    """``clusters`` when the first JSON line holds an ``articles`` list, else ``jsonl``."""
    return "clusters" if _CLUSTER_KEY.search(first) else "jsonl"


def _is_json_object(line: str) -> bool:
    if not line.startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _looks_like_csv_header(line: str) -> bool:
    for delimiter in (",", "\t", ";"):
        cells = [c.strip().strip('"').lower() for c in line.split(delimiter)]
        if len(cells) >= 2 and any(c in _CSV_NAMES for c in cells):
            return True
    return False


def _markup_kind(head: str) -> str | None:
    """``rss``/``atom``/``opml``/``html`` from the first tags of a document, if it is one."""
    sample = head[:4096].lstrip("\ufeff \t\r\n").lower()
    if not sample.startswith("<"):
        return None
    for tag, kind in _MARKUP:
        if tag in sample:
            return kind
    return None


def detect_format(path: Path) -> str:
    """The format of one file: one of :data:`FORMATS`.

    The suffix decides first (``.jsonl``/``.json``/``.ndjson``, ``.csv``/``.tsv``, ``.txt``,
    ``.rss``/``.rdf``, ``.atom``, ``.opml``, ``.html``/``.htm``, ``.warc``, looking through
    ``.gz``), then the first bytes (decompressed when gzip, whatever the name): ``WARC/`` is
    ``warc``; a document whose first tags are ``<rss``/``<rdf:RDF``, ``<feed``, ``<opml`` or
    ``<html`` is ``rss``/``atom``/``opml``/``html``; a JSON object line is ``jsonl``, or
    ``clusters`` when it has an ``"articles"`` list; a header row naming a title or text column
    is ``csv``; anything else is ``text``.
    """
    path = check_path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    try:
        info = sniff(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    head = info.head_text
    first = _first_line(head)
    kind = _SUFFIXES.get(_suffix(path))
    if kind == "json":
        return _json_kind(first)
    if kind in ("csv", "rss", "atom", "opml", "html", "warc"):
        return kind
    if info.head.startswith(b"WARC/"):
        return "warc"
    if kind in (None, "xml"):
        markup = _markup_kind(head)
        if markup:
            return markup
        if kind == "xml":
            return "rss"
    if first.startswith("{") and (_CLUSTER_KEY.search(first) or _is_json_object(first)):
        return _json_kind(first)
    if first.startswith("[") and head.lstrip("\ufeff \t\r\n")[1:].lstrip().startswith("{"):
        return _json_kind(head[:HEAD_BYTES])  # a JSON array of objects
    if kind is None and _looks_like_csv_header(first):
        return "csv"
    return "text"


def _readable_in_folder(path: Path) -> bool:
    suffix = _suffix(path)
    return suffix in _SUFFIXES or suffix == ""


def iter_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """``(file, named)`` for each path and each file under each folder (sorted, recursively,
    hidden names skipped, symlink loops cut, each file once even when named twice). ``named``
    is True for files given directly."""
    seen: set[Path] = set()
    seen_files: set[Path] = set()

    def once(path: Path) -> bool:
        try:
            real = path.resolve()
        except OSError:
            return True
        if real in seen_files:
            log.info("%s: already read in this run", path)
            return False
        seen_files.add(real)
        return True

    def walk(folder: Path) -> Iterator[tuple[Path, bool]]:
        real = folder.resolve()
        if real in seen:
            return
        seen.add(real)
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            log.warning("%s: cannot list folder: %s", folder, exc)
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                yield from walk(entry)
            elif entry.is_file() and once(entry):
                yield entry, False

    for raw in paths:
        path = check_path(raw)
        if path.is_dir():
            yield from walk(path)
        elif once(path):
            yield path, True


_READERS: dict[str, Callable[..., Iterator[Article]]] = {
    "text": read_text,
    "jsonl": read_jsonl,
    "clusters": read_jsonl,
    "csv": read_csv,
    "rss": read_feed,
    "atom": read_feed,
    "opml": read_opml,
    "html": read_html,
    "warc": read_warc,
}


def read_inputs(
    paths: Iterable[str | Path] | str | Path,
    fmt: str | None = None,
    settings: IngestSettings = IngestSettings(),
    report: IngestReport | None = None,
) -> Iterator[Article]:
    """Stream the articles of every file under ``paths``, in order.

    ``fmt`` forces one format for every file (else each is detected). Missing paths and unknown
    formats raise :class:`InputError` at once (before any reading); everything else that is wrong
    is counted in ``report`` and skipped. Ids are unique within one call.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    checked = [check_path(p) for p in paths]
    _check_format(fmt)
    return _read_all(checked, fmt, settings, report if report is not None else IngestReport())


def _check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r} (known: {', '.join(FORMATS)})")


def _read_all(
    paths: list[Path], fmt: str | None, settings: IngestSettings, report: IngestReport
) -> Iterator[Article]:
    mint = IdMinter()
    for path, named in iter_files(paths):
        if not named and fmt is None and not _readable_in_folder(path):
            report.begin_file(path, "?")
            report.skip(str(path), "unsupported file type", f"suffix {_suffix(path)!r}", quiet=True)
            continue
        try:
            kind = fmt or detect_format(path)
        except InputError as exc:
            report.begin_file(path, "?")
            report.skip(str(path), "unreadable file", str(exc))
            continue
        current = report.begin_file(path, kind)
        log.info("%s: reading as %s", path, kind)
        yield from _READERS[kind](path, report, settings, mint)
        log.info("%s", current.summary())


def read_groups(
    path: str | Path,
    fmt: str | None = None,
    settings: IngestSettings = IngestSettings(),
    report: IngestReport | None = None,
) -> Iterator[tuple[str, list[Article]]]:
    """``(group id, articles)`` of one input, for the commands that take given groups: each
    cluster of a cluster file (:func:`read_clusters`), or else all the articles of the file or
    folder, in any format :func:`read_inputs` reads (a text pile, a feed, JSONL articles...), as
    one group named after it (``pile.txt.gz`` -> ``pile``). ``fmt`` as in :func:`read_inputs`."""
    path = check_path(path)
    report = report if report is not None else IngestReport()
    _check_format(fmt)
    if (fmt or (None if path.is_dir() else detect_format(path))) == "clusters":
        yield from read_clusters(path, report, settings)
        return
    articles = list(read_inputs([path], fmt, settings, report))
    if articles:
        name = path.name
        for suffix in _COMPRESSED:
            name = name.removesuffix(suffix)
        yield Path(name).stem or path.name, articles
