"""RSS 0.91/2.0, RDF and Atom feeds; OPML lists; malformed feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.ingest import IngestReport, detect_format, read_inputs
from storyline.ingest.feeds import html_to_text, parse_opml

from .ingest_fixtures import ATOM, RDF, RSS091, RSS2, opml

pytest.importorskip("feedparser")


def _read(path: Path) -> tuple[list, IngestReport]:
    report = IngestReport()
    return list(read_inputs([path], report=report)), report


def test_rss2_entries(tmp_path: Path) -> None:
    path = tmp_path / "feed.rss"
    path.write_text(RSS2)
    assert detect_format(path) == "rss"
    articles, report = _read(path)
    first, second = articles
    assert first.title == "Ferry terminal approved"
    assert first.text == "The council approved the terminal."
    assert first.url == "https://news.example.org/a"  # utm_* removed
    assert first.id.startswith("f-") and first.source == "Harbour Times"
    assert first.time == datetime(2024, 2, 6, 10, tzinfo=UTC)
    assert second.time == datetime(2024, 2, 7, 7, 30, tzinfo=UTC)
    assert second.id.startswith("f-") and second.id != first.id
    assert report.skipped == {"no text or title": 1}
    assert report.problems[0].where == f"{path} entry 3"


def test_rss091_rdf_and_atom(tmp_path: Path) -> None:
    for name, content, fmt in (
        ("old.xml", RSS091, "rss"),
        ("news.rdf", RDF, "rss"),
        ("daily.atom", ATOM, "atom"),
        ("atom-no-suffix", ATOM, "atom"),
    ):
        (tmp_path / name).write_text(content)
        assert detect_format(tmp_path / name) == fmt, name
    old, rdf, atom, again = (
        _read(tmp_path / n)[0] for n in ("old.xml", "news.rdf", "daily.atom", "atom-no-suffix")
    )
    assert [a.title for a in old] == ["Bridge reopens"] and old[0].source == "Old Wire"
    assert rdf[0].title == "Dam inspected"
    assert rdf[0].time == datetime(2024, 1, 5, 12, tzinfo=UTC)
    assert atom[0].text == "Trains run again.\nUnions agreed."
    assert atom[0].url == "https://atom.example.com/rail"
    assert [a.id for a in again] == [a.id for a in atom]  # stable ids


def test_malformed_feeds(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rss"
    broken.write_text(
        RSS2.replace("</channel></rss>", "").replace("<item><title></title>", "<item")
    )
    articles, report = _read(broken)
    assert [a.title for a in articles][:1] == ["Ferry terminal approved"]
    assert report.warned["malformed feed"] == 1
    junk = tmp_path / "junk.xml"
    junk.write_text("<?xml version='1.0'?><nothing><at all")
    articles, report = _read(junk)
    assert articles == [] and report.skipped == {"malformed feed": 1}
    empty_feed = tmp_path / "empty.rss"
    empty_feed.write_text("<rss version='2.0'><channel><title>x</title></channel></rss>")
    articles, report = _read(empty_feed)
    assert articles == [] and report.skipped == {"no feed entries": 1}


def test_opml_local_and_remote_feeds(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "a.rss").write_text(RSS2)
    (tmp_path / "b.atom").write_text(ATOM)
    listing = tmp_path / "list.opml"
    listing.write_text(
        opml(["feeds/a.rss", (tmp_path / "b.atom").as_uri(), "https://remote.example/rss"])
    )
    assert parse_opml(listing.read_bytes())[2] == "https://remote.example/rss"
    assert detect_format(listing) == "opml"
    articles, report = _read(listing)
    assert [a.title for a in articles] == [
        "Ferry terminal approved",
        "Storm closes port",
        "Rail strike ends",
    ]
    assert report.skipped["remote feed"] == 1
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline xmlUrl='x'")
    assert _read(bad)[1].skipped == {"malformed OPML": 1}


def test_html_to_text() -> None:
    assert html_to_text("<p>One &amp; two</p><script>x()</script><p>Three</p>") == (
        "One & two\nThree"
    )
    assert html_to_text("plain   text") == "plain text"
