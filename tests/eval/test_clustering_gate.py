"""Quality gate of the cluster stage on real annotated data (skipped when the data is absent).

A subset small enough for CI (15 DUC 2006 topics, the first 1,500 UCI headlines) is clustered
with the real MiniLM embedder and scored; the figures must stay at or above the floors pinned in
``benchmarks/cluster_baseline.json``. Floors only move up, on purpose, in their own commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.cluster.offtopic import filter_off_topic
from storyline.cluster.stream import embed_documents, time_order
from storyline.config import ClusterSettings
from storyline.eval.clustering import evaluate_embedded, evaluate_off_topic
from storyline.eval.datasets import load_duc2006, load_uci
from storyline.models import Article, Embedded
from storyline.normalize import normalize_one

BASELINE = Path(__file__).resolve().parents[2] / "benchmarks" / "cluster_baseline.json"
FLOORS = {
    k: v for k, v in json.loads(BASELINE.read_text(encoding="utf-8")).items()
    if not k.startswith("_")
}
DUC_TOPICS = 15
UCI_HEADLINES = 1500


def _embedded(articles: list[Article], embedder) -> list[Embedded]:
    docs = [d for d in (normalize_one(a) for a in time_order(articles)) if d.sentences]
    return list(embed_documents(docs, embedder))


@pytest.fixture(scope="module")
def duc(datasets: Path, minilm) -> list[Embedded]:
    clusters = load_duc2006()[:DUC_TOPICS]
    return _embedded([a for c in clusters for a in c.articles], minilm)


@pytest.fixture(scope="module")
def uci(datasets: Path, minilm) -> list[Embedded]:
    return _embedded(load_uci()[:UCI_HEADLINES], minilm)


def _check(name: str, result: dict[str, float]) -> None:
    for key, floor in FLOORS[name].items():
        assert result[key] >= floor, f"{name} {key} {result[key]:.3f} fell below {floor}"


def test_duc_subset_clustering(duc: list[Embedded]) -> None:
    _check("duc2006_15_topics", evaluate_embedded(duc, ClusterSettings()))


def test_uci_subset_clustering(uci: list[Embedded]) -> None:
    _check("uci_1500_headlines", evaluate_embedded(uci, ClusterSettings()))


def test_duc_subset_off_topic(duc: list[Embedded]) -> None:
    groups: dict[str, list[Embedded]] = {}
    for e in duc:
        groups.setdefault(e.document.article.cluster or "", []).append(e)
    _check("duc2006_15_topics_off_topic",
           evaluate_off_topic(list(groups.values()), ClusterSettings(), (0.2,), draws=3))


def test_iraq_pile_off_topic(datasets: Path, minilm) -> None:
    pile = datasets.parent / "examples" / "iraq-airbase-pile.txt"
    if not pile.exists():
        pytest.skip(f"{pile} not found")
    lines = [t.strip() for t in pile.read_text(encoding="utf-8").splitlines() if t.strip()]
    arts = [Article(id=str(i), text=t) for i, t in enumerate(lines)]
    members = _embedded(arts, minilm)
    flagged = {lines[int(i)] for i in filter_off_topic(members, ClusterSettings())}
    assert {t for t in flagged if "sinkhole" in t or "Oscars" in t} == {
        t for t in lines if "sinkhole" in t or "Oscars" in t
    }
    # at most the borderline line (Canadian troops, NDP) besides the two intruders
    assert len(flagged) <= 3
