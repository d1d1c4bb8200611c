"""The FastAPI application: HTML pages and their JSON twins over one read-only store.

Each request opens its own read-only SQLite connection (``file:...?mode=ro``) and closes it at the
end; pages are rendered by Jinja2 with autoescaping on and no ``|safe`` anywhere, so stored text
(untrusted: titles, bodies, URLs, source names) can never become markup. Every response carries a
strict Content-Security-Policy (no inline script or style) and related headers.
"""

from __future__ import annotations

import hmac
import logging
import os
import sqlite3
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline.config import Settings
from storyline.errors import StorylineError
from storyline.serve import models as m
from storyline.store import queries as q
from storyline.store.schema import MIGRATIONS

__all__ = ["SECURITY_HEADERS", "build_app"]

log = logging.getLogger("storyline")

HERE = Path(__file__).resolve().parent
#: largest JSONL body ``POST /api/ingest`` accepts
MAX_INGEST_BYTES = 32 * 1024 * 1024

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.raw]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PageCache:
    """ASGI middleware: keeps the last ``max_entries`` successful GET responses (pages and API)
    per URL and serves them again until the store's files change (any committed write
    invalidates every entry). Static files are left to the browser cache."""

    def __init__(self, app: ASGIApp, reader: q.Reader, max_entries: int = 1024,
                 max_bytes: int = 64 * 1024 * 1024) -> None:
        self.app = app
        self.reader = reader
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self.version: tuple[int, ...] = ()
        self.entries: OrderedDict[tuple[str, bytes], tuple[Message, bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET"
                or scope["path"].startswith("/static/")):
            await self.app(scope, receive, send)
            return
        version = self.reader.fingerprint()
        if version != self.version:
            self.entries.clear()
            self.size, self.version = 0, version
        key = (scope["path"], scope.get("query_string", b""))
        if (hit := self.entries.get(key)) is not None:
            self.entries.move_to_end(key)
            await send(hit[0])
            await send({"type": "http.response.body", "body": hit[1]})
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and start.get("status") == 200:
                    self._keep(key, version, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _keep(self, key: tuple[str, bytes], version: tuple[int, ...], start: Message,
              body: bytes) -> None:
        if version != self.version or len(body) > self.max_bytes // 16:
            return
        self.entries[key] = (start, body)
        self.size += len(body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, (_, old) = self.entries.popitem(last=False)
            self.size -= len(old)


# -- templates ----------------------------------------------------------------------------------


def _day(value: str | None) -> str:
    return value[:10] if value else ""


def _when(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else ""


def _span(start: str | None, end: str | None) -> str:
    if not start:
        return "undated"
    a, b = _day(start), _day(end or start)
    return a if a == b else f"{a} – {b}"


def _spark(days: Any, width: int = 120, height: int = 28) -> list[dict[str, Any]]:
    """Bars of an SVG sparkline (x, y, w, h, label) from a story's articles per day."""
    days = list(days)
    if not days:
        return []
    top = max(d.count for d in days) or 1
    step = min(width / len(days), 14.0)
    bar = max(step - 1.5, 1.0)
    left = width - step * len(days)  # right-aligned: the latest day at the right edge
    out = []
    for i, d in enumerate(days):
        h = 0.0 if not d.count else max(2.0, (height - 2) * d.count / top)
        out.append({"x": round(left + i * step, 2), "y": round(height - h, 2), "w": round(bar, 2),
                    "h": round(h, 2), "label": f"{d.day}: {d.count} article(s)"})
    return out


def _qs(query: Mapping[str, str], **changes: Any) -> str:
    """The current query string with some parameters changed (None drops one)."""
    params = {k: v for k, v in query.items() if v not in ("", None)}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


def _path(value: str) -> str:
    return quote(value, safe="")


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
    env.filters.update(day=_day, when=_when, path=_path)
    env.globals.update(span=_span, spark=_spark, qs=_qs)
    return env


ENV = _env()


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = ENV.get_template(name).render(request=request, query=request.query_params, **context)
    return HTMLResponse(html, status_code=status)


# -- dependencies -------------------------------------------------------------------------------


def _reader(request: Request) -> q.Reader:
    reader: q.Reader = request.app.state.reader
    return reader


def _conn(request: Request) -> Iterator[sqlite3.Connection]:
    """One read-only connection per request, closed when the response is done."""
    conn = _reader(request).connect()
    try:
        yield conn
    finally:
        conn.close()


Conn = Annotated[sqlite3.Connection, Depends(_conn)]
PageNo = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PerPage = Annotated[int, Query(ge=1, le=100, description="items per page")]


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(400, f"{name}: not a date (YYYY-MM-DD): {value[:40]!r}") from None


def _filters(since: str | None, until: str | None, source: str | None,
             entity: str | None) -> q.SearchFilters:
    return q.SearchFilters(
        since=_date(since, "since"), until=_date(until, "until"),
        source=source.strip() or None if source else None,
        entity=entity.strip() or None if entity else None,
    )


def _filters_model(f: q.SearchFilters) -> m.FiltersModel:
    return m.FiltersModel(
        since=f.since.isoformat() if f.since else None,
        until=f.until.isoformat() if f.until else None, source=f.source, entity=f.entity)


# -- JSON API -----------------------------------------------------------------------------------

api = APIRouter(prefix="/api", tags=["api"])


@api.get("/stories", response_model=m.FrontPageModel, summary="Ranked stories (front page)")
def api_stories(request: Request, conn: Conn, page: PageNo = 1,
                per_page: PerPage = 20) -> m.FrontPageModel:
    ranking = _reader(request).ranking(conn)
    cards, pg = q.front_page(conn, ranking, page, per_page)
    return m.FrontPageModel(
        stories=[m.StoryCardModel.model_validate(c) for c in cards],
        page=m.PageModel.model_validate(pg), reference=ranking.reference)


@api.get("/stories/{story_id}", response_model=m.StoryModel, summary="One story (story page)")
def api_story(request: Request, story_id: str, conn: Conn, page: PageNo = 1,
              per_page: PerPage = 50) -> m.StoryModel:
    detail = q.story_detail(conn, story_id, page, per_page, _reader(request).ranking(conn).scores)
    if detail is None:
        raise HTTPException(404, f"no story {story_id!r}")
    return m.StoryModel.model_validate(detail)


@api.get("/search", response_model=m.SearchModel, summary="Full-text search")
def api_search(
    conn: Conn,
    text: Annotated[str, Query(alias="q", max_length=500, description="words (all required)")] = "",
    since: Annotated[str | None, Query(description="from date YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(description="to date YYYY-MM-DD (inclusive)")] = None,
    source: str | None = None,
    entity: str | None = None,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> m.SearchModel:
    filters = _filters(since, until, source, entity)
    result = q.search(conn, text, filters, page, per_page)
    return m.SearchModel(
        query=result.query, filters=_filters_model(filters),
        stories=[m.StoryHitModel.model_validate(s) for s in result.stories],
        articles=[m.ArticleHitModel.model_validate(a) for a in result.articles],
        page=m.PageModel.model_validate(result.page))


@api.get("/sources", response_model=m.SourcesModel, summary="Every source")
def api_sources(conn: Conn, page: PageNo = 1,
                per_page: PerPage = 50) -> m.SourcesModel:
    rows, pg = q.sources_index(conn, page, per_page)
    return m.SourcesModel(
        sources=[m.SourceSummaryModel(name=n, articles=a, stories=s) for n, a, s in rows],
        page=m.PageModel.model_validate(pg))


@api.get("/sources/{name:path}", response_model=m.SourcePageModel,
         summary="Stories a source covered")
def api_source(request: Request, name: str, conn: Conn, page: PageNo = 1,
               per_page: PerPage = 20) -> m.SourcePageModel:
    result = q.source_page(conn, name, page, per_page, _reader(request).ranking(conn).scores)
    if result is None:
        raise HTTPException(404, f"no source {name!r}")
    return m.SourcePageModel.model_validate(result)


@api.get("/entities/{name:path}", response_model=m.EntityPageModel,
         summary="Stories an entity appears in")
def api_entity(request: Request, name: str, conn: Conn, page: PageNo = 1,
               per_page: PerPage = 20) -> m.EntityPageModel:
    result = q.entity_page(conn, name, page, per_page, _reader(request).ranking(conn).scores)
    if result is None:
        raise HTTPException(404, f"no entity {name!r}")
    return m.EntityPageModel.model_validate(result)


# -- HTML pages ---------------------------------------------------------------------------------

pages = APIRouter(include_in_schema=False)


@pages.get("/", response_class=HTMLResponse)
def page_front(request: Request, conn: Conn, page: PageNo = 1, per_page: PerPage = 20
               ) -> HTMLResponse:
    ranking = _reader(request).ranking(conn)
    cards, pg = q.front_page(conn, ranking, page, per_page)
    return _render(request, "index.html", stories=cards, page=pg, reference=ranking.reference,
                   api=f"/api/stories{_qs(request.query_params)}")


@pages.get("/stories/{story_id}", response_class=HTMLResponse)
def page_story(request: Request, story_id: str, conn: Conn, page: PageNo = 1,
               per_page: PerPage = 50) -> HTMLResponse:
    detail = q.story_detail(conn, story_id, page, per_page, _reader(request).ranking(conn).scores)
    if detail is None:
        raise HTTPException(404, "No such story.")
    return _render(request, "story.html", story=detail,
                   api=f"/api/stories/{_path(story_id)}{_qs(request.query_params)}")


@pages.get("/search", response_class=HTMLResponse)
def page_search(
    request: Request,
    conn: Conn,
    text: Annotated[str, Query(alias="q", max_length=500)] = "",
    since: str | None = None,
    until: str | None = None,
    source: str | None = None,
    entity: str | None = None,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> HTMLResponse:
    filters = _filters(since, until, source, entity)
    result = q.search(conn, text, filters, page, per_page)
    return _render(request, "search.html", result=result,
                   api=f"/api/search{_qs(request.query_params)}")


@pages.get("/sources", response_class=HTMLResponse)
def page_sources(request: Request, conn: Conn, page: PageNo = 1, per_page: PerPage = 50
                 ) -> HTMLResponse:
    rows, pg = q.sources_index(conn, page, per_page)
    return _render(request, "sources.html", sources=rows, page=pg,
                   api=f"/api/sources{_qs(request.query_params)}")


@pages.get("/sources/{name:path}", response_class=HTMLResponse)
def page_source(request: Request, name: str, conn: Conn, page: PageNo = 1,
                per_page: PerPage = 20) -> HTMLResponse:
    result = q.source_page(conn, name, page, per_page, _reader(request).ranking(conn).scores)
    if result is None:
        raise HTTPException(404, "No such source.")
    return _render(request, "source.html", result=result,
                   api=f"/api/sources/{_path(name)}{_qs(request.query_params)}")


@pages.get("/entities/{name:path}", response_class=HTMLResponse)
def page_entity(request: Request, name: str, conn: Conn, page: PageNo = 1,
                per_page: PerPage = 20) -> HTMLResponse:
    result = q.entity_page(conn, name, page, per_page, _reader(request).ranking(conn).scores)
    if result is None:
        raise HTTPException(404, "No such entity.")
    return _render(request, "entity.html", result=result,
                   api=f"/api/entities/{_path(name)}{_qs(request.query_params)}")


# -- ingest (opt-in) ----------------------------------------------------------------------------


def _ingest_route(db_path: Path, token: str, settings: Settings) -> Callable[..., Any]:
    lock = threading.Lock()
    expected = token.encode()

    def check(request: Request) -> None:
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), expected):
            raise HTTPException(401, "a valid bearer token is required",
                                headers={"WWW-Authenticate": "Bearer"})

    def run_pipeline(body: bytes) -> m.IngestModel:
        from storyline.pipeline import run
        from storyline.store import Store

        with lock, tempfile.TemporaryDirectory(prefix="storyline-ingest-") as tmp:
            path = Path(tmp) / "ingest.jsonl"
            path.write_bytes(body)
            with Store(db_path) as store:
                result = run([path], store, settings, fmt="jsonl")
        report = result.report
        return m.IngestModel(
            new=result.new, duplicates=result.duplicates, already_stored=result.already_stored,
            skipped=report.total_skipped,
            problems=[f"{p.where.replace(str(path), 'body')}: {p.reason}"
                      for p in report.problems[:20]],
            changed_stories=result.changed_stories)

    async def ingest(request: Request) -> m.IngestModel:
        """Add JSONL articles (one JSON object per line) to the store and update their stories.
        Needs ``Authorization: Bearer <token>``; only present when the server allows writes."""
        check(request)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_INGEST_BYTES:
            raise HTTPException(413, f"body larger than {MAX_INGEST_BYTES} bytes")
        body = await request.body()
        if len(body) > MAX_INGEST_BYTES:
            raise HTTPException(413, f"body larger than {MAX_INGEST_BYTES} bytes")
        if not body.strip():
            raise HTTPException(400, "empty body: send JSONL, one article object per line")
        try:
            return await run_pipeline_async(body)
        except StorylineError as exc:
            raise HTTPException(400, str(exc)) from None

    async def run_pipeline_async(body: bytes) -> m.IngestModel:
        return await run_in_threadpool(run_pipeline, body)

    return ingest


# -- the application ----------------------------------------------------------------------------


def _prepare_store(path: Path) -> None:
    """Check the store exists and has this version's tables (migrating it once if needed)."""
    if not path.is_file():
        raise StorylineError(
            f"no store at {path}: create one with `storyline run FILES --db {path}`")
    try:
        conn = q.connect_readonly(path)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorylineError(f"{path} is not a storyline store: {exc}") from exc
    if version < len(MIGRATIONS):
        from storyline.store import Store

        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            raise StorylineError(
                f"{path} has an older schema (version {version}): open it once with write "
                f"access (e.g. `storyline run` or `storyline serve` as its owner) to upgrade it")

        log.info("upgrading %s to schema version %d", path, len(MIGRATIONS))
        Store(path).close()


def _invalid(request: Request, exc: RequestValidationError) -> Response:
    """Bad query parameters: JSON details for the API, a plain error page for pages."""
    if request.url.path.startswith("/api"):
        return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
    names = ", ".join(str(e.get("loc", ("", "?"))[-1]) for e in exc.errors())
    return _render(request, "error.html", status=422, status_code=422,
                   message=f"Invalid parameter: {names}.")


def _error(request: Request, exc: StarletteHTTPException) -> Response:
    if request.url.path.startswith("/api") or request.url.path == "/openapi.json":
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
    return _render(request, "error.html", status=exc.status_code, status_code=exc.status_code,
                   message=str(exc.detail))


def build_app(
    db_path: str | Path,
    *,
    allow_write: bool = False,
    token: str | None = None,
    settings: Settings | None = None,
    cache_pages: int = 1024,
) -> FastAPI:
    """See :func:`storyline.serve.create_app`."""
    path = Path(db_path)
    _prepare_store(path)
    if allow_write and not token:
        raise StorylineError("writes (POST /api/ingest) need a bearer token")
    app = FastAPI(
        title="storyline", version="1", docs_url=None, redoc_url=None,
        openapi_url="/openapi.json",
        description="Stories built by storyline: every HTML page's data as JSON (docs/web.md).",
    )
    app.state.reader = reader = q.Reader(path)
    if cache_pages:
        app.add_middleware(PageCache, reader=reader, max_entries=cache_pages)
    app.add_middleware(SecurityHeaders)  # outermost: cached responses get the headers too
    app.add_exception_handler(StarletteHTTPException, _error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.include_router(api)
    if allow_write and token:
        app.add_api_route(
            "/api/ingest", _ingest_route(path, token, settings or Settings()), methods=["POST"],
            response_model=m.IngestModel, tags=["api"], summary="Ingest JSONL (needs a token)",
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/x-ndjson": {"schema": {"type": "string"}}}}},
        )
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def app_from_env() -> FastAPI:
    """Factory for multi-worker uvicorn (``storyline.serve.serve(workers=N)``): the settings
    travel in ``STORYLINE_SERVE_*`` environment variables."""
    return build_app(
        os.environ["STORYLINE_SERVE_DB"],
        allow_write=os.environ.get("STORYLINE_SERVE_WRITE") == "1",
        token=os.environ.get("STORYLINE_SERVE_TOKEN") or None,
        cache_pages=int(os.environ.get("STORYLINE_SERVE_CACHE", "1024")),
    )
