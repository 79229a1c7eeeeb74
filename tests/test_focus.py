"""A value given as the answer must be the kind of value asked for, read off a cited sentence about it."""

from __future__ import annotations

import pytest

from chat.focus import answers_the_focus
from chat.support import focus_is_grounded, quantity_focus
from vectorstore import LexicalIndex

RETENTION = "Niêm phong phiếu bầu và chuyển cho đoàn chủ tịch để bàn giao cho cấp ủy khoá mới lưu trữ theo quy định."
MEDAL = "Đảng viên 70 năm tuổi đảng trở lên nếu bị bệnh nặng có thể được xét tặng Huy hiệu Đảng sớm, nhưng không được quá hai năm."
FEE = "Đảng viên đi học tập ở nước ngoài đóng đảng phí theo hướng dẫn của cấp ủy nơi sinh hoạt."
FEE_DAY = "Đảng viên đóng đảng phí hằng tháng cho chi bộ trước ngày 10 của tháng."


@pytest.fixture
def lexical(tmp_path) -> LexicalIndex:
    return LexicalIndex(tmp_path / "lexical")


@pytest.mark.parametrize(
    ("question", "sentence", "answered"),
    [
        ("Phiếu bầu sau khi niêm phong phải được cấp ủy khoá mới lưu trữ trong bao nhiêu năm?", RETENTION, False),
        ("Đảng viên 70 năm tuổi đảng bị bệnh nặng được xét tặng Huy hiệu Đảng sớm tối đa bao lâu?", MEDAL, True),
        ("Đảng viên bị bệnh nặng được xét tặng Huy hiệu Đảng sớm tối đa bao lâu?", RETENTION, False),
        ("Đảng viên đi học ở nước ngoài 3 năm đóng đảng phí với mức bao nhiêu?", FEE, False),
        ("Đảng viên phải nộp đảng phí chậm nhất vào ngày nào trong tháng?", FEE, False),
        ("Đảng viên phải nộp đảng phí chậm nhất vào ngày nào trong tháng?", FEE_DAY, True),
    ],
)
def test_a_value_of_the_kind_asked_must_be_given(lexical, question: str, sentence: str, answered: bool) -> None:
    assert answers_the_focus(question, sentence, [("Quy định thi hành Điều lệ Đảng", sentence)], lexical, 0.3) is answered


def test_the_years_counted_and_a_percentage() -> None:
    assert quantity_focus("… lưu trữ trong bao nhiêu năm?") == "năm"
    assert quantity_focus("Có bao nhiêu đảng viên năm 2023?") == "đảng viên"  # "năm" there ends the thing counted
    question = "Cấp trên được chỉ định tăng thêm cấp ủy viên tối đa bao nhiêu phần trăm?"
    assert focus_is_grounded(question, ["… không được quá 10% đối với cấp ủy cấp trên trực tiếp của tổ chức cơ sở đảng."])
    assert not focus_is_grounded(question, ["… không được quá 10 người đối với cấp ủy cấp trên."])
