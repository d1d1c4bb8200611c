"""Exceptions and the helper that turns a missing optional dependency into an actionable message."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["InputError", "MissingDependency", "StorylineError", "require"]


class StorylineError(Exception):
    """Base class: the CLI prints these as one clear line, never as a traceback."""


class InputError(StorylineError):
    """An input file that cannot be read at all (missing, a directory, unknown format...)."""


class MissingDependency(StorylineError):
    pass


def require(module: str, extra: str, package: str | None = None) -> ModuleType:
    """Import ``module`` or raise a message that says which extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pkg = package or module
        raise MissingDependency(
            f"{pkg} is needed for this feature: pip install 'storyline[{extra}]'"
        ) from exc
