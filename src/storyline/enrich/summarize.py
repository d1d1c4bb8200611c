"""Extractive multi-document summaries with provenance (the default ``Summarizer``).

The method, in order (ICSISumm's concept ILP with a topicality guard):

1. **Documents weighted by topicality.** Each document is compared with the centroid of the
   *other* documents (TF-IDF over stems, plus the embedder's vectors of the documents' titles
   when an embedder is given). A document far below the median similarity (an off-topic item that
   slipped into the story) gets a weight near 0: its sentences are not candidates and it adds
   nothing to concept weights.
2. **Concepts.** Stemmed word bigrams (not both stopwords). A concept's weight is the summed weight
   of the documents that contain it; concepts in fewer than ``min_df`` documents are dropped.
   With one or two documents, the number of sentences carrying the concept is used instead.
3. **Candidates.** Body sentences after removing datelines, agency tags and bylines, that read
   well alone (no leading pronoun/connective, no dangling quotation) and are 8-50 words long;
   exact and near duplicates are merged. When that leaves nothing (a pile of headlines, a
   one-line item), titles and short sentences are allowed.
4. **Selection.** An integer program picks the sentences maximizing the weight of covered
   concepts (each counted once, so redundancy is penalized implicitly) plus a small bonus for
   lead sentences and a centroid relevance bonus (how common, across the documents, the
   sentence's content words are), under the word budget; solved with HiGHS, greedy fallback.
   An optional ``query`` (e.g. a DUC topic statement) up-weights concepts and centroid words
   it shares with the sentences. Of two sentences that say the same in other words (their
   content-word stems overlap by a Jaccard of at least ``paraphrase`` = 0.3: "The central bank
   raised its main interest rate ... to 4.25 percent on Thursday" / "The central bank lifted
   borrowing costs by 0.25 percentage points on Thursday, taking its key rate to 4.25
   percent") at most one is chosen, like near-duplicates; ROUGE on DUC 2006 did not move.
5. **Output.** Chosen sentences ordered by time then article position; each lists every article
   (duplicates folded by dedupe included) carrying the same or a near-duplicate sentence.

``style="wcep"``: at most two sentences and 40 words, chosen among the top of each article (its
first ``wcep_positions`` = 6 sentences, title included: who, what, where, when).

``compress=True`` (off: it did not help on DUC 2006) drops trailing attributions (", officials
said.") and parentheticals from candidates.

Clusters of fewer than ``model_below`` (15) distinct articles take their concept weights from a
supervised model instead (``concept_model``, default ``_summ_concepts.SHIPPED_MODEL``): the
probability that a human summary uses the bigram. Under cross-validation on DUC 2006 clusters
cut to 10 articles it raised ROUGE-2 by 0.67; on the full 25-article clusters it did not help
(docs/summarization.md).
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np

from storyline.embed.base import Embedder
from storyline.enrich._summ_concepts import SHIPPED_MODEL, ConceptModel, concept_features
from storyline.enrich._summ_ilp import select
from storyline.enrich._summ_text import (
    clean_sentence,
    compress,
    concepts,
    fluency_ok,
    is_junk,
    shingles,
    stem_tokens,
    tokens,
)
from storyline.errors import StorylineError
from storyline.models import Document, Summary, SummarySentence
from storyline.text import STOPWORDS

__all__ = ["STYLES", "ExtractiveSummarizer", "doc_weights"]

log = logging.getLogger(__name__)

STYLES = ("default", "wcep")
_WCEP_WORDS = 40
_NEAR_DUP = 0.6
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
# the instructions of a topic statement ("Discuss ... Include information regarding ...")
_QUERY_STOP = frozenset([
    "describe", "discuss", "include", "including", "information", "regarding", "identify",
    "explain", "specific", "details", "detail", "examples", "example", "what", "why", "where",
    "when", "which", "who", "how", "been", "being", "have", "there", "any", "also", "such",
    "other", "various", "kinds", "types", "reported", "report", "reports",
])
_RAW_TOKEN = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class _Sent:
    doc: int
    position: int
    text: str
    n_words: int
    concepts: frozenset[str]
    is_title: bool
    key: str
    shingles: frozenset[str]
    entities: frozenset[str]  # concepts with a name (capitalized mid-sentence) or a number


class ExtractiveSummarizer:
    """The default summarizer: see the module docstring for the method.

    ``embedder`` (optional) sharpens the topicality weights of documents; without one, TF-IDF
    alone is used. Parameters are named in the method's terms and tuned on DUC 2006.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        min_words: int = 8,
        max_words: int = 50,
        min_df: int = 3,
        lead_bonus: float = 0.1,
        lead_positions: int = 2,
        topical_low: float = 0.3,
        topical_high: float = 0.6,
        max_candidates: int = 150,
        time_limit: float = 2.0,
        power: float = 1.5,
        unigrams: float = 0.0,
        fluency: bool = True,
        position_boost: float = 0.0,
        position_decay: float = 3.0,
        entity_boost: float = 0.0,
        relevance: float = 0.3,
        query_boost: float = 0.5,
        tf_boost: float = 0.0,
        query_relevance: float = 1.0,
        compress: bool = False,
        wcep_positions: int = 6,
        concept_model: ConceptModel | None = SHIPPED_MODEL,
        model_below: int = 15,
        paraphrase: float = 0.3,
    ) -> None:
        self.embedder = embedder
        self.paraphrase = paraphrase
        self.min_words = min_words
        self.max_words = max_words
        self.min_df = min_df
        self.lead_bonus = lead_bonus
        self.lead_positions = lead_positions
        self.topical_low = topical_low
        self.topical_high = topical_high
        self.max_candidates = max_candidates
        self.time_limit = time_limit
        self.power = power
        self.unigrams = unigrams
        self.fluency = fluency
        self.position_boost = position_boost
        self.position_decay = position_decay
        self.entity_boost = entity_boost
        self.relevance = relevance
        self.query_boost = query_boost
        self.tf_boost = tf_boost
        self.query_relevance = query_relevance
        self.compress = compress
        self.wcep_positions = wcep_positions
        self.concept_model = concept_model
        self.model_below = model_below

    def __call__(
        self,
        docs: Sequence[Document],
        words: int = 100,
        style: str = "default",
        query: str | None = None,
    ) -> Summary:
        """A summary of at most ``words`` words. ``query`` (optional, e.g. a DUC topic
        statement) up-weights the concepts that share a content word with it."""
        if style not in STYLES:
            raise StorylineError(
                f"unknown summary style {style!r} (choose from {', '.join(STYLES)})")
        docs = [d for d in docs if d.sentences]
        if not docs or words <= 0:
            return Summary()
        budget = min(words, _WCEP_WORDS) if style == "wcep" else words
        sents = _sentences(docs, self.compress)
        weights = doc_weights(docs, self.embedder, self.topical_low, self.topical_high)
        cands = self._candidates(sents, weights, budget, style)
        if not cands:
            return Summary()
        concept_w = self._concept_weights(docs, sents, weights)
        wanted = _query_stems(query or "")
        if wanted:
            concept_w = self._with_query(concept_w, wanted)
        chosen = self._select(cands, concept_w, weights, budget, style, sents, wanted)
        return _assemble(docs, sents, [cands[j] for j in chosen])

    # -- stages ---------------------------------------------------------------------------

    def _candidates(
        self, sents: list[_Sent], weights: np.ndarray, budget: int, style: str
    ) -> list[_Sent]:
        topical = weights >= 0.5 if np.any(weights >= 0.5) else weights >= weights.max()
        has_body = {s.doc for s in sents if not s.is_title}
        strict = [s for s in sents if topical[s.doc]
                  and (not s.is_title or (s.doc not in has_body and s.n_words >= 5))
                  and (self.min_words <= s.n_words or s.is_title)
                  and s.n_words <= min(self.max_words, budget)
                  and (fluency_ok(s.text) or not self.fluency)]
        if style == "wcep":  # who, what, where, when: the reports' opening sentences
            strict = [s for s in strict if s.position < self.wcep_positions] or strict
        pool = strict or [s for s in sents if topical[s.doc] and s.n_words <= budget
                          and s.n_words >= 3] or [s for s in sents if s.n_words <= budget]
        seen: set[str] = set()
        out = []
        for s in pool:
            if s.key and s.key not in seen:
                seen.add(s.key)
                out.append(s)
        return out

    def _concept_weights(
        self, docs: Sequence[Document], sents: list[_Sent], weights: np.ndarray
    ) -> dict[str, float]:
        unique = _unique_docs(docs)
        if len(unique) >= 3:
            per_doc: dict[int, dict[str, int]] = {}
            entities: set[str] = set()
            tf: Counter[str] = Counter()
            for s in sents:
                if s.doc in unique:
                    tf.update(s.concepts)
                    first = per_doc.setdefault(s.doc, {})
                    pos = max(0, s.position)
                    first.update({c: pos for c in s.concepts if first.get(c, pos + 1) > pos})
                    entities |= s.entities
            df: Counter[str] = Counter()
            wdf: dict[str, float] = {}
            for d, cs in per_doc.items():
                df.update(cs.keys())
                mention: dict[int, float] = {}  # weight of a first mention at each position
                for c, pos in cs.items():
                    if (m := mention.get(pos)) is None:
                        m = mention[pos] = float(weights[d]) * self._position_factor(pos)
                    wdf[c] = wdf.get(c, 0.0) + m
            # short items (headlines, one-paragraph posts) share few bigrams: lower the floor
            # and let content words count too
            short = sum(not s.is_title for s in sents) < 3 * len(docs)
            floor = self.min_df if len(unique) >= 15 and not short else 2
            if self.concept_model is not None and not short and len(unique) < self.model_below:
                return self._learned_weights(self.concept_model, sents, weights, unique, floor)
            unigram_w = self.unigrams or (0.5 if short else 0.0)
            out = {}
            for c, w in wdf.items():
                if df[c] < floor or w <= 0:
                    continue
                w = w**self.power
                if self.tf_boost:  # concepts repeated within documents: sublinear bonus
                    w *= 1 + self.tf_boost * math.log(tf[c] / df[c])
                if c.startswith("u:"):
                    w *= unigram_w
                elif c in entities:
                    w *= 1 + self.entity_boost
                if w > 0:
                    out[c] = w
            return out
        counts: Counter[str] = Counter()
        seen: set[str] = set()
        for s in sents:
            if s.key in seen:
                continue
            seen.add(s.key)
            counts.update(c for c in s.concepts if not c.startswith("u:"))
        return {c: float(n) for c, n in counts.items()}

    @staticmethod
    def _learned_weights(
        model: ConceptModel, sents: list[_Sent], weights: np.ndarray, unique: set[int],
        floor: int
    ) -> dict[str, float]:
        """Concept weights from the supervised model: the probability that a human summary
        uses the bigram."""
        centrality = _relevance(sents, weights, sents)
        names, rows = concept_features(sents, weights, unique, floor, centrality)
        prob = model.predict(rows)
        return {c: float(p) for c, p in zip(names, prob, strict=True) if p > 0}

    def _position_factor(self, position: int) -> float:
        """How much a document's mention of a concept counts, by the first sentence carrying
        it: early sentences state what the story is about."""
        if not self.position_boost:
            return 1.0
        return 1.0 + self.position_boost * math.exp(-position / max(1e-9, self.position_decay))

    def _with_query(self, concept_w: dict[str, float], wanted: set[str]) -> dict[str, float]:
        """Concepts sharing a content word with the query weigh ``1 + query_boost`` times
        more."""
        out = {}
        for c, w in concept_w.items():
            parts = c[2:].split() if c.startswith("u:") else c.split()
            out[c] = w * (1 + self.query_boost) if wanted & set(parts) else w
        return out

    def _select(
        self,
        cands: list[_Sent],
        concept_w: dict[str, float],
        weights: np.ndarray,
        budget: int,
        style: str,
        sents: list[_Sent],
        wanted: set[str],
    ) -> list[int]:
        names = sorted(concept_w)
        index = {c: i for i, c in enumerate(names)}
        w = np.array([concept_w[c] for c in names], dtype=float)
        scale = float(w.max()) if len(w) else 1.0
        lengths = [s.n_words for s in cands]
        sc = [[index[c] for c in sorted(s.concepts) if c in index] for s in cands]
        bonus = [self._bonus(s, scale, float(weights[s.doc])) for s in cands]
        if self.relevance:
            rel = _relevance(cands, weights, sents, wanted, self.query_relevance)
            bonus = [b + self.relevance * scale * r for b, r in zip(bonus, rel, strict=True)]
        order = sorted(range(len(cands)), key=lambda j: (-(sum(w[c] for c in sc[j]) + bonus[j]), j))
        keep = sorted(order[: self.max_candidates])
        conflicts = _near_pairs([cands[j].shingles for j in keep])
        if self.paraphrase > 0:
            conflicts = sorted(set(conflicts) | set(_paraphrase_pairs(
                [cands[j].concepts for j in keep], self.paraphrase)))
        # only the concepts the kept candidates carry enter the program (same optimum, smaller)
        used = sorted({c for j in keep for c in sc[j]})
        local = {c: i for i, c in enumerate(used)}
        chosen = select(
            [lengths[j] for j in keep], [[local[c] for c in sc[j]] for j in keep], w[used],
            budget,
            bonus=[bonus[j] for j in keep],
            max_sentences=2 if style == "wcep" else None, time_limit=self.time_limit,
            conflicts=conflicts,
        )
        result = [keep[j] for j in chosen]
        if not result:  # nothing carries a concept: fall back on the first sentence that fits
            fits = [j for j in order if lengths[j] <= budget]
            result = fits[:1]
        return result

    def _bonus(self, s: _Sent, scale: float, doc_weight: float) -> float:
        if s.is_title or s.position >= self.lead_positions:
            return 0.0
        return self.lead_bonus * scale * doc_weight / (1 + s.position)


