"""Sparse term vectors for the cluster stage: content words of a document, weighted by an IDF.

The clusterer compares an item with a story on two views: the dense embedding of the lead (title
and first sentences, see ``Document.lead``) and a sparse TF-IDF vector of more of the text (title
plus the first ``body_sentences`` body sentences). The IDF is *online*: document frequencies are
counted over the stream seen so far (``DocFreq``), so nothing is fitted in advance.

Words that look like names (capitalized in mid-sentence, e.g. "Soleimani", "Balad") are counted
``entity_boost`` extra times: shared names are the strongest sign that two reports tell the same
event. Headlines in title case carry no such signal, so a title whose words are mostly capitalized
is not scanned for names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from storyline.models import Document
from storyline.text import STOPWORDS

__all__ = ["DocFreq", "dot", "is_title_only", "norm", "term_counts", "weigh"]

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def is_title_only(doc: Document) -> bool:
    """True when the document has no body sentences (a headline or a loose line)."""
    return all(s.is_title for s in doc.sentences)


def _mostly_capitalized(tokens: list[str]) -> bool:
    long = [t for t in tokens if len(t) > 3]
    return bool(long) and sum(t[0].isupper() for t in long) > 0.6 * len(long)


def _add_sentence(counts: dict[str, float], text: str, weight: float, entity_boost: float) -> None:
    tokens = _TOKEN.findall(text)
    names = entity_boost > 0 and not _mostly_capitalized(tokens)
    for i, tok in enumerate(tokens):
        low = tok.lower().replace("’", "'")
        if low in STOPWORDS or len(low) < 2 or low.isdigit():
            continue
        w = weight
        if names and i > 0 and tok[0].isupper() and not tok.isupper():
            w += entity_boost * weight
        counts[low] = counts.get(low, 0.0) + w


def term_counts(
    doc: Document, body_sentences: int, title_weight: float = 2.0, entity_boost: float = 0.0
) -> dict[str, float]:
    """Weighted content-word counts of the title and the first ``body_sentences`` body sentences
    (all of them when ``body_sentences`` is 0). Title words count ``title_weight`` times."""
    counts: dict[str, float] = {}
    taken = 0
    for sent in doc.sentences:
        if sent.is_title:
            _add_sentence(counts, sent.text, title_weight, entity_boost)
        elif body_sentences <= 0 or taken < body_sentences:
            _add_sentence(counts, sent.text, 1.0, entity_boost)
            taken += 1
    return counts


class DocFreq:
    """Online document frequencies: ``idf(t) = ln((n + 1) / (df(t) + 1)) + 1`` over the documents
    counted so far (smoothed, so a first document gets plain TF weights)."""

    __slots__ = ("df", "n")

    def __init__(self) -> None:
        self.df: dict[str, int] = {}
        self.n = 0

    def add(self, terms: Iterable[str], docs: int = 1) -> None:
        df = self.df
        for t in terms:
            df[t] = df.get(t, 0) + docs
        self.n += docs

    def add_counts(self, counts: Mapping[str, int]) -> None:
        df = self.df
        for t, c in counts.items():
            df[t] = df.get(t, 0) + c

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df.get(term, 0) + 1)) + 1.0


def weigh(counts: Mapping[str, float], docfreq: DocFreq) -> dict[str, float]:
    """Unit-length sublinear TF-IDF vector of ``counts``."""
    vec = {t: (1.0 + math.log(c)) * docfreq.idf(t) for t, c in counts.items() if c > 0}
    n = norm(vec)
    if n == 0:
        return vec
    return {t: w / n for t, w in vec.items()}


def dot(small: Mapping[str, float], big: Mapping[str, float]) -> float:
    """Sparse dot product (iterate over the smaller mapping)."""
    if len(small) > len(big):
        small, big = big, small
    get = big.get
    return sum(w * get(t, 0.0) for t, w in small.items())


def norm(vec: Mapping[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vec.values()))
