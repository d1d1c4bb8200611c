"""``storyline.watch``: feeds polled from a real HTTP server on 127.0.0.1 into a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.config import EmbedSettings, Settings
from storyline.errors import StorylineError
from storyline.store import Store
from storyline.watch import parse_interval, watch

from .ingest_fixtures import LocalServer

pytest.importorskip("feedparser")
pytest.importorskip("httpx")

ITEMS = [
    ("Ferry service to Lindholm island suspended after storm damage",
     "The ferry between Portwick and Lindholm island was suspended on Monday after a storm "
     "damaged the landing stage, the operator said."),
    ("Lindholm ferry suspension to last a week, operator says",
     "Repairs to the storm-damaged landing stage on Lindholm island will take a week, the ferry "
     "operator said on Tuesday."),
    ("City council approves new cycle lanes on Harbour Road",
     "The city council approved plans for two kilometres of protected cycle lanes."),
]


def rss(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>https://news.example.org/{i}</link>"
        f"<guid>https://news.example.org/{i}</guid><description>{d}</description>"
        f"<pubDate>Mon, 0{i + 1} Jan 2024 10:00:00 GMT</pubDate></item>"
        for i, (t, d) in enumerate(items)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Island News</title>'
            f"<link>https://news.example.org/</link>{entries}</channel></rss>")


@pytest.fixture
def feeds(local_server: LocalServer, tmp_path: Path) -> Path:
    local_server.serve("/feed.xml", rss(ITEMS[:2]), "application/rss+xml")
    path = tmp_path / "feeds.txt"
    path.write_text(f"{local_server.base}/feed.xml\n")
    return path


def test_polls_store_each_entry_once(feeds: Path, local_server: LocalServer, tmp_path: Path):
    settings = Settings(embed=EmbedSettings(model="tfidf"))
    with Store(tmp_path / "s.db") as store:
        assert watch(feeds, store, settings, every=0, polls=1, allow_private=True) == 1
        assert store.count_articles() == 2
        stories = {r[0] for r in store.db.execute("SELECT story_id FROM articles")}
        assert None not in stories and store.dirty_stories() == []  # clustered and enriched
        local_server.serve("/feed.xml", rss(ITEMS), "application/rss+xml")  # one new entry
        results = []
        watch(feeds, store, settings, every=0, polls=2, allow_private=True,
              on_poll=results.append)
        assert store.count_articles() == 3  # the old entries were not stored again
        assert [r.new for r in results] == [1, 0]
        assert (tmp_path / "s.db.feeds.json").exists()


def test_a_failed_poll_does_not_lose_entries(feeds: Path, tmp_path: Path):
    with Store(tmp_path / "s.db") as store:
        broken = Settings(embed=EmbedSettings(model="no-such-model"))
        with pytest.raises(StorylineError):
            watch(feeds, store, broken, every=0, polls=1, allow_private=True)
        assert store.count_articles() == 0
        assert not (tmp_path / "s.db.feeds.json").exists()  # the state was not promoted
        good = Settings(embed=EmbedSettings(model="tfidf"))
        watch(feeds, store, good, every=0, polls=1, allow_private=True)
        assert store.count_articles() == 2


def test_private_feeds_are_refused_by_default(feeds: Path, tmp_path: Path):
    with Store(tmp_path / "s.db") as store:
        results = []
        watch(feeds, store, Settings(embed=EmbedSettings(model="tfidf")), every=0, polls=1,
              on_poll=results.append)
        assert store.count_articles() == 0
        assert results[0].report.total_skipped == 1


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("1h", 3600), ("2", 2)])
def test_parse_interval(text: str, seconds: float):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "-5m", "0"])
def test_bad_interval(text: str):
    with pytest.raises(StorylineError):
        parse_interval(text)


def test_the_same_article_through_two_feeds_is_stored_once(local_server: LocalServer, tmp_path):
    item = ("<item><title>Harbour bridge reopens after repairs</title>"
            "<link>https://news.example.org/bridge?utm_source={src}</link><guid>{guid}</guid>"
            "<description>The harbour bridge reopened on Friday.</description></item>")
    for name in ("a", "b"):
        local_server.serve(
            f"/{name}.xml",
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {name}</title>'
            f"{item.format(src=name, guid=f'{name}-123')}</channel></rss>",
            "application/rss+xml",
        )
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{local_server.base}/a.xml\n{local_server.base}/b.xml\n")
    with Store(tmp_path / "s.db") as store:
        watch(feeds, store, Settings(embed=EmbedSettings(model="tfidf")), every=0, polls=1,
              allow_private=True)
        assert store.count_articles() == 1  # one canonical URL, tracking parameters stripped
