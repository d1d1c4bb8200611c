"""Throughput of the whole pipeline, per stage, and peak memory: embedded and on Spark.

Every measurement runs in a fresh subprocess (so peak RSS is that run's own, models included)
over a synthetic stream made at run time by ``benchmarks/gen_articles.py`` from the evaluation
sets (written to /tmp, never committed). Figures are printed as one JSON line per run and a
table; ``docs/performance.md`` quotes them with the commands.

    # embedded pipeline (storyline.pipeline.run into a fresh SQLite store), 1k and 10k articles
    python benchmarks/bench_pipeline.py embedded --sizes 1000 10000 --embedder minilm
    python benchmarks/bench_pipeline.py embedded --sizes 1000 10000 --embedder static
    # Spark local mode on the same input, with 1 and 2 cores
    python benchmarks/bench_pipeline.py spark --sizes 10000 --masters 'local[1]' 'local[2]'
    # what a fix would buy: the same run with a setting changed
    python benchmarks/bench_pipeline.py embedded --sizes 1000 --set enrich.entities=heuristic
    # profile one embedded run (pyinstrument): hot spots to stdout
    python benchmarks/bench_pipeline.py profile --sizes 1000 --embedder minilm
    # CPU per sequence of MiniLM by length (float32, int8), per article of spaCy NER by characters
    python benchmarks/bench_pipeline.py unit-costs

Stage times of the embedded run are *inclusive of the outermost stage*: the pipeline's calls to
``read_inputs``, ``normalize``, ``Deduper.check``, ``Embedder.encode``, ``OnlineClusterer``,
the store writes and ``enrich_stories`` are timed by wrapping them for the benchmark only, and a
call made inside another timed call (the store writes of ``enrich_stories``) counts for the outer
one. Stage CPU is this process's: enrichment in worker processes (``enrich.workers``) shows in
the run's total CPU (the whole process tree), not in ``stages_cpu``. So does the preparation of
batches ahead of the main loop when there are workers and more than one batch (normalize,
MinHash signatures and, for the static/tfidf embedders, the lead vectors: ``pipeline._prepare``),
so the ``normalize`` and ``embed`` stages then do not appear, and time the main loop spends
waiting for a prepared batch counts as ``other``. Per-stage CPU also absorbs the main process's
pool threads (unpickling prepared batches), so compare the total, not the stages, across modes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BENCH_DIR = Path(os.environ.get("STORYLINE_BENCH_DIR", "/tmp/storyline-bench"))


# -- input -------------------------------------------------------------------------------------


def ensure_input(n: int, per_day: int) -> Path:
    """The folder of the generated ``n``-article stream (generated once, then reused)."""
    folder = BENCH_DIR / f"n{n}-d{per_day}"
    if not (folder / ".done").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "gen_articles.py"), "--n", str(n),
             "--out", str(folder), "--per-day", str(per_day)],
            check=True,
        )
        (folder / ".done").write_text("ok\n")
    return folder


# -- memory ------------------------------------------------------------------------------------


class TreeRSS:
    """Samples the resident memory of this process and all its children (the JVM and Python
    workers of a Spark run) every ``every`` seconds; ``peak`` in bytes."""

    def __init__(self, every: float = 0.25) -> None:
        import psutil

        self.proc = psutil.Process()
        self.every = every
        self.peak = 0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
                times = p.cpu_times()
                self._cpu[p.pid] = times.user + times.system
            except Exception:  # a child that just exited
                continue
        return total

    @property
    def cpu_seconds(self) -> float:
        """CPU time of this process and every child seen (last sample of each)."""
        return sum(self._cpu.values())

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.every)

    def __enter__(self) -> TreeRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


# -- embedded run, timed per stage ---------------------------------------------------------------


class StageClock:
    """Inclusive time (wall and process CPU) of the outermost timed call, per stage name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.depth = 0

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return fn(*args, **kwargs)
            self.depth += 1
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.cpu[name] += time.process_time() - cpu
                self.calls[name] += 1
                self.depth -= 1

        return timed

    def wrap_iter(
        self, name: str, fn: Callable[..., Iterator[Any]]
    ) -> Callable[..., Iterator[Any]]:
        """Time each ``next()`` of the iterator ``fn`` returns."""

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            it = iter(fn(*args, **kwargs))
            step = self.wrap(name, lambda: next(it, _END))
            while (item := step()) is not _END:
                yield item

        return timed


_END = object()


