from datetime import UTC, datetime

import pytest

from storyline.normalize.dates import parse_time

JAN8 = datetime(2020, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2020-01-08",
        "2020-01-08T00:00:00Z",
        "2020-01-08T01:00:00+01:00",
        "Wed, 08 Jan 2020 00:00:00 GMT",
        "20200108",
        1578441600,
        "1578441600000",
        "8 January 2020",
        "January 8, 2020",
    ],
)
def test_many_shapes(value):
    assert parse_time(value) == JAN8


@pytest.mark.parametrize("value", [None, "", "   ", "yesterday-ish", "99999999999999999999999"])
def test_unparseable_is_none(value):
    assert parse_time(value) is None


def test_naive_is_utc():
    assert parse_time(datetime(2020, 1, 8)) == JAN8
