"""The sign of a sentence: does it deny or forbid, and does a yes/no question ask about a negation?

A verdict is only as right as its sign. "Được." next to a provision that forbids, or "đủ điều
kiện" read off a bound in a sentence that says "không được", turns a right clause into a wrong
answer. Both the check of the model's verdicts (chat/degenerate.py) and the verdicts settled in
code (chat/ruling.py) read signs the same way, here.
"""

from __future__ import annotations

import re

from ingest.normalize import index_form, strip_diacritics

# Bounds are not negations: "không quá 60 tuổi" states a limit, it does not deny anything.
_BOUND = re.compile(r"\bkhong (?:qua|vuot qua|duoi|thap hon|it hon)\b")
_NEGATION = re.compile(r"\b(?:khong|chua|chang|nghiem cam|mien_tru)\b")
_YES_NO_TAG = re.compile(r"\s*(?:hay|hoặc|hay là|hay la)?\s*(?:không|khong|chưa|chua)\s*[?.!…]*\s*$", re.IGNORECASE)


# "được miễn đánh giá" says the member need not: an exemption denies what the question asks ("có phải đánh giá
# không?"). Marked before folding, where "miễn" (exempt) and "miền" (region) are still two words.
_EXEMPT = re.compile(r"(?<!bãi )\bmiễn\b(?! nhiệm| là| phí)")  # not "miễn nhiệm" (dismiss), "miễn là" (provided)
_EXEMPT_MARK = "mien_tru"


_ASIDE = re.compile(r"\([^()]*\)")  # "(nơi không có đảng ủy cơ sở)" says where a rule applies, not what it denies


def _folded(text: str) -> str:
    marked = _EXEMPT.sub(_EXEMPT_MARK, _ASIDE.sub(" ", index_form(text).lower()))
    return " ".join(re.findall(r"\w+", _BOUND.sub(" ", strip_diacritics(marked))))


def is_negative(text: str, other: str) -> bool:
    """Whether the text denies or forbids, bounds ("không quá") aside, and negations that are words of a phrase
    ``other`` also has aside: asked "có được làm việc pháp luật không cho phép không?", the "không cho phép"
    is what the question is about, not its sign."""
    folded, shared = _folded(text), f" {_folded(other)} ".replace(_EXEMPT_MARK, "mien")
    for match in _NEGATION.finditer(folded):
        phrase = " ".join(folded[match.start() :].split()[:3]).replace(_EXEMPT_MARK, "mien")  # "mien" of a folded question
        if f" {phrase} " not in shared:
            return True
    return False


def without_tag(question: str) -> str:
    """A yes/no question without its closing "(hay) không?": the tag asks, it does not negate."""
    return _YES_NO_TAG.sub("", question)


def asks_about_negation(question: str, grounds: str) -> bool:
    """A yes/no question whose own words negate ("… không được … phải không?")."""
    return is_negative(without_tag(question), grounds)
