"""Scoring an answer against the expected spans of a question file."""

import pytest

from evaluation.questions import Question

SPAN = Question("q", "Điểm học phần tính thế nào?", answers=[". Điểm học phần được làm tròn đến 0,1 "])


@pytest.mark.parametrize(
    "answer",
    ["Điểm học phần được làm tròn đến 0,1 [1].", "Theo quy chế, điểm học phần được làm tròn đến 0,1.", "ĐIỂM HỌC PHẦN ĐƯỢC LÀM TRÒN ĐẾN 0,1"],
)
def test_an_answer_holding_the_span_is_correct_whatever_its_punctuation_case_or_citations(answer: str) -> None:
    assert SPAN.is_correct(answer)


@pytest.mark.parametrize("answer", ["Điểm học phần được làm tròn đến 0,5.", "Điểm học phần được làm tròn."])
def test_an_answer_with_a_different_or_missing_detail_is_not_correct(answer: str) -> None:
    assert not SPAN.is_correct(answer)


def test_a_number_only_counts_as_a_whole_token() -> None:
    question = Question("q", "Có bao nhiêu người?", answers=["2"])
    assert question.is_correct("Có 2 người.") and not question.is_correct("Năm 2022.")


def test_f1_gives_partial_credit_to_a_paraphrase_and_none_to_an_unrelated_answer() -> None:
    question = Question("q", "Số dân Việt Nam?", answers=["ước tính 93,7 triệu"])
    paraphrase = question.answer_f1("Khoảng 93,7 triệu người [1].")
    assert 0.4 < paraphrase < 1.0
    assert question.answer_f1("ước tính 93,7 triệu") == pytest.approx(1.0)
    assert question.answer_f1("Hà Nội là thủ đô.") == 0.0
