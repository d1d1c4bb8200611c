import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from storyline.cluster.base import StoryState
from storyline.errors import StorylineError
from storyline.models import Story, Summary, SummarySentence
from storyline.store import Store
from storyline.store.schema import MIGRATIONS

T = datetime(2020, 1, 8, tzinfo=UTC)


def row(i: str, story: str | None = "s1", duplicate_of: str | None = None) -> dict:
    return {
        "id": i, "title": f"title {i}", "text": "text", "time": T, "source": "src", "url": "",
        "origin": "f:1", "content_hash": f"h{i}", "duplicate_of": duplicate_of, "story_id": story,
        "signature": np.arange(64, dtype=np.uint32), "vector": np.ones(4, dtype=np.float32),
    }


def test_migrations_are_applied_once(tmp_path: Path):
    path = tmp_path / "s.db"
    Store(path).close()
    with Store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_articles_states_and_stories_round_trip(tmp_path: Path):
    with Store(tmp_path / "s.db") as store:
        with store.transaction():
            store.add_articles([row("a"), row("b", duplicate_of="a")])
            state = StoryState("s1", np.array([1, 2, 3, 4], dtype=np.float32), 2, T, T)
            store.save_states([state], {"s1": "L1"})
        assert store.known_ids(["a", "b", "zz"]) == {"a", "b"}
        assert store.dirty_stories() == ["s1"]
        (loaded,) = store.load_states()
        assert loaded.count == 2 and loaded.first == T
        assert loaded.vector_sum.tolist() == [1, 2, 3, 4]
        index = list(store.dedupe_index())
        assert [i for i, _, _ in index] == ["a"]  # copies are not originals
        members = store.story_articles("s1")
        assert members[1]["duplicate_of"] == "a"
        story = Story("s1", "L1", "Headline", Summary((SummarySentence("S.", ("a", "b"), T),)),
                      ("a", "b"), sources=("src",), start=T, end=T)
        with store.transaction():
            store.save_story(story)
            store.set_off_topic("s1", ["a"])
        assert store.dirty_stories() == []
        got = store.story("s1")
        assert got is not None
        assert got.summary == story.summary
        assert got.off_topic == ("a", "b")  # the copy of an off-topic article goes with it
        assert got.storyline_id == "L1"
        assert store.storyline_members("L1") == ["s1"]


def test_next_story_number_survives_reopening(tmp_path: Path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        assert store.next_story_number() == 1  # a new store
        with store.transaction():
            store.save_next_story_number(7)
        with store.transaction():
            store.save_next_story_number(9)
    with Store(path) as store:
        assert store.next_story_number() == 9


def test_document_counts_are_written_incrementally(tmp_path: Path):
    vec = np.ones(4, dtype=np.float32)
    with Store(tmp_path / "s.db") as store:
        with store.transaction():  # no change-set given: every count of each state
            store.save_states([StoryState("s1", vec, 2, T, T, {"a": 1.0}, {"a": 2, "b": 1}),
                               StoryState("s2", vec, 1, T, T, {}, {"c": 1})], {})
        with store.transaction():  # only the changed terms; the state's other counts stay
            store.save_states([StoryState("s1", vec, 3, T, T, {"a": 1.0}, {})], {},
                              {"s1": {"b": 2, "d": 1}})
        loaded = {s.id: s for s in store.load_states()}
        assert loaded["s1"].doc_freq == {"a": 2, "b": 2, "d": 1} and loaded["s1"].count == 3
        assert loaded["s2"].doc_freq == {"c": 1}
        assert "doc_freq" not in store.db.execute(
            "SELECT state FROM stories WHERE id = 's1'").fetchone()[0]
        with store.transaction():
            store.merge_stories({"s2": "s1"})
        assert [s.id for s in store.load_states()] == ["s1"]
        assert store.db.execute(
            "SELECT count(*) FROM story_doc_freq WHERE story_id = 's2'").fetchone()[0] == 0


def test_counts_kept_in_the_state_json_move_to_their_table(tmp_path: Path):
    """A store written before migration 3 kept each story's counts in its state JSON."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO stories (id, storyline_id, updated_at, state_vector, state) "
               "VALUES ('s1', 's1', '2020-01-01', ?, ?)",
               (np.ones(4, dtype=np.float32).tobytes(),
                '{"count": 2, "terms": {"a": 1.0}, "doc_freq": {"a": 2, "b": 1}}'))
    db.commit()
    db.close()
    with Store(path) as store:
        (state,) = store.load_states()
        assert state.doc_freq == {"a": 2, "b": 1} and state.terms == {"a": 1.0}
        assert "doc_freq" not in store.db.execute("SELECT state FROM stories").fetchone()[0]


def test_a_failed_transaction_leaves_nothing(tmp_path: Path):
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.add_articles([row("a")])
            raise RuntimeError("interrupted")
        assert store.count_articles() == 0


def test_not_a_store(tmp_path: Path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorylineError, match="not a storyline store"):
        Store(junk)


def test_wal_mode(tmp_path: Path):
    Store(tmp_path / "s.db").close()
    con = sqlite3.connect(tmp_path / "s.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
