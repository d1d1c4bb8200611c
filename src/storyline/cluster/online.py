"""Online story clustering: each item joins the most similar recent story or starts a new one.

The similarity of an item to a story combines three features (after Miranda et al., EMNLP 2018,
"Multilingual clustering of streaming news"):

* the cosine of the item's embedding (MiniLM of title + first sentences) with the story centroid;
* the cosine of the item's TF-IDF terms (title, first body sentences, names boosted; online IDF)
  with the story's term centroid;
* a time penalty growing linearly with the gap since the story's last item, flat after
  ``window_days``.

``sim = w * cos_embed + (1 - w) * cos_terms - penalty * min(gap / window_days, 1)``

Short items (at most two sentences, title included: headlines, loose lines) use the ``title_*``
settings (``w = title_embed_weight``, ``title_time_penalty``, ``title_threshold``); others use
``embed_weight``, ``time_penalty`` and ``threshold``. An item joins the best story when ``sim``
reaches its threshold. Stories quiet for more than ``window_days`` are *dormant*: they are kept
(and persisted) but only a match of at least ``revive_threshold`` brings them back. Candidates
are pre-selected with one matrix-vector product over the centroid matrix and, for items with a
body (scored mostly on their terms), a look-up of their heaviest terms in an index of the
stories' heavy terms, so assignment is linear in the stream length with a small constant. When
a story's size reaches a power of two it is merged with its most similar story if they reach
``merge_threshold``; then, and at every second item, it takes in the stray one-item stories
that reach its join threshold.

Story ids are ``s-000001``, ``s-000002``… in order of creation; a clusterer built from persisted
``StoryState``s continues the numbering and the online IDF exactly where the last run stopped.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

import numpy as np

from storyline.cluster.base import StoryState
from storyline.cluster.terms import DocFreq, dot, is_short, norm, term_counts, weigh
from storyline.config import ClusterSettings
from storyline.models import Document, Embedded

__all__ = ["OnlineClusterer", "item_counts", "story_similarity"]

log = logging.getLogger(__name__)

_ID = re.compile(r"^s-(\d+)$")
_DAY = 86400.0
#: heaviest terms of an item (or story) looked up in the term index to pre-select candidates
_QUERY_TERMS = 10
#: the term index adds ``candidates // _TERM_SHARE`` stories to those nearest by embedding
_TERM_SHARE = 4
#: a story's term is in the term index while its weight (sum over members) reaches this
_INDEX_FLOOR = 0.1
#: terms kept by more stories than this are not looked up in the term index
_MAX_POSTINGS = 16
#: besides when it doubles, a story looks for strays to absorb at every ``_ABSORB_EVERY``-th item
_ABSORB_EVERY = 2
#: the count recorded for a merged story's row (never a small story)
_GONE = np.iinfo(np.int64).max
#: merged-story rows tolerated before compaction (and at least as many as the live ones)
_COMPACT_MIN = 256


@dataclass(slots=True)
class _Story:
    """Mutable working copy of a story (``StoryState`` is the frozen, persisted form)."""

    id: str
    row: int
    vector_sum: np.ndarray
    count: int
    first: datetime | None
    last: datetime | None
    terms: dict[str, float]
    doc_freq: dict[str, int]
    term_norm: float
    merged_into: str | None = None

    def state(self) -> StoryState:
        return StoryState(
            self.id, self.vector_sum.copy(), self.count, self.first, self.last,
            dict(self.terms), dict(self.doc_freq),
        )


def story_similarity(
    cos_embed: float, cos_terms: float, gap_days: float, settings: ClusterSettings,
    short: bool = False,
) -> float:
    """The combined item-story similarity (see the module docstring)."""
    w = settings.title_embed_weight if short else settings.embed_weight
    sim = w * cos_embed + (1.0 - w) * cos_terms
    penalty = settings.title_time_penalty if short else settings.time_penalty
    if penalty and gap_days > 0 and settings.window_days > 0:
        # linear decay over the window, then flat (a dormant story also needs revive_threshold)
        sim -= penalty * min(gap_days / settings.window_days, 1.0)
    return sim


def item_counts(doc: Document, settings: ClusterSettings) -> dict[str, float]:
    """The weighted term counts the clusterer compares ``doc`` on (title and first body
    sentences, names boosted; see ``storyline.cluster.terms``)."""
    return term_counts(doc, settings.body_sentences, settings.title_weight,
                       settings.entity_boost)


class OnlineClusterer:
    """The default ``Clusterer``: single pass, no look-ahead, deterministic, resumable."""

    def __init__(
        self, settings: ClusterSettings, states: Iterable[StoryState] = (), next_id: int = 1
    ) -> None:
        """``states``: stories to resume from; ``next_id``: the number of the next new story
        (at least one above the restored ids; pass ``next_id`` saved from an earlier run so
        that the id of a story merged away is never given to a new one)."""
        self.settings = settings
        self._stories: list[_Story] = []
        self._by_id: dict[str, _Story] = {}
        self._docfreq = DocFreq()
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._last = np.zeros(0, dtype=np.float64)  # epoch seconds, nan when unknown
        self._spread = np.zeros(0, dtype=np.float64)  # |vector_sum| / count
        self._count = np.zeros(0, dtype=np.int64)  # items per story (merged: a huge number)
        self._next = next_id
        self._dead = 0  # rows of merged stories, dropped by _compact
        self._df_changed: dict[str, set[str]] = {}  # story id -> terms, since doc_freq_changes()
        self._alias: dict[str, str] = {}
        # term -> rows of the live stories where it weighs at least _INDEX_FLOOR
        self._postings: defaultdict[str, set[int]] = defaultdict(set)
        for state in states:
            self._restore(state)

    # -- public API -------------------------------------------------------------------------

    def assign(self, item: Embedded, counts: Mapping[str, float] | None = None) -> str:
        """Return the story id of ``item`` (a new id when it starts a story). ``counts``: the
        item's ``item_counts`` with these settings when already computed (e.g. by a worker
        process, alongside the embedding)."""
        doc = item.document
        s = self.settings
        if self._dead > max(_COMPACT_MIN, len(self._stories) - self._dead):
            self._compact()
        if counts is None:
            counts = item_counts(doc, s)
        terms = weigh(counts, self._docfreq)
        vector = self._checked(item)
        when = _epoch(doc.time)
        short = is_short(doc)
        threshold = s.title_threshold if short else s.threshold
        best = self._best(vector, terms, when, threshold, short)
        story = self._new_story(vector, doc.time) if best is None else best
        self._add(story, vector, terms, counts, doc.time, when)
        story_id = story.id
        doubled = story.count >= 2 and story.count & (story.count - 1) == 0
        if doubled and s.merge_threshold > 0:
            # a story whose size has doubled may have drifted towards another one
            story = self._merge(story, short)
        if s.absorb_size > 0 and (doubled or story.count % _ABSORB_EVERY == 0):
            self._absorb_small(story, threshold, short)
        return story_id

    def _checked(self, item: Embedded) -> np.ndarray:
        vector = np.asarray(item.vector, dtype=np.float32).reshape(-1)
        dim = self._matrix.shape[1]
        if self._stories and len(vector) != dim:
            raise ValueError(
                f"item {item.id!r} has a vector of dimension {len(vector)} but the stories have "
                f"{dim}: vectors of different embedders cannot be compared"
            )
        if not np.all(np.isfinite(vector)):
            log.warning("item %s has a non-finite vector: it starts its own story", item.id)
            vector = np.zeros_like(vector)
        return vector

    def resolve(self, story_id: str) -> str:
        """The story that ``story_id`` now belongs to (itself unless it was merged)."""
        while story_id in self._alias:
            story_id = self._alias[story_id]
        return story_id

    @property
    def doc_freq(self) -> DocFreq:
        """Document frequencies of the terms of every article assigned so far (restored states
        included): the IDF background of the off-topic filter."""
        return self._docfreq

    @property
    def next_id(self) -> int:
        """The number the next new story will get (``s-{next_id:06d}``); save it with the
        states."""
        return self._next

    def doc_freq_changes(self) -> dict[str, dict[str, int]]:
        """Story id -> the terms whose document count changed since the last call, with their
        counts now (live stories only): what a store must write to keep the states' counts."""
        changed = {sid: {t: self._by_id[sid].doc_freq[t] for t in sorted(terms)}
                   for sid, terms in self._df_changed.items()}
        self._df_changed = {}
        return changed

    def merged(self) -> dict[str, str]:
        """Story id -> surviving story id, for every story merged away during this run."""
        return {old: self.resolve(old) for old in self._alias}

    def states(self) -> list[StoryState]:
        """The current state of every story (merged ones excluded), in order of creation."""
        return [st.state() for st in self._stories if st.merged_into is None]

    def storylines(self) -> dict[str, str]:
        """Story id -> storyline id (see ``storyline.cluster.storylines``)."""
        from storyline.cluster.storylines import group_storylines

        return group_storylines(self.states(), self.settings)

    def __len__(self) -> int:
        return sum(1 for st in self._stories if st.merged_into is None)

    # -- matching ---------------------------------------------------------------------------

    def _best(
        self, vector: np.ndarray, terms: dict[str, float], when: float, threshold: float,
        short: bool,
    ) -> _Story | None:
        n = len(self._stories)
        if n == 0 or not np.any(vector):
            return None
        s = self.settings
        sims = self._matrix[:n] @ vector
        idx = self._candidates(sims, None if short else terms, n)
        gaps = (when - self._last[idx]) / _DAY if not math.isnan(when) else np.zeros(len(idx))
        best: _Story | None = None
        best_sim = -math.inf
        # rows ascend (creation order), so ties go to the older story
        for row, gap in zip(idx.tolist(), gaps.tolist(), strict=True):
            gap = 0.0 if math.isnan(gap) else max(gap, 0.0)
            story = self._stories[row]
            cos_embed = float(sims[row])
            cos_terms = dot(terms, story.terms) / story.term_norm if story.term_norm else 0.0
            if s.average_link:
                # interpolate (geometrically) from centroid cosine to average pairwise cosine
                cos_embed *= float(self._spread[row]) ** s.average_link
                cos_terms *= (story.term_norm / story.count) ** s.average_link
            sim = story_similarity(cos_embed, cos_terms, gap, s, short)
            need = max(threshold, s.revive_threshold) if gap > s.window_days else threshold
            if sim >= need and sim > best_sim:
                best, best_sim = story, sim
        return best

    def _candidates(
        self, sims: np.ndarray, terms: dict[str, float] | None, n: int, exclude: int = -1,
        max_count: int = 0,
    ) -> np.ndarray:
        """Rows to score in full, ascending: of the ``candidates`` live stories, a quarter
        (``_TERM_SHARE``) are the best by a partial term cosine over the ``_QUERY_TERMS``
        heaviest of ``terms`` (the term index) and the rest the nearest by embedding. Items with
        a body are scored mostly on their terms, so a story that shares their rare words but not
        their lead's wording must be a candidate too; ``terms=None`` (short items, whose score is
        mostly the embedding): all by embedding. ``exclude``: a row left out; ``max_count`` > 0:
        only stories of at most that many items."""
        total = self.settings.candidates
        # live stories only (a merged story's count is _GONE)
        allowed = self._count[:n] <= (max_count if max_count > 0 else _GONE - 1)
        if exclude >= 0:
            allowed[exclude] = False
        rows = np.flatnonzero(allowed)
        if total <= 0 or total >= len(rows):
            return rows if total > 0 else rows[:0]
        by_terms = total // _TERM_SHARE if terms is not None else 0
        k = total - by_terms
        nearest = rows[np.argpartition(-sims[rows], k - 1)[:k]]
        chosen = set(nearest.tolist())
        if terms is not None and by_terms:
            chosen.update(self._term_candidates(terms, by_terms, exclude, max_count))
        return np.array(sorted(chosen), dtype=np.int64)

    def _term_candidates(
        self, terms: dict[str, float], k: int, exclude: int, max_count: int
    ) -> list[int]:
        """The ``k`` rows with the highest partial term cosine (ties: older row first)."""
        scores: dict[int, float] = {}
        stories = self._stories
        postings = self._postings
        # the heaviest terms (those that could be indexed), in a total order (weight, then
        # term): the same query whatever the dict's order
        strong = [kv for kv in terms.items() if kv[1] >= _INDEX_FLOOR]
        for t, w in sorted(strong, key=_heaviest_first)[:_QUERY_TERMS]:
            rows = postings.get(t, ())
            if len(rows) > _MAX_POSTINGS:
                continue  # a term of many stories singles none out
            for row in rows:
                story = stories[row]
                if max_count <= 0 or story.count <= max_count:
                    scores[row] = scores.get(row, 0.0) + w * story.terms[t] / story.term_norm
        scores.pop(exclude, None)
        return heapq.nsmallest(k, scores, key=lambda r: (-scores[r], r))

    def _neighbours(
        self, story: _Story, short: bool, max_count: int = 0
    ) -> Iterator[tuple[_Story, float, float]]:
        """``(other, similarity, gap in days)`` for the live stories among the candidates of
        ``story`` (nearest by embedding and by terms, see ``_candidates``; only stories of at
        most ``max_count`` items when it is positive), in row order."""
        s = self.settings
        n = len(self._stories)
        sims = self._matrix[:n] @ self._matrix[story.row]
        rows = self._candidates(sims, None if short else story.terms, n, story.row, max_count)
        for row in rows.tolist():
            other = self._stories[row]
            if other.merged_into is not None:
                continue
            cos_terms = dot(story.terms, other.terms) / (story.term_norm * other.term_norm or 1.0)
            gap = _span_gap(story, other)
            yield other, story_similarity(float(sims[row]), cos_terms, gap, s, short), gap

    def _merge(self, story: _Story, short: bool) -> _Story:
        """Merge ``story`` with the most similar other story when their combined similarity
        reaches ``merge_threshold`` (``revive_threshold`` at least when their spans are more than
        ``window_days`` apart); the younger story goes into the older. Returns the survivor."""
        s = self.settings
        best: _Story | None = None
        best_sim = -math.inf
        for other, sim, gap in self._neighbours(story, short):
            need = s.merge_threshold
            if gap > s.window_days:
                need = max(need, s.revive_threshold)
            if sim >= need and sim > best_sim:
                best, best_sim = other, sim
        if best is None:
            return story
        keep, gone = (best, story) if best.row < story.row else (story, best)
        self._absorb(keep, gone)
        return keep

    def _absorb_small(self, story: _Story, threshold: float, short: bool) -> None:
        """Fold into ``story`` the small stories (at most ``absorb_size`` items, younger or
        older) that reach the join threshold with it: stray items that arrived before the story
        had taken shape."""
        s = self.settings
        small: list[_Story] = []
        for other, sim, gap in self._neighbours(story, short, s.absorb_size):
            if other.count >= story.count:
                continue
            need = max(threshold, s.revive_threshold) if gap > s.window_days else threshold
            if sim >= need:
                small.append(other)
        for other in small:
            keep, gone = (other, story) if other.row < story.row else (story, other)
            self._absorb(keep, gone)
            story = keep

    def _absorb(self, keep: _Story, gone: _Story) -> None:
        log.debug("merging story %s into %s", gone.id, keep.id)
        keep.vector_sum += gone.vector_sum
        keep.count += gone.count
        for moment in (gone.first, gone.last):
            if moment is not None:
                if keep.first is None or moment < keep.first:
                    keep.first = moment
                if keep.last is None or moment > keep.last:
                    keep.last = moment
        floor, postings = _INDEX_FLOOR, self._postings
        for t, w in gone.terms.items():
            before = keep.terms.get(t, 0.0)
            keep.terms[t] = before + w
            if w >= floor:
                postings[t].discard(gone.row)
            if before + w >= floor > before:
                postings[t].add(keep.row)
        for t, c in gone.doc_freq.items():
            keep.doc_freq[t] = keep.doc_freq.get(t, 0) + c
        self._df_changed.setdefault(keep.id, set()).update(gone.doc_freq)
        self._df_changed.pop(gone.id, None)
        self._trim(keep)
        self._refresh_row(keep)
        gone.merged_into = keep.id
        self._alias[gone.id] = keep.id
        self._dead += 1
        self._matrix[gone.row] = 0.0
        self._count[gone.row] = _GONE

    def _trim(self, story: _Story) -> None:
        limit = self.settings.max_terms
        if limit and len(story.terms) > 2 * limit:
            # heaviest first (a stable C-level sort on the weight); a tie across the cut is
            # broken by term, so the kept set never depends on the dict's order
            ranked = sorted(story.terms.items(), key=itemgetter(1), reverse=True)
            if ranked[limit - 1][1] == ranked[limit][1]:
                ranked.sort(key=_heaviest_first)
            postings, row = self._postings, story.row
            for t, w in ranked[limit:]:
                if w >= _INDEX_FLOOR:
                    rows = postings[t]
                    rows.discard(row)
                    if not rows:
                        del postings[t]
            story.terms = dict(ranked[:limit])
        story.term_norm = norm(story.terms)

    def _index(self, terms: Iterable[str], row: int) -> None:
        postings = self._postings
        for t in terms:
            postings[t].add(row)

    # -- bookkeeping ------------------------------------------------------------------------

    def _compact(self) -> None:
        """Drop the rows of merged stories, keeping the live ones in order (every comparison
        looks at live rows only, in row order, so results do not change); the scans over all
        rows then grow with the live stories, not with every story ever started."""
        live = [st for st in self._stories if st.merged_into is None]
        keep = np.array([st.row for st in live], dtype=np.int64)
        remap = {old: new for new, old in enumerate(keep.tolist())}
        capacity = len(self._matrix)
        for name in ("_matrix", "_last", "_spread", "_count"):
            old = getattr(self, name)
            new = np.zeros_like(old)
            new[: len(keep)] = old[keep]
            setattr(self, name, new)
        self._last[len(keep):capacity] = np.nan
        self._spread[len(keep):capacity] = 1.0
        for st in live:
            st.row = remap[st.row]
        self._stories = live
        self._by_id = {st.id: st for st in live}
        self._postings = defaultdict(set, {
            t: moved for t, rows in self._postings.items()
            if (moved := {remap[r] for r in rows if r in remap})})
        self._dead = 0

    def _new_story(self, vector: np.ndarray, time: datetime | None) -> _Story:
        story = _Story(
            id=f"s-{self._next:06d}", row=len(self._stories),
            vector_sum=np.zeros(len(vector), dtype=np.float64), count=0,
            first=time, last=time, terms={}, doc_freq={}, term_norm=0.0,
        )
        self._next += 1
        self._append(story)
        return story

    def _append(self, story: _Story) -> None:
        dim = len(story.vector_sum)
        n = len(self._stories)
        if self._matrix.shape[1] != dim:
            if n:
                raise ValueError(f"story vectors of dimension {dim} and {self._matrix.shape[1]}")
            self._matrix = np.zeros((64, dim), dtype=np.float32)
            self._last = np.full(64, np.nan)
            self._spread = np.ones(64)
            self._count = np.zeros(64, dtype=np.int64)
        if n == len(self._matrix):
            self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
            self._last = np.concatenate([self._last, np.full(n, np.nan)])
            self._spread = np.concatenate([self._spread, np.ones(n)])
            self._count = np.concatenate([self._count, np.zeros(n, dtype=np.int64)])
        self._stories.append(story)
        self._by_id[story.id] = story
        self._refresh_row(story)

    def _refresh_row(self, story: _Story) -> None:
        length = float(np.linalg.norm(story.vector_sum))
        centroid = story.vector_sum / length if length else story.vector_sum
        self._matrix[story.row] = centroid.astype(np.float32)
        self._last[story.row] = _epoch(story.last)
        self._spread[story.row] = length / story.count if story.count else 1.0
        self._count[story.row] = story.count

    def _add(
        self, story: _Story, vector: np.ndarray, terms: dict[str, float],
        counts: Mapping[str, float], time: datetime | None, when: float,
    ) -> None:
        story.vector_sum += vector
        story.count += 1
        if time is not None:
            if story.first is None or time < story.first:
                story.first = time
            if story.last is None or time > story.last:
                story.last = time
        get = story.terms.get
        summed = {t: get(t, 0.0) + w for t, w in terms.items()}
        floor = _INDEX_FLOOR
        self._index([t for t, w in summed.items() if w >= floor and get(t, 0.0) < floor], story.row)
        story.terms.update(summed)
        get_df = story.doc_freq.get
        story.doc_freq.update({t: get_df(t, 0) + 1 for t in counts})
        self._df_changed.setdefault(story.id, set()).update(counts)
        self._docfreq.add(counts)
        self._trim(story)
        self._refresh_row(story)

    def _restore(self, state: StoryState) -> None:
        if state.id in self._by_id:
            raise ValueError(f"story {state.id!r} given twice")
        story = _Story(
            id=state.id, row=len(self._stories),
            vector_sum=np.asarray(state.vector_sum, dtype=np.float64).copy(), count=state.count,
            first=state.first, last=state.last, terms=dict(state.terms),
            doc_freq=dict(state.doc_freq), term_norm=norm(state.terms),
        )
        self._append(story)
        self._index([t for t, w in story.terms.items() if w >= _INDEX_FLOOR], story.row)
        self._docfreq.add_counts(state.doc_freq)
        self._docfreq.n += state.count
        m = _ID.match(state.id)
        if m:
            self._next = max(self._next, int(m.group(1)) + 1)


def _heaviest_first(kv: tuple[str, float]) -> tuple[float, str]:
    return -kv[1], kv[0]


def _span_gap(a: _Story, b: _Story) -> float:
    """Days between the spans of two stories (0 when they overlap or a time is unknown)."""
    if a.first is None or a.last is None or b.first is None or b.last is None:
        return 0.0
    if a.last < b.first:
        return (b.first - a.last).total_seconds() / _DAY
    if b.last < a.first:
        return (a.first - b.last).total_seconds() / _DAY
    return 0.0


def _epoch(time: datetime | None) -> float:
    return time.timestamp() if time is not None else math.nan
