"""Summarization benchmark on DUC 2006: our system and baselines, ROUGE-1.5.5, timing.

    PYTHONPATH=src python benchmarks/bench_summarize.py [--embedder none|minilm|tfidf]
        [--dataset duc2006|PATH] [--resamples 1000] [--json out.json] [--quick]
        [--noise-only] [--guard-embedder minilm|tfidf|static] [--first N]

Prints one Markdown table: 100 and 250 words (Lead, Centroid, LexRank, ours), the WCEP style at
40 words (ROUGE-1 F1 is the figure to read), and ours with 20 % off-topic articles injected from
other clusters (R-2 drop vs. clean), and ours query-focused (the DUC topic passed as ``query=``)
at 100 and 250 words; the generic rows are the headline figures. The NOISE block is
``storyline summarize``'s system (the off-topic filter of ``storyline.cluster.offtopic`` on
embedded leads, then the summarizer on the rest): R-2 clean and noisy, the drop, and the flag
precision/recall/F1 over all clusters (``--noise-only`` runs just that block). ``--first 10``
cuts every cluster to its first 10 articles, the size of DUC 2004's clusters (the published
systems' set). Timing is seconds per cluster (25 articles) spent in the summarizer call, after
the model (if any) is loaded.
Needs ../shared/datasets and Perl's XML::DOM.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from typing import Any

from storyline.config import ClusterSettings, EmbedSettings
from storyline.embed import get_embedder
from storyline.enrich.cluster_summary import GuardedSummarizer, background_of
from storyline.enrich.summarize import ExtractiveSummarizer
from storyline.eval.datasets import DatasetMissing
from storyline.eval.rouge import rouge_available
from storyline.eval.summarization import baselines, evaluate, format_table, load_clusters
from storyline.normalize import normalize_one


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", default="duc2006")
    ap.add_argument("--embedder", default="none", choices=["none", "minilm", "tfidf"])
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--json", help="also write all results to this JSON file")
    ap.add_argument("--quick", action="store_true", help="ours only (no baselines)")
    ap.add_argument("--noise-only", action="store_true",
                    help="only the noise rows: clean vs 20 %% injected, off-topic flag P/R")
    ap.add_argument("--guard-embedder", default="minilm", choices=["minilm", "tfidf", "static"],
                    help="embedder of the off-topic filter in the noise rows (default: minilm)")
    ap.add_argument("--first", type=int, default=0,
                    help="cut every cluster to its first N articles (10: DUC 2004's size)")
    args = ap.parse_args(argv)

    reason = rouge_available()
    if reason:
        print(f"skipped: ROUGE-1.5.5 cannot run: {reason}")
        return 0
    try:
        clusters = load_clusters(args.dataset)
    except DatasetMissing as exc:
        print(f"skipped: {exc}")
        return 0
    if args.first:
        clusters = [replace(c, articles=c.articles[: args.first]) for c in clusters]

    embedder = None
    if args.embedder != "none":
        start = time.perf_counter()
        embedder = get_embedder(EmbedSettings(model=args.embedder))
        embedder.encode(["warm up"])
        print(f"model {args.embedder} loaded in {time.perf_counter() - start:.1f} s")
    ours = ExtractiveSummarizer(embedder)
    ours_name = "ours (concept ILP" + (f" + {args.embedder})" if embedder else ")")
    systems: dict[str, Any] = {} if args.quick else dict(baselines())
    systems[ours_name] = ours

    results = []

    def run(name: str, summarizer: Any, words: int, style: str = "default",
            noise: float = 0.0, use_topic: bool = False) -> dict[str, Any]:
        r = evaluate(clusters, summarizer, words, style=style, noise=noise,
                     resamples=args.resamples, use_topic=use_topic)
        r["system"] = name + (" + topic query" if use_topic else "")
        results.append(r)
        print(f"  done: {name} {words}w {style} noise={noise:.0%}", file=sys.stderr)
        return r

    if args.noise_only:
        noise_rows(run, clusters, ours_name, ours, args.guard_embedder)
        print(format_table(results))
        return 0
    for words in (100, 250):
        for name, system in systems.items():
            run(name, system, words)
    wcep = run(ours_name, ours, 40, style="wcep")
    if not args.quick:
        run("Lead", systems["Lead"], 40, style="wcep")
    clean = next(r for r in results if r["system"] == ours_name and r["words"] == 100)
    noisy = run(ours_name, ours, 100, noise=0.2)
    for words in (100, 250):  # query-focused: DUC's topic statement as query=
        run(ours_name, ours, words, use_topic=True)
    noise_rows(run, clusters, ours_name, ours, args.guard_embedder, clean)

    cut = f", first {args.first} articles each" if args.first else ""
    print(f"\nDUC 2006 ({len(clusters)} clusters{cut}), {clean['backend']}, options: "
          f"{clean['command'].replace('-l 100', '-l WORDS')}\n")
    print(format_table(results))
    drop = 100 * (clean["rouge"]["rouge-2"]["recall"] - noisy["rouge"]["rouge-2"]["recall"])
    print(f"\nnoise 20 %, summarizer alone: R-2 drop {drop:+.2f} points; summary sentences "
          f"taken only from injected off-topic articles: {noisy['offtopic_sentences']:.1%}")
    print(f"WCEP style, 40 words: ROUGE-1 F1 {100 * wcep['rouge']['rouge-1']['f1']:.2f}")
    sec = clean["seconds"]
    print(f"timing (ours, 100 words, per cluster): wall mean {sec['mean']:.3f} s, max "
          f"{sec['max']:.3f} s; CPU mean {sec['cpu_mean']:.3f} s, max {sec['cpu_max']:.3f} s "
          "(wall time grows with other jobs on the machine; CPU time does not)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
    return 0


def noise_rows(run: Any, clusters: list[Any], ours_name: str, ours: ExtractiveSummarizer,
               guard_model: str, clean: dict[str, Any] | None = None) -> None:
    """The noise target: ``storyline summarize``'s system (off-topic filter, then the
    summarizer) on clean clusters and with 20 % injected articles; prints R-2 clean, R-2 noisy,
    the drop and the flag precision/recall/F1 over all clusters."""
    start = time.perf_counter()
    settings = ClusterSettings()
    # the whole dataset is the filter's IDF background, as every cluster of a file is for
    # `storyline summarize FILE`
    background = background_of((normalize_one(a) for c in clusters for a in c.articles),
                               settings)
    guard = GuardedSummarizer(get_embedder(EmbedSettings(model=guard_model)), settings, ours,
                              background)
    guard.embedder.encode(["warm up"])
    print(f"off-topic filter embedder {guard_model} loaded in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    name = f"{ours_name} + off-topic filter ({guard_model})"
    if clean is None:
        clean = run(ours_name, ours, 100)
        plain_noisy = run(ours_name, ours, 100, noise=0.2)
    else:
        plain_noisy = None
    g_clean = run(name, guard, 100)
    g_noisy = run(name, guard, 100, noise=0.2)

    def r2(r: dict[str, Any]) -> float:
        return 100 * float(r["rouge"]["rouge-2"]["recall"])

    f = g_noisy["flags"]
    print(f"\nNOISE (20 % of each cluster injected from other DUC 2006 clusters, seed 0), "
          f"100 words, off-topic filter embedder {guard_model}:")
    print(f"  R-2 clean (summarizer alone)          {r2(clean):.2f}")
    if plain_noisy is not None:
        print(f"  R-2 noisy (summarizer alone)          {r2(plain_noisy):.2f}")
    print(f"  R-2 clean (filter + summarizer)       {r2(g_clean):.2f}")
    print(f"  R-2 noisy (filter + summarizer)       {r2(g_noisy):.2f}")
    print(f"  R-2 drop, clean summarizer -> noisy filter + summarizer: "
          f"{r2(clean) - r2(g_noisy):+.2f} points (target < 0.3)")
    print(f"  R-2 drop, same system (filter + summarizer) clean -> noisy: "
          f"{r2(g_clean) - r2(g_noisy):+.2f} points")
    print(f"  off-topic flags over all clusters: P {f['precision']:.3f}  R {f['recall']:.3f}  "
          f"F1 {f['f1']:.3f}  ({f['flagged']} flagged, {f['injected']} injected; target P, R "
          f">= 0.95); on clean clusters {g_clean['flags']['flagged']} genuine articles flagged")
    print(f"  summary sentences only from injected articles: {g_noisy['offtopic_sentences']:.1%}")


if __name__ == "__main__":
    sys.exit(main())
