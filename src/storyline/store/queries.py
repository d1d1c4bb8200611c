"""Read-only queries behind the web pages and the HTTP API.

Every function takes an open ``sqlite3.Connection`` (the web app opens one read-only connection per
request, ``file:...?mode=ro``) and returns frozen view records: shapes for display, separate from
the storage rows in :mod:`storyline.store.sqlite`. Nothing here writes, except
:func:`write_story_extras`, the one helper that fills the tables the story page reads its timeline,
entities and disagreements from (for the pipeline and tests).

The front page ranks stories by a documented score (see :func:`story_score` and ``docs/web.md``).
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ArticleHit",
    "ArticleView",
    "DayCount",
    "Disagreement",
    "EntityPage",
    "EntityRef",
    "Page",
    "Ranking",
    "Reader",
    "SearchFilters",
    "SearchPage",
    "Segment",
    "SourceGroup",
    "SourcePage",
    "SourceRef",
    "StoryCard",
    "StoryDetail",
    "StoryHit",
    "TimelineItem",
    "connect_readonly",
    "entity_page",
    "front_page",
    "fts_query",
    "safe_link",
    "search",
    "source_page",
    "sources_index",
    "story_detail",
    "story_score",
    "write_story_extras",
]

#: front-page score: recency half-life, and the window that counts as "growing"
HALF_LIFE_HOURS = 48.0
GROWTH_WINDOW_HOURS = 24.0
#: recency factor of stories with no date at all
UNDATED_RECENCY = 0.5
#: at most this many days in a sparkline (the most recent ones)
SPARK_DAYS = 30
#: search counts stop at this many hits ("1000+")
COUNT_CAP = 1000
EXCERPT_CHARS = 320
#: private-use characters that mark FTS5 snippet hits before escaping (never shown)
_HIT_START, _HIT_END = "\ue000", "\ue001"


# -- view records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """Pagination of a list: 1-based ``page``; ``total`` is capped at ``capped`` when set."""

    page: int
    per_page: int
    total: int
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class DayCount:
    day: str
    count: int


@dataclass(frozen=True)
class StoryCard:
    """A story as listed on the front, source, entity and search pages."""

    id: str
    headline: str
    lede: str
    size: int
    sources: int
    start: str | None
    end: str | None
    days: tuple[DayCount, ...] = ()
    score: float | None = None
    #: articles from the page's source (source page) or mentions of its entity (entity page)
    matched: int | None = None


@dataclass(frozen=True)
class ArticleView:
    id: str
    title: str
    excerpt: str
    time: str | None
    source: str
    url: str
    #: ``url`` when it is an absolute http(s) URL, else None (rendered as text, never a link)
    link: str | None
    off_topic: bool = False
    duplicate_of: str | None = None
    copies: tuple[ArticleView, ...] = ()


@dataclass(frozen=True)
class SourceGroup:
    source: str
    articles: tuple[ArticleView, ...]


@dataclass(frozen=True)
class SourceRef:
    """An article a summary sentence (or timeline entry) comes from."""

    id: str
    source: str
    #: 1-based position of the article (or of its original) in the story's article list
    number: int | None = None
    #: the articles page of the story page that lists it
    page: int | None = None


@dataclass(frozen=True)
class SentenceView:
    text: str
    time: str | None
    articles: tuple[SourceRef, ...]


@dataclass(frozen=True)
class TimelineItem:
    date: str
    text: str
    articles: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class EntityRef:
    name: str
    label: str
    mentions: int


@dataclass(frozen=True)
class Claim:
    """One version of a disputed fact: the short ``value`` ("45,000") and the sentence."""

    text: str
    articles: tuple[SourceRef, ...] = ()
    sources: tuple[str, ...] = ()
    value: str = ""


@dataclass(frozen=True)
class Disagreement:
    topic: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class StoryDetail:
    id: str
    storyline_id: str
    headline: str
    sentences: tuple[SentenceView, ...]
    size: int
    sources: tuple[str, ...]
    start: str | None
    end: str | None
    days: tuple[DayCount, ...]
    groups: tuple[SourceGroup, ...]
    articles_page: Page
    off_topic: tuple[ArticleView, ...]
    siblings: tuple[StoryCard, ...]
    timeline: tuple[TimelineItem, ...] = ()
    entities: tuple[EntityRef, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()


@dataclass(frozen=True)
class Segment:
    """A piece of a search snippet; ``hit`` pieces matched the query (shown highlighted)."""

    text: str
    hit: bool = False


@dataclass(frozen=True)
class ArticleHit:
    id: str
    story_id: str | None
    story_headline: str
    title: tuple[Segment, ...]
    snippet: tuple[Segment, ...]
    time: str | None
    source: str
    url: str
    link: str | None


@dataclass(frozen=True)
class StoryHit:
    id: str
    headline: tuple[Segment, ...]
    snippet: tuple[Segment, ...]
    size: int
    start: str | None
    end: str | None


@dataclass(frozen=True)
class SearchFilters:
    since: date | None = None
    until: date | None = None
    source: str | None = None
    entity: str | None = None


@dataclass(frozen=True)
class SearchPage:
    query: str
    filters: SearchFilters
    stories: tuple[StoryHit, ...]
    articles: tuple[ArticleHit, ...]
    page: Page


@dataclass(frozen=True)
class SourcePage:
    name: str
    articles: int
    stories: tuple[StoryCard, ...]
    page: Page


@dataclass(frozen=True)
class EntityPage:
    name: str
    labels: tuple[str, ...]
    stories: tuple[StoryCard, ...]
    page: Page


@dataclass(frozen=True)
class Ranking:
    """Every story's front-page score, best first (computed once per store version)."""

    order: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)
    reference: str | None = None


