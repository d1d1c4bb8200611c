"""The Spark job's stage functions, run in plain Python (no Spark needed)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from storyline.cluster.base import StoryState
from storyline.config import ClusterSettings, DedupeSettings, Settings
from storyline.dedupe import Deduper
from storyline.errors import InputError
from storyline.models import Article
from storyline.normalize import normalize_one
from storyline.scale._stages import (
    NO_TIME,
    Prepared,
    WindowResult,
    dedupe_keys,
    merge_windows,
    read_file,
    resolve_duplicates,
    window_of,
)
from storyline.scale.job import list_inputs


def test_read_file_places_articles_in_time_windows(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    records = [
        {"id": "a", "time": "2026-03-14T10:00:00+00:00", "title": "Storm hits the coast town"},
        {"id": "b", "title": "A follow-up with no time, after a"},
        {"id": "c", "time": "2026-03-15T09:00:00+00:00", "title": "Storm damage is counted"},
        {"id": "d", "title": ""},  # nothing to read: dropped, as normalize drops it
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n")
    prepared, report = read_file(3, str(path), None, Settings(), window_days=1.0)
    assert [p.article.id for p in prepared] == ["a", "b", "c"]
    day = window_of(datetime(2026, 3, 14, tzinfo=UTC), 1.0)
    assert [p.window for p in prepared] == [day, day, day + 1]  # b carries a's window
    assert prepared[1].order[1] == 1  # ... and sorts after the dated articles of that window
    assert all(p.order[3] == 3 for p in prepared)
    assert report.read == 3 and report.total_skipped == 2  # the empty record and the bad line
    assert window_of(None, 1.0) == NO_TIME


def _docs_with_copies() -> list[tuple[str, str, str]]:
    base = [
        ("a", "Ferry sinks off Korn island", "A ferry carrying 80 passengers sank off Korn "
         "island on Tuesday. Coast guard boats rescued most of them. Two people are missing."),
        ("b", "Heatwave breaks records in Tarsa", "Temperatures in Tarsa reached 44 degrees on "
         "Tuesday, a record for June. Hospitals reported a rise in heatstroke cases."),
        ("c", "Korn ferry: two missing after sinking", "Two people are missing after a ferry "
         "carrying 80 passengers sank off Korn island. Coast guard boats rescued the others."),
    ]
    copies = [
        ("a2", base[0][1], base[0][2]),  # exact copy
        ("b2", base[1][1], base[1][2] + " Officials urged people to stay indoors."),  # near copy
        ("a3", base[0][1], base[0][2].replace("Tuesday", "Tuesday morning")),  # near copy
    ]
    return base + copies


def test_restricting_the_deduper_to_suspects_changes_no_decision() -> None:
    settings = DedupeSettings()
    items = []
    full = Deduper(settings)
    expected: dict[str, str] = {}
    for i, (doc_id, title, text) in enumerate(_docs_with_copies()):
        doc = normalize_one(Article(doc_id, title, text))
        original, signature = full.check(doc)
        if original is not None:
            expected[doc_id] = original
        items.append(Prepared((0, 0, float(i), 0, i), doc.article, doc.content_hash,
                              signature.tobytes() if signature is not None else None))
    assert expected.get("a2") == "a" and expected.get("b2") == "b"  # copies to find
    groups: dict[object, list[str]] = defaultdict(list)
    for item in items:
        for key, doc_id in dedupe_keys(item, settings):
            groups[key].append(doc_id)
    suspects = {i for ids in groups.values() if len(ids) > 1 for i in ids}
    got = resolve_duplicates(
        [(p.order, p.article.id, p.content_hash, p.signature) for p in items
         if p.article.id in suspects], settings)
    assert got == expected


def _state(story_id: str, vector: list[float], terms: dict[str, float], day: int) -> StoryState:
    when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day)
    return StoryState(story_id, np.array(vector, dtype=np.float64), 2, when,
                      when + timedelta(hours=5), terms, dict.fromkeys(terms, 1))


def test_merge_windows_chains_a_story_across_days() -> None:
    settings = ClusterSettings()
    ferry = {"ferry": 2.0, "korn": 2.0, "island": 1.0}
    heat = {"heatwave": 2.0, "tarsa": 2.0}
    day1 = WindowResult(1, [], [_state("s-000001", [1, 0, 0], ferry, 0),
                                _state("s-000002", [0, 1, 0], heat, 0)])
    day2 = WindowResult(2, [], [_state("s-000001", [0, 0, 1], {"vote": 1.0}, 1),
                                _state("s-000002", [2, 0, 0], ferry, 1)])
    day9 = WindowResult(9, [], [_state("s-000001", [0, 2, 0], heat, 8)])  # too late to revive
    mapping, stories = merge_windows([day9, day2, day1], settings)  # any order in
    assert mapping == {
        (1, "s-000001"): "s-000001", (1, "s-000002"): "s-000002",
        (2, "s-000001"): "s-000003", (2, "s-000002"): "s-000001",
        (9, "s-000001"): "s-000004",
    }
    merged = stories[0]
    assert merged.id == "s-000001" and merged.count == 4
    assert merged.first == datetime(2026, 1, 1, tzinfo=UTC)
    assert merged.last == datetime(2026, 1, 2, 5, tzinfo=UTC)
    assert merged.terms["ferry"] == 4.0 and merged.doc_freq["korn"] == 2
    assert [s.id for s in stories] == ["s-000001", "s-000002", "s-000003", "s-000004"]


def test_list_inputs_expands_globs_and_folders(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.jsonl", "a.jsonl", "sub/c.jsonl", ".hidden.jsonl"):
        (tmp_path / name).write_text("{}\n")
    assert list_inputs(str(tmp_path / "*.jsonl")) == [str(tmp_path / "a.jsonl"),
                                                      str(tmp_path / "b.jsonl")]
    assert list_inputs(str(tmp_path)) == [str(tmp_path / n) for n in
                                          ("a.jsonl", "b.jsonl", "sub/c.jsonl")]
    assert list_inputs("file://" + str(tmp_path / "a.jsonl")) == [str(tmp_path / "a.jsonl")]


def test_list_inputs_names_a_glob_that_matches_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no input file matches"):
        list_inputs(str(tmp_path / "*.warc.gz"))


def test_remote_listing_through_pyarrow(tmp_path: Path) -> None:
    """The object-store code path (``s3://``, ``gs://``...), run on pyarrow's local filesystem."""
    from storyline.scale.job import _list_remote

    (tmp_path / "sub").mkdir()
    for name in ("b.jsonl", "a.jsonl", "sub/c.jsonl", "_SUCCESS"):
        (tmp_path / name).write_text("{}\n")
    uri = f"file://{tmp_path}"
    assert _list_remote(f"{uri}/*.jsonl") == [f"{uri}/a.jsonl", f"{uri}/b.jsonl"]
    assert _list_remote(uri) == [f"{uri}/a.jsonl", f"{uri}/b.jsonl", f"{uri}/sub/c.jsonl"]
    with pytest.raises(InputError, match="no input file matches"):
        _list_remote(f"{uri}/*.csv")
