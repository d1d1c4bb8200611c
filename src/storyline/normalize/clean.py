"""Text cleanup: entities, control characters, odd whitespace, markup remnants, and the
formatting codes and editorial notes of news-agency wires."""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean_line", "clean_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_TAGS = re.compile(r"</?[a-zA-Z][^>]{0,200}>")
_SPACES = re.compile(r"[ \t\u00a0]+")
# typesetting codes of the New York Times and other wires ("&QL;", "&UR;", "&HT;"), left over
# once the real HTML entities are decoded ("&AMP;" is one and becomes "&")
_WIRE_CODE = re.compile(r"&[A-Z]{2,3};")
# a paragraph that is only an editorial note: "(Distributed by New York Times Special
# Features)", "(Reporting by ...; Editing by ...)", "(Jane Doe is a contributing writer.)"
_NOTE = re.compile(r"^\([^()]*\)$")
_LETTER = re.compile(r"[^\W\d_]")
_PTB = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
    "``": '"',
    "''": '"',
}
_PTB_QUOTE = re.compile(r"``\s*(.*?)\s*''")
_PTB_RE = re.compile("|".join(re.escape(k) for k in _PTB))
_PTB_SPACING = re.compile(r" ([,.;:!?%)\]}]|'s|n't|'re|'ve|'ll|'d|'m)(?=\s|$)|([(\[{$#]) ")


def clean_line(text: str) -> str:
    """Clean one line: HTML entities and tags, control characters, runs of spaces."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = _CONTROL.sub("", text)
    if "&" in text:
        text = _WIRE_CODE.sub(" ", text)
    if "<" in text:
        text = _TAGS.sub(" ", text)
    if "-LRB-" in text or "``" in text or " , " in text:
        text = _detokenize(text)
    return _SPACES.sub(" ", text).strip()


def clean_text(text: str) -> str:
    """Clean a body, keeping line structure (paragraphs), dropping lines left empty, lines
    without a letter ("-0-", "-----") and paragraphs that are only an editorial note in
    parentheses."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (clean_line(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if _LETTER.search(line) and not _NOTE.match(line))


def _detokenize(text: str) -> str:
    """Undo Penn-Treebank tokenization ("-LRB-", "`` quoted ''", " , ") of research corpora."""
    text = _PTB_QUOTE.sub(lambda m: f'"{m.group(1)}"', text)
    text = _PTB_RE.sub(lambda m: _PTB[m.group(0)], text)
    return _PTB_SPACING.sub(lambda m: m.group(1) or m.group(2), text)