# -- connections and caching --------------------------------------------------------------------


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro`` URI): the web app can never change the store."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


class Reader:
    """Opens read-only connections on one store and caches its front-page ranking until the
    store's files change."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ranking: tuple[tuple[int, ...], Ranking] | None = None

    def connect(self) -> sqlite3.Connection:
        return connect_readonly(self.path)

    def fingerprint(self) -> tuple[int, ...]:
        """Changes whenever the store's files change (any committed write)."""
        out: list[int] = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(f"{self.path}{suffix}")
            except OSError:
                st = None
            # a missing and an empty WAL are the same store (readers create the empty one)
            out += [st.st_mtime_ns, st.st_size] if st and st.st_size else [0, 0]
        return tuple(out)

    def ranking(self, conn: sqlite3.Connection) -> Ranking:
        key = self.fingerprint()
        cached = self._ranking
        if cached and cached[0] == key:
            return cached[1]
        with self._lock:
            if self._ranking and self._ranking[0] == key:
                return self._ranking[1]
            ranking = rank_stories(conn)
            self._ranking = (key, ranking)
            return ranking


# -- helpers ------------------------------------------------------------------------------------


def safe_link(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host, else None: ``javascript:``,
    ``data:``, relative and malformed URLs are never turned into links."""
    url = url.strip()
    if not url or any(ord(c) < 0x21 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def _lede(summary_json: str) -> str:
    try:
        sentences = json.loads(summary_json)
    except ValueError:
        return ""
    if sentences and isinstance(sentences[0], dict):
        return str(sentences[0].get("text", ""))
    return ""


def _sources(value: str) -> list[str]:
    try:
        out = json.loads(value)
    except ValueError:
        return []
    return [str(s) for s in out] if isinstance(out, list) else []


def _marks(n: int) -> str:
    return ",".join("?" * n)


def story_score(size: int, sources: int, age_hours: float | None, recent: int) -> float:
    """The front-page score of a story::

        (ln(1 + size) + ln(1 + sources)) * 0.5 ** (age_hours / 48) * (1 + recent / size)

    ``size``: on-topic articles; ``sources``: distinct sources; ``age_hours``: hours from the
    story's last article to the newest article in the store (None = undated: factor 0.5);
    ``recent``: the story's articles in the 24 hours before that newest article (growth).
    """
    mass = math.log1p(size) + math.log1p(sources)
    recency = UNDATED_RECENCY if age_hours is None else 0.5 ** (max(age_hours, 0) / HALF_LIFE_HOURS)
    growth = recent / size if size else 0.0
    return mass * recency * (1.0 + min(growth, 1.0))


def rank_stories(conn: sqlite3.Connection) -> Ranking:
    """Score every non-empty story (see :func:`story_score`), best first."""
    newest = conn.execute("SELECT max(time) FROM articles").fetchone()[0]
    reference = _parse_time(newest)
    recent: dict[str, int] = {}
    if reference is not None:
        since = (reference - timedelta(hours=GROWTH_WINDOW_HOURS)).isoformat()
        recent = dict(conn.execute(
            """SELECT story_id, count(*) FROM articles WHERE time >= ? AND story_id IS NOT NULL
            AND off_topic = 0 GROUP BY story_id""", (since,)).fetchall())
    scored: list[tuple[float, str, str]] = []
    for story_id, size, sources, end, age in conn.execute(
        """SELECT id, size, CASE WHEN json_valid(sources) THEN json_array_length(sources)
        ELSE 0 END, end, (julianday(?) - julianday(end)) * 24 FROM stories WHERE size > 0""",
        (reference.isoformat() if reference else None,),
    ):
        score = story_score(size, sources or 0, age, recent.get(story_id, 0))
        scored.append((score, end or "", story_id))
    scored.sort(key=lambda t: t[2])
    scored.sort(key=lambda t: t[1], reverse=True)
    scored.sort(key=lambda t: t[0], reverse=True)
    return Ranking(
        order=tuple(s[2] for s in scored), scores={s[2]: round(s[0], 4) for s in scored},
        reference=newest,
    )


def _days(conn: sqlite3.Connection, story_ids: Sequence[str]) -> dict[str, tuple[DayCount, ...]]:
    """Articles per day of each story (on-topic, duplicates included), the last SPARK_DAYS days
    of its span, with zero days filled in."""
    if not story_ids:
        return {}
    counts: dict[str, dict[str, int]] = {}
    for story_id, day, n in conn.execute(
        f"""SELECT story_id, substr(time, 1, 10) AS day, count(*) FROM articles
        WHERE story_id IN ({_marks(len(story_ids))}) AND time IS NOT NULL AND off_topic = 0
        GROUP BY story_id, day""",
        list(story_ids),
    ):
        counts.setdefault(story_id, {})[day] = n
    out: dict[str, tuple[DayCount, ...]] = {}
    for story_id, per_day in counts.items():
        try:
            first, last = date.fromisoformat(min(per_day)), date.fromisoformat(max(per_day))
        except ValueError:
            continue
        first = max(first, last - timedelta(days=SPARK_DAYS - 1))
        out[story_id] = tuple(
            DayCount(d.isoformat(), per_day.get(d.isoformat(), 0))
            for d in (first + timedelta(days=i) for i in range((last - first).days + 1))
        )
    return out


def story_cards(
    conn: sqlite3.Connection,
    story_ids: Sequence[str],
    scores: dict[str, float] | None = None,
    matched: dict[str, int] | None = None,
) -> list[StoryCard]:
    """Cards for the given stories, in the given order (unknown ids are skipped)."""
    if not story_ids:
        return []
    rows = {r["id"]: r for r in conn.execute(
        f"""SELECT id, headline, summary, size, sources, start, end FROM stories
        WHERE id IN ({_marks(len(story_ids))})""", list(story_ids))}
    days = _days(conn, story_ids)
    cards = []
    for story_id in story_ids:
        r = rows.get(story_id)
        if r is None:
            continue
        cards.append(StoryCard(
            id=r["id"], headline=r["headline"] or "(untitled story)", lede=_lede(r["summary"]),
            size=r["size"], sources=len(_sources(r["sources"])), start=r["start"], end=r["end"],
            days=days.get(story_id, ()),
            score=(scores or {}).get(story_id), matched=(matched or {}).get(story_id),
        ))
    return cards


def _page(page: int, per_page: int, total: int, capped: bool = False) -> Page:
    per_page = max(1, min(per_page, 100))
    pages = max(1, math.ceil(total / per_page))
    return Page(page=max(1, min(page, pages)), per_page=per_page, total=total, capped=capped)


# -- front page ---------------------------------------------------------------------------------


def front_page(
    conn: sqlite3.Connection, ranking: Ranking, page: int = 1, per_page: int = 20
) -> tuple[list[StoryCard], Page]:
    """The ranked stories of one page."""
    pg = _page(page, per_page, len(ranking.order))
    ids = ranking.order[pg.offset : pg.offset + pg.per_page]
    return story_cards(conn, ids, ranking.scores), pg


# -- story page ---------------------------------------------------------------------------------


def _article_view(r: sqlite3.Row, copies: Iterable[ArticleView] = ()) -> ArticleView:
    return ArticleView(
        id=r["id"], title=r["title"], excerpt=_excerpt(r["text"]), time=r["time"],
        source=r["source"], url=r["url"], link=safe_link(r["url"]),
        off_topic=bool(r["off_topic"]), duplicate_of=r["duplicate_of"], copies=tuple(copies),
    )


_ARTICLE_COLS = (
    "id, title, substr(text, 1, 600) AS text, time, source, url, off_topic, duplicate_of"
)


def _json_list(value: str | None) -> list[Any]:
    if not value:
        return []
    try:
        out = json.loads(value)
    except ValueError:
        return []
    return out if isinstance(out, list) else []


def _first(item: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = item.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def story_detail(
    conn: sqlite3.Connection,
    story_id: str,
    page: int = 1,
    per_page: int = 50,
    scores: dict[str, float] | None = None,
) -> StoryDetail | None:
    """Everything the story page shows; ``page`` pages through its original articles (grouped
    by source, near-duplicates folded under their original)."""
    row = conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return None
    total = conn.execute(
        """SELECT count(*) FROM articles WHERE story_id = ? AND off_topic = 0
        AND duplicate_of IS NULL""", (story_id,)).fetchone()[0]
    pg = _page(page, per_page, total)
    originals = conn.execute(
        f"""SELECT {_ARTICLE_COLS} FROM articles WHERE story_id = ? AND off_topic = 0
        AND duplicate_of IS NULL ORDER BY source = '', source, time IS NULL, time, id
        LIMIT ? OFFSET ?""", (story_id, pg.per_page, pg.offset)).fetchall()
    copies: dict[str, list[ArticleView]] = {}
    original_ids = [r["id"] for r in originals]
    if original_ids:
        for r in conn.execute(
            f"""SELECT {_ARTICLE_COLS} FROM articles WHERE duplicate_of IN
            ({_marks(len(original_ids))}) ORDER BY time IS NULL, time, id""", original_ids
        ):
            copies.setdefault(r["duplicate_of"], []).append(_article_view(r))
    groups: dict[str, list[ArticleView]] = {}
    for r in originals:
        groups.setdefault(r["source"], []).append(_article_view(r, copies.get(r["id"], ())))
    off_topic = tuple(_article_view(r) for r in conn.execute(
        f"""SELECT {_ARTICLE_COLS} FROM articles WHERE story_id = ? AND off_topic = 1
        ORDER BY time IS NULL, time, id LIMIT 200""", (story_id,)))

    sentences_raw = [s for s in _json_list(row["summary"]) if isinstance(s, dict)]
    extras = conn.execute(
        "SELECT timeline, entities, disagreements FROM story_extras WHERE story_id = ?",
        (story_id,)).fetchone()
    timeline_raw = [t for t in _json_list(extras["timeline"] if extras else None)
                    if isinstance(t, dict)]
    disagreements_raw = [d for d in _json_list(extras["disagreements"] if extras else None)
                         if isinstance(d, dict)]
    cited = {i for s in sentences_raw for i in _ids(s.get("articles"))}
    cited |= {i for t in timeline_raw for i in _ids(t.get("articles"))}
    cited |= {i for d in disagreements_raw for c in (d.get("claims") or [])
              if isinstance(c, dict) for i in _ids(c.get("articles"))}
    refs = _refs(conn, story_id, cited, pg.per_page)

    siblings = conn.execute(
        """SELECT id FROM stories WHERE storyline_id = ? AND id != ? AND size > 0
        ORDER BY start IS NULL, start, id LIMIT 50""", (row["storyline_id"], story_id)).fetchall()
    return StoryDetail(
        id=row["id"], storyline_id=row["storyline_id"],
        headline=row["headline"] or "(untitled story)",
        sentences=tuple(
            SentenceView(str(s.get("text", "")), s.get("time"),
                         tuple(refs[i] for i in _ids(s.get("articles")) if i in refs))
            for s in sentences_raw
        ),
        size=row["size"], sources=tuple(_sources(row["sources"])), start=row["start"],
        end=row["end"], days=_days(conn, [story_id]).get(story_id, ()),
        groups=tuple(SourceGroup(k, tuple(v)) for k, v in groups.items()),
        articles_page=pg, off_topic=off_topic,
        siblings=tuple(story_cards(conn, [r[0] for r in siblings], scores)),
        timeline=tuple(_timeline(timeline_raw, refs)),
        entities=tuple(_entities(conn, story_id, extras["entities"] if extras else None)),
        disagreements=tuple(_disagreements(disagreements_raw, refs)),
    )


def _refs(
    conn: sqlite3.Connection, story_id: str, cited: set[str], per_page: int
) -> dict[str, SourceRef]:
    """Source references for cited article ids, with the number and articles page of the
    article (of its original, for a near-duplicate) in the story page's article list."""
    if not cited:
        return {}
    position = dict(conn.execute(
        """SELECT id, row_number() OVER (ORDER BY source = '', source, time IS NULL, time, id)
        FROM articles WHERE story_id = ? AND off_topic = 0 AND duplicate_of IS NULL""",
        (story_id,)).fetchall())
    ids = sorted(cited)
    out: dict[str, SourceRef] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for r in conn.execute(
            f"SELECT id, source, duplicate_of FROM articles WHERE id IN ({_marks(len(chunk))})",
            chunk,
        ):
            number = position.get(r["id"]) or position.get(r["duplicate_of"])
            page = (number - 1) // per_page + 1 if number else None
            out[r["id"]] = SourceRef(r["id"], r["source"], number, page)
    return out


def _timeline(items: list[dict[str, Any]], refs: dict[str, SourceRef]) -> list[TimelineItem]:
    out = [
        TimelineItem(
            date=_first(t, "date", "time", "day")[:10],
            text=_first(t, "text", "event", "summary", "sentence"),
            articles=tuple(refs[i] for i in _ids(t.get("articles")) if i in refs),
        )
        for t in items
    ]
    return sorted((t for t in out if t.text), key=lambda t: t.date)


def _entities(conn: sqlite3.Connection, story_id: str, stored: str | None) -> list[EntityRef]:
    rows = conn.execute(
        """SELECT entity, label, mentions FROM story_entities WHERE story_id = ?
        ORDER BY mentions DESC, entity LIMIT 100""", (story_id,)).fetchall()
    if rows:
        return [EntityRef(r[0], r[1], r[2]) for r in rows]
    out = []
    for e in _json_list(stored):
        if isinstance(e, dict) and (name := _first(e, "name", "text", "entity")):
            mentions = e.get("mentions", e.get("count", 1))
            out.append(EntityRef(name, _first(e, "label", "type"),
                                 mentions if isinstance(mentions, int) else 1))
    return sorted(out, key=lambda e: (-e.mentions, e.name))[:100]


def _disagreements(items: list[dict[str, Any]], refs: dict[str, SourceRef]) -> list[Disagreement]:
    out = []
    for d in items:
        claims_raw = d.get("claims") or d.get("sides") or d.get("values") or []
        claims = []
        for c in claims_raw if isinstance(claims_raw, list) else []:
            if isinstance(c, dict):
                text = _first(c, "text", "claim", "value")
                value = _first(c, "value")
                claims.append(Claim(
                    text=text,
                    articles=tuple(refs[i] for i in _ids(c.get("articles")) if i in refs),
                    sources=tuple(_ids(c.get("sources")) or _ids(c.get("source"))),
                    value=value if value != text else "",
                ))
            elif isinstance(c, str):
                claims.append(Claim(text=c))
        topic = _first(d, "topic", "about", "field", "kind", "text", "description")
        if topic or claims:
            out.append(Disagreement(topic=topic, claims=tuple(claims)))
    return out


# -- search -------------------------------------------------------------------------------------

_WORD = re.compile(r"(\w+)(\*?)")


def fts_query(text: str, max_terms: int = 16) -> str:
    """A safe FTS5 query from free text: every word quoted (so FTS5 operators and quotes in the
    input are inert), all words required, ``word*`` kept as a prefix search."""
    terms = [f'"{w}"{star}' for w, star in _WORD.findall(text)][:max_terms]
    return " ".join(terms)


_MARKERS = re.compile(f"([{_HIT_START}{_HIT_END}])")


def _segments(marked: str | None) -> tuple[Segment, ...]:
    """Split an FTS5 snippet with hit markers into plain/hit segments (the template escapes each
    segment; the markers never reach the page)."""
    if not marked:
        return ()
    out: list[Segment] = []
    hit = False
    for part in _MARKERS.split(marked):
        if part == _HIT_START:
            hit = True
        elif part == _HIT_END:
            hit = False
        elif part:
            out.append(Segment(part, hit))
    return tuple(out)


def _article_filters(f: SearchFilters, alias: str = "a") -> tuple[str, list[Any]]:
    sql, params = "", []
    if f.since:
        sql += f" AND {alias}.time >= ?"
        params.append(f.since.isoformat())
    if f.until:
        sql += f" AND {alias}.time < ?"
        params.append((f.until + timedelta(days=1)).isoformat())
    if f.source:
        sql += f" AND {alias}.source = ?"
        params.append(f.source)
    if f.entity:
        sql += f" AND {alias}.story_id IN (SELECT story_id FROM story_entities WHERE entity = ?)"
        params.append(f.entity)
    return sql, params


def search(
    conn: sqlite3.Connection,
    text: str,
    filters: SearchFilters = SearchFilters(),
    page: int = 1,
    per_page: int = 20,
    story_hits: int = 5,
) -> SearchPage:
    """Full-text search (SQLite FTS5, bm25 order) over article titles and texts (near-duplicates
    left out), plus, on the first page, the stories whose headline or summary match."""
    match = fts_query(text)
    if not match:
        if filters == SearchFilters():
            return SearchPage(text, filters, (), (), _page(1, per_page, 0))
        return _browse(conn, text, filters, page, per_page)
    where, params = _article_filters(filters)
    joins = "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
    cond = f"WHERE articles_fts MATCH ? AND a.duplicate_of IS NULL{where}"
    base = f"{joins} {cond}"
    total = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {COUNT_CAP + 1})", [match, *params]
    ).fetchone()[0]
    pg = _page(page, per_page, min(total, COUNT_CAP), capped=total > COUNT_CAP)
    mark = f"'{_HIT_START}', '{_HIT_END}'"
    rows = conn.execute(
        f"""SELECT a.id, a.story_id, a.time, a.source, a.url, s.headline AS story_headline,
        highlight(articles_fts, 0, {mark}) AS title_hl,
        snippet(articles_fts, 1, {mark}, ' … ', 24) AS text_hl
        {joins} LEFT JOIN stories s ON s.id = a.story_id {cond}
        ORDER BY rank LIMIT ? OFFSET ?""",
        [match, *params, pg.per_page, pg.offset],
    ).fetchall()
    articles = tuple(
        ArticleHit(
            id=r["id"], story_id=r["story_id"], story_headline=r["story_headline"] or "",
            title=_segments(r["title_hl"]), snippet=_segments(r["text_hl"]), time=r["time"],
            source=r["source"], url=r["url"], link=safe_link(r["url"]),
        )
        for r in rows
    )
    stories = _story_hits(conn, match, filters, story_hits) if pg.page == 1 else ()
    return SearchPage(text, filters, stories, articles, pg)


