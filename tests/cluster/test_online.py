"""OnlineClusterer on hand-written items with the model-free embedder."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from storyline.cluster import OnlineClusterer, StoryState, online
from storyline.config import Settings
from storyline.eval.bcubed import bcubed
from storyline.models import Article, Embedded
from storyline.normalize import normalize_one

from .helpers import QUAKE, T0, article, embed, gold, mixed_stream


@pytest.fixture
def fast(fast_settings: Settings) -> Settings:
    """The model-free settings; the hand-written items are one or two sentences (short items),
    and hashed-TF cosines of short items run lower than MiniLM's: lower their join threshold.
    The time decay has its own test."""
    cluster = replace(fast_settings.cluster, title_threshold=0.15, title_time_penalty=0.0)
    return replace(fast_settings, cluster=cluster)


def run(settings: Settings, items, states=()) -> tuple[list[str], OnlineClusterer]:
    clusterer = OnlineClusterer(settings.cluster, states)
    return [clusterer.assign(e) for e in items], clusterer


def test_separates_interleaved_events(fast: Settings) -> None:
    articles = mixed_stream()
    ids, clusterer = run(fast, embed(articles, fast))
    score = bcubed(dict(zip([a.id for a in articles], ids, strict=True)), gold(articles))
    assert score.f1 == 1.0
    assert len(clusterer) == 3
    assert ids[0] == "s-000001"


def test_deterministic(fast: Settings) -> None:
    items = embed(mixed_stream(), fast)
    first, a = run(fast, items)
    second, b = run(fast, items)
    assert first == second
    for sa, sb in zip(a.states(), b.states(), strict=True):
        assert sa.id == sb.id and sa.count == sb.count and sa.terms == sb.terms
        assert np.array_equal(sa.vector_sum, sb.vector_sum)


@pytest.mark.parametrize(
    "overrides", [{"merge_threshold": 0.0}, {"title_threshold": 0.3, "merge_threshold": 0.12}]
)
def test_resuming_from_states_equals_one_run(
    fast: Settings, overrides: dict[str, float]
) -> None:
    settings = replace(fast, cluster=replace(fast.cluster, **overrides))
    items = embed(mixed_stream(), settings)
    whole, one = run(settings, items)
    head, part = run(settings, items[:5])
    # persisted states are plain values: rebuild them as a store would
    saved = [
        StoryState(s.id, s.vector_sum.copy(), s.count, s.first, s.last, dict(s.terms),
                   dict(s.doc_freq))
        for s in part.states()
    ]
    tail, resumed = run(settings, items[5:], saved)
    joined = [resumed.resolve(part.resolve(i)) for i in head] + [resumed.resolve(i) for i in tail]
    assert joined == [one.resolve(i) for i in whole]
    assert [s.id for s in resumed.states()] == [s.id for s in one.states()]
    assert [s.count for s in resumed.states()] == [s.count for s in one.states()]
    if overrides["merge_threshold"]:
        assert one.merged()  # the low threshold does merge stories on the way


def test_new_ids_continue_after_resume(fast: Settings) -> None:
    items = embed(mixed_stream(), fast)
    _, first = run(fast, items[:3])
    assert [s.id for s in first.states()] == ["s-000001", "s-000002", "s-000003"]
    resumed = OnlineClusterer(fast.cluster, first.states())
    other = embed([article(99, "Volcano erupts on Iceland's Reykjanes peninsula.", 5)],
                  fast)
    assert resumed.assign(other[0]) == "s-000004"


def test_ids_of_merged_stories_are_never_reused(fast: Settings) -> None:
    settings = replace(fast, cluster=replace(fast.cluster, title_threshold=0.3,
                                             merge_threshold=0.12))
    items = embed(mixed_stream(), settings)
    ids, first = run(settings, items)
    assert first.merged()  # some stories were merged away; their ids are gone from states()
    issued = set(ids) | set(first.merged())
    assert first.next_id == max(int(i[2:]) for i in issued) + 1
    resumed = OnlineClusterer(settings.cluster, first.states(), first.next_id)
    other = embed([article(99, "Volcano erupts on Iceland's Reykjanes peninsula.", 5)],
                  settings)
    new = resumed.assign(other[0])
    assert new not in issued and new == f"s-{first.next_id:06d}"


def test_compacting_merged_rows_changes_nothing(fast: Settings) -> None:
    settings = replace(fast, cluster=replace(fast.cluster, title_threshold=0.3,
                                             merge_threshold=0.12))
    items = embed(mixed_stream(), settings)
    items += embed([article(99, "Volcano erupts on Iceland's Reykjanes peninsula.", 5)],
                   settings)
    ids, plain = run(settings, items)
    assert plain.merged()
    compacted = OnlineClusterer(settings.cluster)
    compacted_ids = []
    for item in items:  # compact after every item (normally: once dead rows outnumber live)
        compacted_ids.append(compacted.assign(item))
        compacted._compact()
    assert compacted_ids == ids
    assert compacted.merged() == plain.merged()
    assert len(compacted._stories) == len(compacted) < len(plain._stories)
    for a, b in zip(plain.states(), compacted.states(), strict=True):
        assert a.id == b.id and a.count == b.count and a.terms == b.terms
    live = {st.row for st in compacted._stories}
    assert all(rows <= live for rows in compacted._postings.values())


def test_doc_freq_changes_report_what_a_store_must_write(fast: Settings) -> None:
    settings = replace(fast, cluster=replace(fast.cluster, title_threshold=0.3,
                                             merge_threshold=0.12))
    items = embed(mixed_stream(), settings)
    clusterer = OnlineClusterer(settings.cluster)
    saved: dict[str, dict[str, int]] = {}
    for i, item in enumerate(items):
        clusterer.assign(item)
        if i % 3 == 2 or i == len(items) - 1:  # a "batch": apply the changes as a store would
            for sid, counts in clusterer.doc_freq_changes().items():
                saved.setdefault(sid, {}).update(counts)
    assert clusterer.merged()
    assert clusterer.doc_freq_changes() == {}  # nothing new since the last call
    live = {s.id: s.doc_freq for s in clusterer.states()}
    assert {sid: saved[sid] for sid in live} == live


def test_precomputed_counts_give_the_same_stories(fast: Settings) -> None:
    items = embed(mixed_stream(), fast)
    plain = OnlineClusterer(fast.cluster)
    given = OnlineClusterer(fast.cluster)
    for item in items:
        counts = online.item_counts(item.document, fast.cluster)
        assert given.assign(item, counts) == plain.assign(item)
    for a, b in zip(plain.states(), given.states(), strict=True):
        assert a.id == b.id and a.count == b.count and a.terms == b.terms
        assert a.doc_freq == b.doc_freq


def test_window_expiry_and_revival(fast: Settings) -> None:
    cluster = replace(
        fast.cluster, window_days=5.0, title_threshold=0.2, revive_threshold=0.7,
        merge_threshold=0.0,
    )
    settings = replace(fast, cluster=cluster)
    seed = "Peru earthquake: rescuers search rubble in Lima after magnitude 7.1 quake."
    related = "Lima rubble search goes on after the Peru quake, rescuers say."
    later = "Peru quake survivors wait for aid in Lima."
    items = embed(
        [article(0, seed, 0), article(1, related, 24), article(2, later, 24 * 20),
         article(3, seed, 24 * 40)],
        settings,
    )
    ids, _ = run(settings, items)
    assert ids[1] == ids[0]  # within the window: the ordinary threshold applies
    assert ids[2] != ids[0]  # 19 days later: a related, not near-identical item starts anew
    assert ids[3] == ids[0]  # 39 days later: a near-identical item revives the dormant story
    # the same stream with a long window: the related item joins the story
    wide = replace(settings, cluster=replace(cluster, window_days=100.0))
    assert run(wide, items)[0][2] == ids[0]


def test_no_time_items_are_always_candidates(fast: Settings) -> None:
    items = embed(mixed_stream(), fast)
    undated = [
        type(e)(replace(e.document, article=replace(e.document.article, time=None)), e.vector)
        for e in items
    ]
    assert run(fast, undated)[0] == run(fast, items)[0]


def test_storylines_group_related_events(fast: Settings) -> None:
    cluster = replace(
        fast.cluster, title_threshold=0.45, storyline_threshold=0.12, merge_threshold=0.0
    )
    settings = replace(fast, cluster=cluster)
    texts = [
        "Iranian missiles strike Ain al-Asad air base in Iraq hosting US troops.",
        "Ain al-Asad air base: missiles from Iran hit the base, no US troops killed.",
        "Rockets hit Balad air base in Iraq, wounding four Iraqi soldiers; US troops left.",
        "Balad air base rocket attack wounds four Iraqi soldiers.",
        "Rovers beat United 3-1 in the cup final at Wembley; Smith scores twice.",
    ]
    items = embed([article(i, t, i) for i, t in enumerate(texts)], settings)
    ids, clusterer = run(settings, items)
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
    lines = clusterer.storylines()
    assert set(lines) == set(ids)
    assert lines[ids[0]] == lines[ids[2]] == "l-000001"
    assert lines[ids[4]] != lines[ids[0]]


def test_rejects_vectors_of_another_dimension(fast: Settings) -> None:
    items = embed(mixed_stream()[:1], fast)
    clusterer = OnlineClusterer(fast.cluster)
    clusterer.assign(items[0])
    bad = type(items[0])(items[0].document, np.ones(7, dtype=np.float32) / np.sqrt(7))
    with pytest.raises(ValueError):
        clusterer.assign(bad)


def test_short_items_use_the_title_settings(fast: Settings) -> None:
    from storyline.cluster.terms import is_short
    from storyline.normalize import normalize_one

    assert is_short(normalize_one(article(0, "", title="Quake hits Peru")))
    assert is_short(normalize_one(article(0, "Rescuers search Lima.", title="Quake hits Peru")))
    long = article(0, "Rescuers search Lima. Aftershocks follow. Aid arrives.", title="Quake")
    assert not is_short(normalize_one(long))
    # with an unreachable title threshold, short items never join; long ones still do
    strict = replace(fast, cluster=replace(fast.cluster, title_threshold=2.0))
    shorts = embed([article(i, QUAKE[1]) for i in range(2)], strict)
    assert len(set(run(strict, shorts)[0])) == 2
    longs = embed([replace(long, id=f"l{i}") for i in range(2)], strict)
    assert len(set(run(strict, longs)[0])) == 1


def test_non_finite_vector_does_not_poison_the_stories(fast: Settings) -> None:
    items = embed(mixed_stream(), fast)
    clusterer = OnlineClusterer(fast.cluster)
    first = clusterer.assign(items[0])
    broken = type(items[3])(items[3].document, np.full_like(items[3].vector, np.nan))
    clusterer.assign(broken)
    assert all(np.all(np.isfinite(s.vector_sum)) for s in clusterer.states())
    assert clusterer.assign(items[6]) == first  # the first event is still found


def test_time_decay(fast: Settings) -> None:
    text = "Peru earthquake: rescuers search rubble in Lima after magnitude 7.1 quake."
    near = "Lima rubble search goes on after the Peru quake, rescuers say."
    cluster = replace(fast.cluster, title_threshold=0.2, title_time_penalty=0.8, window_days=2.0)
    settings = replace(fast, cluster=cluster)
    soon = embed([article(0, text, 0), article(1, near, 2)], settings)
    late = embed([article(0, text, 0), article(1, near, 36)], settings)
    assert len(set(run(settings, soon)[0])) == 1  # two hours later: joins
    assert len(set(run(settings, late)[0])) == 2  # a day and a half later: decayed below
    off = replace(settings, cluster=replace(cluster, title_time_penalty=0.0))
    assert len(set(run(off, late)[0])) == 1


def _line(i: int, title: str, angle: float) -> Embedded:
    """A headline with a hand-made unit vector at ``angle`` degrees in one plane."""
    doc = normalize_one(Article(id=f"h{i}", title=title, time=T0))
    rad = math.radians(angle)
    return Embedded(doc, np.array([math.cos(rad), math.sin(rad), 0.0], dtype=np.float32))


@pytest.mark.parametrize("absorb_size", [0, 1])
def test_doubling_story_absorbs_an_early_stray(fast: Settings, absorb_size: int) -> None:
    # embedding only; the stray (65 degrees) misses the seed (0) at 0.42 < 0.6 and starts a
    # story; the second item (25) joins the seed, whose centroid (12.5) is now within 0.61
    cluster = replace(
        fast.cluster, title_embed_weight=1.0, title_threshold=0.6, merge_threshold=0.99,
        absorb_size=absorb_size,
    )
    clusterer = OnlineClusterer(cluster)
    items = [_line(1, "alpha", 0.0), _line(2, "beta", 65.0), _line(3, "gamma", 25.0)]
    ids = [clusterer.assign(e) for e in items]
    assert ids == ["s-000001", "s-000002", "s-000001"]
    if absorb_size:
        assert clusterer.merged() == {"s-000002": "s-000001"}
        assert [st.count for st in clusterer.states()] == [3]
    else:
        assert clusterer.merged() == {}
        assert [st.count for st in clusterer.states()] == [2, 1]


def _body_item(i: int, text: str, vector: list[float]) -> Embedded:
    """An item with a body (three sentences) and a hand-made unit vector."""
    doc = normalize_one(Article(id=f"b{i}", text=text, time=T0))
    v = np.array(vector, dtype=np.float32)
    return Embedded(doc, v / np.linalg.norm(v))


def _axis(k: int, dim: int = 8) -> list[float]:
    return [1.0 if j == k else 0.0 for j in range(dim)]


DECOYS = [
    "The orchestra opened its season with a symphony. Tickets sold out quickly. The conductor "
    "bowed twice.",
    "Wheat prices fell on the commodity exchange. Traders blamed the weather. Futures slipped.",
    "The marathon route will close several bridges. Runners start at dawn. Volunteers hand out "
    "water.",
    "A new library branch opens downtown. It lends tools as well as books. Hours run late.",
]
LIGHTHOUSE = (
    "Volcanologists evacuated Krakatoa island after tremors. Krakatoa ash reached Anyer. The "
    "Anyer lighthouse keepers left Krakatoa."
)
LIGHTHOUSE_FOLLOW_UP = (
    "Krakatoa tremors continue, volcanologists say. Anyer stays empty. Ash from Krakatoa "
    "covers the Anyer coast."
)


@pytest.mark.parametrize("candidates", [4, 40])
def test_term_index_finds_a_story_whose_lead_vector_is_far(
    fast: Settings, candidates: int
) -> None:
    # four decoy stories are nearer the new item by embedding (cosine 0.5) than the story it
    # belongs to (cosine 0), which shares its rare words: with 4 candidates, 3 come from the
    # embedding and 1 from the term index, so the right story is still scored
    cluster = replace(fast.cluster, candidates=candidates, merge_threshold=0.0, absorb_size=0)
    clusterer = OnlineClusterer(cluster)
    items = [
        _body_item(k, text, [0.5 * a + 0.866 * b for a, b in zip(_axis(0), _axis(k + 1),
                                                                     strict=True)])
        for k, text in enumerate(DECOYS)
    ]
    items.append(_body_item(9, LIGHTHOUSE, _axis(6)))
    ids = [clusterer.assign(e) for e in items]
    assert len(set(ids)) == 5
    assert clusterer.assign(_body_item(10, LIGHTHOUSE_FOLLOW_UP, _axis(0))) == ids[-1]


def test_term_index_follows_merges_trims_and_restores(fast: Settings) -> None:
    cluster = replace(fast.cluster, max_terms=5)  # tiny: every story gets trimmed
    items = embed(mixed_stream(), fast)
    clusterer = OnlineClusterer(cluster)
    for e in items:
        clusterer.assign(e)

    def indexed(c: OnlineClusterer) -> dict[str, set[str]]:
        by_story: dict[str, set[str]] = {}
        for term, rows in c._postings.items():
            for row in rows:
                by_story.setdefault(c._stories[row].id, set()).add(term)
        return by_story

    live = clusterer.states()
    floor = online._INDEX_FLOOR
    expected = {st.id: {t for t, w in st.terms.items() if w >= floor} for st in live}
    assert indexed(clusterer) == {k: v for k, v in expected.items() if v}
    assert indexed(OnlineClusterer(cluster, live)) == indexed(clusterer)


def test_story_absorbs_a_stray_between_doublings(fast: Settings) -> None:
    # embedding only, no merges. The stray (cosine 0.5 with the story) arrives when the story
    # has 4 items and misses the 0.55 threshold; two more items pull the centroid towards it
    # (0.544 after the 5th, 0.566 after the 6th): it is taken in at the 6th item, not only when
    # the story doubles to 8
    cluster = replace(
        fast.cluster, embed_weight=1.0, threshold=0.55, revive_threshold=0.55,
        merge_threshold=0.0, absorb_size=1,
    )
    text = "Item {i} of the story. It has a body. It has three sentences."
    clusterer = OnlineClusterer(cluster)
    seed = [_body_item(i, text.format(i=i), [1.0, 0.0, 0.0]) for i in range(4)]
    stray = _body_item(4, "A stray report. Nothing else. The end of it.", [0.5, 0.3, 0.81])
    drift = [_body_item(i, text.format(i=i), [0.6, 0.8, 0.0]) for i in (5, 6)]
    ids = [clusterer.assign(e) for e in [*seed, stray]]
    assert ids == ["s-000001"] * 4 + ["s-000002"]
    assert clusterer.assign(drift[0]) == "s-000001"
    assert clusterer.merged() == {}
    assert clusterer.assign(drift[1]) == "s-000001"
    assert clusterer.merged() == {"s-000002": "s-000001"}
    assert [st.count for st in clusterer.states()] == [7]