def _sentences(docs: Sequence[Document], compressed: bool = False) -> list[_Sent]:
    out = []
    for d, doc in enumerate(docs):
        for sent in doc.sentences:
            analysed = _analyse(sent.text, compressed and not sent.is_title)
            if analysed is not None:
                out.append(_Sent(d, sent.index, *analysed[:3], sent.is_title, *analysed[3:]))
    return out


_Analysis = tuple[str, int, frozenset[str], str, frozenset[str], frozenset[str]]


@lru_cache(maxsize=16384)
def _analyse(raw: str, compressed: bool) -> _Analysis | None:
    """What the summarizer reads of one sentence (cleaned text, word count, concepts, key,
    shingles, entity concepts), or None for junk. Cached: a story's near-copies repeat most of
    their sentences."""
    text = clean_sentence(raw)
    if compressed:
        text = compress(text)
    if not text or is_junk(text):
        return None
    toks = tokens(text)
    if not toks:
        return None
    st = stem_tokens(toks)
    cs = concepts(st, toks) | {f"u:{w}" for w, t in zip(st, toks, strict=True)
                               if t not in STOPWORDS and len(t) > 2}
    return (text, len(text.split()), frozenset(cs), " ".join(toks), shingles(toks),
            _entity_concepts(text, st, toks))


