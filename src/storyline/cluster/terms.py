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
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from storyline.models import Document
from storyline.text import STOPWORDS

__all__ = [
    "SHORT_SENTENCES",
    "DocFreq",
    "dot",
    "is_short",
    "norm",
    "term_counts",
    "text_counts",
    "weigh",
]

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


#: items with at most this many sentences (title included) are *short*: headlines, loose lines,
#: a headline with a one-sentence description
SHORT_SENTENCES = 2


def is_short(doc: Document) -> bool:
    """True for a headline, a loose line or a headline with one sentence: text too short for its
    terms to say much, so the embedding and the time weigh more."""
    return len(doc.sentences) <= SHORT_SENTENCES


def _mostly_capitalized(tokens: list[str]) -> bool:
    long = [t for t in tokens[:100] if len(t) > 3]
    return bool(long) and sum(t[0].isupper() for t in long) > 0.6 * len(long)


@lru_cache(maxsize=1 << 16)
def _term(token: str) -> tuple[str, bool]:
    """The term of a token ("" for stopwords, numbers, single letters) and whether it looks like
    a name (capitalized, not all capitals)."""
    low = token.lower().replace("’", "'")
    if low in STOPWORDS or len(low) < 2 or low.isdigit():
        return "", False
    return low, token[0].isupper() and not token.isupper()


def _add_text(
    counts: dict[str, float], sentences: list[str], weight: float, entity_boost: float
) -> None:
    """Add the terms of ``sentences`` (counted together: one pass, C-level counting)."""
    tokens = _TOKEN.findall(" ".join(sentences))
    names = entity_boost > 0 and not _mostly_capitalized(tokens)
    boost = weight * entity_boost
    for tok, c in Counter(tokens).items():
        low, cap = _term(tok)
        if low:
            counts[low] = counts.get(low, 0.0) + c * (weight + (boost if names and cap else 0.0))
    if names:
        # a capital at the start of a sentence says nothing: take the boost back
        for sent in sentences:
            first = _TOKEN.search(sent)
            if first:
                low, cap = _term(first.group())
                if low and cap:
                    counts[low] -= boost


def text_counts(sentences: list[str], entity_boost: float = 0.0) -> dict[str, float]:
    """Content-word counts of loose ``sentences`` (names boosted as in ``term_counts``)."""
    counts: dict[str, float] = {}
    _add_text(counts, sentences, 1.0, entity_boost)
    return counts


def term_counts(
    doc: Document, body_sentences: int, title_weight: float = 2.0, entity_boost: float = 0.0
) -> dict[str, float]:
    """Weighted content-word counts of the title and the first ``body_sentences`` body sentences
    (all of them when ``body_sentences`` is 0). Title words count ``title_weight`` times."""
    counts: dict[str, float] = {}
    titles = [s.text for s in doc.sentences if s.is_title]
    body = [s.text for s in doc.sentences if not s.is_title]
    if body_sentences > 0:
        body = body[:body_sentences]
    if titles:
        _add_text(counts, titles, title_weight, entity_boost)
    if body:
        _add_text(counts, body, 1.0, entity_boost)
    return counts


class DocFreq:
    """Online document frequencies: ``idf(t) = ln((n + 1) / (df(t) + 1)) + 1`` over the documents
    counted so far (smoothed, so a first document gets plain TF weights)."""

    __slots__ = ("df", "n")

    def __init__(self) -> None:
        self.df: dict[str, int] = {}
        self.n = 0

    def add(self, terms: Iterable[str], docs: int = 1) -> None:
        get = self.df.get
        self.df.update({t: get(t, 0) + docs for t in terms})
        self.n += docs

    def add_counts(self, counts: Mapping[str, int]) -> None:
        df = self.df
        for t, c in counts.items():
            df[t] = df.get(t, 0) + c


def weigh(counts: Mapping[str, float], docfreq: DocFreq, top: int = 0) -> dict[str, float]:
    """Unit-length sublinear TF-IDF vector of ``counts``, reduced to its ``top`` heaviest terms
    when ``top`` is positive."""
    log = math.log
    df = docfreq.df
    lognum = log(docfreq.n + 1)
    vec = {
        t: (1.0 + log(c)) * (lognum - log(df.get(t, 0) + 1) + 1.0)
        for t, c in counts.items() if c > 0
    }
    if 0 < top < len(vec):
        vec = dict(sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
    n = norm(vec)
    if n == 0:
        return vec
    return {t: w / n for t, w in vec.items()}


def dot(small: Mapping[str, float], big: Mapping[str, float]) -> float:
    """Sparse dot product (iterate over the smaller mapping)."""
    if len(small) > len(big):
        small, big = big, small
    return sum([small[t] * big[t] for t in small.keys() & big.keys()])


def norm(vec: Mapping[str, float]) -> float:
    """Euclidean length (``math.hypot``: one C call, correctly scaled)."""
    return math.hypot(*vec.values())
