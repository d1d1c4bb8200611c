from storyline.normalize.sentences import split_sentences


def test_splits_and_keeps_abbreviations_together():
    text = (
        "Gen. Qassem Soleimani was killed. U.S. Lt. Col. Chase gave the order at 11 p.m. on Jan. 7."
    )
    assert split_sentences(text) == [
        "Gen. Qassem Soleimani was killed.",
        "U.S. Lt. Col. Chase gave the order at 11 p.m. on Jan. 7.",
    ]


def test_line_breaks_are_boundaries():
    assert split_sentences("A headline without a stop\nThen a sentence.") == [
        "A headline without a stop",
        "Then a sentence.",
    ]


def test_empty():
    assert split_sentences("") == []
    assert split_sentences("\n \n") == []
