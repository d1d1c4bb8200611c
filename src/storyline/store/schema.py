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
    # 2 (web): full-text search kept in sync by triggers, story extras for the web pages, indexes
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
    CREATE VIRTUAL TABLE stories_fts USING fts5(
        headline, summary, tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
        INSERT INTO stories_fts(rowid, headline, summary) VALUES (new.rowid, new.headline,
            (SELECT coalesce(group_concat(json_extract(value, '$.text'), ' '), '')
             FROM json_each(new.summary)));
    END;
    CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
        DELETE FROM stories_fts WHERE rowid = old.rowid;
    END;
    CREATE TRIGGER stories_fts_update AFTER UPDATE OF headline, summary ON stories BEGIN
        DELETE FROM stories_fts WHERE rowid = old.rowid;
        INSERT INTO stories_fts(rowid, headline, summary) VALUES (new.rowid, new.headline,
            (SELECT coalesce(group_concat(json_extract(value, '$.text'), ' '), '')
             FROM json_each(new.summary)));
    END;
    INSERT INTO stories_fts(rowid, headline, summary)
        SELECT rowid, headline,
            (SELECT coalesce(group_concat(json_extract(value, '$.text'), ' '), '')
             FROM json_each(stories.summary))
        FROM stories;
    CREATE TABLE story_extras (
        story_id TEXT PRIMARY KEY,
        timeline TEXT,
        entities TEXT,
        disagreements TEXT,
        updated_at TEXT
    );
    CREATE TABLE story_entities (
        story_id TEXT NOT NULL,
        entity TEXT NOT NULL COLLATE NOCASE,
        label TEXT NOT NULL DEFAULT '',
        mentions INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (story_id, entity, label)
    );
    CREATE INDEX story_entities_entity ON story_entities(entity, story_id);
    CREATE INDEX articles_source ON articles(source, story_id);
    CREATE INDEX articles_story_time ON articles(story_id, time, off_topic);
    CREATE INDEX stories_end ON stories(end);
    """,
    # 3: the per-term document counts of each story in their own table, written incrementally
    # (a large story's counts were re-written whole, as JSON, at every batch that touched it)
    """
    CREATE TABLE story_doc_freq (
        story_id TEXT NOT NULL,
        term TEXT NOT NULL,
        df INTEGER NOT NULL,
        PRIMARY KEY (story_id, term)
    ) WITHOUT ROWID;
    INSERT INTO story_doc_freq (story_id, term, df)
        SELECT stories.id, j.key, j.value FROM stories, json_each(stories.state, '$.doc_freq') j;
    UPDATE stories SET state = json_remove(state, '$.doc_freq');
    """,
]
