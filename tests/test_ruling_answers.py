"""Case questions on the real regulations get the board's form, with no model (extractive backend)."""

from __future__ import annotations

import pytest

from chat import Answer, Assistant, Preview
from chat.llm import ExtractiveBackend
from chat.ruling import NO_APPLICATION, verdict_of
from evaluation.harness import run_ask, summarise_ask
from evaluation.questions import load_questions
from settings import PROJECT_ROOT

CASES = PROJECT_ROOT / "evaluation" / "data" / "cases.jsonl"


@pytest.fixture(scope="module")
def extractive(corpus_settings, corpus_index) -> Assistant:
    return Assistant(corpus_settings.model_copy(update={"llm_backend": "extractive"}), corpus_index, ExtractiveBackend())


def test_a_case_is_answered_by_clause_quoted_verbatim_with_its_numbers_compared(extractive) -> None:
    events = list(extractive.stream("Một quần chúng đã 61 tuổi thì có còn trong độ tuổi được chi bộ xét kết nạp vào Đảng không?"))
    preview, answer = events[0], events[-1]
    assert isinstance(preview, Preview) and preview.kept and isinstance(answer, Answer) and not answer.refused
    assert answer.answer.startswith("Căn cứ điểm 1.1.1, Quy định số 294-QĐ/TW ngày 26/5/2025")
    assert answer.answer.startswith(preview.answer)  # the căn cứ shown at once stays; nothing is taken back
    citation = answer.citations[0]
    chunk = extractive.index.store.get([citation.id])[citation.id][0]
    assert chunk[citation.start : citation.end] == citation.quote and f"“{citation.quote}”" in answer.answer
    assert citation.clause == "1.1.1" and "đủ 60 tuổi" in citation.quote
    assert "61 tuổi (trường hợp hỏi) lớn hơn 60 tuổi (mức nêu trong điều khoản), tức là không thoả điều kiện “đến đủ 60 tuổi”" in answer.answer
    # no model, and the exception for those over 60 (điểm 1.1 of the guidance, also quoted) is met by 61: the
    # comparison settles nothing, so no reading of the case, and the answer says so
    assert answer.answer.endswith(NO_APPLICATION)


def test_a_case_the_comparison_settles_gets_its_reading_with_no_model(extractive) -> None:
    answer = extractive.ask("Một thanh niên 17 tuổi có thể được xét kết nạp vào Đảng không?")
    assert not answer.refused and "Như vậy, theo đối chiếu số liệu, trường hợp hỏi không đáp ứng điều kiện “đủ 18 tuổi” của điểm 1.1.1" in answer.answer
    assert verdict_of(answer.answer) == "không"


class ReadingSpy(ExtractiveBackend):
    """Extractive answers, keeping the prompts a model would have been given to read a case (a spy: no model runs)."""

    def __init__(self) -> None:
        super().__init__()
        self.prompts: list[str] = []

    def reading(self, messages, max_tokens):
        self.prompts.append(messages[-1]["content"])
        return super().reading(messages, max_tokens)


def test_the_model_is_given_the_comparison_made_in_code(corpus_settings, corpus_index) -> None:
    spy = ReadingSpy()
    Assistant(corpus_settings, corpus_index, spy).ask("Một thanh niên 17 tuổi có thể được xét kết nạp vào Đảng theo Điều lệ Đảng không?")
    [prompt] = spy.prompts
    assert "Đối chiếu số liệu: 17 tuổi (trường hợp hỏi) nhỏ hơn" in prompt and "tức là không thoả điều kiện" in prompt


def test_a_question_about_a_news_article_keeps_the_ordinary_form(extractive) -> None:
    answer = extractive.ask("Ai đại diện Đoàn Thư ký trình bày dự thảo Nghị quyết Đại hội?")
    assert not answer.refused and not answer.answer.startswith("Căn cứ")
    assert all(not citation.clause for citation in answer.citations)


def test_a_share_asked_for_is_answered_by_a_percentage(extractive) -> None:
    answer = extractive.ask("Đại hội đảng bộ cơ sở quyết định 15 đảng ủy viên; cấp trên được chỉ định tăng thêm cấp ủy viên tối đa bao nhiêu phần trăm?")
    assert not answer.refused, answer.answer  # "bao nhiêu phần trăm" is what "không được quá 20%" counts
    assert any("%" in citation.quote for citation in answer.citations)


def test_cases_and_near_misses_without_a_model(extractive) -> None:
    """The deciding clause is quoted and near misses are refused, with no model at all.

    Floors just under the measured level (README "Câu hỏi tình huống"): 0.94 clause-hit@5, 0.87 key facts,
    71 % of near misses refused with fp32 embeddings, 69 % with bf16 ones (U34, "mỗi tổ đảng … tối thiểu bao nhiêu",
    gets the chi bộ clause: the only row that differs), no false refusal in 86. The issue's target of 90 % refused
    near misses is not met."""
    rows = list(run_ask(extractive, load_questions(CASES)))
    summary = summarise_ask(rows)
    answerable = [row for row in rows if row.question.answerable]
    near_misses = [row for row in rows if not row.question.answerable]
    refused_near_misses = sum(1 for row in near_misses if row.refused) / len(near_misses)
    false_refusals = sum(1 for row in answerable if row.refused) / len(answerable)
    failing = [(row.question.id, row.result["answer"][:160]) for row in near_misses if not row.refused]
    assert refused_near_misses >= 0.68, failing
    assert false_refusals <= 0.02, [(row.question.id, row.question.question) for row in answerable if row.refused]
    assert summary["clause_hit@5"] >= 0.9 and summary["key_fact_accuracy"] >= 0.85, summary
