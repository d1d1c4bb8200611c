"""The Spark job: storyline's pipeline scaled out over a corpus of files.

Data flow (each step names the stage function it runs, from ``storyline.scale._stages``):

1. **read** — the list of input files is parallelized, one task per file; each task reads its file
   with storyline's own readers (local paths, or ``s3://``/``gs://``/``hdfs://`` objects fetched
   inside the task through ``pyarrow.fs``), normalizes every article and computes its content hash
   and MinHash signature (``read_file``);
2. **ids** — an id seen in more than one file is renumbered ``id~2``, ``id~3``... in file order;
3. **dedupe** — the content hash and every MinHash LSH band are Spark keys; articles that share a
   key with another are the only ones that can be duplicates, and the driver runs the embedded
   ``Deduper`` over just those, in global time order (``dedupe_keys``, ``resolve_duplicates``);
4. **cluster** — originals are grouped by time window (``window_days``, one day by default); each
   window is embedded and clustered by a fresh ``OnlineClusterer`` in time order
   (``cluster_window``); the driver chains the windows' stories into global stories by centroid
   similarity (``merge_windows``) and groups them into storylines (``group_storylines``);
5. **enrich** — per story: off-topic filter, extractive summary, headline, dates, sources, and
   the extras: dated timeline, entities, disagreements (``enrich_members``);
6. **write** — Parquet tables ``articles``, ``memberships``, ``stories``, ``summaries``,
   ``timelines``, ``extras`` and ``meta`` (the embedder's name) under the output folder
   (``storyline import DIR`` loads them into SQLite).

With every article in one window, the story partition equals the embedded pipeline's on inputs of
up to one batch (512 articles); see ``docs/scale.md`` for where and why larger or multi-window
inputs differ. Run it with ``spark_run(...)``, ``storyline spark run``, or ``spark-submit``::

    python -m storyline.scale.job --input 'news/*.jsonl' --output out/ --master 'local[2]'
    job=$(python -c 'import storyline.scale.job as j; print(j.__file__)')
    spark-submit --master 'local[2]' "$job" --input 'news/*.jsonl' --output out/
"""

from __future__ import annotations

import argparse
import glob
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from storyline.cluster import group_storylines
from storyline.config import Settings
from storyline.embed import embedder_name
from storyline.errors import InputError, StorylineError, require
from storyline.ingest import iter_files
from storyline.ingest.base import IngestReport
from storyline.models import Article
from storyline.scale._stages import (
    Member,
    Prepared,
    WindowResult,
    arrow_uri,
    background,
    cluster_window,
    dedupe_keys,
    enrich_members,
    merge_reports,
    merge_windows,
    read_file,
    resolve_duplicates,
)

__all__ = ["SparkRunResult", "list_inputs", "main", "spark_run", "spark_session"]

log = logging.getLogger("storyline.scale")


@dataclass
class SparkRunResult:
    """What a Spark run did: counts, the merged ingest report, seconds per phase."""

    output: str
    report: IngestReport = field(default_factory=IngestReport)
    files: int = 0
    articles: int = 0
    renamed: int = 0
    duplicates: int = 0
    windows: int = 0
    stories: int = 0
    storylines: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


# -- inputs -------------------------------------------------------------------------------------


def list_inputs(pattern: str) -> list[str]:
    """The input files named by a glob (or a file, or a folder), sorted. Remote patterns
    (``s3://bucket/news/*.jsonl.gz``) are listed with ``pyarrow.fs``; only the file name part
    may hold wildcards there."""
    if "://" in pattern and not pattern.startswith("file://"):
        return _list_remote(pattern)
    local = os.path.expanduser(pattern.removeprefix("file://"))
    matches = sorted(glob.glob(local, recursive=True)) or ([local] if Path(local).exists() else [])
    if not matches:
        raise InputError(f"{pattern}: no input file matches")
    files = [str(p) for p, _ in iter_files(matches)]
    if not files:
        raise InputError(f"{pattern}: no input file (only empty folders)")
    return files