def _entity_concepts(text: str, stem_list: list[str], toks: list[str]) -> frozenset[str]:
    """Bigram concepts with a name (a capitalized word not opening the sentence) or a number."""
    raw = _RAW_TOKEN.findall(text.replace("-", " "))
    if len(raw) != len(toks):
        return frozenset()
    named = [i > 0 and (r[0].isupper() or r[0].isdigit()) for i, r in enumerate(raw)]
    return frozenset(f"{stem_list[i]} {stem_list[i + 1]}" for i in range(len(toks) - 1)
                     if (named[i] or named[i + 1])
                     and not (toks[i] in STOPWORDS and toks[i + 1] in STOPWORDS))


def _query_stems(query: str) -> set[str]:
    """Stemmed content words of a query, without a topic statement's instruction words."""
    toks = [t for t in tokens(query)
            if t not in STOPWORDS and t not in _QUERY_STOP and len(t) > 2]
    return set(stem_tokens(toks))


def _relevance(
    cands: list[_Sent],
    weights: np.ndarray,
    sents: list[_Sent],
    wanted: AbstractSet[str] = frozenset(),
    query_boost: float = 0.0,
) -> list[float]:
    """Similarity of each candidate to the cluster centroid (the weighted document frequency
    of content words; query words ``1 + query_boost`` times more), scaled to [0, 1]."""
    per_doc: dict[int, set[str]] = {}
    for s in sents:
        per_doc.setdefault(s.doc, set()).update(c for c in s.concepts if c.startswith("u:"))
    centroid: dict[str, float] = {}
    for d, bag in per_doc.items():
        for w in bag:
            centroid[w] = centroid.get(w, 0.0) + float(weights[d])
    for w in centroid:
        if w[2:] in wanted:
            centroid[w] *= 1 + query_boost
    raw = []
    for s in cands:
        words = [c for c in s.concepts if c.startswith("u:")]
        raw.append(sum(centroid.get(w, 0.0) for w in words) / math.sqrt(len(words))
                   if words else 0.0)
    top = max(raw, default=0.0)
    return [r / top if top > 0 else 0.0 for r in raw]


