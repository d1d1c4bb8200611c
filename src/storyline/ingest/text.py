"""Plain text piles: one item a line or a paragraph, headlines and loose sentences mixed.

Blank lines separate blocks. Within a block, each line is its own item (a list of headlines,
one sentence a line) unless the lines are wrapped prose: a break is joined when the line does
not end a sentence and the next starts in lower case, or the line ends in a comma, a hyphen or a
word like "the"; in a block where many breaks are like that (wrapped prose), a line as long as
the wrap width is joined to the next too, and a shorter one ends its item (the end of a
paragraph, or a headline between paragraphs).

Short title-like items (at most ``headline_max_words`` words, and no final full stop or Title
Case) become ``Article(title=...)``, others ``Article(text=...)``. Ids are content hashes
(``t-`` + 16 hex digits), so re-reading a file gives the same ids; origins are ``file:line``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

from storyline.config import IngestSettings
from storyline.ingest._records import IdMinter
from storyline.ingest._source import Line, open_lines
from storyline.ingest.base import IngestReport
from storyline.models import Article

__all__ = ["is_title_like", "read_text", "split_block"]

#: a block is processed in pieces of at most this many lines (a file of one headline a line
#: with no blank line is one huge block)
MAX_BLOCK_LINES = 1000

_CLOSERS = "\"'”’»)]*_ "
_SENTENCE_END = ".!?…"
_CONTINUES = ",;:(-–—/&"
_CONNECTOR_WORDS = (
    "a an the and or but nor of to in on at for with by from that as than into onto over under "
    "about after before between who which whose whom where when while if because his her their "
    "its our your this these those said says is are was were be been has have had will would "
    "could should can may might not no"
)
_CONNECTORS = frozenset(_CONNECTOR_WORDS.split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SMALL_WORDS = "a an the and or but nor of to in on at for with by from as vs via is"
_SMALL = frozenset(_SMALL_WORDS.split())


def ends_sentence(line: str) -> bool:
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _starts_lower(line: str) -> bool:
    for ch in line:
        if ch.isalpha():
            return ch.islower()
        if ch.isdigit():
            return False
    return False


def _strong_join(line: str, following: str) -> bool:
    """True when ``line`` plainly continues on ``following`` (wrapped mid-sentence)."""
    if ends_sentence(line):
        return False
    if line[-1] in _CONTINUES or _starts_lower(following):
        return True
    last = line.rsplit(None, 1)[-1].lower()
    return last in _CONNECTORS


def split_block(lines: list[str]) -> list[list[str]]:
    """Group the non-blank lines of one block into items (each a list of its lines)."""
    if len(lines) < 2:
        return [lines] if lines else []
    strong = [_strong_join(a, b) for a, b in itertools.pairwise(lines)]
    wrapped = sum(strong) >= max(1.0, 0.4 * len(strong)) and len(lines) >= 3
    # the wrap width: the longest line that plainly continues (a long unwrapped line elsewhere
    # in the block must not set it)
    width = max((len(lines[i]) for i, s in enumerate(strong) if s), default=0)
    items: list[list[str]] = [[lines[0]]]
    for i, following in enumerate(lines[1:]):
        line = lines[i]
        join = strong[i]
        if not join and wrapped:
            join = len(line) >= 0.75 * width  # a full line: broken by the wrap, not the writer
        if join:
            items[-1].append(following)
        else:
            items.append([following])
    return items


def _join(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if len(out) > 1 and out[-1] == "-" and out[-2].isalpha() and line[:1].islower():
            out += line  # a word hyphenated across the break
        else:
            out += " " + line
    return out


def is_title_case(text: str) -> bool:
    tokens = [w for w in _WORD.findall(text) if w[0].isalpha() and w.lower() not in _SMALL]
    if len(tokens) < 2:
        return False
    upper = sum(1 for w in tokens if w[0].isupper())
    return upper / len(tokens) >= 0.75


def is_title_like(text: str, max_words: int) -> bool:
    """A headline: short, and without a final full stop or in Title Case."""
    if len(text.split()) > max_words:
        return False
    return not ends_sentence(text) or is_title_case(text)


def _blocks(lines: Iterator[Line], max_chars: int) -> Iterator[list[Line]]:
    """Blank-line separated blocks, cut at ``MAX_BLOCK_LINES`` lines or ``max_chars``
    characters so that memory stays bounded whatever the file."""
    block: list[Line] = []
    chars = 0
    for line in lines:
        if not line.text.strip():
            if block:
                yield block
                block, chars = [], 0
            continue
        block.append(line)
        chars += len(line.text)
        if len(block) >= MAX_BLOCK_LINES or chars >= max_chars:
            yield block
            block, chars = [], 0
    if block:
        yield block


def read_text(
    path: Path,
    report: IngestReport,
    settings: IngestSettings = IngestSettings(),
    mint: IdMinter | None = None,
) -> Iterator[Article]:
    """Articles from a plain text pile, in file order."""
    mint = mint or IdMinter()
    cap = settings.max_record_chars
    for block in _blocks(open_lines(path, report, cap), cap):
        for line in block:
            if line.truncated:
                where = f"{path}:{line.number}"
                report.warn(where, "truncated", f"line longer than {cap} characters")
        texts = [" ".join(line.text.split()) for line in block]
        start = 0
        for item in split_block(texts):
            first = block[start].number
            start += len(item)
            yield from _item(path, first, _join(item), report, mint, settings)


def _item(
    path: Path,
    first: int,
    text: str,
    report: IngestReport,
    mint: IdMinter,
    settings: IngestSettings,
) -> Iterator[Article]:
    where = f"{path}:{first}"
    if not _WORD.search(text):
        report.skip(where, "empty record", "no letters or digits")
        return
    if len(text) > settings.max_record_chars:
        report.warn(where, "truncated", f"item longer than {settings.max_record_chars} characters")
        text = text[: settings.max_record_chars]
    report.ok()
    if is_title_like(text, settings.headline_max_words):
        yield Article(id=mint("t", text), title=text, origin=where)
    else:
        yield Article(id=mint("t", text), text=text, origin=where)
