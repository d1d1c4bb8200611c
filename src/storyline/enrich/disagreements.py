"""Cross-source disagreements: facts that the reports of one story state differently.

Rule-based and conservative (a false alarm costs a journalist's time): claims are read from each
sentence with patterns, grouped by what they are about, and two claims *conflict* only when their
values cannot both be true:

============  ==========================================================================
kind          claims read
============  ==========================================================================
killed        "six killed", "killing 20 people", "death toll rose to 31", "no deaths",
              "had killed US soldiers" (an unspecified number: at least one)
injured       "four soldiers injured", "four people wounded", "no one was hurt"
missing       "three are missing"
              ("no casualties" says both killed = 0 and injured = 0)
amount        "$20bn fund", "£3 million in damages": same currency and a shared context word
date          "the attack came on 8 January" vs "the attack on 11 January": same event noun,
              days more than a day apart (one day is time zones, not a conflict)
============  ==========================================================================

Numbers are intervals: "at least 20" is [20, ∞), "about 100" is [90, 110], "dozens" [24, 99],
"soldiers were killed" [1, ∞), "no casualties" [0, 0]. Claims with overlapping intervals are one
*variant* ("four soldiers injured" and "four people wounded" are wording, not a conflict); a
:class:`Disagreement` is reported when a claim has variants whose intervals are disjoint.

Each variant keeps its evidence: a representative sentence, the articles and sources that state
it, who it is attributed to ("Iran said ...", "... according to the Pentagon") and the earliest
publication time.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from storyline.models import Document
from storyline.normalize.timex import find_time_mentions
from storyline.text import content_words

__all__ = [
    "Claim",
    "Disagreement",
    "Variant",
    "conflicting",
    "disagreement_rows",
    "extract_claims",
    "find_disagreements",
    "places_within",
]

INF = math.inf


@dataclass(frozen=True, slots=True)
class Claim:
    """One fact read from one sentence: ``kind`` (killed, injured, amount...), ``key`` (what it is
    about, e.g. the event noun of a date claim), the value interval ``[low, high]`` and a label."""

    kind: str
    key: str
    low: float
    high: float
    value: str
    text: str
    article_id: str = ""
    source: str = ""
    time: datetime | None = None
    speaker: str = ""


@dataclass(frozen=True, slots=True)
class Variant:
    """One version of a fact, with every article and source that states it."""

    value: str
    text: str
    articles: tuple[str, ...]
    sources: tuple[str, ...]
    earliest: datetime | None
    attributed_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A fact stated in incompatible ways: ``claim`` says what about ("killed", "date of the
    attack"), ``variants`` the versions (at least two of them conflict)."""

    kind: str
    claim: str
    variants: tuple[Variant, ...]


# ---------------------------------------------------------------------------------------------
# numbers

_SMALL = {
    "no": 0, "none": 0, "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100,
    "a dozen": 12, "dozen": 12,
}
_VAGUE = {"dozens": (24.0, 99.0), "scores": (40.0, 199.0), "hundreds": (200.0, 999.0),
          "thousands": (2000.0, 99999.0), "several": (3.0, 9.0), "a few": (2.0, 6.0),
          "a number": (2.0, 20.0), "many": (5.0, INF), "some": (1.0, INF)}
_NUMWORD = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|a\s+dozen|a\s+hundred|dozens|hundreds|thousands|scores|"
    r"several|a\s+few|a\s+number|"
    + "|".join(sorted((k for k in _SMALL if " " not in k and k not in ("no", "a", "an")),
                      key=len, reverse=True))
    + r")(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
)
_QUAL = r"(?:(?P<qual>at\s+least|more\s+than|over|nearly|almost|about|around|some|up\s+to|" \
        r"as\s+many\s+as|fewer\s+than|less\s+than|roughly|approximately|an\s+estimated)\s+)?"
_NUMQ = _QUAL + r"(?P<num>" + _NUMWORD + r")(?:\s+of(?=\s))?"


def _number(text: str) -> tuple[float, float] | None:
    t = " ".join(text.lower().replace(",", "").split())
    if t in _VAGUE:
        return _VAGUE[t]
    if t in _SMALL:
        v = float(_SMALL[t])
        return v, v
    parts = re.split(r"[\s-]", t)
    if len(parts) == 2 and parts[0] in _SMALL and parts[1] in _SMALL:
        v = float(_SMALL[parts[0]] + _SMALL[parts[1]])
        return v, v
    try:
        v = float(t)
    except ValueError:
        return None
    return v, v


