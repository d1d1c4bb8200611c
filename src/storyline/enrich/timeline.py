"""Timelines: the key dates of a story, each with a few sentences that say what happened.

The method follows news-tls's "Datewise" approach (Ghalandari & Ifrim, 2020), model-free:

0. leave out **off-topic articles** (TF-IDF similarity to the collection centroid below 0.7×
   the median article's);
1. **date every sentence** by its day-precise time expressions, resolved against its article's
   publication date (:mod:`storyline.normalize.timex`: "on Sunday", "8 January", "two days
   later"); a sentence without one is dated by its article's publication day;
2. **rank dates** by how much the collection talks about them: every sentence that mentions a
   date votes for it, plus a vote for each article published that day (the weights of same-day
   and later mentions are settings; on Timeline17 equal weights did best);
3. keep the top ``dates`` dates (or an automatic number), then **summarize each date**: among the
   sentences dated to it, pick ``sentences_per_date`` by centrality (cosine to the TF-IDF or
   embedding centroid of that date's sentences), skipping near-repeats of sentences already chosen
   (for this or any other date).

Output: ``build_timeline`` gives the news-tls format ``[("YYYY-MM-DD", [sentence, ...]), ...]``;
``build_timeline_entries`` the richer ``TimelineEntry`` records whose sentences keep the ids of
every article that carries them. ``timeline_from_jsonl`` reads a JSONL file of articles (news-tls
``{"id", "time", "text"}`` or storyline's article fields) for the CLI.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from storyline.embed.base import Embedder, normalize_rows
from storyline.models import Document, SummarySentence
from storyline.normalize import normalize
from storyline.normalize.timex import find_time_mentions
from storyline.text import content_words, words

__all__ = [
    "TimelineEntry",
    "TimelineSettings",
    "build_timeline",
    "build_timeline_entries",
    "timeline_from_jsonl",
    "timeline_rows",
    "timeline_to_json",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One date of a timeline with its sentences (each listing the articles that carry it)."""

    date: date
    sentences: tuple[SummarySentence, ...]


@dataclass(frozen=True)
class TimelineSettings:
    """Knobs of the date ranking and the per-date sentence choice (defaults tuned on T17)."""

    #: weight of a mention of a date by an article published on that same day
    same_day_weight: float = 1.0
    #: weight of a mention of a date by an article published on another day
    other_day_weight: float = 1.0
    #: weight of each article published on a date
    publication_weight: float = 1.0
    #: sentences shorter or longer than this (in words) are never picked
    min_words: int = 6
    max_words: int = 35
    #: a candidate this similar (cosine) to an already chosen sentence is skipped
    redundancy: float = 0.5
    #: undated sentences from an article count for its publication day with this weight in the
    #: centroid (0 = only sentences that mention the date)
    undated_weight: float = 1.0
    #: mentions of dates more than this many days after the article's publication are ignored
    max_future_days: int = 0
    #: articles whose TF-IDF similarity to the collection centroid is below this share of the
    #: median article's are treated as off-topic and left out (0 = keep all)
    min_relevance: float = 0.7


#: see ``_pick``
LONG_FACTOR = 2


@dataclass(frozen=True, slots=True)
class _Dated:
    text: str
    article_ids: tuple[str, ...]
    published: datetime | None
    day: date
    mentioned: bool  # dated by a time expression (True) or by the publication day (False)


def on_topic(docs: Sequence[Document], min_relevance: float) -> list[Document]:
    """The documents about the collection's main topic: those whose TF-IDF vector is at least
    ``min_relevance`` times as similar to the collection centroid as the median document's."""
    if min_relevance <= 0 or len(docs) < 5:
        return list(docs)
    matrix = _tfidf([f"{d.title} {d.body}" for d in docs], min_df=2)
    if matrix.shape[1] == 0:  # empty vocabulary
        return list(docs)
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    centroid /= float(np.linalg.norm(centroid)) or 1.0
    sims = np.asarray(matrix @ centroid).ravel()
    cut = min_relevance * float(np.median(sims))
    kept = [d for d, sim in zip(docs, sims, strict=True) if sim >= cut]
    log.debug("timeline: %d of %d articles on topic", len(kept), len(docs))
    return kept


def _collect(
    docs: Sequence[Document], start: date | None, end: date | None, settings: TimelineSettings
) -> list[_Dated]:
    """Date every sentence. An undated article contributes only its sentences with absolute
    day-precise dates ("8 January 2020")."""

    def in_range(d: date) -> bool:
        return (not start or d >= start) and (not end or d <= end)

    out: list[_Dated] = []
    for doc in docs:
        published = doc.time.date() if doc.time is not None else None
        for sentence in doc.sentences:
            days = {
                m.date
                for m in find_time_mentions(sentence.text, published)
                if m.date is not None
                and (published is None or (m.date - published).days <= settings.max_future_days)
                and in_range(m.date)
            }
            if days:
                out.extend(
                    _Dated(sentence.text, doc.all_ids, doc.time, d, True) for d in sorted(days)
                )
            elif published is not None and in_range(published):
                out.append(_Dated(sentence.text, doc.all_ids, doc.time, published, False))
    return out