def _instrument(clock: StageClock) -> None:
    import storyline.pipeline as pipeline
    from storyline.cluster.online import OnlineClusterer
    from storyline.dedupe import Deduper
    from storyline.store import Store

    pipeline.read_inputs = clock.wrap_iter("ingest", pipeline.read_inputs)  # type: ignore[assignment]
    pipeline.normalize = clock.wrap_iter("normalize", pipeline.normalize)  # type: ignore[assignment]
    Deduper.check = clock.wrap("dedupe", Deduper.check)  # type: ignore[method-assign]
    Deduper.check_signed = clock.wrap("dedupe", Deduper.check_signed)  # type: ignore[method-assign]
    Deduper.signature = clock.wrap("dedupe", Deduper.signature)  # type: ignore[method-assign]
    real_get = pipeline.get_embedder

    class Timed:
        def __init__(self, inner: Any) -> None:
            self.inner, self.name, self.dim = inner, inner.name, inner.dim
            self.encode = clock.wrap("embed", inner.encode)

    def timed_get(settings: Any) -> Any:
        return Timed(real_get(settings))

    pipeline.get_embedder = timed_get  # type: ignore[assignment]
    OnlineClusterer.assign = clock.wrap("cluster", OnlineClusterer.assign)  # type: ignore[method-assign]
    OnlineClusterer.storylines = clock.wrap("cluster", OnlineClusterer.storylines)  # type: ignore[method-assign]
    for method in ("add_articles", "save_states", "update_storylines", "known_ids", "story_of",
                   "transaction"):
        setattr(Store, method, clock.wrap("store", getattr(Store, method)))
    pipeline.enrich_stories = clock.wrap_iter("enrich", pipeline.enrich_stories)  # type: ignore[assignment]


def _settings(embedder: str, overrides: list[str]) -> Any:
    """Settings with the embedder and ``section.key=value`` overrides (JSON values or text)."""
    from storyline.config import Settings

    tree: dict[str, Any] = {"embed": {"model": embedder}}
    for item in overrides:
        key, _, raw = item.partition("=")
        section, _, name = key.partition(".")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        tree.setdefault(section, {})[name] = value
    return Settings().with_overrides(tree)


