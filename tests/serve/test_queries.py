"""Read-only queries: ranking score, FTS kept in sync by triggers, migration of older stores."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from storyline.store import Store
from storyline.store.queries import (
    Reader,
    connect_readonly,
    fts_query,
    rank_stories,
    search,
    story_score,
)
from storyline.store.schema import MIGRATIONS


def test_story_score_rewards_size_sources_recency_and_growth() -> None:
    base = story_score(size=5, sources=3, age_hours=10, recent=1)
    assert story_score(10, 3, 10, 1) > base  # bigger
    assert story_score(5, 5, 10, 1) > base  # more sources
    assert story_score(5, 3, 100, 1) < base  # older
    assert story_score(5, 3, 10, 5) > base  # growing
    assert story_score(5, 3, 58, 1) == base * 0.5  # 48-hour half-life
    assert story_score(5, 3, None, 0) > 0  # undated stories still rank


def test_ranking_is_cached_until_the_store_changes(db: Path) -> None:
    reader = Reader(db)
    conn = reader.connect()
    try:
        first = reader.ranking(conn)
        assert reader.ranking(conn) is first
        with Store(db) as store, store.transaction():
            store.db.execute("UPDATE stories SET end = '2025-06-01T00:00:00+00:00'")
        assert reader.ranking(conn) is not first
        assert reader.ranking(conn).order == rank_stories(conn).order
    finally:
        conn.close()


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('bridge "closed" OR (x') == '"bridge" "closed" "OR" "x"'
    assert fts_query("repair* NEAR") == '"repair"* "NEAR"'
    assert fts_query("--- !!") == ""


def test_fts_follows_inserts_updates_and_deletes(db: Path) -> None:
    with Store(db) as store, store.transaction():
        store.db.execute("UPDATE articles SET title = 'Zeppelin sighted' WHERE id = 'lib-1'")
        store.db.execute("DELETE FROM articles WHERE id = 'lib-2'")
        store.db.execute(
            "UPDATE stories SET headline = 'Quasar headline' WHERE id = (SELECT story_id "
            "FROM articles WHERE id = 'lib-3')")
    conn = connect_readonly(db)
    try:
        assert [a.id for a in search(conn, "zeppelin").articles] == ["lib-1"]
        assert search(conn, "thousands books").articles == ()  # lib-2 is gone
        assert [a.id for a in search(conn, "fire", per_page=50).articles if a.id == "lib-2"] == []
        hits = search(conn, "quasar").stories
        assert len(hits) == 1 and any(s.hit for s in hits[0].headline)
    finally:
        conn.close()


def test_migration_backfills_search_for_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO articles (id, title, text, content_hash, added_at, story_id) "
        "VALUES ('a1', 'Old harbour news', 'Cranes idle.', 'h', 'now', 's1')")
    summary = json.dumps([{"text": "Cranes stood idle at the old harbour.", "articles": ["a1"]}])
    db.execute(
        "INSERT INTO stories (id, storyline_id, headline, summary, size, updated_at) "
        "VALUES ('s1', 's1', 'Harbour idle', ?, 1, 'now')", (summary,))
    db.commit()
    db.close()
    Store(path).close()  # migrates
    conn = connect_readonly(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        result = search(conn, "cranes")
        assert [a.id for a in result.articles] == ["a1"]
        assert [s.id for s in result.stories] == ["s1"]  # summary text indexed, not its JSON
        assert search(conn, "articles").stories == ()
    finally:
        conn.close()
