"""Store stage: the embedded SQLite store (the default backend)."""

from storyline.store.sqlite import Store

__all__ = ["Store"]
