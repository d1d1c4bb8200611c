"""Summarization benchmark on DUC 2006: our system and baselines, ROUGE-1.5.5, timing.

    PYTHONPATH=src python benchmarks/bench_summarize.py [--embedder none|minilm|tfidf]
        [--dataset duc2006|PATH] [--resamples 1000] [--json out.json] [--quick]

Prints one Markdown table: 100 and 250 words (Lead, Centroid, LexRank, ours), the WCEP style at
40 words (ROUGE-1 F1 is the figure to read), and ours with 20 % off-topic articles injected from
other clusters (R-2 drop vs. clean), and ours query-focused (the DUC topic passed as ``query=``)
at 100 and 250 words; the generic rows are the headline figures. Timing is seconds per cluster
(25 articles) spent in the summarizer call, after the model (if any) is loaded.
Needs ../shared/datasets and Perl's XML::DOM.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from storyline.config import EmbedSettings
from storyline.embed import get_embedder
from storyline.enrich.summarize import ExtractiveSummarizer
from storyline.eval.datasets import DatasetMissing
from storyline.eval.rouge import rouge_available
from storyline.eval.summarization import baselines, evaluate, format_table, load_clusters


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", default="duc2006")
    ap.add_argument("--embedder", default="none", choices=["none", "minilm", "tfidf"])
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--json", help="also write all results to this JSON file")
    ap.add_argument("--quick", action="store_true", help="ours only (no baselines)")
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

    print(f"\nDUC 2006 ({len(clusters)} clusters), {clean['backend']}, options: "
          f"{clean['command'].replace('-l 100', '-l WORDS')}\n")
    print(format_table(results))
    drop = 100 * (clean["rouge"]["rouge-2"]["recall"] - noisy["rouge"]["rouge-2"]["recall"])
    print(f"\nnoise 20 %: R-2 drop {drop:+.2f} points (target < 0.3); summary sentences taken "
          f"only from injected off-topic articles: {noisy['offtopic_sentences']:.1%}")
    print(f"WCEP style, 40 words: ROUGE-1 F1 {100 * wcep['rouge']['rouge-1']['f1']:.2f}")
    sec = clean["seconds"]
    print(f"timing (ours, 100 words, per cluster): wall mean {sec['mean']:.3f} s, max "
          f"{sec['max']:.3f} s; CPU mean {sec['cpu_mean']:.3f} s, max {sec['cpu_max']:.3f} s "
          "(wall time grows with other jobs on the machine; CPU time does not)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
