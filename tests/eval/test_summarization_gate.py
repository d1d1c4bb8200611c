"""Eval gate: the default summarizer on a DUC 2006 subset must stay above pinned ROUGE floors.

Floors live in ``benchmarks/summarize_baseline.json`` and only move up (see its comment). Skips
when the evaluation data or ROUGE's Perl scorer is absent; model-free, runs in a few seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.enrich.summarize import ExtractiveSummarizer
from storyline.eval.datasets import load_duc2006
from storyline.eval.rouge import rouge_available
from storyline.eval.summarization import evaluate

BASELINE = Path(__file__).resolve().parents[2] / "benchmarks" / "summarize_baseline.json"

pytestmark = [pytest.mark.data, pytest.mark.slow]


@pytest.fixture(scope="module")
def gate() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clusters(datasets: Path, gate: dict) -> list:
    path = datasets / "duc2006" / "clusters.jsonl"
    if not path.is_file():
        pytest.skip(f"DUC 2006 not found at {path}")
    reason = rouge_available()
    if reason is not None:
        pytest.skip(f"ROUGE-1.5.5 cannot run: {reason}")
    wanted = set(gate["clusters"])
    chosen = [c for c in load_duc2006(path) if c.id in wanted]
    assert len(chosen) == len(wanted), "gate clusters missing from DUC 2006"
    return chosen


@pytest.mark.parametrize("words", ["100", "250"])
def test_rouge_above_floors(clusters: list, gate: dict, words: str) -> None:
    result = evaluate(clusters, ExtractiveSummarizer(), int(words))
    for metric, floor in gate["floors"][words].items():
        got = 100 * result["rouge"][metric]["recall"]
        assert got >= floor, (
            f"{metric} recall at {words} words fell to {got:.2f} (floor {floor}); "
            "fix the regression, floors only move up"
        )
    assert result["offtopic_sentences"] == 0.0


def test_query_focused_summaries_stay_above_the_generic_floors(clusters: list, gate: dict) -> None:
    """``use_topic``: each cluster's topic statement is passed as ``query=``."""
    assert all(c.topic for c in clusters)
    result = evaluate(clusters, ExtractiveSummarizer(), 100, use_topic=True, resamples=100)
    assert result["query"] is True
    for metric, floor in gate["floors"]["100"].items():
        assert 100 * result["rouge"][metric]["recall"] >= floor
