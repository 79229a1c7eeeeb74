"""Each question gets the answer form its shape calls for, on the real corpus: the board's case form only for
cases; a value first for a fact; the clause then a summary for a rule. The model is a scripted fake (its text is
fixed so that what the assistant does with it can be asserted); the real model's runs are in test_assistant_llm.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chat import Assistant
from chat.llm import ExtractiveBackend
from chat.queue import GenerationQueue


class ScriptedReader(ExtractiveBackend):
    """Quotes like the extractive backend and writes one fixed sentence wherever a model writes a reading of
    quoted provisions; keeps the prompts it was given."""

    name = "scripted-reader"

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.queue = GenerationQueue()
        self.sentence = sentence
        self.prompts: list[str] = []

    def reading(self, messages, max_tokens) -> Iterator[str]:
        self.prompts.append(messages[-1]["content"])
        yield self.sentence


def _ask(corpus_settings, corpus_index, question: str, sentence: str):
    model = ScriptedReader(sentence)
    return Assistant(corpus_settings, corpus_index, model).ask(question), model


def test_a_value_asked_of_a_rule_is_answered_with_the_value_and_no_case_form(corpus_settings, corpus_index) -> None:
    """The issue's example: "Như vậy, người vào Đảng phải đủ 60 tuổi. Đối chiếu số liệu: …" under the quote."""
    answer, model = _ask(corpus_settings, corpus_index, "Người vào Đảng phải đủ bao nhiêu tuổi?",
                         "Như vậy, người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi [1]. Đối chiếu số liệu: 60 tuổi là đủ điều kiện.")
    assert not answer.refused and answer.shape == "fact", answer.answer
    assert answer.answer.startswith("Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi [")
    assert "Như vậy" not in answer.answer and "Đối chiếu số liệu" not in answer.answer
    assert "Căn cứ điểm 1.1.1" in answer.answer and "người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi (tính theo tháng).”" in answer.answer
    assert "Như vậy" not in model.prompts[0]  # the model is not asked to apply anything to a case


def test_twelve_months_in_digits_is_the_charters_twelve_in_words(corpus_settings, corpus_index) -> None:
    answer, _ = _ask(corpus_settings, corpus_index, "Đảng viên dự bị phải trải qua thời gian dự bị bao lâu?",
                     "Thời gian dự bị là 12 tháng [1].")
    assert not answer.refused and answer.answer.startswith("Thời gian dự bị là 12 tháng"), answer.answer
    assert "mười hai tháng" in answer.answer and not answer.flags
    assert "chưa nêu đủ dữ kiện" not in answer.answer


def test_a_case_keeps_the_boards_form(corpus_settings, corpus_index) -> None:
    answer, _ = _ask(corpus_settings, corpus_index,
                     "Một quần chúng đã 61 tuổi thì theo quy định chung có còn trong độ tuổi được chi bộ xét kết nạp vào Đảng không?",
                     "Như vậy, 61 tuổi không thoả điều kiện “đến đủ 60 tuổi” nên người đó không được xét kết nạp [1].")
    assert answer.shape == "case" and "Đối chiếu số liệu: 61 tuổi" in answer.answer, answer.answer
    assert "Như vậy, 61 tuổi không thoả điều kiện" in answer.answer and not answer.flags


@pytest.mark.parametrize("question", ["Người vào Đảng phải đủ bao nhiêu tuổi?", "nguoi vao dang phai du bao nhieu tuoi?"])
def test_without_a_model_a_rule_is_its_quote_alone(corpus_settings, corpus_index, question: str) -> None:
    answer = Assistant(corpus_settings, corpus_index, ExtractiveBackend()).ask(question)
    assert not answer.refused and answer.answer.startswith("Căn cứ") and "Như vậy" not in answer.answer, answer.answer
    assert "đủ 60 tuổi" in answer.answer


class ScriptedWriter(ScriptedReader):
    """Writes one fixed answer, citing the passage that holds ``source`` (a model's slip cannot be summoned on demand)."""

    def __init__(self, sentence: str, source: str) -> None:
        super().__init__(sentence)
        self.source = source

    def answer(self, messages, question, hits, lexical, max_tokens) -> Iterator[str]:
        n = next(n for n, hit in enumerate(hits, start=1) if self.source in hit.text)
        yield self.sentence.format(n=n)


def test_the_plans_date_is_not_given_for_the_congresss(corpus_settings, corpus_index) -> None:
    """The issue's example: the sentence cites "Kế hoạch số 60-KH/ĐUHV ngày 13/3/2025" before the congress's own
    date, 20/5/2025; a model that takes the plan's date is not shown, the sentence is, with a note."""
    question = "Đại hội Chi bộ Trung tâm Thông tin – Thư viện nhiệm kỳ 2025-2027 được tổ chức vào ngày nào?"
    wrong = ScriptedWriter("Đại hội Chi bộ Trung tâm Thông tin – Thư viện được tổ chức ngày 13/3/2025 [{n}].", "60-KH/ĐUHV")
    answer = Assistant(corpus_settings, corpus_index, wrong).ask(question)
    assert not answer.refused and "20/5/2025" in answer.answer, answer.answer
    assert answer.flags and "nhiều ngày tháng" in answer.flags[0]
    right = ScriptedWriter("Đại hội Chi bộ Trung tâm Thông tin – Thư viện được tổ chức ngày 20/5/2025 [{n}].", "60-KH/ĐUHV")
    answer = Assistant(corpus_settings, corpus_index, right).ask(question)
    assert answer.answer.startswith("Đại hội Chi bộ Trung tâm Thông tin – Thư viện được tổ chức ngày 20/5/2025") and not answer.flags
    assert "\n\n> “" in answer.answer  # a fact: the value, then the quote it comes from


def test_a_looping_answer_gives_way_to_the_verbatim_sentences(corpus_settings, corpus_index) -> None:
    line = "Đồng chí Nguyễn Quốc Sửu phát biểu chỉ đạo tại Đại hội [{n}]."
    loop = ScriptedWriter("\n".join(f"{i}. {line}" for i in range(1, 5)), "Nguyễn Quốc Sửu")
    answer = Assistant(corpus_settings, corpus_index, loop).ask("Ai phát biểu chỉ đạo tại Đại hội Chi bộ Trung tâm Thông tin – Thư viện?")
    assert not answer.refused and "lặp lại" in answer.flags[0] and answer.answer.count("phát biểu chỉ đạo") <= 2