def _browse(
    conn: sqlite3.Connection, text: str, filters: SearchFilters, page: int, per_page: int
) -> SearchPage:
    """No words but some filters: the matching articles, most recent first."""
    where, params = _article_filters(filters)
    cond = f"FROM articles a WHERE a.duplicate_of IS NULL{where}"
    total = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 {cond} LIMIT {COUNT_CAP + 1})", params).fetchone()[0]
    pg = _page(page, per_page, min(total, COUNT_CAP), capped=total > COUNT_CAP)
    rows = conn.execute(
        f"""SELECT a.id, a.story_id, a.time, a.source, a.url, a.title,
        substr(a.text, 1, 400) AS text,
        (SELECT headline FROM stories s WHERE s.id = a.story_id) AS story_headline
        {cond} ORDER BY a.time IS NULL, a.time DESC, a.id LIMIT ? OFFSET ?""",
        [*params, pg.per_page, pg.offset]).fetchall()
    articles = tuple(
        ArticleHit(
            id=r["id"], story_id=r["story_id"], story_headline=r["story_headline"] or "",
            title=(Segment(r["title"]),) if r["title"] else (),
            snippet=(Segment(_excerpt(r["text"], 200)),) if r["text"] else (),
            time=r["time"], source=r["source"], url=r["url"], link=safe_link(r["url"]),
        )
        for r in rows
    )
    return SearchPage(text, filters, (), articles, pg)


