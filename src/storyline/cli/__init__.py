"""The ``storyline`` command: thin adapters over the library (see ``storyline --help``).

Every command catches storyline's own errors and prints them as one line (exit 2); an unexpected
error prints one line too, with ``-v`` for the traceback (exit 1). Ctrl-C keeps what was committed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from storyline.config import Settings
from storyline.errors import StorylineError

__all__ = ["build_parser", "main"]

log = logging.getLogger("storyline")

Handler = Callable[[argparse.Namespace, Settings], int]


def _emit(records: Iterable[dict[str, Any]]) -> None:
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _report_summary(report: Any) -> None:
    print(f"storyline: {report.summary()}", file=sys.stderr)
    for problem in report.problems[:10]:
        print(f"  {problem.where}: {problem.reason}", file=sys.stderr)
    if len(report.problems) > 10:
        print(f"  … {len(report.problems) - 10} more (see -v)", file=sys.stderr)


# -- commands -----------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.cli.progress import counter
    from storyline.cli.render import story_brief, story_json
    from storyline.pipeline import RunResult, run
    from storyline.store import Store

    result = RunResult()
    with (
        Store(args.db) as store,
        counter("articles", not args.json, lambda: result.report.bytes_read) as progress,
    ):
        run(args.paths, store, settings, fmt=args.format, progress=progress, result=result,
            published=_published(args.published))
        stories = [s for s in (store.story(i) for i in result.changed_stories) if s]
    _report_summary(result.report)
    print(
        f"storyline: {result.new} new item(s) ({result.duplicates} duplicate(s) folded, "
        f"{result.already_stored} already stored); {len(stories)} story(ies) updated in {args.db}",
        file=sys.stderr,
    )
    if result.undated:
        print(f"storyline: {result.undated} new item(s) have no publication date: their "
              "timelines keep only fully dated mentions (\"8 January 2020\"); pass --published "
              "DATE (when they were collected) to date \"on Sunday\" or \"8 January\"",
              file=sys.stderr)
    stories.sort(key=lambda s: (-len(s.members), s.id))
    if args.json:
        _emit(story_json(s) for s in stories)
    else:
        shown = [s for s in stories if len(s.members) > 1] or stories
        print("\n\n".join(story_brief(s) for s in shown[: args.limit]))
        singles = len(stories) - len(shown)
        if singles:
            print(f"\n(+{singles} single-item stories: storyline stories --min-size 1)")
    return 0


def cmd_stories(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.cli.render import story_brief, story_json
    from storyline.store import Store

    _need_db(args.db)
    with Store(args.db) as store:
        stories = store.stories(limit=args.limit, min_size=args.min_size)
    if args.json:
        _emit(story_json(s) for s in stories)
    elif not stories:
        print("no stories stored yet: storyline run FILE", file=sys.stderr)
    else:
        print("\n\n".join(story_brief(s) for s in stories))
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.cli.render import story_full, story_json
    from storyline.store import Store

    _need_db(args.db)
    with Store(args.db) as store:
        story = store.story(args.id)
        if story is None:
            raise StorylineError(f"no story {args.id!r} in {args.db} (see: storyline stories)")
        articles = store.articles((*story.members, *story.off_topic))
        siblings = [s for s in (store.story(i) for i in store.storyline_members(story.storyline_id))
                    if s]
        extras = store.extras(story.id)
    if args.json:
        out = story_json(story, articles, extras)
        out["storyline_events"] = [s.id for s in siblings]
        _emit([out])
    else:
        print(story_full(story, articles, siblings, extras))
    return 0


def cmd_summarize(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.embed import get_embedder
    from storyline.enrich.cluster_summary import summarize_cluster_file
    from storyline.ingest.base import IngestReport

    report = IngestReport()
    embedder = get_embedder(settings.embed)  # for the off-topic filter (one lead per article)
    _emit(summarize_cluster_file(args.file, args.words, args.style, settings, embedder, report,
                                 rewrite=True if args.rewrite else None, fmt=args.format))
    _report_summary(report)
    return 0


def cmd_cluster(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.cluster import cluster_stream
    from storyline.embed import get_embedder
    from storyline.ingest import read_inputs
    from storyline.ingest.base import IngestReport

    report = IngestReport()
    articles = read_inputs([args.file], args.format, settings.ingest, report)
    embedder = get_embedder(settings.embed)
    _emit(
        {"id": article_id, "story": story, "storyline": storyline}
        for article_id, story, storyline in cluster_stream(articles, embedder, settings.cluster)
    )
    _report_summary(report)
    return 0


def cmd_filter(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.cluster import filter_clusters
    from storyline.embed import get_embedder
    from storyline.ingest import read_groups
    from storyline.ingest.base import IngestReport

    report = IngestReport()
    groups = read_groups(args.file, args.format, settings.ingest, report)
    _emit(filter_clusters(groups, get_embedder(settings.embed), settings.cluster,
                          settings.dedupe))
    _report_summary(report)
    return 0


def _published(value: str | None) -> Any:
    from storyline.normalize.dates import parse_time

    if value is None:
        return None
    when = parse_time(value)
    if when is None:
        raise StorylineError(f"--published: cannot read {value!r} as a date (e.g. 2020-01-13)")
    return when


def _need_db(path: str) -> None:
    if not Path(path).exists():
        raise StorylineError(f"no store at {path}: run 'storyline --db {path} run FILE' first")


# -- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from storyline.embed import EMBEDDERS
    from storyline.ingest import FORMATS

    parser = argparse.ArgumentParser(
        prog="storyline",
        description="From a pile of news to its stories: grouped, filtered, summarized, dated.",
    )
    parser.add_argument("--db", default="storyline.db", help="SQLite store (default: %(default)s)")
    parser.add_argument("--config", help="TOML file of settings overrides (see docs/settings.md)")
    parser.add_argument("--embedder", choices=EMBEDDERS,
                        help="sentence embedder (default: minilm; static is the fast mode, "
                        "after scripts/distill-static.sh; tfidf needs no model)")
    parser.add_argument("--fast", action="store_true",
                        help="fast mode: the static embedder (after scripts/distill-static.sh) "
                        "and model-free entities")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details and tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="ingest files, update stories, print them")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--format", choices=FORMATS, help="input format (default: detected)")
    p.add_argument("--json", action="store_true", help="one JSON story per line")
    p.add_argument("--limit", type=int, default=20, help="stories to print (default: %(default)s)")
    p.add_argument("--published", metavar="DATE",
                   help="publication date of items that have none (e.g. a text pile): relative "
                   "dates in them are resolved against it")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("stories", help="list stored stories, largest first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--min-size", type=int, default=2, help="hide smaller stories (default: 2)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stories)

    p = sub.add_parser("show", help="one story in full")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("summarize", help="summarize each cluster of a cluster file (any other "
                       "input: all of it as one cluster), flagging off-topic articles (JSON "
                       "lines)")
    p.add_argument("file", help="a cluster file, or a file or folder in any input format")
    p.add_argument("--format", choices=FORMATS, help="input format (default: detected)")
    p.add_argument("--words", type=int, default=100)
    p.add_argument("--style", choices=("default", "wcep"), default="default")
    p.add_argument("--rewrite", action="store_true",
                   help="rewrite each summary with the chat-completions server of [summary] "
                   "rewrite_url; kept only if its numbers and names are in the sources")
    p.set_defaults(handler=cmd_summarize)

    p = sub.add_parser("cluster", help="assign articles to stories in time order (JSON lines)")
    p.add_argument("file")
    p.add_argument("--format", choices=FORMATS)
    p.set_defaults(handler=cmd_cluster)

    p = sub.add_parser("filter", help="flag off-topic articles in each cluster of a cluster file "
                       "(any other input: all of it as one cluster) (JSON lines)")
    p.add_argument("file", help="a cluster file, or a file or folder in any input format")
    p.add_argument("--format", choices=FORMATS, help="input format (default: detected)")
    p.set_defaults(handler=cmd_filter)

    from storyline.cli.extra import add_parsers

    add_parsers(sub)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_toml(args.config) if args.config else Settings()
    if args.fast:
        settings = settings.fast()
    if args.embedder:
        settings = settings.with_overrides({"embed": {"model": args.embedder}})
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Handler = args.handler
    try:
        return handler(args, _settings(args))
    except StorylineError as exc:
        print(f"storyline: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("storyline: interrupted; everything committed so far is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if args.verbose:
            raise
        print(f"storyline: internal error: {type(exc).__name__}: {exc} (run with -v for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
