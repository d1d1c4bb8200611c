"""HTML article pages: main text, title, date and site name with trafilatura (``[feeds]`` extra).

A page is read up to ``MAX_PAGE_BYTES`` (a bigger one is cut, with a warning), decoded by BOM,
then strict UTF-8, then its declared charset (HTTP header or ``<meta>``), then cp1252, so that a
wrong declaration does not garble the text. The URL is the page's ``<link rel="canonical">``
when it has one, cleaned of tracking parameters; the id is ``u-`` + a hash of that URL (or a
content hash ``h-...`` when the page has no URL). A page with no main text is skipped as
``no main text``.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storyline.config import IngestSettings
from storyline.errors import MissingDependency, require
from storyline.ingest._records import IdMinter, host_of, safe_time
from storyline.ingest._source import open_binary, read_prefix, sniff
from storyline.ingest.base import IngestReport
from storyline.ingest.urls import canonical_url, find_canonical_link
from storyline.models import Article

__all__ = [
    "MAX_PAGE_BYTES",
    "MIN_ARTICLE_WORDS",
    "decode_html",
    "extract_article",
    "read_html",
    "url_id",
]

log = logging.getLogger("storyline.ingest")

#: pages are cut at this many bytes before extraction (a 50 MB page is not an article)
MAX_PAGE_BYTES = 5 * 1024 * 1024
#: extracted text shorter than this many words is navigation, not an article
MIN_ARTICLE_WORDS = 12
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)


def url_id(url: str) -> str:
    """A short stable id for a canonical URL."""
    return "u-" + hashlib.blake2b(url.encode("utf-8", "replace"), digest_size=8).hexdigest()


def _valid_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)``: BOM, strict UTF-8, the declared charset (HTTP then ``<meta>``),
    then cp1252 with replacement characters. Never raises."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(data[:8192])
    declared_meta = meta.group(1).decode("ascii", "replace") if meta else None
    for candidate in (declared, declared_meta):
        codec = _valid_codec(candidate)
        if codec and codec not in ("utf-8", "utf-16", "utf-32"):
            try:
                return data.decode(codec), codec
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode("cp1252", errors="replace"), "cp1252"


def _trafilatura() -> Any:
    return require("trafilatura", "feeds")


def extract_article(
    page: str,
    url: str,
    where: str,
    report: IngestReport,
    mint: IdMinter,
    settings: IngestSettings,
) -> Article | None:
    """The article of one HTML page, or ``None`` (reported) when it has no main text."""
    trafilatura = _trafilatura()
    canonical = canonical_url(url, find_canonical_link(page[:200_000]))
    try:
        doc = trafilatura.bare_extraction(
            page,
            url=canonical or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # the extractor must not stop a batch: report and go on
        report.skip(where, "extraction failed", f"{type(exc).__name__}: {exc}"[:200])
        return None
    data = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    title = " ".join(str(data.get("title") or "").split())
    text = str(data.get("text") or "").strip()
    if title and text.split("\n", 1)[0].strip() == title:
        text = text.split("\n", 1)[1].strip() if "\n" in text else ""
    if len(text.split()) < MIN_ARTICLE_WORDS:
        report.skip(where, "no main text", "no article body found in the page")
        return None
    cap = settings.max_record_chars
    if len(text) > cap:
        report.warn(where, "truncated", f"text longer than {cap} characters")
        text = text[:cap]
    page_url = canonical or canonical_url(str(data.get("url") or ""))
    source = str(data.get("sitename") or "").strip() or host_of(page_url)
    return Article(
        id=mint.claim(url_id(page_url)) if page_url else mint("h", title, text),
        title=title,
        text=text,
        time=safe_time(data.get("date")),
        source=source,
        url=page_url,
        origin=where,
    )


def read_page_bytes(path: Path, report: IngestReport, limit: int = MAX_PAGE_BYTES) -> bytes | None:
    """The first ``limit`` bytes of a (possibly gzipped) file, warning when it is longer; a
    gzip that breaks early keeps what came out before the break (reported)."""
    try:
        stream, _ = open_binary(path)
        with stream:
            data, broken = read_prefix(stream, limit + 1)
    except OSError as exc:
        report.skip(str(path), "unreadable file", exc.strerror or str(exc))
        return None
    if broken:
        report.warn(str(path), broken, "kept what was read before the break")
    if len(data) > limit:
        report.warn(str(path), "page too large", f"cut at {limit} bytes")
        data = data[:limit]
    return data


def read_html(
    path: Path,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),
    mint: IdMinter | None = None,
) -> Iterator[Article]:
    """The article of one saved HTML page (a file; folders are walked by ``read_inputs``)."""
    mint = mint or IdMinter()
    try:
        info = sniff(path)
    except OSError as exc:
        report.skip(str(path), "unreadable file", str(exc))
        return
    if info.empty:
        report.skip(str(path), "empty file")
        return
    if info.binary:
        report.skip(str(path), "binary file", "NUL or control bytes in the first 8 KB")
        return
    data = read_page_bytes(path, report)
    if data is None:
        return
    page, _ = decode_html(data)
    try:
        article = extract_article(page, "", str(path), report, mint, settings)
    except MissingDependency as exc:
        report.skip(str(path), "missing dependency", str(exc))
        return
    if article is not None:
        report.ok()
        yield article