def _story_hits(
    conn: sqlite3.Connection, match: str, filters: SearchFilters, limit: int
) -> tuple[StoryHit, ...]:
    sql, params = "", []
    if filters.since:
        sql += " AND (st.end IS NULL OR st.end >= ?)"
        params.append(filters.since.isoformat())
    if filters.until:
        sql += " AND (st.start IS NULL OR st.start < ?)"
        params.append((filters.until + timedelta(days=1)).isoformat())
    if filters.source:
        sql += " AND EXISTS (SELECT 1 FROM articles x WHERE x.story_id = st.id AND x.source = ?)"
        params.append(filters.source)
    if filters.entity:
        sql += " AND st.id IN (SELECT story_id FROM story_entities WHERE entity = ?)"
        params.append(filters.entity)
    mark = f"'{_HIT_START}', '{_HIT_END}'"
    rows = conn.execute(
        f"""SELECT st.id, st.size, st.start, st.end,
        highlight(stories_fts, 0, {mark}) AS head_hl,
        snippet(stories_fts, 1, {mark}, ' … ', 24) AS sum_hl
        FROM stories_fts JOIN stories st ON st.rowid = stories_fts.rowid
        WHERE stories_fts MATCH ? AND st.size > 0{sql} ORDER BY rank LIMIT ?""",
        [match, *params, limit],
    ).fetchall()
    return tuple(
        StoryHit(id=r["id"], headline=_segments(r["head_hl"]), snippet=_segments(r["sum_hl"]),
                 size=r["size"], start=r["start"], end=r["end"])
        for r in rows
    )


