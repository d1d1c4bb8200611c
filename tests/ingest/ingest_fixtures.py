"""Small news documents written for these tests: feeds, pages, OPML, WARC archives."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

PARAGRAPH = (
    "The harbour council voted on Tuesday to approve the new ferry terminal after a debate "
    "that lasted well past midnight, with members split over the cost of the project. "
)
BODY = PARAGRAPH * 4


def article_page(
    title: str = "Council Approves Ferry Terminal",
    canonical: str | None = "https://news.example.org/2024/ferry?utm_source=rss&id=7",
    charset_meta: str | None = "utf-8",
    body: str = BODY,
    extra: str = "",
) -> str:
    """An HTML article page: navigation, an article with two paragraphs, a footer."""
    head = f"<title>{title} | The Harbour Times</title>"
    if charset_meta:
        head = f'<meta charset="{charset_meta}">' + head
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    head += (
        '<meta property="og:site_name" content="The Harbour Times">'
        '<meta property="article:published_time" content="2024-02-03T10:00:00Z">'
    )
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1><p>{body}</p>"
        "<p>Opponents said they would take the decision to court next month, "
        "arguing that the council had ignored the environmental report.</p></article>"
        f"{extra}<footer>Copyright The Harbour Times</footer></body></html>"
    )


NO_ARTICLE_PAGE = (
    "<html><head><title>Index</title></head><body><nav><a href='/a'>A</a> "
    "<a href='/b'>B</a></nav><ul><li><a href='/c'>C</a></li></ul></body></html>"
)

RSS2 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Times</title><link>https://news.example.org/</link>
<item><title>Ferry terminal approved</title><link>https://news.example.org/a?utm_medium=feed</link>
<guid>urn:harbour:1</guid><pubDate>Tue, 06 Feb 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;The council &lt;b&gt;approved&lt;/b&gt; the terminal.&lt;/p&gt;
</description></item>
<item><title>Storm closes port</title><link>https://news.example.org/b</link>
<pubDate>Wed, 07 Feb 2024 08:30:00 +0100</pubDate><description>Ships stayed in.</description></item>
<item><title></title><description></description></item>
</channel></rss>
"""

RSS091 = """<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old Wire</title><link>http://wire.example.com/</link>
<item><title>Bridge reopens</title><link>http://wire.example.com/1</link>
<description>Traffic flows again.</description></item></channel></rss>
"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example.net/"><title>RDF News</title>
<link>http://rdf.example.net/</link><description>x</description></channel>
<item rdf:about="http://rdf.example.net/1"><title>Dam inspected</title>
<link>http://rdf.example.net/1</link><description>Engineers found no cracks.</description>
<dc:date>2024-01-05T12:00:00Z</dc:date></item>
</rdf:RDF>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Daily</title>
<link href="https://atom.example.com/"/><id>urn:atom-daily</id><updated>2024-03-01T00:00:00Z</updated>
<entry><title>Rail strike ends</title><id>urn:atom:1</id>
<link href="https://atom.example.com/rail?fbclid=abc"/><updated>2024-03-01T09:00:00Z</updated>
<content type="html">&lt;p&gt;Trains run again.&lt;/p&gt;&lt;p&gt;Unions agreed.&lt;/p&gt;</content>
</entry></feed>
"""


def opml(urls: list[str]) -> str:
    outlines = "".join(
        f'<outline text="f{i}" type="rss" xmlUrl="{u}"/>' for i, u in enumerate(urls)
    )
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>Feeds</title></head>'
        f"<body><outline text='group'>{outlines}</outline></body></opml>"
    )


def build_warc(path: Path, gzip: bool = True, pages: int = 2) -> None:
    """A WARC with: ``pages`` HTML article responses, a request, a 404, a PNG, a page with no
    article, and a metadata record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)

        def response(uri: str, status: str, ctype: str, payload: bytes) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    uri, "response", payload=io.BytesIO(payload), http_headers=headers
                )
            )

        for i in range(pages):
            page = article_page(title=f"Ferry Story Number {i}", canonical=None)
            req = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "news.example.org")], is_http_request=True
            )
            writer.write_record(
                writer.create_warc_record(
                    f"https://news.example.org/{i}",
                    "request",
                    payload=io.BytesIO(b""),
                    http_headers=req,
                )
            )
            response(
                f"https://news.example.org/{i}?utm_campaign=x",
                "200 OK",
                "text/html; charset=utf-8",
                page.encode(),
            )
        response("https://news.example.org/missing", "404 Not Found", "text/html", b"<html>gone")
        response("https://news.example.org/logo.png", "200 OK", "image/png", b"\x89PNG" + bytes(64))
        response("https://news.example.org/index", "200 OK", "text/html", NO_ARTICLE_PAGE.encode())
        writer.write_record(
            writer.create_warc_record(
                "https://news.example.org/0",
                "metadata",
                payload=io.BytesIO(b"outlinks: none"),
                warc_content_type="text/plain",
            )
        )


Route = Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes | list[bytes]]]


@dataclass
class LocalServer:
    base: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def serve(
        self,
        path: str,
        body: bytes | str,
        ctype: str = "text/html",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        extra = dict(headers or {})

        def route(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
            return status, {"Content-Type": ctype, **extra}, data

        self.routes[path] = route