def _rank_dates(
    dated: Sequence[_Dated], docs: Sequence[Document], settings: TimelineSettings
) -> list[tuple[date, float]]:
    scores: dict[date, float] = defaultdict(float)
    for s in dated:
        if s.mentioned:
            same = s.published is not None and s.published.date() == s.day
            scores[s.day] += settings.same_day_weight if same else settings.other_day_weight
    days_present = {s.day for s in dated}
    for doc in docs:
        if doc.time is not None and doc.time.date() in days_present:
            scores[doc.time.date()] += settings.publication_weight
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _auto_dates(ranked: Sequence[tuple[date, float]], dated: Sequence[_Dated]) -> list[date]:
    """The dates to keep when no number is asked for: those scoring at least a fifth of the top
    score, and those that sentences mention at least a fifth as often as the most mentioned date
    (so that the days a story's sentences talk about are not crowded out by a day on which all
    of it was published); at least 3 and at most 30, best first."""
    if not ranked:
        return []
    mentions = Counter(s.day for s in dated if s.mentioned)
    top, most = ranked[0][1], max(mentions.values(), default=0)
    keep = [d for d, score in ranked
            if score >= top / 5 or (most and mentions[d] >= most / 5)]
    if len(keep) < 3:
        keep = [d for d, _ in ranked[:3]]
    return keep[:30]


def _tfidf(texts: Sequence[str], min_df: int) -> Any:
    """Sublinear TF-IDF rows of ``texts`` over their content words (smoothed IDF, unit length;
    the weighting of scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``), as a sparse
    matrix; terms in fewer than ``min_df`` texts are dropped."""
    from scipy.sparse import csr_matrix

    counts = [Counter(content_words(t)) for t in texts]
    df = Counter(term for c in counts for term in c)
    vocab = {t: i for i, t in enumerate(sorted(t for t, n in df.items() if n >= min_df))}
    idf = np.log((1 + len(texts)) / (1 + np.array([df[t] for t in vocab], dtype=np.float64))) + 1
    cols: list[int] = []
    tfs: list[int] = []
    indptr = [0]
    for c in counts:
        for term, n in c.items():
            if (col := vocab.get(term)) is not None:
                cols.append(col)
                tfs.append(n)
        indptr.append(len(cols))
    values = (1 + np.log(np.array(tfs, dtype=np.float64))) * idf[np.array(cols, dtype=np.intp)]
    matrix = csr_matrix((values, np.array(cols, dtype=np.int32), np.array(indptr)),
                        shape=(len(texts), len(vocab)), dtype=np.float64)
    matrix.sort_indices()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(matrix.multiply(1 / norms[:, None]))


class _Vectors:
    """Sentence vectors for centrality: TF-IDF over the collection, or an embedder's."""

    def __init__(self, texts: Sequence[str], embedder: Embedder | None) -> None:
        self.index = {t: i for i, t in enumerate(dict.fromkeys(texts))}
        unique = list(self.index)
        self.matrix: Any
        if embedder is not None:
            self.matrix = normalize_rows(embedder.encode(unique))
        else:
            self.matrix = _tfidf(unique, min_df=1).astype(np.float32)

    def rows(self, texts: Sequence[str]) -> Any:
        """The texts' rows: sparse for TF-IDF (a big story has a big vocabulary), dense for an
        embedder's vectors."""
        return self.matrix[[self.index[t] for t in texts]]


def _dense(row: Any) -> np.ndarray:
    return np.asarray(row.toarray() if hasattr(row, "toarray") else row, np.float32).ravel()


def _pick(
    candidates: Sequence[_Dated],
    weights: np.ndarray,
    vectors: _Vectors,
    k: int,
    chosen_rows: list[np.ndarray],
    settings: TimelineSettings,
) -> list[int]:
    rows = vectors.rows([c.text for c in candidates])
    centroid = np.asarray(rows.T @ weights, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(centroid))
    if norm == 0:
        return []
    centrality = np.asarray(rows @ (centroid / norm)).ravel()
    order = np.argsort(-centrality, kind="stable")
    lengths = [len(words(c.text)) for c in candidates]
    # a date whose every sentence is longer than ``max_words`` still gets the most central one
    # that names it and is at most ``LONG_FACTOR`` times as long, rather than no entry
    for longest, naming in ((settings.max_words, False), (LONG_FACTOR * settings.max_words, True)):
        picked: list[int] = []
        for i in order:
            c = candidates[i]
            if not c.mentioned and (naming or settings.undated_weight <= 0):
                continue
            if lengths[i] < settings.min_words or lengths[i] > longest:
                continue
            row = _dense(rows[i])
            if any(float(row @ prev) > settings.redundancy for prev in chosen_rows):
                continue
            picked.append(int(i))
            chosen_rows.append(row)
            if len(picked) >= k:
                break
        if picked:
            break
    return picked