# -- sources and entities -----------------------------------------------------------------------


def sources_index(
    conn: sqlite3.Connection, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[str, int, int]], Page]:
    """(source, articles, stories) for every named source, most articles first."""
    total = conn.execute(
        "SELECT count(DISTINCT source) FROM articles WHERE source != ''").fetchone()[0]
    pg = _page(page, per_page, total)
    rows = conn.execute(
        """SELECT source, count(*), count(DISTINCT story_id) FROM articles WHERE source != ''
        GROUP BY source ORDER BY count(*) DESC, source LIMIT ? OFFSET ?""",
        (pg.per_page, pg.offset)).fetchall()
    return [(r[0], r[1], r[2]) for r in rows], pg


def source_page(
    conn: sqlite3.Connection,
    name: str,
    page: int = 1,
    per_page: int = 20,
    scores: dict[str, float] | None = None,
) -> SourcePage | None:
    """The stories a source covered, most recent first (None when the source is unknown)."""
    articles = conn.execute(
        "SELECT count(*) FROM articles WHERE source = ?", (name,)).fetchone()[0]
    if not articles:
        return None
    total = conn.execute(
        """SELECT count(DISTINCT story_id) FROM articles WHERE source = ?
        AND story_id IS NOT NULL""", (name,)).fetchone()[0]
    pg = _page(page, per_page, total)
    rows = conn.execute(
        """SELECT story_id, count(*) AS n, max(time) AS last FROM articles
        WHERE source = ? AND story_id IS NOT NULL GROUP BY story_id
        ORDER BY last IS NULL, last DESC, story_id LIMIT ? OFFSET ?""",
        (name, pg.per_page, pg.offset)).fetchall()
    matched = {r[0]: r[1] for r in rows}
    cards = story_cards(conn, [r[0] for r in rows], scores, matched)
    return SourcePage(name=name, articles=articles, stories=tuple(cards), page=pg)


