"""Sentence-level text helpers of the summarizer: cleaning, candidate filtering, stemmed tokens,
bigram concepts and near-duplicate keys."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from storyline.text import STOPWORDS

__all__ = [
    "clean_sentence",
    "compress",
    "concepts",
    "dup_key",
    "fluency_ok",
    "is_junk",
    "shingles",
    "stem_tokens",
    "stems",
    "tokens",
]

# "PHOENIX _ ", "HIGHLAND, Calif. _ ", "WASHINGTON (AP) -- ", "BEIJING, June 12 (Xinhua) -- "
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'\-]+(?:[ ,]+[A-Z][A-Za-z.'\-]*){0,4}(?:,? [A-Z][a-z]{2,8}\.? ?\d{0,2})?"
    r"(?: ?\([A-Za-z .\-]{1,30}\))?|\([A-Za-z .\-]{1,30}\))\s*(?:_|--|—|–|-)\s+"
)
_AGENCY = re.compile(r"^\((?:AP|Xinhua|Reuters|AFP|UPI|CNN)\)\s*(?:_|--|—|–|-)?\s*")
_JUNK = re.compile(
    r"Associated Press Writer|News Service|@|https?://|www\.|^By [A-Z]|^\(?[A-Z ]{6,}\)?$|"
    r"STORY CAN END|OPTIONAL|^(?:NEW|UPDATE|EDS|ADVANCE)\b|c\.\d{4}|&[a-z]+;|^--|^\W*$"
)
_BAD_START = frozenset([
    "he", "she", "it", "they", "them", "this", "these", "those", "his", "her", "its", "their",
    "there", "here", "but", "and", "or", "so", "also", "yet", "however", "meanwhile", "still",
    "then", "that", "such", "both", "we", "i", "you", "our", "my", "earlier", "later", "now",
    "today", "instead", "another", "others", "other", "nevertheless", "moreover", "furthermore",
    "besides", "thus", "therefore",
])
_TOKEN = re.compile(r"[a-z0-9]+")
_PERSONAL = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|[Ww]e|[Ww]e're|[Ww]e've|[Mm]y|[Oo]ur|[Yy]ou|"
                       r"[Yy]ou're|[Yy]ou've|[Yy]our|[Mm]e)\b")
log = logging.getLogger(__name__)


def clean_sentence(text: str) -> str:
    """Remove a dateline ("PHOENIX _ "), an agency tag ("(AP) --") or a leading dash; nothing
    else is rewritten."""
    text = text.strip()
    m = _DATELINE.match(text)
    if m and len(m.group(0)) < 60:
        text = text[m.end():]
    text = _AGENCY.sub("", text)
    text = text.lstrip("_-–— ").strip()
    return text


_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|Mon\.|" \
    r"Tues?\.|Wed\.|Thu(?:rs?)?\.|Fri\.|Sat\.|Sun\.)"
# ", officials said.", ", the ministry said on Tuesday.", ", according to the police."
_ATTRIBUTION = re.compile(
    r",\s+(?:according to [^,;\"“”]{2,60}|(?:[\w.'’\-]+\s+){1,6}?"
    r"(?:said|says|reported|reports|added|told reporters|announced)"
    r"(?:\s+(?:on\s+)?" + _DAY + r")?(?:\s+in a statement)?)\s*\.$"
)
_PAREN = re.compile(r"\s+\([^()]{1,80}\)(?=[\s,.;])")


def compress(text: str, min_words: int = 8) -> str:
    """Drop what a summary does not need: a trailing attribution (", officials said.") and
    parentheticals; the sentence is returned unchanged when less than ``min_words`` words
    would be left."""
    out = _PAREN.sub("", text)
    if not out.rstrip().endswith(('"', "”")):  # a quotation's attribution stays
        out = _ATTRIBUTION.sub(".", out)
    return out if len(out.split()) >= min_words else text


def is_junk(text: str) -> bool:
    """Bylines, wire-service slugs, contact lines and other non-sentences."""
    return bool(_JUNK.search(text))


def fluency_ok(text: str) -> bool:
    """A sentence that reads well out of context: starts with a capital, not with a pronoun or a
    connective, no unbalanced or leading quotation, ends like a sentence."""
    if not text or not (text[0].isupper() or text[0].isdigit()):
        return False
    first = text.split(None, 1)[0].strip(",;:").lower()
    if first in _BAD_START or first.split("'")[0].split("’")[0] in _BAD_START:
        return False
    if _personal(text):  # an unmarked quotation or a columnist's aside
        return False
    if text[0] in "\"'“‘" or text.count('"') % 2 or text.count("“") != text.count("”"):
        return False
    if text.endswith("?") or text.endswith(":") or text.endswith(","):
        return False
    return not ("(" in text and ")" not in text)


def _personal(text: str) -> bool:
    """First or second person outside quotation marks ("World War I" is not a pronoun)."""
    for m in _PERSONAL.finditer(text):
        if m.group(0) == "I" and m.start() > 0:
            before = text[:m.start()].split()
            if before and before[-1][:1].isupper():
                continue
        return True
    return False


def tokens(text: str) -> list[str]:
    """ROUGE-style tokens: lower case, hyphens split, only letters and digits."""
    return _TOKEN.findall(text.lower().replace("-", " "))


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import snowballstemmer
    except ImportError:  # pragma: no cover - snowballstemmer is a core dependency
        log.warning("snowballstemmer is not installed: summarizing without stemming")
        return _Identity()
    return snowballstemmer.stemmer("porter")


class _Identity:
    @staticmethod
    def stemWord(word: str) -> str:
        return word


def stems(text: str) -> list[str]:
    return [_stem(t) for t in tokens(text)]


def stem_tokens(toks: list[str]) -> list[str]:
    return [_stem(t) for t in toks]


def concepts(stem_list: list[str], raw: list[str]) -> set[str]:
    """Bigram concepts: adjacent stem pairs that are not both stopwords (ICSISumm's units)."""
    out = set()
    for i in range(len(stem_list) - 1):
        if raw[i] in STOPWORDS and raw[i + 1] in STOPWORDS:
            continue
        out.add(f"{stem_list[i]} {stem_list[i + 1]}")
    return out


def dup_key(text: str) -> str:
    return " ".join(tokens(text))


def shingles(text: str | list[str]) -> frozenset[str]:
    """Word 3-shingles of a text (or of its tokens)."""
    toks = tokens(text) if isinstance(text, str) else text
    return frozenset(" ".join(toks[i:i + 3]) for i in range(max(1, len(toks) - 2)))
