"""The default extractive summarizer on hand-written documents (model-free, fast)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from storyline.enrich._summ_baselines import CentroidSummarizer, LeadSummarizer, LexRankSummarizer
from storyline.enrich._summ_text import clean_sentence, fluency_ok
from storyline.enrich.summarize import ExtractiveSummarizer, doc_weights
from storyline.errors import StorylineError
from storyline.models import Article, Document
from storyline.normalize import normalize_one

BRIDGE = [
    ("a1", "Bridge collapses in Millbrook",
     "MILLBROOK _ The old river bridge in Millbrook collapsed on Tuesday morning during the "
     "rush hour, sending three cars into the water.\n"
     "Rescue teams pulled six people from the river and took them to the county hospital.\n"
     "The bridge had been closed for repairs twice in the past ten years.\n"
     "He said the town would need help from the state."),
    ("a2", "Six rescued after Millbrook bridge collapse",
     "MILLBROOK (AP) -- Rescue teams pulled six people from the river and took them to the "
     "county hospital after the old river bridge collapsed on Tuesday.\n"
     "Engineers from the state transport department arrived in Millbrook to inspect the "
     "remains of the bridge.\n"
     "The mayor of Millbrook said the old river bridge carried twelve thousand cars a day."),
    ("a3", "Inspectors question Millbrook bridge repairs",
     "Engineers from the state transport department began to inspect the remains of the old "
     "river bridge on Wednesday.\n"
     "The old river bridge had failed an inspection last spring, according to state records.\n"
     "The mayor of Millbrook asked residents to avoid the river banks near the bridge."),
    ("a4", "Millbrook mourns",
     "Residents of Millbrook gathered near the old river bridge on Thursday evening to thank the "
     "rescue teams.\n"
     "Rescue teams pulled six people from the river and took them to the county hospital.\n"
     "State engineers said the collapse of the river bridge was caused by corroded steel cables."),
]
OFF_TOPIC = ("z9", "Chess champion wins again",
             "The reigning chess champion won the final game of the tournament in twenty moves.\n"
             "Spectators in the concert hall applauded the champion for several minutes.")


def make_docs(items: list[tuple[str, str, str]] = BRIDGE) -> list[Document]:
    docs = []
    for day, (aid, title, text) in enumerate(items):
        art = Article(id=aid, title=title, text=text,
                      time=datetime(2024, 3, 5 + day, 9, tzinfo=UTC), source="wire")
        docs.append(normalize_one(art))
    return docs


def all_input_sentences(docs: list[Document]) -> set[str]:
    return {clean_sentence(s.text) for d in docs for s in d.sentences}


@pytest.fixture(scope="module")
def summarizer() -> ExtractiveSummarizer:
    return ExtractiveSummarizer()


@pytest.mark.parametrize("budget", [15, 30, 60, 100])
def test_word_budget_is_never_exceeded(summarizer: ExtractiveSummarizer, budget: int) -> None:
    summary = summarizer(make_docs(), words=budget)
    assert summary.sentences, "a summary should fit in the budget"
    assert summary.words <= budget


def test_sentences_are_input_sentences_unrewritten(summarizer: ExtractiveSummarizer) -> None:
    docs = make_docs()
    summary = summarizer(docs, words=100)
    originals = all_input_sentences(docs)
    for s in summary.sentences:
        assert s.text in originals
    # the dateline is cleaned away, nothing else
    assert not any(s.text.startswith(("MILLBROOK", "(AP)")) for s in summary.sentences)


def test_dateline_and_agency_cleaning() -> None:
    assert clean_sentence("PHOENIX _ Victoria Molina wants strangers to stop.") == (
        "Victoria Molina wants strangers to stop.")
    assert clean_sentence("HIGHLAND, Calif. _ A century after Indian wars.") == (
        "A century after Indian wars.")
    assert clean_sentence("WASHINGTON (AP) -- The Senate voted.") == "The Senate voted."
    assert clean_sentence("(AP) -- The Senate voted.") == "The Senate voted."
    kept = "The U.S. Senate voted - narrowly."
    assert clean_sentence(kept) == kept


def test_fluency_filter() -> None:
    assert fluency_ok("Rescue teams pulled six people from the river.")
    assert not fluency_ok("He said the town would need help.")
    assert not fluency_ok("But the mayor disagreed with the plan.")
    assert not fluency_ok('"We will rebuild," the mayor said.')
    assert not fluency_ok("I've been trying to go the organic route every day.")
    assert not fluency_ok("If we wait any longer the bridge will fall.")
    assert fluency_ok("The memorial honours soldiers of World War I and their families.")


def test_provenance_lists_every_carrier_and_copies(summarizer: ExtractiveSummarizer) -> None:
    docs = make_docs()
    docs[0] = replace(docs[0], copies=("a1-copy",))
    summary = summarizer(docs, words=100)
    rescue = [s for s in summary.sentences if s.text.startswith("Rescue teams pulled six")]
    assert rescue, "the sentence carried by three articles should be chosen"
    # exact copy in a1 (+ its folded duplicate) and a4, near-duplicate in a2
    assert set(rescue[0].articles) == {"a1", "a1-copy", "a2", "a4"}
    for s in summary.sentences:
        assert s.articles, "every summary sentence names its articles"


def test_order_is_by_time_then_position(summarizer: ExtractiveSummarizer) -> None:
    docs = make_docs()
    summary = summarizer(docs, words=100)
    times = [s.time for s in summary.sentences]
    assert all(t is not None for t in times)
    assert times == sorted(times)  # type: ignore[type-var]


def test_wcep_style_is_short(summarizer: ExtractiveSummarizer) -> None:
    summary = summarizer(make_docs(), words=100, style="wcep")
    assert 1 <= len(summary.sentences) <= 2
    assert summary.words <= 40


def test_unknown_style_is_an_error(summarizer: ExtractiveSummarizer) -> None:
    with pytest.raises(StorylineError, match="style"):
        summarizer(make_docs(), style="poem")


def test_single_document(summarizer: ExtractiveSummarizer) -> None:
    docs = make_docs(BRIDGE[:1])
    summary = summarizer(docs, words=40)
    assert summary.sentences
    assert summary.words <= 40
    assert all(s.articles == ("a1",) for s in summary.sentences)


def test_empty_and_zero_budget(summarizer: ExtractiveSummarizer) -> None:
    assert summarizer([], words=100).sentences == ()
    assert summarizer(make_docs(), words=0).sentences == ()
    empty = normalize_one(Article(id="e", title="", text=""))
    assert summarizer([empty], words=100).sentences == ()


def test_pile_of_headlines_without_dates(summarizer: ExtractiveSummarizer) -> None:
    items = [
        "Flood waters reach the centre of Riverton",
        "Riverton flood forces hundreds from their homes",
        "Army sent to help Riverton as flood waters rise",
        "Local bakery wins prize for best sourdough loaf",
        "Flood waters in Riverton expected to fall by Sunday",
        "Hundreds of homes in Riverton damaged by the flood waters",
    ]
    docs = [normalize_one(Article(id=f"h{i}", title=t)) for i, t in enumerate(items)]
    summary = summarizer(docs, words=40)
    assert summary.sentences
    assert summary.words <= 40
    for s in summary.sentences:
        assert s.text in items
        assert "bakery" not in s.text


def test_off_topic_document_is_down_weighted() -> None:
    docs = make_docs([*BRIDGE, OFF_TOPIC])
    weights = doc_weights(docs)
    assert weights[-1] < 0.5 < min(weights[:-1])
    summary = ExtractiveSummarizer()(docs, words=100)
    assert all("z9" not in s.articles for s in summary.sentences)


def test_deterministic(summarizer: ExtractiveSummarizer) -> None:
    docs = make_docs()
    first = summarizer(docs, words=60)
    assert all(summarizer(docs, words=60) == first for _ in range(3))
    assert ExtractiveSummarizer()(list(docs), words=60) == first


def test_with_an_embedder(fast_settings) -> None:
    from storyline.embed import get_embedder

    emb = get_embedder(fast_settings.embed)
    summary = ExtractiveSummarizer(emb)(make_docs([*BRIDGE, OFF_TOPIC]), words=60)
    assert summary.sentences and summary.words <= 60
    assert all("z9" not in s.articles for s in summary.sentences)


@pytest.mark.parametrize("cls", [LeadSummarizer, CentroidSummarizer, LexRankSummarizer])
def test_baselines_respect_budget(cls: type) -> None:
    docs = make_docs()
    summary = cls()(docs, words=50)
    assert summary.sentences and summary.words <= 50
    originals = all_input_sentences(docs)
    assert all(s.text in originals for s in summary.sentences)


def test_iraq_airbase_specimen(summarizer: ExtractiveSummarizer) -> None:
    """The specimen pile (headlines and loose sentences, no dates, off-topic items mixed in):
    the summary is made of the pile's own sentences about the attacks."""
    from storyline.eval.datasets import datasets_dir
    from tests.conftest import EXAMPLES

    name = "iraq-airbase-pile.txt"
    path = EXAMPLES / name
    if not path.is_file():  # the shared copy next to the evaluation data
        path = datasets_dir().parent / "examples" / name
    if not path.is_file():
        pytest.skip(f"specimen not found at {path}")
    ingest = pytest.importorskip("storyline.ingest")
    docs = [normalize_one(a) for a in ingest.read_inputs(path)]
    pile = path.read_text(encoding="utf-8")
    for style, budget in (("default", 100), ("wcep", 40)):
        summary = summarizer(docs, words=budget, style=style)
        assert summary.sentences and summary.words <= budget
        for s in summary.sentences:
            assert s.text in pile
            assert not any(w in s.text for w in ("sinkhole", "Oscars", "NDP"))
        about = [s for s in summary.sentences
                 if any(w in s.text.lower() for w in ("base", "rocket", "attack", "missile"))]
        assert len(about) >= len(summary.sentences) / 2


