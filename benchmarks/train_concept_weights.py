"""Supervised concept weights for the summarizer: cross-validation on DUC 2006 against the
current (unsupervised) weights, and a model trained on all of DUC 2006 for other data.

    PYTHONPATH=src python benchmarks/train_concept_weights.py [--folds 5] [--resamples 100]
        [--words 100 250] [--noise] [--l2 1.0] [--augment 10] [--eval-first 10] [--paired]
        [--ref-words N] [--no-baseline] [--write FILE] [--model FILE --dataset PATH]

Each bigram concept of a cluster (the summarizer's own concepts, ``min_df`` floor included) gets
the feature row of ``storyline.enrich._summ_concepts.FEATURES`` and a target: the fraction of
the cluster's human summaries whose stemmed bigrams include it. A logistic model (numpy, Newton,
L2) is fitted on the clusters of the other folds (cluster i is in fold i mod FOLDS) and weighs
the concepts of the held-out cluster; ROUGE-1.5.5 then scores the cross-validated summaries next
to the unsupervised weights in the same run (both applied to every cluster, whatever its size).
``--write FILE`` fits on all 50 clusters and writes the model as JSON (a few dozen floats; no
dataset text); the summarizer ships the one written by
``--augment 10 --write src/storyline/enrich/concept_model.json`` and uses it for clusters of
fewer than 15 distinct articles (docs/summarization.md). Needs ../shared/datasets and Perl's
XML::DOM.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from storyline.enrich._summ_concepts import ConceptModel, concept_features, fit_logistic
from storyline.enrich._summ_text import concepts, stem_tokens, tokens
from storyline.enrich.summarize import (
    ExtractiveSummarizer,
    _relevance,
    _sentences,
    _unique_docs,
    doc_weights,
)
from storyline.eval.datasets import Cluster, DatasetMissing
from storyline.eval.rouge import rouge, rouge_available
from storyline.eval.summarization import evaluate, format_table, load_clusters
from storyline.models import Document, Summary
from storyline.normalize import normalize_one

Table = tuple[list[str], np.ndarray, np.ndarray]
#: the summarizer without concept model, and with one for every cluster whatever its size
UNSUPERVISED = ExtractiveSummarizer(concept_model=None)


def supervised(model: ConceptModel) -> ExtractiveSummarizer:
    return ExtractiveSummarizer(concept_model=model, model_below=10**9)


def cluster_table(docs: Sequence[Document], references: Sequence[str],
                  min_df: int = 3, ref_words: int = 0
                  ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The summarizer's concepts of one cluster, their features and targets (the fraction of
    references using each)."""
    sents = _sentences(docs)
    weights = doc_weights(docs)
    unique = _unique_docs(docs)
    short = sum(not s.is_title for s in sents) < 3 * len(docs)
    floor = min_df if len(unique) >= 15 and not short else 2
    names, rows = concept_features(sents, weights, unique, floor,
                                   _relevance(sents, weights, sents))
    used: Counter[str] = Counter()
    for ref in references:
        if ref_words:  # what ROUGE's -l sees of the reference
            ref = " ".join(ref.split()[:ref_words])
        toks = tokens(ref)
        used.update(concepts(stem_tokens(toks), toks))
    target = np.array([used[c] / max(1, len(references)) for c in names])
    return names, rows, target


class FoldSummarizer:
    """Summarizes each cluster with the model trained without it (cross-validation)."""

    name = "ours, supervised concepts (CV)"

    def __init__(self, owner: dict[str, str], by_cluster: dict[str, ExtractiveSummarizer]):
        self.owner = owner
        self.by_cluster = by_cluster

    def __call__(self, docs: Sequence[Document], words: int = 100, style: str = "default",
                 query: str | None = None) -> Summary:
        votes = Counter(self.owner[d.id] for d in docs if d.id in self.owner)
        cluster = votes.most_common(1)[0][0]
        return self.by_cluster[cluster](docs, words=words, style=style, query=query)


