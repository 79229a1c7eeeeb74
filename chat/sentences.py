"""Sentences with exact character offsets, so a quote can be highlighted in place."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? … ; or a line break, unless the dot belongs to an
# abbreviation or a number ("GS.TS", "1.1.2", "14.9").
_BOUNDARY = re.compile(r"(?<=[.!?…;])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9-])|\n+")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    sentences, position = [], 0
    for piece in _BOUNDARY.split(text):
        start = text.find(piece, position)
        stripped = piece.strip()
        if stripped:
            offset = start + piece.index(stripped)
            sentences.append(Sentence(stripped, offset, offset + len(stripped)))
        position = start + len(piece)
    return sentences
