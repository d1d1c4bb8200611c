import gc

import numpy as np  # noqa: F401  (loads the BLAS that lean_runtime limits)
import pytest
from threadpoolctl import threadpool_info

from storyline.runtime import GC_THRESHOLDS, lean_runtime


def _blas_threads() -> set[int]:
    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def test_lean_runtime_applies_its_settings_and_restores_the_callers_even_on_error():
    callers = (900, 11, 12)
    previous = gc.get_threshold()
    gc.set_threshold(*callers)
    try:
        with pytest.raises(ValueError), lean_runtime():
            assert gc.get_threshold() == GC_THRESHOLDS
            assert _blas_threads() == {1}
            raise ValueError("boom")
        assert gc.get_threshold() == callers
    finally:
        gc.set_threshold(*previous)


def test_lean_runtime_nests():
    outer = gc.get_threshold()
    with lean_runtime():
        with lean_runtime():
            assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_threshold() == outer
