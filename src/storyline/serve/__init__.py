"""Serve stage: the web UI and HTTP API for reading stories (``storyline serve``).

``create_app(db_path)`` builds the FastAPI application (server-rendered pages, a JSON twin of every
page under ``/api``, OpenAPI at ``/openapi.json``); ``serve(db_path, host, port)`` runs it with
uvicorn. Needs the ``web`` extra: ``pip install 'storyline[web]'``. See ``docs/web.md``.
"""

from __future__ import annotations

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
) -> FastAPI:
    """The web application over the store at ``db_path`` (read-only unless ``allow_write``,
    which adds ``POST /api/ingest`` guarded by the bearer ``token``)."""
    require("fastapi", "web")
    require("jinja2", "web")
    from storyline.serve._app import build_app

    return build_app(db_path, allow_write=allow_write, token=token, settings=settings)


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_write: bool = False,
    token: str | None = None,
    settings: Settings | None = None,
) -> None:
    """Run the web application with uvicorn until interrupted."""
    uvicorn = require("uvicorn", "web")
    app = create_app(db_path, allow_write=allow_write, token=token, settings=settings)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
