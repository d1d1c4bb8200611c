"""RSS 0.9x/1.0 (RDF)/2.0 and Atom feeds with feedparser (``[feeds]`` extra), and OPML feed lists.

Each feed entry becomes an Article: title and text (the entry's content, else its summary, with
markup removed), publication time, the feed's title as source, the canonical link as URL. The
id is the entry's own id/guid (hashed: ``f-`` + 16 hex digits), else its link, else a content
hash. A feed that does not parse at all is skipped as ``malformed feed``; one that parses with
errors keeps its entries and gets a ``malformed feed`` warning.

An OPML file read as an input reads the feeds it lists that are local files; remote feeds are
fetched by :func:`storyline.ingest.poll.poll_feeds`, never by ``read_inputs`` (which is offline).
"""

from __future__ import annotations

import hashlib
import time as _time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from storyline.config import IngestSettings
from storyline.errors import MissingDependency, require
from storyline.ingest._records import IdMinter, host_of, safe_time
from storyline.ingest.base import IngestReport
from storyline.ingest.html import read_page_bytes
from storyline.ingest.urls import canonical_url
from storyline.models import Article

__all__ = [
    "MAX_FEED_BYTES",
    "entry_id",
    "html_to_text",
    "parse_feed",
    "parse_opml",
    "read_feed",
    "read_opml",
]

#: feed files are cut at this many bytes (feeds are small; a huge one is not a feed)
MAX_FEED_BYTES = 20 * 1024 * 1024

_BLOCK_TAGS = (
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre tr table section article header "
    "footer figure figcaption"
)
_BLOCKS = frozenset(_BLOCK_TAGS.split())
#: feedparser "bozo" exceptions that say nothing about the feed's content
_BENIGN = frozenset({"CharacterEncodingOverride", "NonXMLContentType", "CharacterEncodingUnknown"})
_SKIP = frozenset({"script", "style", "noscript", "template"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on their own
    lines, runs of spaces collapsed."""
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    parser = _TextParser()
    try:
        parser.feed(fragment)
        parser.close()
    except Exception:  # html.parser is lenient; anything it still rejects is kept as is
        return " ".join(fragment.split())
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def entry_id(given: str) -> str:
    """A short stable id for a feed entry's guid or link."""
    return "f-" + hashlib.blake2b(given.encode("utf-8", "replace"), digest_size=8).hexdigest()


def _feedparser() -> Any:
    return require("feedparser", "feeds")


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, _time.struct_time):
            try:
                return datetime(*value[:6], tzinfo=UTC)
            except (ValueError, OverflowError):
                continue
    for key in ("published", "updated", "created", "date"):
        parsed = safe_time(entry.get(key))
        if parsed is not None:
            return parsed
    return None


def _entry_text(entry: Any) -> str:
    best = ""
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if isinstance(value, str) and len(value) > len(best):
            best = value
    summary = entry.get("summary")
    if isinstance(summary, str) and len(summary) > len(best):
        best = summary
    return html_to_text(best)


def parse_feed(
    data: bytes,
    where: str,
    report: IngestReport,
    mint: IdMinter,
    settings: IngestSettings,
    feed_url: str = "",
) -> list[Article]:
    """The entries of one feed document (bytes: feedparser never goes to the network here)."""
    feedparser = _feedparser()
    try:
        parsed = feedparser.parse(data, response_headers={"content-location": feed_url or ""})
    except Exception as exc:  # feedparser is lenient, but must never stop a batch
        report.skip(where, "malformed feed", f"{type(exc).__name__}: {exc}"[:200])
        return []
    entries = parsed.get("entries") or []
    bozo = parsed.get("bozo") and type(parsed.get("bozo_exception")).__name__ not in _BENIGN
    if not entries:
        if bozo:
            report.skip(where, "malformed feed", str(parsed.get("bozo_exception"))[:200])
        else:
            report.skip(where, "no feed entries")
        return []
    if bozo:
        report.warn(where, "malformed feed", str(parsed.get("bozo_exception"))[:200])
    feed = parsed.get("feed") or {}
    feed_title = html_to_text(str(feed.get("title") or ""))
    feed_link = str(feed.get("link") or feed_url or "")
    articles: list[Article] = []
    cap = settings.max_record_chars
    for i, entry in enumerate(entries, 1):
        entry_where = f"{where} entry {i}"
        title = html_to_text(str(entry.get("title") or ""))[:cap]
        text = _entry_text(entry)
        if not title and not text:
            report.skip(entry_where, "no text or title", "entry has neither title nor content")
            continue
        if len(text) > cap:
            report.warn(entry_where, "truncated", f"entry longer than {cap} characters")
            text = text[:cap]
        link = canonical_url(str(entry.get("link") or ""))
        # the canonical link first: the same article seen through two feeds gets one id
        given = link or str(entry.get("id") or "").strip()
        articles.append(
            Article(
                id=mint.claim(entry_id(given)) if given else mint("f", title, text),
                title=title,
                text=text,
                time=_entry_time(entry),
                source=feed_title or host_of(feed_link) or host_of(link),
                url=link,
                origin=entry_where,
            )
        )
    return articles


def read_feed(
    path: Path,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),
    mint: IdMinter | None = None,
) -> Iterator[Article]:
    """The entries of an RSS/RDF/Atom feed file (possibly gzipped)."""
    mint = mint or IdMinter()
    data = read_page_bytes(path, report, MAX_FEED_BYTES)
    if data is None:
        return
    if not data.strip():
        report.skip(str(path), "empty file")
        return
    try:
        articles = parse_feed(data, str(path), report, mint, settings)
    except MissingDependency as exc:
        report.skip(str(path), "missing dependency", str(exc))
        return
    report.ok(len(articles))
    yield from articles


def parse_opml(data: bytes) -> list[str]:
    """The feed URLs (``xmlUrl``) an OPML document lists, in order, without repeats.
    Raises ``ValueError`` when it is not well-formed XML."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"malformed OPML: {exc}") from exc
    urls: list[str] = []
    for outline in root.iter("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if url and url not in urls:
            urls.append(url)
    return urls


def _local_feed(url: str, base: Path) -> Path | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme == "file":
        candidate = Path(unquote(parts.path))
    elif parts.scheme:
        return None
    else:
        candidate = base / url
    return candidate if candidate.is_file() else None


def read_opml(
    path: Path,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),
    mint: IdMinter | None = None,
) -> Iterator[Article]:
    """The entries of the local feed files an OPML list names; remote feeds are reported as
    ``remote feed`` (fetch them with ``poll_feeds``)."""
    mint = mint or IdMinter()
    data = read_page_bytes(path, report, MAX_FEED_BYTES)
    if data is None:
        return
    try:
        urls = parse_opml(data)
    except ValueError as exc:
        report.skip(str(path), "malformed OPML", str(exc)[:200])
        return
    if not urls:
        report.skip(str(path), "no feeds in OPML", "no outline with an xmlUrl")
        return
    for url in urls:
        local = _local_feed(url, path.parent)
        if local is None:
            report.skip(f"{path}: {url}", "remote feed", "fetch it with poll_feeds / watch")
            continue
        yield from read_feed(local, report, settings, mint)
