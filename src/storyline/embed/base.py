"""The embedder interface: short texts in, unit-length float32 vectors out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

__all__ = ["Embedder", "data_dir", "normalize_rows"]


class Embedder(Protocol):
    #: identifies the model; vectors of different models are never compared
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return a ``(len(texts), dim)`` float32 array of unit-length rows (zero rows for empty
        texts)."""
        ...


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def data_dir() -> Path:
    """storyline's per-user data folder (models built or distilled once): ``$STORYLINE_DATA``,
    else ``$XDG_DATA_HOME/storyline``, else ``~/.local/share/storyline``."""
    env = os.environ.get("STORYLINE_DATA")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "storyline"