class OracleSummarizer(ExtractiveSummarizer):
    """The ceiling: each concept weighs the fraction of the cluster's references that use it
    (the training target itself, so this reads the answers; for headroom only)."""

    name = "oracle concept weights (reads the references)"

    def __init__(self, owner: dict[str, str], targets: dict[str, dict[str, float]]):
        super().__init__()
        self.owner = owner
        self.targets = targets

    def _concept_weights(self, docs: Sequence[Document], sents: Any, weights: Any
                         ) -> dict[str, float]:
        votes = Counter(self.owner[d.id] for d in docs if d.id in self.owner)
        target = self.targets[votes.most_common(1)[0][0]]
        return {c: w for c, w in target.items() if w > 0}


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve (ties counted half)."""
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    for v in np.unique(score):  # average ranks of ties
        idx = score == v
        ranks[idx] = ranks[idx].mean()
    pos = label > 0
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def paired(clusters: Sequence[Cluster], base: Any, other: Any, words: int) -> str:
    """Per-cluster ROUGE-1/2 recall of ``other`` minus ``base`` (each cluster scored alone):
    mean difference, a paired bootstrap 95 % interval (seed 0) and wins/losses."""
    diffs = []
    for c in clusters:
        docs = [normalize_one(a) for a in c.articles]
        row = []
        for system in (base, other):
            text = "\n".join(s.text for s in system(docs, words=words).sentences)
            scores = rouge([text], [list(c.references)], words=words, resamples=1).scores
            row.append((scores["rouge-1"].recall, scores["rouge-2"].recall))
        diffs.append([100 * (row[1][k] - row[0][k]) for k in (0, 1)])
    d = np.array(diffs)
    rng = np.random.default_rng(0)
    boot = np.array([d[rng.integers(0, len(d), len(d))].mean(axis=0) for _ in range(2000)])
    out = []
    for k, name in enumerate(("R-1", "R-2")):
        lo, hi = np.percentile(boot[:, k], [2.5, 97.5])
        out.append(f"{name} {d[:, k].mean():+.2f} (95 % {lo:+.2f} to {hi:+.2f}; "
                   f"{int((d[:, k] > 0).sum())} clusters up, {int((d[:, k] < 0).sum())} down)")
    return f"paired, {words} words, supervised - default: " + "; ".join(out)


def held_out(clusters: list[Cluster], args: argparse.Namespace) -> int:
    """Score a model trained elsewhere (``--write``) on these clusters, next to the default."""
    if (reason := rouge_available()) is not None:
        print(f"skipped ROUGE: {reason}")
        return 0
    with open(args.model, encoding="utf-8") as fh:
        ours = supervised(ConceptModel.from_dict(json.load(fh)))
    results = []
    for words in args.words:
        for name, system in (("unsupervised weights", UNSUPERVISED),
                             (f"supervised concepts ({args.model})", ours)):
            r = evaluate(clusters, system, words, resamples=args.resamples)
            r["system"] = name
            results.append(r)
    print(format_table(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", default="duc2006")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--resamples", type=int, default=100)
    ap.add_argument("--words", type=int, nargs="*", default=[100, 250])
    ap.add_argument("--noise", action="store_true", help="also 100 words with 20 %% injected")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--ref-words", type=int, default=0,
                    help="targets from the first N words of each reference (0: all)")
    ap.add_argument("--first", type=int, default=0,
                    help="keep only the first N articles of each cluster (DUC-2004-sized: 10)")
    ap.add_argument("--eval-first", type=int, default=0,
                    help="train on whole clusters, summarize only their first N articles")
    ap.add_argument("--augment", type=int, nargs="*", default=[],
                    help="also train on each cluster cut to its first N articles")
    ap.add_argument("--paired", action="store_true",
                    help="also per-cluster differences with a paired bootstrap interval")
    ap.add_argument("--oracle", action="store_true",
                    help="also score the oracle (concept weight = true reference fraction)")
    ap.add_argument("--min-df", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the unsupervised-weight rows")
    ap.add_argument("--model", metavar="FILE",
                    help="no training: score the model in FILE (from --write) on --dataset "
                         "next to the current default (held-out data)")
    ap.add_argument("--write", metavar="FILE",
                    help="fit on all clusters and write the model to FILE (JSON)")
    args = ap.parse_args(argv)
    try:
        clusters: list[Cluster] = load_clusters(args.dataset)
        if args.first:
            clusters = [replace(c, articles=c.articles[:args.first]) for c in clusters]
    except DatasetMissing as exc:
        print(f"skipped: {exc}")
        return 0
    if args.model:
        return held_out(clusters, args)
    start = time.perf_counter()
    tables: list[Table] = []
    for c in clusters:
        docs = [normalize_one(a) for a in c.articles]
        table = cluster_table(docs, c.references, args.min_df, args.ref_words)
        for n in args.augment:  # the same cluster cut to its first n articles
            extra = cluster_table(docs[:n], c.references, args.min_df, args.ref_words)
            table = (table[0] + extra[0], np.vstack([table[1], extra[1]]),
                     np.concatenate([table[2], extra[2]]))
        tables.append(table)
    print(f"features of {len(clusters)} clusters in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    if args.write:
        model = fit_logistic(np.vstack([t[1] for t in tables]),
                             np.concatenate([t[2] for t in tables]), args.l2)
        for f, w in zip(model.features, model.coef, strict=True):
            print(f"  {f:14s} {w:+.3f}")
        with open(args.write, "w", encoding="utf-8") as fh:
            json.dump(model.to_dict(), fh, indent=1)
            fh.write("\n")
        print(f"wrote {args.write} (trained on {len(clusters)} clusters)")
        return 0

    fold_of = {c.id: i % args.folds for i, c in enumerate(clusters)}
    models: dict[int, ConceptModel] = {}
    for k in range(args.folds):
        train = [t for c, t in zip(clusters, tables, strict=True) if fold_of[c.id] != k]
        models[k] = fit_logistic(np.vstack([t[1] for t in train]),
                                 np.concatenate([t[2] for t in train]), args.l2)
    # concept-level diagnostics on held-out clusters: the model vs the unsupervised weight
    held_p, held_w, held_y = [], [], []
    for c, (_names, rows, target) in zip(clusters, tables, strict=True):
        held_p.append(models[fold_of[c.id]].predict(rows))
        held_w.append(rows[:, 1])  # log weighted document frequency
        held_y.append(target)
    y = np.concatenate(held_y)
    print(f"held-out bigram concept AUC (used by >= 1 reference): model "
          f"{auc(np.concatenate(held_p), y):.3f}, weighted df "
          f"{auc(np.concatenate(held_w), y):.3f} ({len(y)} concepts, "
          f"{float((y > 0).mean()):.1%} positive)")

    if (reason := rouge_available()) is not None:
        print(f"skipped ROUGE: {reason}")
        return 0
    if args.eval_first:
        clusters = [replace(c, articles=c.articles[:args.eval_first]) for c in clusters]
    owner = {a.id: c.id for c in clusters for a in c.articles}
    cv = FoldSummarizer(owner, {c.id: supervised(models[fold_of[c.id]]) for c in clusters})
    results: list[dict[str, Any]] = []
    runs: list[tuple[int, float]] = [(w, 0.0) for w in args.words]
    if args.noise:
        runs.append((100, 0.2))
    for words, noise in runs:
        systems: list[tuple[str, Any]] = [] if args.no_baseline else [
            ("unsupervised weights", UNSUPERVISED)]
        if args.oracle and not noise and not args.augment and not args.eval_first:
            systems.append((OracleSummarizer.name, OracleSummarizer(owner, {
                c.id: dict(zip(t[0], t[2].tolist(), strict=True))
                for c, t in zip(clusters, tables, strict=True)})))
        systems.append((f"supervised concepts ({args.folds}-fold CV, l2 {args.l2})", cv))
        for name, system in systems:
            r = evaluate(clusters, system, words, noise=noise, resamples=args.resamples)
            r["system"] = name
            results.append(r)
            print(f"  done: {name} {words}w noise={noise:.0%}", file=sys.stderr)
    print(format_table(results))
    if args.paired:
        for words in args.words:
            print(paired(clusters, UNSUPERVISED, cv, words))
    return 0


if __name__ == "__main__":
    sys.exit(main())
