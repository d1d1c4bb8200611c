"""B-cubed on toy cases checked by hand."""

from __future__ import annotations

import pytest

from storyline.eval.bcubed import bcubed


def test_perfect() -> None:
    assert bcubed({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "x", "c": "y"}) == (1.0, 1.0, 1.0)


def test_all_in_one_cluster() -> None:
    # gold {a,b} {c}: precision a=b=2/3, c=1/3 -> 5/9; recall 1
    p, r, f = bcubed({"a": 0, "b": 0, "c": 0}, {"a": "x", "b": "x", "c": "y"})
    assert p == pytest.approx(5 / 9) and r == 1.0 and f == pytest.approx(2 * (5 / 9) / (14 / 9))


def test_all_singletons() -> None:
    # gold {a,b,c} {d}: recall a=b=c=1/3, d=1 -> (1+1)/4 = 1/2; precision 1
    p, r, _ = bcubed({"a": 1, "b": 2, "c": 3, "d": 4}, {"a": 0, "b": 0, "c": 0, "d": 1})
    assert p == 1.0 and r == pytest.approx(0.5)


def test_amigo_example() -> None:
    # predicted {a,b,c} {d,e}; gold {a,b} {c,d,e}
    # precision: a,b 2/3; c 1/3; d,e 1 -> (2/3+2/3+1/3+1+1)/5 = 11/15
    # recall: a,b 1; c 1/3; d,e 2/3 -> (1+1+1/3+2/3+2/3)/5 = 11/15
    pred = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
    true = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}
    p, r, f = bcubed(pred, true)
    assert (p, r, f) == pytest.approx((11 / 15, 11 / 15, 11 / 15))


def test_missing_prediction_is_a_singleton() -> None:
    p, r, _ = bcubed({"a": 1}, {"a": "x", "b": "x"})
    assert p == 1.0 and r == pytest.approx(0.5)


def test_empty_gold_is_an_error() -> None:
    with pytest.raises(ValueError):
        bcubed({"a": 1}, {})
