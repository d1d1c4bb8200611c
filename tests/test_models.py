"""The records passed between stages."""

from __future__ import annotations

from storyline.models import Summary, SummarySentence


def test_a_headline_in_a_summary_does_not_run_into_the_next_sentence() -> None:
    summary = Summary((
        SummarySentence("Four soldiers injured in rocket strike on Iraqi airbase", ("a",)),
        SummarySentence("On Sunday the army said four people had been wounded.", ("b",)),
        SummarySentence('"People took this very seriously," she said', ("c",)),
        SummarySentence("Who got snubbed?", ("d",)),
    ))
    assert summary.text == (
        "Four soldiers injured in rocket strike on Iraqi airbase. On Sunday the army said four "
        'people had been wounded. "People took this very seriously," she said. Who got snubbed?')
    assert summary.words == sum(len(s.text.split()) for s in summary.sentences)
