"""TempEval-3 (TimeBank + AQUAINT, TimeML) evaluation of the time-expression resolver.

Two figures, on ``TIMEX3`` elements of type DATE whose gold ``value`` has day (``1998-01-08``) or
month (``1998-01``) granularity:

* **normalization accuracy**: given the gold extent (and its sentence, for tense), does
  :func:`storyline.normalize.timex.resolve_expression` give the gold value, resolving against the
  document creation time (``<DCT>``)?
* **detection recall**: does :func:`~storyline.normalize.timex.find_time_mentions`, run on the
  plain document text, find a mention overlapping the gold extent (and with the gold value)?

The data is read from ``../shared/datasets/tempeval3/TBAQ-cleaned`` and never copied.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from storyline.eval.datasets import DatasetMissing, datasets_dir
from storyline.normalize.timex import find_time_mentions, resolve_expression

__all__ = ["GoldTimex", "TempEvalScore", "evaluate_tempeval", "gold_granularity", "load_tempeval"]

_TAG = re.compile(r"<(/?)([A-Za-z0-9]+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_DCT = re.compile(r"<DCT>.*?value=\"(\d{4}-\d\d-\d\d)", re.DOTALL)
_TEXT = re.compile(r"<TEXT>(.*)</TEXT>", re.DOTALL)


@dataclass(frozen=True)
class GoldTimex:
    doc: str
    text: str
    value: str
    type: str
    start: int
    end: int
    context: str


@dataclass
class TempEvalScore:
    total: int = 0
    correct: int = 0
    detected: int = 0
    detected_correct: int = 0
    by_granularity: Counter[str] = field(default_factory=Counter)
    correct_by_granularity: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def recall(self) -> float:
        return self.detected / self.total if self.total else 0.0

    @property
    def detected_accuracy(self) -> float:
        """Share of gold expressions found by the detector *and* given the gold value."""
        return self.detected_correct / self.total if self.total else 0.0

    def __str__(self) -> str:
        parts = ", ".join(
            f"{g} {self.correct_by_granularity[g] / n:.3f} (n={n})"
            for g, n in sorted(self.by_granularity.items())
        )
        return (
            f"TempEval-3 DATE values: accuracy {self.accuracy:.3f} on {self.total} gold "
            f"expressions ({parts}); detector recall {self.recall:.3f}"
        )


def gold_granularity(value: str) -> str | None:
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return "day"
    if re.fullmatch(r"\d{4}-\d\d", value):
        return "month"
    if re.fullmatch(r"\d{4}-W\d\d", value):
        return "week"
    if re.fullmatch(r"\d{4}", value):
        return "year"
    return None


def _plain(body: str, doc: str) -> tuple[str, list[GoldTimex]]:
    """Strip the TimeML tags of a ``<TEXT>`` body, keeping TIMEX3 offsets in the plain text."""
    out: list[str] = []
    length = 0
    pos = 0
    open_timex: tuple[int, dict[str, str]] | None = None
    spans: list[tuple[int, int, dict[str, str]]] = []
    for m in _TAG.finditer(body):
        chunk = html.unescape(body[pos: m.start()])
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m.group(2) != "TIMEX3":
            continue
        if m.group(1) == "":
            open_timex = (length, dict(_ATTR.findall(m.group(3))))
        elif open_timex is not None:
            spans.append((open_timex[0], length, open_timex[1]))
            open_timex = None
    out.append(html.unescape(body[pos:]))
    text = "".join(out)
    gold = []
    for start, end, attrs in spans:
        left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
        right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
        right = min(right_candidates) if right_candidates else len(text)
        gold.append(GoldTimex(doc, text[start:end], attrs.get("value", ""),
                              attrs.get("type", ""), start, end, text[left: right + 1]))
    return text, gold


def load_tempeval(root: Path | None = None) -> Iterator[tuple[str, date, str, list[GoldTimex]]]:
    """Yield ``(doc id, creation date, plain text, gold TIMEX3s)`` for every TimeML file."""
    folder = root or datasets_dir() / "tempeval3" / "TBAQ-cleaned"
    if not folder.is_dir():
        raise DatasetMissing(f"evaluation data not found: {folder} (set STORYLINE_DATASETS)")
    for path in sorted(folder.glob("*/*.tml")):
        raw = path.read_text(encoding="utf-8")
        dct = _DCT.search(raw)
        body = _TEXT.search(raw)
        if not dct or not body:
            continue
        text, gold = _plain(body.group(1), path.stem)
        yield path.stem, date.fromisoformat(dct.group(1)), text, gold


def evaluate_tempeval(
    root: Path | None = None, granularities: tuple[str, ...] = ("day", "month")
) -> TempEvalScore:
    """Score the resolver on gold DATE expressions of the given granularities."""
    score = TempEvalScore()
    for doc, dct, text, gold in load_tempeval(root):
        mentions = find_time_mentions(text, dct)
        for g in gold:
            gran = gold_granularity(g.value)
            if g.type != "DATE" or gran not in granularities:
                continue
            score.total += 1
            score.by_granularity[gran] += 1
            got = resolve_expression(g.text, dct, g.context)
            if got is not None and got.value == g.value:
                score.correct += 1
                score.correct_by_granularity[gran] += 1
            else:
                score.errors.append((doc, g.text, g.value, got.value if got else "-"))
            hits = [m for m in mentions if m.start < g.end and g.start < m.end]
            if hits:
                score.detected += 1
                if any(m.value == g.value for m in hits):
                    score.detected_correct += 1
    return score
