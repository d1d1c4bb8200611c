"""Evaluate a summarizer on annotated clusters (DUC 2006 or any cluster file) with ROUGE-1.5.5.

``evaluate`` normalizes each cluster's articles, optionally injects off-topic articles taken from
*other* clusters (``noise``: the fraction of the cluster size), summarizes, times each call and
scores all summaries in one ROUGE run. It prints nothing and returns a plain dict (JSON-ready);
``format_table`` renders one or several results as a Markdown table.

CLI (wired by ``storyline eval summarize DATASET --words N [--style wcep] [--noise 0.2]``)::

    clusters = load_clusters("duc2006")
    print(format_table([evaluate(clusters, ExtractiveSummarizer(embedder), 100)]))
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from storyline.enrich._summ_baselines import (
    CentroidSummarizer,
    LeadSummarizer,
    LexRankSummarizer,
)
from storyline.enrich.base import Summarizer
from storyline.eval.datasets import Cluster, load_duc2006
from storyline.eval.rouge import rouge
from storyline.models import Article, Document
from storyline.normalize import normalize_one

__all__ = ["baselines", "evaluate", "format_table", "load_clusters", "system_name"]

_METRICS = ("rouge-1", "rouge-2", "rouge-4", "rouge-su4")


def load_clusters(dataset: str) -> list[Cluster]:
    """``"duc2006"`` or a path to a cluster file in the same JSONL format."""
    if dataset.lower() == "duc2006":
        return load_duc2006()
    return load_duc2006(Path(dataset))


def baselines() -> dict[str, Summarizer]:
    """The reference systems evaluated alongside ours."""
    return {"Lead": LeadSummarizer(), "Centroid": CentroidSummarizer(),
            "LexRank": LexRankSummarizer()}


def system_name(summarizer: Summarizer) -> str:
    return str(getattr(summarizer, "name", type(summarizer).__name__))


def _inject(clusters: Sequence[Cluster], noise: float, seed: int
            ) -> list[tuple[Cluster, list[Article], set[str]]]:
    """Each cluster with ``round(noise * size)`` articles from other clusters added (their ids
    prefixed ``offtopic:``); returns (cluster, articles, ids of injected ones)."""
    rng = random.Random(seed)
    out = []
    for c in clusters:
        arts = list(c.articles)
        injected: set[str] = set()
        k = round(noise * len(arts))
        others = [a for o in clusters if o.id != c.id for a in o.articles]
        if k and others:
            for a in rng.sample(others, min(k, len(others))):
                new = Article(id=f"offtopic:{a.id}", title=a.title, text=a.text, time=a.time,
                              source=a.source, cluster=a.cluster)
                injected.add(new.id)
                arts.insert(rng.randrange(len(arts) + 1), new)
        out.append((c, arts, injected))
    return out


def evaluate(
    clusters: Sequence[Cluster],
    summarizer: Summarizer,
    words: int,
    style: str = "default",
    noise: float = 0.0,
    seed: int = 0,
    out_dir: str | Path | None = None,
    resamples: int = 1000,
    use_topic: bool = False,
) -> dict[str, Any]:
    """Summarize every cluster and score against its references (ROUGE-1.5.5, recall, ``-l
    words``). Returns ``{"system", "words", "style", "noise", "clusters", "rouge": {metric:
    {"recall", "recall_ci", "precision", "f1", "f1_ci"}}, "seconds": {"mean", "max", "cpu_mean",
    "cpu_max"} (wall and process CPU time of the summarizer call per cluster),
    "offtopic_sentences", "flags", "backend", "command", "query"}`` with scores as fractions (0-1).

    ``use_topic`` passes each cluster's topic statement as ``query=`` (query-focused
    summaries, DUC's own task); the default is generic summaries, the headline figure.
    A summarizer with ``summarize_flagged`` (``GuardedSummarizer``) also flags off-topic
    members: ``"flags"`` is then their precision/recall/F1 against the injected articles
    (``None`` otherwise; with ``noise=0`` every flag is a false positive)."""
    runs = _inject(clusters, noise, seed)
    peers: list[str] = []
    refs: list[list[str]] = []
    seconds: list[float] = []
    cpu: list[float] = []
    offtopic = total = 0
    records = []
    flags = _FlagCount() if hasattr(summarizer, "summarize_flagged") else None
    for cluster, arts, injected in runs:
        docs: list[Document] = [normalize_one(a) for a in arts]
        query = cluster.topic if use_topic and cluster.topic else None
        start, start_cpu = time.perf_counter(), time.process_time()
        if flags is not None:  # a summarizer that also flags off-topic members
            result_ = summarizer.summarize_flagged(  # type: ignore[attr-defined]
                docs, words, style, query)
            summary = result_.summary
            flags.add(set(result_.off_topic), injected)
        elif query:
            summary = summarizer(docs, words=words, style=style,  # type: ignore[call-arg]
                                 query=query)
        else:
            summary = summarizer(docs, words=words, style=style)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        for s in summary.sentences:
            total += 1
            offtopic += bool(injected) and all(i in injected for i in s.articles)
        peers.append("\n".join(s.text for s in summary.sentences))
        refs.append(list(cluster.references))
        records.append({"id": cluster.id, "words": summary.words,
                        "sentences": [{"text": s.text, "articles": list(s.articles)}
                                      for s in summary.sentences]})
    scored = [(p, r) for p, r in zip(peers, refs, strict=True) if r]
    if not scored:
        raise ValueError("no cluster has reference summaries")
    result = rouge([p for p, _ in scored], [r for _, r in scored], words=words,
                   resamples=resamples)
    out: dict[str, Any] = {
        "system": system_name(summarizer),
        "words": words,
        "style": style,
        "noise": noise,
        "query": use_topic,
        "clusters": len(scored),
        "rouge": {
            m: {"recall": s.recall, "recall_ci": list(s.recall_ci), "precision": s.precision,
                "f1": s.f1, "f1_ci": list(s.f1_ci)}
            for m, s in result.scores.items() if m in _METRICS
        },
        "seconds": {"mean": sum(seconds) / len(seconds), "max": max(seconds),
                    "cpu_mean": sum(cpu) / len(cpu), "cpu_max": max(cpu)},
        "offtopic_sentences": offtopic / total if total else 0.0,
        "flags": flags.scores() if flags is not None else None,
        "backend": result.backend,
        "command": result.command,
    }
    if out_dir is not None:
        _write(Path(out_dir), records, out)
    return out


class _FlagCount:
    """Precision and recall of off-topic flags against the injected articles, pooled."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, flagged: set[str], injected: set[str]) -> None:
        self.tp += len(flagged & injected)
        self.fp += len(flagged - injected)
        self.fn += len(injected - flagged)

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f1, "flagged": self.tp + self.fp,
                "injected": self.tp + self.fn}


