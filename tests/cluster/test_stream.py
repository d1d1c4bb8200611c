"""cluster_stream: time order, normalization, batching, storylines."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from storyline.cluster import OnlineClusterer, cluster_stream, time_order
from storyline.config import Settings
from storyline.embed import get_embedder
from storyline.models import Article

from .helpers import T0, gold, mixed_stream


def test_time_order_keeps_undated_after_their_predecessor() -> None:
    a = Article(id="a", time=T0 + timedelta(hours=5))
    b = Article(id="b")
    c = Article(id="c", time=T0)
    d = Article(id="d")
    first = Article(id="z")
    assert [x.id for x in time_order([first, a, b, c, d])] == ["z", "c", "d", "a", "b"]


def test_stream_matches_gold_and_batches_do_not_matter(fast_settings: Settings) -> None:
    articles = list(reversed(mixed_stream()))  # out of order on input
    embedder = get_embedder(fast_settings.embed)
    # hashed-TF cosines of one-line items run lower than MiniLM's (see test_online.fast)
    cluster = replace(fast_settings.cluster, title_threshold=0.15, title_time_penalty=0.0)
    out = list(cluster_stream(articles, embedder, cluster, batch_size=4))
    assert [row[0] for row in out] == [a.id for a in sorted(articles, key=lambda a: a.time)]
    labels = gold(articles)
    story = {aid: sid for aid, sid, _ in out}
    for x in labels:
        for y in labels:
            assert (story[x] == story[y]) == (labels[x] == labels[y])
    again = list(cluster_stream(articles, embedder, cluster, batch_size=64))
    assert again == out
    assert all(line.startswith("l-") for _, _, line in out)


def test_stream_skips_empty_and_keeps_states(fast_settings: Settings) -> None:
    embedder = get_embedder(fast_settings.embed)
    clusterer = OnlineClusterer(fast_settings.cluster)
    articles = [*mixed_stream(), Article(id="blank", text="  \n ")]
    out = list(cluster_stream(articles, embedder, fast_settings.cluster, clusterer=clusterer))
    assert "blank" not in {row[0] for row in out}
    assert sum(s.count for s in clusterer.states()) == len(articles) - 1
