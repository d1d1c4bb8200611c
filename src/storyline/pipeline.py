"""The orchestrator: ingest -> normalize -> dedupe -> embed -> cluster -> store, then
enrich (off-topic filter -> summarize -> headline -> extras) every story that changed.

Each stage lives in its own package (``storyline.<stage>``) behind a small interface; this module
only lists them in order, batches the stream, and writes each batch in one transaction, so that an
interrupted run loses nothing that was committed and a re-run only does the new work. Stories are
independent of each other once clustered: they are enriched in parallel worker processes.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from storyline.cluster import OnlineClusterer, filter_off_topic
from storyline.cluster.online import item_counts
from storyline.cluster.terms import DocFreq
from storyline.config import ClusterSettings, EmbedSettings, Settings
from storyline.dedupe import Deduper, shingle_signature
from storyline.embed import Embedder, get_embedder, same_model
from storyline.enrich.extras import compute_extras
from storyline.enrich.headline import central_headline
from storyline.enrich.summarize import ExtractiveSummarizer
from storyline.errors import StorylineError
from storyline.ingest import read_inputs
from storyline.ingest.base import IngestReport
from storyline.models import Article, Document, Embedded, Story, StoryExtras, Summary
from storyline.normalize import normalize, normalize_one
from storyline.normalize.clean import clean_line, clean_text
from storyline.runtime import lean_process, lean_runtime
from storyline.store import Store

__all__ = [
    "Member",
    "RunResult",
    "build_story",
    "enrich_stories",
    "ingest_articles",
    "run",
]

log = logging.getLogger("storyline")

#: articles per batch: each batch is sorted by time, embedded together and committed at once
BATCH = 512
#: stories enriched per round (read, built by the workers, written in one transaction)
ENRICH_BATCH = 64
#: fewer changed stories than this are enriched in the calling process (no worker start-up)
PARALLEL_MIN_STORIES = 16

Progress = Callable[[int], None]


@dataclass
class RunResult:
    report: IngestReport = field(default_factory=IngestReport)
    new: int = 0
    already_stored: int = 0
    duplicates: int = 0
    #: new items with no publication time (their relative dates cannot be resolved)
    undated: int = 0
    changed_stories: list[str] = field(default_factory=list)


def _by_time(articles: Sequence[Article]) -> list[Article]:
    """Stable sort by publication time; articles with no time keep their place at the end."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(articles, key=lambda a: a.time or far)


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def run(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings = Settings(),
    fmt: str | None = None,
    progress: Progress | None = None,
    result: RunResult | None = None,
    published: datetime | None = None,
) -> RunResult:
    """Ingest files into ``store`` and bring every story they touch up to date. ``published`` is
    the publication time of items that have none (a pile of loose sentences): relative dates in
    them ("on Sunday", "8 January") are resolved against it."""
    result = result or RunResult()
    articles: Iterable[Article] = read_inputs(paths, fmt, settings.ingest, result.report)
    if published is not None:
        articles = (a if a.time else replace(a, time=published) for a in articles)
    return ingest_articles(articles, store, settings, progress, result)


def ingest_articles(
    articles: Iterable[Article],
    store: Store,
    settings: Settings = Settings(),
    progress: Progress | None = None,
    result: RunResult | None = None,
) -> RunResult:
    """The pipeline over a stream of articles: normalize, dedupe, embed and cluster them batch by
    batch (each batch one transaction), then enrich every story that changed."""
    result = result or RunResult()
    with lean_runtime():
        return _ingest(articles, store, settings, progress, result)


def _ingest(
    articles: Iterable[Article],
    store: Store,
    settings: Settings,
    progress: Progress | None,
    result: RunResult,
) -> RunResult:
    embedder = get_embedder(settings.embed)
    _use_embedder(store, embedder.name)
    deduper = Deduper(settings.dedupe)
    for doc_id, content_hash, signature in store.dedupe_index():
        deduper.add(doc_id, content_hash, signature)
    clusterer = OnlineClusterer(settings.cluster, store.load_states(), store.next_story_number())

    for batch, prepared in _prepared(articles, settings):
        _ingest_batch(batch, prepared, store, deduper, embedder, clusterer, result)
        if progress:
            progress(len(batch))
    with store.transaction():
        store.update_storylines(clusterer.storylines())
    result.changed_stories.extend(
        s.id for s in enrich_stories(store, store.dirty_stories(), settings, clusterer.doc_freq))
    return result


