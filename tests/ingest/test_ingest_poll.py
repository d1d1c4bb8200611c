"""poll_feeds against a real local server: only new entries, conditional GET, saved state."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from storyline.ingest import IngestReport, poll_feeds
from storyline.ingest.fetch import Fetcher, FetchSettings

from .ingest_fixtures import LocalServer, article_page, opml

pytest.importorskip("feedparser")
pytest.importorskip("httpx")


def _item(n: int, base: str) -> str:
    return (
        f"<item><title>Story {n}</title><link>{base}/story/{n}?utm_source=rss</link>"
        f"<guid>urn:story:{n}</guid><description>Summary {n}.</description></item>"
    )


class Feed:
    """A feed whose items can grow; it answers 304 to a matching If-None-Match."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.items = [1, 2]
        self.conditional_hits = 0

    def etag(self) -> str:
        return f'"v{len(self.items)}"'

    def __call__(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        if handler.headers.get("If-None-Match") == self.etag():
            self.conditional_hits += 1
            return 304, {"ETag": self.etag()}, b""
        body = (
            "<rss version='2.0'><channel><title>Local</title>"
            + "".join(_item(n, self.base) for n in self.items)
            + "</channel></rss>"
        )
        return 200, {"Content-Type": "application/rss+xml", "ETag": self.etag()}, body.encode()


def _settings() -> FetchSettings:
    return FetchSettings(min_interval=0.0, allow_private=True)


def test_poll_yields_only_new_entries(local_server: LocalServer, tmp_path: Path) -> None:
    feed = Feed(local_server.base)
    local_server.routes["/feed.xml"] = feed
    listing = tmp_path / "feeds.opml"
    listing.write_text(opml([f"{local_server.base}/feed.xml", f"{local_server.base}/gone.xml"]))
    state = tmp_path / "state.json"

    report = IngestReport()
    with Fetcher(_settings()) as fetcher:
        first = list(poll_feeds(listing, fetcher, state, report=report))
        assert [a.title for a in first] == ["Story 1", "Story 2"]
        assert first[0].url == f"{local_server.base}/story/1"
        assert report.skipped == {"HTTP error": 1}  # the missing feed, reported, not fatal
        assert list(poll_feeds(listing, fetcher, state)) == []
        assert feed.conditional_hits == 1

    feed.items.append(3)
    with Fetcher(_settings()) as fresh:  # a new process: validators and ids come from the state
        third = list(poll_feeds([f"{local_server.base}/feed.xml"], fresh, state))
    assert [a.title for a in third] == ["Story 3"]
    saved = json.loads(state.read_text())
    assert len(saved["feeds"][f"{local_server.base}/feed.xml"]["seen"]) == 3


def test_poll_stopped_early_does_not_repeat(local_server: LocalServer, tmp_path: Path) -> None:
    feed = Feed(local_server.base)
    local_server.routes["/feed.xml"] = feed
    state = tmp_path / "state.json"
    url = f"{local_server.base}/feed.xml"
    with Fetcher(_settings()) as fetcher:
        stream = poll_feeds(url, fetcher, state)
        assert next(stream).title == "Story 1"
        stream.close()
        # the feed was fetched but Story 2 never handed out: the next poll gets it, not a 304
        assert [a.title for a in poll_feeds(url, fetcher, state)] == ["Story 2"]
        assert list(poll_feeds(url, fetcher, state)) == []


def test_poll_full_text(local_server: LocalServer, tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    feed = Feed(local_server.base)
    feed.items = [1]
    local_server.routes["/feed.xml"] = feed
    local_server.serve("/story/1?utm_source=rss", article_page(title="Story 1", canonical=None))
    local_server.serve("/story/1", article_page(title="Story 1", canonical=None))
    with Fetcher(_settings()) as fetcher:
        [article] = poll_feeds(
            [f"{local_server.base}/feed.xml"], fetcher, tmp_path / "s.json", full_text=True
        )
    assert article.title == "Story 1"
    assert article.text.startswith("The harbour council voted")


def test_bad_feed_lists_raise_input_error(tmp_path: Path) -> None:
    from storyline.errors import InputError
    from storyline.ingest.poll import feed_urls

    with pytest.raises(InputError, match="cannot read the feed list"):
        feed_urls(tmp_path / "missing.opml")
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline")
    with pytest.raises(InputError, match="malformed OPML"):
        feed_urls(broken)
    empty = tmp_path / "empty.opml"
    empty.write_text("<opml><body/></opml>")
    with pytest.raises(InputError, match="no feeds"):
        feed_urls(empty)
    listing = tmp_path / "feeds.txt"
    listing.write_text("# my feeds\nhttps://a.example/rss\n\nhttps://b.example/atom  news\n")
    assert feed_urls(listing) == ["https://a.example/rss", "https://b.example/atom"]
    (tmp_path / "none.txt").write_text("# nothing here\n")
    with pytest.raises(InputError, match="no feed URLs"):
        feed_urls(tmp_path / "none.txt")
    assert feed_urls(["https://a.example/rss", " "]) == ["https://a.example/rss"]
    assert feed_urls("https://b.example/feed") == ["https://b.example/feed"]
