"""Commands beyond the core: evaluation, timelines, feeds, the web server, Spark."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from storyline.config import Settings
from storyline.errors import StorylineError

__all__ = ["add_parsers"]


def cmd_eval_summarize(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.enrich.summarize import ExtractiveSummarizer
    from storyline.eval.summarization import baselines, evaluate, format_table, load_clusters

    clusters = load_clusters(args.dataset)
    if args.limit:
        clusters = clusters[: args.limit]
    systems: dict[str, Any] = {"storyline": ExtractiveSummarizer()}
    if args.filter:  # what `storyline summarize` runs: the off-topic filter, then the summarizer
        from storyline.embed import get_embedder
        from storyline.enrich.cluster_summary import GuardedSummarizer, background_of
        from storyline.normalize import normalize_one

        background = background_of((normalize_one(a) for c in clusters for a in c.articles),
                                   settings.cluster)  # the whole set is the filter's IDF
        systems["storyline+filter"] = GuardedSummarizer(get_embedder(settings.embed),
                                                        settings.cluster, background=background)
    if args.baselines:
        systems.update(baselines())
    results = []
    for name, summarizer in systems.items():
        out = Path(args.out) / name if args.out else None
        result = evaluate(clusters, summarizer, args.words, args.style, args.noise, out_dir=out,
                          use_topic=args.topic)
        result["system"] = name
        results.append(result)
    print(json.dumps(results, default=str) if args.json else format_table(results))
    for r in results:
        if r.get("flags") and not args.json:
            f = r["flags"]
            print(f"{r['system']}: off-topic flags P {f['precision']:.3f} R {f['recall']:.3f} "
                  f"F1 {f['f1']:.3f} ({f['flagged']} flagged, {f['injected']} injected)")
    return 0


def cmd_eval_cluster(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.embed import get_embedder
    from storyline.eval.clustering import evaluate, format_table, load_dataset

    result = evaluate(load_dataset(args.dataset), get_embedder(settings.embed), settings.cluster)
    print(json.dumps(result, default=str) if args.json else format_table({args.dataset: result}))
    return 0


def cmd_eval_dates(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.eval.tempeval import evaluate_tempeval

    score = evaluate_tempeval()
    print(score)
    return 0


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.enrich.timeline import timeline_from_jsonl

    # TF-IDF centrality: better than MiniLM on Timeline17 and far faster (docs/notes/timeline.md)
    timeline = timeline_from_jsonl(args.file, args.dates, args.sentences_per_date)
    print(json.dumps(timeline, ensure_ascii=False))
    return 0


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store import Store
    from storyline.watch import parse_interval, watch

    def report(result: Any) -> None:
        print(f"storyline: {result.report.summary()}; {result.new} new item(s), "
              f"{len(result.changed_stories)} story(ies) updated", file=sys.stderr)

    with Store(args.db) as store:
        watch(args.feeds, store, settings, parse_interval(args.every), args.state,
              polls=args.polls, on_poll=report, full_text=args.full_text,
              allow_private=args.allow_private)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.serve import serve

    if args.allow_write and not args.token:
        raise StorylineError("--allow-write needs --token (or STORYLINE_TOKEN)")
    if not Path(args.db).exists():
        raise StorylineError(
            f"no store at {args.db}: run 'storyline --db {args.db} run FILE' first")
    print(f"storyline: serving {args.db} at http://{args.host}:{args.port}/", file=sys.stderr)
    serve(args.db, args.host, args.port, allow_write=args.allow_write, token=args.token,
          settings=settings, workers=args.workers)
    return 0


def cmd_spark_run(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.scale import spark_run

    result = spark_run(args.input, args.output, settings, master=args.master, fmt=args.format,
                       window_days=args.window_days)
    print(f"storyline: {result.report.summary()}", file=sys.stderr)
    print(f"storyline: {result.articles} articles ({result.duplicates} duplicates) in "
          f"{result.windows} windows -> {result.stories} stories; Parquet in {result.output}",
          file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.scale import import_parquet
    from storyline.store import Store

    with Store(args.db) as store:
        result = import_parquet(args.folder, store)
    print(f"storyline: imported {result}", file=sys.stderr)
    return 0


def add_parsers(sub: Any) -> None:
    import os

    ev = sub.add_parser("eval", help="score on the evaluation sets (../shared/datasets)")
    evs = ev.add_subparsers(dest="what", required=True, metavar="WHAT")
    p = evs.add_parser("summarize", help="ROUGE of summaries (DUC 2006 or a cluster file)")
    p.add_argument("dataset", help="duc2006 or a cluster-file path")
    p.add_argument("--words", type=int, default=100)
    p.add_argument("--style", choices=("default", "wcep"), default="default")
    p.add_argument("--noise", type=float, default=0.0,
                   help="fraction of injected off-topic articles")
    p.add_argument("--limit", type=int, help="only the first N clusters")
    p.add_argument("--topic", action="store_true",
                   help="pass each cluster's topic (DUC query) to the summarizer")
    p.add_argument("--baselines", action="store_true", help="also score Lead, Centroid, LexRank")
    p.add_argument("--filter", action="store_true",
                   help="also score the off-topic filter + summarizer (as `storyline summarize` "
                   "runs it) and, with --noise, its flag precision/recall")
    p.add_argument("--out", help="write per-cluster summaries under this folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_eval_summarize)
    p = evs.add_parser("cluster", help="B-cubed of streaming clustering")
    p.add_argument("dataset", help="duc2006, uci, t17 or a cluster-file path")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_eval_cluster)
    p = evs.add_parser("dates", help="accuracy of date resolution on TempEval-3")
    p.set_defaults(handler=cmd_eval_dates)

    p = sub.add_parser("timeline", help="a dated timeline of a JSONL file (news-tls format)")
    p.add_argument("file")
    p.add_argument("--dates", type=int, help="number of dates (default: chosen from the data)")
    p.add_argument("--sentences-per-date", type=int, default=1)
    p.set_defaults(handler=cmd_timeline)

    p = sub.add_parser("watch", help="poll feeds (OPML or a URL list) and update stories")
    p.add_argument("feeds", help="OPML file, or a text file of feed URLs")
    p.add_argument("--every", default="15m", help="interval: 30s, 15m, 1h (default: %(default)s)")
    p.add_argument("--polls", type=int, help="stop after N polls (default: run until stopped)")
    p.add_argument("--state", help="feed state file (default: DB.feeds.json)")
    p.add_argument("--full-text", action="store_true", help="fetch each entry's page")
    p.add_argument("--allow-private", action="store_true",
                   help="allow feeds on private/loopback addresses (off: SSRF guard)")
    p.set_defaults(handler=cmd_watch)

    p = sub.add_parser("serve", help="web UI and JSON API over the store")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--allow-write", action="store_true", help="enable POST /api/ingest")
    p.add_argument("--token", default=os.environ.get("STORYLINE_TOKEN"),
                   help="bearer token for write endpoints (or STORYLINE_TOKEN)")
    p.set_defaults(handler=cmd_serve)

    sp = sub.add_parser("spark", help="run the pipeline on Apache Spark (storyline[spark])")
    sps = sp.add_subparsers(dest="what", required=True, metavar="WHAT")
    p = sps.add_parser("run", help="files matching a glob -> Parquet stories")
    p.add_argument("--input", required=True, help="glob of WARC/JSONL/... files (local or s3a://)")
    p.add_argument("--output", required=True, help="output folder (Parquet)")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--format", help="input format (default: detected per file)")
    p.add_argument("--window-days", type=float, default=1.0,
                   help="stories are built per window of this many days, then merged")
    p.set_defaults(handler=cmd_spark_run)

    p = sub.add_parser("import", help="load a Spark run's Parquet output into the SQLite store")
    p.add_argument("folder")
    p.set_defaults(handler=cmd_import)
