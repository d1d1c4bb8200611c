"""HTML pages: extraction, canonical URLs, encodings, pages with no article, huge pages."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.ingest import IngestReport, canonical_url, detect_format, read_inputs
from storyline.ingest.html import decode_html
from storyline.ingest.urls import find_canonical_link

from .ingest_fixtures import NO_ARTICLE_PAGE, PARAGRAPH, article_page

pytest.importorskip("trafilatura")


def _read(*paths: Path) -> tuple[list, IngestReport]:
    report = IngestReport()
    return list(read_inputs(list(paths), report=report)), report


def test_article_page(tmp_path: Path) -> None:
    path = tmp_path / "ferry.html"
    path.write_text(article_page())
    assert detect_format(path) == "html"
    [article], report = _read(path)
    assert article.title == "Council Approves Ferry Terminal"
    assert article.text.startswith("The harbour council voted on Tuesday")
    assert "Opponents said" in article.text and "Copyright" not in article.text
    assert "Home" not in article.text
    assert article.url == "https://news.example.org/2024/ferry?id=7"
    assert article.id.startswith("u-") and article.source == "The Harbour Times"
    assert article.time == datetime(2024, 2, 3, tzinfo=UTC)
    assert report.read == 1


def test_folder_of_pages_and_no_article(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(article_page(title="First Story", canonical=None))
    (tmp_path / "b.htm").write_text(NO_ARTICLE_PAGE)
    (tmp_path / "c.html").write_text("")
    (tmp_path / "d").write_text(article_page(title="Saved Without Suffix", canonical=None))
    articles, report = _read(tmp_path)
    assert [a.title for a in articles] == ["First Story", "Saved Without Suffix"]
    assert report.skipped == {"no main text": 1, "empty file": 1}
    assert all(a.id.startswith("h-") for a in articles)  # no URL: a content id


def test_wrong_declared_encodings(tmp_path: Path) -> None:
    text = article_page(title="Café Zürich Reopens", charset_meta="iso-8859-1", canonical=None)
    utf8_declared_latin = tmp_path / "a.html"
    utf8_declared_latin.write_bytes(text.encode("utf-8"))  # says latin-1, is UTF-8
    latin_declared_utf8 = tmp_path / "b.html"
    latin_declared_utf8.write_bytes(
        article_page(title="Café Zürich Reopens", charset_meta="utf-8").encode("cp1252")
    )
    bogus = tmp_path / "c.html"
    bogus.write_bytes(
        article_page(title="Café Zürich Reopens", charset_meta="x-no-such-charset").encode("cp1252")
    )
    articles, _ = _read(utf8_declared_latin, latin_declared_utf8, bogus)
    assert [a.title for a in articles] == ["Café Zürich Reopens"] * 3


def test_decode_html_order() -> None:
    assert decode_html("é".encode())[1] == "utf-8"
    assert decode_html(b'<meta charset="koi8-r">\xc1')[1] == "koi8-r"
    assert decode_html("é".encode("utf-16"))[1] == "utf-16"
    assert decode_html(b"\xe9 caf\xe9", declared="nonsense")[1] == "cp1252"


def test_huge_page_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    page = article_page(canonical=None)
    junk = "<!-- " + "x" * (50 * 1024 * 1024) + " -->"
    path.write_text(page.replace("<footer>", junk + "<footer>"))
    tracemalloc.start()
    try:
        articles, report = _read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.warned == {"page too large": 1}
    assert [a.title for a in articles] == ["Council Approves Ferry Terminal"]
    assert PARAGRAPH.strip()[:40] in articles[0].text
    assert peak < 40 * 1024 * 1024  # the 50 MB page is never held whole


def test_canonical_urls() -> None:
    assert canonical_url("HTTPS://WWW.Example.COM:443/a/b?utm_source=x&b=2&fbclid=z#frag") == (
        "https://www.example.com/a/b?b=2"
    )
    assert canonical_url("http://example.com") == "http://example.com/"
    assert canonical_url("http://example.com:8080/x?gclid=1") == "http://example.com:8080/x"
    assert canonical_url("https://m.example.com/x", "/story/1?utm_medium=a") == (
        "https://m.example.com/story/1"
    )
    assert canonical_url("https://a.example/x", "javascript:alert(1)") == "https://a.example/x"
    assert canonical_url("not a url") == "not a url"
    head = (
        "<link rel='stylesheet' href='s.css'><LINK REL=\"Canonical\" HREF=\"https://c.example/\">"
    )
    assert find_canonical_link(head) == "https://c.example/"


def test_truncated_gzip_page_keeps_what_came_out(tmp_path: Path) -> None:
    import gzip

    page = article_page(canonical=None, extra="<div>" + "filler " * 20000 + "</div>").encode()
    data = gzip.compress(page)
    path = tmp_path / "page.html.gz"
    path.write_bytes(data[: int(len(data) * 0.7)])
    [article], report = _read(path)
    assert article.title == "Council Approves Ferry Terminal"
    assert report.warned["truncated gzip"] == 1


def test_malformed_html_still_extracts(tmp_path: Path) -> None:
    broken = (
        article_page(canonical=None)
        .replace("</p>", "")
        .replace("</article>", "<div><span>")
        .replace("</body></html>", "<<<>>> &bogus; </td></tr>")
    )
    path = tmp_path / "broken.html"
    path.write_text(broken)
    [article], report = _read(path)
    assert article.title == "Council Approves Ferry Terminal"
    assert article.text.startswith("The harbour council voted")
    assert report.total_skipped == 0
