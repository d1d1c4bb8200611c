"""The embedded SQLite store: articles (with their duplicate links, story and vectors), stories
(headline, summary with provenance, dates, sources) and the clusterer's per-story state.

Writes are batched in transactions: a failed or interrupted run leaves the store as it was after
the last committed batch, never half-written (WAL journal)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from storyline.cluster.base import StoryState
from storyline.errors import StorylineError
from storyline.models import Article, Story, StoryExtras, Summary, SummarySentence
from storyline.store.schema import MIGRATIONS

__all__ = ["Store"]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A storyline SQLite file. Use as a context manager or call ``close()``."""

    def __init__(self, path: str | Path = "storyline.db") -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorylineError(f"cannot open store {self.path}: {exc}") from exc
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise StorylineError(f"{self.path} is not a storyline store: {exc}") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in _statements(script):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # -- articles -------------------------------------------------------------------------------

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            )
        return found

    def dedupe_index(self) -> Iterator[tuple[str, str, np.ndarray | None]]:
        """(id, content hash, MinHash signature) of every original article, to seed the deduper."""
        for row in self.db.execute(
            "SELECT id, content_hash, signature FROM articles WHERE duplicate_of IS NULL"
        ):
            sig = np.frombuffer(row[2], dtype=np.uint32) if row[2] else None
            yield row[0], row[1], sig

    def add_articles(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert article rows (keys: the Article fields plus content_hash, duplicate_of, story_id,
        signature, vector) inside the caller's transaction."""
        self.db.executemany(
            """INSERT OR IGNORE INTO articles (id, title, text, time, source, url, origin,
            content_hash, duplicate_of, story_id, signature, vector, added_at)
            VALUES (:id, :title, :text, :time, :source, :url, :origin, :content_hash,
            :duplicate_of, :story_id, :signature, :vector, :added_at)""",
            [
                {
                    **r,
                    "time": _iso(r.get("time")),
                    "signature": r["signature"].tobytes()
                    if r.get("signature") is not None
                    else None,
                    "vector": r["vector"].astype(np.float32).tobytes()
                    if r.get("vector") is not None
                    else None,
                    "added_at": _now(),
                }
                for r in rows
            ],
        )

    def _article(self, row: sqlite3.Row) -> Article:
        return Article(
            id=row["id"],
            title=row["title"],
            text=row["text"],
            time=_dt(row["time"]),
            source=row["source"],
            url=row["url"],
            origin=row["origin"],
        )

    def story_articles(self, story_id: str) -> list[dict[str, Any]]:
        """Every article of a story with its storage columns: ``article`` (an Article),
        ``duplicate_of``, ``off_topic``, ``vector``."""
        rows = self.db.execute(
            "SELECT * FROM articles WHERE story_id = ? ORDER BY time IS NULL, time, rowid",
            (story_id,),
        )
        return [
            {
                "article": self._article(r),
                "duplicate_of": r["duplicate_of"],
                "off_topic": bool(r["off_topic"]),
                "vector": np.frombuffer(r["vector"], dtype=np.float32) if r["vector"] else None,
            }
            for r in rows
        ]

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute(
            "SELECT story_id FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def set_off_topic(self, story_id: str, off_topic: Iterable[str]) -> None:
        off = list(off_topic)
        self.db.execute("UPDATE articles SET off_topic = 0 WHERE story_id = ?", (story_id,))
        self.db.executemany(
            "UPDATE articles SET off_topic = 1 WHERE id = ? OR duplicate_of = ?",
            [(i, i) for i in off],
        )

    def count_articles(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    # -- story states (the clusterer's memory) -------------------------------------------------

    def save_states(
        self,
        states: Iterable[StoryState],
        storylines: dict[str, str],
        doc_freq_changes: dict[str, dict[str, int]] | None = None,
    ) -> None:
        """Upsert the clusterer's state of the given stories and mark them dirty (to re-enrich).

        The states' per-term document counts go to their own table: only the
        ``doc_freq_changes`` (story id -> the terms whose count changed and their new counts,
        ``OnlineClusterer.doc_freq_changes()``) when given, every count of each state otherwise.
        """
        now = _now()
        rows = []
        states = list(states)
        if doc_freq_changes is None:
            doc_freq_changes = {s.id: s.doc_freq for s in states}
        for s in states:
            extra = {
                f.name: _jsonable(getattr(s, f.name))
                for f in fields(s)
                if f.name not in ("id", "vector_sum", "doc_freq")
            }
            rows.append(
                (
                    s.id,
                    storylines.get(s.id, s.id),
                    now,
                    np.asarray(s.vector_sum, dtype=np.float32).tobytes(),
                    json.dumps(extra),
                )
            )
        self.db.executemany(
            """INSERT INTO stories (id, storyline_id, updated_at, state_vector, state, dirty)
            VALUES (?, ?, ?, ?, ?, 1)
            ON CONFLICT(id) DO UPDATE SET storyline_id = excluded.storyline_id,
            updated_at = excluded.updated_at, state_vector = excluded.state_vector,
            state = excluded.state, dirty = 1""",
            rows,
        )
        self.db.executemany(
            """INSERT INTO story_doc_freq (story_id, term, df) VALUES (?, ?, ?)
            ON CONFLICT(story_id, term) DO UPDATE SET df = excluded.df""",
            ((story, term, df) for story, counts in doc_freq_changes.items()
             for term, df in counts.items()),
        )

    def merge_stories(self, merged: dict[str, str]) -> None:
        """Move the articles of merged-away stories to the story that absorbed them, and drop the
        absorbed stories (inside the caller's transaction)."""
        for old, new in merged.items():
            self.db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (new, old))
            self.db.execute("DELETE FROM stories WHERE id = ?", (old,))
            self.db.execute("DELETE FROM story_extras WHERE story_id = ?", (old,))
            self.db.execute("DELETE FROM story_entities WHERE story_id = ?", (old,))
            self.db.execute("DELETE FROM story_doc_freq WHERE story_id = ?", (old,))

    def update_storylines(self, storylines: dict[str, str]) -> None:
        self.db.executemany(
            "UPDATE stories SET storyline_id = ? WHERE id = ? AND storyline_id != ?",
            [(line, story, line) for story, line in storylines.items()],
        )

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def next_story_number(self) -> int:
        """The clusterer's number for its next new story (1 for a new store)."""
        value = self._meta("next_story")
        return int(value) if value else 1

    def save_next_story_number(self, number: int) -> None:
        """Remember the clusterer's next story number, so that ids of stories merged away are
        never reused (inside the caller's transaction)."""
        self._set_meta("next_story", str(number))

    def embedder(self) -> str | None:
        """The name of the embedder whose vectors the store holds (None: not recorded yet)."""
        return self._meta("embedder")

    def save_embedder(self, name: str) -> None:
        self._set_meta("embedder", name)

    def has_vectors(self) -> bool:
        return self.db.execute(
            "SELECT 1 FROM articles WHERE vector IS NOT NULL LIMIT 1").fetchone() is not None

    def load_states(self) -> list[StoryState]:
        names = {f.name for f in fields(StoryState)} - {"doc_freq"}
        doc_freq: dict[str, dict[str, int]] = {}
        for story, term, df in self.db.execute("SELECT story_id, term, df FROM story_doc_freq"):
            doc_freq.setdefault(story, {})[term] = df
        out = []
        for row in self.db.execute("SELECT id, state_vector, state FROM stories ORDER BY rowid"):
            if row["state_vector"] is None:
                continue
            extra = {k: v for k, v in json.loads(row["state"]).items() if k in names}
            for key in ("first", "last"):
                if isinstance(extra.get(key), str):
                    extra[key] = _dt(extra[key])
            out.append(
                StoryState(
                    id=row["id"],
                    vector_sum=np.frombuffer(row["state_vector"], dtype=np.float32).copy(),
                    doc_freq=doc_freq.get(row["id"], {}),
                    **extra,
                )
            )
        return out

    # -- stories --------------------------------------------------------------------------------

    def dirty_stories(self) -> list[str]:
        return [
            r[0] for r in self.db.execute("SELECT id FROM stories WHERE dirty = 1 ORDER BY rowid")
        ]

    def save_story(self, story: Story) -> None:
        summary = [
            {"text": s.text, "articles": list(s.articles), "time": _iso(s.time)}
            for s in story.summary.sentences
        ]
        self.db.execute(
            """UPDATE stories SET storyline_id = ?, headline = ?, summary = ?, size = ?,
            sources = ?,
            start = ?, end = ?, dirty = 0, updated_at = ? WHERE id = ?""",
            (
                story.storyline_id,
                story.headline,
                json.dumps(summary),
                len(story.members),
                json.dumps(list(story.sources)),
                _iso(story.start),
                _iso(story.end),
                _now(),
                story.id,
            ),
        )

    def save_extras(self, story_id: str, extras: StoryExtras) -> None:
        """A story's timeline, entities and disagreements (inside the caller's transaction)."""
        from storyline.store.queries import write_story_extras

        write_story_extras(
            self.db,
            story_id,
            timeline=extras.timeline,
            entities=extras.entities,
            disagreements=extras.disagreements,
        )

    def extras(self, story_id: str) -> StoryExtras:
        row = self.db.execute(
            "SELECT timeline, entities, disagreements FROM story_extras WHERE story_id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            return StoryExtras()
        return StoryExtras(*(json.loads(v) if v else None for v in row))

    def _story(self, row: sqlite3.Row) -> Story:
        members = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM articles WHERE story_id = ? AND off_topic = 0 ORDER BY rowid",
                (row["id"],),
            )
        ]
        off = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM articles WHERE story_id = ? AND off_topic = 1 ORDER BY rowid",
                (row["id"],),
            )
        ]
        summary = Summary(
            tuple(
                SummarySentence(s["text"], tuple(s["articles"]), _dt(s.get("time")))
                for s in json.loads(row["summary"])
            )
        )
        return Story(
            id=row["id"],
            storyline_id=row["storyline_id"],
            headline=row["headline"],
            summary=summary,
            members=tuple(members),
            off_topic=tuple(off),
            sources=tuple(json.loads(row["sources"])),
            start=_dt(row["start"]),
            end=_dt(row["end"]),
        )

    def story(self, story_id: str) -> Story | None:
        row = self.db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        return self._story(row) if row else None

    def stories(self, limit: int | None = None, min_size: int = 1) -> list[Story]:
        """Stored stories, largest first (then most recent)."""
        sql = "SELECT * FROM stories WHERE size >= ? ORDER BY size DESC, end DESC, id"
        params: list[Any] = [min_size]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [self._story(r) for r in self.db.execute(sql, params)]

    def articles(self, ids: Iterable[str]) -> dict[str, Article]:
        ids = list(ids)
        out: dict[str, Article] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", chunk):
                out[r["id"]] = self._article(r)
        return out

    def storyline_of(self, story_id: str) -> str | None:
        row = self.db.execute(
            "SELECT storyline_id FROM stories WHERE id = ?", (story_id,)).fetchone()
        return row[0] if row else None

    def storyline_members(self, storyline_id: str) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM stories WHERE storyline_id = ? ORDER BY start, id", (storyline_id,)
            )
        ]


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (triggers with inner ';' stay whole)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