def _use_embedder(store: Store, name: str) -> None:
    """Record ``name`` as the embedder of the store's vectors, refusing one whose vectors cannot
    be compared with those already stored (another model: clusters would be noise)."""
    stored = store.embedder()
    if stored == name:
        return
    if store.has_vectors():
        if stored is None:
            log.warning("%s does not record which embedder made its vectors (made before "
                        "storyline 0.2): taking them for %s", store.path, name)
        elif not same_model(stored, name):
            raise StorylineError(
                f"{store.path} holds vectors of the embedder {stored!r}, which cannot be "
                f"compared with those of {name!r}: run with the store's embedder (--embedder, "
                "--fast or embed.model in the settings) or into a new store (--db NEW.db)")
        else:
            log.warning("%s: vectors of another build of the same model (%s); continuing with "
                        "%s", store.path, stored, name)
    with store.transaction():
        store.save_embedder(name)


#: embedders whose vector of a text does not depend on the other texts of the batch and that
#: are cheap enough to run on every article, copies included: run ahead in the workers
AHEAD_EMBEDDERS = ("static", "tfidf")

#: one article prepared: normalized (None: no text left), its MinHash signature, its lead
#: vector when the embedder runs ahead (``AHEAD_EMBEDDERS``) and its clusterer term counts
#: (``item_counts``; None when not computed yet)
Ready = tuple[Document | None, np.ndarray | None, np.ndarray | None, dict[str, float] | None]
#: a batch's articles prepared, in input order
Prepared = list[Ready]


def _prepare(job: tuple[list[Article], int, EmbedSettings | None, ClusterSettings]) -> Prepared:
    """Normalize, fingerprint, count the clusterer's terms of and (``embed`` given) embed the
    lead of each article of a batch (pure, per article: run in a worker process ahead of the
    main loop when the input spans several batches)."""
    batch, num_perm, embed, cluster = job
    docs = [normalize_one(article) for article in batch]
    docs_with_text = [d for d in docs if d.sentences]
    vectors = iter(_ahead_embedder(embed).encode([d.lead for d in docs_with_text])
                   if embed is not None and docs_with_text else ())
    out: Prepared = []
    for doc in docs:
        if not doc.sentences:
            out.append((None, None, None, None))
        else:
            signature = shingle_signature(f"{doc.title}\n{doc.body}", num_perm)
            out.append((doc, signature, next(vectors) if embed is not None else None,
                        item_counts(doc, cluster)))
    return out


@lru_cache(maxsize=1)
def _ahead_embedder(settings: EmbedSettings) -> Embedder:
    return get_embedder(settings)


def _prepare_workers(settings: Settings) -> int:
    """Processes preparing batches ahead of the main loop: one core fewer than the enrichment
    workers (the main loop keeps one busy); none when enrichment runs in-process."""
    wanted = settings.enrich.workers or min(os.cpu_count() or 1, 4)
    return max(0, wanted - 1)


def _prepared(
    articles: Iterable[Article], settings: Settings
) -> Iterator[tuple[list[Article], Prepared | None]]:
    """The input in batches, each with its ``_prepare`` result when worker processes made it
    (None: the main loop prepares it). Workers start only when there is a second batch; the main
    loop prepares batches itself until the workers deliver their first one (start-up), then they
    prepare the next two batches while the main loop stores the current one (the input is read
    two batches ahead)."""
    batches = _batches(articles, BATCH)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    workers = _prepare_workers(settings)
    if second is None or workers == 0:
        yield first, None
        if second is not None:
            yield second, None
            yield from ((b, None) for b in batches)
        return
    job = (settings.dedupe.num_perm,
           settings.embed if settings.embed.model in AHEAD_EMBEDDERS else None, settings.cluster)
    with _processes(workers, None) as pool:
        pending: deque[tuple[list[Article], Any]] = deque()

        def submit(batch: list[Article]) -> None:
            pending.append((batch, pool.apply_async(_prepare, ((batch, *job),))))

        submit(second)
        if (third := next(batches, None)) is not None:
            submit(third)
        yield first, None  # prepared by the main loop itself while the workers start
        warm = False
        while pending:
            batch, future = pending.popleft()
            if (following := next(batches, None)) is not None:
                submit(following)
            # until the workers deliver their first batch (start-up: forkserver, imports), the
            # main loop prepares a batch itself rather than wait for it (the copy is dropped)
            warm = warm or future.ready()
            yield batch, future.get() if warm else None