def build_timeline_entries(
    docs: Sequence[Document],
    dates: int | None = None,
    sentences_per_date: int = 1,
    embedder: Embedder | None = None,
    start: date | None = None,
    end: date | None = None,
    settings: TimelineSettings = TimelineSettings(),
) -> list[TimelineEntry]:
    """A dated timeline of the documents, as ``TimelineEntry`` records sorted by date.

    ``dates``: how many dates (None = automatic); ``sentences_per_date``: sentences per date;
    ``embedder``: vectors for centrality (None = TF-IDF, model-free); ``start``/``end``: keep only
    dates in this range (inclusive).
    """
    docs = on_topic(docs, settings.min_relevance)
    dated = _collect(docs, start, end, settings)
    if not dated:
        return []
    ranked = _rank_dates(dated, docs, settings)
    top = sorted(_auto_dates(ranked, dated) if dates is None
                 else [d for d, _ in ranked[:max(0, dates)]])
    by_day: dict[date, list[_Dated]] = defaultdict(list)
    for s in dated:
        by_day[s.day].append(s)
    vectors = _Vectors([s.text for d in top for s in by_day[d]], embedder)
    # dates with the most support choose first, so they get the best sentences
    support = dict(ranked)
    chosen_rows: list[np.ndarray] = []
    entries: dict[date, TimelineEntry] = {}
    for day in sorted(top, key=lambda d: -support.get(d, 0.0)):
        candidates = _dedupe(by_day[day])
        weights = np.array(
            [1.0 if c.mentioned else settings.undated_weight for c in candidates], dtype=np.float32
        )
        picked = _pick(candidates, weights, vectors, sentences_per_date, chosen_rows, settings)
        if picked:
            chosen = tuple(_summary_sentence(candidates[i]) for i in picked)
            entries[day] = TimelineEntry(day, chosen)
    return [entries[d] for d in sorted(entries)]


def _dedupe(candidates: Sequence[_Dated]) -> list[_Dated]:
    """Fold identical sentences (wire copies) into one, merging their article ids."""
    merged: dict[str, _Dated] = {}
    for c in candidates:
        key = " ".join(words(c.text))
        prev = merged.get(key)
        if prev is None:
            merged[key] = c
        else:
            ids = tuple(dict.fromkeys((*prev.article_ids, *c.article_ids)))
            earliest = min(
                (t for t in (prev.published, c.published) if t is not None), default=None
            )
            merged[key] = _Dated(prev.text, ids, earliest, prev.day, prev.mentioned or c.mentioned)
    return list(merged.values())


def _summary_sentence(c: _Dated) -> SummarySentence:
    return SummarySentence(text=c.text, articles=c.article_ids, time=c.published)


def build_timeline(
    docs: Sequence[Document],
    dates: int | None = None,
    sentences_per_date: int = 1,
    embedder: Embedder | None = None,
    start: date | None = None,
    end: date | None = None,
    settings: TimelineSettings = TimelineSettings(),
) -> list[tuple[str, list[str]]]:
    """The timeline in news-tls format: ``[("YYYY-MM-DD", [sentence, ...]), ...]`` by date."""
    entries = build_timeline_entries(
        docs, dates, sentences_per_date, embedder, start, end, settings
    )
    return timeline_to_json(entries)


def timeline_to_json(entries: Iterable[TimelineEntry]) -> list[tuple[str, list[str]]]:
    """news-tls format: ``[("YYYY-MM-DD", [sentence, ...]), ...]``."""
    return [(e.date.isoformat(), [s.text for s in e.sentences]) for e in entries]


def timeline_rows(entries: Iterable[TimelineEntry]) -> list[dict[str, Any]]:
    """One dict per sentence, ``{"date", "text", "articles"}``: the store's timeline shape."""
    return [
        {"date": e.date.isoformat(), "text": s.text, "articles": list(s.articles)}
        for e in entries
        for s in e.sentences
    ]


def timeline_from_jsonl(
    path: str | Path,
    dates: int | None = None,
    sentences_per_date: int = 1,
    embedder: Embedder | None = None,
    fmt: str | None = None,
) -> list[tuple[str, list[str]]]:
    """Read articles from a JSONL file (or any format ``read_inputs`` takes) and build their
    timeline (news-tls format), e.g. for ``storyline timeline FILE --dates K
    --sentences-per-date M`` (print it with ``json.dumps``)."""
    from storyline.ingest import read_inputs

    docs = list(normalize(read_inputs([path], fmt)))
    undated = sum(1 for d in docs if d.time is None)
    if undated:
        log.warning(
            "%s: %d article(s) without a publication time: only their fully dated sentences "
            "are used", path, undated,
        )
    return build_timeline(docs, dates, sentences_per_date, embedder)
