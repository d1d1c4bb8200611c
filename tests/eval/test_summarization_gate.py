"""Eval gate: the default summarizer, the WCEP style and the noisy-cluster path (off-topic filter
+ summarizer) on a DUC 2006 subset must stay above pinned ROUGE floors.

Floors live in ``benchmarks/summarize_baseline.json`` and only move up (see its comment). Skips
when the evaluation data or ROUGE's Perl scorer is absent; model-free (the filter runs on the
TF-IDF embedder here; the figures with MiniLM are in docs/summarization.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.config import EmbedSettings, Settings
from storyline.embed import get_embedder
from storyline.enrich.cluster_summary import GuardedSummarizer, background_of
from storyline.enrich.summarize import ExtractiveSummarizer
from storyline.eval.datasets import load_duc2006
from storyline.eval.rouge import rouge_available
from storyline.eval.summarization import evaluate
from storyline.normalize import normalize_one

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


def test_wcep_style_above_floor(clusters: list, gate: dict) -> None:
    result = evaluate(clusters, ExtractiveSummarizer(), 40, style="wcep", resamples=100)
    got = 100 * result["rouge"]["rouge-1"]["f1"]
    floor = gate["floors"]["wcep40"]["rouge-1-f1"]
    assert got >= floor, f"WCEP ROUGE-1 F1 fell to {got:.2f} (floor {floor})"


def test_noisy_clusters_filtered_and_summarized_above_floor(clusters: list, gate: dict) -> None:
    settings = Settings(embed=EmbedSettings(model="tfidf"))
    background = background_of((normalize_one(a) for c in clusters for a in c.articles),
                               settings.cluster)
    guard = GuardedSummarizer(get_embedder(settings.embed), settings.cluster,
                              background=background)
    result = evaluate(clusters, guard, 100, noise=0.2, resamples=100)
    floors = gate["floors"]["noise20"]
    got = 100 * result["rouge"]["rouge-2"]["recall"]
    assert got >= floors["rouge-2"], f"R-2 with 20 % noise fell to {got:.2f}"
    flags = result["flags"]
    assert flags["injected"] == 30
    assert flags["recall"] >= floors["flag-recall"], flags
    assert flags["precision"] >= floors["flag-precision"], flags
    assert result["offtopic_sentences"] == 0.0