def _ingest_batch(
    batch: list[Article],
    prepared: Prepared | None,
    store: Store,
    deduper: Deduper,
    embedder: Embedder,
    clusterer: OnlineClusterer,
    result: RunResult,
) -> None:
    known = store.known_ids(a.id for a in batch)
    fresh: dict[str, Article] = {}
    ready: dict[str, Ready] = {}
    for i, article in enumerate(batch):
        if article.id in known or article.id in fresh:
            result.already_stored += 1
        else:
            fresh[article.id] = article
            if prepared is not None:
                ready[article.id] = prepared[i]
    rows: list[dict[str, Any]] = []
    originals: list[tuple[Document, dict[str, Any], dict[str, float] | None]] = []
    ahead: list[np.ndarray | None] = []
    for doc, signature, vector, counts in _signed(_by_time(list(fresh.values())), ready, deduper):
        original, signature = deduper.check_signed(doc, signature)
        row = _row(doc.article, doc.content_hash, signature, original)
        rows.append(row)
        if original is None:
            originals.append((doc, row, counts))
            ahead.append(vector)
        else:
            result.duplicates += 1
    vectors = [v for v in ahead if v is not None]  # embedded ahead by the workers
    if len(vectors) < len(originals):
        vectors = list(embedder.encode([doc.lead for doc, _, _ in originals]))
    touched: set[str] = set()
    story_of: dict[str, str] = {}
    for (doc, row, counts), vector in zip(originals, vectors, strict=True):
        story = clusterer.assign(Embedded(doc, vector), counts)
        row["story_id"], row["vector"] = story, vector
        story_of[doc.id] = story
        touched.add(story)
    for row in rows:
        if row["duplicate_of"] is not None:
            original = row["duplicate_of"]
            row["story_id"] = story_of.get(original) or store.story_of(original)
            if row["story_id"]:
                touched.add(row["story_id"])
    merged = clusterer.merged()  # stories absorbed by others (so far in this run)
    for row in rows:
        if row["story_id"]:
            row["story_id"] = clusterer.resolve(row["story_id"])
    touched = {clusterer.resolve(t) for t in touched} | set(merged.values())
    states = [s for s in clusterer.states() if s.id in touched]
    with store.transaction():
        store.add_articles(rows)
        store.merge_stories(merged)
        store.save_states(states, clusterer.storylines(), clusterer.doc_freq_changes())
        store.save_next_story_number(clusterer.next_id)
    result.new += len(rows)
    result.undated += sum(1 for row in rows if row["time"] is None)


def _signed(
    articles: list[Article],
    ready: dict[str, Ready],
    deduper: Deduper,
) -> Iterator[tuple[Document, np.ndarray | None, np.ndarray | None, dict[str, float] | None]]:
    """The articles normalized, with their signatures, lead vectors and term counts (None: not
    computed yet), in order (from ``ready`` when prepared by the workers); those with no text
    left are dropped."""
    if not ready:
        for doc in normalize(articles):
            yield doc, deduper.signature(doc), None, None
        return
    for article in articles:
        prepared, signature, vector, counts = ready[article.id]
        if prepared is not None:
            yield prepared, signature, vector, counts


def _row(
    article: Article, content_hash: str, signature: Any, original: str | None
) -> dict[str, Any]:
    return {
        "id": article.id, "title": article.title, "text": article.text, "time": article.time,
        "source": article.source, "url": article.url, "origin": article.origin,
        "content_hash": content_hash, "duplicate_of": original, "story_id": None,
        "signature": signature, "vector": None,
    }


class Member(NamedTuple):
    """One stored article of a story: originals carry their lead vector, copies the id of the
    article they copy; ``off_topic``: flagged by the story's last enrichment."""

    article: Article
    duplicate_of: str | None
    vector: np.ndarray | None
    off_topic: bool = False


