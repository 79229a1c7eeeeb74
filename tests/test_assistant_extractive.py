"""The answering chain in extractive mode (no LLM) on the dev questions, and its checks of a model's answer."""

from collections.abc import Iterator

import pytest

from chat import Assistant, Turn
from chat.llm import ExtractiveBackend, GenerativeBackend
from chat.queue import GenerationQueue
from evaluation.harness import run_ask, summarise_ask
from evaluation.questions import load_questions
from tests.conftest import DEV_QUESTIONS


@pytest.fixture(scope="module")
def extractive(corpus_settings, corpus_index) -> Assistant:
    return Assistant(corpus_settings.model_copy(update={"llm_backend": "extractive"}), corpus_index, ExtractiveBackend())


@pytest.mark.skipif(not DEV_QUESTIONS.exists(), reason="shared/eval is not beside the checkout")
def test_dev_floors_quotes_verbatim_and_figures_grounded(extractive) -> None:
    rows = list(run_ask(extractive, load_questions(DEV_QUESTIONS)))
    summary = summarise_ask(rows)
    assert summary["answer_accuracy"] >= 9 / 12, [r.to_json() for r in rows if not r.correct]
    assert summary["refusal_accuracy"] == 1.0
    for row in rows:
        for citation in row.result["citations"]:
            text = extractive.index.store.get([citation["id"]])[citation["id"]][0]
            assert text[citation["start"] : citation["end"]] == citation["quote"]
        assert row.result["flags"] == []  # extractive answers are verbatim: nothing to flag


def test_follow_up_is_condensed_with_the_previous_question(extractive) -> None:
    first = extractive.ask("Ai giữ chức Phó Bí thư Chi bộ Trung tâm Thông tin - Ứng dụng KH&CN nhiệm kỳ 2022-2025?")
    follow_up = extractive.ask("Còn Bí thư thì sao?", [Turn(first.question, first.answer)])
    assert "Trung tâm Thông tin" in follow_up.standalone_question
    assert "Phan Thị Bích Hạnh" in follow_up.answer


def test_off_topic_question_is_declined(extractive) -> None:
    answer = extractive.ask("Giá vàng hôm nay bao nhiêu?")
    assert answer.refused and answer.citations == []
    assert "ngoài phạm vi" in answer.answer


def test_count_of_something_no_document_names_is_refused(extractive) -> None:
    answer = extractive.ask("Chi bộ Trung tâm Thông tin – Thư viện có bao nhiêu đảng viên nữ?")
    assert answer.refused
    assert answer.closest  # the closest passages are shown instead


def test_a_checked_verbatim_preview_comes_before_the_answer(extractive) -> None:
    from chat import Answer, Preview

    events = list(extractive.stream("Ai đại diện Đoàn Thư ký trình bày dự thảo Nghị quyết Đại hội?"))
    assert isinstance(events[0], Preview) and isinstance(events[-1], Answer)
    preview = events[0]
    assert "Nguyễn Thị Hoàng Oanh" in preview.answer and preview.citations
    for citation in preview.citations:
        assert citation.quote in extractive.index.store.get([citation.id])[citation.id][0]
    refused = list(extractive.stream("Giá vàng hôm nay bao nhiêu?"))
    assert not any(isinstance(event, Preview) for event in refused)  # nothing is previewed for a refusal


def test_a_failed_rewrite_of_a_follow_up_falls_back_to_the_joined_questions() -> None:
    """Seen with the 1.5B model in a ten-turn chain: the prompt's label echoed, the follow-up returned as it was,
    an answer written instead of a question. Each gives way to "previous question + follow-up"."""
    joined = "Còn thời điểm công nhận đảng viên chính thức thì sao? Nếu chi bộ họp chậm thì sao?"
    follow_up = "Nếu chi bộ họp chậm thì sao?"
    assert Assistant._rewrite_or(joined, follow_up, "Câu hỏi tiếp theo: Nếu chi bộ họp chậm thì sao?") == joined
    answered = "Khi hết thời kỳ dự bị, chi bộ xét công nhận đảng viên chính thức từng người một và biểu quyết như khi xét kết nạp; " * 2
    assert Assistant._rewrite_or(joined, follow_up, answered) == joined
    assert Assistant._rewrite_or("A? Còn quyền ứng cử thì sao?", "Còn quyền ứng cử thì sao?", "Họ có được biểu quyết không?") == (
        "A? Còn quyền ứng cử thì sao?"  # the previous question came back, the follow-up's "ứng cử" was lost
    )
    rewrite = "Câu hỏi độc lập: Nếu chi bộ họp chậm thì thời điểm công nhận đảng viên chính thức là khi nào?"
    assert Assistant._rewrite_or(joined, follow_up, rewrite) == rewrite.split(": ", 1)[1]


class ScriptedModel(GenerativeBackend):
    """Writes one fixed wrong answer, citing the passage it comes from: a real model's slip cannot be summoned on
    demand, and what is tested is what the assistant does with it."""

    name = "scripted"

    def __init__(self, sentence: str) -> None:
        self.queue = GenerationQueue()
        self.sentence = sentence

    def answer(self, messages, question, hits, lexical, max_tokens) -> Iterator[str]:
        n = next(n for n, hit in enumerate(hits, start=1) if self.sentence in hit.text)
        yield f"{self.sentence} [{n}]"


def test_a_scripted_model_answer_no_sentence_on_the_topic_backs_gives_way_to_the_verbatim_one(corpus_settings, corpus_index) -> None:
    # The year is in a cited passage, but in a sentence about another matter: it does not answer the question.
    model = ScriptedModel("Năm 2024 sẽ là năm Trường phát triển thu hút các nguồn ngoại lực")
    answer = Assistant(corpus_settings, corpus_index, model).ask("Trường Đại học Công nghệ công bố chiến lược phát triển đến năm nào?")
    assert not answer.refused and "2035" in answer.answer and "2024" not in answer.answer
    assert answer.flags[0].startswith("Câu trả lời của mô hình chưa nêu đúng thông tin được hỏi")


@pytest.mark.parametrize(
    ("sentence", "kind", "question", "typed"),
    [
        # Issue 41: counts the old check did not see as the number asked for
        ("Tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ đạt 45,5%.", "number", "Tỷ lệ hoàn thành xuất sắc là bao nhiêu phần trăm?", True),
        ("Mỗi năm chi bộ kết nạp từ 01-02 đảng viên.", "number", "Mỗi năm chi bộ kết nạp bao nhiêu đảng viên mới?", True),
        ("Đại hội có 11/11 đảng viên chính thức tham dự.", "number", "Có bao nhiêu đảng viên chính thức tham dự?", True),
        ("Có hơn 2 triệu lượt người tham gia.", "number", "Có bao nhiêu lượt người tham gia?", True),
        ("Chi bộ có 11 đảng viên.", "number", "Chi bộ 11 đảng viên có bao nhiêu tổ đảng?", False),
        ("Thời hạn dự bị là mười hai tháng.", "duration", "Thời hạn dự bị là bao lâu?", True),
        # a date is no length of time ("26 tháng", "5 năm" of it were read as one)
        ("Quy định ban hành ngày 26 tháng 5 năm 2025.", "duration", "Thời hạn dự bị là bao lâu?", False),
    ],
)
def test_the_kind_of_value_asked_for_is_read_as_chat_numbers_reads_it(sentence: str, kind: str, question: str, typed: bool) -> None:
    from chat.extractive import has_type

    assert has_type(sentence, kind, question) is typed
