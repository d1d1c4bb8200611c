"""Budgeted concept coverage: pick sentences maximizing the weight of the concepts they cover
(Gillick & Favre 2009, the ICSISumm model) under a word budget.

Exact ILP with HiGHS (``highspy``, no restarts) under a time limit; greedy (cost-scaled, with
the best single sentence as a safeguard: a 1/2(1-1/e) approximation) when HiGHS is missing or
fails.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["select"]

log = logging.getLogger(__name__)


def select(
    lengths: Sequence[int],
    sent_concepts: Sequence[Sequence[int]],
    weights: np.ndarray,
    budget: int,
    bonus: Sequence[float] | None = None,
    max_sentences: int | None = None,
    time_limit: float = 2.0,
    max_nodes: int = 2000,
    rel_gap: float = 0.005,
    conflicts: Sequence[tuple[int, int]] = (),
) -> list[int]:
    """Indices of the chosen sentences. ``sent_concepts[j]`` are the concept indices of sentence
    j, ``weights`` the concept weights, ``bonus`` a per-sentence additive score; of each pair in
    ``conflicts`` (near-duplicate sentences) at most one is chosen."""
    n = len(lengths)
    if n == 0 or budget <= 0:
        return []
    bonus_arr = np.zeros(n) if bonus is None else np.asarray(bonus, dtype=float)
    greedy = _greedy(lengths, sent_concepts, weights, budget, bonus_arr, max_sentences,
                     conflicts)
    try:
        chosen = _ilp(lengths, sent_concepts, weights, budget, bonus_arr, max_sentences,
                      time_limit, max_nodes, rel_gap, conflicts, greedy)
    except ImportError:
        chosen = None
    except Exception as exc:  # solver failure: fall back, never lose the summary
        log.warning("ILP solver failed (%s); using greedy selection", exc)
        chosen = None
    if chosen is None:
        chosen = greedy
    return sorted(chosen)


def _ilp(
    lengths: Sequence[int],
    sent_concepts: Sequence[Sequence[int]],
    weights: np.ndarray,
    budget: int,
    bonus: np.ndarray,
    max_sentences: int | None,
    time_limit: float,
    max_nodes: int,
    rel_gap: float,
    conflicts: Sequence[tuple[int, int]],
    warm: Sequence[int] = (),
) -> list[int] | None:
    import highspy

    ns, nc = len(lengths), len(weights)
    # columns: sentences 0..ns-1, concepts ns..ns+nc-1
    # rows: 0 = length budget; 1..nc = c_i - sum_{j covers i} s_j <= 0; (+1 = sentence count)
    covers: list[list[int]] = [[] for _ in range(nc)]
    for j, cs in enumerate(sent_concepts):
        for c in cs:
            covers[c].append(j)
    extra = 1 if max_sentences else 0
    pair_rows: list[list[int]] = [[] for _ in range(ns)]
    for r, (a, b) in enumerate(conflicts):
        pair_rows[a].append(1 + nc + extra + r)
        pair_rows[b].append(1 + nc + extra + r)
    starts, index, value = [0], [], []
    for j in range(ns):
        index.append(0)
        value.append(float(lengths[j]))
        for c in sent_concepts[j]:
            index.append(1 + c)
            value.append(-1.0)
        if extra:
            index.append(1 + nc)
            value.append(1.0)
        for row in sorted(set(pair_rows[j])):
            index.append(row)
            value.append(1.0)
        starts.append(len(index))
    for c in range(nc):
        index.append(1 + c)
        value.append(1.0)
        starts.append(len(index))
    lp = highspy.HighsLp()
    lp.num_col_ = ns + nc
    rows = 1 + nc + extra + len(conflicts)
    lp.num_row_ = rows
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([bonus, weights]).astype(float)
    lp.col_lower_ = np.zeros(ns + nc)
    lp.col_upper_ = np.ones(ns + nc)
    lp.row_lower_ = np.full(rows, -highspy.kHighsInf)
    upper = np.zeros(rows)
    upper[0] = float(budget)
    if extra:
        upper[1 + nc] = float(max_sentences or 0)
    upper[1 + nc + extra:] = 1.0
    lp.row_upper_ = upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = ns + nc
    lp.a_matrix_.num_row_ = rows
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * ns + [highspy.HighsVarType.kContinuous] * nc
    h = _new_highs(highspy)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_max_nodes", int(max_nodes))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    # no restarts: on these small models each restart redoes the root's cuts and heuristics,
    # most of the slowest DUC 2006 ILP's time (0.36 -> 0.15 s); no solution got worse
    h.setOptionValue("mip_allow_restart", False)
    h.passModel(lp)
    if warm:  # a greedy incumbent lets branch-and-bound prune from the start
        start = highspy.HighsSolution()
        col = np.zeros(ns + nc)
        col[list(warm)] = 1.0
        for j in warm:
            col[[ns + c for c in sent_concepts[j]]] = 1.0
        start.col_value = list(col)
        start.value_valid = True
        h.setSolution(start)
    h.run()
    info = h.getInfo()
    log.debug("ILP: %s, %d nodes, gap %.4f", h.modelStatusToString(h.getModelStatus()),
              info.mip_node_count, info.mip_gap)
    sol = h.getSolution()
    if not sol.value_valid:
        return None
    col = np.asarray(sol.col_value[:ns])
    chosen = [j for j in range(ns) if col[j] > 0.5]
    if sum(lengths[j] for j in chosen) > budget:
        return None
    return chosen


_BANNER_SHOWN = False


def _new_highs(highspy: Any) -> Any:
    """A HiGHS instance; the first one of the process prints a banner on the C-level stdout,
    which would corrupt a CLI's JSON output, so that one is created with stdout muted."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()
    _BANNER_SHOWN = True
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            return highspy.Highs()
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _greedy(
    lengths: Sequence[int],
    sent_concepts: Sequence[Sequence[int]],
    weights: np.ndarray,
    budget: int,
    bonus: np.ndarray,
    max_sentences: int | None,
    conflicts: Sequence[tuple[int, int]] = (),
) -> list[int]:
    clash: dict[int, set[int]] = {}
    for a, b in conflicts:
        clash.setdefault(a, set()).add(b)
        clash.setdefault(b, set()).add(a)
    covered: set[int] = set()
    chosen: list[int] = []
    used = 0
    remaining = set(range(len(lengths)))
    while remaining and (max_sentences is None or len(chosen) < max_sentences):
        best, best_gain = -1, 0.0
        for j in sorted(remaining):
            if used + lengths[j] > budget or clash.get(j, set()) & set(chosen):
                continue
            gain = sum(weights[c] for c in set(sent_concepts[j]) - covered) + bonus[j]
            score = gain / max(1, lengths[j]) ** 0.5
            if score > best_gain:
                best, best_gain = j, score
        if best < 0:
            break
        chosen.append(best)
        used += lengths[best]
        covered |= set(sent_concepts[best])
        remaining.discard(best)
    singles = [j for j in range(len(lengths)) if lengths[j] <= budget]
    if singles:
        top = max(singles, key=lambda j: (_value([j], sent_concepts, weights, bonus), -j))
        if _value([top], sent_concepts, weights, bonus) > _value(chosen, sent_concepts, weights,
                                                                  bonus):
            return [top]
    return chosen


def _value(chosen: Sequence[int], sent_concepts: Sequence[Sequence[int]], weights: np.ndarray,
           bonus: np.ndarray) -> float:
    covered = {c for j in chosen for c in sent_concepts[j]}
    return float(sum(weights[c] for c in covered) + sum(bonus[j] for j in chosen))
