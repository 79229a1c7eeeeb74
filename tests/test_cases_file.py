"""evaluation/data/cases.jsonl checked against the documents themselves: every
answerable case quotes its regulation verbatim, under a clause the regulation
really has, and its key facts are words of that clause; near misses stay absent."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from evaluation.questions import Question, load_questions
from ingest import prepare
from ingest.clauses import ClauseSpan, parse_clauses
from ingest.normalize import index_form

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
CASES = ROOT / "evaluation" / "data" / "cases.jsonl"
CHARTER = "dieu-le-dang-cong-san-viet-nam-2011.txt"
SOURCES = {
    "294-QĐ/TW": "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf",
    "06-HD/TW": "hd-06-hd-tw-2025-thi-hanh-dieu-le-dang.pdf",
    "Điều lệ Đảng": CHARTER,
}
RAW = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
ANSWERABLE = [row for row in RAW if row["answerable"]]
UNANSWERABLE = [row for row in RAW if not row["answerable"]]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {number: prepare(CORPUS / name, CORPUS, 900, 150).text for number, name in SOURCES.items()}


@pytest.fixture(scope="module")
def spans(texts: dict[str, str]) -> dict[str, list[ClauseSpan]]:
    return {number: parse_clauses(text) for number, text in texts.items()}


def _words(text: str) -> str:
    """Index spelling, lower case, single spaces: how a fact is looked for in a clause."""
    return " ".join(index_form(text).lower().split())


def _clause_text(text: str, spans: list[ClauseSpan], label: str) -> tuple[ClauseSpan, str]:
    """The clause's own text and its ancestors' (a point's facts may sit in its parent's title)."""
    span = next(span for span in spans if span.label == label)
    family = [other for other in spans if other.path == span.path[: len(other.path)]]
    return span, " ".join(text[other.start : other.end] for other in family)


def test_the_file_has_enough_cases_of_each_kind_and_unique_ids() -> None:
    assert len(ANSWERABLE) >= 45
    assert len(UNANSWERABLE) >= 32
    news = [row for row in UNANSWERABLE if row["near"].split(" ")[0].endswith(".txt") and not row["near"].startswith(CHARTER)]
    assert len(news) >= 10 and len(UNANSWERABLE) - len(news) >= 22
    assert len({row["id"] for row in RAW}) == len(RAW)
    assert {row["document"] for row in ANSWERABLE} == set(SOURCES)


@pytest.mark.parametrize("row", ANSWERABLE, ids=[row["id"] for row in ANSWERABLE])
def test_an_answerable_case_quotes_its_clause_verbatim(
    row: dict, texts: dict[str, str], spans: dict[str, list[ClauseSpan]]
) -> None:
    assert_quotes_its_clause(row, texts, spans)
    assert row["verdict"] in {"có", "không", ""}


def assert_quotes_its_clause(row: dict, texts: dict[str, str], spans: dict[str, list[ClauseSpan]]) -> None:
    """The row's evidence is verbatim in its document, inside the clause it names, and its key facts are that
    clause's words (also used for evaluation/data/member_qa.jsonl)."""
    text = texts[row["document"]]
    evidence = unicodedata.normalize("NFC", row["evidence"])
    assert 30 <= len(evidence) <= 200
    assert evidence in text, "evidence is not a verbatim substring of the cleaned document"
    assert row["source"] == SOURCES[row["document"]]
    assert row["clause"] in {span.label for span in spans[row["document"]]}, "no such clause heading"
    span, clause_text = _clause_text(text, spans[row["document"]], row["clause"])
    assert any(span.start <= found.start() < span.end for found in re.finditer(re.escape(evidence), text))
    assert row["key_facts"] and row["answers"]
    for fact in row["key_facts"]:
        assert _words(fact) in _words(clause_text), f"key fact {fact!r} is not in clause {row['clause']}"
    assert set(row["key_facts"]) <= set(row["answers"])


@pytest.mark.parametrize("row", UNANSWERABLE, ids=[row["id"] for row in UNANSWERABLE])
def test_a_near_miss_names_what_it_is_next_to_and_expects_no_answer(row: dict) -> None:
    assert row["near"] and not row["answers"] and not row["evidence"] and not row["key_facts"]
    where = row["near"].split(" ")[0]
    assert where in SOURCES or (CORPUS / where).is_file()


def test_what_the_near_misses_ask_for_is_not_in_the_documents(texts: dict[str, str]) -> None:
    """Spot checks of absences the near misses rely on (the rest were read for)."""
    regulations = "\n".join(texts.values())
    assert not re.search(r"\d[\d.]* ?(?:đồng|VNĐ|VND)\b", regulations), "an amount in đồng"
    assert not re.search(r"đảng phí[^.]{0,80}(?:%|phần trăm)", regulations), "a rate of đảng phí"
    assert not re.search(r"lưu (?:trữ|giữ)[^.]{0,60}\d+ năm", regulations), "a retention period"
    assert not re.search(r"tổ đảng[^.]{0,60}(?:ít nhất|tối thiểu)", regulations), "a minimum size of a tổ đảng"
    assert not re.search(r"[Bb]í thư chi bộ[^.]{0,80}nhiệm kỳ liên tiếp", regulations), "a term limit of a cell secretary"
    news = {path.name: path.read_text(encoding="utf-8") for path in CORPUS.glob("*.txt")}
    assert "Bí thư Chi bộ nhiệm kỳ 2025" not in news["000_478b4661439988ba.txt"]
    assert "kết nạp" not in news["004_fec3fcc8a7fceb70.txt"]


def test_load_questions_reads_the_case_fields() -> None:
    questions = {question.id: question for question in load_questions(CASES)}
    first = questions[ANSWERABLE[0]["id"]]
    assert first.clause == ANSWERABLE[0]["clause"] and first.key_facts == ANSWERABLE[0]["key_facts"]
    assert first.verdict == ANSWERABLE[0]["verdict"]
    near = questions[UNANSWERABLE[0]["id"]]
    assert not near.answerable and near.clause is None and near.key_facts == [] and near.verdict == ""


def test_key_fact_accuracy_counts_the_share_of_facts_stated() -> None:
    question = Question(
        "q",
        "Thời hạn và cấp gia hạn?",
        answers=["45 ngày làm việc"],
        key_facts=["45 ngày làm việc", "15 ngày làm việc"],
    )
    assert question.key_fact_accuracy("Trong 45 ngày làm việc [1]; gia hạn tối đa 15 ngày làm việc.") == 1.0
    assert question.key_fact_accuracy("Trong 45 NGÀY LÀM VIỆC.") == 0.5
    assert question.key_fact_accuracy("Trong 145 ngày làm việc.") == 0.0
    without_facts = Question("q", "?", answers=["hai phần ba"])
    assert without_facts.key_fact_accuracy("Cần hai phần ba số đảng viên.") == 1.0
    assert without_facts.key_fact_accuracy("Cần một nửa.") == 0.0
