"""Ingest throughput on generated inputs (and on ../shared/datasets when present).

Prints records/s and MB/s for the core readers (JSONL, text pile, CSV, gzip), HTML pages/s
through extraction, WARC MB/s, feed entries/s, and peak Python memory while streaming.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_ingest.py [--scale 1.0] [--memory]

Everything is generated in a temporary folder and deleted afterwards; nothing touches the network.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import logging
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from storyline.ingest import IngestReport, read_inputs

MB = 1024 * 1024
MEMORY = False  # set by --memory
_WORD_LIST = (
    "council harbour ferry terminal vote minister storm port bridge police court budget "
    "election strike rail union talks agreement flood river dam engineers report city mayor "
    "protest hospital school fire crews evacuated quake rescue aid officials said on tuesday"
)
WORDS = _WORD_LIST.split()


def sentence(rng: random.Random, n: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def article_html(rng: random.Random, i: int) -> str:
    paragraphs = "".join(
        f"<p>{' '.join(sentence(rng) for _ in range(4))}</p>" for _ in range(rng.randint(4, 9))
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Story {i} | Daily</title>"
        f"<link rel='canonical' href='https://news.example.org/{i}?utm_source=x'>"
        "<meta property='article:published_time' content='2024-02-03T10:00:00Z'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>Story number {i}</h1>{paragraphs}</article>"
        "<aside><ul><li><a href='/x'>Most read</a></li><li><a href='/y'>More</a></li></ul></aside>"
        "<footer>Copyright Daily</footer></body></html>"
    )


def timed(label: str, path: Path, fmt: str | None = None, unit: str = "records") -> None:
    """Throughput of one read (no tracing), then peak Python memory of a second, traced read
    when ``--memory`` is given (tracemalloc slows reading several times)."""
    report = IngestReport()
    size = path.stat().st_size
    start = time.perf_counter()
    count = sum(1 for _ in read_inputs([path], fmt=fmt, report=report))
    elapsed = time.perf_counter() - start
    line = (
        f"{label:<28} {count:>8} {unit:<8} {elapsed:7.2f} s  {count / elapsed:10.0f} {unit}/s  "
        f"{size / MB / elapsed:7.1f} MB/s  ({size / MB:.1f} MB file)"
    )
    if MEMORY:
        tracemalloc.start()
        sum(1 for _ in read_inputs([path], fmt=fmt))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        line += f"  peak {peak / MB:.1f} MB"
    print(line, flush=True)
    if report.total_skipped:
        print(f"{'':<28} {report.summary()}")


def make(path: Path, write: Callable[[io.TextIOBase], None], compress: bool = False) -> Path:
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as fh:
        write(fh)
    return path


def bench_core(tmp: Path, rng: random.Random, scale: float) -> None:
    n = int(40_000 * scale)

    def jsonl(fh: io.TextIOBase) -> None:
        for i in range(n):
            record = {
                "id": f"a{i}",
                "title": sentence(rng, 8),
                "text": " ".join(sentence(rng) for _ in range(8)),
                "time": "2024-02-03T10:00:00Z",
                "url": f"https://news.example.org/{i}",
            }
            fh.write(json.dumps(record) + "\n")

    def pile(fh: io.TextIOBase) -> None:
        for _ in range(n):
            fh.write(sentence(rng, 8).rstrip(".") + "\n\n" + sentence(rng, 24) + "\n\n")

    def table(fh: io.TextIOBase) -> None:
        fh.write("id,title,text,date,publisher\n")
        for i in range(n):
            fh.write(f'{i},"{sentence(rng, 8)}","{sentence(rng, 30)}",2024-02-03,Daily\n')

    timed("jsonl", make(tmp / "a.jsonl", jsonl))
    timed("jsonl.gz", make(tmp / "a.jsonl.gz", jsonl, compress=True))
    timed("text pile", make(tmp / "p.txt", pile))
    timed("csv", make(tmp / "t.csv", table))


def bench_html(tmp: Path, rng: random.Random, scale: float) -> None:
    folder = tmp / "pages"
    folder.mkdir()
    n = int(300 * scale)
    for i in range(n):
        (folder / f"{i:05d}.html").write_text(article_html(rng, i), encoding="utf-8")
    size = sum(p.stat().st_size for p in folder.iterdir())
    report = IngestReport()
    start = time.perf_counter()
    count = sum(1 for _ in read_inputs([folder], report=report))
    elapsed = time.perf_counter() - start
    print(
        f"{'html pages (trafilatura)':<28} {count:>8} pages    {elapsed:7.2f} s  "
        f"{count / elapsed:10.1f} pages/s  {size / MB / elapsed:7.2f} MB/s",
        flush=True,
    )


def bench_warc(tmp: Path, rng: random.Random, scale: float) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp / "crawl.warc.gz"
    n = int(300 * scale)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(n):
            for ctype, payload in (
                ("text/html; charset=utf-8", article_html(rng, i).encode()),
                ("image/jpeg", bytes(rng.getrandbits(8) for _ in range(20_000))),
            ):
                headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    f"https://news.example.org/{i}",
                    "response",
                    payload=io.BytesIO(payload),
                    http_headers=headers,
                )
                writer.write_record(record)
    timed("warc.gz (html + jpeg)", path, unit="pages")


def bench_feed(tmp: Path, rng: random.Random, scale: float) -> None:
    n = int(3000 * scale)
    items = "".join(
        f"<item><title>{sentence(rng, 8)}</title><link>https://news.example.org/{i}</link>"
        f"<guid>urn:x:{i}</guid><pubDate>Tue, 06 Feb 2024 10:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;{sentence(rng, 40)}&lt;/p&gt;</description></item>"
        for i in range(n)
    )
    path = tmp / "big.rss"
    path.write_text(
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Big</title>{items}"
        "</channel></rss>",
        encoding="utf-8",
    )
    timed("rss feed", path, unit="entries")


def bench_datasets() -> None:
    from storyline.eval.datasets import datasets_dir

    root = datasets_dir()
    if not root.is_dir():
        print(f"(datasets not found at {root}: skipped)")
        return
    for rel in ("duc2006/clusters.jsonl", "uci-news/headlines.csv"):
        if (root / rel).exists():
            timed(f"dataset {rel.split('/')[0]}", root / rel)
    t17 = root / "t17"
    if t17.is_dir():
        report = IngestReport()
        start = time.perf_counter()
        count = sum(1 for _ in read_inputs([t17], report=report))
        elapsed = time.perf_counter() - start
        label = "dataset t17 (folder)"
        print(f"{label:<28} {count:>8} records  {elapsed:7.2f} s  {report.summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="input size multiplier")
    parser.add_argument("--memory", action="store_true", help="also trace peak memory (slow)")
    args = parser.parse_args()
    global MEMORY
    MEMORY = args.memory
    logging.basicConfig(level=logging.ERROR)
    rng = random.Random(7)
    print(f"python {sys.version.split()[0]}; scale {args.scale}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        tmp_path = Path(tmp)
        bench_core(tmp_path, rng, args.scale)
        try:
            bench_html(tmp_path, rng, args.scale)
            bench_warc(tmp_path, rng, args.scale)
            bench_feed(tmp_path, rng, args.scale)
        except ImportError as exc:
            print(f"(feeds extra not installed: {exc})")
    bench_datasets()


if __name__ == "__main__":
    main()
