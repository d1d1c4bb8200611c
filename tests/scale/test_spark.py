"""The Spark job in local mode against the embedded pipeline on the same small input, and the
Parquet -> SQLite import. One Spark run (session fixture) serves every test here."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from storyline.errors import StorylineError
from storyline.pipeline import run
from storyline.scale.parquet import import_parquet, read_table
from storyline.store import Store

pytestmark = pytest.mark.slow


def _partition(pairs: list[tuple[str, str | None]]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for article_id, story_id in pairs:
        if story_id is not None:
            groups[story_id].add(article_id)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture(scope="module")
def embedded(pile: list[Path], fast_settings: Any, tmp_path_factory: pytest.TempPathFactory):
    """The embedded pipeline over the same pile, into a real SQLite file."""
    db = tmp_path_factory.mktemp("embedded") / "embedded.db"
    with Store(db) as store:
        result = run(pile, store, fast_settings)
    return db, result


def test_spark_counts_the_input(spark_output: tuple[Path, Any]) -> None:
    _, result = spark_output
    assert result.files == 2
    assert result.report.read == 10
    assert result.articles == 10
    assert result.renamed == 1  # bank-1 appears in both files
    assert result.duplicates == 2  # the exact mirror and the near copy
    assert result.windows == 1
    assert set(result.seconds) >= {"read", "dedupe", "cluster", "merge", "enrich", "write"}


def test_spark_story_partition_equals_the_embedded_pipeline(
    spark_output: tuple[Path, Any], embedded: tuple[Path, Any]
) -> None:
    out, _ = spark_output
    db, result = embedded
    with Store(db) as store:
        rows = store.db.execute("SELECT id, story_id, duplicate_of FROM articles").fetchall()
    spark_rows = read_table(out, "memberships")
    assert {r["article_id"] for r in spark_rows} == {r[0] for r in rows}
    spark_partition = _partition([(r["article_id"], r["story_id"]) for r in spark_rows])
    assert spark_partition == _partition([(r[0], r[1]) for r in rows])
    assert len(spark_partition) >= 3  # three events: the test input is not trivially one story
    # same duplicate links and, with one window, the same story ids
    assert {r["article_id"]: r["duplicate_of"] for r in spark_rows} == {r[0]: r[2] for r in rows}
    assert {(r["article_id"], r["story_id"]) for r in spark_rows} == {(r[0], r[1]) for r in rows}
    assert result.duplicates == 2


def test_import_parquet_round_trip(
    spark_output: tuple[Path, Any], embedded: tuple[Path, Any], tmp_path: Path
) -> None:
    out, _ = spark_output
    db, _ = embedded
    with Store(tmp_path / "imported.db") as imported, Store(db) as reference:
        counts = import_parquet(out, imported)
        assert counts.articles == reference.count_articles() == 10
        assert counts.duplicates == 2
        mine = {s.id: s for s in imported.stories()}
        theirs = {s.id: s for s in reference.stories()}
        assert set(mine) == set(theirs)
        for story_id, ref in theirs.items():
            got = mine[story_id]
            assert set(got.members) == set(ref.members)
            assert got.off_topic == ref.off_topic
            assert got.headline == ref.headline
            assert got.sources == ref.sources
            assert (got.start, got.end) == (ref.start, ref.end)
            assert got.storyline_id == ref.storyline_id
            # every summary sentence keeps its provenance, and it names members of the story
            for sentence in got.summary.sentences:
                assert sentence.articles and set(sentence.articles) <= set(got.members)
            # timeline, entities and disagreements: the same stage functions, the same output
            assert imported.extras(story_id) == reference.extras(story_id)
        # the states are stored, so a later embedded run continues these stories
        assert {s.id for s in imported.load_states()} == set(theirs)
        assert imported.dirty_stories() == []
        # ... with the embedder that made the vectors, which both stores record
        assert imported.embedder() == reference.embedder() == "hashed-tf-v1"


def test_import_refuses_a_store_that_is_not_empty(
    spark_output: tuple[Path, Any], embedded: tuple[Path, Any], tmp_path: Path
) -> None:
    out, _ = spark_output
    db, _ = embedded
    with Store(db) as store, pytest.raises(StorylineError, match="already holds 10 articles"):
        import_parquet(out, store)


def test_import_names_a_folder_that_is_not_spark_output(tmp_path: Path) -> None:
    missing = "articles: missing"
    with Store(tmp_path / "x.db") as store, pytest.raises(StorylineError, match=missing):
        import_parquet(tmp_path / "nothing-here", store)


def test_timelines_name_articles_of_their_own_story(spark_output: tuple[Path, Any]) -> None:
    out, _ = spark_output
    story_of = {r["article_id"]: r["story_id"] for r in read_table(out, "memberships")}
    assert {r["story_id"] for r in read_table(out, "extras")} == set(story_of.values())
    rows = read_table(out, "timelines")
    assert rows
    for r in rows:
        # a date of the event's week, told by a sentence of the story's own articles
        assert date(2026, 3, 7) <= r["date"] <= date(2026, 3, 16)
        assert r["text"] and r["articles"]
        assert {story_of[a] for a in r["articles"]} == {r["story_id"]}
