"""One typed settings object with packaged defaults and partial overrides.

Override from Python with ``Settings().with_overrides({"cluster": {"threshold": 0.5}})`` or from a
TOML file with the same nesting (``storyline --config my.toml run ...``)::

    [cluster]
    threshold = 0.5
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "ClusterSettings",
    "DedupeSettings",
    "EmbedSettings",
    "EnrichSettings",
    "IngestSettings",
    "Settings",
    "SummarySettings",
]

T = TypeVar("T")


@dataclass(frozen=True)
class IngestSettings:
    #: text-pile items with at most this many words and no final full stop are headlines
    headline_max_words: int = 20
    #: CSV column names (first match wins, case-insensitive)
    csv_title: tuple[str, ...] = ("title", "headline")
    #: CSV columns of the body
    csv_text: tuple[str, ...] = ("text", "body", "content", "description")
    #: CSV columns of the publication time
    csv_time: tuple[str, ...] = ("time", "date", "published", "timestamp")
    #: CSV columns of the outlet
    csv_source: tuple[str, ...] = ("source", "publisher", "outlet", "hostname")
    #: CSV columns of the article's address
    csv_url: tuple[str, ...] = ("url", "link")
    #: CSV columns of the article's id (a content hash when absent)
    csv_id: tuple[str, ...] = ("id",)
    #: records longer than this many characters are truncated (with a warning)
    max_record_chars: int = 1_000_000


@dataclass(frozen=True)
class DedupeSettings:
    #: Jaccard similarity of word 3-shingles above which two articles are near-duplicates
    near_threshold: float = 0.8
    #: MinHash permutations (16 LSH bands of num_perm/16 rows)
    num_perm: int = 64


@dataclass(frozen=True)
class EmbedSettings:
    #: "minilm" (all-MiniLM-L6-v2 int8 ONNX, default), "tfidf" (no model, hashed TF-IDF) or
    #: "static" (fast mode: a static model distilled once by scripts/distill-static.sh)
    model: str = "minilm"
    #: texts per model call (texts are sorted by length first). 1: a text's vector does not
    #: depend on the texts it is encoded with. Above 1 the int8 model (``quantize``) quantizes
    #: each call's activations on one scale, so vectors move slightly with their batch-mates;
    #: and it is no faster on leads (docs/performance.md)
    batch_size: int = 1
    #: texts are cut at this many word pieces (titles and leads fit)
    max_tokens: int = 128
    #: texts (of ``batch_size``) encoded at once, each on one onnxruntime thread (0 = one per
    #: core): a quarter less CPU per lead than onnxruntime's own threads (docs/performance.md)
    threads: int = 0
    #: MiniLM's attention blocks compute in int8 (the package's model converted once by
    #: onnxruntime's dynamic quantization and cached in the data dir): a fifth less CPU per
    #: text, same clustering figures (docs/performance.md); false = the package's model as
    #: shipped (float32 compute)
    quantize: bool = True


@dataclass(frozen=True)
class ClusterSettings:
    #: combined similarity (embedding + terms, see docs/clustering.md) to a story above which an
    #: item with a body joins the story
    threshold: float = 0.2
    #: combined similarity between story centroids above which stories share a storyline
    storyline_threshold: float = 0.3
    #: stories quiet for longer than this are dormant: no longer ordinary candidates
    window_days: float = 2.0
    #: similarity a dormant story needs to take an item (never below the join threshold); the
    #: default equals ``threshold`` so that topic-level piles spanning years (DUC) still cluster
    revive_threshold: float = 0.2
    #: a member whose leave-one-out similarity to the group's core (embedding and best-matching
    #: sentence, see docs/clustering.md) is below this fraction of a typical core member's is
    #: off-topic (relative, so it serves articles and loose lines alike)
    off_topic_threshold: float = 0.34
    #: join threshold for short items (at most two sentences, title included: headlines, loose
    #: lines, a headline with a one-line description): short texts score lower
    title_threshold: float = 0.3
    #: weight of the embedding cosine in the item-story similarity; the rest goes to the TF-IDF
    #: cosine of the item's terms with the story's terms
    embed_weight: float = 0.2
    #: ``embed_weight`` for short items: for a short text the embedding is the better view
    title_embed_weight: float = 0.7
    #: body sentences (after the title) that feed the TF-IDF terms of an item (0 = all)
    body_sentences: int = 0
    #: title words count this many times in the terms
    title_weight: float = 2.0
    #: extra count of capitalized mid-sentence words (names); 0 turns name boosting off
    entity_boost: float = 1.0
    #: a story keeps only its strongest terms (bounded memory)
    max_terms: int = 300
    #: stories pre-selected before the full similarity is computed (for items with a body a
    #: quarter of them come from an index of the stories' heavy terms, the rest by embedding)
    candidates: int = 20
    #: similarity subtracted from an active story's score, linear in the days since its last
    #: item (this much at ``window_days``; dormant stories get ``revive_threshold`` instead);
    #: 0 turns the time feature off for items with a body
    time_penalty: float = 0.0
    #: ``time_penalty`` for short items: a headline says little, so when it was published
    #: weighs more (headline streams are event-level; full-article piles are often topic-level)
    title_time_penalty: float = 0.8
    #: 0 compares an item with the story centroid (cosine), 1 with the average of its members
    #: (average link); in between interpolates geometrically. Centroid cosines grow with story size
    #: for loose stories, average link does not
    average_link: float = 0.0
    #: when a story's size reaches a power of two, it is merged with its most similar story if
    #: their combined similarity reaches this (the younger goes into the older); 0 = never
    merge_threshold: float = 0.42
    #: when a story's size reaches a power of two, and at every second item it takes, it also
    #: takes in the stories of at most this many items that reach the join threshold with it
    #: (strays that came too early)
    absorb_size: int = 1
    #: off-topic filter: weight of the embedding view (the rest goes to the member's best-matching
    #: sentence against the core's terms); groups of short items use ``title_embed_weight``
    off_topic_embed_weight: float = 0.3


@dataclass(frozen=True)
class SummarySettings:
    #: summary length of each story, in words (whole sentences, never more)
    words: int = 100
    #: "default" (DUC-style) or "wcep" (one or two sentences, ~40 words)
    style: str = "default"
    #: stories with more on-topic articles than this are summarized from their most central ones
    #: (memory and time stay bounded); every article carrying a chosen sentence is still credited
    max_docs: int = 300
    #: rewrite the extractive summary with an OpenAI-compatible chat-completions server (off by
    #: default); a rewrite is kept only when every number and name in it is in the sources
    rewrite: bool = False
    #: base URL of that server, e.g. "http://127.0.0.1:8080/v1" (``/chat/completions`` is added)
    rewrite_url: str = ""
    #: model name sent to the server
    rewrite_model: str = ""
    #: name of the environment variable holding the API key (unset: no Authorization header)
    rewrite_api_key_env: str = "STORYLINE_REWRITE_API_KEY"
    #: seconds to wait for the server before keeping the extractive summary
    rewrite_timeout: float = 30.0


@dataclass(frozen=True)
class EnrichSettings:
    #: build a dated timeline per story
    timeline: bool = True
    #: sentences per timeline date
    timeline_sentences: int = 1
    #: named entities: "auto" (spaCy when installed, else the capitalized-phrase heuristic),
    #: "spacy", "heuristic" or "off" (keeps NER off the hot path)
    entities: str = "auto"
    #: entities kept per story
    entities_top: int = 20
    #: spaCy reads this many characters of each article: the title and lead hold the names that
    #: matter, and NER is the costliest part of enrichment (~4 ms per article at 600, ~8 at 1500)
    entities_chars: int = 600
    #: find numbers and claims that sources state differently
    disagreements: bool = True
    #: a story with more original articles than this is enriched (off-topic filter, summary,
    #: headline, timeline, entities, disagreements) from this many: the newest quarter and a fixed
    #: pseudo-random draw of the others. Re-enriching a growing story then costs the same at every
    #: update, however big it has become; its members, sources and dates, and the credit of its
    #: summary sentences, still cover every article. 0 = read them all
    max_docs: int = 500
    #: processes that enrich stories in parallel: 0 = one per CPU core (at most 4), 1 = all in
    #: the calling process (small runs always stay in it)
    workers: int = 0


#: the overrides of fast mode (see ``Settings.fast``)
FAST: dict[str, Any] = {"embed": {"model": "static"}, "enrich": {"entities": "heuristic"}}


@dataclass(frozen=True)
class Settings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    dedupe: DedupeSettings = field(default_factory=DedupeSettings)
    embed: EmbedSettings = field(default_factory=EmbedSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    summary: SummarySettings = field(default_factory=SummarySettings)
    enrich: EnrichSettings = field(default_factory=EnrichSettings)

    def with_overrides(self, overrides: dict[str, Any]) -> Settings:
        """A copy with the given (possibly nested, possibly partial) values replaced."""
        return _merge(self, overrides)

    def fast(self) -> Settings:
        """Fast mode (``storyline --fast``): the static embedder distilled once by
        ``scripts/distill-static.sh`` and model-free entities."""
        return self.with_overrides(FAST)

    @classmethod
    def from_toml(cls, path: str | Path) -> Settings:
        with open(path, "rb") as fh:
            return cls().with_overrides(tomllib.load(fh))


def _merge(obj: T, overrides: dict[str, Any]) -> T:
    known = {f.name: f for f in fields(obj)}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in known:
            raise ValueError(f"unknown setting {key!r} (known: {', '.join(sorted(known))})")
        current = getattr(obj, key)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise ValueError(f"setting {key!r} is a section: give a table of values")
            changes[key] = _merge(current, value)
        elif isinstance(current, tuple):
            changes[key] = tuple(value)
        else:
            changes[key] = type(current)(value) if current is not None else value
    return replace(obj, **changes)  # type: ignore[type-var]