def _unique_docs(docs: Sequence[Document]) -> set[int]:
    seen: set[str] = set()
    out = set()
    for d, doc in enumerate(docs):
        if doc.content_hash not in seen:
            seen.add(doc.content_hash)
            out.add(d)
    return out


def doc_weights(
    docs: Sequence[Document],
    embedder: Embedder | None = None,
    low: float = 0.3,
    high: float = 0.6,
) -> np.ndarray:
    """Topicality of each document in [0, 1]: its similarity to the centroid of the others,
    relative to the median document's; 1 at ``high`` x median and above, 0 at ``low`` x median."""
    n = len(docs)
    if n < 4:
        return np.ones(n)
    sims = _loo_sims_sparse(_tfidf(docs))
    if embedder is not None:
        # one short unit per document (its title, else its first sentence) keeps this cheap
        units = [(doc.title or doc.sentences[0].text)[:300] if doc.sentences else ""
                 for doc in docs]
        emb = _loo_sims(np.asarray(embedder.encode(units), dtype=float))
        sims = (sims / _median(sims) + emb / _median(emb)) / 2
    ratio = sims / _median(sims)
    return np.asarray(np.clip((ratio - low) / max(1e-9, high - low), 0.0, 1.0))


def _median(values: np.ndarray) -> float:
    m = float(np.median(values))
    return m if m > 1e-9 else 1.0


