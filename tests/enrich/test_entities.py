"""Entities: surface-form merging, the heuristic fallback (always), spaCy (when installed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.enrich.entities import (
    Entity,
    HeuristicExtractor,
    Mention,
    article_entities,
    entity_rows,
    get_extractor,
    merge_entities,
    story_entities,
)
from storyline.models import Article
from storyline.normalize import normalize_one

TEXTS = [
    ("n1", "wire", "Gen. Qassem Soleimani was killed in a drone strike near Baghdad airport. "
     "Officials in Tehran vowed revenge for Soleimani."),
    ("n2", "daily", "The killing of Qasem Soleimani raised fears of war. "
     "Iran said Soleimani's death would be avenged, and the Pentagon confirmed the strike."),
    ("n3", "herald", "Lawmakers in Washington asked whether the strike on Qassem Soleimani "
     "was legal. The Pentagon declined to comment."),
]


def _docs():
    return [
        normalize_one(Article(id=i, text=t, source=s, time=datetime(2020, 1, 4, tzinfo=UTC)))
        for i, s, t in TEXTS
    ]


def test_merge_titles_surnames_and_spelling_variants() -> None:
    forms = ["Qasem Soleimani", "Soleimani", "Gen. Qassem Soleimani", "Qassem Soleimani's",
             "Soleimani"]
    mentions = [Mention(f, "PERSON", f"a{i}", f"s{i % 2}") for i, f in enumerate(forms)]
    mentions.append(Mention("Baghdad", "GPE", "a1"))
    mentions.append(Mention("Iraq", "GPE", "a1"))
    mentions.append(Mention("Iraqi", "NORP", "a2"))
    entities = merge_entities(mentions)
    top = entities[0]
    assert isinstance(top, Entity)
    assert top.name == "Qassem Soleimani"
    assert top.label == "PERSON"
    assert top.mentions == 5
    assert set(top.articles) == {f"a{i}" for i in range(5)}
    assert set(top.aliases) == set(forms)
    assert top.sources == ("s0", "s1")
    names = [e.name for e in entities]
    assert "Iraq" in names and "Iraqi" in names  # a demonym is not a spelling variant
    row = entity_rows(entities)[0]
    assert row["name"] == "Qassem Soleimani" and row["mentions"] == 5


def test_different_people_with_one_surname_stay_apart_from_places() -> None:
    mentions = [Mention("Michael Jordan", "PERSON", "a"), Mention("Jordan", "GPE", "b")]
    assert sorted(e.name for e in merge_entities(mentions)) == ["Jordan", "Michael Jordan"]


def test_heuristic_fallback_finds_and_merges() -> None:
    extractor = HeuristicExtractor()
    assert extractor.name == "heuristic"
    entities = story_entities(_docs(), extractor)
    by_name = {e.name: e for e in entities}
    soleimani = next(e for e in entities if "Soleimani" in e.name)
    assert len(soleimani.articles) == 3
    assert "Pentagon" in by_name and by_name["Pentagon"].articles == ("n2", "n3")
    assert soleimani.salience == 3 and by_name["Pentagon"].salience == 2  # all in the leads
    assert not any(e.name in ("The", "Officials", "Lawmakers") for e in entities)
    per_article = article_entities(_docs(), extractor)
    assert set(per_article) == {"n1", "n2", "n3"}
    assert any("Soleimani" in e.name for e in per_article["n1"])


def test_get_extractor_always_returns_one() -> None:
    extractor = get_extractor()
    assert extractor.name == "heuristic" or extractor.name.startswith("spacy:")
    assert extractor.extract(["Angela Merkel visited Paris."])


@pytest.mark.slow
def test_spacy_extractor() -> None:
    pytest.importorskip("spacy")
    from storyline.enrich.entities import SpacyExtractor
    from storyline.errors import MissingDependency

    try:
        extractor = SpacyExtractor()
    except MissingDependency:
        pytest.skip("no spaCy English model installed")
    entities = story_entities(_docs(), extractor)
    soleimani = [e for e in entities if "Soleimani" in e.name]
    assert len(soleimani) == 1 and soleimani[0].label == "PERSON"
    assert len(soleimani[0].articles) == 3
    assert any(e.name == "Baghdad" and e.label == "GPE" for e in entities)
