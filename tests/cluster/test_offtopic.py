"""Off-topic filtering on small hand-written groups."""

from __future__ import annotations

from dataclasses import replace

from storyline.cluster import CoreOffTopicFilter, filter_clusters, filter_off_topic
from storyline.cluster.offtopic import off_topic_scores
from storyline.config import Settings
from storyline.embed import get_embedder
from storyline.models import Article

from .helpers import ELECTION, QUAKE, article, embed

ARTICLE_QUAKE = [
    ("Peru earthquake kills dozens", "A magnitude 7.1 earthquake struck Peru on Monday. Rescuers "
     "searched the rubble in Lima. The earthquake damaged hundreds of homes in Lima."),
    ("Rescuers search Lima rubble", "Rescuers in Lima searched collapsed homes after the Peru "
     "earthquake. Aftershocks shook Lima overnight."),
    ("Peru quake death toll rises", "The death toll of the Peru earthquake rose to 40. Lima "
     "hospitals treated hundreds injured in the earthquake."),
    ("Aftershocks rattle Lima", "Strong aftershocks rattled Lima two days after the earthquake. "
     "Peru declared an emergency in Lima."),
    ("Peru asks for earthquake aid", "Peru asked for international aid after the earthquake. "
     "Tents were set up in Lima parks for families whose homes collapsed."),
    ("Rovers win the cup", "Rovers beat United 3-1 in the cup final at Wembley. Smith scored "
     "twice for Rovers."),
]


def test_flags_the_intruder_in_full_articles(fast_settings: Settings) -> None:
    arts = [Article(id=f"q{i}", title=t, text=b) for i, (t, b) in enumerate(ARTICLE_QUAKE)]
    members = embed(arts, fast_settings)
    assert filter_off_topic(members, fast_settings.cluster) == {"q5"}
    assert CoreOffTopicFilter(fast_settings.cluster)(members) == {"q5"}


def test_flags_loose_lines(fast_settings: Settings) -> None:
    lines = [*QUAKE, "Rovers beat United 3-1 in the cup final at Wembley; Smith scores twice."]
    members = embed([article(i, t) for i, t in enumerate(lines)], fast_settings)
    scores = off_topic_scores(members, fast_settings.cluster)
    assert min(scores, key=lambda k: scores[k]) == "a004"
    assert filter_off_topic(members, fast_settings.cluster) == {"a004"}


def test_clean_group_keeps_everyone(fast_settings: Settings) -> None:
    members = embed([article(i, t) for i, t in enumerate(ELECTION)], fast_settings)
    assert filter_off_topic(members, fast_settings.cluster) == set()


def test_tiny_groups_are_left_alone(fast_settings: Settings) -> None:
    members = embed([article(0, QUAKE[0]), article(1, ELECTION[0])], fast_settings)
    assert filter_off_topic(members, fast_settings.cluster) == set()


def test_threshold_zero_flags_nothing(fast_settings: Settings) -> None:
    lines = [*QUAKE, ELECTION[0]]
    members = embed([article(i, t) for i, t in enumerate(lines)], fast_settings)
    cluster = replace(fast_settings.cluster, off_topic_threshold=-10.0)
    assert filter_off_topic(members, cluster) == set()


def test_filter_clusters(fast_settings: Settings) -> None:
    embedder = get_embedder(fast_settings.embed)
    quake = [Article(id=f"q{i}", title=t, text=b) for i, (t, b) in enumerate(ARTICLE_QUAKE)]
    empty = Article(id="e0", text="   ")
    out = list(filter_clusters([("c1", [*quake, empty]), ("c2", [])], embedder,
                               fast_settings.cluster))
    assert out == [{"id": "c1", "off_topic": ["q5"]}, {"id": "c2", "off_topic": []}]