def entity_page(
    conn: sqlite3.Connection,
    name: str,
    page: int = 1,
    per_page: int = 20,
    scores: dict[str, float] | None = None,
) -> EntityPage | None:
    """The stories an entity appears in, most mentions first (None when unknown)."""
    labels = [r[0] for r in conn.execute(
        "SELECT DISTINCT label FROM story_entities WHERE entity = ? ORDER BY label", (name,))]
    if not labels:
        return None
    total = conn.execute(
        "SELECT count(DISTINCT story_id) FROM story_entities WHERE entity = ?", (name,)
    ).fetchone()[0]
    pg = _page(page, per_page, total)
    rows = conn.execute(
        """SELECT e.story_id, sum(e.mentions) AS n FROM story_entities e
        JOIN stories s ON s.id = e.story_id WHERE e.entity = ? GROUP BY e.story_id
        ORDER BY n DESC, s.end IS NULL, s.end DESC, e.story_id LIMIT ? OFFSET ?""",
        (name, pg.per_page, pg.offset)).fetchall()
    canonical = conn.execute(
        "SELECT entity FROM story_entities WHERE entity = ? LIMIT 1", (name,)).fetchone()[0]
    matched = {r[0]: r[1] for r in rows}
    cards = story_cards(conn, [r[0] for r in rows], scores, matched)
    return EntityPage(name=canonical, labels=tuple(x for x in labels if x), stories=tuple(cards),
                      page=pg)