def run_embedded(
    folder: Path, embedder: str, overrides: list[str], profile: bool = False
) -> dict[str, Any]:
    from storyline.pipeline import run
    from storyline.store import Store

    settings = _settings(embedder, overrides)
    clock = StageClock()
    if not profile:
        _instrument(clock)
    paths = sorted(folder.glob("*.jsonl"))
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp, TreeRSS() as rss:
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.005)
            profiler.start()
        start = time.perf_counter()
        with Store(Path(tmp) / "bench.db") as store:
            result = run(paths, store, settings)
            stories = store.db.execute("SELECT count(*) FROM stories").fetchone()[0]
        total = time.perf_counter() - start
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
    n = result.report.read
    stages = {k: round(v, 2) for k, v in clock.seconds.items()}
    cpu = {k: round(v, 2) for k, v in clock.cpu.items()}
    if stages:
        stages["other"] = round(total - sum(clock.seconds.values()), 2)
    return {
        "mode": "embedded", "embedder": embedder, "set": overrides, "articles": n,
        "new": result.new,
        "duplicates": result.duplicates, "stories": stories, "seconds": round(total, 2),
        "articles_per_s": round(n / total, 1), "stages": stages, "stages_cpu": cpu,
        "cpu_seconds": round(rss.cpu_seconds, 2),
        "articles_per_cpu_s": round(n / max(rss.cpu_seconds, 1e-9), 1),
        "peak_rss_mb": round(rss.peak / 2**20), "maxrss_self_mb":
            round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def run_spark(folder: Path, embedder: str, overrides: list[str], master: str) -> dict[str, Any]:
    from storyline.scale import spark_run

    settings = _settings(embedder, overrides)
    with tempfile.TemporaryDirectory(prefix="storyline-bench-spark-") as tmp, TreeRSS() as rss:
        start = time.perf_counter()
        result = spark_run(str(folder / "*.jsonl"), Path(tmp) / "out", settings, master=master)
        total = time.perf_counter() - start
    n = result.report.read
    return {
        "mode": "spark", "master": master, "embedder": embedder, "set": overrides,
        "articles": n,
        "duplicates": result.duplicates, "windows": result.windows, "stories": result.stories,
        "seconds": round(total, 2), "articles_per_s": round(n / total, 1),
        "stages": result.seconds, "startup": round(total - sum(result.seconds.values()), 2),
        "cpu_seconds": round(rss.cpu_seconds, 2),
        "articles_per_cpu_s": round(n / max(rss.cpu_seconds, 1e-9), 1),
        "peak_rss_mb": round(rss.peak / 2**20),
    }


# -- per-unit costs of the two models --------------------------------------------------------------


def unit_costs(folder: Path) -> None:
    """CPU milliseconds per sequence of MiniLM by length (one thread, one sequence per call as
    ``embed.batch_size`` does), float32 and int8 (``embed.quantize``), and per article of spaCy
    NER by the characters it reads (``enrich.entities_chars``)."""
    import numpy as np

    from storyline.embed.minilm import MiniLMEmbedder
    from storyline.enrich.entities import SpacyExtractor
    from storyline.ingest import read_inputs
    from storyline.normalize import normalize

    for quantize in (False, True):
        model = MiniLMEmbedder(threads=1, quantize=quantize)
        feeds = {i.name for i in model.session.get_inputs()}
        for tokens in (16, 32, 64, 128):
            ids = np.ones((1, tokens), dtype=np.int64)
            one = {"input_ids": ids, "attention_mask": ids, "token_type_ids": np.zeros_like(ids)}
            one = {k: v for k, v in one.items() if k in feeds}
            model.session.run(None, one)
            cpu = time.process_time()
            for _ in range(100):
                model.session.run(None, one)
            print(f"MiniLM {'int8' if quantize else 'float32'}, {tokens:>3} tokens: "
                  f"{(time.process_time() - cpu) * 10:6.2f} ms CPU per sequence")
    docs = list(normalize(read_inputs(sorted(folder.glob("*.jsonl")))))[:600]
    texts = [f"{d.title}\n{d.body}" for d in docs]
    ner = SpacyExtractor()
    ner.extract(texts[:20])
    for chars in (500, 600, 800, 1500):
        ner.max_chars = chars
        cpu = time.process_time()
        ner.extract(texts)
        print(f"spaCy NER, {chars:>4} chars: {(time.process_time() - cpu) / len(texts) * 1000:6.2f}"
              " ms CPU per article")


# -- driver --------------------------------------------------------------------------------------


def _child(args: argparse.Namespace) -> None:
    folder = Path(args.input)
    if args.command == "spark":
        out = run_spark(folder, args.embedder, args.set, args.masters[0])
    else:
        out = run_embedded(folder, args.embedder, args.set, profile=args.command == "profile")
    print("RESULT " + json.dumps(out), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("embedded", "spark", "profile", "unit-costs"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--embedder", default="minilm", help="minilm, static or tfidf")
    parser.add_argument("--masters", nargs="+", default=["local[2]"], help="Spark masters")
    parser.add_argument("--per-day", type=int, default=1000, help="articles per day of input")
    parser.add_argument("--set", nargs="*", action="extend", default=[],
                        metavar="SECTION.KEY=VALUE",
                        help="settings overrides, e.g. enrich.entities=heuristic")
    parser.add_argument("--input", help=argparse.SUPPRESS)  # set in the measuring subprocess
    parser.add_argument("--json", type=Path, help="append the JSON results to this file")
    args = parser.parse_args()
    if args.input:
        _child(args)
        return
    if args.command == "unit-costs":
        unit_costs(ensure_input(args.sizes[0], args.per_day))
        return
    results = []
    for n in args.sizes:
        folder = ensure_input(n, args.per_day)
        for master in (args.masters if args.command == "spark" else [None]):
            cmd = [sys.executable, __file__, args.command, "--input", str(folder),
                   "--embedder", args.embedder]
            if master:
                cmd += ["--masters", master]
            if args.set:
                cmd += ["--set", *args.set]
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if args.command == "profile":
                print(proc.stdout)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode or not lines:
                print(proc.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"benchmark run failed: {' '.join(cmd)}")
            result = json.loads(lines[-1][7:])
            results.append(result)
            print(json.dumps(result), flush=True)
            if args.json:
                with open(args.json, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(result) + "\n")
    print(f"\n{'mode':<9}{'where':<10}{'embedder':<9}{'articles':>9}{'seconds':>9}{'art/s':>8}"
          f"{'cpu s':>8}{'art/cpu-s':>10}{'peak MB':>9}  stages (s)")
    for r in results:
        where = r.get("master", "")
        stages = " ".join(f"{k}={v}" for k, v in r["stages"].items())
        print(f"{r['mode']:<9}{where:<10}{r['embedder']:<9}{r['articles']:>9}{r['seconds']:>9}"
              f"{r['articles_per_s']:>8}{r['cpu_seconds']:>8}{r['articles_per_cpu_s']:>10}"
              f"{r['peak_rss_mb']:>9}  {stages}")


if __name__ == "__main__":
    main()
