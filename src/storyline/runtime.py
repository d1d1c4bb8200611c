"""Process settings for storyline's CPU-bound work: BLAS on one thread and fewer passes of
Python's cyclic garbage collector.

- **BLAS on one thread.** The pipeline keeps every core busy with its own processes (a main loop,
  a worker preparing batches, enrichment workers); BLAS threads for its small matrix products
  would only compete with them and spin (the main loop's CPU at 10k fast: 8.0-8.3 -> 6.8-6.9 s).
- **Fewer collector passes.** The pipeline holds large long-lived state (the dedupe index, the
  clusterer's stories) and allocates many small containers per article. With Python's default
  thresholds (700, 10, 10) the collector ran 1,718 young and 13 full passes in the 10k fast run,
  and each full pass walks the whole state: 1.0-1.2 CPU-s of collection in the main process, and
  19.7-20.3 CPU-s instead of 20.9-22.0 for the run (enrichment in-process). storyline creates
  little cyclic garbage, so collecting less often costs no measurable memory.

``lean_runtime()`` applies both for the length of a ``with`` block and restores the caller's
settings; ``lean_process()`` applies them for the life of a worker process.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

__all__ = ["GC_THRESHOLDS", "lean_process", "lean_runtime"]

#: the collector's thresholds while storyline works (Python's defaults: 700, 10, 10)
GC_THRESHOLDS = (20_000, 20, 20)


@contextmanager
def lean_runtime() -> Iterator[None]:
    """BLAS on one thread and ``GC_THRESHOLDS`` inside the block; the caller's settings after."""
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        with threadpool_limits(1, user_api="blas"):
            yield
    finally:
        gc.set_threshold(*previous)


def lean_process() -> None:
    """``lean_runtime``'s settings for the rest of the process (worker start-up)."""
    threadpool_limits(1, user_api="blas")
    gc.set_threshold(*GC_THRESHOLDS)
