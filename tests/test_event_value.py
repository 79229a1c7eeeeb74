"""Which value of a sentence belongs to the asked event (issue 41, point 3).

The table is real sentences from the corpus, QĐ 294 and public news about party cells
(tests/data/event_sentences.jsonl, each with its source), several questions per sentence about its
different values; ``expected`` is null where the sentence does not decide one value (a list of
attendees, only documents' dates), and the answer must then quote the sentence instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chat.event_value import Picked, candidates, event_words, pick

CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "event_sentences.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[f"{n}-{c['kind']}" for n, c in enumerate(CASES)])
def test_value_tied_to_the_asked_event(case: dict) -> None:
    found = pick(case["question"], case["sentence"], case["kind"])
    assert (found.value if found else None) == case["expected"]
    if found:
        assert case["sentence"][found.start : found.end] == found.value
        assert found.kind == case["kind"]


def test_the_table_is_what_the_issue_asks_for() -> None:
    sentences = {case["sentence"] for case in CASES}
    assert len(sentences) >= 45
    folded = [case for case in CASES if case["question"].isascii()]
    assert len(folded) >= len(CASES) // 5  # questions typed without diacritics
    assert all(case["source"] for case in CASES)
    several = [s for s in sentences if len({c.value for c in candidates(s, _kind_of(s))}) >= 2]
    assert len(several) >= 40


def _kind_of(sentence: str) -> str:
    return next(case["kind"] for case in CASES if case["sentence"] == sentence)


PLAN = ("Thực hiện Kế hoạch số 12-KH/ĐU ngày 13/3/2025 của Đảng ủy Khối, ngày 20/5/2025, tại hội trường "
        "tầng 3, Chi bộ X tổ chức Đại hội Chi bộ nhiệm kỳ 2025 – 2027.")


def test_the_plans_date_is_not_the_congresss() -> None:
    start = PLAN.index("20/5/2025")
    assert pick("Đại hội Chi bộ X được tổ chức vào ngày nào?", PLAN) == Picked("20/5/2025", "date", start, start + 9)
    assert pick("Đại hội Chi bộ X được tổ chức vào ngày nào?", PLAN, "date").value == "20/5/2025"


def test_a_question_about_the_document_gets_the_documents_date() -> None:
    assert pick("Kế hoạch số 12-KH/ĐU ban hành ngày nào?", PLAN).value == "13/3/2025"
    assert pick("ke hoach so 12-KH/DU ban hanh ngay nao", PLAN).value == "13/3/2025"
    assert pick("Kế hoạch số 99-KH/ĐU ban hành ngày nào?", PLAN) is None  # not this sentence's document


@pytest.mark.parametrize(
    "sentence",
    [
        "Căn cứ Quyết định số 143-QĐ/ĐU ngày 03/07/2020 của Đảng ủy, ngày 10/07/2020 Chi bộ tổ chức lễ kết nạp.",
        "Thực hiện Nghị quyết số 05-NQ/ĐU ngày 02/01/2024 của Đảng ủy, ngày 10/07/2020, Chi bộ tổ chức lễ kết nạp.",
        "Chi bộ tổ chức lễ kết nạp ngày 10/07/2020 theo Quyết định số 143-QĐ/ĐU ngày 03/07/2020 của Đảng ủy.",
    ],
)
def test_document_reference_dates_are_excluded(sentence: str) -> None:
    assert pick("Lễ kết nạp được tổ chức ngày nào?", sentence).value == "10/07/2020"


def test_only_document_dates_leave_nothing_to_pick() -> None:
    sentence = "Thực hiện Kế hoạch số 126 ngày 10/7/2014 của Thành ủy và Kế hoạch số 108 ngày 5/8/2014 của Huyện ủy về tổ chức đại hội."
    assert pick("Đại hội được tổ chức ngày nào?", sentence) is None
    assert pick("Kế hoạch số 108 ban hành ngày nào?", sentence).value == "5/8/2014"


def test_candidates_keep_the_document_values() -> None:
    assert [p.value for p in candidates(PLAN, "date")] == ["13/3/2025", "20/5/2025"]
    assert [p.value for p in candidates(PLAN, "year")] == ["2025", "2025"]  # the term "2025 – 2027" is no year


def test_who_chaired_and_who_spoke() -> None:
    sentence = ("Hội nghị do đồng chí Lê Văn An, Bí thư Đảng ủy chủ trì, đồng chí Trần Thị Bình, Phó Bí thư "
                "trình bày báo cáo, đồng chí Phạm Minh Châu phát biểu chỉ đạo.")
    assert pick("Ai chủ trì hội nghị?", sentence).value == "Lê Văn An"
    assert pick("Ai trình bày báo cáo?", sentence).value == "Trần Thị Bình"
    assert pick("ai phat bieu chi dao", sentence).value == "Phạm Minh Châu"
    assert pick("Ai bế mạc hội nghị?", sentence) is None  # no such event in the sentence


def test_present_members_and_all_members() -> None:
    sentence = "Về phía Chi bộ có 15/16 đảng viên tham dự."
    assert pick("Bao nhiêu đảng viên tham dự?", sentence).value == "15"
    assert pick("Chi bộ có tổng số bao nhiêu đảng viên?", sentence).value == "16"


def test_event_words() -> None:
    assert event_words("Đại hội Chi bộ X được tổ chức vào ngày nào?") == ["tổ chức"]
    assert event_words("dai hoi to chuc ngay nao") == ["tổ chức"]
    assert event_words("Ai trao quyết định kết nạp?") == ["trao", "kết nạp"]  # the verb before its noun's
    assert event_words("Lễ kết nạp diễn ra ngày nào?") == ["diễn ra", "kết nạp"]
    assert event_words("Ai phát biểu chỉ đạo?") == ["phát biểu chỉ đạo"]


def test_nothing_to_pick() -> None:
    assert pick("Ai chủ trì?", "Hội nghị diễn ra sáng nay.") is None
    assert pick("Quy định này có hiệu lực không?", PLAN) is None  # asks for no value
