"""``import_parquet``: load the Parquet output of the Spark job into a SQLite store for serving
(``storyline import DIR``). Needs pyarrow only (no Spark, no Java)."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from storyline.cluster.base import StoryState
from storyline.errors import InputError, StorylineError, require
from storyline.models import Story, StoryExtras, Summary, SummarySentence
from storyline.store import Store

__all__ = ["ImportResult", "import_parquet", "read_table"]

log = logging.getLogger("storyline.scale")

#: articles inserted per executemany call
_CHUNK = 2000


@dataclass
class ImportResult:
    articles: int = 0
    duplicates: int = 0
    stories: int = 0
    summary_sentences: int = 0


def read_table(folder: str | Path, name: str) -> list[dict[str, Any]]:
    """The rows of one output table (a folder of Parquet part files) as dicts."""
    pq = require("pyarrow.parquet", "spark", "pyarrow")
    path = Path(folder) / name
    if not path.exists():
        raise InputError(f"{path}: missing: is {folder} the output of 'storyline spark run'?")
    try:
        table = pq.read_table(str(path))
    except Exception as exc:  # pyarrow raises several kinds for unreadable files
        raise InputError(f"{path}: not readable as Parquet: {exc}") from exc
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _time(iso: str | None, fallback: datetime | None = None) -> datetime | None:
    if iso:
        return datetime.fromisoformat(iso)
    if fallback is not None and fallback.tzinfo is None:
        return fallback.replace(tzinfo=UTC)
    return fallback


def import_parquet(folder: str | Path, store: Store) -> ImportResult:
    """Load the ``articles``, ``stories``, ``summaries``, ``extras`` and ``meta`` tables written by
    ``spark_run`` into an empty ``store``, in one transaction: articles (with duplicate links,
    vectors and MinHash signatures, so later ``storyline run`` calls dedupe against them), the
    name of the embedder that made the vectors (``meta``; later runs must use the same), the
    clusterer's story states (so later runs continue the stories), and every story's headline,
    summary, dates, sources, off-topic members, timeline, entities and disagreements.
    The store must be empty: merging two corpora is what ``storyline run`` does."""
    existing = store.count_articles()
    if existing:
        raise StorylineError(
            f"{store.path} already holds {existing} articles: import into a new store "
            "(storyline --db new.db import DIR), or add files with 'storyline run'"
        )
    articles = read_table(folder, "articles")
    stories = read_table(folder, "stories")
    summaries = read_table(folder, "summaries")
    extras = {r["story_id"]: r for r in read_table(folder, "extras")}
    # output of a job before the meta table: the store's embedder stays unrecorded
    meta = ({r["key"]: r["value"] for r in read_table(folder, "meta")}
            if (Path(folder) / "meta").exists() else {})
    result = ImportResult()
    articles.sort(key=lambda r: (r["window"], r["time"] is None, r["time"] or datetime.min,
                                 r["file"], r["record"]))
    members: dict[str, list[str]] = defaultdict(list)
    for row in articles:
        if row["story_id"] and not row["off_topic"]:
            members[row["story_id"]].append(row["id"])
    sentences: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in summaries:
        sentences[row["story_id"]].append(row)
    with store.transaction():
        for start in range(0, len(articles), _CHUNK):
            store.add_articles([_article_row(r) for r in articles[start : start + _CHUNK]])
        if meta.get("embedder"):
            store.save_embedder(meta["embedder"])
        result.articles = len(articles)
        result.duplicates = sum(1 for r in articles if r["duplicate_of"])
        stories.sort(key=lambda r: r["id"])
        states = [_state(r) for r in stories]
        store.save_states(states, {r["id"]: r["storyline_id"] for r in stories})
        for row in stories:
            story = _story(row, members.get(row["id"], []), sentences.get(row["id"], []))
            store.set_off_topic(story.id, story.off_topic)
            store.save_story(story)
            if row["id"] in extras:
                store.save_extras(story.id, _extras(extras[row["id"]]))
            result.summary_sentences += len(story.summary.sentences)
        result.stories = len(stories)
    log.info("imported %d articles and %d stories from %s", result.articles, result.stories, folder)
    return result


def _article_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"], "title": r["title"] or "", "text": r["text"] or "",
        "time": _time(r["time_iso"], r["time"]), "source": r["source"] or "",
        "url": r["url"] or "", "origin": r["origin"] or "", "content_hash": r["content_hash"],
        "duplicate_of": r["duplicate_of"], "story_id": r["story_id"],
        "signature": np.frombuffer(r["signature"], dtype=np.uint32) if r["signature"] else None,
        "vector": np.frombuffer(r["vector"], dtype=np.float32) if r["vector"] else None,
    }


def _extras(r: dict[str, Any]) -> StoryExtras:
    return StoryExtras(*(json.loads(r[k]) if r[k] else None
                         for k in ("timeline", "entities", "disagreements")))


def _state(r: dict[str, Any]) -> StoryState:
    return StoryState(
        id=r["id"], vector_sum=np.frombuffer(r["state_vector"], dtype=np.float32).copy(),
        count=int(r["state_count"]), first=_time(r["state_first"]), last=_time(r["state_last"]),
        terms=json.loads(r["state_terms"]), doc_freq=json.loads(r["state_doc_freq"]),
    )


def _story(r: dict[str, Any], members: list[str], sentences: list[dict[str, Any]]) -> Story:
    sentences = sorted(sentences, key=lambda s: s["position"])
    summary = Summary(tuple(
        SummarySentence(s["text"], tuple(s["articles"] or ()), _time(None, s["time"]))
        for s in sentences
    ))
    return Story(
        id=r["id"], storyline_id=r["storyline_id"], headline=r["headline"] or "",
        summary=summary, members=tuple(members), off_topic=tuple(r["off_topic"] or ()),
        sources=tuple(r["sources"] or ()), start=_time(None, r["start"]),
        end=_time(None, r["end"]),
    )
