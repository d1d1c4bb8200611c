"""SQLite schema, as an ordered list of migrations (``PRAGMA user_version`` = migrations applied).

Never edit a migration that has shipped: append a new one."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: articles, stories, story states
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        time TEXT,
        source TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL,
        duplicate_of TEXT,
        story_id TEXT,
        off_topic INTEGER NOT NULL DEFAULT 0,
        signature BLOB,
        vector BLOB,
        added_at TEXT NOT NULL
    );
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_hash ON articles(content_hash);
    CREATE INDEX articles_duplicate ON articles(duplicate_of);
    CREATE INDEX articles_time ON articles(time);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        storyline_id TEXT NOT NULL,
        headline TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '[]',
        size INTEGER NOT NULL DEFAULT 0,
        sources TEXT NOT NULL DEFAULT '[]',
        start TEXT,
        end TEXT,
        dirty INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL,
        state_vector BLOB,
        state TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX stories_storyline ON stories(storyline_id);
    CREATE INDEX stories_dirty ON stories(dirty);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
]
