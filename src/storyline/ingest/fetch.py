"""A polite, guarded HTTP fetcher for feeds and article pages (httpx, ``[feeds]`` extra).

What it does on every request:

* refuses non-http(s) URLs, and hosts that resolve to a private, loopback, link-local,
  multicast, reserved or otherwise non-global address (every address DNS returns is checked;
  redirects are followed by hand and each hop is checked again; the check is repeated at connect
  time on the address actually dialled, so DNS rebinding cannot slip past it), unless
  ``allow_private=True`` or the host is listed in ``private_hosts``;
* obeys robots.txt (RFC 9309: 4xx = no rules, 5xx or unreachable = disallow all), including
  ``Crawl-delay``;
* waits ``min_interval`` seconds between requests to the same host;
* times out (connect and read), caps the body at ``max_bytes`` (the rest is not read; the result
  is flagged ``truncated``), retries timeouts, connection errors, 429 and 5xx with exponential
  backoff (honouring ``Retry-After`` up to ``max_backoff``);
* sends conditional requests (``If-None-Match``/``If-Modified-Since``) from validators it keeps
  in memory and, with ``cache_path``, in a small JSON file; a 304 comes back ``not_modified``;
* identifies itself with a clear ``User-Agent``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from storyline.errors import StorylineError, require

__all__ = [
    "FetchError",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "check_host",
    "is_public_address",
]

log = logging.getLogger("storyline.ingest.fetch")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MAX_ROBOTS_BYTES = 512 * 1024
_MAX_CACHE_ENTRIES = 10_000
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/rdf+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)

Resolver = Callable[[str, int], list[str]]


def _default_user_agent() -> str:
    try:
        from importlib.metadata import version

        ver = version("storyline")
    except Exception:  # not installed (running from a checkout)
        ver = "0"
    return f"storyline/{ver} (news story engine; polite fetcher; +robots.txt obeyed)"


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = field(default_factory=_default_user_agent)
    connect_timeout: float = 5.0
    timeout: float = 20.0
    #: seconds one whole response may take (a server dripping bytes cannot hold a poll forever)
    total_timeout: float = 60.0
    #: bodies are cut at this many (decoded) bytes
    max_bytes: int = 5 * 1024 * 1024
    retries: int = 2
    backoff: float = 0.5
    max_backoff: float = 30.0
    #: seconds between two requests to the same host (robots.txt Crawl-delay may raise it)
    min_interval: float = 1.0
    max_redirects: int = 5
    respect_robots: bool = True
    #: seconds a host's robots.txt is trusted before it is fetched again (long-running watch)
    robots_ttl: float = 6 * 3600
    allow_private: bool = False
    #: hosts (``name`` or ``name:port``) allowed to resolve to private addresses
    private_hosts: tuple[str, ...] = ()
    #: JSON file keeping ETag/Last-Modified per URL between runs (None: memory only)
    cache_path: str | None = None


class FetchError(StorylineError):
    """A URL that could not be fetched; ``reason`` is a short category."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{url}: {reason}" + (f": {detail}" if detail else ""))
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = b""
    not_modified: bool = False
    truncated: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'") or None
        return None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address. IPv6 forms that carry an IPv4 address
    (IPv4-mapped, NAT64 ``64:ff9b::/96``, 6to4, Teredo) are judged by that IPv4 address too."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: list[ipaddress.IPv4Address] = []
        if ip.ipv4_mapped is not None:
            embedded.append(ip.ipv4_mapped)
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            embedded.append(ip.sixtofour)
        if ip.teredo is not None:
            embedded.extend(ip.teredo)
        if any(not (v4.is_global and not v4.is_multicast) for v4 in embedded):
            return False
        if ip.ipv4_mapped is not None:
            return True  # judged by its IPv4 address alone
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_host(
    host: str,
    port: int,
    allow_private: bool = False,
    private_hosts: Iterable[str] = (),
    resolver: Resolver = _resolve,
) -> list[str]:
    """The addresses of ``host``, or FetchError when any of them is not public (and private
    addresses are not allowed for it). IP literals are checked without DNS."""
    host = host.strip("[]").lower().rstrip(".")
    allowed = allow_private or host in private_hosts or f"{host}:{port}" in private_hosts
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        addresses = [host]
    except ValueError:
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(host, "DNS lookup failed", str(exc)) from exc
    if not addresses:
        raise FetchError(host, "DNS lookup failed", "no address")
    if not allowed:
        bad = [a for a in addresses if not is_public_address(a)]
        if bad:
            raise FetchError(
                host, "refused private address", f"{host} resolves to {', '.join(sorted(set(bad)))}"
            )
    return addresses


