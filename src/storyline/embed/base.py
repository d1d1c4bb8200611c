"""The embedder interface: short texts in, unit-length float32 vectors out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

__all__ = ["BUILD_TAG", "Embedder", "data_dir", "normalize_rows", "same_model"]

#: what starts the build part of a model's name (MiniLM's quantized model: ``-dq-<key>``): two
#: builds of one model give vectors within rounding of each other (cosine ≈ 0.999)
BUILD_TAG = "-dq-"


class Embedder(Protocol):
    #: identifies the model; vectors of different models are never compared
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return a ``(len(texts), dim)`` float32 array of unit-length rows (zero rows for empty
        texts)."""
        ...


def same_model(name: str, other: str) -> bool:
    """Whether the vectors of embedders ``name`` and ``other`` come from one model (perhaps two
    builds of it, see ``BUILD_TAG``), so that they can be compared."""
    return name.partition(BUILD_TAG)[0] == other.partition(BUILD_TAG)[0]


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
