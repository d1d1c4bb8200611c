"""Turning loosely shaped records (JSON objects, CSV rows) into Articles, and minting stable ids."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from storyline.ingest.base import IngestReport
from storyline.models import Article
from storyline.normalize.dates import parse_time
from storyline.text import words

__all__ = ["IdMinter", "as_text", "host_of", "record_to_article", "safe_time"]

ID_KEYS = ("id", "_id", "doc_id", "docid", "guid", "article_id", "uid")
TITLE_KEYS = ("title", "headline", "heading")
TEXT_KEYS = ("text", "body", "content", "article", "maintext", "description")
TIME_KEYS = (
    "time",
    "date",
    "published",
    "publish_date",
    "published_at",
    "publishedAt",
    "pubDate",
    "datetime",
    "timestamp",
    "created_at",
    "date_publish",
)
SOURCE_KEYS = (
    "source",
    "publisher",
    "outlet",
    "site",
    "sitename",
    "site_name",
    "hostname",
    "domain",
    "source_domain",
)
URL_KEYS = ("url", "link", "uri", "href", "source_url")


class IdMinter:
    """Content-based ids: a short BLAKE2b of the lower-cased word sequence, with a prefix.

    The same content always gets the same id, so re-reading a file gives the same ids. A repeat of
    the same content within one read gets ``-2``, ``-3``... so ids stay unique. Only 8-byte
    digests of content seen are kept (a few dozen bytes per record).
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._repeats: dict[int, int] = {}

    def _count(self, key: str) -> int:
        digest = hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=8).digest()
        number = int.from_bytes(digest, "big")
        if number not in self._seen:
            self._seen.add(number)
            return 1
        count = self._repeats.get(number, 1) + 1
        self._repeats[number] = count
        return count

    def __call__(self, prefix: str, *parts: str) -> str:
        """A content id ``prefix-<16 hex>`` for the given title/text."""
        key = " ".join(words(" \n ".join(parts))) or " ".join(parts)
        digest = hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=8).hexdigest()
        count = self._count("\x00content\x00" + digest)
        base = f"{prefix}-{digest}"
        return base if count == 1 else f"{base}-{count}"

    def claim(self, given: str) -> str:
        """Keep a given id unique within the read: a repeat becomes ``id~2``."""
        count = self._count(given)
        return given if count == 1 else f"{given}~{count}"


def as_text(value: Any) -> str:
    """A field value as text: strings as they are, lists of strings joined by newlines, numbers
    as digits, anything else (objects, booleans) as empty."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "\n".join(s for s in (as_text(v) for v in value) if s)
    if isinstance(value, Mapping):
        for key in ("name", "title", "text", "value", "#text"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return ""


def host_of(url: str) -> str:
    """The host of a URL without ``www.``: the fallback source name."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


#: day formats ``parse_time`` does not know, seen in real corpora (DUC: "08/12/1998 13:29:00",
#: "1998-30-06 11:49:00"); month-first is tried before day-first
_EXTRA_FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%d-%m %H:%M:%S",
    "%Y-%d-%m %H:%M",
    "%Y-%d-%m",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
)


def safe_time(value: Any) -> datetime | None:
    """``parse_time`` that never raises, with a few more day formats as a fallback."""
    try:
        parsed = parse_time(value)
    except Exception:  # a time we cannot read is dropped, never fatal
        return None
    if parsed is not None or not isinstance(value, str):
        return parsed
    text = value.strip()
    for fmt in _EXTRA_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _first(record: Mapping[str, Any], keys: tuple[str, ...], lowered: Mapping[str, str]) -> Any:
    for key in keys:
        if key in record:
            value = record[key]
            if value not in (None, "", [], {}):
                return value
        real = lowered.get(key.lower())
        if real is not None and record[real] not in (None, "", [], {}):
            return record[real]
    return None


def record_to_article(
    record: Mapping[str, Any],
    where: str,
    report: IngestReport,
    mint: IdMinter,
    max_chars: int,
    cluster: str | None = None,
    prefix: str = "j",
) -> Article | None:
    """Map a JSON object or CSV row to an Article; ``None`` (reported) when it has no text or title.

    Keys are matched leniently (``text``/``body``/``content``, ``time``/``date``/``published``...),
    case-insensitively. A missing id becomes a content hash; a missing source the URL's host.
    """
    lowered = {str(k).lower(): str(k) for k in record}
    title = as_text(_first(record, TITLE_KEYS, lowered)).strip()
    text = as_text(_first(record, TEXT_KEYS, lowered)).strip()
    if not title and not text:
        report.skip(where, "no text or title", "record has neither a text nor a title field")
        return None
    if len(text) > max_chars or len(title) > max_chars:
        report.warn(where, "truncated", f"record longer than {max_chars} characters")
        text, title = text[:max_chars], title[:max_chars]
    url = as_text(_first(record, URL_KEYS, lowered)).strip()
    source = as_text(_first(record, SOURCE_KEYS, lowered)).strip() or host_of(url)
    raw_time = _first(record, TIME_KEYS, lowered)
    time = safe_time(raw_time)
    if raw_time is not None and time is None:
        report.warn(where, "unreadable time", repr(raw_time)[:60])
    given = as_text(_first(record, ID_KEYS, lowered)).strip()
    article_id = mint.claim(given) if given else mint(prefix, title, text)
    return Article(
        id=article_id,
        title=title,
        text=text,
        time=time,
        source=source,
        url=url,
        origin=where,
        cluster=cluster,
    )
