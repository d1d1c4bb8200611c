"""``storyline summarize`` flags off-topic members and leaves them out of the summary."""

from __future__ import annotations

import json
from pathlib import Path

from storyline.cli import main
from storyline.config import Settings
from storyline.embed import get_embedder
from storyline.enrich.cluster_summary import (
    GuardedSummarizer,
    summarize_articles_flagged,
    summarize_cluster_file,
)
from storyline.eval.datasets import Cluster
from storyline.eval.summarization import _FlagCount, _inject
from storyline.models import Article
from storyline.normalize import normalize_one

FIRE = [
    ("f1", "Forest fire near Calderon", "A forest fire spread across the hills near Calderon on "
     "Sunday, forcing firefighters to close the mountain road.\nFirefighters from three "
     "provinces fought the forest fire near Calderon through the night.\nThe fire destroyed "
     "four farms and a sawmill."),
    ("f2", "Calderon fire destroys farms", "The forest fire near Calderon destroyed four farms "
     "and a sawmill on Sunday.\nFirefighters closed the mountain road as the fire spread across "
     "the hills.\nNo one was hurt, the regional fire service said."),
    ("f3", "Firefighters contain Calderon blaze", "Firefighters contained the forest fire near "
     "Calderon on Monday after it burned across the hills for two days.\nThe regional fire "
     "service said the mountain road would reopen on Tuesday."),
    ("f4", "Calderon farmers count losses", "Farmers near Calderon counted their losses on "
     "Monday after the forest fire destroyed four farms.\nThe regional fire service said the "
     "fire started near the sawmill on the mountain road."),
    ("f5", "Investigators look for cause of Calderon fire", "Investigators began looking for "
     "the cause of the forest fire near Calderon.\nThe fire spread across the hills on Sunday "
     "and firefighters from three provinces fought it through the night."),
    ("f6", "Calderon road reopens", "The mountain road near Calderon reopened on Tuesday after "
     "firefighters put out the last of the forest fire.\nThe fire destroyed four farms and a "
     "sawmill, the regional fire service said."),
]
OFF = ("x1", "Chess champion retains title", "The reigning chess champion retained her title "
       "in Oslo on Saturday after a tense final game.\nThe challenger resigned after six hours of "
       "play.\nThe next championship will be played in Madrid in two years.")


def _articles(with_copy: bool = False) -> list[Article]:
    arts = [Article(id=i, title=t, text=x) for i, t, x in [*FIRE, OFF]]
    if with_copy:  # the off-topic item twice: its copy is flagged too
        arts.append(Article(id="x1-copy", title=OFF[1], text=OFF[2]))
    return arts


def test_guarded_summarizer_flags_and_excludes_the_off_topic_member(fast_settings) -> None:
    guard = GuardedSummarizer(get_embedder(fast_settings.embed), fast_settings.cluster)
    docs = [normalize_one(a) for a in _articles()]
    result = guard.summarize_flagged(docs, words=60)
    assert result.off_topic == ("x1",)
    assert result.summary.sentences
    assert all("x1" not in s.articles for s in result.summary.sentences)
    assert "Calderon" in result.summary.text
    assert guard(docs, words=60) == result.summary  # the Summarizer protocol: same summary


def test_small_groups_are_not_filtered(fast_settings) -> None:
    guard = GuardedSummarizer(get_embedder(fast_settings.embed), fast_settings.cluster)
    docs = [normalize_one(a) for a in _articles()[-3:]]
    assert guard.flag(docs) == set()


def test_summarize_command_outputs_off_topic_ids(tmp_path: Path, capsys) -> None:
    path = tmp_path / "clusters.jsonl"
    rows = [{"id": "fire", "articles": [{"id": a.id, "title": a.title, "text": a.text}
                                        for a in _articles(with_copy=True)]}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert main(["--embedder", "tfidf", "summarize", str(path), "--words", "60"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) >= {"id", "summary", "sentences", "off_topic"}
    assert record["off_topic"] == ["x1", "x1-copy"]  # the folded copy is flagged with it
    cited = {i for s in record["sentences"] for i in s["articles"]}
    assert cited and cited <= {a[0] for a in FIRE}
    assert "rewritten" not in record


def test_summarize_cluster_file_generator(tmp_path: Path) -> None:
    settings = Settings().with_overrides({"embed": {"model": "tfidf"}})
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "c", "articles": [
        {"id": a.id, "title": a.title, "text": a.text} for a in _articles()]}) + "\n")
    records = list(summarize_cluster_file(path, 40, "wcep", settings,
                                          get_embedder(settings.embed)))
    assert [r["id"] for r in records] == ["c"]
    assert records[0]["off_topic"] == ["x1"]
    assert 1 <= len(records[0]["sentences"]) <= 2
    assert len(records[0]["summary"].split()) <= 40


def test_flag_scores_count_injected_members() -> None:
    clusters = [Cluster(id=f"c{k}", articles=tuple(Article(id=f"c{k}-{i}", text="x y z.")
                                                  for i in range(10)), references=())
                for k in range(3)]
    runs = _inject(clusters, 0.2, seed=1)
    injected = runs[0][2]
    assert len(injected) == 2 and all(i.startswith("offtopic:") for i in injected)
    count = _FlagCount()
    count.add({*list(injected)[:1], "c0-1"}, injected)
    scores = count.scores()
    assert (scores["precision"], scores["recall"]) == (0.5, 0.5)
    assert (scores["flagged"], scores["injected"]) == (2, 2)


def test_copies_are_credited_in_the_summary(fast_settings):

    arts = [
        Article(
            "a",
            "Dockworkers strike at Port Havenmouth",
            "Dockworkers walked out on Monday. The union said 1,800 workers joined.",
        ),
        Article(
            "b",
            "Port strike halts traffic",
            "Container traffic stopped as dockworkers walked out. Twelve ships waited.",
        ),
        Article(
            "c",
            "Port strike halts traffic",
            "Container traffic stopped as dockworkers walked out. Twelve ships waited.",
        ),
    ]
    guard = GuardedSummarizer(get_embedder(fast_settings.embed), fast_settings.cluster)
    result = summarize_articles_flagged(arts, 30, "default", fast_settings, guard)
    summary = result.summary
    assert result.off_topic == ()
    assert 0 < summary.words <= 30
    carried = {a for s in summary.sentences for a in s.articles}
    assert carried <= {"a", "b", "c"}
    for s in summary.sentences:
        if "Container traffic" in s.text:
            assert set(s.articles) == {"b", "c"}
