"""``storyline watch``: poll feeds on a schedule and feed what is new through the pipeline.

Each poll's new entries go through ``pipeline.ingest_articles`` (one transaction per batch), and
the feed state (seen entries, ETag/Last-Modified) is promoted only after they are committed, so
stopping the watcher
at any moment — Ctrl-C, SIGTERM, even kill -9 — loses no committed item and never corrupts the
store; an entry whose batch did not commit is simply seen again on the next poll (its id is stable,
so it is not stored twice).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType

from storyline.config import Settings
from storyline.errors import StorylineError
from storyline.ingest.base import IngestReport
from storyline.pipeline import RunResult, ingest_articles
from storyline.store import Store

__all__ = ["parse_interval", "watch"]

log = logging.getLogger("storyline.watch")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """``"15m"`` -> 900.0; accepts s, m, h, d suffixes or plain seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise StorylineError(f"bad interval {text!r}: use e.g. 30s, 15m, 1h")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds <= 0:
        raise StorylineError("the interval must be positive")
    return seconds


def watch(
    feeds: str | Path | Iterable[str],
    store: Store,
    settings: Settings = Settings(),
    every: float = 900.0,
    state_path: str | Path | None = None,
    polls: int | None = None,
    on_poll: Callable[[RunResult], None] | None = None,
    full_text: bool = False,
    allow_private: bool = False,
) -> int:
    """Poll ``feeds`` every ``every`` seconds until stopped (SIGINT/SIGTERM) or ``polls`` polls
    are done. Returns the number of polls made."""
    from storyline.ingest.fetch import Fetcher, FetchSettings
    from storyline.ingest.poll import poll_feeds

    state = Path(state_path or f"{store.path}.feeds.json")
    pending = state.with_name(state.name + ".pending")
    # conditional-GET validators live in the state file only, so they move with it
    fetcher = Fetcher(FetchSettings(allow_private=allow_private))
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.warning("signal %d: stopping after the current batch", signum)
        stop.set()
        raise KeyboardInterrupt

    previous = (
        signal.signal(signal.SIGTERM, _stop)
        if threading.current_thread() is threading.main_thread()
        else None
    )
    done = 0
    try:
        while not stop.is_set() and (polls is None or done < polls):
            result = RunResult(report=IngestReport())
            # the poll writes its state to a scratch file, promoted only once the entries it
            # handed out are committed: a crash before that re-polls them (stable ids: no copies)
            if state.exists():
                shutil.copyfile(state, pending)
            else:
                pending.unlink(missing_ok=True)
            articles = poll_feeds(
                feeds, fetcher, pending, settings.ingest, result.report, full_text
            )
            ingest_articles(articles, store, settings, result=result)
            if pending.exists():
                os.replace(pending, state)
            done += 1
            if on_poll:
                on_poll(result)
            if polls is not None and done >= polls:
                break
            stop.wait(every)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return done
