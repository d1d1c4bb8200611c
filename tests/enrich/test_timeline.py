"""Timelines built from small invented article sets (no model, TF-IDF centrality)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from storyline.enrich.timeline import (
    TimelineEntry,
    build_timeline,
    build_timeline_entries,
    timeline_from_jsonl,
    timeline_rows,
)
from storyline.errors import InputError
from storyline.models import Article
from storyline.normalize import normalize_one

ARTICLES = [
    ("a1", "2023-06-05", "A dam burst on Sunday near the village of Ostrava Nova, flooding farms. "
     "Rescuers pulled twelve villagers from the water on Sunday. The river rose fast."),
    ("a2", "2023-06-06", "The dam near Ostrava Nova collapsed on 4 June after days of heavy rain, "
     "engineers said. Officials ordered an inquiry into the dam collapse on Monday."),
    ("a3", "2023-06-09", "Inspectors had warned in March that the Ostrava Nova dam was cracked. "
     "The dam burst on 4 June and flooded hundreds of homes downstream of the village. "
     "An inquiry into the collapse opened on 5 June."),
    ("a4", "2023-06-20", "The government on Tuesday announced compensation for families whose "
     "homes were flooded when the Ostrava Nova dam burst. The dam failed on 4 June."),
    ("a5", "2023-06-21", "Families flooded by the dam burst will receive compensation, the "
     "government said on Tuesday. The inquiry into the dam collapse continues."),
]


def _docs():
    return [
        normalize_one(Article(id=i, text=t, time=datetime.fromisoformat(d).replace(tzinfo=UTC),
                              source=f"outlet-{i}"))
        for i, d, t in ARTICLES
    ]


def test_the_most_mentioned_date_comes_first_and_output_is_sorted() -> None:
    timeline = build_timeline(_docs(), dates=1, sentences_per_date=1)
    assert [d for d, _ in timeline] == ["2023-06-04"]
    (sentence,) = timeline[0][1]
    assert "dam" in sentence.lower()

    timeline = build_timeline(_docs(), dates=3, sentences_per_date=2)
    dates = [d for d, _ in timeline]
    assert dates == sorted(dates) and len(dates) == 3
    assert {"2023-06-04", "2023-06-20"} <= set(dates)  # "on Tuesday" in June 21 news = June 20
    assert all(1 <= len(s) <= 2 for _, s in timeline)
    json.dumps(timeline)  # news-tls format is plain JSON


def test_entries_carry_provenance() -> None:
    entries = build_timeline_entries(_docs(), dates=2, sentences_per_date=2)
    assert all(isinstance(e, TimelineEntry) for e in entries)
    texts = {a: t for a, _, t in ARTICLES}
    for entry in entries:
        for s in entry.sentences:
            assert s.articles
            assert all(s.text.split()[1] in texts[a] for a in s.articles)
            assert s.time is not None
    rows = timeline_rows(entries)
    assert len(rows) == sum(len(e.sentences) for e in entries)
    assert set(rows[0]) == {"date", "text", "articles"}
    json.dumps(rows)


def test_no_repeated_sentences_across_dates() -> None:
    timeline = build_timeline(_docs(), dates=5, sentences_per_date=2)
    sentences = [s for _, ss in timeline for s in ss]
    assert len(sentences) == len(set(sentences))


def test_date_range_and_empty_input() -> None:
    timeline = build_timeline(_docs(), dates=5, start=date(2023, 6, 10), end=date(2023, 6, 30))
    assert timeline and all("2023-06-10" <= d <= "2023-06-30" for d, _ in timeline)
    assert build_timeline([], dates=3) == []


def test_undated_articles_use_their_absolute_dates() -> None:
    docs = [
        normalize_one(Article(id="u1", text="The bridge at Kell was opened on 3 May 2021. "
                              "Crowds cheered on the riverbank.")),
        normalize_one(Article(id="u2", text="On 3 May 2021 the Kell bridge opened to traffic. "
                              "Tolls were dropped on 9 June 2021, officials said. It rained.")),
    ]
    timeline = build_timeline_entries(docs, dates=1, sentences_per_date=2)
    assert [e.date for e in timeline] == [date(2021, 5, 3)]  # named by both articles
    assert "3 May 2021" in timeline[0].sentences[0].text
    assert all(s.time is None for s in timeline[0].sentences)
    both = build_timeline(docs, dates=3, sentences_per_date=1)
    assert [d for d, _ in both] == ["2021-05-03", "2021-06-09"]  # undated sentences: no date


def test_with_an_embedder(fast_settings) -> None:
    from storyline.embed import get_embedder

    timeline = build_timeline(_docs(), dates=2, embedder=get_embedder(fast_settings.embed))
    assert len(timeline) == 2


def test_timeline_from_jsonl(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "articles.jsonl"
    lines = [json.dumps({"id": i, "time": d, "text": t}) for i, d, t in ARTICLES]
    lines.insert(2, "{not json")
    lines.append(json.dumps({"id": "x", "text": "No date on this one, said nobody."}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        timeline = timeline_from_jsonl(path, dates=2, sentences_per_date=1)
    assert timeline[0][0] == "2023-06-04"
    assert f"{path}:3" in caplog.text  # the bad line is named
    assert "without a publication time" in caplog.text
    with pytest.raises(InputError, match="no such file"):
        timeline_from_jsonl(tmp_path / "missing.jsonl")


def test_tfidf_weighs_like_scikit_learn():
    """The timeline's own TF-IDF (no scikit-learn import on the hot path) matches the reference."""
    import numpy as np

    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    from storyline.enrich.timeline import _tfidf
    from storyline.text import content_words

    texts = ["The bridge fell into the river on Monday.",
             "Crews searched the river for survivors of the bridge collapse.",
             "Markets rallied on Monday as oil prices fell.", "bridge bridge bridge river", ""]
    for min_df in (1, 2):
        ref = sklearn_text.TfidfVectorizer(analyzer=content_words, sublinear_tf=True,
                                           min_df=min_df).fit_transform(texts).toarray()
        ours = _tfidf(texts, min_df).toarray()
        assert ours.shape == ref.shape
        assert np.allclose(ours @ ours.T, ref @ ref.T)


