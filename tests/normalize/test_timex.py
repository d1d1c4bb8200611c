"""Time expressions resolved against the publication date (rules of normalize/timex.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from storyline.normalize.timex import TimeMention, find_time_mentions, resolve_expression

FRIDAY = date(2020, 1, 10)  # a Friday


@pytest.mark.parametrize(
    ("expression", "value", "granularity"),
    [
        ("on Sunday", "2020-01-05", "day"),
        ("Friday", "2020-01-10", "day"),
        ("last Friday", "2020-01-03", "day"),
        ("next Tuesday", "2020-01-14", "day"),
        ("8 January", "2020-01-08", "day"),
        ("January 7", "2020-01-07", "day"),
        ("Jan. 7, 2019", "2019-01-07", "day"),
        ("the 3rd of December", "2019-12-03", "day"),
        ("2019-11-30", "2019-11-30", "day"),
        ("yesterday", "2020-01-09", "day"),
        ("tomorrow", "2020-01-11", "day"),
        ("three days ago", "2020-01-07", "day"),
        ("last week", "2020-W01", "week"),
        ("this week", "2020-W02", "week"),
        ("two weeks ago", "2019-W52", "week"),
        ("earlier this month", "2020-01", "month"),
        ("last month", "2019-12", "month"),
        ("in December", "2019-12", "month"),
        ("March 2014", "2014-03", "month"),
        ("June last year", "2019-06", "month"),
        ("in 2014", "2014", "year"),
        ("last year", "2019", "year"),
        ("Thanksgiving", "2019-11-28", "day"),
    ],
)
def test_resolve_expression(expression: str, value: str, granularity: str) -> None:
    got = resolve_expression(expression, FRIDAY)
    assert got is not None, expression
    assert (got.value, got.granularity) == (value, granularity)
    assert (got.date is not None) == (granularity == "day")


def test_tense_decides_the_direction_of_a_weekday() -> None:
    past = "The minister said on Monday that talks had failed."
    future = "The minister will meet the rebels on Monday."
    assert resolve_expression("Monday", FRIDAY, past).value == "2020-01-06"  # type: ignore[union-attr]
    assert resolve_expression("Monday", FRIDAY, future).value == "2020-01-13"  # type: ignore[union-attr]


def test_a_day_without_a_year_is_nearest_the_anchor() -> None:
    assert resolve_expression("December 28", FRIDAY).value == "2019-12-28"  # type: ignore[union-attr]
    assert resolve_expression("January 14", FRIDAY, "payable January 14").value == "2020-01-14"  # type: ignore[union-attr]


def test_find_mentions_offsets_and_reference_time() -> None:
    text = ("The attack came on 8 January, hours after a warning. Three-and-a-half hours later "
            "the missiles fell, and the next day officials met. Prices may rise in May 2021.")
    mentions = find_time_mentions(text, datetime(2020, 1, 12, 9, 30))
    for m in mentions:
        assert isinstance(m, TimeMention)
        assert text[m.start:m.end] == m.text
    values = [(m.text, m.value) for m in mentions]
    assert ("8 January", "2020-01-08") in values
    assert ("Three-and-a-half hours later", "2020-01-08") in values  # counts from 8 January
    assert ("the next day", "2020-01-09") in values
    assert ("May 2021", "2021-05") in values
    assert not any(m.text.lower() == "may" for m in mentions)  # the verb is not a month


def test_numbers_are_not_years() -> None:
    text = "Some 2,014 people and 1999 dollars; 2010% growth; prices of $2012."
    assert find_time_mentions(text, FRIDAY) == []


def test_without_an_anchor_only_absolute_expressions_resolve() -> None:
    mentions = find_time_mentions("On Sunday, 8 January 2020, and in 2014, not yesterday.", None)
    assert [m.value for m in mentions] == ["2020-01-08", "2014"]


@pytest.mark.data
def test_tempeval_normalization_floor(datasets) -> None:
    """Quality gate on TempEval-3 (day/month DATE values given gold extents). The benchmark
    prints the figure; this floor only moves up."""
    from storyline.eval.tempeval import evaluate_tempeval

    score = evaluate_tempeval(datasets / "tempeval3" / "TBAQ-cleaned")
    assert score.total > 700
    assert score.accuracy >= 0.88
    assert score.recall >= 0.95
