"""Generate a realistic synthetic news stream for the benchmarks, at run time, from the evaluation
sets in ../shared/datasets (DUC 2006 clusters, Timeline17 articles, UCI headlines). Nothing it
writes is ever committed: the output goes to /tmp.

Each synthetic *event* draws on one real pool (a DUC cluster, a Timeline17 topic, a UCI story):
its articles take a real title (or the first sentence), the lead sentences of a real article of the
pool and a few more sentences of other articles of the same pool, and get times within the event's
one to three days. About 4% of the articles are exact copies of an earlier one (another outlet,
another id) and 3% near copies (one sentence dropped), 10% are headlines only. The stream is
written as one JSON Lines file per day (``day-2020-01-01.jsonl``...), ``per_day`` articles a day,
so that the number of concurrently active stories stays constant and cost should grow linearly.

    python benchmarks/gen_articles.py --n 10000 --out /tmp/storyline-bench/10k
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from storyline.eval.datasets import (
    T17_TOPICS,
    load_duc2006,
    load_t17_articles,
    load_uci,
)

OUTLETS = (
    "Reuters", "AP", "AFP", "BBC", "The Guardian", "NYT", "Xinhua", "Al Jazeera", "CNN",
    "Bloomberg",
    "Le Monde", "Der Spiegel", "The Hindu", "ABC News", "Sky News", "NPR", "DW", "France 24",
)
START = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class Pool:
    """Real material of one pool: (title, sentences) per article, and spare headlines."""

    articles: list[tuple[str, list[str]]]
    headlines: list[str]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in text.split("\n") if len(s.split()) >= 4]


def load_pools() -> list[Pool]:
    """Every pool of real material: DUC clusters, Timeline17 (topic, month), UCI stories."""
    pools: list[Pool] = []
    for cluster in load_duc2006():
        arts = [(a.title, _sentences(a.text)) for a in cluster.articles]
        heads = [a.title for a in cluster.articles if a.title]
        pools.append(Pool([a for a in arts if a[1]], heads))
    t17: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for topic in T17_TOPICS:
        for a in load_t17_articles(topic):
            sents = _sentences(a.text)
            if len(sents) >= 3:
                month = a.time.strftime("%Y-%m") if a.time else "?"
                t17[f"{topic}/{month}"].append((sents[0], sents[1:]))
    pools.extend(Pool(arts, [t for t, _ in arts]) for arts in t17.values() if len(arts) >= 3)
    uci: dict[str, list[str]] = defaultdict(list)
    for a in load_uci():
        uci[a.cluster or ""].append(a.title)
    pools.extend(Pool([], heads) for heads in uci.values() if len(heads) >= 5)
    return pools


def _article(pool: Pool, rng: random.Random) -> tuple[str, str]:
    """(title, text) recombined from one pool; a headline only when the pool has no bodies."""
    if not pool.articles or rng.random() < 0.1:
        return rng.choice(pool.headlines or [t for t, _ in pool.articles]), ""
    title, sents = rng.choice(pool.articles)
    body = sents[:2]
    for _ in range(rng.randint(3, 8)):
        _, other = rng.choice(pool.articles)
        if other:
            body.append(rng.choice(other))
    return title, "\n".join(body)


def generate(n: int, out: Path, per_day: int = 1000, seed: int = 1) -> list[Path]:
    """Write ``n`` articles under ``out`` (one file per day); return the files in time order."""
    rng = random.Random(seed)
    pools = load_pools()
    days = max(1, round(n / per_day))
    records: list[dict[str, str]] = []
    events: list[tuple[Pool, datetime, float]] = []
    for day in range(days):
        # ~20 articles per event on average: per_day / 20 events start each day
        for _ in range(max(1, per_day // 20)):
            events.append((rng.choice(pools), START + timedelta(days=day, hours=rng.random() * 24),
                           rng.uniform(0.5, 3.0)))
    weights = [rng.paretovariate(1.5) for _ in events]
    for k in range(n):
        r = rng.random()
        if records and r < 0.07:
            base = rng.choice(records[-2000:])
            text = base["text"]
            if r >= 0.04 and text.count("\n") >= 3:  # near copy: drop one body sentence
                lines = text.split("\n")
                del lines[rng.randrange(2, len(lines))]
                text = "\n".join(lines)
            time = datetime.fromisoformat(base["time"]) + timedelta(minutes=rng.randint(1, 600))
            title = base["title"]
        else:
            pool, start, span = rng.choices(events, weights)[0]
            title, text = _article(pool, rng)
            time = start + timedelta(days=rng.random() * span)
        records.append({
            "id": f"g{seed}-{k:07d}", "title": title, "text": text,
            "time": time.isoformat(timespec="minutes"), "source": rng.choice(OUTLETS),
        })
    by_day: dict[str, list[dict[str, str]]] = defaultdict(list)
    for rec in records:
        by_day[rec["time"][:10]].append(rec)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for day_key in sorted(by_day):
        path = out / f"day-{day_key}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for rec in sorted(by_day[day_key], key=lambda r: r["time"]):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="output folder (under /tmp)")
    parser.add_argument("--per-day", type=int, default=1000, help="articles per day")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    files = generate(args.n, args.out, args.per_day, args.seed)
    total = sum(f.stat().st_size for f in files)
    print(f"wrote {args.n} articles in {len(files)} files ({total / 1e6:.1f} MB) to {args.out}")


if __name__ == "__main__":
    main()
