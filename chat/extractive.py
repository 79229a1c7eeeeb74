"""Answers with no LLM: the most relevant sentences of the passages, quoted and cited.

Fast, and it never says anything the documents do not: every word of the
answer is a verbatim sentence of a retrieved chunk. Sentences are ranked by how
much of the question they cover, plus a bonus when they hold the kind of thing
the question asks for (a person for "Ai", a date for "ngày nào", a number for
"bao nhiêu", a year for "năm nào").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.injection import is_instruction
from chat.numbers import TIME_MEASURES, amounts, counts, same_amount
from chat.sentences import Sentence, is_title_line, split_sentences
from chat.support import TermWeights, coverage, quantity_focus
from ingest.dates import find_dates
from ingest.normalize import index_form, strip_diacritics
from vectorstore import SearchHit

MAX_SENTENCES = 2
TYPE_BONUS = 0.25
MIN_SCORE = 0.3

# A title, then the capitalised syllables of the name: "đồng chí Lê Thị Mai", "PGS.TS. Chử Đức Trình".
PERSON = re.compile(
    r"\b(?:đồng chí|đ/c|ông|bà|GS|PGS|TS|ThS|TSKH)\.?(?:[.\s]*(?:TS|TSKH|ThS)\.?)*\s+"
    r"(?P<name>(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+\s){1,4})",
    re.UNICODE,
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def expected_type(question: str) -> str:
    """The kind of value the question asks for: "date", "year", "duration", "number", "person", or "".

    "Tuổi đảng được tính từ ngày nào?" asks for the event a period counts from (the day of the admission
    decision), not for a calendar date, so it asks for no kind of value."""
    folded = strip_diacritics(index_form(question)).lower()
    if re.search(r"\btinh tu (?:ngay|thoi diem|luc|khi) nao\b", folded):
        return ""
    if re.search(r"\b(ngay nao|khi nao|bao gio|thoi gian nao|hom nao)\b", folded):
        return "date"
    if re.search(r"\bnam nao\b", folded):
        return "year"
    if re.search(r"\bbao lau\b", folded):
        return "duration"
    if quantity_focus(question) or re.search(r"\bbao nhieu\b", folded):  # "mức bao nhiêu?" asks for a number too
        return "number"
    if re.search(r"(^|\s)ai(\s|\?|$)", folded) or "nguoi nao" in folded:
        return "person"
    return ""


def has_type(sentence: str, kind: str, question: str) -> bool:
    if kind == "person":
        return bool(PERSON.search(sentence))
    if kind == "date":
        return bool(find_dates(sentence)) or bool(re.search(r"\b\d{1,2}[./]\d{1,2}\b", sentence))
    if kind == "year":
        return bool(set(_YEAR.findall(sentence)) - set(_YEAR.findall(question)))
    if kind == "duration":  # a length of time, in digits or words: "60 ngày làm việc", "mười hai tháng", "5 năm"
        return any(amount.measure in TIME_MEASURES for amount in amounts(sentence))
    if kind == "number":  # a number of what is counted, which the question does not give already
        focus, given = quantity_focus(question), amounts(question)
        return any(counts(amount, focus) and not any(same_amount(amount, other) for other in given)
                   for amount in amounts(sentence))
    return False


@dataclass(frozen=True)
class RankedSentence:
    score: float
    n: int  # the passage it comes from, numbered from 1
    sentence: Sentence  # offsets into that passage's text


def ranked_sentences(question: str, hits: list[SearchHit], lexical: TermWeights, minimum: float = MIN_SCORE) -> list[RankedSentence]:
    """Every quotable sentence of the passages, best first; empty when none scores ``minimum``."""
    kind = expected_type(question)
    scored = []
    for n, hit in enumerate(hits, start=1):
        rank_bonus = 0.02 * (len(hits) - n)  # retrieval order breaks ties
        for sentence in split_sentences(hit.text):
            if (len(sentence.text) < 15 or is_title_line(sentence.text) or is_instruction(sentence.text)
                    or hit.meta.is_provision_heading(sentence.start, sentence.end)):
                continue
            # The title stands in for the context a sentence leaves implicit (which branch, which congress).
            score = coverage(question, f"{sentence.text}\n{hit.meta.title}\n{hit.meta.section}", lexical) + rank_bonus
            if kind and has_type(sentence.text, kind, question):
                score += TYPE_BONUS
            scored.append(RankedSentence(score, n, sentence))
    scored.sort(key=lambda item: item.score, reverse=True)
    return scored if scored and scored[0].score >= minimum else []


def extractive_answer(question: str, hits: list[SearchHit], lexical: TermWeights) -> str:
    """Best sentences as "sentence [n]"; empty when no sentence covers the question."""
    ranked = ranked_sentences(question, hits, lexical)
    if not ranked:
        return ""
    chosen = [item for item in ranked[:MAX_SENTENCES] if item.score >= 0.85 * ranked[0].score]
    return " ".join(f"{item.sentence.text} [{item.n}]" for item in chosen)
