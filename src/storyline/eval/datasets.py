"""Loaders for the evaluation sets in ../shared/datasets (never copied into the repo).

``datasets_dir()`` finds the folder (``$STORYLINE_DATASETS`` or ``../shared/datasets`` next to the
repo); every loader raises ``DatasetMissing`` when its files are absent so tests and benchmarks can
skip with a clear message.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storyline.errors import StorylineError
from storyline.models import Article
from storyline.normalize.dates import parse_time

__all__ = [
    "T17_TOPICS",
    "Cluster",
    "DatasetMissing",
    "datasets_dir",
    "load_duc2006",
    "load_t17_articles",
    "load_t17_timelines",
    "load_uci",
]

T17_TOPICS = (
    "H1N1_bbc", "H1N1_guardian", "H1N1_reuters", "MJ_bbc", "bpoil_bbc", "bpoil_foxnews",
    "bpoil_guardian", "bpoil_reuters", "bpoil_washingtonpost", "haiti_bbc",
)


class DatasetMissing(StorylineError):
    pass


@dataclass(frozen=True)
class Cluster:
    id: str
    articles: tuple[Article, ...]
    references: tuple[str, ...] = ()
    topic: str = ""


def datasets_dir() -> Path:
    env = os.environ.get("STORYLINE_DATASETS")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "datasets"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "datasets"


def _need(path: Path) -> Path:
    if not path.exists():
        raise DatasetMissing(f"evaluation data not found: {path} (set STORYLINE_DATASETS)")
    return path


def load_duc2006(path: Path | None = None) -> list[Cluster]:
    """DUC 2006: 50 clusters of 25 articles with 4 human summaries each."""
    path = _need(path or datasets_dir() / "duc2006" / "clusters.jsonl")
    clusters = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            topic = d.get("topic") or {}
            arts = tuple(
                Article(
                    id=a["id"], title=a.get("title") or "", text=a.get("text") or "",
                    time=parse_time(a.get("time")), source=a.get("source") or "",
                    cluster=d["id"],
                )
                for a in d["articles"]
            )
            clusters.append(
                Cluster(d["id"], arts, tuple(d.get("references") or ()),
                        " ".join(str(v) for v in topic.values()) if isinstance(topic, dict) else "")
            )
    return clusters


def load_uci(path: Path | None = None) -> list[Article]:
    """UCI News Aggregator headlines (titles only), gold story in ``Article.cluster``."""
    path = _need(path or datasets_dir() / "uci-news" / "headlines.csv")
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(
                Article(
                    id=row["ID"], title=row["TITLE"], time=parse_time(row["TIMESTAMP"]),
                    source=row["PUBLISHER"], url=row["URL"], cluster=row["STORY"],
                )
            )
    return out


def load_t17_articles(topic: str, root: Path | None = None) -> Iterator[Article]:
    """Articles of one Timeline17 topic folder; ``cluster`` is the topic without the outlet."""
    folder = _need((root or datasets_dir() / "t17") / topic)
    with open(folder / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            yield Article(
                id=f"{topic}/{d['id']}", text=d.get("text") or "", time=parse_time(d.get("time")),
                source=topic.split("_", 1)[-1], cluster=topic.split("_", 1)[0],
            )


def load_t17_timelines(topic: str, root: Path | None = None) -> list[list[tuple[str, list[str]]]]:
    """The gold timelines of a Timeline17 topic: a list of ``[(date, [sentences])]``."""
    folder = _need((root or datasets_dir() / "t17") / topic)
    with open(folder / "timelines.jsonl", encoding="utf-8") as fh:
        return [[(d, list(s)) for d, s in json.loads(line)] for line in fh if line.strip()]
