"""Time expressions: find "on Sunday", "last week", "8 January", "two days later"... in text and
resolve them against the article's publication date (the *anchor*).

The resolver is rule-based (fast, deterministic, no model): a set of regular expressions for the
shapes news writing uses, each with a resolver that turns the match into a TIMEX3-like value:

===========  ==================  ========================================================
granularity  value               examples
===========  ==================  ========================================================
day          ``2020-01-08``      "8 January", "Jan. 7, 2020", "on Sunday", "yesterday",
                                 "three days ago", "the next day", "hours later"
week         ``2020-W02``        "last week", "this week", "two weeks ago", "the weekend"
month        ``2020-01``         "January 2020", "in April", "earlier this month", "last month"
year         ``2014``            "in 2014", "last year", "five years ago"
===========  ==================  ========================================================

Conventions (those of news writing and of TimeML annotators):

* a bare weekday ("on Sunday") is the most recent such day on or before the publication date,
  unless the sentence speaks of the future ("will", "is due to", "next"), then the next one;
* a day or month without a year takes the year that puts it nearest the publication date;
* "two days later", "the next day", "hours later" count from the last day-precise expression
  met earlier in the same text (the *reference time*), or from the publication date.

``find_time_mentions(text, anchor)`` scans a text; ``resolve_expression(expression, anchor)``
resolves a given extent (what TempEval-style evaluation needs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

__all__ = ["GRANULARITIES", "TimeMention", "find_time_mentions", "resolve_expression"]

GRANULARITIES = ("day", "week", "month", "year")


@dataclass(frozen=True, slots=True)
class TimeMention:
    """A time expression found in a text and resolved against the anchor.

    ``start``/``end`` are character offsets in the scanned text. ``value`` is TIMEX3-like
    ("2020-01-08", "2020-W02", "2020-01", "2014"); ``date`` is set for day granularity only.
    """

    text: str
    start: int
    end: int
    value: str
    granularity: str
    date: date | None = None


# ---------------------------------------------------------------------------------------------
# vocabulary

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "a couple of": 2, "a few": 3, "several": 3,
}

# Month names are matched case-sensitively (capitalized, or all caps in headlines) so that the
# verbs "may" and "march" are not dates; "May" and "March" alone also need a cue word.
_MONTH = (
    r"(?P<month>(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|"
    r"DECEMBER)|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_MONTH_NOCUE = _MONTH.replace("(?P<month>", "(?P<month>(?!(?:May|March|MAY|MARCH)\\b)")
_DAYNUM = r"(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_WEEKDAY = (
    r"(?P<weekday>[Mm]onday|[Tt]uesday|[Ww]ednesday|[Tt]hursday|[Ff]riday|[Ss]aturday|[Ss]unday)"
)
_NUM = (
    r"(?P<num>\d+(?:\.\d+)?|(?i:a\s+couple\s+of|a\s+few|several|an?|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    r"nineteen|twenty|thirty|forty|fifty)(?P<half>(?:-|\s+)and(?:-|\s+)a(?:-|\s+)half)?)"
)
_UNIT = r"(?P<unit>(?i:days?|weeks?|months?|years?|hours?|minutes?|decades?))"
_PART = r"(?:\s+(?i:morning|afternoon|evening|night))?"
_FUTURE_CUES = frozenset(
    (
        "will", "'ll", "wo", "shall", "would", "planned", "planning", "plans", "scheduled",
        "schedule", "due", "expected", "expects", "next", "upcoming", "coming", "tomorrow",
        "going"
    )
)
_PAST_CUES = frozenset(
    (
        "said", "says", "was", "were", "had", "has", "have", "did", "met", "told", "came", "made",
        "went", "took", "gave", "began", "left", "held", "saw", "rose", "fell", "won", "lost",
        "sent", "led", "spoke", "wrote", "found", "got", "ran", "put", "say", "tell", "since",
        "last", "ago", "yesterday", "earlier"
    )
)
_DEADLINE_CUES = frozenset(
    (
        "by", "until", "till", "through", "payable", "effective", "expire", "expires", "expiring",
        "record", "starting"
    )
)
_NOT_TENSE_BEFORE = frozenset(("be", "been", "being", "a", "an", "the", "still", "already"))
_CUE_WORD = re.compile(r"[A-Za-z']+")


def _p(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# ---------------------------------------------------------------------------------------------
# date arithmetic


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest_year(anchor: date, month: int, day: int | None, future: bool | None) -> int:
    """The year that puts ``month``/``day`` nearest the anchor, with a bias towards the past (news
    report what happened) that a tense cue strengthens (past) or reverses (future)."""
    best, best_cost = anchor.year, 1e9
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        candidate = _safe_date(year, month, day or 15)
        if candidate is None:
            continue
        gap = (candidate - anchor).days
        slack = 2 if day else 16
        if future is None:
            cost = abs(gap) + ((60 if day else 240) if gap > slack else 0)
        elif future:
            cost = abs(gap) + (300 if gap < -slack else 0)
        else:
            cost = abs(gap) + (300 if gap > slack else 0)
        if cost < best_cost:
            best, best_cost = year, cost
    return best


def _day(d: date | None) -> tuple[str, str, date | None] | None:
    return None if d is None else (d.isoformat(), "day", d)


def _month(year: int, month: int) -> tuple[str, str, date | None]:
    return f"{year:04d}-{month:02d}", "month", None


def _number(text: str) -> float:
    text = " ".join(text.lower().split())
    half = 0.0
    m = re.search(r"(?:-|\s+)and(?:-|\s+)a(?:-|\s+)half$", text)
    if m:
        half, text = 0.5, text[: m.start()]
    if text in _NUMBERS:
        return _NUMBERS[text] + half
    try:
        return float(text) + half
    except ValueError:
        return 1.0 + half


# ---------------------------------------------------------------------------------------------
# resolvers: (match, anchor, reference, future) -> (value, granularity, date) | None

Resolved = tuple[str, str, date | None] | None
Resolver = Callable[[re.Match[str], date, date, bool | None], Resolved]


def _r_iso(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    return _day(_safe_date(int(m["y"]), int(m["m"]), int(m["d"])))


def _r_day_month(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    month = _MONTHS[m["month"].rstrip(".").lower()]
    day = int(m["day"])
    year = int(m["year"]) if m["year"] else _nearest_year(anchor, month, day, future)
    return _day(_safe_date(year, month, day))


def _r_month_year(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    return _month(int(m["year"]), _MONTHS[m["month"].rstrip(".").lower()])


def _r_month_rel_year(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    delta = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    return _month(anchor.year + delta, _MONTHS[m["month"].rstrip(".").lower()])


def _r_month(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    month = _MONTHS[m["month"].rstrip(".").lower()]
    mod = (m.groupdict().get("mod") or "").lower()
    if mod == "last":
        year = anchor.year if month < anchor.month else anchor.year - 1
    elif mod == "next":
        year = anchor.year if month > anchor.month else anchor.year + 1
    elif mod == "this":
        year = anchor.year
    else:
        year = _nearest_year(anchor, month, None, future)
    return _month(year, month)


def _r_weekday(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    target = _WEEKDAYS[m["weekday"].lower()]
    mod = (m["mod"] or "").lower()
    back = (anchor.weekday() - target) % 7
    ahead = (target - anchor.weekday()) % 7
    if mod == "last":
        return _day(anchor - timedelta(days=back or 7))
    if mod == "next":
        return _day(anchor + timedelta(days=ahead or 7))
    if mod == "this":
        return _day(anchor + timedelta(days=ahead) if future else anchor - timedelta(days=back))
    if future and back != 0:
        return _day(anchor + timedelta(days=ahead))
    return _day(anchor - timedelta(days=back))


_DEICTIC = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "yesterday": -1, "last night": -1, "tomorrow": 1, "the day before yesterday": -2,
    "the day after tomorrow": 2,
}


def _r_deictic(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    key = " ".join(m["word"].lower().split())
    for k, offset in _DEICTIC.items():
        if key.startswith(k):
            return _day(anchor + timedelta(days=offset))
    return None


def _shift(base: date, unit: str, amount: float, sign: int) -> Resolved:
    unit = unit.lower().rstrip("s")
    if unit in ("hour", "minute"):
        return _day(base + timedelta(hours=sign * amount if unit == "hour" else 0))
    if unit == "day":
        return _day(base + timedelta(days=round(sign * amount)))
    if unit == "week":
        return _week(base + timedelta(days=round(sign * amount * 7))), "week", None
    if unit == "month":
        y, mo = _add_months(base.year, base.month, round(sign * amount))
        return _month(y, mo)
    if unit == "year":
        return f"{base.year + round(sign * amount):04d}", "year", None
    if unit == "decade":
        return f"{base.year + round(sign * amount * 10):04d}", "year", None
    return None


def _r_offset(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    amount = _number(m["num"]) if m["num"] else 1.0
    direction = m["dir"].lower()
    sign = -1 if direction in ("ago", "earlier", "before", "previously", "prior") else 1
    base = anchor if direction in ("ago", "from now") else ref
    return _shift(base, m["unit"], amount, sign)


def _r_bare_later(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    """"hours later", "minutes earlier": the reference day."""
    return _day(ref)


_RELATIVE_DAY = {"the next day": 1, "the following day": 1, "the day after": 1,
                 "the previous day": -1, "the day before": -1, "that day": 0, "the same day": 0,
                 "that same day": 0, "the following morning": 1, "the next morning": 1}


def _r_relative_day(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    key = " ".join(m["word"].lower().split())
    return _day(ref + timedelta(days=_RELATIVE_DAY.get(key, 0)))  # "later that day": 0


def _r_period(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    mod = " ".join(m["mod"].lower().split())
    unit = m["unit"].lower()
    base = anchor
    if mod in ("the previous", "the following"):
        base = ref
    delta = {"last": -1, "the past": 0, "past": 0, "the previous": -1, "previous": -1,
             "this": 0, "the current": 0, "current": 0, "next": 1, "the coming": 1, "coming": 1,
             "the following": 1}.get(mod, 0)
    if unit == "week":
        return _week(base + timedelta(days=7 * delta)), "week", None
    if unit == "weekend":
        day = base + timedelta(days=7 * delta)
        return f"{_week(day)}-WE", "week", None
    if unit == "month":
        y, mo = _add_months(base.year, base.month, delta)
        return _month(y, mo)
    return f"{base.year + delta:04d}", "year", None


def _r_year(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    return m["year"], "year", None


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _holiday(name: str, year: int) -> date | None:
    name = name.lower()
    if name.startswith("thanksgiving"):
        return _nth_weekday(year, 11, 3, 4)
    if name.startswith("election"):
        return _nth_weekday(year, 11, 0, 1) + timedelta(days=1)
    if name.startswith("christmas eve"):
        return date(year, 12, 24)
    if name.startswith("christmas"):
        return date(year, 12, 25)
    if name.startswith("new year's eve"):
        return date(year, 12, 31)
    if name.startswith("new year"):
        return date(year, 1, 1)
    if name.startswith("independence"):
        return date(year, 7, 4)
    if name.startswith("halloween"):
        return date(year, 10, 31)
    if name.startswith("valentine"):
        return date(year, 2, 14)
    return None


def _r_holiday(m: re.Match[str], anchor: date, ref: date, future: bool | None) -> Resolved:
    mod = (m["mod"] or "").lower()
    name = " ".join(m["name"].split())
    options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1)
               if (d := _holiday(name, y)) is not None]
    if mod == "last" or (mod != "next" and future is False):
        past = [d for d in options if d <= anchor]
        return _day(past[-1]) if past else None
    if mod == "next" or future:
        coming = [d for d in options if d >= anchor]
        return _day(coming[0]) if coming else None
    return _day(min(options, key=lambda d: abs((d - anchor).days) + (60 if d > anchor else 0)))


_OFFSET_DIRS = r"(?P<dir>(?i:ago|later|earlier|before|after|previously|prior|from\s+now))"

#: (pattern, resolver), tried in this order; overlaps are settled longest-first.
_RULES: list[tuple[re.Pattern[str], Resolver]] = [
    (_p(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"), _r_iso),
    (_p(rf"\b(?:(?i:the)\s+)?{_DAYNUM}\s+(?:(?i:of)\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b"),
     _r_day_month),
    (_p(rf"\b{_MONTH}\s+{_DAYNUM}(?![\d:])(?:,?\s+{_YEAR})?\b"), _r_day_month),
    (_p(rf"\b{_MONTH},?\s+(?:(?i:of)\s+)?{_YEAR}\b"), _r_month_year),
    (_p(rf"\b(?:(?i:early|late|mid)[\s-]+)?{_MONTH}\s+(?P<rel>(?i:last|this|next))\s+(?i:year)\b"),
     _r_month_rel_year),
    (_p(rf"\b(?P<mod>(?i:last|next|this|early|late|mid|in|since|by|until|during|through|from|"
        rf"before|after))[\s-]+{_MONTH}\b(?!\s+\d)"), _r_month),
    (_p(rf"\b{_MONTH_NOCUE}\b(?!\s+\d)"), _r_month),
    (_p(rf"\b(?:(?P<mod>(?i:last|next|this|on|early|late))\s+)?{_WEEKDAY}(?:'s)?{_PART}\b"),
     _r_weekday),
    (_p(r"\b(?P<word>(?i:the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|today|"
        r"tonight|yesterday|tomorrow|this\s+(?:morning|afternoon|evening)|last\s+night))"
        r"(?:'s)?\b"), _r_deictic),
    (_p(r"\b(?:(?P<mod>(?i:last|next|this))\s+)?(?P<name>Thanksgiving(?:\s+Day)?|Election\s+Day|"
        r"Christmas(?:\s+(?:Day|Eve))?|New\s+Year's\s+(?:Day|Eve)|Independence\s+Day|Halloween|"
        r"Valentine's\s+Day)\b"), _r_holiday),
    (_p(r"\b(?P<word>(?i:(?:later|earlier)\s+(?:in\s+)?(?:the|that)\s+day))\b"), _r_relative_day),
    (_p(rf"\b{_NUM}[\s-]+{_UNIT}\s+{_OFFSET_DIRS}\b"), _r_offset),
    (_p(r"\b(?:(?i:a)\s+)?(?P<unit>(?i:hours|minutes|moments))\s+(?P<dir>(?i:later|earlier))\b"),
     _r_bare_later),
    (_p(r"\b(?P<word>(?i:the\s+(?:next|following|previous)\s+(?:day|morning)|the\s+day\s+"
        r"(?:after|before)|(?:that\s+)?same\s+day|that\s+day))\b"), _r_relative_day),
    (_p(r"\b(?:(?i:earlier|later|late|early)\s+)?(?P<mod>(?i:last|this|next|the\s+past|"
        r"the\s+previous|the\s+current|the\s+coming|the\s+following))\s+"
        r"(?P<unit>(?i:week|weekend|month|year))\b"), _r_period),
    (_p(rf"(?<![\d$£€.,/-]){_YEAR}(?![\d%]|\.\d|,\d|\s*(?i:percent|per\s+cent|people|dollars))"),
     _r_year),
]


def _as_date(anchor: date | datetime | None) -> date | None:
    if anchor is None:
        return None
    return anchor.date() if isinstance(anchor, datetime) else anchor


_DIGITS = tuple("0123456789")
_MONTHS_CUE = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_UNITS_CUE = ("day", "week", "month", "year", "hour", "minute", "decade")
_LATER_CUE = ("later", "earlier")
#: per rule of ``_RULES`` (same order), groups of lower-case strings: every match of the rule
#: contains one string of each group, so an ASCII text lacking a group cannot match and the rule
#: is not run on it (most sentences have no time expression: scanning them gets ≈ 4x cheaper)
_CUES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (_DIGITS, ("-",)),  # ISO date
    (_DIGITS, _MONTHS_CUE),  # "8 January"
    (_DIGITS, _MONTHS_CUE),  # "January 8"
    (_DIGITS, _MONTHS_CUE),  # "January 2020"
    (("year",), _MONTHS_CUE),  # "March last year"
    (_MONTHS_CUE,),  # "in April"
    (_MONTHS_CUE,),  # "April"
    (("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),),
    (("yesterday", "tomorrow", "today", "night", "morning", "afternoon", "evening"),),
    (("thanksgiving", "election", "christmas", "year", "independence", "halloween",
      "valentine"),),
    (("day",), _LATER_CUE),  # "later that day"
    (_UNITS_CUE, ("ago", "later", "earlier", "before", "after", "previously", "prior",
                  "from")),  # "two days later"
    (("hour", "minute", "moment"), _LATER_CUE),  # "hours later"
    (("day", "morning"), ("next", "following", "previous", "after", "before", "same",
                          "that")),  # "the next day"
    (("week", "month", "year"), ("last", "this", "next", "past", "previous", "current",
                                 "coming", "following")),  # "last week"
    (_DIGITS,),  # "2014"
)


_ALL_CUES = tuple(sorted({cue for groups in _CUES for group in groups for cue in group
                         if cue not in _DIGITS}))
_CUE_SETS = tuple(tuple(frozenset(group) for group in groups) for groups in _CUES)
_DIGIT = re.compile(r"[0-9]")


def _rules_for(text: str) -> list[tuple[re.Pattern[str], Resolver]]:
    """The rules that can match ``text``: those whose cues it contains (all of them for
    non-ASCII text, where case-insensitive matching goes beyond ``str.lower``)."""
    if not text.isascii():
        return _RULES
    low = text.lower()
    present = {cue for cue in _ALL_CUES if cue in low}
    if _DIGIT.search(text):
        present.update(_DIGITS)
    return [rule for rule, groups in zip(_RULES, _CUE_SETS, strict=True)
            if all(not group.isdisjoint(present) for group in groups)]


@lru_cache(maxsize=32768)
def _spans(text: str) -> tuple[tuple[int, int, re.Match[str], Resolver], ...]:
    """Every rule match, overlaps settled: leftmost first, then longest. Cached: the anchor day
    does not enter here, and near copies published on other days repeat their sentences."""
    found = [(m.start(), m.end(), m, fn)
             for pattern, fn in _rules_for(text) for m in pattern.finditer(text)]
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, re.Match[str], Resolver]] = []
    last_end = -1
    for span in found:
        if span[0] >= last_end:
            kept.append(span)
            last_end = span[1]
    return tuple(kept)


def _is_future(text: str, start: int, end: int) -> bool | None:
    """Does the clause around ``text[start:end]`` speak of the future? The nearest tense cue to
    the left decides ("will meet on Friday", "said on Friday"); then the first few words after.
    None when there is no cue."""
    if text[end: end + 2] == "'s":
        return False  # "Wednesday's ruling": already happened
    left = text[max(0, start - 80): start]
    cut = max(left.rfind(". "), left.rfind("; "), left.rfind("\n"))
    left = left[cut + 1:] if cut >= 0 else left
    left_words = _CUE_WORD.findall(left.lower())[-10:]
    right_words = _CUE_WORD.findall(text[end: end + 40].lower())[:5]
    if left_words and left_words[-1] in _DEADLINE_CUES:
        # "by Jan. 14", "payable Dec. 1", but not "until Thursday, they had not called"
        return not any(w in ("had", "was", "were", "did") for w in right_words)
    for i in range(len(left_words) - 1, -1, -1):
        word = left_words[i]
        after = left_words[i + 1] if i + 1 < len(left_words) else ""
        if word in ("is", "are", "plan", "set", "was", "were") and after == "to":
            return True  # "is to resume", "plan to remove", "was to meet"
        if word == "as" and i > 0 and left_words[i - 1] in ("soon", "early"):
            return True  # "as soon as Tuesday"
        if word in ("is", "are"):
            return None  # present tense: no cue either way
        if word.endswith("ed") and i > 0 and left_words[i - 1] in _NOT_TENSE_BEFORE:
            continue  # a passive ("would be held") or an adjective ("a still unspecified date")
        decided = _tense(word)
        if decided is not None:
            return decided
    right = re.split(r"[.;,]", text[end: end + 40])[0]
    for word in _CUE_WORD.findall(right.lower())[:4]:
        decided = _tense(word)
        if decided is not None:
            return decided
    return None


def _tense(word: str) -> bool | None:
    if word in _FUTURE_CUES:
        return True
    if word in _PAST_CUES or (word.endswith("ed") and len(word) > 4):
        return False
    return None


def find_time_mentions(text: str, anchor: date | datetime | None) -> list[TimeMention]:
    """Every time expression of ``text`` resolved against ``anchor`` (the publication date).

    Without an anchor only absolute expressions ("8 January 2020", "2014") can be resolved; the
    others are skipped. Mentions come in text order. Results are cached per (text, day): the
    timeline and the disagreement finder scan the same sentences.
    """
    return list(_mentions(text, _as_date(anchor)))


@lru_cache(maxsize=32768)
def _mentions(text: str, anchor_day: date | None) -> tuple[TimeMention, ...]:
    out: list[TimeMention] = []
    ref = anchor_day
    for start, end, m, fn in _spans(text):
        if anchor_day is None or ref is None:
            resolved = _resolve_absolute(m, fn)
        else:
            resolved = fn(m, anchor_day, ref, _is_future(text, start, end))
        if resolved is None:
            continue
        value, granularity, day = resolved
        out.append(TimeMention(text[start:end], start, end, value, granularity, day))
        if day is not None and fn is not _r_deictic:
            ref = day
    return tuple(out)


def _resolve_absolute(m: re.Match[str], fn: Resolver) -> Resolved:
    if fn is _r_iso or fn is _r_month_year or fn is _r_year:
        return fn(m, date.min, date.min, None)
    if fn is _r_day_month and m["year"]:
        return fn(m, date.min, date.min, None)
    return None


def resolve_expression(
    expression: str,
    anchor: date | datetime,
    context: str = "",
    reference: date | None = None,
) -> TimeMention | None:
    """Resolve one given time expression (e.g. a gold TIMEX3 extent).

    ``context`` is the sentence it occurs in (used for tense: "will meet on Friday" looks
    forward); ``reference`` is the reference time for "the next day"-like expressions.
    """
    anchor_day = _as_date(anchor)
    assert anchor_day is not None
    ref = reference or anchor_day
    future: bool | None = None
    if context:
        at = context.find(expression)
        future = _is_future(context, max(at, 0), max(at, 0) + len(expression))
    best: tuple[int, int, TimeMention] | None = None
    spans = _spans(expression)
    if not spans:
        # a given extent may be a bare "May" or "March", which the scanner needs a cue word for
        spans = tuple((m.start(), m.end(), m, _r_month)
                      for m in _BARE_MONTH.finditer(expression))
    for start, end, m, fn in spans:
        resolved = fn(m, anchor_day, ref, future)
        if resolved is None:
            continue
        value, granularity, day = resolved
        mention = TimeMention(expression[start:end], start, end, value, granularity, day)
        # finest granularity first; among days an explicit date beats a weekday or offset
        rank = (GRANULARITIES.index(granularity), 0 if fn in (_r_iso, _r_day_month) else 1)
        key = (rank[0] * 2 + rank[1], -(end - start), mention)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None


_BARE_MONTH = re.compile(rf"\b{_MONTH}\b")