def _list_remote(pattern: str) -> list[str]:
    pafs = require("pyarrow.fs", "spark", "pyarrow")
    scheme = pattern.split("://", 1)[0]
    base = pattern.split("*", 1)[0].rsplit("/", 1)[0]
    filesystem, path = pafs.FileSystem.from_uri(arrow_uri(base))
    infos = filesystem.get_file_info(pafs.FileSelector(path, recursive=True))
    _, pattern_path = pattern.split("://", 1)
    if any(c in pattern_path for c in "*?["):
        parts = len(PurePosixPath(pattern_path).parts)

        def wanted(p: str) -> bool:  # "*" stays within one path component
            path = PurePosixPath(p)
            return len(path.parts) == parts and path.match(pattern_path)
    else:  # one object, or every object under a prefix
        def wanted(p: str) -> bool:
            return p == pattern_path or p.startswith(pattern_path.rstrip("/") + "/")
    found = sorted(
        f"{scheme}://{info.path}" for info in infos
        if info.type == pafs.FileType.File and wanted(info.path)
        and not Path(info.path).name.startswith((".", "_"))
    )
    if not found:
        raise InputError(f"{pattern}: no input file matches")
    return found


# -- session ------------------------------------------------------------------------------------


def spark_session(master: str | None = "local[2]", conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for storyline (UTC session time zone, quiet logs). Sets ``PYSPARK_PYTHON``
    to this interpreter and ``SPARK_LOCAL_IP`` to loopback unless they are set already.
    ``master=None`` keeps the master that ``spark-submit`` was given."""
    require("pyspark", "spark")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.appName("storyline")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
    )
    if master:
        builder = builder.master(master)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM could not start: say what is missing
        raise StorylineError(
            f"cannot start Spark ({exc.__class__.__name__}: {str(exc).splitlines()[0][:200]}); "
            "Spark needs Java 17 or 21 (apt-get install openjdk-17-jre-headless) and "
            "pip install 'storyline[spark]'"
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# -- the job ------------------------------------------------------------------------------------


def spark_run(
    input_glob: str,
    output_dir: str | Path,
    settings: Settings = Settings(),
    master: str | None = "local[2]",
    fmt: str | None = None,
    window_days: float = 1.0,
    spark: Any = None,
    conf: dict[str, str] | None = None,
) -> SparkRunResult:
    """Run the pipeline over every file matching ``input_glob`` on Spark and write Parquet
    tables under ``output_dir`` (see the module docstring). ``spark``: an existing SparkSession
    (else one is started on ``master``, and stopped at the end)."""
    if window_days <= 0:
        raise StorylineError("window_days must be positive")
    paths = list_inputs(input_glob)
    own = spark is None
    spark = spark or spark_session(master, conf)
    try:
        return _run(spark, paths, str(output_dir), settings, fmt, window_days)
    finally:
        if own:
            spark.stop()


class _Clock:
    def __init__(self, result: SparkRunResult) -> None:
        self.result, self.last = result, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.result.seconds[name] = round(now - self.last, 3)
        self.last = now
        log.info("spark: %s done in %.1f s", name, self.result.seconds[name])


def _run(
    spark: Any, paths: list[str], output: str, settings: Settings, fmt: str | None,
    window_days: float,
) -> SparkRunResult:
    from pyspark import StorageLevel

    sc = spark.sparkContext
    # Spark runs one task per core: one ONNX thread per task, unless the settings say otherwise
    settings = replace(settings, embed=replace(settings.embed, threads=settings.embed.threads or 1))
    result = SparkRunResult(output=output, files=len(paths))
    clock = _Clock(result)
    dedupe_settings = settings.dedupe

    def read_task(items: Iterator[tuple[int, str]]) -> Iterator[tuple[int, Any]]:
        for index, uri in items:
            prepared, report = read_file(index, uri, fmt, settings, window_days)
            for p in prepared:
                yield 0, p
            yield 1, report

    tagged = sc.parallelize(list(enumerate(paths)), len(paths)).mapPartitions(read_task)
    tagged.persist(StorageLevel.MEMORY_AND_DISK)
    result.report = merge_reports(r for _, r in tagged.filter(lambda t: t[0] == 1).collect())
    raw = tagged.filter(lambda t: t[0] == 0).map(lambda t: t[1])

    # ids repeated across files: renumber the later occurrences (file order)
    repeated = (raw.map(lambda p: (p.article.id, (p.order[3], p.order[4])))
                .groupByKey().filter(lambda kv: len(kv[1]) > 1)
                .mapValues(sorted).collect())
    renames = _renames(repeated)
    result.renamed = len(renames)
    renames_b = sc.broadcast(renames)

    def rename(p: Prepared) -> Prepared:
        new = renames_b.value.get((p.article.id, p.order[3], p.order[4]))
        return p if new is None else replace(p, article=replace(p.article, id=new))

    prepared = raw.map(rename) if renames else raw
    prepared.persist(StorageLevel.MEMORY_AND_DISK)
    result.articles = prepared.count()
    tagged.unpersist()
    clock.lap("read")

    # corpus-wide duplicates: shared hash or LSH band -> suspects -> sequential Deduper on driver
    suspect_ids = set(
        prepared.flatMap(lambda p: dedupe_keys(p, dedupe_settings))
        .groupByKey().flatMap(lambda kv: list(kv[1]) if len(kv[1]) > 1 else [])
        .distinct().collect()
    )
    suspects_b = sc.broadcast(suspect_ids)
    suspects = (prepared.filter(lambda p: p.article.id in suspects_b.value)
                .map(lambda p: (p.order, p.article.id, p.content_hash, p.signature)).collect())
    duplicates = resolve_duplicates(suspects, dedupe_settings)
    result.duplicates = len(duplicates)
    dups_b = sc.broadcast(duplicates)
    clock.lap("dedupe")

    # per-window clustering, then the driver merges the windows
    originals = prepared.filter(lambda p: p.article.id not in dups_b.value)
    windows = sorted(originals.map(lambda p: p.window).distinct().collect())
    result.windows = len(windows)
    parts = max(1, min(len(windows), sc.defaultParallelism * 4))
    window_results = (
        originals.map(lambda p: (p.window, p)).groupByKey(parts)
        .map(lambda kv: _cluster_task(kv[0], kv[1], settings))
    )
    window_results.persist(StorageLevel.MEMORY_AND_DISK)
    states = window_results.map(lambda r: WindowResult(r[0].window, [], r[0].states)).collect()
    clock.lap("cluster")
    mapping, stories = merge_windows(states, settings.cluster)
    storylines = group_storylines(stories, settings.cluster)
    result.stories, result.storylines = len(stories), len(set(storylines.values()))
    mapping_b = sc.broadcast(mapping)
    clock.lap("merge")

    # memberships: originals carry their window story -> global story; duplicates follow theirs
    assigned = window_results.flatMap(
        lambda r: [(article.id, (order, mapping_b.value[(r[0].window, local)], vector, article))
                   for (order, _, local, vector), article in zip(r[0].assigned, r[1], strict=True)]
    )
    assigned.persist(StorageLevel.MEMORY_AND_DISK)
    dup_members = (
        prepared.filter(lambda p: p.article.id in dups_b.value)
        .map(lambda p: (dups_b.value[p.article.id], p))
        .join(assigned.mapValues(lambda v: v[1]))
        .map(lambda kv: (kv[1][1], Member(kv[1][0].order, kv[1][0].article, None, kv[0])))
    )
    members = assigned.map(lambda kv: (kv[1][1], Member(kv[1][0], kv[1][3], kv[1][2], None)))
    storylines_b = sc.broadcast(storylines)
    background_b = sc.broadcast(background(stories))
    enriched = (
        members.union(dup_members)
        .groupByKey(max(1, min(len(stories), sc.defaultParallelism * 2)))
        .map(lambda kv: enrich_members(kv[0], storylines_b.value.get(kv[0], kv[0]), kv[1],
                                       settings, background_b.value))
        .collect()
    )
    clock.lap("enrich")

    _write(spark, output, prepared, assigned, dups_b, enriched, stories,
           embedder_name(settings.embed))
    clock.lap("write")
    for rdd in (prepared, window_results, assigned):
        rdd.unpersist()
    return result


def _cluster_task(
    window: int, items: Any, settings: Settings
) -> tuple[WindowResult, list[Article]]:
    ordered = sorted(items, key=lambda p: p.order)
    res = cluster_window(window, ordered, settings)
    return res, [p.article for p in ordered]


def _renames(repeated: list[tuple[str, list[tuple[int, int]]]]) -> dict[tuple[str, int, int], str]:
    """(id, file, record) -> new id for every occurrence of an id after its first one."""
    out: dict[tuple[str, int, int], str] = {}
    for doc_id, places in repeated:
        for n, (file, rec) in enumerate(places[1:], start=2):
            out[(doc_id, file, rec)] = f"{doc_id}~{n}"
    return out


# -- output -------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _write(
    spark: Any, output: str, prepared: Any, assigned: Any, dups_b: Any,
    enriched: list[Any], stories: list[Any], embedder: str,
) -> None:
    from pyspark.sql import types as T

    sc = spark.sparkContext
    off = {i for story, _ in enriched for i in story.off_topic}
    off_b = sc.broadcast(off)
    story_of = assigned.mapValues(lambda v: v[1])
    dup_story = (prepared.filter(lambda p: p.article.id in dups_b.value)
                 .map(lambda p: (dups_b.value[p.article.id], p)).join(story_of)
                 .map(lambda kv: (kv[1][0], kv[1][1], None)))
    originals = (prepared.filter(lambda p: p.article.id not in dups_b.value)
                 .map(lambda p: (p.article.id, p)).join(assigned)
                 .map(lambda kv: (kv[1][0], kv[1][1][1], kv[1][1][2])))

    def article_row(t: tuple[Prepared, str, bytes | None]) -> tuple[Any, ...]:
        p, story, vector = t
        a = p.article
        original = dups_b.value.get(a.id)
        is_off = a.id in off_b.value or (original is not None and original in off_b.value)
        return (a.id, a.title, a.text, a.time, _iso(a.time), a.source, a.url, a.origin,
                p.content_hash, original, story, is_off, p.signature, vector,
                p.order[0], p.order[3], p.order[4])

    article_schema = T.StructType([
        T.StructField("id", T.StringType(), False),
        T.StructField("title", T.StringType()),
        T.StructField("text", T.StringType()),
        T.StructField("time", T.TimestampType()),
        T.StructField("time_iso", T.StringType()),
        T.StructField("source", T.StringType()),
        T.StructField("url", T.StringType()),
        T.StructField("origin", T.StringType()),
        T.StructField("content_hash", T.StringType()),
        T.StructField("duplicate_of", T.StringType()),
        T.StructField("story_id", T.StringType()),
        T.StructField("off_topic", T.BooleanType()),
        T.StructField("signature", T.BinaryType()),
        T.StructField("vector", T.BinaryType()),
        T.StructField("window", T.LongType()),
        T.StructField("file", T.LongType()),
        T.StructField("record", T.LongType()),
    ])
    articles = spark.createDataFrame(originals.union(dup_story).map(article_row), article_schema)
    articles.write.mode("overwrite").parquet(f"{output}/articles")
    spark.read.parquet(f"{output}/articles").select(
        "id", "story_id", "duplicate_of", "off_topic"
    ).withColumnRenamed("id", "article_id").write.mode("overwrite").parquet(f"{output}/memberships")

    state_of = {s.id: s for s in stories}
    story_rows, summary_rows, timeline_rows, extras_rows = [], [], [], []
    for story, extras in enriched:
        st = state_of[story.id]
        story_rows.append((
            story.id, story.storyline_id, story.headline, len(story.members),
            list(story.sources), story.start, story.end, list(story.off_topic),
            np.asarray(st.vector_sum, dtype=np.float32).tobytes(), st.count, _iso(st.first),
            _iso(st.last), json.dumps(st.terms), json.dumps(st.doc_freq),
        ))
        for pos, s in enumerate(story.summary.sentences):
            summary_rows.append((story.id, pos, s.text, list(s.articles), s.time))
        for pos, entry in enumerate(extras.timeline or ()):
            timeline_rows.append((story.id, pos, date.fromisoformat(entry["date"]),
                                  entry["text"], list(entry["articles"])))
        extras_rows.append((story.id, *(None if v is None else json.dumps(v) for v in (
            extras.timeline, extras.entities, extras.disagreements))))
    strings = T.ArrayType(T.StringType())
    story_schema = T.StructType([
        T.StructField("id", T.StringType(), False),
        T.StructField("storyline_id", T.StringType()),
        T.StructField("headline", T.StringType()),
        T.StructField("size", T.LongType()),
        T.StructField("sources", strings),
        T.StructField("start", T.TimestampType()),
        T.StructField("end", T.TimestampType()),
        T.StructField("off_topic", strings),
        T.StructField("state_vector", T.BinaryType()),
        T.StructField("state_count", T.LongType()),
        T.StructField("state_first", T.StringType()),
        T.StructField("state_last", T.StringType()),
        T.StructField("state_terms", T.StringType()),
        T.StructField("state_doc_freq", T.StringType()),
    ])
    summary_schema = T.StructType([
        T.StructField("story_id", T.StringType(), False),
        T.StructField("position", T.LongType()),
        T.StructField("text", T.StringType()),
        T.StructField("articles", strings),
        T.StructField("time", T.TimestampType()),
    ])
    timeline_schema = T.StructType([
        T.StructField("story_id", T.StringType(), False),
        T.StructField("position", T.LongType()),
        T.StructField("date", T.DateType()),
        T.StructField("text", T.StringType()),
        T.StructField("articles", strings),
    ])
    extras_schema = T.StructType([
        T.StructField("story_id", T.StringType(), False),
        T.StructField("timeline", T.StringType()),
        T.StructField("entities", T.StringType()),
        T.StructField("disagreements", T.StringType()),
    ])
    meta_schema = T.StructType([
        T.StructField("key", T.StringType(), False),
        T.StructField("value", T.StringType()),
    ])
    for name, rows, schema in (("meta", [("embedder", embedder)], meta_schema),
                               ("stories", story_rows, story_schema),
                               ("summaries", summary_rows, summary_schema),
                               ("timelines", timeline_rows, timeline_schema),
                               ("extras", extras_rows, extras_schema)):
        frame = spark.createDataFrame(sc.parallelize(rows, max(1, min(8, len(rows) // 5000 + 1))),
                                      schema)
        frame.write.mode("overwrite").parquet(f"{output}/{name}")


# -- spark-submit entry point --------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m storyline.scale.job --input GLOB --output DIR`` (also under spark-submit,
    where ``--master`` comes from spark-submit and is not passed here)."""
    parser = argparse.ArgumentParser(prog="storyline.scale.job", description=__doc__.split("\n")[0])
    parser.add_argument("--input", required=True, help="input files: a glob, a file or a folder")
    parser.add_argument("--output", required=True, help="output folder for the Parquet tables")
    parser.add_argument("--master", default=None, help="Spark master (default: spark-submit's, "
                        "else local[2])")
    parser.add_argument("--format", default=None, help="force an input format")
    parser.add_argument("--window-days", type=float, default=1.0, help="clustering window")
    parser.add_argument("--embedder", default=None, help="minilm, tfidf or static")
    parser.add_argument("--config", default=None, help="settings TOML file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_toml(args.config) if args.config else Settings()
    if args.embedder:
        settings = settings.with_overrides({"embed": {"model": args.embedder}})
    # under spark-submit the driver already has its master (and a gateway port): keep it
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ
    master = args.master or (None if submitted else "local[2]")
    try:
        result = spark_run(args.input, args.output, settings, master, args.format, args.window_days)
    except StorylineError as exc:
        print(f"storyline: {exc}", file=sys.stderr)
        return 2
    print(f"storyline: {result.report.summary()}", file=sys.stderr)
    print(
        f"storyline: {result.articles} articles ({result.duplicates} duplicates) in "
        f"{result.windows} window(s) -> {result.stories} stories, {result.storylines} storylines; "
        f"Parquet in {result.output}; seconds {json.dumps(result.seconds)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
