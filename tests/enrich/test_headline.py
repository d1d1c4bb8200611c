from storyline.config import EmbedSettings
from storyline.embed import get_embedder
from storyline.enrich.headline import CentralHeadliner
from storyline.models import Article, Summary, SummarySentence
from storyline.normalize import normalize_one


def headliner():
    return CentralHeadliner(get_embedder(EmbedSettings(model="tfidf")))


def test_picks_the_central_title():
    docs = [normalize_one(Article(str(i), t, b)) for i, (t, b) in enumerate([
        ("Wildfire forces evacuation of Cedar Ridge", "A wildfire forced residents to flee."),
        ("Thousands flee as wildfire reaches Cedar Ridge", "Residents fled the wildfire."),
        ("Opinion: what we owe our firefighters", "A column."),
    ])]
    assert "Cedar Ridge" in headliner()(docs, Summary())


def test_no_titles_uses_first_summary_sentence_shortened():
    long = " ".join(["word"] * 40) + "."
    docs = [normalize_one(Article("a", "", long))]
    out = headliner()(docs, Summary((SummarySentence(long, ("a",)),)))
    assert out.endswith("…") and len(out.split()) == 18


def test_all_caps_titles_are_tidied():
    docs = [normalize_one(Article("a", "INDIAN LEADERS TALK WELFARE REFORM", "Text."))]
    assert headliner()(docs, Summary()) == "Indian leaders talk welfare reform"
