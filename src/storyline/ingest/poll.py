"""Polling feeds: yield only the entries not seen before (for ``storyline watch``).

``poll_feeds`` fetches each feed with a conditional GET (a 304 costs nothing), parses it, and
yields the entries whose ids are not in the state file; the state (seen ids per feed, and the
ETag/Last-Modified validators) is written atomically after each feed, so an interrupted poll
hands nothing out twice. Call it in a loop (``storyline watch FEEDS.opml --every 15m``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import Any

from storyline.config import IngestSettings
from storyline.errors import InputError
from storyline.ingest._records import IdMinter
from storyline.ingest.base import IngestReport
from storyline.ingest.feeds import parse_feed, parse_opml
from storyline.ingest.fetch import Fetcher, FetchError
from storyline.ingest.html import decode_html, extract_article
from storyline.models import Article

__all__ = ["MAX_SEEN_PER_FEED", "feed_urls", "fetch_article", "poll_feeds"]

log = logging.getLogger("storyline.ingest")

#: ids remembered per feed (a feed lists its latest entries; older ids can be forgotten)
MAX_SEEN_PER_FEED = 5000
#: a feed list is read up to this size
MAX_FEED_LIST_BYTES = 5 * 1024 * 1024


def feed_urls(opml_or_urls: str | Path | Iterable[str]) -> list[str]:
    """Feed URLs from an OPML file, a text file of URLs (one a line; blank lines and ``#``
    comments ignored), a single URL, or an iterable of URLs. A feed list that is missing,
    malformed or names no feed raises InputError."""
    if isinstance(opml_or_urls, Path) or (
        isinstance(opml_or_urls, str) and "://" not in opml_or_urls
    ):
        path = Path(opml_or_urls)
        try:
            data = path.read_bytes()[:MAX_FEED_LIST_BYTES]
        except OSError as exc:
            raise InputError(f"{path}: cannot read the feed list: {exc.strerror or exc}") from exc
        if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            urls = _url_lines(data.decode("utf-8", errors="replace"))
            if not urls:
                raise InputError(f"{path}: no feed URLs in this file (one http(s) URL a line)")
            return urls
        try:
            urls = parse_opml(data)
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from exc
        if not urls:
            raise InputError(f"{path}: no feeds in this OPML file (no outline with an xmlUrl)")
        return urls
    if isinstance(opml_or_urls, str):
        return [opml_or_urls]
    return [u for u in (str(x).strip() for x in opml_or_urls) if u]


def _url_lines(text: str) -> list[str]:
    urls: list[str] = []
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#") or "://" not in line:
            continue
        url = line.split()[0]
        if url not in urls:
            urls.append(url)
    return urls


def _load_state(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"feeds": {}, "validators": {}}
    try:
        with path.open(encoding="utf-8") as fh:
            state = json.load(fh)
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable poll state (%s); starting afresh", path, exc)
        return {"feeds": {}, "validators": {}}
    if not isinstance(state, dict):
        return {"feeds": {}, "validators": {}}
    state.setdefault("feeds", {})
    state.setdefault("validators", {})
    return state


def _save_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(state, fh)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the poll state: {exc.strerror or exc}") from exc


def fetch_article(
    url: str,
    fetcher: Fetcher,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),
    mint: IdMinter | None = None,
) -> Article | None:
    """Fetch one article page and extract it; ``None`` (reported) when that fails."""
    try:
        result = fetcher.get(url, conditional=False)
    except FetchError as exc:
        report.skip(url, exc.reason, str(exc))
        return None
    if result.content_type and result.content_type not in ("text/html", "application/xhtml+xml"):
        report.skip(url, "not HTML", f"content type {result.content_type}")
        return None
    if result.truncated:
        report.warn(url, "page too large", f"cut at {len(result.body)} bytes")
    page, _ = decode_html(result.body, result.charset)
    return extract_article(page, result.final_url, url, report, mint or IdMinter(), settings)


def poll_feeds(
    opml_or_urls: str | Path | Iterable[str],
    fetcher: Fetcher,
    state_path: str | Path,
    settings: IngestSettings = IngestSettings(),
    report: IngestReport | None = None,
    full_text: bool = False,
) -> Generator[Article, None, None]:
    """The new entries of every feed, once each across calls (state kept in ``state_path``).

    With ``full_text=True`` each new entry's page is fetched and its extracted text replaces
    the feed's summary (when extraction finds one). Feeds that fail are reported and skipped.
    Closing the generator early is safe: entries not yet handed out come on the next poll.
    """
    report = report if report is not None else IngestReport()
    state_file = Path(state_path)
    state = _load_state(state_file)
    for url, validators in state["validators"].items():
        if isinstance(validators, dict) and url not in fetcher.validators:
            fetcher.validators[url] = validators
    for url in feed_urls(opml_or_urls):
        report.begin_file(url, "feed")
        try:
            result = fetcher.get(url, conditional=True)
        except FetchError as exc:
            report.skip(url, exc.reason, str(exc))
            continue
        if result.not_modified:
            log.info("%s: not modified", url)
            continue
        mint = IdMinter()
        seen: list[str] = list(state["feeds"].get(url, {}).get("seen", []))
        known = set(seen)
        completed = False
        try:
            for article in parse_feed(result.body, url, report, mint, settings, result.final_url):
                if article.id in known:
                    continue
                known.add(article.id)
                seen.append(article.id)
                if full_text and article.url:
                    page = fetch_article(article.url, fetcher, report, settings, IdMinter())
                    if page is not None:
                        article = _with_page(article, page)
                report.ok()
                yield article
            completed = True
        finally:  # also when the caller stops early: what was handed out is not handed again
            state["feeds"][url] = {"seen": seen[-MAX_SEEN_PER_FEED:]}
            if completed and url in fetcher.validators:
                state["validators"][url] = fetcher.validators[url]
            else:  # entries not handed out yet: the next poll must not get a 304
                state["validators"].pop(url, None)
                if fetcher.validators.pop(url, None) is not None:
                    fetcher.save_cache()
            _save_state(state_file, state)


def _with_page(entry: Article, page: Article) -> Article:
    from dataclasses import replace

    return replace(
        entry,
        title=entry.title or page.title,
        text=page.text or entry.text,
        time=entry.time or page.time,
    )
