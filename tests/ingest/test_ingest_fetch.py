"""The fetcher against a real HTTP server on 127.0.0.1: politeness, caps, retries, SSRF guard.

Addresses other than 127.0.0.1/::1 are only ever *refused* here: the guard rejects them before
any connection is attempted, so no packet leaves the machine.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

import pytest

from storyline.ingest.fetch import (
    Fetcher,
    FetchError,
    FetchSettings,
    check_host,
    is_public_address,
)

from .ingest_fixtures import LocalServer, article_page

pytest.importorskip("httpx")


def _fetcher(**kw: object) -> Fetcher:
    base: dict[str, object] = {"min_interval": 0.0, "backoff": 0.01, "allow_private": True}
    base.update(kw)
    return Fetcher(FetchSettings(**base))  # type: ignore[arg-type]


def test_get_page_and_user_agent(local_server: LocalServer) -> None:
    agents: list[str] = []

    def page(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        agents.append(handler.headers.get("User-Agent", ""))
        return 200, {"Content-Type": "text/html; charset=utf-8"}, article_page().encode()

    local_server.routes["/a.html"] = page
    with _fetcher() as fetcher:
        result = fetcher.get(f"{local_server.base}/a.html")
    assert result.status == 200 and result.content_type == "text/html"
    assert result.charset == "utf-8" and b"Ferry Terminal" in result.body
    assert agents and agents[0].startswith("storyline/")
    assert local_server.hits[0] == "/robots.txt"


def test_conditional_get_with_persistent_cache(local_server: LocalServer, tmp_path) -> None:
    def feed(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, b"<rss/>"

    local_server.routes["/feed.xml"] = feed
    cache = str(tmp_path / "cache.json")
    url = f"{local_server.base}/feed.xml"
    with _fetcher(cache_path=cache) as fetcher:
        assert fetcher.get(url).body == b"<rss/>"
        second = fetcher.get(url)
        assert second.not_modified and second.status == 304
        assert fetcher.get(url, conditional=False).body == b"<rss/>"
    with _fetcher(cache_path=cache) as fresh:  # validators came back from the JSON file
        assert fresh.get(url).not_modified


def test_robots_txt(local_server: LocalServer) -> None:
    local_server.serve("/private/x", "secret")
    local_server.serve("/public", "ok")
    with _fetcher() as fetcher:
        with pytest.raises(FetchError) as err:
            fetcher.get(f"{local_server.base}/private/x")
        assert err.value.reason == "disallowed by robots.txt"
        assert fetcher.get(f"{local_server.base}/public").body == b"ok"
    assert "/private/x" not in local_server.hits
    local_server.serve("/robots.txt", "down", "text/plain", status=503)
    with _fetcher() as fetcher, pytest.raises(FetchError, match="robots"):
        fetcher.get(f"{local_server.base}/public")
    local_server.serve("/robots.txt", "none", "text/plain", status=404)
    with _fetcher() as fetcher:
        assert fetcher.get(f"{local_server.base}/public").body == b"ok"


def test_redirects_followed_and_bounded(local_server: LocalServer) -> None:
    local_server.serve("/target", "here")
    local_server.serve("/hop", "", status=302, headers={"Location": "/target"})
    local_server.serve("/loop", "", status=301, headers={"Location": "/loop"})
    with _fetcher(max_redirects=3) as fetcher:
        result = fetcher.get(f"{local_server.base}/hop")
        assert result.final_url.endswith("/target") and result.body == b"here"
        with pytest.raises(FetchError, match="too many redirects"):
            fetcher.get(f"{local_server.base}/loop")


def test_body_cap(local_server: LocalServer) -> None:
    local_server.serve("/big", b"x" * 3_000_000, "text/html")
    with _fetcher(max_bytes=100_000) as fetcher:
        result = fetcher.get(f"{local_server.base}/big")
    assert result.truncated and len(result.body) == 100_000


def test_retries_with_backoff(local_server: LocalServer) -> None:
    calls = {"n": 0}

    def flaky(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        calls["n"] += 1
        if calls["n"] <= 2:
            return 503, {"Retry-After": "0"}, b"busy"
        return 200, {"Content-Type": "text/plain"}, b"fine"

    local_server.routes["/flaky"] = flaky
    with _fetcher(retries=2) as fetcher:
        assert fetcher.get(f"{local_server.base}/flaky").body == b"fine"
    assert calls["n"] == 3
    calls["n"] = 0
    with _fetcher(retries=0) as fetcher, pytest.raises(FetchError, match="status 503"):
        fetcher.get(f"{local_server.base}/flaky")


def test_timeout(local_server: LocalServer) -> None:
    def slow(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.0)
        return 200, {}, b"late"

    local_server.routes["/slow"] = slow
    fetcher = _fetcher(timeout=0.2, retries=0, respect_robots=False)
    with fetcher, pytest.raises(FetchError) as err:
        fetcher.get(f"{local_server.base}/slow")
    assert err.value.reason == "timeout"


def test_per_host_rate_limit(local_server: LocalServer) -> None:
    local_server.serve("/p", "x")
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    fetcher = Fetcher(FetchSettings(min_interval=0.2, allow_private=True), sleep=sleep)
    with fetcher:
        start = time.monotonic()
        fetcher.get(f"{local_server.base}/p")
        fetcher.get(f"{local_server.base}/p")
        elapsed = time.monotonic() - start
    assert elapsed >= 0.4  # robots.txt, then two pages, 0.2 s apart
    assert len(waits) == 2 and all(0 < w <= 0.2 for w in waits)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/a",
        "http://localhost:{port}/a",
        "http://[::1]:{port}/a",
        "http://[::ffff:127.0.0.1]:{port}/a",
        "http://10.0.0.1/a",
        "http://192.168.1.1/a",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:{port}/a",
        "http://2130706433:{port}/a",  # 127.0.0.1 spelled as a number
        "http://0x7f.0.0.1:{port}/a",
        "http://127.1:{port}/a",
        "http://localhost.:{port}/a",
    ],
)
def test_private_addresses_refused_by_default(local_server: LocalServer, url: str) -> None:
    local_server.serve("/a", "should never be served")
    with Fetcher(FetchSettings(min_interval=0.0)) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(url.format(port=local_server.port))
    assert err.value.reason == "refused private address"
    assert local_server.hits == []


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/x",
        "http://localhost:{port}/ok",
        "http://[::1]:{port}/ok",
        "http://169.254.169.254/",
    ],
)
def test_redirect_to_private_address_refused(local_server: LocalServer, location: str) -> None:
    local_server.serve("/ok", "reached")
    local_server.serve(
        "/jump", "", status=302, headers={"Location": location.format(port=local_server.port)}
    )
    settings = FetchSettings(min_interval=0.0, private_hosts=("127.0.0.1",))
    with Fetcher(settings) as fetcher:
        assert fetcher.get(f"{local_server.base}/ok").body == b"reached"  # the allowed host
        with pytest.raises(FetchError) as err:
            fetcher.get(f"{local_server.base}/jump")
    assert err.value.reason == "refused private address"
    assert local_server.hits.count("/ok") == 1


def test_address_checks_without_network() -> None:
    assert is_public_address("8.8.8.8") and is_public_address("2001:4860:4860::8888")
    assert is_public_address("::ffff:8.8.8.8")
    for address in (
        "10.1.2.3",
        "172.16.0.1",
        "100.64.0.1",
        "127.0.0.2",
        "::1",
        "fe80::1%eth0",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "fc00::1",
        "224.0.0.1",
        "0.0.0.0",
        "not-an-ip",
    ):
        assert not is_public_address(address), address
    # every address a name resolves to is checked, not just the first
    with pytest.raises(FetchError, match=r"10\.0\.0\.5"):
        check_host("mixed.example", 80, resolver=lambda h, p: ["93.184.216.34", "10.0.0.5"])
    assert check_host("pub.example", 80, resolver=lambda h, p: ["93.184.216.34"]) == [
        "93.184.216.34"
    ]
    with pytest.raises(FetchError, match="unsupported URL"), Fetcher() as fetcher:
        fetcher.get("file:///etc/passwd")


def test_dns_rebinding_is_caught_at_connect_time(local_server: LocalServer) -> None:
    """The name passes the first check (a public answer), then resolves to 127.0.0.1 when the
    connection is made: the connect-time check refuses it, and no request reaches the server."""
    answers = iter([["93.184.216.34"]] + [["127.0.0.1"]] * 10)
    local_server.serve("/a", "should never be served")
    settings = FetchSettings(min_interval=0.0, respect_robots=False, retries=0)
    fetcher = Fetcher(settings, resolver=lambda h, p: next(answers))
    with fetcher, pytest.raises(FetchError) as err:
        fetcher.get(f"http://rebind.test:{local_server.port}/a")
    assert err.value.reason == "refused private address"
    assert local_server.hits == []


def test_robots_txt_is_refetched_after_its_ttl(local_server: LocalServer) -> None:
    local_server.serve("/p", "x")
    now = [1000.0]
    settings = FetchSettings(min_interval=0.0, allow_private=True, robots_ttl=60.0)
    with Fetcher(settings, clock=lambda: now[0]) as fetcher:
        fetcher.get(f"{local_server.base}/p")
        fetcher.get(f"{local_server.base}/p")
        now[0] += 61.0
        fetcher.get(f"{local_server.base}/p")
    assert local_server.hits.count("/robots.txt") == 2


def test_a_dripping_response_hits_the_total_timeout(local_server: LocalServer) -> None:
    def drip(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes | list[bytes]]:
        return 200, {"Content-Type": "text/plain"}, [b"x" * 10] * 8  # 8 pieces, 0.15 s apart

    local_server.routes["/drip"] = drip
    fetcher = _fetcher(total_timeout=0.4, timeout=5.0, retries=0, respect_robots=False)
    with fetcher, pytest.raises(FetchError) as err:
        fetcher.get(f"{local_server.base}/drip")
    assert err.value.reason == "timeout" and "took over" in str(err.value)