def test_query_steers_the_summary_towards_the_topic() -> None:
    docs = make_docs()
    # the query boost was tuned with the unsupervised concept weights (DUC 2006's 25-article
    # clusters, which the supervised model does not weigh)
    summarize = ExtractiveSummarizer(query_boost=3.0, concept_model=None)
    generic = summarize(docs, words=25)
    assert summarize(docs, words=25, query=None) == generic  # the protocol call is unchanged
    about = "Discuss the inspection of the bridge: engineers, state records, corroded cables."
    focused = summarize(docs, words=25, query=about)
    assert focused.words <= 25
    text = " ".join(s.text for s in focused.sentences).lower()
    assert "engineer" in text or "inspect" in text
    assert focused != generic
    # a query with only instruction words changes nothing
    assert summarize(docs, words=25, query="Discuss. Include information.") == generic


RATE = [
    ("r1", "Central bank raises interest rate to 4.25 percent",
     "The central bank raised its main interest rate by a quarter of a percentage point to 4.25 "
     "percent on Thursday, its third increase this year. Governor Paul Ambers said inflation "
     "remained too high. Most economists had expected the move."),
    ("r2", "Rate rise of quarter point as central bank fights inflation",
     "The central bank lifted borrowing costs by 0.25 percentage points on Thursday, taking its "
     "key rate to 4.25 percent. Governor Paul Ambers said further increases could not be ruled "
     "out. Mortgage lenders are expected to pass the increase on to borrowers within weeks."),
    ("r3", "Homebuyers face higher costs after central bank rate rise",
     "Three of the largest mortgage lenders raised their rates on Friday, a day after the central "
     "bank increased its main interest rate to 4.25 percent. Estate agents said the rise would "
     "cool the housing market."),
]


def test_paraphrases_are_not_both_chosen() -> None:
    docs = make_docs(RATE)
    raised, lifted = "The central bank raised its main", "The central bank lifted borrowing"
    for words in (40, 60, 80, 100):
        text = " ".join(s.text for s in ExtractiveSummarizer()(docs, words=words).sentences)
        assert not (raised in text and lifted in text), text
    # without the paraphrase test the coverage objective takes both
    loose = " ".join(s.text for s in ExtractiveSummarizer(paraphrase=0.0)(docs, words=80).sentences)
    assert raised in loose and lifted in loose


def test_entity_concepts_mark_names_and_numbers() -> None:
    from storyline.enrich._summ_text import stem_tokens, tokens
    from storyline.enrich.summarize import _entity_concepts

    text = "The mayor of Millbrook said 12 cars were lost."
    toks = tokens(text)
    got = _entity_concepts(text, stem_tokens(toks), toks)
    assert "of millbrook" in got and "said 12" in got and "12 car" in got
    assert "the mayor" not in got and "car were" not in got
