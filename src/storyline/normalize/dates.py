"""Publication dates: parse the many shapes feeds and files give them in, into UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["parse_time"]

_NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")
_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d %B %Y",
    "%B %d, %Y",
)


def parse_time(value: object) -> datetime | None:
    """Parse a publication time: ISO 8601, RFC 2822, epoch seconds or milliseconds, a few common
    day formats. Returns an aware UTC datetime (naive input is taken as UTC), or None when the
    value is empty or cannot be understood."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if _NUMERIC.match(text):
        return _from_epoch(float(text))
    try:
        return _utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return _utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        return _utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _from_epoch(number: float) -> datetime | None:
    if number > 1e11:  # milliseconds
        number /= 1000.0
    if 19000101 <= number <= 21001231 and float(number).is_integer():  # 20200108
        try:
            return datetime.strptime(str(int(number)), "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            return None
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