def _qualify(low: float, high: float, qual: str | None) -> tuple[float, float]:
    q = " ".join((qual or "").lower().split())
    if q in ("at least", "as many as") and low == high:
        return (low, INF) if q == "at least" else (0.0, high)
    if q in ("more than", "over"):
        return low + 1e-9, INF
    if q in ("nearly", "almost"):
        return low * 0.85, high
    if q in ("about", "around", "some", "roughly", "approximately", "an estimated"):
        return low * 0.9, high * 1.1
    if q == "up to":
        return 0.0, high
    if q in ("fewer than", "less than"):
        return 0.0, high - 1e-9
    return low, high


def _label(low: float, high: float) -> str:
    def fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else f"{x:g}"

    if low == high:
        return fmt(low)
    if high == INF:
        return "some" if low <= 1 else f"at least {fmt(math.ceil(low))}"
    return f"{fmt(math.ceil(low))}-{fmt(math.floor(high))}"


# ---------------------------------------------------------------------------------------------
# casualty claims

_PEOPLE = (
    r"(?:people|persons|soldiers|troops|servicemen|servicemembers|service\s+members|personnel|"
    r"civilians|children|men|women|passengers|workers|americans|forces|policemen|officers|"
    r"police\s+officers|residents|fighters|militants|students|pilgrims|miners|crew(?:\s+members)?|"
    r"members|victims|others|staff|tourists|protesters|guards)"
)
_MOD = (
    r"(?:\s+(?!(?:hours?|days?|weeks?|months?|years?|percent|per|of|after|before|when|and|but|"
    r"in|on|at)\b)[A-Za-z.'-]+){0,3}?"
)
_KILL = r"(?P<verb>killed|dead|died|killing|kills|kill|deaths?|fatalities|lives)"
_HURT = r"(?P<verb>injured|wounded|hurt|injuring|wounding|injuries|harmed)"
_MISS = r"(?P<verb>missing|unaccounted\s+for)"
_BE = r"(?:\s+(?:were|was|are|is|have\s+been|had\s+been|has\s+been|been|being|reportedly|" \
      r"reported|confirmed|now|also|later)){0,3}"