def _guarded_backend(settings: FetchSettings, resolver: Resolver) -> Any:
    """An httpcore network backend that checks, at connect time, the address it dials."""
    httpcore = require("httpcore", "feeds")

    class GuardedBackend(httpcore.SyncBackend):  # type: ignore[name-defined]
        def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
            addresses = check_host(
                host, port, settings.allow_private, settings.private_hosts, resolver
            )
            last: Exception | None = None
            for address in addresses:
                try:
                    return super().connect_tcp(address, port, *args, **kwargs)
                except Exception as exc:  # try the next address, as the resolver would
                    last = exc
            assert last is not None
            raise last

    return GuardedBackend()


class Fetcher:
    """Fetch URLs politely and safely; see the module docstring. Use as a context manager."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        allow_private: bool | None = None,
        resolver: Resolver = _resolve,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        httpx = require("httpx", "feeds")
        settings = settings or FetchSettings()
        if allow_private is not None:
            from dataclasses import replace

            settings = replace(settings, allow_private=allow_private)
        self.settings = settings
        self._resolver = resolver
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}
        self.validators: dict[str, dict[str, str]] = self._load_cache()
        transport = httpx.HTTPTransport(retries=0)
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = _guarded_backend(settings, resolver)
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": _ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
            trust_env=False,
        )
        self._httpx = httpx

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- conditional GET cache ---------------------------------------------------------------

    def _load_cache(self) -> dict[str, dict[str, str]]:
        path = self.settings.cache_path
        if not path or not os.path.exists(path):
            return {}
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            log.warning("%s: ignoring unreadable fetch cache: %s", path, exc)
            return {}
        return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}

    def save_cache(self) -> None:
        path = self.settings.cache_path
        if not path:
            return
        items = list(self.validators.items())[-_MAX_CACHE_ENTRIES:]
        tmp = f"{path}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(dict(items), fh)
            os.replace(tmp, path)
        except OSError as exc:  # the cache only saves requests: never fatal
            log.warning("%s: cannot write the fetch cache: %s", path, exc)

    def _remember(self, url: str, headers: Mapping[str, str]) -> None:
        entry = {k: headers[k] for k in ("etag", "last-modified") if headers.get(k)}
        if entry:
            self.validators.pop(url, None)
            self.validators[url] = entry
            self.save_cache()

    # -- politeness --------------------------------------------------------------------------

    def _wait_turn(self, netloc: str) -> None:
        interval = max(self.settings.min_interval, self._delay.get(netloc, 0.0))
        last = self._last.get(netloc)
        if last is not None:
            wait = interval - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last[netloc] = self._clock()

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this fetcher's User-Agent fetch ``url``."""
        if not self.settings.respect_robots:
            return True
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        cached = self._robots.get(netloc)
        if cached is None or self._clock() - cached[0] > self.settings.robots_ttl:
            loaded = self._load_robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
            self._robots[netloc] = (self._clock(), loaded)
            delay = loaded.crawl_delay(self.settings.user_agent) if loaded else None
            if delay:
                self._delay[netloc] = min(float(delay), self.settings.max_backoff)
        parser = self._robots[netloc][1]
        if parser is None:
            return False
        return parser.can_fetch(self.settings.user_agent, url)

    def _load_robots(self, robots_url: str) -> urllib.robotparser.RobotFileParser | None:
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            result = self._fetch(
                robots_url, conditional=False, max_bytes=_MAX_ROBOTS_BYTES, raise_status=False
            )
        except FetchError as exc:
            if exc.reason == "refused private address":
                raise
            log.warning("%s: robots.txt unreachable (%s): host skipped", robots_url, exc)
            return None
        if result.status >= 500 or result.status in _REDIRECTS:
            log.warning("%s: robots.txt status %d: host skipped", robots_url, result.status)
            return None
        if result.status >= 400:
            parser.parse([])
            return parser
        parser.parse(result.body.decode("utf-8", errors="replace").splitlines())
        return parser

    # -- fetching ----------------------------------------------------------------------------

    def get(self, url: str, conditional: bool = True) -> FetchResult:
        """Fetch ``url`` (following redirects, each checked); raise FetchError when it cannot
        be fetched (refused address, robots.txt, HTTP error after retries, timeout...)."""
        return self._fetch(
            url, conditional=conditional, max_bytes=self.settings.max_bytes, robots=True
        )

    def _fetch(
        self,
        url: str,
        conditional: bool,
        max_bytes: int,
        robots: bool = False,
        raise_status: bool = True,
    ) -> FetchResult:
        current = url
        for _ in range(self.settings.max_redirects + 1):
            try:
                parts = urlsplit(current)
                port = parts.port or (443 if parts.scheme == "https" else 80)
            except ValueError as exc:  # "http://[host/", a port that is not a number...
                raise FetchError(current, "bad URL", str(exc)) from exc
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(current, "unsupported URL", "only http(s) URLs are fetched")
            check_host(
                parts.hostname,
                port,
                self.settings.allow_private,
                self.settings.private_hosts,
                self._resolver,
            )
            if robots and not self.allowed(current):
                raise FetchError(current, "disallowed by robots.txt")
            headers: dict[str, str] = {}
            if conditional and current in self.validators:
                cached = self.validators[current]
                if "etag" in cached:
                    headers["If-None-Match"] = cached["etag"]
                if "last-modified" in cached:
                    headers["If-Modified-Since"] = cached["last-modified"]
            result = self._request_with_retries(current, headers, max_bytes, url)
            if result.status in _REDIRECTS and "location" in result.headers:
                current = urljoin(current, result.headers["location"])
                continue
            if result.status == 304:
                return result
            if result.status >= 400 and raise_status:
                raise FetchError(current, "HTTP error", f"status {result.status}")
            if conditional and result.status < 300:
                self._remember(current, result.headers)
            return result
        raise FetchError(url, "too many redirects", f"more than {self.settings.max_redirects}")

    def _request_with_retries(
        self, url: str, headers: dict[str, str], max_bytes: int, original: str
    ) -> FetchResult:
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            self._wait_turn(urlsplit(url).netloc.lower())
            try:
                result = self._request(url, headers, max_bytes, original)
            except FetchError as exc:
                if exc.reason == "refused private address" or attempt == attempts - 1:
                    raise
                self._sleep(self._backoff(attempt, None))
                continue
            if result.status in _RETRY_STATUS and attempt < attempts - 1:
                self._sleep(self._backoff(attempt, result.headers.get("retry-after")))
                continue
            return result
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after.strip()), self.settings.max_backoff)
        return min(self.settings.backoff * (2**attempt), self.settings.max_backoff)

    def _request(
        self, url: str, headers: dict[str, str], max_bytes: int, original: str
    ) -> FetchResult:
        httpx = self._httpx
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                kept = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code in _REDIRECTS or response.status_code == 304:
                    body, truncated = b"", False
                else:
                    body, truncated = self._read_capped(response, max_bytes, url)
        except FetchError:
            raise
        except httpx.TimeoutException as exc:
            raise FetchError(url, "timeout", str(exc) or type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, FetchError):
                raise cause from exc
            raise FetchError(url, "connection failed", str(exc) or type(exc).__name__) from exc
        if truncated:
            log.warning("%s: body cut at %d bytes", url, max_bytes)
        return FetchResult(
            url=original,
            final_url=url,
            status=response.status_code,
            headers=kept,
            body=body,
            not_modified=response.status_code == 304,
            truncated=truncated,
        )

    def _read_capped(self, response: Any, max_bytes: int, url: str) -> tuple[bytes, bool]:
        deadline = self._clock() + self.settings.total_timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            room = max_bytes - size
            if len(chunk) > room:
                chunks.append(chunk[:room])
                return b"".join(chunks), True
            chunks.append(chunk)
            size += len(chunk)
            if self._clock() > deadline:
                raise FetchError(
                    url, "timeout", f"response took over {self.settings.total_timeout} s"
                )
        return b"".join(chunks), False