def _tfidf(docs: Sequence[Document]) -> list[dict[str, float]]:
    """Unit-length sparse TF-IDF vectors (stemmed content words) of the documents."""
    bags = []
    for doc in docs:
        toks = [t for t in tokens(f"{doc.title} {doc.body}") if t not in STOPWORDS and len(t) > 2]
        bags.append(Counter(stem_tokens(toks)))
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(docs)
    out = []
    for bag in bags:
        vec = {t: (1 + math.log(c)) * math.log((n + 1) / df[t]) for t, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append({t: v / norm for t, v in vec.items()})
    return out


def _loo_sims_sparse(rows: list[dict[str, float]]) -> np.ndarray:
    """Cosine of each sparse row with the sum of the other rows (leave-one-out centroid)."""
    total: dict[str, float] = {}
    for row in rows:
        for t, v in row.items():
            total[t] = total.get(t, 0.0) + v
    total_sq = sum(v * v for v in total.values())
    out = np.zeros(len(rows))
    for i, row in enumerate(rows):
        dot = sum(v * total[t] for t, v in row.items())
        self_sq = sum(v * v for v in row.values())
        others_sq = total_sq - 2 * dot + self_sq
        out[i] = (dot - self_sq) / math.sqrt(others_sq) if others_sq > 1e-12 else 0.0
    return out


def _loo_sims(mat: np.ndarray) -> np.ndarray:
    """Cosine of each row with the sum of the other rows (leave-one-out centroid)."""
    total = mat.sum(axis=0)
    dot = mat @ total
    self_sq = np.einsum("ij,ij->i", mat, mat)
    others_sq = float(total @ total) - 2 * dot + self_sq
    norms = np.sqrt(np.clip(others_sq, 1e-12, None))
    return np.asarray((dot - self_sq) / norms)


def _near_pairs(sets: list[frozenset[str]]) -> list[tuple[int, int]]:
    """Pairs (a < b) of near-duplicate sentences, found through shared shingles."""
    index: dict[str, list[int]] = {}
    for i, sh in enumerate(sets):
        for g in sh:
            index.setdefault(g, []).append(i)
    pairs: list[tuple[int, int]] = []
    for a, sh in enumerate(sets):
        shared: Counter[int] = Counter()
        for g in sh:
            shared.update(b for b in index[g] if b > a)
        pairs.extend((a, b) for b in sorted(shared) if _overlap(sh, sets[b]) >= _NEAR_DUP)
    return pairs


def _paraphrase_pairs(concepts: list[frozenset[str]], limit: float) -> list[tuple[int, int]]:
    """Pairs (a < b) of sentences that say the same in other words: the Jaccard overlap of their
    content-word stems (the ``u:`` concepts) reaches ``limit``."""
    words = [frozenset(c for c in cs if c.startswith("u:")) for cs in concepts]
    pairs = []
    for a in range(len(words)):
        for b in range(a + 1, len(words)):
            inter = len(words[a] & words[b])
            if inter and inter >= limit * (len(words[a]) + len(words[b]) - inter):
                pairs.append((a, b))
    return pairs


def _assemble(docs: Sequence[Document], sents: list[_Sent], chosen: list[_Sent]) -> Summary:
    out = []
    for c in sorted(chosen, key=lambda s: (docs[s.doc].time or _EPOCH, s.position, s.doc)):
        carriers = [c.doc]
        for s in sents:
            if s.doc not in carriers and not c.shingles.isdisjoint(s.shingles) and (
                    s.key == c.key or _overlap(s.shingles, c.shingles) >= _NEAR_DUP):
                carriers.append(s.doc)
        ids: list[str] = []
        for d in carriers:
            ids.extend(i for i in docs[d].all_ids if i not in ids)
        out.append(SummarySentence(c.text, tuple(ids), docs[c.doc].time))
    return Summary(tuple(out))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """The larger of Jaccard and containment of the smaller set: a sentence repeated with a
    clause added is a near duplicate."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return max(inter / (len(a) + len(b) - inter), inter / min(len(a), len(b)) - 0.2)
