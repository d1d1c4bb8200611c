"""Supervised concept weights (``_summ_concepts``, the summarizer's ``concept_model`` for
small clusters) on hand-written documents: features, the numpy logistic fit, the shipped model,
and the summarizer's guarantees with a model."""

from __future__ import annotations

import numpy as np
import pytest

from storyline.enrich._summ_concepts import (
    FEATURES,
    SHIPPED_MODEL,
    ConceptModel,
    concept_features,
    fit_logistic,
)
from storyline.enrich._summ_text import clean_sentence
from storyline.enrich.summarize import (
    ExtractiveSummarizer,
    _relevance,
    _sentences,
    _unique_docs,
    doc_weights,
)
from tests.enrich.test_summarize import BRIDGE, make_docs


def _table() -> tuple[list[str], np.ndarray]:
    docs = make_docs()
    sents = _sentences(docs)
    weights = doc_weights(docs)
    return concept_features(sents, weights, _unique_docs(docs), 2,
                            _relevance(sents, weights, sents))


def test_features_describe_each_concept() -> None:
    names, rows = _table()
    assert rows.shape == (len(names), len(FEATURES))
    assert names == sorted(names) and names
    col = {f: i for i, f in enumerate(FEATURES)}
    bridge = rows[names.index("river bridg")]  # in every article, early on
    rescue = rows[names.index("rescu team")]
    assert bridge[col["wdf_frac"]] == pytest.approx(1.0)
    assert bridge[col["lead_frac"]] == pytest.approx(1.0)
    assert bridge[col["first_pos"]] == 0.0
    assert bridge[col["wdf_frac"]] > rescue[col["wdf_frac"]]
    assert bridge[col["stopword"]] == 0.0
    assert rows[names.index("the old")][col["stopword"]] == 1.0
    assert np.all((rows[:, col["centrality"]] >= 0) & (rows[:, col["centrality"]] <= 1))
    assert all(len(c.split()) == 2 for c in names)  # bigrams only, no "u:" unigrams


def test_shipped_model_ranks_shared_early_concepts_first() -> None:
    names, rows = _table()
    prob = SHIPPED_MODEL.predict(rows)
    assert SHIPPED_MODEL.features == FEATURES
    assert np.all((prob > 0) & (prob < 1))
    # the bigram every article opens with beats one that a single late sentence carries
    assert prob[names.index("river bridg")] > prob[names.index("rescu team")]


def test_logistic_fit_learns_the_signal_and_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(400, len(FEATURES)))
    target = (rows[:, 2] - rows[:, 5] > 0).astype(float)
    model = fit_logistic(rows, target)
    assert model.coef[2] > 1 and model.coef[5] < -1
    assert max(abs(c) for i, c in enumerate(model.coef) if i not in (2, 5)) < 0.5
    prob = model.predict(rows)
    assert np.all((prob > 0) & (prob < 1))
    assert float(((prob > 0.5) == (target > 0.5)).mean()) > 0.95
    assert fit_logistic(rows, target) == model
    assert ConceptModel.from_dict(model.to_dict()) == model
    with pytest.raises(ValueError, match="features"):
        ConceptModel.from_dict({**model.to_dict(), "features": ["a", "b"]})


def _number_lover() -> ConceptModel:
    """A hand-set model: bigrams holding a number are near-certain, every other one unlikely."""
    coef = [0.0] * len(FEATURES)
    coef[FEATURES.index("number")] = 8.0
    n = len(FEATURES)
    return ConceptModel(FEATURES, (0.0,) * n, (1.0,) * n, tuple(coef), -4.0)


def test_summarizer_follows_the_model_and_keeps_its_guarantees() -> None:
    docs = make_docs([*BRIDGE, (
        "a5", "Millbrook bridge toll",
        "The old river bridge in Millbrook carried 12,000 cars a day before it collapsed.\n"
        "Rescue teams from Millbrook searched the river again on Friday morning.\n"
        "The state will pay for a new river bridge in Millbrook, the governor said."), (
        "a6", "Traffic diverted after Millbrook collapse",
        "Drivers who used the bridge, about 12,000 cars a day, now take a long detour.\n"
        "The county opened a temporary ferry across the river for people who walk to work.\n"
        "Rescue teams ended the search of the river near the old bridge on Saturday.")])
    summarize = ExtractiveSummarizer(concept_model=_number_lover())  # 6 articles < 15
    summary = summarize(docs, words=20)
    assert summary.words <= 20
    assert any("12,000" in s.text for s in summary.sentences)
    sources = {clean_sentence(s.text) for d in docs for s in d.sentences}
    assert all(s.text in sources and s.articles for s in summary.sentences)
    assert summarize(docs, words=20) == summary
    for words in (15, 40, 80):
        assert summarize(docs, words=words).words <= words
    # the model only weighs clusters of fewer than ``model_below`` distinct articles
    gated = ExtractiveSummarizer(concept_model=_number_lover(), model_below=len(docs))
    assert gated(docs, words=20) == ExtractiveSummarizer(concept_model=None)(docs, words=20)
    assert not any("12,000" in s.text for s in gated(docs, words=20).sentences)
