"""Do the retrieved passages support an answer at all?

Small models answer anyway when asked about something the documents do not
cover. Two cheap signals come before generation: how close the best passage is
to the question (cosine similarity; off-topic questions score low), and how much
of the question's informative vocabulary (IDF-weighted words) one passage
covers. The same coverage ranks sentences for extractive answers and quotes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

from ingest.normalize import index_form, strip_diacritics
from vectorstore import SearchHit
from vectorstore.tokenize import accented_tokens, folded_tokens, has_diacritics

# Question words and fillers carry no topic: leaving them in would let any
# passage with "là" or "của" look relevant.
STOPWORDS = set(
    ["ai", "gì", "nào", "đâu", "sao", "bao", "nhiêu", "mấy", "khi", "thế", "như", "không", "có", "là", "của", "và", "các", "những", "được", "trong", "tại", "về", "cho", "với", "theo", "đã", "đang", "sẽ", "thì", "mà", "này", "đó", "ấy", "hãy", "xin", "biết", "nói", "hỏi", "vậy", "ạ", "nhé", "còn", "ra", "lại", "một", "bao_nhiêu", "thế_nào", "như_thế_nào", "khi_nào", "ở_đâu", "là_gì", "vì_sao", "tại_sao", "cho_biết", "những_gì"]
)


class TermWeights(Protocol):
    """What a question's words are weighed by. Answering passes the reader's scoped
    :class:`~vectorstore.Searcher`, whose IDF counts only the chunks they may see: a weight counted over every
    chunk would let chunks of a collection they cannot read decide whether they are refused."""

    def idf(self, token: str, folded: bool = False) -> float: ...


@lru_cache(maxsize=2048)
def tokens(text: str, folded: bool = False) -> tuple[str, ...]:
    """The text's index tokens, cached for answering: one question scores the same retrieved sentences several
    times (support, preview, citation checks), and pyvi's segmenter is most of the time to the first useful
    content. (Ingestion tokenises each chunk once and does not come through here.)"""
    return tuple(folded_tokens(text) if folded else accented_tokens(text))


def _words(text: str, folded: bool) -> set[str]:
    """Segmented words ("dự_bị") and the syllables that stand alone.

    Whole words matter: the "dự" of "tham dự" must not vouch for "dự bị"."""
    inside = _compound_parts(text, folded)
    return {token for token in tokens(text, folded) if "_" in token or token not in inside}


def question_terms(question: str) -> tuple[set[str], bool]:
    """The question's topic words, and whether they are diacritic-folded."""
    folded = not has_diacritics(question)
    stop = {strip_diacritics(word) for word in STOPWORDS} if folded else STOPWORDS
    return {t for t in _words(question, folded) if t not in stop and len(t) > 1}, folded


# A passage that answers a long question ("Chi bộ tôi có ba đồng chí trên 70 tuổi đã được miễn … thì …?") holds
# the rule, not the member's story: coverage counts at most this many topic words' worth of weight.
# Measured on the tune split of the mixed dev sets (extractive): false refusals 17 % → 8 %, near misses refused
# 62 % → 54 %, right and cited 58 % → 62 % (docs/do-dac.md).
ANSWERED_TERMS = 10


def coverage(question: str, text: str, lexical: TermWeights) -> float:
    """IDF-weighted share of the question's topic words present in ``text``; for a question with more than
    ANSWERED_TERMS topic words, the share of that many words' average weight (at most 1)."""
    terms, folded = question_terms(question)
    if not terms:
        return 0.0
    present = set(tokens(text, folded))
    weights = {term: lexical.idf(term, folded) for term in terms}
    total = sum(weights.values()) * min(1.0, ANSWERED_TERMS / len(terms))
    return min(1.0, sum(weight for term, weight in weights.items() if term in present) / total) if total else 0.0


def hit_coverage(question: str, hit: SearchHit, lexical: TermWeights) -> float:
    return coverage(question, f"{hit.text}\n{hit.meta.title}", lexical)


def is_supported(question: str, hits: list[SearchHit], lexical: TermWeights, min_similarity: float, min_coverage: float) -> bool:
    if not hits:
        return False
    similarity = max((hit.similarity or 0.0) for hit in hits)
    best = max(hit_coverage(question, hit, lexical) for hit in hits)
    return similarity >= min_similarity and best >= min_coverage


_FOCUS_END = (
    "được|duoc|có|co|là|la|trong|tại|tai|của|cua|năm|nam|vào|vao|đã|da|về|ve|ở|o|thuộc|thuoc|hiện|hien|"
    "thì|thi|mà|ma|để|de|phải|phai|sẽ|se|mới|moi|trở|tro|khi|đến|den|cho|với|voi|do|"
    "trên|tren|dưới|duoi|ngoài|ngoai|giữa|giua|từ|tu|theo|như|nhu|tới|toi|sau|trước|truoc|kể|ke|so|rồi|roi"
)
_FUNCTION_WORDS = frozenset(_FOCUS_END.split("|"))
_QUANTITY = re.compile(
    rf"\b(?:bao nhiêu|bao nhieu|mấy|may)\s+(.+?)(?=\s+(?:{_FOCUS_END})\b|[?,.;:]|$)", re.IGNORECASE
)


def quantity_focus(question: str) -> str:
    """The thing counted in a "bao nhiêu …?" question: "đảng viên dự bị", "nhân viên"."""
    match = _QUANTITY.search(index_form(question))
    focus = match.group(1).lower() if match else ""
    if focus in ("năm", "nam"):  # "lưu trữ trong bao nhiêu năm?": the years are what is counted
        return focus
    # "bao nhiêu so với …": the count is of something unnamed, not of "so"
    return "" if focus.split(" ", 1)[0] in _FUNCTION_WORDS else focus


_PERCENT = re.compile(r"(?<=\d)\s?%")  # "10%" names what "bao nhiêu phần trăm" counts


def focus_is_grounded(question: str, passages: list[str]) -> bool:
    """A count is only answerable if a cited passage names the counted thing.

    "Có bao nhiêu đảng viên dự bị?" next to "11/11 đảng viên chính thức" must
    be refused, however confidently a small model reads a number off it. The
    first two words of the counted thing ("đảng_viên", "dự_bị") must all occur
    in one passage, as whole words.
    """
    focus = quantity_focus(question)
    if not focus:
        return True
    folded = not has_diacritics(question)
    wanted = set(whole_words(focus, folded)[:2])
    return any(wanted <= set(tokens(_PERCENT.sub(" phần trăm", passage), folded)) for passage in passages)


def whole_words(text: str, folded: bool) -> list[str]:
    """Segmented words and lone syllables, in order: "đảng_viên", "dự_bị" — not "đảng", "viên"."""
    return [token for token in tokens(text, folded) if "_" in token or token not in _compound_parts(text, folded)]


def _compound_parts(text: str, folded: bool) -> set[str]:
    return {part for token in tokens(text, folded) if "_" in token for part in token.split("_")}
