"""Is the person, number or date given as the answer the answer to what was asked?

Asked for a fact next to what a passage says, a small model answers anyway with
a value the passage does hold: who was elected secretary → the name of the guest
who spoke; how many delegates were invited → the number of members present. Each
such answer carries a real citation, so the citation checks pass. What gives it
away is the sentence the value comes from: it does not speak of the question's
focus. So a value given as the answer must sit in a cited sentence that covers
the question's topic words (IDF-weighted, as the support gate measures them), and
a count must be a number of the thing counted ("bao nhiêu ngày" is not answered
by "60 tháng"), bounded as asked ("tối đa" is not answered by "tối thiểu").
"""

from __future__ import annotations

import re

from chat.citations import strip_markers
from chat.extractive import PERSON, expected_type
from chat.numbers import LOWER, TIME_MEASURES, UPPER, Amount, amounts, asked_bounds, counts, same_amount
from chat.referents import names_offices
from chat.sentences import split_sentences
from chat.support import TermWeights, coverage, quantity_focus
from ingest.dates import find_dates
from ingest.normalize import index_form, strip_diacritics

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DAY_ASKED = re.compile(r"\b(?:ngay|hom) nao\b")


def given_values(answer: str, question: str, kind: str) -> list[str]:
    """The values of the asked kind that the answer gives (those the question already states are not answers)."""
    text = strip_markers(index_form(answer))
    asked = index_form(question)
    if kind == "person":
        values = [match.group("name").strip() for match in PERSON.finditer(f"{text} ")]
    elif kind == "date":
        values = [found.text for found in find_dates(text)] or re.findall(r"\b\d{1,2}[./]\d{1,2}\b|\bngày \d{1,2}(?!\d)", text)
    elif kind == "year":
        values = _YEAR.findall(text)
    else:
        return []
    return [value for value in dict.fromkeys(values) if value not in asked]


def value_is_focused(question: str, value: str, passages: list[tuple[str, str]], lexical: TermWeights, min_coverage: float,
                     person: bool = False) -> bool:
    """Some sentence of the cited (title, text) passages holds ``value`` and speaks of what the question asks
    about. The sentence before it and the title count as its context: "Trong đó, đồng chí A giữ chức Bí thư"
    names the cell only in the sentence before. For a ``person``, an office the question names (Phó Bí thư)
    must be named, with its rank, in that sentence or the one before: a guest's name next to the congress's
    title is no answer to who was elected secretary."""
    for title, text in passages:
        sentences = split_sentences(index_form(text))
        for before, sentence in zip([None, *sentences], sentences, strict=False):
            near = f"{before.text if before else ''}\n{sentence.text}"
            if (value in sentence.text and coverage(question, f"{title}\n{near}", lexical) >= min_coverage
                    and (not person or names_offices(question, near))):
                return True
    return False


def answers_the_focus(question: str, answer: str, passages: list[tuple[str, str]], lexical: TermWeights, min_coverage: float) -> bool:
    """False when the answer does not give what the question's focus asks for, in a cited sentence about it.

    A count ("bao nhiêu ngày", "mấy lần") must be answered by a number of the thing counted, bounded the way
    the question asks ("tối đa" is not answered by "tối thiểu"). A person or date given as the answer must sit
    in a sentence covering the question's topic; with none given there is nothing to check."""
    kind = expected_type(question)
    if kind == "number":
        return counted(question, answer, passages, lexical, min_coverage)
    if kind == "duration":
        return counted(question, answer, passages, lexical, min_coverage, TIME_MEASURES)
    values = given_values(answer, question, kind)
    if not values:  # "ngày nào" wants a day ("tính từ ngày nào" an event: expected_type asks for no value then)
        return kind != "date" or not _DAY_ASKED.search(strip_diacritics(index_form(question)).lower())
    return any(value_is_focused(question, value, passages, lexical, min_coverage, kind == "person") for value in values)


def counted(question: str, answer: str, passages: list[tuple[str, str]], lexical: TermWeights, min_coverage: float,
            measures: frozenset[str] = frozenset()) -> bool:
    """The answer states a number of what "bao nhiêu X" counts ("45 ngày làm việc", "hai lần", "hơn 2 triệu
    lượt", "11/11 đảng viên", "15-20% đảng viên"), or of the ``measures`` asked for ("bao lâu": a length of
    time), in a cited sentence about the question, with the bound asked for ("tối đa" is not answered by "ít
    nhất"); "mức bao nhiêu?" names no unit and takes any number the question does not already give. Numbers
    are compared as chat.numbers reads them, so "mười hai tháng" answers with "12 tháng"."""
    focus = quantity_focus(question)
    asked = asked_bounds(question)
    given = amounts(question)
    said = amounts(strip_markers(answer))

    def answers(amount: Amount) -> bool:
        return (
            (amount.measure in measures if measures else counts(amount, focus))
            and not any(same_amount(amount, other) for other in given)
            and any(same_amount(amount, other) for other in said)
            and not (asked and amount.bound in (UPPER, LOWER) and amount.bound not in asked)
        )

    for _, text in passages:
        for sentence in split_sentences(index_form(text)):
            if any(map(answers, amounts(sentence.text))) and coverage(question, sentence.text, lexical) >= min_coverage:
                return True
    return False
