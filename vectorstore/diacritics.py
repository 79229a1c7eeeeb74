"""Diacritics put back on a query typed without them, from the library's own words.

Members type on phones without tone marks ("ai phat bieu chi dao tai dai hoi chi bo trung tam
thong tin – thu vien"). The lexical side has a folded field for that, but the embedding model
reads folded Vietnamese poorly: the closest passages it returns are those sharing the generic
words (đại hội chi bộ nhiệm kỳ), so a library with many congress reports ranked the one asked
about below the top five. Each run of syllables is spelled the way the library spells it most
often — the longest run first, as the library's segmenter joined it ("thư_viện", "trung_tâm") —
and the embedding model reads that spelling. Question words are spelled as questions spell them
("ai" is not "ái"). Only spellings the reader's own documents use count (frequencies are the
scope's), so a restricted document never decides how a member's query is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

LONGEST_RUN = 4  # syllables
QUESTION_WORDS = {
    "ai": "ai", "gi": "gì", "nao": "nào", "dau": "đâu", "bao": "bao", "nhieu": "nhiêu", "may": "mấy", "lau": "lâu",
    "khong": "không", "chua": "chưa", "sao": "sao", "the": "thế", "nhu": "như", "la": "là", "co": "có",
    "duoc": "được", "phai": "phải", "khi": "khi", "o": "ở", "hay": "hay", "hoac": "hoặc", "va": "và", "cua": "của",
}
_PIECES = re.compile(r"\w+|[^\w\s]+")


def restore(query: str, spellings: Callable[[str], list[str]], frequency: Callable[[str], int]) -> str:
    """``query`` with each run of folded syllables spelled as the library spells it most often.

    ``spellings`` gives the accented index tokens ("thư_viện") whose folded form is a key ("thu_vien");
    ``frequency`` how many of the reader's chunks hold a token. A run no chunk of theirs spells stays as typed."""
    pieces = _PIECES.findall(query)
    out: list[str] = []
    at = 0
    while at < len(pieces):
        for length in range(min(LONGEST_RUN, len(pieces) - at), 0, -1):
            run = pieces[at : at + length]
            if not all(piece.isalnum() for piece in run):
                continue
            key = "_".join(piece.lower() for piece in run)
            if length == 1 and key in QUESTION_WORDS:
                out.append(QUESTION_WORDS[key])
                break
            known = [(frequency(spelling), spelling) for spelling in spellings(key)]
            known = [item for item in known if item[0] > 0]
            if known:
                out.append(max(known)[1].replace("_", " "))
                break
        else:
            length = 1
            out.append(pieces[at])
        at += length
    return " ".join(out)
