"""Small text helpers shared by several stages: word tokens, stopwords, word counts."""

from __future__ import annotations

import re

__all__ = ["STOPWORDS", "content_words", "word_count", "words"]

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves said says say
    says mr mrs ms s t one two new would could may might must shall us""".split()
)


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    if text.isascii():  # lower-casing first cannot change what the pattern matches
        return _WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Lower-cased word tokens that are not stopwords."""
    return [w for w in words(text) if w not in STOPWORDS]


def word_count(text: str) -> int:
    return len(text.split())
