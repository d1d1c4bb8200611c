"""Shared fixtures. Tests are offline; those that need ../shared/datasets skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from storyline.config import EmbedSettings, Settings
from storyline.eval.datasets import datasets_dir

# fuzz tests explore new inputs on developers' machines; in CI they replay a fixed sequence
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def datasets() -> Path:
    path = datasets_dir()
    if not path.is_dir():
        pytest.skip(f"evaluation data not found at {path}")
    return path


@pytest.fixture(scope="session")
def fast_settings() -> Settings:
    """Settings with the model-free embedder: instant, deterministic, for unit tests."""
    return Settings(embed=EmbedSettings(model="tfidf"))


@pytest.fixture(scope="session")
def minilm():
    """The real MiniLM embedder, loaded once per test session."""
    from storyline.embed import get_embedder

    return get_embedder(EmbedSettings(model="minilm"))