def build_story(
    story_id: str,
    storyline_id: str,
    members: Sequence[Member],
    settings: Settings,
    background: DocFreq | None = None,
) -> tuple[Story, StoryExtras]:
    """A story's off-topic members, summary, headline, dates, sources and extras (timeline,
    entities, disagreements) from its members, in display order. Pure: the embedded pipeline and
    the Spark job both call it. ``background``: term document frequencies of the whole input
    (the clusterer's), the off-topic filter's IDF."""
    copies: dict[str, list[str]] = {}
    for m in members:
        if m.duplicate_of:
            copies.setdefault(m.duplicate_of, []).append(m.article.id)
    originals = [m for m in members if not m.duplicate_of and m.vector is not None]
    read = _sample(originals, settings.enrich.max_docs)
    sampled = {m.article.id for m in read}
    unread = [m for m in originals if m.article.id not in sampled]
    embedded = [
        Embedded(replace(normalize_one(m.article), copies=tuple(copies.get(m.article.id, ()))),
                 m.vector)
        for m in read
        if m.vector is not None
    ]
    off = (filter_off_topic(embedded, settings.cluster, background) if len(embedded) >= 3
           else set())
    off |= {m.article.id for m in unread if m.off_topic}  # the unread keep their last verdict
    kept = [e for e in embedded if e.id not in off]
    on_topic = [e.document for e in kept]
    central = _most_central(kept, settings.summary.max_docs)
    summary = (_summarizer()(central, settings.summary.words, settings.summary.style)
               if on_topic else Summary())
    if len(central) < len(on_topic) or unread:
        summary = _credit(summary, _texts(on_topic) + _unread_texts(unread, copies))
    articles = [m.article for m in members
                if m.article.id not in off and m.duplicate_of not in off]
    times = [a.time for a in articles if a.time]
    story = Story(
        id=story_id,
        storyline_id=storyline_id,
        headline=central_headline(on_topic, summary, np.stack([e.vector for e in kept]))
        if on_topic else "",
        summary=summary,
        members=tuple(a.id for a in articles),
        off_topic=tuple(sorted(off)),
        sources=tuple(sorted({a.source for a in articles if a.source})),
        start=min(times) if times else None,
        end=max(times) if times else None,
    )
    return story, compute_extras(on_topic, settings.enrich)


def _most_central(members: Sequence[Embedded], limit: int) -> list[Document]:
    """The ``limit`` members closest to the group's centre (all when there are no more), in
    their original order."""
    if len(members) <= limit:
        return [m.document for m in members]
    matrix = np.stack([np.asarray(m.vector, dtype=np.float32) for m in members])
    closeness = matrix @ matrix.mean(axis=0)
    chosen = sorted(np.argsort(-closeness, kind="stable")[:limit].tolist())
    return [members[i].document for i in chosen]


def _sample(members: Sequence[Member], limit: int) -> list[Member]:
    """At most ``limit`` of ``members`` (all when there are no more; 0 = no limit), in their
    order: the last quarter (the newest, in the store's order), then a fixed pseudo-random draw of
    the rest, by a hash of the id, so that a growing story keeps reading mostly the same ones."""
    if limit <= 0 or len(members) <= limit:
        return list(members)
    newest = len(members) - limit // 4
    rest = sorted(range(newest), key=lambda i: _hash_rank(members[i].article.id))
    chosen = sorted(rest[: limit - (len(members) - newest)]) + list(range(newest, len(members)))
    return [members[i] for i in chosen]


def _hash_rank(article_id: str) -> bytes:
    return hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()


