"""Off-topic filtering on small hand-written groups."""

from __future__ import annotations

from dataclasses import replace

from storyline.cluster import CoreOffTopicFilter, filter_clusters, filter_off_topic
from storyline.cluster.offtopic import background_of, off_topic_scores
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


def test_a_bare_title_among_full_articles_is_kept(fast_settings: Settings) -> None:
    arts = [Article(id=f"q{i}", title=t, text=b) for i, (t, b) in enumerate(ARTICLE_QUAKE)]
    arts.append(Article(id="pun", title="OFF THE GRID",
                        text="(Distributed by New York Times Special Features)"))
    members = embed(arts, fast_settings)
    threshold = fast_settings.cluster.off_topic_threshold
    assert off_topic_scores(members, fast_settings.cluster)["pun"] < threshold  # it scores low...
    assert filter_off_topic(members, fast_settings.cluster) == {"q5"}  # ...but is not judged


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


def test_copies_of_an_intruder_share_one_verdict(fast_settings: Settings) -> None:
    """Three syndicated copies of the cup final among five quake reports: folded into one member
    before judging (unfolded, the identical copies would be the group's best-connected half and
    the five reports would be flagged), and every copy is reported."""
    quake = [Article(id=f"q{i}", title=t, text=b) for i, (t, b) in enumerate(ARTICLE_QUAKE[:5])]
    cup = [Article(id=f"c{i}", title=ARTICLE_QUAKE[5][0], text=ARTICLE_QUAKE[5][1])
           for i in range(3)]
    embedder = get_embedder(fast_settings.embed)
    out = list(filter_clusters([("g", [quake[0], cup[0], *quake[1:], *cup[1:]])], embedder,
                               fast_settings.cluster, fast_settings.dedupe))
    assert out == [{"id": "g", "off_topic": ["c0", "c1", "c2"]}]


# a digest whose lead is about something else but which reports the quake further down
DIGEST = ("Weekend news digest", "The city council approved the new parking rules on Friday. "
          "The museum reopened its west wing after a renovation. Ticket prices for the summer "
          "festival were announced. Rescuers in Lima searched the rubble after the Peru "
          "earthquake, and Peru declared an emergency in Lima.")
OTHER_TOPIC = [
    ("Council approves parking rules", "The city council approved new parking rules. Drivers "
     "will pay more downtown."),
    ("Museum reopens west wing", "The museum reopened its west wing after a renovation that "
     "took two years."),
    ("Festival tickets go on sale", "Tickets for the summer festival went on sale. Prices rose "
     "by ten percent."),
]


def test_a_late_topical_sentence_keeps_a_member(fast_settings: Settings) -> None:
    """The best-matching sentence view: a digest that reports the quake late stays on-topic,
    the cup final does not; the other clusters of the input give the IDF background."""
    arts = [Article(id=f"q{i}", title=t, text=b) for i, (t, b) in enumerate(ARTICLE_QUAKE)]
    arts.append(Article(id="digest", title=DIGEST[0], text=DIGEST[1]))
    others = [Article(id=f"o{i}", title=t, text=b) for i, (t, b) in enumerate(OTHER_TOPIC)]
    embedder = get_embedder(fast_settings.embed)
    out = list(filter_clusters([("quake", arts), ("city", others * 3)], embedder,
                               fast_settings.cluster))
    assert out[0] == {"id": "quake", "off_topic": ["q5"]}


def test_background_must_outweigh_the_group(fast_settings: Settings) -> None:
    """A background that is mostly the group itself is not used as the IDF (same scores as no
    background); a large one changes the scores."""
    arts = [Article(id=f"q{i}", title=t, text=b) for i, (t, b) in enumerate(ARTICLE_QUAKE)]
    members = embed(arts, fast_settings)
    docs = [m.document for m in members]
    own = background_of(docs, fast_settings.cluster)
    assert off_topic_scores(members, fast_settings.cluster, own) == off_topic_scores(
        members, fast_settings.cluster)
    others = embed([Article(id=f"o{i}", title=t, text=b)
                    for i, (t, b) in enumerate(OTHER_TOPIC * 4)], fast_settings)
    big = background_of([*docs, *(m.document for m in others)], fast_settings.cluster)
    with_bg = off_topic_scores(members, fast_settings.cluster, big)
    assert with_bg != off_topic_scores(members, fast_settings.cluster)
    assert min(with_bg, key=lambda k: with_bg[k]) == "q5"