_NEG_BEFORE = re.compile(
    r"\b(?:missed|avoid(?:ed|ing)?|without|not|never|failed\s+to|deny|denied|denies|threat(?:en)?s?"
    r"|threatened|could|would|might|may|risk|vowed\s+to|plot\s+to|bid\s+to|to)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _casualty_patterns(kind: str, verb: str) -> list[re.Pattern[str]]:
    flags = re.IGNORECASE
    return [
        # "four soldiers injured", "at least 20 people were killed", "six dead"
        re.compile(rf"\b{_NUMQ}{_MOD}{_BE}\s+{verb}\b", flags),
        # "killing six", "wounded four soldiers", "killed 20 people"
        re.compile(rf"\b(?P<pre>killing|killed|kills|injuring|injured|wounding|wounded|"
                   rf"hurting)\s+{_NUMQ}(?:{_MOD}\s+{_PEOPLE})?\b", flags),
        # "four deaths", "two injuries"
        re.compile(rf"\b{_NUMQ}\s+(?:(?:confirmed|reported|more|new)\s+)?{verb}\b", flags),
    ]


_KIND_VERBS = {"killed": _KILL, "injured": _HURT, "missing": _MISS}
_PATTERNS = {k: _casualty_patterns(k, v) for k, v in _KIND_VERBS.items()}
_PRE_KIND = {"killing": "killed", "killed": "killed", "kills": "killed", "injuring": "injured",
             "injured": "injured", "wounding": "injured", "wounded": "injured",
             "hurting": "injured"}
_TOLL = re.compile(
    rf"\bdeath\s+toll\s+(?:\w+\s+){{0,4}}?(?:rose|risen|rises|climbed|jumped|stands|stood|reached|"
    rf"was|is|of|at|to|hit)\s+(?:to\s+|at\s+)?{_NUMQ}", re.IGNORECASE,
)
_UNSPECIFIED = re.compile(
    rf"\b(?P<pre>killed|killing|injured|injuring|wounded|wounding){_MOD}\s+{_PEOPLE}\b",
    re.IGNORECASE,
)
_NONE = re.compile(
    r"\b(?:no\s+(?:(?:immediate|reported|confirmed|known|american|us|u\.s\.|iraqi|other)\s+)*"
    r"(?P<what>casualties|deaths|fatalities|injuries|one\s+(?:was|had\s+been|has\s+been|were)\s+"
    r"(?:killed|hurt|injured|wounded|harmed)|"
    r"(?:\w+\s+){0,2}(?:were|was|had\s+been|have\s+been)\s+(?:killed|hurt|injured|wounded|harmed))"
    r"|nobody\s+(?:was|had\s+been|has\s+been)\s+(?P<what2>killed|hurt|injured|wounded|harmed)"
    r"|without\s+(?P<what3>casualties|injuries|loss\s+of\s+life))",
    re.IGNORECASE,
)


#: a word every casualty pattern contains
_CASUALTY_CUE = re.compile(
    r"kill|dead|died|death|fatal|lives|injur|wound|hurt|harm|missing|unaccounted|casualt|loss\s+of",
    re.IGNORECASE,
)


def _none_kinds(what: str) -> tuple[str, ...]:
    w = what.lower()
    if "casualt" in w:
        return ("killed", "injured")
    if any(x in w for x in ("death", "fatal", "killed", "loss of life")):
        return ("killed",)
    return ("injured",)


def _verb_kind(verb: str) -> str:
    v = verb.lower()
    if v.startswith(("kill", "dead", "died", "death", "fatal", "lives")):
        return "killed"
    if v.startswith(("miss", "unaccounted")):
        return "missing"
    return "injured"


def _casualties(sentence: str) -> list[tuple[str, float, float, int, int]]:
    """(kind, low, high, start, end) casualty claims of a sentence."""
    if not _CASUALTY_CUE.search(sentence):
        return []  # every pattern below needs one of these words: skip the costly scan
    found: list[tuple[str, float, float, int, int]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def negated(start: int) -> bool:
        return bool(_NEG_BEFORE.search(sentence[max(0, start - 40): start]))

    for m in _NONE.finditer(sentence):
        what = m.group("what") or m.group("what2") or m.group("what3") or ""
        for kind in _none_kinds(what):
            found.append((kind, 0.0, 0.0, m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _TOLL.finditer(sentence):
        num = _number(m.group("num"))
        if num and free(m.start(), m.end()):
            found.append(("killed", *_qualify(*num, m.group("qual")), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for kind, patterns in _PATTERNS.items():
        for pattern in patterns:
            for m in pattern.finditer(sentence):
                if not free(m.start(), m.end()) or negated(m.start()):
                    continue
                num = _number(m.group("num"))
                if num is None:
                    continue
                groups = m.groupdict()
                k = _PRE_KIND.get((groups.get("pre") or "").lower(), "") or (
                    _verb_kind(groups["verb"]) if groups.get("verb") else kind
                )
                if not k:
                    continue
                found.append((k, *_qualify(*num, m.group("qual")), m.start(), m.end()))
                taken.append((m.start(), m.end()))
    for m in _UNSPECIFIED.finditer(sentence):
        if free(m.start(), m.end()) and not negated(m.start()):
            found.append((_PRE_KIND[m.group("pre").lower()], 1.0, INF, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return found


# ---------------------------------------------------------------------------------------------
# amounts, dates, speakers

_CURRENCY = {"$": "USD", "us$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY"}
_AMOUNT = re.compile(
    r"(?P<cur>US\$|\$|£|€|¥)\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(?P<scale>bn|billion|m|mn|million|k|thousand|trillion)?\b"
    r"|(?P<num2>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale2>billion|million|thousand)?\s+"
    r"(?P<cur2>dollars|pounds|euros|yen)\b",
    re.IGNORECASE,
)
_SCALE = {"bn": 1e9, "billion": 1e9, "m": 1e6, "mn": 1e6, "million": 1e6, "k": 1e3,
          "thousand": 1e3, "trillion": 1e12}
_CUR_WORD = {"dollars": "USD", "pounds": "GBP", "euros": "EUR", "yen": "JPY"}
_EVENT_NOUNS = (
    "attack", "strike", "strikes", "bombing", "explosion", "blast", "crash", "earthquake", "quake",
    "shooting", "fire", "election", "vote", "raid", "assault", "ambush", "collision", "storm",
    "flood", "landslide", "riot", "protest", "arrest", "launch", "leak", "spill", "death",
    "killing", "assassination", "invasion", "operation", "summit", "meeting", "trial", "verdict",
)
_EVENT = re.compile(rf"\b(?P<noun>{'|'.join(_EVENT_NOUNS)})\b", re.IGNORECASE)
_SPEAKER_AFTER = re.compile(
    r"\b(?P<spk>(?:[A-Z][\w.'-]*\s+(?:of\s+)?){0,4}(?:[A-Z][\w.'-]*|officials?|military|"
    r"ministry|police|army|spokes(?:man|woman)|government|sources))"
    r"\s+(?:has\s+|had\s+)?(?:said|says|claimed|claims|reported|announced|told|insisted|"
    r"confirmed|denied|stated|repeated|maintained)\b",
)
_SPEAKER_END = re.compile(
    r",\s*(?:said|says|according\s+to|claimed|reported)\s+(?P<spk>(?:the\s+)?[A-Z][\w.'-]*"
    r"(?:\s+[A-Z][\w.'-]*){0,4})"
)
_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<spk>(?:the\s+)?[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)"
                        r"{0,4})")


def _speaker(sentence: str) -> str:
    for pattern in (_SPEAKER_AFTER, _SPEAKER_END, _ACCORDING):
        m = pattern.search(sentence)
        if m:
            spk = re.sub(r"^(?:the|The)\s+", "", m.group("spk")).strip()
            spk = re.sub(r"^(?:On|In|At|And|But|Yet|Also|Earlier|Later)\s+\S+\s+(?:the\s+)?", "",
                         spk) if len(spk.split()) > 2 else spk
            if spk and spk.split()[0] not in ("It", "He", "She", "They", "We", "I", "This"):
                return spk
    return ""


_DIGIT = re.compile(r"\d")


def _amounts(sentence: str) -> list[tuple[str, float, float, str]]:
    out: list[tuple[str, float, float, str]] = []
    if not _DIGIT.search(sentence):
        return out  # every amount has a number
    for m in _AMOUNT.finditer(sentence):
        if m.group("num"):
            cur = _CURRENCY.get(m.group("cur").lower(), "USD")
            num, scale = m.group("num"), m.group("scale")
        else:
            cur = _CUR_WORD[m.group("cur2").lower()]
            num, scale = m.group("num2"), m.group("scale2")
        value = float(num.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)
        before = content_words(sentence[max(0, m.start() - 30): m.start()])[-1:]
        context = " ".join([*before, *content_words(sentence[m.end(): m.end() + 60])[:4]])
        out.append((cur, value * 0.95, value * 1.05, f"{m.group(0).strip()}|{context}"))
    return out


_CAPW = r"(?:al-|el-)?[A-Z][\w'’-]+"
_PLACE_SUFFIX = (
    r"(?:air\s+base|airbase|air\s+field|airfield|base|airport|camp|province|region|district|"
    r"city|village|town|port|harbou?r|station|square|market|mosque|church|school|hospital)"
)
_PLACE_NAME = rf"{_CAPW}(?:[\s-]+(?:al-)?{_CAPW}){{0,3}}(?:\s+{_PLACE_SUFFIX})?"
_EVENT_PLACE = re.compile(
    rf"\b(?P<noun>{'|'.join(_EVENT_NOUNS)})\s+(?:on|at|in|near|against)\s+(?:the\s+)?"
    rf"(?P<place>{_PLACE_NAME})"
)
_WITHIN = re.compile(
    rf"(?P<a>{_PLACE_NAME}),?\s+(?:in|near|outside|north\s+of|south\s+of|east\s+of|west\s+of)"
    rf"\s+(?:the\s+)?(?:(?:northern|southern|eastern|western|central|north|south|east|west)\s+)?"
    rf"(?P<b>{_CAPW}(?:[\s-]+{_CAPW}){{0,2}})"
)
_SUFFIX_RE = re.compile(rf"\s+{_PLACE_SUFFIX}$", re.IGNORECASE)


def _place_key(name: str) -> str:
    """"Ain al-Asad air base" -> "ain al-asad": generic suffixes and case do not count."""
    return _SUFFIX_RE.sub("", " ".join(name.split())).lower()


def places_within(sentences: Iterable[str]) -> frozenset[tuple[str, str]]:
    """(inner, outer) place pairs the text itself states: "Ain al-Asad air base in western
    Iraq" -> ("ain al-asad", "iraq"). Places in such a relation never conflict."""
    return frozenset(pair for sentence in sentences for pair in _within_pairs(sentence))


@lru_cache(maxsize=32768)
def _within_pairs(sentence: str) -> tuple[tuple[str, str], ...]:
    return tuple((_place_key(m.group("a")), _place_key(m.group("b")))
                 for m in _WITHIN.finditer(sentence))


class _Parts(NamedTuple):
    """What one sentence says, whoever wrote it (cached: near-copies share most sentences)."""

    casualties: tuple[tuple[str, float, float, int, int], ...]
    amounts: tuple[tuple[str, float, float, str], ...]
    event: str  # the first event noun, lower-cased ("" when none)
    places: tuple[tuple[str, str], ...]  # (event noun, place)


@lru_cache(maxsize=32768)
def _parts(sentence: str) -> _Parts:
    event = _EVENT.search(sentence)
    # an event-place match starts with an event noun, so no event word means no place either
    places = tuple((m.group("noun").lower(), " ".join(m.group("place").split()))
                   for m in _EVENT_PLACE.finditer(sentence)) if event else ()
    return _Parts(tuple(_casualties(sentence)), tuple(_amounts(sentence)),
                  event.group("noun").lower() if event else "", places)


@lru_cache(maxsize=32768)
def _speaker_of(sentence: str) -> str:
    return _speaker(sentence)


def extract_claims(
    sentence: str,
    article_id: str = "",
    source: str = "",
    time: datetime | None = None,
) -> list[Claim]:
    """Every claim of one sentence (dates resolve against ``time``, the publication time)."""
    parts = _parts(sentence)
    day: date | None = None
    if parts.event and time is not None:
        mentions = [m for m in find_time_mentions(sentence, time) if m.date is not None]
        if len(mentions) == 1:
            day = mentions[0].date
    if not (parts.casualties or parts.amounts or parts.places or day is not None):
        return []  # the speaker is only looked for when there is a claim
    speaker: str = _speaker_of(sentence)
    claims: list[Claim] = []
    for kind, low, high, _start, _end in parts.casualties:
        claims.append(Claim(kind, kind, low, high, _label(low, high), sentence, article_id,
                            source, time, speaker))
    for cur, low, high, detail in parts.amounts:
        surface, context = detail.split("|", 1)
        claims.append(Claim("amount", f"{cur}:{context}", low, high, surface, sentence,
                            article_id, source, time, speaker))
    if day is not None:
        ordinal = float(day.toordinal())
        claims.append(Claim("date", parts.event, ordinal, ordinal, day.isoformat(), sentence,
                            article_id, source, time, speaker))
    for noun, place in parts.places:
        claims.append(Claim("place", noun, 0.0, 0.0, place, sentence, article_id, source, time,
                            speaker))
    return claims


# ---------------------------------------------------------------------------------------------
# grouping


def _overlap(a: tuple[float, float], b: tuple[float, float], kind: str) -> bool:
    if kind == "date":  # a day apart is a time zone, not a conflict
        return abs(a[0] - b[0]) <= 1
    return a[0] <= b[1] and b[0] <= a[1]


def _related(x: str, y: str, within: frozenset[tuple[str, str]]) -> bool:
    return x in y or y in x or (x, y) in within or (y, x) in within


def _event_places(text: str) -> set[str]:
    return {_place_key(m.group("place")) for m in _EVENT_PLACE.finditer(text)}


def conflicting(a: Claim, b: Claim, within: frozenset[tuple[str, str]] = frozenset()) -> bool:
    """Do two claims about the same thing contradict each other? ``within`` lists place pairs
    known to contain one another (see :func:`places_within`). Dates of events that their
    sentences place in unrelated places ("the attack on Balad" vs "the strike in Baghdad") are
    dates of different events, not a conflict."""
    if a.kind != b.kind or not _same_subject(a, b):
        return False
    if a.kind == "place":
        return not _related(_place_key(a.value), _place_key(b.value), within)
    if a.kind == "date":
        pa, pb = _event_places(a.text), _event_places(b.text)
        if pa and pb and not any(_related(x, y, within) for x in pa for y in pb):
            return False
    return not _overlap((a.low, a.high), (b.low, b.high), a.kind)


def _same_subject(a: Claim, b: Claim) -> bool:
    if a.kind != "amount":
        return a.key == b.key
    cur_a, ctx_a = a.key.split(":", 1)
    cur_b, ctx_b = b.key.split(":", 1)
    return cur_a == cur_b and bool(set(ctx_a.split()) & set(ctx_b.split()))


def _variants(claims: Sequence[Claim]) -> list[list[Claim]]:
    """Claims of one subject grouped by stated value (wording aside: "four soldiers injured" and
    "four people wounded" are one variant), most supported first."""
    groups: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        groups[_place_key(c.value) if c.kind == "place" else c.value].append(c)
    if claims and claims[0].kind == "date":  # days a day apart (time zones) are one variant
        merged: list[list[Claim]] = []
        for key in sorted(groups):
            g = groups[key]
            if merged and abs(merged[-1][0].low - g[0].low) <= 1:
                merged[-1].extend(g)
            else:
                merged.append(list(g))
        return sorted(merged, key=lambda g: -len({c.article_id for c in g}))
    return sorted(groups.values(), key=lambda g: -len({c.article_id for c in g}))


def _has_conflict(
    groups: Sequence[Sequence[Claim]], within: frozenset[tuple[str, str]] = frozenset()
) -> bool:
    return any(
        conflicting(a[0], b[0], within) for i, a in enumerate(groups) for b in groups[i + 1:]
    )


def _variant(group: Sequence[Claim]) -> Variant:
    times = [c.time for c in group if c.time is not None]
    dated = [c for c in group if c.time is not None]
    first = min(dated, key=lambda c: c.time or datetime.min) if dated else group[0]
    return Variant(
        value=group[0].value,
        text=first.text,
        articles=tuple(dict.fromkeys(c.article_id for c in group)),
        sources=tuple(sorted({c.source for c in group if c.source})),
        earliest=min(times) if times else None,
        attributed_to=tuple(dict.fromkeys(c.speaker for c in group if c.speaker)),
    )


_CLAIM_NAMES = {"killed": "number killed", "injured": "number injured",
                "missing": "number missing"}


def _subjects(claims: Iterable[Claim]) -> list[list[Claim]]:
    by_key: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    amounts: list[list[Claim]] = []
    for c in claims:
        if c.kind != "amount":
            by_key[(c.kind, c.key)].append(c)
            continue
        for group in amounts:
            if _same_subject(group[0], c):
                group.append(c)
                break
        else:
            amounts.append([c])
    return [*by_key.values(), *amounts]


def find_disagreements(docs: Sequence[Document]) -> list[Disagreement]:
    """Facts of a story that its documents state in incompatible ways, most supported first."""
    claims = [
        c
        for doc in docs
        for s in doc.sentences
        for c in extract_claims(s.text, doc.id, doc.article.source, doc.time)
    ]
    within = places_within(s.text for doc in docs for s in doc.sentences)
    out: list[Disagreement] = []
    for subject in _subjects(claims):
        groups = _variants(subject)
        if len(groups) < 2 or not _has_conflict(groups, within):
            continue
        first = subject[0]
        if first.kind == "date":
            name = f"date of the {first.key}"
        elif first.kind == "place":
            name = f"place of the {first.key}"
        elif first.kind == "amount":
            name = f"amount ({first.key.split(':', 1)[0]}) {first.key.split(':', 1)[1]}".strip()
        else:
            name = _CLAIM_NAMES.get(first.kind, first.kind)
        out.append(Disagreement(first.kind, name, tuple(_variant(g) for g in groups)))
    return sorted(out, key=lambda d: -sum(len(v.articles) for v in d.variants))


def disagreement_rows(disagreements: Iterable[Disagreement]) -> list[dict[str, Any]]:
    """The store's shape: ``{"topic", "kind", "claims": [{"text", "value", "articles",
    "sources", "attributed_to", "earliest"}]}``."""
    return [
        {
            "topic": d.claim,
            "kind": d.kind,
            "claims": [
                {"text": v.text, "value": v.value, "articles": list(v.articles),
                 "sources": list(v.sources), "attributed_to": list(v.attributed_to),
                 "earliest": v.earliest.isoformat() if v.earliest else None}
                for v in d.variants
            ],
        }
        for d in disagreements
    ]
