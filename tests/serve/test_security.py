"""Stored text is untrusted: hostile titles, bodies, URLs, source and entity names must reach the
page as inert text; every response carries the security headers; the store is never written."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from storyline.serve._app import HERE
from storyline.store.queries import connect_readonly, safe_link

#: markup the hostile payloads would create if anything were not escaped
LIVE_MARKUP = re.compile(
    r"<script>alert|<img src=x|<svg onload|<b onmouseover|href=\"javascript:|onerror=alert\(1\)>",
    re.IGNORECASE,
)


def _pages(client: Any, source: str = "x") -> list[str]:
    stories = client.get("/api/stories").json()["stories"]
    bridge = next(s["id"] for s in stories if "bridge" in s["headline"].lower())
    return [
        "/", f"/stories/{bridge}", "/search?q=bridge", "/search?q=script+alert",
        "/search?q=onerror", "/search?q=img+src", "/sources", "/sources/State%20Radio",
        f"/search?source={source}", f"/sources/{source}",
        "/entities/%3Cimg%20src%3Dx%20onerror%3Dalert(4)%3E", "/stories/%3Cscript%3E",
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
    ]


def test_hostile_payloads_are_escaped_on_every_page(client: Any, hostile: dict[str, str]) -> None:
    for url in _pages(client, hostile["source"]):
        r = client.get(url)
        assert r.status_code in (200, 404), url
        assert not LIVE_MARKUP.search(r.text), (url, LIVE_MARKUP.search(r.text))
    story = client.get(_pages(client)[1]).text
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in story
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in story
    assert "&lt;b onmouseover=alert(3)&gt;Evil Wire&lt;/b&gt;" in story  # source name
    assert "&lt;img src=x onerror=alert(4)&gt;" in story  # entity name
    assert "&lt;script&gt;alert(&#34;tl&#34;)&lt;/script&gt; Repairs planned" in story  # timeline


def test_only_http_urls_become_links(client: Any, hostile: dict[str, str]) -> None:
    story = client.get(_pages(client)[1]).text
    assert hostile["url"] in story  # shown, as text
    assert f'href="{hostile["url"]}' not in story
    hrefs = re.findall(r'href="([^"]*)"', story)
    assert all(h.startswith(("/", "#", "http://", "https://", "?")) for h in hrefs), hrefs
    assert 'href="ftp://' not in client.get("/search?q=roof").text


def test_search_snippets_escape_then_highlight(client: Any) -> None:
    html = client.get("/search", params={"q": "onerror"}).text
    assert "<mark>onerror</mark>=alert(1)&gt;" in html
    body = client.get("/api/search", params={"q": "onerror"}).json()
    snippet = body["articles"][0]["snippet"]
    assert any(s["hit"] and s["text"] == "onerror" for s in snippet)
    assert "\ue000" not in html and "\ue001" not in html  # internal hit markers never leak


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("HTTP://EXAMPLE.ORG", "HTTP://EXAMPLE.ORG"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox", None),
        ("//evil.example/x", None),
        ("/relative", None),
        ("https:///nohost", None),
        ("http://[::1", None),
        ("", None),
    ],
)
def test_safe_link(url: str, link: str | None) -> None:
    assert safe_link(url) == link


def test_security_headers_on_every_response(client: Any) -> None:
    for url in ["/", "/api/stories", "/stories/none", "/static/style.css", "/openapi.json",
                "/search?q=x&since=bad", "/"]:  # "/" twice: also when served from the cache
        h = client.get(url).headers
        csp = h["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"


def test_templates_have_no_inline_script_style_or_safe_filter() -> None:
    for path in (HERE / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), path
        assert "<style" not in text and " style=" not in text, path
        assert re.search(r"<script(?![^>]*\bsrc=)", text) is None, path
        assert not re.search(r"\son[a-z]+=", text), path


def test_pages_use_a_read_only_connection(built_db: Path) -> None:
    conn = connect_readonly(built_db)
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM articles")
    finally:
        conn.close()
