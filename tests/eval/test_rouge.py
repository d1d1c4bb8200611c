"""The ROUGE-1.5.5 wrapper on tiny summaries whose scores were computed by hand."""

from __future__ import annotations

import pytest

from storyline.eval.rouge import rouge, rouge_available

pytestmark = pytest.mark.skipif(
    rouge_available() is not None, reason=f"ROUGE-1.5.5 cannot run: {rouge_available()}"
)


def test_unigram_and_bigram_recall() -> None:
    # peer: the cat sat on the mat / ref: the cat sat on a mat
    # unigrams: the(min 2,1)=1 cat sat on mat -> 5 of 6; bigrams: the-cat cat-sat sat-on -> 3 of 5
    result = rouge(["the cat sat on the mat"], [["the cat sat on a mat"]], words=None,
                   resamples=10)
    r1, r2 = result.scores["rouge-1"], result.scores["rouge-2"]
    assert r1.recall == pytest.approx(5 / 6, abs=1e-5)
    assert r1.precision == pytest.approx(5 / 6, abs=1e-5)
    assert r2.recall == pytest.approx(3 / 5, abs=1e-5)
    assert r1.recall_ci == pytest.approx((5 / 6, 5 / 6), abs=1e-5)  # one peer: no spread
    # 4-grams: "the cat sat on" is the one hit of the reference's three
    assert result.scores["rouge-4"].recall == pytest.approx(1 / 3, abs=1e-5)
    assert "-n 4" in result.command and "-m" in result.command


def test_stemming_matches_inflections() -> None:
    # with -m, Porter maps both "kills" and "killed" to "kill"
    result = rouge(["police kills gunman"], [["police killed gunman"]], words=None, resamples=10)
    assert result.scores["rouge-1"].recall == pytest.approx(1.0)


def test_multiple_references_pool_counts() -> None:
    # -f A sums hits and reference n-grams over the references:
    # ref 1 "the gunman killed the policeman": hits the, gunman, killed = 3 of 5
    # ref 2 "police killed the gunman": 4 of 4  -> (3 + 4) / (5 + 4)
    result = rouge(["police killed the gunman"],
                   [["the gunman killed the policeman", "police killed the gunman"]],
                   words=None, resamples=10)
    assert result.scores["rouge-1"].recall == pytest.approx(7 / 9, abs=1e-5)


def test_word_limit_truncates_the_peer() -> None:
    # -l 3 truncates peer AND references (as in DUC): "the gunman killed" vs "the gunman shot"
    result = rouge(["the gunman killed police officers today"],
                   [["the gunman shot two police officers"]], words=3, resamples=10)
    assert result.scores["rouge-1"].recall == pytest.approx(2 / 3, abs=1e-5)
    untruncated = rouge(["the gunman killed police officers today"],
                        [["the gunman shot two police officers"]], words=None, resamples=10)
    assert untruncated.scores["rouge-1"].recall == pytest.approx(4 / 6, abs=1e-5)
    assert untruncated.scores["rouge-2"].recall == pytest.approx(2 / 5, abs=1e-5)


def test_scores_are_averaged_over_peers() -> None:
    result = rouge(["storm hits the coast", "completely unrelated words"],
                   [["storm hits the coast"], ["storm hits the coast"]], words=None,
                   resamples=200)
    r1 = result.scores["rouge-1"]
    # the reported average is the bootstrap mean: 0.5 up to resampling noise
    assert r1.recall == pytest.approx(0.5, abs=0.05)
    low, high = r1.recall_ci
    assert low <= 0.5 <= high and low < high


def test_sentences_on_separate_lines() -> None:
    result = rouge(["Storm hits the coast.\nThousands flee."],
                   [["Thousands flee as storm hits the coast."]], words=None, resamples=10)
    # punctuation is dropped; 6 of the reference's 7 words ("as" is missing)
    assert result.scores["rouge-1"].recall == pytest.approx(6 / 7, abs=1e-5)


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        rouge(["a"], [], words=None)
    with pytest.raises(ValueError):
        rouge([], [], words=None)
    with pytest.raises(ValueError):
        rouge(["a"], [[]], words=None)
