"""The stage functions of the Spark job, in plain Python (no pyspark import).

Each function runs inside one Spark task (or on the driver, for the small merge steps) and calls
the SAME stage functions as the embedded pipeline (``storyline.ingest.read_inputs``,
``normalize_one``, ``Deduper``, ``get_embedder``, ``OnlineClusterer``, ``filter_off_topic``,
``ExtractiveSummarizer``, ``central_headline``), so a result can be checked against
``storyline.pipeline.run`` and every function is testable without Spark.

Models are loaded once per executor process: ``get_embedder`` keeps a module-level cache, and
PySpark reuses its Python workers between tasks (``spark.python.worker.reuse``, on by default).
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from storyline import pipeline
from storyline.cluster import OnlineClusterer
from storyline.cluster.base import StoryState
from storyline.cluster.online import story_similarity
from storyline.cluster.terms import DocFreq, dot, norm
from storyline.config import ClusterSettings, DedupeSettings, EmbedSettings, Settings
from storyline.dedupe import Deduper
from storyline.embed import Embedder, get_embedder
from storyline.ingest import read_inputs
from storyline.ingest.base import IngestReport
from storyline.models import Article, Embedded, Story, StoryExtras
from storyline.normalize import normalize_one

__all__ = [
    "NO_TIME",
    "Member",
    "Prepared",
    "WindowResult",
    "background",
    "cluster_window",
    "dedupe_keys",
    "enrich_members",
    "merge_reports",
    "merge_windows",
    "read_file",
    "resolve_duplicates",
    "window_of",
]

log = logging.getLogger("storyline.scale")

#: window index of the articles of a file with no time at all: after every dated window
NO_TIME = 2**31
_DAY = 86400.0
#: leads embedded per call inside a window task (bounds memory; the embedded pipeline uses 512)
_EMBED_CHUNK = 512


@dataclass(frozen=True, slots=True)
class Prepared:
    """One article after the per-file task: normalized, fingerprinted, placed in time.

    ``order`` is the global processing order: ``(window, no time, epoch, file, record)``; inside a
    window it sorts like the embedded pipeline's batch sort (by time, undated last, stable).
    """

    order: tuple[int, int, float, int, int]
    article: Article
    content_hash: str
    signature: bytes | None

    @property
    def window(self) -> int:
        return self.order[0]


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story as the enrich task sees it (originals carry their vector)."""

    order: tuple[int, int, float, int, int]
    article: Article
    vector: bytes | None
    duplicate_of: str | None


@dataclass(frozen=True, slots=True)
class WindowResult:
    """What clustering one window gives: ``(order, article id, local story id, vector)`` per
    original article, and the window's story states in order of creation."""

    window: int
    assigned: list[tuple[tuple[int, int, float, int, int], str, str, bytes]]
    states: list[StoryState]


# -- per-file task: read, normalize, fingerprint ---------------------------------------------------


def window_of(time: datetime | None, window_days: float) -> int:
    """The index of the time window holding ``time`` (``NO_TIME`` when unknown)."""
    if time is None:
        return NO_TIME
    return math.floor(time.timestamp() / (window_days * _DAY))


def arrow_uri(uri: str) -> str:
    """``uri`` as ``pyarrow.fs`` names it: Hadoop's ``s3a://``/``s3n://`` are ``s3://``."""
    for hadoop in ("s3a://", "s3n://"):
        if uri.startswith(hadoop):
            return "s3://" + uri[len(hadoop) :]
    return uri


