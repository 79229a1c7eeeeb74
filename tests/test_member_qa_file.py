"""evaluation/data/member_qa.jsonl checked against the documents: real member questions
with the published answer of a party body (or a legal Q&A portal, or a party question
bank), each mapped to the clause of our 2025 library that answers it, quoted verbatim."""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from pathlib import Path

import pytest

from evaluation.questions import load_questions
from ingest.clauses import ClauseSpan
from tests.test_cases_file import CHARTER, CORPUS, SOURCES, assert_quotes_its_clause, spans, texts  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
MEMBER_QA = ROOT / "evaluation" / "data" / "member_qa.jsonl"
RAW = [json.loads(line) for line in MEMBER_QA.read_text(encoding="utf-8").splitlines() if line.strip()]
ANSWERABLE = [row for row in RAW if row["answerable"]]
UNANSWERABLE = [row for row in RAW if not row["answerable"]]
FIELDS = {
    "id",
    "question",
    "answerable",
    "document",
    "evidence",
    "answers",
    "key_facts",
    "verdict",
    "published_answer",
    "provenance",
    "shape",
    "split",
}


def test_the_file_has_enough_real_questions_with_unique_ids() -> None:
    assert len(RAW) >= 150
    ids = [row["id"] for row in RAW]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"M\d{3}", rid) for rid in ids)
    assert len({unicodedata.normalize("NFC", row["question"]) for row in RAW}) == len(RAW), "a question twice"
    assert {row["document"] for row in ANSWERABLE} == set(SOURCES)
    assert UNANSWERABLE, "the published answers that rest on other regulations are kept as near misses"


@pytest.mark.parametrize("row", RAW, ids=[row["id"] for row in RAW])
def test_a_row_keeps_the_published_answer_and_where_it_was_found(row: dict) -> None:
    assert set(row) >= FIELDS
    assert row["question"].strip() and row["published_answer"].strip()
    assert len(row["published_answer"]) <= 600
    assert row["provenance"]["kind"] and row["provenance"]["url"]
    assert row["shape"] in {"fact", "rule", "case", "list"}
    assert row["split"] in {"tune", "held"}
    assert row["verdict"] in {"có", "không", ""}


def test_the_splits_are_balanced_and_alternate() -> None:
    splits = [row["split"] for row in RAW]
    assert abs(splits.count("tune") - splits.count("held")) <= 1
    assert all(first != second for first, second in itertools.pairwise(splits))


@pytest.mark.parametrize("row", ANSWERABLE, ids=[row["id"] for row in ANSWERABLE])
def test_an_answerable_question_quotes_its_clause_verbatim(
    row: dict,
    texts: dict[str, str],  # noqa: F811
    spans: dict[str, list[ClauseSpan]],  # noqa: F811
) -> None:
    assert_quotes_its_clause(row, texts, spans)


@pytest.mark.parametrize("row", UNANSWERABLE, ids=[row["id"] for row in UNANSWERABLE])
def test_a_near_miss_names_what_it_is_next_to_and_expects_no_answer(row: dict) -> None:
    assert row["near"] and not row["answers"] and not row["evidence"] and not row["key_facts"]
    where = row["near"].split(" ")[0]
    assert where in SOURCES or (where == CHARTER and (CORPUS / where).is_file())


def test_load_questions_reads_the_member_fields() -> None:
    questions = {question.id: question for question in load_questions(MEMBER_QA)}
    assert len(questions) == len(RAW)
    first = questions[ANSWERABLE[0]["id"]]
    assert first.clause == ANSWERABLE[0]["clause"] and first.key_facts == ANSWERABLE[0]["key_facts"]
    assert first.shape == ANSWERABLE[0]["shape"] and first.split == ANSWERABLE[0]["split"]
    near = questions[UNANSWERABLE[0]["id"]]
    assert not near.answerable and near.clause is None and near.key_facts == []
