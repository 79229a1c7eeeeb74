"""Sentences with exact character offsets, so a quote can be highlighted in place."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? … ; or a line break, unless the dot belongs to an
# abbreviation or a number ("GS.TS. Chử Đức Trình", "1.1.2", "14.9").
_BOUNDARY = re.compile(r"(?<=[.!?…;])\s+(?=[\"“(\[]?[A-ZĐÀ-Ỹ0-9-])|\n+")
_ABBREVIATION_END = re.compile(r"(?:^|[\s(])(?:[A-ZĐ][A-Za-zđ]{0,3}\.)+$")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def is_title_line(sentence: str) -> bool:
    """An all-caps title line; a dateline such as "09:47 AM 06/08/2013" is not one."""
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.6


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    position = 0
    for piece in _BOUNDARY.split(text):
        start = text.find(piece, position)
        position = start + len(piece)
        stripped = piece.strip()
        if not stripped:
            continue
        offset = start + piece.index(stripped)
        previous = sentences[-1] if sentences else None
        if previous and _ABBREVIATION_END.search(previous.text) and "\n" not in text[previous.end : offset]:
            sentences[-1] = Sentence(text[previous.start : offset + len(stripped)], previous.start, offset + len(stripped))
        else:
            sentences.append(Sentence(stripped, offset, offset + len(stripped)))
    return sentences