def _texts(docs: Iterable[Document]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(cleaned title, cleaned body, ids) of each document, for ``_credit``."""
    return [(d.title, d.body, d.all_ids) for d in docs]


def _unread_texts(unread: Sequence[Member],
                  copies: dict[str, list[str]]) -> list[tuple[str, str, tuple[str, ...]]]:
    """``_texts`` of the ``unread`` originals not flagged off-topic (cleaned, not split into
    sentences)."""
    return [(clean_line(m.article.title), clean_text(m.article.text),
             (m.article.id, *copies.get(m.article.id, ())))
            for m in unread if not m.off_topic]


def _credit(summary: Summary, texts: Sequence[tuple[str, str, tuple[str, ...]]]) -> Summary:
    """Credit every article (and its copies) whose text carries a summary sentence. ``texts``:
    (cleaned title, cleaned body, ids) of each article."""
    sentences = []
    for s in summary.sentences:
        carriers = (i for title, body, ids in texts if s.text in body or s.text == title
                    for i in ids)
        sentences.append(replace(s, articles=tuple(dict.fromkeys((*s.articles, *carriers)))))
    return replace(summary, sentences=tuple(sentences))


@lru_cache(maxsize=1)
def _summarizer() -> ExtractiveSummarizer:
    # model-free: the summarizer's TF-IDF topicality is as good as MiniLM's on DUC 2006
    return ExtractiveSummarizer()


def _members(store: Store, story_id: str) -> list[Member]:
    return [Member(r["article"], r["duplicate_of"], r["vector"], r["off_topic"])
            for r in store.story_articles(story_id)]


#: the IDF background of the stories being enriched (set once per worker process)
_background: DocFreq | None = None


def _set_background(background: DocFreq | None) -> None:
    """The background of this process's ``build_story`` calls."""
    global _background
    _background = background


def _start_worker(background: DocFreq | None) -> None:
    """Worker start-up: the background, and the lean runtime (``storyline.runtime``)."""
    _set_background(background)
    lean_process()


def _build(job: tuple[str, str, list[Member], Settings]) -> tuple[Story, StoryExtras]:
    return build_story(*job, background=_background)


def _save(store: Store, story: Story, extras: StoryExtras) -> None:
    store.set_off_topic(story.id, story.off_topic)
    store.save_story(story)
    store.save_extras(story.id, extras)


def _workers(settings: Settings, stories: int) -> int:
    wanted = settings.enrich.workers or min(os.cpu_count() or 1, 4)
    return 1 if stories < PARALLEL_MIN_STORIES else max(1, min(wanted, stories))


def _pool(workers: int, background: DocFreq | None) -> AbstractContextManager[Any]:
    """Worker processes for ``build_story``, each given the background once. ``forkserver``:
    workers fork from a clean process that has imported this module, not from this one (which
    may hold model threads and the store's connection)."""
    _set_background(background)
    if workers <= 1:
        return nullcontext(None)
    return _processes(workers, background)


def _processes(workers: int, background: DocFreq | None) -> Any:
    """A pool of ``workers`` processes (see ``_pool``)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context.Pool(workers, initializer=_start_worker, initargs=(background,))


def enrich_stories(
    store: Store, story_ids: Sequence[str], settings: Settings, background: DocFreq | None = None
) -> Iterator[Story]:
    """Recompute stories from their stored articles (``build_story``) and save them, yielding
    each. Stories are read here, built by ``EnrichSettings.workers`` processes (kept busy: up to
    two rounds in flight) and written here ``ENRICH_BATCH`` per transaction, in order.
    ``background``: see ``build_story``."""

    def job(story_id: str) -> tuple[str, str, list[Member], Settings]:
        storyline = store.storyline_of(story_id) or story_id
        return story_id, storyline, _members(store, story_id), settings

    with _pool(_workers(settings, len(story_ids)), background) as pool:
        built = (_build(job(i)) for i in story_ids) if pool is None else _in_workers(
            pool, (job(i) for i in story_ids))
        while chunk := list(islice(built, ENRICH_BATCH)):
            with store.transaction():
                for story, extras in chunk:
                    _save(store, story, extras)
            yield from (story for story, _ in chunk)


def _in_workers(
    pool: Any, jobs: Iterator[tuple[str, str, list[Member], Settings]]
) -> Iterator[tuple[Story, StoryExtras]]:
    """``_build`` of each job by the pool, results in job order. Up to two rounds of jobs are
    in flight, so the workers never wait for a round's slowest story (nor for its writing)."""
    pending = deque(pool.apply_async(_build, (j,)) for j in islice(jobs, 2 * ENRICH_BATCH))
    while pending:
        done = pending.popleft().get()
        if (following := next(jobs, None)) is not None:
            pending.append(pool.apply_async(_build, (following,)))
        yield done
