from storyline.config import DedupeSettings
from storyline.dedupe import Deduper, fold_batch, shingle_signature
from storyline.models import Article
from storyline.normalize import normalize_one

BODY = (
    "The port authority said on Monday that twelve container ships were waiting offshore after "
    "dockworkers walked out over a plan to automate three of the five cranes at the harbour."
)


def doc(i: str, title: str, text: str):
    return normalize_one(Article(i, title, text))


def test_exact_and_near_copies_fold_into_the_first():
    docs = [
        doc("a", "Dockworkers strike", BODY),
        doc("b", "DOCKWORKERS STRIKE", BODY.upper()),  # same words: exact copy
        doc("c", "Dockworkers strike", BODY.replace("twelve", "eleven")),  # near copy
        doc("d", "Wildfire", "A wildfire forced thousands of residents of a mountain town to flee "
            "their homes on Tuesday evening as strong winds pushed the flames across the river."),
    ]
    folded = fold_batch(docs)
    assert [d.id for d in folded] == ["a", "d"]
    assert folded[0].copies == ("b", "c")


def test_short_texts_fold_only_when_identical():
    a = doc("a", "Four rockets hit Iraq airbase hosting US troops", "")
    b = doc("b", "Four rockets hit Iraqi airbase hosting US troops", "")
    assert shingle_signature(a.title) is None
    assert [d.id for d in fold_batch([a, b])] == ["a", "b"]
    assert fold_batch([a, doc("c", a.title, "")])[0].copies == ("c",)


def test_deduper_seeded_from_known_articles_and_threshold():
    first = doc("a", "", BODY)
    seeded = Deduper()
    seeded.add("a", first.content_hash, seeded.signature(first))
    assert seeded.check(doc("z", "", BODY.replace("Monday", "Tuesday")))[0] == "a"
    strict = Deduper(DedupeSettings(near_threshold=0.99))
    strict.add("a", first.content_hash, strict.signature(first))
    assert strict.check(doc("z", "", BODY.replace("Monday", "Tuesday")))[0] is None


def test_signatures_are_stable_across_instances():
    assert (shingle_signature(BODY) == shingle_signature(BODY)).all()
