"""End-to-end: the bundled example and the specimen pile through ``run``, into a real SQLite."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.pipeline import run
from storyline.store import Store
from tests.conftest import EXAMPLES

SPECIMEN = Path(__file__).resolve().parents[2] / "shared" / "examples" / "iraq-airbase-pile.txt"


def _story_of(store: Store, article_id: str):
    story_id = store.story_of(article_id)
    assert story_id is not None
    story = store.story(story_id)
    assert story is not None
    return story


@pytest.mark.slow
def test_demo_example_end_to_end(tmp_path: Path, minilm):
    db = tmp_path / "demo.db"
    with Store(db) as store:
        result = run([EXAMPLES / "demo-news.jsonl"], store)
        assert result.report.read == 17
        assert result.duplicates == 1  # the mirrored wire story
        port, fire, rate = (_story_of(store, i) for i in ("port-1", "fire-1", "rate-1"))
        assert len({port.id, fire.id, rate.id}) == 3
        assert {"port-2", "port-3", "port-5"} <= set(port.members)
        assert {"fire-2", "fire-4"} <= set(fire.members)
        for noise in ("misc-1", "misc-2", "misc-3"):
            assert noise not in port.members + fire.members + rate.members
        # the summary is made of the input's own sentences, each with its sources
        texts = {
            json.loads(line)["id"]: json.loads(line)
            for line in (EXAMPLES / "demo-news.jsonl").read_text().splitlines()
        }
        for s in fire.summary.sentences:
            assert s.articles and all(a in fire.members for a in s.articles)
            assert any(
                s.text in texts[a]["text"] or s.text == texts[a]["title"] for a in s.articles
            )
        assert 0 < fire.summary.words <= 100
        assert fire.headline
        assert fire.start is not None and fire.start.day == 4
        # a copy is credited: the mirrored article is a member of the port story
        assert "port-3" in port.members
        # second run with the same input: nothing new, nothing recomputed
        again = run([EXAMPLES / "demo-news.jsonl"], store)
        assert again.new == 0 and again.already_stored == 17 and again.changed_stories == []


@pytest.mark.slow
def test_incremental_run_updates_only_touched_stories(tmp_path: Path, minilm):
    lines = (EXAMPLES / "demo-news.jsonl").read_text().splitlines()
    first = [line for line in lines if '"fire-5"' not in line]
    (tmp_path / "a.jsonl").write_text("\n".join(first) + "\n")
    (tmp_path / "b.jsonl").write_text(next(line for line in lines if '"fire-5"' in line) + "\n")
    with Store(tmp_path / "s.db") as store:
        run([tmp_path / "a.jsonl"], store)
        fire = store.story_of("fire-1")
        result = run([tmp_path / "b.jsonl"], store)
        assert result.new == 1
        assert store.story_of("fire-5") == fire
        assert result.changed_stories == [fire]


@pytest.mark.slow
def test_specimen_pile(tmp_path: Path, minilm):
    if not SPECIMEN.exists():
        pytest.skip(f"specimen not found: {SPECIMEN}")
    pile = tmp_path / "pile.txt"
    shutil.copy(SPECIMEN, pile)
    with Store(tmp_path / "iraq.db") as store:
        run([pile], store, published=datetime(2020, 1, 13, tzinfo=UTC))  # as the README does
        orphans = store.db.execute(
            "SELECT count(*) FROM articles a LEFT JOIN stories s ON s.id = a.story_id "
            "WHERE s.id IS NULL").fetchone()[0]
        assert orphans == 0  # stories merged during the run took their members along
        stories = store.stories(min_size=1)
        biggest = stories[0]
        arts = store.articles(biggest.members)
        texts = [a.title or a.text for a in arts.values()]
        assert any("rockets hit Iraq airbase" in t for t in texts)
        assert not any("sinkhole" in t or "Oscars" in t for t in texts)
        assert len(biggest.members) >= 8
        summary = biggest.summary.text
        assert summary and any(w in summary for w in ("attack", "base", "missiles", "rocket"))
        pile_text = SPECIMEN.read_text()
        for s in biggest.summary.sentences:
            assert s.text in pile_text
        # the developments are dated: Ain al-Asad on 8 January, Balad "on Sunday" (12 January)
        timeline = {row["date"]: row["text"] for row in store.extras(biggest.id).timeline or ()}
        assert "8 January" in timeline["2020-01-08"]
        assert "Balad" in timeline["2020-01-12"]


_PLACES = ["Arden", "Belmont", "Corvale", "Dunmore", "Elsworth", "Fairholm", "Glenrock",
           "Harwick", "Ivybridge", "Jasper", "Kettering", "Linmouth", "Marston", "Norwood",
           "Oakhurst", "Pembury", "Quarrington", "Redcliff"]
_EVENTS = ["bridge collapse", "factory fire", "flood", "train derailment", "bank robbery",
           "school strike", "power outage", "chemical spill", "hospital opening", "port blockade",
           "museum theft", "mine accident", "ferry sinking", "stadium fire", "water shortage",
           "airport closure", "dam failure", "gas explosion"]


def _separate_stories(path: Path) -> None:
    """Eighteen unrelated two-article stories: enough for the parallel path."""
    rows = []
    for k, (place, event) in enumerate(zip(_PLACES, _EVENTS, strict=True)):
        for j in range(2):
            rows.append({
                "id": f"s{k}-{j}",
                "title": f"{event.capitalize()} in {place} ({'update' if j else 'first report'})",
                "text": f"{place} {event}: {place} reports {3 + j + k} hurt on {k + 1} March "
                        f"2021. {place} mayor {place}son blames the {event}. "
                        f"{place} {event} {place} {event}.",
                "time": f"2021-03-{k + 1:02d}T{8 + j:02d}:00:00Z",
                "source": f"outlet{j}",
            })
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def test_parallel_enrichment_equals_serial(tmp_path: Path, fast_settings):
    """Worker processes build exactly the stories the calling process builds."""
    from dataclasses import replace

    from storyline.pipeline import PARALLEL_MIN_STORIES

    src = tmp_path / "stories.jsonl"
    _separate_stories(src)
    built = {}
    for workers in (1, 2):
        settings = replace(fast_settings, enrich=replace(fast_settings.enrich, workers=workers,
                                                         entities="heuristic"))
        with Store(tmp_path / f"w{workers}.db") as store:
            result = run([src], store, settings)
            assert len(result.changed_stories) >= PARALLEL_MIN_STORIES
            built[workers] = {s.id: (s, store.extras(s.id)) for s in store.stories()}
    assert built[1] == built[2]
    story, extras = built[2][_story_id(built[2], "s3-0")]
    assert story.members == ("s3-0", "s3-1") and story.headline and story.summary.sentences
    assert extras.timeline and extras.entities


def test_the_run_is_lean_and_the_callers_settings_are_restored_after(
    tmp_path: Path, fast_settings, monkeypatch
):
    """The pipeline's processes already use every core: numpy's BLAS gets one thread during a
    run and the garbage collector runs less often (``storyline.runtime``); the caller's settings
    are back afterwards."""
    import gc

    from threadpoolctl import threadpool_info, threadpool_limits

    import storyline.pipeline as pipeline
    from storyline.runtime import GC_THRESHOLDS

    seen: list[int] = []
    thresholds: list[tuple[int, ...]] = []
    ingest_batch = pipeline._ingest_batch

    def spy(*args, **kwargs):
        seen.extend(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        thresholds.append(gc.get_threshold())
        return ingest_batch(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_ingest_batch", spy)
    src = tmp_path / "stories.jsonl"
    _separate_stories(src)
    callers = gc.get_threshold()
    with threadpool_limits(2, user_api="blas"), Store(tmp_path / "s.db") as store:
        before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        run([src], store, fast_settings)
        after = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert seen and set(seen) == {1}
    assert after == before and set(before) == {2}
    assert set(thresholds) == {GC_THRESHOLDS} != {callers}
    assert gc.get_threshold() == callers


def _story_id(stories: dict, article_id: str) -> str:
    return next(k for k, (s, _) in stories.items() if article_id in s.members)


def test_a_store_refuses_vectors_of_another_model(tmp_path: Path, fast_settings, caplog):
    from storyline.errors import StorylineError

    src = tmp_path / "stories.jsonl"
    _separate_stories(src)
    with Store(tmp_path / "s.db") as store:
        assert store.embedder() is None
        run([src], store, fast_settings)
        assert store.embedder() == "hashed-tf-v1"
        # as if the stored vectors came from fast mode's model
        store.save_embedder("static-minilm-m2v")
        with pytest.raises(StorylineError, match=r"cannot be compared.*--db NEW\.db"):
            run([EXAMPLES / "demo-news.jsonl"], store, fast_settings)
        assert store.embedder() == "static-minilm-m2v"
        assert store.known_ids(["fire-1"]) == set()  # nothing of the refused run was stored
        # a store from before the name was recorded: taken for the run's embedder, with a warning
        store.db.execute("DELETE FROM meta WHERE key = 'embedder'")
        run([EXAMPLES / "demo-news.jsonl"], store, fast_settings)
        assert "does not record which embedder" in caplog.text
        assert store.embedder() == "hashed-tf-v1" and store.known_ids(["fire-1"])
        # another build of the same model (MiniLM's quantized recipe): continued, with a warning
        store.save_embedder("hashed-tf-v1-dq-0123")
        run([src], store, fast_settings)
        assert "another build of the same model" in caplog.text
        assert store.embedder() == "hashed-tf-v1"


_DAM = "The Harlow dam gave way at dawn on Tuesday, flooding the lower valley."


def _dam_story(settings, n: int) -> list:
    """``n`` reports of one event that all carry the sentence ``_DAM``, as story members."""
    from storyline.embed import get_embedder
    from storyline.models import Article
    from storyline.normalize import normalize_one
    from storyline.pipeline import Member

    articles = [Article(f"d{i:02d}", f"Harlow dam failure, report {i}",
                        f"{_DAM} Rescue teams from district {i} searched the valley.")
                for i in range(n)]
    vectors = get_embedder(settings.embed).encode([normalize_one(a).lead for a in articles])
    return [Member(a, None, v) for a, v in zip(articles, vectors, strict=True)]


def test_large_story_is_summarized_from_its_centre_and_credits_every_carrier(fast_settings):
    """Above ``summary.max_docs`` the summarizer reads the most central articles only; an
    article outside them that carries a chosen sentence is still credited."""
    from dataclasses import replace

    from storyline.pipeline import build_story

    members = _dam_story(fast_settings, 6)
    settings = replace(fast_settings, summary=replace(fast_settings.summary, max_docs=3),
                       enrich=replace(fast_settings.enrich, entities="heuristic"))
    story, _ = build_story("s1", "s1", members, settings)
    carrying = [s for s in story.summary.sentences if s.text == _DAM]
    assert carrying and set(carrying[0].articles) == {m.article.id for m in members}


def test_sample_keeps_the_newest_and_a_stable_draw():
    from storyline.models import Article
    from storyline.pipeline import Member, _sample

    members = [Member(Article(f"a{i}", "", "text"), None, None) for i in range(40)]
    assert _sample(members, 40) == members and _sample(members, 0) == members
    chosen = _sample(members, 12)
    ids = [m.article.id for m in chosen]
    assert len(ids) == 12 and ids == sorted(ids, key=lambda i: int(i[1:]))  # store order kept
    assert ids[-3:] == ["a37", "a38", "a39"]  # the newest quarter
    # the draw of the older ones depends on the ids only: a story that grows keeps most of it
    grown = members + [Member(Article(f"b{i}", "", "text"), None, None) for i in range(4)]
    older = set(ids[:-3])
    again = {m.article.id for m in _sample(grown, 12)}
    assert len(older & again) >= len(older) - 4


def test_big_story_is_enriched_from_a_sample_and_credits_every_carrier(fast_settings):
    """Above ``enrich.max_docs`` originals a story is enriched from a sample; its members are
    all of them, and an article outside the sample that carries a summary sentence (or a copy
    of such an article) is credited."""
    from dataclasses import replace

    from storyline.pipeline import Member, _sample, build_story

    members = _dam_story(fast_settings, 12)
    members.append(Member(replace(members[0].article, id="copy"), "d00", None))
    sampled = {m.article.id for m in _sample(members[:-1], 4)}
    # an unread article flagged by an earlier enrichment keeps its verdict
    flagged = next(i for i, m in enumerate(members) if m.article.id not in sampled)
    members[flagged] = members[flagged]._replace(off_topic=True)
    flagged_ids = {members[flagged].article.id} | ({"copy"} if flagged == 0 else set())
    settings = replace(fast_settings, enrich=replace(fast_settings.enrich, max_docs=4,
                                                     entities="heuristic"))
    story, _ = build_story("s1", "s1", members, settings)
    assert story.off_topic == (members[flagged].article.id,)
    assert set(story.members) == {m.article.id for m in members} - flagged_ids
    carrying = [s for s in story.summary.sentences if s.text == _DAM]
    assert carrying and set(carrying[0].articles) == set(story.members)
    assert len(sampled) == 4 and len(set(carrying[0].articles) - sampled) >= 7


def test_batches_prepared_by_workers_equal_serial(tmp_path: Path, fast_settings, monkeypatch):
    """Batches prepared ahead in a worker process (or by the main loop while it starts) give
    exactly the store the main loop alone gives, copies and empty articles included."""
    from dataclasses import replace

    import storyline.pipeline as pipeline

    monkeypatch.setattr(pipeline, "BATCH", 7)  # several batches from a small input
    src = tmp_path / "stories.jsonl"
    _separate_stories(src)
    rows = [json.loads(line) for line in src.read_text().splitlines()]
    rows += [{**rows[0], "id": "copy-0"},
             {**rows[1], "id": "empty", "text": "<br>", "title": "<b></b>"}, rows[2]]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    stored = {}
    for workers in (1, 2):
        settings = replace(fast_settings, enrich=replace(fast_settings.enrich, workers=workers,
                                                         entities="heuristic"))
        with Store(tmp_path / f"w{workers}.db") as store:
            result = run([src], store, settings)
            assert result.duplicates >= 1
            articles = store.db.execute(
                "SELECT id, content_hash, duplicate_of, story_id, signature, vector "
                "FROM articles ORDER BY rowid").fetchall()
            stored[workers] = ([tuple(r) for r in articles],
                               {s.id: (s, store.extras(s.id)) for s in store.stories()},
                               (result.new, result.duplicates))
            again = run([src], store, settings)  # every batch known: nothing new
            assert again.new == 0 and again.already_stored == len(rows) - 1
    assert stored[1] == stored[2]
    assert "empty" not in {r[0] for r in stored[2][0]}
    assert next(r for r in stored[2][0] if r[0] == "copy-0")[2] == rows[0]["id"]


def test_prepare_equals_the_main_loop(tmp_path: Path):
    """What a worker prepares for a batch (``pipeline._prepare``) is what the main loop computes
    for it: the normalized document, its MinHash signature, its term counts for the clusterer
    and, for a per-text embedder, its lead vector; an article with no text left is None."""
    import numpy as np

    from storyline.cluster.online import item_counts
    from storyline.config import ClusterSettings, EmbedSettings
    from storyline.dedupe import shingle_signature
    from storyline.embed import get_embedder
    from storyline.models import Article
    from storyline.normalize import normalize_one
    from storyline.pipeline import _prepare

    batch = [
        Article(id="a", title="Flood in Arden", text="The river rose on 3 March.\nSchools shut."),
        Article(id="b", title="<b></b>", text="<br>"),
        Article(id="c", title="", text="Dunmore mayor Dunmoreson blames the storm for the damage "
                                       "to the old stone bridge over the river on Sunday."),
    ]
    embed = EmbedSettings(model="tfidf")
    cluster = ClusterSettings()
    prepared = _prepare((batch, 64, embed, cluster))
    assert prepared[1] == (None, None, None, None)
    embedder = get_embedder(embed)
    for article, (doc, signature, vector, counts) in zip(batch, prepared, strict=True):
        if article.id == "b":
            continue
        expected = normalize_one(article)
        assert doc == expected
        sig = shingle_signature(f"{expected.title}\n{expected.body}", 64)
        assert (signature is None and sig is None) or np.array_equal(signature, sig)
        assert np.array_equal(vector, embedder.encode([expected.lead])[0])
        assert counts == item_counts(expected, cluster) and counts
    # a model embedder runs in the main loop
    assert _prepare((batch, 64, None, cluster))[0][2] is None