def test_a_pile_published_on_one_day_is_dated_by_what_its_sentences_say() -> None:
    """Loose items all stamped with one day (``run --published``): the days they mention are the
    developments, not crowded out by the day of publication; a date whose only sentence is long
    still gets it."""
    long = ("The attack on the depot came on 8 January, just hours after the regional governor "
            "warned the interior minister that he should expect retaliation over the arrest of "
            "the smuggling ring's leader in a raid on the harbour last week.")
    items = [
        long,
        "On Sunday the army said four guards had been wounded in an attack on the northern depot.",
        "At 11 p.m. on January 7, the commander ordered the guards at the depot to go on lockdown.",
        "Rockets hit the northern depot where the guards were stationed.",
        "Four guards were injured in the rocket attack on the depot.",
        "The depot had been attacked before, and the army said the guards were on alert.",
        "Officials said the rockets that hit the depot were fired from a truck.",
        "The army blamed the smuggling ring for the rocket attack on the depot.",
        "The attack on the depot came amid rising tension between the army and the smugglers.",
    ]
    published = datetime(2020, 1, 13, tzinfo=UTC)
    docs = [normalize_one(Article(id=f"i{n}", text=t, time=published))
            for n, t in enumerate(items)]
    assert len(long.split()) > 35  # longer than TimelineSettings.max_words
    timeline = dict(build_timeline(docs))
    assert {"2020-01-07", "2020-01-08", "2020-01-12"} <= set(timeline)  # Sunday = 12 January
    assert timeline["2020-01-08"] == [long]