def _write(folder: Path, records: list[dict[str, Any]], result: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "summaries.jsonl", "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    for rec in records:
        text = "\n".join(s["text"] for s in rec["sentences"])
        (folder / f"{rec['id']}.txt").write_text(text + "\n", encoding="utf-8")
    (folder / "scores.json").write_text(json.dumps(result, indent=2), encoding="utf-8")


def format_table(results: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> str:
    """A Markdown table of ROUGE recall x 100 (with 95 % CI for R-1/R-2), R-1 F1, timing."""
    rows = [results] if isinstance(results, Mapping) else list(results)
    head = ("| system | words | style | noise | R-1 | R-2 | R-4 | R-SU4 | R-1 F1 | s/cluster |\n"
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for r in rows:
        sc = r["rouge"]

        def rec(m: str, ci: bool = False, sc: Mapping[str, Any] = sc) -> str:
            if m not in sc:
                return "-"
            v = f"{100 * sc[m]['recall']:.2f}"
            if ci:
                lo, hi = sc[m]["recall_ci"]
                v += f" ({100 * lo:.2f}-{100 * hi:.2f})"
            return v

        f1 = f"{100 * sc['rouge-1']['f1']:.2f}" if "rouge-1" in sc else "-"
        lines.append(
            f"| {r['system']} | {r['words']} | {r['style']} | {r['noise']:.0%} | "
            f"{rec('rouge-1', True)} | {rec('rouge-2', True)} | {rec('rouge-4')} | "
            f"{rec('rouge-su4')} | {f1} | {r['seconds']['mean']:.3f} |"
        )
    return "\n".join(lines)
