"""Benchmark of issue 7: time expressions, timelines, entities, disagreements.

Prints (data read from ../shared/datasets, never copied):

1. TempEval-3 (TimeBank + AQUAINT): accuracy of resolved values for gold DATE expressions of day
   or month granularity given the gold extents, and the detector's recall of those extents;
2. Timeline17: per topic and mean date-F1, AR1-F, AR2-F (tilse's align+ m:1), with timings, under
   the news-tls protocol (K = dates of the gold timeline, M = round(mean sentences per date), the
   collection restricted to the gold timeline's first..last date, duplicate gold dates: last wins);
3. NER throughput (articles/s) of spaCy (when installed) and of the heuristic fallback;
4. precision/recall of the disagreement finder on tests/data/disagreements_labelled.jsonl.

Usage::

    PYTHONPATH=src python benchmarks/bench_timeline.py [--only tempeval,t17,ner,disagreements]
        [--embedder tfidf|minilm] [--topics H1N1_bbc,MJ_bbc]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from storyline.eval.datasets import (  # noqa: E402
    T17_TOPICS,
    DatasetMissing,
    load_t17_articles,
    load_t17_timelines,
)
from storyline.models import Article  # noqa: E402
from storyline.normalize import normalize_one, parse_time  # noqa: E402


def bench_tempeval() -> None:
    from storyline.eval.tempeval import evaluate_tempeval

    start = time.perf_counter()
    score = evaluate_tempeval()
    took = time.perf_counter() - start
    print("\n== TempEval-3 (TBAQ-cleaned), DATE values of day/month granularity ==")
    print(f"gold expressions        {score.total}")
    print(f"normalization accuracy  {score.accuracy:.3f}  (given gold extents)")
    for g, n in sorted(score.by_granularity.items()):
        print(f"  {g:6s} {score.correct_by_granularity[g] / n:.3f}  (n={n})")
    print(f"detector recall         {score.recall:.3f}  (a mention overlaps the gold extent)")
    print(f"detected and correct    {score.detected_accuracy:.3f}")
    print(f"time                    {took:.2f} s")


def bench_t17(topics: list[str], embedder_name: str) -> None:
    from storyline.enrich.timeline import build_timeline
    from storyline.eval.timeline import evaluate_timeline

    embedder = None
    if embedder_name != "tfidf":
        from storyline.config import EmbedSettings
        from storyline.embed import get_embedder

        embedder = get_embedder(EmbedSettings(model=embedder_name))
    print(f"\n== Timeline17 (news-tls protocol), centrality: {embedder_name} ==")
    print(f"{'topic':22s} {'arts':>5s} {'K':>4s} {'M':>2s} {'date-F1':>8s} {'AR1-F':>7s} "
          f"{'AR2-F':>7s} {'secs':>6s}")
    rows = []
    total = time.perf_counter()
    for topic in topics:
        start = time.perf_counter()
        docs = [d for d in (normalize_one(a) for a in load_t17_articles(topic)) if d.sentences]
        for reference in load_t17_timelines(topic):
            ref = sorted(dict(reference).items())  # duplicate dates: last wins, as news-tls
            k = len(ref)
            m = round(sum(len(s) for _, s in ref) / k)
            first, last = date.fromisoformat(ref[0][0]), date.fromisoformat(ref[-1][0])
            predicted = build_timeline(docs, k, m, embedder, start=first, end=last)
            scores = evaluate_timeline(predicted, ref)
            took = time.perf_counter() - start
            rows.append((scores.date.f1, scores.ar1.f1, scores.ar2.f1))
            print(f"{topic:22s} {len(docs):5d} {k:4d} {m:2d} {scores.date.f1:8.3f} "
                  f"{scores.ar1.f1:7.3f} {scores.ar2.f1:7.3f} {took:6.1f}")
    means = [statistics.mean(col) for col in zip(*rows, strict=True)]
    print(f"{'mean':22s} {'':5s} {'':4s} {'':2s} {means[0]:8.3f} {means[1]:7.3f} {means[2]:7.3f} "
          f"{time.perf_counter() - total:6.1f}")
    print("published news-tls Datewise on T17: date-F1 0.544, AR1-F 0.120, AR2-F 0.035")


def bench_ner(n: int = 200) -> None:
    from storyline.enrich.entities import HeuristicExtractor, SpacyExtractor, story_entities
    from storyline.errors import MissingDependency

    docs = [normalize_one(a) for a in load_t17_articles("haiti_bbc")][:n]
    texts = [f"{d.title}\n{d.body}" for d in docs]
    print(f"\n== NER throughput ({len(docs)} Timeline17 haiti_bbc articles, "
          f"{sum(len(t) for t in texts) // len(texts)} chars each on average) ==")
    extractors: list = [HeuristicExtractor()]
    try:
        start = time.perf_counter()
        extractors.insert(0, SpacyExtractor())
        print(f"spaCy model load         {time.perf_counter() - start:.2f} s")
    except MissingDependency as exc:
        print(f"spaCy: not installed ({exc})")
    for extractor in extractors:
        start = time.perf_counter()
        entities = story_entities(docs, extractor, top=8)
        took = time.perf_counter() - start
        print(f"{extractor.name:28s} {len(docs) / took:8.1f} articles/s  top: "
              + ", ".join(f"{e.name} ({len(e.articles)})" for e in entities))


def bench_disagreements() -> None:
    from storyline.enrich.disagreements import find_disagreements

    path = ROOT / "tests" / "data" / "disagreements_labelled.jsonl"
    print("\n== Disagreements: hand-labelled set (tests/data/disagreements_labelled.jsonl) ==")
    for split in ("dev", "heldout"):
        tp = fp = fn = tn = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            if case["split"] != split:
                continue
            docs = [
                normalize_one(Article(id=f"{case['id']}-{i}", text=s, source=f"outlet{i}",
                                      time=parse_time(case["published"])))
                for i, s in enumerate(case["sentences"])
            ]
            predicted = bool(find_disagreements(docs))
            gold = case["label"] == "conflict"
            tp += predicted and gold
            fp += predicted and not gold
            fn += gold and not predicted
            tn += not predicted and not gold
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        print(f"{split:8s} n={tp + fp + fn + tn:3d}  precision {p:.3f}  recall {r:.3f}  "
              f"(tp={tp} fp={fp} fn={fn} tn={tn})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="tempeval,t17,ner,disagreements")
    parser.add_argument("--embedder", default="tfidf", choices=("tfidf", "minilm"))
    parser.add_argument("--topics", default=",".join(T17_TOPICS))
    args = parser.parse_args()
    parts = set(args.only.split(","))
    try:
        if "tempeval" in parts:
            bench_tempeval()
        if "t17" in parts:
            bench_t17(args.topics.split(","), args.embedder)
        if "ner" in parts:
            bench_ner()
    except DatasetMissing as exc:
        print(f"skipped: {exc}")
    if "disagreements" in parts:
        bench_disagreements()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
