import numpy as np
import pytest

from storyline.config import EmbedSettings
from storyline.embed import get_embedder
from storyline.enrich.headline import central_headline
from storyline.models import Article, Summary, SummarySentence
from storyline.normalize import normalize_one


def headline(docs, summary=None):
    vectors = get_embedder(EmbedSettings(model="tfidf")).encode([d.lead for d in docs])
    return central_headline(docs, summary or Summary(), vectors)


def test_picks_the_central_title():
    docs = [normalize_one(Article(str(i), t, b)) for i, (t, b) in enumerate([
        ("Wildfire forces evacuation of Cedar Ridge", "A wildfire forced residents to flee."),
        ("Thousands flee as wildfire reaches Cedar Ridge", "Residents fled the wildfire."),
        ("Opinion: what we owe our firefighters", "A column."),
    ])]
    assert "Cedar Ridge" in headline(docs)


def test_untitled_members_count_for_the_centre_but_are_not_picked():
    docs = [normalize_one(Article(str(i), t, b)) for i, (t, b) in enumerate([
        ("", "A wildfire forced residents of Cedar Ridge to flee on Monday."),
        ("", "The wildfire near Cedar Ridge grew overnight, residents fled."),
        ("Markets close higher", "Stocks rose."),
        ("Cedar Ridge wildfire: residents flee", "A wildfire reached Cedar Ridge."),
    ])]
    assert headline(docs) == "Cedar Ridge wildfire: residents flee"


def test_no_titles_uses_first_summary_sentence_shortened():
    long = " ".join(["word"] * 40) + "."
    docs = [normalize_one(Article("a", "", long))]
    out = headline(docs, Summary((SummarySentence(long, ("a",)),)))
    assert out.endswith("…") and len(out.split()) == 18


def test_all_caps_titles_are_tidied():
    docs = [normalize_one(Article("a", "INDIAN LEADERS TALK WELFARE REFORM", "Text."))]
    assert headline(docs) == "Indian leaders talk welfare reform"


def test_vectors_must_match_documents():
    docs = [normalize_one(Article("a", "Title here now", "Text."))]
    with pytest.raises(ValueError, match="1 documents but 2 vectors"):
        central_headline(docs, Summary(), np.zeros((2, 4), dtype=np.float32))
