"""Load benchmark of the web UI: a synthetic store of 100k articles, a real uvicorn server on
loopback, 50 concurrent clients per endpoint for a bounded time; prints p50/p99 latency, req/s
and errors for the front page, story pages and searches (HTML; ``--api`` adds the JSON twins).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_serve.py                # 100k, 20 s each
    PYTHONPATH=src .venv/bin/python benchmarks/bench_serve.py --articles 20000 --seconds 5

The store is built by inserting rows directly (generated text, no embedding pipeline) through the
real schema, so the FTS triggers and indexes are the ones the app uses. It is cached at ``--db``
and reused while its size matches. Goal: p50 < 200 ms, no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storyline.store import Store  # noqa: E402
from storyline.store.queries import write_story_extras  # noqa: E402

SYLLABLES = ["ka", "ri", "to", "men", "sa", "lo", "ver", "an", "dor", "el", "ix", "pu", "ra",
             "ton", "bel", "qua", "mi", "zor", "ste", "ul"]
START = datetime(2025, 1, 1, tzinfo=UTC)


def _vocabulary(rng: random.Random, n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _sentence(rng: random.Random, common: list[str], topic: list[str], n: int) -> str:
    words = [rng.choice(topic) if rng.random() < 0.3 else rng.choice(common) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def build_store(path: Path, n_articles: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """A store of ``n_articles`` synthetic articles in power-law sized stories; returns the ids
    of the stories and a list of query words."""
    rng = random.Random(seed)
    common = _vocabulary(rng, 4000)
    sources = [f"{rng.choice(common).title()} {rng.choice(['Times', 'Post', 'Wire', 'Radio'])}"
               for _ in range(300)]
    entities = [f"{rng.choice(common).title()} {rng.choice(common).title()}" for _ in range(2000)]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    story_ids: list[str] = []
    t0 = time.perf_counter()
    with Store(path) as store:
        made = 0
        s = 0
        while made < n_articles:
            size = min(int(rng.paretovariate(1.2)) + 1, 400, n_articles - made)
            s += 1
            story_id = f"s-{s:06d}"
            story_ids.append(story_id)
            topic = [rng.choice(common) for _ in range(12)]
            begin = START + timedelta(hours=rng.uniform(0, 60 * 24))
            rows = []
            for k in range(size):
                aid = f"a-{made + k:07d}"
                when = begin + timedelta(hours=rng.expovariate(1 / 20))
                dup = rows[-1]["id"] if k and rng.random() < 0.05 else None
                title = _sentence(rng, common, topic, rng.randint(6, 12))[:-1]
                text = " ".join(_sentence(rng, common, topic, rng.randint(8, 20))
                                for _ in range(rng.randint(3, 7)))
                rows.append({
                    "id": aid, "title": title, "text": text, "time": when,
                    "source": rng.choice(sources), "url": f"https://news.example/{aid}",
                    "origin": "bench", "content_hash": aid, "duplicate_of": dup,
                    "story_id": story_id, "signature": None, "vector": None,
                })
            made += size
            times = sorted(r["time"] for r in rows)
            summary = [{"text": rows[i]["text"].split(".")[0] + ".",
                        "articles": [rows[i]["id"]], "time": rows[i]["time"].isoformat()}
                       for i in range(min(3, size))]
            with store.transaction():
                store.add_articles(rows)
                store.db.execute(
                    """INSERT INTO stories (id, storyline_id, headline, summary, size, sources,
                    start, end, dirty, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)""",
                    (story_id, f"l-{(s + 2) // 3:06d}", rows[0]["title"], json.dumps(summary),
                     size, json.dumps(sorted({r["source"] for r in rows})),
                     times[0].isoformat(), times[-1].isoformat(), "bench"))
                if rng.random() < 0.02 and size > 3:
                    store.db.execute("UPDATE articles SET off_topic = 1 WHERE id = ?",
                                     (rows[-1]["id"],))
                write_story_extras(
                    store.db, story_id,
                    entities=[{"name": rng.choice(entities), "label": "PERSON",
                               "mentions": rng.randint(1, 9)} for _ in range(5)],
                    timeline=[{"date": t.date().isoformat(), "text": r["title"],
                               "articles": [r["id"]]}
                              for t, r in zip(times[:5], rows, strict=False)],
                )
    print(f"built {path}: {n_articles} articles, {len(story_ids)} stories "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)
    return story_ids, common


def _store_matches(path: Path, n_articles: int) -> list[str] | None:
    if not path.exists():
        return None
    try:
        with Store(path) as store:
            if store.count_articles() != n_articles:
                return None
            return [r[0] for r in store.db.execute("SELECT id FROM stories ORDER BY id")]
    except Exception:
        return None


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)


async def _fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str,
                 url: str) -> int:
    """One GET on a kept-alive HTTP/1.1 connection; returns the status (body read whole)."""
    writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:])
                   if k.lower() == "content-length"), None)
    if length is None:
        raise ConnectionError("response without content-length")
    await reader.readexactly(length)
    return status


async def _load(base: str, urls: list[str], seconds: float, clients: int) -> tuple[Result, float]:
    """``clients`` workers, each on its own keep-alive connection, GET urls until the deadline.
    (A raw asyncio client: a pooled Python HTTP client would be the bottleneck, not the server.)"""
    host, port = base.removeprefix("http://").split(":")
    result = Result()
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        i = k
        try:
            while time.perf_counter() < deadline:
                url = urls[i % len(urls)]
                i += clients
                t = time.perf_counter()
                try:
                    status = await _fetch(reader, writer, host, url)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    result.errors += 1
                    kind = type(exc).__name__
                    result.failures[kind] = result.failures.get(kind, 0) + 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                    continue
                result.latencies.append(time.perf_counter() - t)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status != 200:
                    result.errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    return result, time.perf_counter() - t0


def _report(name: str, result: Result, elapsed: float) -> None:
    lat = sorted(result.latencies)
    if not lat:
        print(f"{name:<14} no responses, {result.errors} errors")
        return
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(f"{name:<14} {len(lat):>6} req  {len(lat) / elapsed:>7.1f} req/s  p50 {p50:>7.1f} ms  "
          f"p99 {p99:>7.1f} ms  errors {result.errors}", flush=True)
    odd = {str(k): v for k, v in result.statuses.items() if k != 200} | result.failures
    if odd:
        print(f"{'':<14} errors by kind: {odd}", flush=True)


def _wait_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited early")
        try:
            if httpx.get(base + "/api/stories?per_page=1", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path("/tmp/storyline-bench-serve.db"))
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=20.0, help="load time per endpoint")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--api", action="store_true", help="also load the JSON endpoints")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--cache", type=int, nargs="+", default=[0, 1024],
                    help="page-cache sizes to run with (0 = every request hits SQLite)")
    args = ap.parse_args()

    rng = random.Random(11)
    story_ids = None if args.rebuild else _store_matches(args.db, args.articles)
    if story_ids is None:
        story_ids, _ = build_store(args.db, args.articles)
    with Store(args.db) as store:
        words = [r[0].split()[0].lower() for r in store.db.execute(
            "SELECT title FROM articles ORDER BY random() LIMIT 400")]
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stories = [f"/stories/{rng.choice(story_ids)}" for _ in range(500)]
    searches = [f"/search?q={rng.choice(words)}+{rng.choice(words)}" if i % 2 else
                f"/search?q={rng.choice(words)}" for i in range(500)]
    fronts = [f"/?page={rng.randint(1, 5)}" for _ in range(50)]
    suites = [("front page", fronts), ("story page", stories), ("search", searches)]
    if args.api:
        suites += [("api stories", [u.replace("/?", "/api/stories?") for u in fronts]),
                   ("api story", ["/api" + u for u in stories]),
                   ("api search", ["/api" + u for u in searches])]

    for cache in args.cache:
        _run_server(args, cache, suites)


def _run_server(args: argparse.Namespace, cache: int, suites: list[tuple[str, list[str]]]) -> None:
    base = f"http://127.0.0.1:{args.port}"
    code = ("from storyline.serve import serve; import sys; "
            "serve(sys.argv[1], host='127.0.0.1', port=int(sys.argv[2]), "
            "workers=int(sys.argv[3]), cache_pages=int(sys.argv[4]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(args.db), str(args.port), str(args.workers), str(cache)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_up(base, proc)
        print(f"\n== page cache {cache or 'off'}: {args.clients} concurrent clients, "
              f"{args.seconds:.0f} s per endpoint, {args.workers} uvicorn worker(s), "
              f"{os.cpu_count()} CPUs shared with the clients", flush=True)
        for name, urls in suites:
            asyncio.run(_load(base, urls[:20], 2.0, args.clients))  # warm-up
            result, elapsed = asyncio.run(_load(base, urls, args.seconds, args.clients))
            _report(name, result, elapsed)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
