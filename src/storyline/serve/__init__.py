"""Serve stage: the web UI and HTTP API for reading stories (``storyline serve``).

``create_app(db_path)`` builds the FastAPI application (server-rendered pages, a JSON twin of every
page under ``/api``, OpenAPI at ``/openapi.json``); ``serve(db_path, host, port)`` runs it with
uvicorn. Needs the ``web`` extra: ``pip install 'storyline[web]'``. See ``docs/web.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from storyline.config import Settings
from storyline.errors import require

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app", "serve"]


def create_app(
    db_path: str | Path,
    *,
    allow_write: bool = False,
    token: str | None = None,
    settings: Settings | None = None,
    cache_pages: int = 1024,
) -> FastAPI:
    """The web application over the store at ``db_path`` (read-only unless ``allow_write``,
    which adds ``POST /api/ingest`` guarded by the bearer ``token``). ``cache_pages``: how many
    rendered responses to keep until the store changes (0 = no cache)."""
    require("fastapi", "web")
    require("jinja2", "web")
    from storyline.serve._app import build_app

    return build_app(db_path, allow_write=allow_write, token=token, settings=settings,
                     cache_pages=cache_pages)


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_write: bool = False,
    token: str | None = None,
    settings: Settings | None = None,
    workers: int = 1,
    cache_pages: int = 1024,
) -> None:
    """Run the web application with uvicorn until interrupted. ``workers`` > 1 runs that many
    processes (each with its own read-only connections and page cache; default settings)."""
    uvicorn = require("uvicorn", "web")
    if workers <= 1:
        app = create_app(db_path, allow_write=allow_write, token=token, settings=settings,
                         cache_pages=cache_pages)
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
        return
    create_app(db_path, allow_write=allow_write, token=token, cache_pages=0)  # check + migrate
    os.environ.update({
        "STORYLINE_SERVE_DB": str(Path(db_path).resolve()),
        "STORYLINE_SERVE_WRITE": "1" if allow_write else "0",
        "STORYLINE_SERVE_TOKEN": token or "",
        "STORYLINE_SERVE_CACHE": str(cache_pages),
    })
    uvicorn.run("storyline.serve._app:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="info", access_log=False)
