"""A progress counter on stderr (rich), shown only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["counter"]


@contextmanager
def counter(
    unit: str, enabled: bool = True, bytes_read: Callable[[], int] | None = None
) -> Iterator[Callable[[int], None]]:
    """Yield an ``advance(n)`` callable that drives a live count of ``unit`` (and, when
    ``bytes_read`` is given, of the megabytes read so far)."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (SpinnerColumn(), TextColumn(unit), MofNCompleteColumn(),
               TextColumn("{task.fields[mb]}"), TimeElapsedColumn())

    def megabytes() -> str:
        return f"· {bytes_read() / 1e6:,.1f} MB read" if bytes_read else ""

    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(unit, total=None, mb=megabytes())
        yield lambda n: progress.update(task, advance=n, mb=megabytes())