@contextmanager
def _local_copy(uri: str) -> Iterator[Path]:
    """A local path for ``uri``: the file itself, or a temporary copy of a remote object
    (``s3://``, ``gs://``, ``hdfs://``... through ``pyarrow.fs``, read inside the task)."""
    if "://" not in uri or uri.startswith("file://"):
        yield Path(uri.removeprefix("file://"))
        return
    from pyarrow import fs as pafs

    filesystem, path = pafs.FileSystem.from_uri(arrow_uri(uri))
    name = Path(path).name
    with tempfile.TemporaryDirectory(prefix="storyline-") as tmp:
        local = Path(tmp) / name
        with filesystem.open_input_stream(path) as src, open(local, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        yield local


def read_file(
    file_index: int, uri: str, fmt: str | None, settings: Settings, window_days: float
) -> tuple[list[Prepared], IngestReport]:
    """Read one input file with storyline's own readers and prepare every article in it.

    Articles with no text after cleaning are dropped (as ``normalize`` does). An article with no
    time is placed in the window of the last dated article before it in the file.
    """
    report = IngestReport()
    deduper = Deduper(settings.dedupe)
    out: list[Prepared] = []
    with _local_copy(uri) as local:
        carried: datetime | None = None
        for rec, article in enumerate(read_inputs([local], fmt, settings.ingest, report)):
            if str(local) != uri and article.origin.startswith(str(local)):
                article = replace(article, origin=uri + article.origin[len(str(local)) :])
            doc = normalize_one(article)
            if not doc.sentences:
                continue
            if article.time is not None:
                carried = article.time
            untimed = article.time is None
            epoch = 0.0 if untimed else article.time.timestamp()  # type: ignore[union-attr]
            order = (window_of(carried, window_days), int(untimed), epoch, file_index, rec)
            signature = deduper.signature(doc)
            out.append(Prepared(order, article, doc.content_hash,
                                signature.tobytes() if signature is not None else None))
    for f in report.files:
        f.path = uri if f.path == str(local) else f.path
    return out, report


def merge_reports(reports: Iterable[IngestReport]) -> IngestReport:
    """One report from the per-file reports (in file order)."""
    total = IngestReport()
    for r in reports:
        total.read += r.read
        total.skipped.update(r.skipped)
        total.warned.update(r.warned)
        total.files.extend(r.files)
        room = total.max_problems - len(total.problems)
        total.problems.extend(r.problems[: max(room, 0)])
    return total


# -- corpus-wide near-duplicates -------------------------------------------------------------------


@lru_cache(maxsize=4)
def _deduper(settings: DedupeSettings) -> Deduper:
    return Deduper(settings)


def dedupe_keys(item: Prepared, settings: DedupeSettings) -> list[tuple[object, str]]:
    """The Spark keys under which two articles may be duplicates: the content hash, and each
    MinHash LSH band of the signature (the same bands as ``Deduper``)."""
    keys: list[tuple[object, str]] = [(("h", item.content_hash), item.article.id)]
    if item.signature is not None:
        signature = np.frombuffer(item.signature, dtype=np.uint32)
        for band, key in _deduper(settings)._bands(signature):
            keys.append((("b", band, key), item.article.id))
    return keys


def resolve_duplicates(
    suspects: Iterable[tuple[tuple[int, int, float, int, int], str, str, bytes | None]],
    settings: DedupeSettings,
) -> dict[str, str]:
    """Duplicate id -> original id, from the articles that share a hash or an LSH band with
    another article ``(order, id, content hash, signature)``.

    Runs the embedded ``Deduper`` over the suspects in global order. An article that shares no
    key with any other cannot be found by the deduper's hash or band look-ups, so restricting
    the sequential pass to the suspects gives exactly the decisions of a pass over everything.
    """
    deduper = Deduper(settings)
    duplicates: dict[str, str] = {}
    for _, doc_id, content_hash, sig_bytes in sorted(suspects, key=lambda s: s[0]):
        signature = np.frombuffer(sig_bytes, dtype=np.uint32) if sig_bytes is not None else None
        original = deduper.by_hash.get(content_hash)
        if original is None and signature is not None:
            original = deduper._near(signature)
        if original is None:
            deduper.add(doc_id, content_hash, signature)
        else:
            duplicates[doc_id] = original
    return duplicates


# -- per-window task: embed and cluster -----------------------------------------------------------


def cluster_window(window: int, items: Iterable[Prepared], settings: Settings) -> WindowResult:
    """Embed the leads of one window's original articles and run the online clusterer over them
    in time order (the embedded pipeline's clusterer, fresh for the window); stories the
    clusterer merged on the way are resolved to the survivor."""
    ordered = sorted(items, key=lambda p: p.order)
    docs = [normalize_one(p.article) for p in ordered]
    embedder = embedder_for(settings.embed)
    clusterer = OnlineClusterer(settings.cluster)
    assigned = []
    for start in range(0, len(docs), _EMBED_CHUNK):
        chunk = docs[start : start + _EMBED_CHUNK]
        vectors = embedder.encode([d.lead for d in chunk])
        for offset, (doc, vector) in enumerate(zip(chunk, vectors, strict=True)):
            story = clusterer.assign(Embedded(doc, vector))
            item = ordered[start + offset]
            assigned.append((item.order, doc.id, story,
                             np.asarray(vector, dtype=np.float32).tobytes()))
    # the clusterer merges stories as it goes: point every item at the story that survived
    resolved = [(order, doc_id, clusterer.resolve(story), vec)
                for order, doc_id, story, vec in assigned]
    return WindowResult(window, resolved, clusterer.states())


# -- driver: merge the windows' stories ------------------------------------------------------------


def _gap_days(a: StoryState, b: StoryState) -> float:
    if a.last is None or b.first is None:
        return 0.0
    return max((b.first - a.last).total_seconds() / _DAY, 0.0)


def _merged(a: StoryState, b: StoryState, settings: ClusterSettings) -> StoryState:
    terms = dict(a.terms)
    for t, w in b.terms.items():
        terms[t] = terms.get(t, 0.0) + w
    limit = settings.max_terms
    if limit and len(terms) > 2 * limit:
        terms = dict(sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
    doc_freq = dict(a.doc_freq)
    for t, n in b.doc_freq.items():
        doc_freq[t] = doc_freq.get(t, 0) + n
    firsts = [t for t in (a.first, b.first) if t is not None]
    lasts = [t for t in (a.last, b.last) if t is not None]
    return StoryState(
        a.id, np.asarray(a.vector_sum, dtype=np.float64) + b.vector_sum, a.count + b.count,
        min(firsts) if firsts else None, max(lasts) if lasts else None, terms, doc_freq,
    )


def merge_windows(
    windows: Sequence[WindowResult], settings: ClusterSettings
) -> tuple[dict[tuple[int, str], str], list[StoryState]]:
    """Chain the stories of consecutive windows into global stories.

    Windows are taken in time order; a story of window *w* joins the most similar global story
    of the earlier windows (centroid cosine and term cosine, with the clusterer's time penalty:
    ``story_similarity``) when that reaches the clusterer's ``threshold`` and the global story
    was active within ``window_days``; otherwise it starts a global story. Global ids are
    ``s-000001``... in order of first appearance, so with one window they equal the window's own
    (and the embedded pipeline's) ids.

    Returns ``(window, local id) -> global id`` and the global stories' merged states.
    """
    mapping: dict[tuple[int, str], str] = {}
    stories: list[StoryState] = []
    for result in sorted(windows, key=lambda r: r.window):
        earlier = len(stories)
        centroids = _centroids(stories[:earlier])
        for local in result.states:
            best, best_sim = -1, -math.inf
            if earlier:
                vec = np.asarray(local.vector_sum, dtype=np.float64)
                length = float(np.linalg.norm(vec)) or 1.0
                sims = centroids @ (vec / length)
                local_norm = norm(local.terms) or 1.0
                for row in np.argsort(-sims)[: settings.candidates]:
                    other = stories[int(row)]
                    gap = _gap_days(other, local)
                    if gap > settings.window_days:
                        continue
                    other_norm = norm(other.terms) or 1.0
                    cos_terms = dot(local.terms, other.terms) / (local_norm * other_norm)
                    sim = story_similarity(float(sims[row]), cos_terms, gap, settings)
                    if sim >= settings.threshold and sim > best_sim:
                        best, best_sim = int(row), sim
            if best >= 0:
                stories[best] = _merged(stories[best], local, settings)
                mapping[(result.window, local.id)] = stories[best].id
            else:
                gid = f"s-{len(stories) + 1:06d}"
                stories.append(replace(local, id=gid))
                mapping[(result.window, local.id)] = gid
    return mapping, stories


def _centroids(states: Sequence[StoryState]) -> np.ndarray:
    if not states:
        return np.zeros((0, 0))
    matrix = np.stack([np.asarray(s.vector_sum, dtype=np.float64) for s in states])
    lengths = np.linalg.norm(matrix, axis=1, keepdims=True)
    lengths[lengths == 0] = 1.0
    return matrix / lengths


# -- per-story task: off-topic filter, summary, headline, timeline ---------------------------------


def embedder_for(settings: EmbedSettings) -> Embedder:
    """The executor's embedder, loaded once per process (``get_embedder`` caches it)."""
    return get_embedder(settings)


def background(states: Iterable[StoryState]) -> DocFreq:
    """The corpus's term document frequencies, summed over the stories' states: the off-topic
    filter's IDF background (the embedded pipeline's clusterer holds the same)."""
    freq = DocFreq()
    for state in states:
        freq.add_counts(state.doc_freq)
        freq.n += state.count
    return freq


def enrich_members(
    story_id: str,
    storyline_id: str,
    members: Iterable[Member],
    settings: Settings,
    background: DocFreq | None = None,
) -> tuple[Story, StoryExtras]:
    """A story's off-topic members, summary, headline, dates, sources and extras: exactly
    ``storyline.pipeline.build_story``, on the members in the store's order."""
    far = math.inf
    rows = sorted(members, key=lambda m: (m.article.time is None,
                                          m.article.time.timestamp() if m.article.time else far,
                                          m.order))
    return pipeline.build_story(
        story_id, storyline_id,
        [pipeline.Member(m.article, m.duplicate_of,
                         np.frombuffer(m.vector, dtype=np.float32) if m.vector else None)
         for m in rows],
        settings, background,
    )
