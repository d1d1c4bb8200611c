"""Sentence splitting (blingfire's model, line breaks kept as hard boundaries)."""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_MIN_CHARS = 2
_ABBREV_END = re.compile(r"\b(?:[A-Z]|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sgt|Gov|Sen|Rep|St|U\.S|Jan|Feb|"
                         r"Aug|Sept|Oct|Nov|Dec|No|Inc|Corp|Co|Jr|Sr)\.$")


def split_sentences(text: str) -> list[str]:
    """Split a cleaned body into sentences. Each line is split on its own; fragments that end in a
    known abbreviation are glued to the next one."""
    from blingfire import text_to_sentences

    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in text_to_sentences(line).split("\n") if p.strip()]
        merged: list[str] = []
        for part in parts:
            if merged and _ABBREV_END.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        out.extend(p for p in merged if len(p) >= _MIN_CHARS)
    return out
