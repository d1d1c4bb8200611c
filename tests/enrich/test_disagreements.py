"""Cross-source disagreements: the specimen pile, a hand-labelled set, claim reading."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.enrich.disagreements import (
    Disagreement,
    conflicting,
    disagreement_rows,
    extract_claims,
    find_disagreements,
    places_within,
)
from storyline.eval.datasets import datasets_dir
from storyline.models import Article
from storyline.normalize import normalize_one, parse_time

LABELLED = Path(__file__).resolve().parent.parent / "data" / "disagreements_labelled.jsonl"


def _docs(sentences: list[str], published: str = "2024-03-05"):
    return [
        normalize_one(Article(id=f"a{i}", text=s, source=f"outlet{i}",
                              time=parse_time(published)))
        for i, s in enumerate(sentences)
    ]


@pytest.mark.parametrize(
    ("sentence", "kind", "value"),
    [
        ("Four soldiers injured in rocket strike on an airbase.", "injured", "4"),
        ("Officials said four people had been wounded in the attack.", "injured", "4"),
        ("It was reported there were no casualties.", "killed", "0"),
        ("The attack had killed United States soldiers, he claimed.", "killed", "some"),
        ("The death toll rose to 31 on Friday.", "killed", "31"),
        ("At least 20 people were killed.", "killed", "at least 20"),
        ("Dozens of people were killed in the quake.", "killed", "24-99"),
        ("Three hikers are missing.", "missing", "3"),
    ],
)
def test_claims(sentence: str, kind: str, value: str) -> None:
    claims = [c for c in extract_claims(sentence) if c.kind == kind]
    assert [c.value for c in claims] == [value]


def test_negated_and_hypothetical_killing_is_no_claim() -> None:
    assert extract_claims("Iran deliberately missed killing US forces.") == []
    assert extract_claims("The gunman threatened to kill hostages.") == []


def test_speaker_is_recorded() -> None:
    (claim,) = extract_claims("On Sunday the Iraqi military said four people had been wounded.")
    assert claim.speaker == "Iraqi military"


def test_wording_variants_are_one_variant_and_conflicts_are_found() -> None:
    docs = _docs([
        "Four soldiers were injured in the rocket strike on the base.",
        "Four people were wounded in the rocket strike, the army said.",
        "There were no casualties in the strike, the ministry said.",
        "Militants said the strike had killed soldiers.",
    ])
    found = {d.kind: d for d in find_disagreements(docs)}
    assert isinstance(found["killed"], Disagreement)
    assert {v.value for v in found["killed"].variants} == {"0", "some"}
    injured = found["injured"]
    four = next(v for v in injured.variants if v.value == "4")
    assert four.articles == ("a0", "a1") and four.sources == ("outlet0", "outlet1")
    assert four.attributed_to == ("army",)
    assert four.earliest == datetime(2024, 3, 5, tzinfo=UTC)
    rows = disagreement_rows(found.values())
    assert {r["kind"] for r in rows} == {"killed", "injured"}
    json.dumps(rows)


def test_places_conflict_unless_the_story_says_one_is_in_the_other() -> None:
    a = "The attack on Tarn air base wounded two guards."
    b = "The attack on Orlo airport caused no damage."
    c = "The attack in Veland was the third this year."
    found = find_disagreements(_docs([a, b]))
    assert [d.claim for d in found] == ["place of the attack"]
    assert {v.value for v in found[0].variants} == {"Tarn air base", "Orlo airport"}
    assert find_disagreements(_docs([a, c]))  # nothing says Tarn is in Veland
    inside = "Tarn air base in northern Veland was hit."
    assert ("tarn", "veland") in places_within([inside])
    assert not find_disagreements(_docs([a, c, inside]))


def test_the_specimen_pile() -> None:
    pile = datasets_dir().parent / "examples" / "iraq-airbase-pile.txt"  # ../shared/examples
    if not pile.exists():
        pytest.skip(f"specimen not found: {pile}")
    paragraphs = [p for p in pile.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    docs = [normalize_one(Article(id=f"p{i}", text=p, source=f"s{i}"))
            for i, p in enumerate(paragraphs)]
    found = {d.kind: d for d in find_disagreements(docs)}
    killed = {v.value: v for v in found["killed"].variants}
    assert "0" in killed and "some" in killed  # "no casualties" vs "killed US soldiers"
    assert "casualties" in killed["0"].text
    assert "killed" in killed["some"].text
    zero, some = (extract_claims(killed[k].text) for k in ("0", "some"))
    assert conflicting(next(c for c in zero if c.kind == "killed"), some[0])
    # "four soldiers injured" and "four people wounded": one variant, not a conflict
    injured = {v.value: v for v in found["injured"].variants}
    assert len(injured["4"].articles) == 2


def _score(split: str) -> tuple[float, float, int]:
    tp = fp = fn = n = 0
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["split"] != split:
            continue
        n += 1
        predicted = bool(find_disagreements(_docs(case["sentences"], case["published"])))
        gold = case["label"] == "conflict"
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
    return tp / max(1, tp + fp), tp / max(1, tp + fn), n


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_labelled_set_precision_and_recall(split: str) -> None:
    """Floors on the hand-labelled set (tests/data): the benchmark prints the figures."""
    precision, recall, n = _score(split)
    assert n >= 10
    assert precision >= 0.85
    assert recall >= 0.8


def test_dates_of_events_in_unrelated_places_are_not_a_conflict():
    from datetime import UTC, datetime

    from storyline.enrich.disagreements import find_disagreements
    from storyline.models import Article
    from storyline.normalize import normalize_one

    when = datetime(2031, 5, 20, tzinfo=UTC)
    docs = [normalize_one(Article(i, "", t, when, "wire")) for i, t in [
        ("a", "The attack on Norrvik harbour came on 14 May, officials said."),
        ("b", "On Sunday the army said two guards were hurt in an attack on Ostberg airport."),
    ]]
    assert not [d for d in find_disagreements(docs) if d.kind == "date"]
    same = [normalize_one(Article(i, "", t, when, "wire")) for i, t in [
        ("a", "The attack on Norrvik harbour came on 14 May, officials said."),
        ("b", "The attack on Norrvik harbour came on 17 May, the coast guard said."),
    ]]
    assert [d for d in find_disagreements(same) if d.kind == "date"]