# -- the one writer -----------------------------------------------------------------------------


def write_story_extras(
    db: sqlite3.Connection,
    story_id: str,
    *,
    timeline: Sequence[dict[str, Any]] | None = None,
    entities: Sequence[dict[str, Any]] | None = None,
    disagreements: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Store a story's timeline, entities and disagreements for the story page (call inside a
    transaction, e.g. ``with store.transaction(): write_story_extras(store.db, ...)``).

    Shapes: timeline ``[{"date", "text", "articles": [ids]}]``; entities
    ``[{"name", "label", "mentions"}]`` (also indexed in ``story_entities`` for entity pages and
    the search filter); disagreements ``[{"topic", "claims": [{"text", "articles", "sources"}]}]``.
    """
    def dump(value: Sequence[dict[str, Any]] | None) -> str | None:
        return None if value is None else json.dumps(list(value), ensure_ascii=False,
                                                      default=str)

    db.execute(
        """INSERT INTO story_extras (story_id, timeline, entities, disagreements, updated_at)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT(story_id) DO UPDATE SET
        timeline = coalesce(excluded.timeline, timeline),
        entities = coalesce(excluded.entities, entities),
        disagreements = coalesce(excluded.disagreements, disagreements),
        updated_at = excluded.updated_at""",
        (story_id, dump(timeline), dump(entities), dump(disagreements),
         datetime.now(UTC).isoformat(timespec="seconds")),
    )
    if entities is not None:
        db.execute("DELETE FROM story_entities WHERE story_id = ?", (story_id,))
        rows: dict[tuple[str, str], int] = {}
        for e in entities:
            name = _first(e, "name", "text", "entity").strip()
            if not name:
                continue
            mentions = e.get("mentions", e.get("count", 1))
            key = (name, _first(e, "label", "type"))
            rows[key] = rows.get(key, 0) + (mentions if isinstance(mentions, int) else 1)
        db.executemany(
            """INSERT INTO story_entities (story_id, entity, label, mentions) VALUES (?, ?, ?, ?)
            ON CONFLICT(story_id, entity, label) DO UPDATE SET
            mentions = mentions + excluded.mentions""",
            [(story_id, name, label, n) for (name, label), n in rows.items()],
        )
