"""The summarizer's text helpers: sentence compression (an option, off by default), stems."""

from __future__ import annotations

from storyline.enrich._summ_text import compress, stems, tokens
from storyline.enrich.summarize import ExtractiveSummarizer
from storyline.models import Article
from storyline.normalize import normalize_one


def test_compress_drops_attributions_and_parentheticals() -> None:
    assert compress("The death toll from the Portvale earthquake rose to 12 on Tuesday, "
                    "officials said.") == ("The death toll from the Portvale earthquake rose "
                                           "to 12 on Tuesday.")
    assert compress("The Food and Drug Administration (FDA) approved the drug for children "
                    "under 12, according to the agency.") == (
        "The Food and Drug Administration approved the drug for children under 12.")
    assert compress("The bridge had been closed for repairs twice in ten years, the mayor "
                    "said on Tuesday.") == (
        "The bridge had been closed for repairs twice in ten years.")


def test_compress_keeps_what_it_must() -> None:
    quote = '"We will leave the province by the end of the year," the official said.'
    assert compress(quote) == quote  # a quotation keeps its speaker
    adding = "Officials said the troops would leave by June, adding that it was safe."
    assert compress(adding) == adding
    short = "Rain fell, officials said."
    assert compress(short) == short  # too little would be left


def test_compressed_summaries_cite_their_articles() -> None:
    texts = [
        "Storms flooded the valley town of Arlow on Friday, officials said.\n"
        "The river Arl rose by three metres overnight, the fire service said.",
        "The river Arl rose by three metres overnight and flooded the valley town of Arlow.\n"
        "About 200 residents of Arlow left their homes (most of them by boat) on Friday.",
        "Residents of Arlow began to return home on Sunday as the river Arl fell.\n"
        "Storms flooded the valley town of Arlow on Friday, the mayor said.",
    ]
    docs = [normalize_one(Article(id=f"a{i}", text=t)) for i, t in enumerate(texts)]
    summary = ExtractiveSummarizer(compress=True)(docs, words=40)
    assert summary.sentences and summary.words <= 40
    assert not any(s.text.endswith("said.") or "(" in s.text for s in summary.sentences)
    assert all(s.articles for s in summary.sentences)


def test_the_c_stemmer_stems_as_the_reference_porter_stemmer():
    from snowballstemmer.porter_stemmer import PorterStemmer

    text = ("Generalizations about the relational conditioning of hopefulness: troubled "
            "agencies reported flying, dying and lying; ponies caresses feudalism 1,200 rockets")
    reference = PorterStemmer()
    assert stems(text) == [reference.stemWord(t) for t in tokens(text)]
