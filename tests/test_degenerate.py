"""Degenerate model text is recognised: loops, answers cut mid-sentence, verdicts the grounds contradict."""

import pytest

from chat.degenerate import is_cut_off, opening_verdict, problems, repeated_parts, verdict_against_grounds

LOOP = (
    "Đảng viên có thể đề nghị chi bộ xem xét cho miễn sinh hoạt đảng [1].\n"
    "1. Đảng viên có thể đề nghị chi bộ xem xét cho miễn sinh hoạt đảng [1].\n"
    "2. Đảng viên có thể đề nghị chi bộ xem xét cho miễn sinh hoạt đảng [2].\n"
    "3. Đảng viên có thể đề nghị chi bộ xem xét cho miễn sinh hoạt đảng [1]."
)


def test_a_sentence_repeated_in_a_numbered_list_is_a_loop() -> None:
    assert repeated_parts(LOOP)
    assert any("lặp lại" in note for note in problems(LOOP, "Đảng viên có được miễn sinh hoạt đảng không?", []))


def test_a_loop_that_changes_only_a_number_is_still_a_loop() -> None:
    text = "Chi bộ có 25 đảng viên tham dự đại hội lần này [1]. Chi bộ có 26 đảng viên tham dự đại hội lần này [1]."
    assert repeated_parts(text)


@pytest.mark.parametrize(
    "text",
    [
        "Đại hội bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ [1]. Đồng chí Nguyễn Văn An được bầu làm Phó Bí thư [1].",
        "- Có [1]\n- Có [2]",  # short labels may repeat
        "Đảng viên phải sinh hoạt đảng [1]. Đảng viên phải đóng đảng phí [2]. Đảng viên phải học tập nghị quyết [1].",
    ],
)
def test_different_sentences_are_not_a_loop(text: str) -> None:
    assert repeated_parts(text) == []


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi [1].", False),
        ("Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi [1]", False),
        ("- Chi ủy báo cáo [1]\n- Chi bộ xét và biểu quyết [2]", False),
        ("Đại hội bầu đồng chí Lê Thị Mai", False),
        ("Hồ sơ gồm đơn xin vào Đảng và", True),
        ("Thời hạn xem xét theo quy định của", True),
        ("Chi bộ xét kết nạp,", True),
        ("Theo quy định: “người vào Đảng phải đủ 18 tuổi", True),
        ("Đảng viên (trừ trường hợp", True),
        ("", False),
    ],
)
def test_an_answer_cut_mid_sentence_is_recognised(text: str, cut: bool) -> None:
    assert is_cut_off(text) is cut


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("Đúng. Đảng viên có thể làm như vậy [1].", "có"),
        ("**Được**, theo quy định [1].", "có"),
        ("Không, chi bộ không được xét [1].", "không"),
        ("Không được. Đảng viên phải … [1]", "không"),
        ("Có thể đề nghị miễn sinh hoạt [1].", ""),
        ("Câu trả lời: Có [1].", "có"),  # seen with the local model (C29): the verdict behind a label
        ("Chi bộ xét kết nạp [1].", ""),
    ],
)
def test_the_opening_verdict_word_is_read(answer: str, verdict: str) -> None:
    assert opening_verdict(answer) == verdict


FORBIDS = ["Đảng viên không được làm những việc mà pháp luật cấm."]
ALLOWS = ["Đảng viên được đề nghị miễn sinh hoạt đảng khi tuổi cao, sức yếu."]
BOUND = ["Thời gian xem xét không quá 30 ngày làm việc."]


@pytest.mark.parametrize(
    ("answer", "question", "grounds", "against"),
    [
        # the FAQ answer that said yes where the board says no
        ("Đúng. Đảng viên có thể làm như vậy được [1].", "Đảng viên có được làm việc đó không?", FORBIDS, True),
        ("Không. Đảng viên không được làm việc đó [1].", "Đảng viên có được làm việc đó không?", FORBIDS, False),
        ("Được. Đảng viên được đề nghị miễn sinh hoạt [1].", "Đảng viên tuổi cao có được miễn sinh hoạt đảng không?", ALLOWS, False),
        ("Không. Đảng viên không được miễn [1].", "Đảng viên tuổi cao có được miễn sinh hoạt đảng không?", ALLOWS, True),
        # asked negatively, the signs flip together
        ("Đúng, đảng viên không được làm [1].", "Đảng viên không được làm việc pháp luật cấm, phải không?", FORBIDS, False),
        # a bound is no prohibition
        ("Có, trong thời hạn đó [1].", "Cấp ủy có phải xem xét trong 30 ngày làm việc không?", BOUND, False),
        # a bare verdict where no yes/no was asked
        ("Đúng. Đồng chí Lê Thị Mai [1].", "Ai được bầu làm Bí thư Chi bộ?", ALLOWS, True),
        ("Đồng chí Lê Thị Mai được bầu làm Bí thư [1].", "Ai được bầu làm Bí thư Chi bộ?", ALLOWS, False),
        # typed without diacritics
        ("Được. Đảng viên có thể làm [1].", "dang vien co duoc lam viec do khong?", FORBIDS, True),
        ("Được. Đảng viên được đề nghị miễn [1].", "dang vien tuoi cao co duoc mien sinh hoat dang khong?", ALLOWS, False),
        # an exemption denies what is asked (C29); the region "miền" is no exemption
        ("Câu trả lời: Có [1].", "Đảng viên được miễn công tác có phải đánh giá chất lượng hằng năm không?",
         ["Được miễn đánh giá chất lượng đảng viên trong thời gian được miễn công tác và sinh hoạt đảng."], True),
        ("Có. Đảng viên ở miền núi đóng đảng phí [1].", "Đảng viên ở miền núi có phải đóng đảng phí không?",
         ["Đảng viên ở miền núi đóng đảng phí theo quy định."], False),
        # "miễn nhiệm" dismisses, it exempts no one; a bracketed aside says where a rule applies, it denies nothing
        ("Có.", "Cấp ủy cấp trên có quyền cho thôi chức bí thư chi bộ không?",
         ["Cấp ủy cấp trên quyết định chuẩn y, miễn nhiệm bí thư chi bộ."], False),
        ("Có, được tạm miễn [1].", "Đảng viên đi làm ăn xa 8 tháng có được tạm miễn sinh hoạt đảng không?",
         ["Thời gian dưới 12 tháng thì chi bộ đề nghị đảng ủy cơ sở (nơi không có đảng ủy cơ sở thì cấp ủy cấp trên) "
          "cho đảng viên được tạm miễn sinh hoạt đảng."], False),
    ],
)
def test_a_verdict_must_have_the_sign_of_the_grounds(answer: str, question: str, grounds: list[str], against: bool) -> None:
    assert verdict_against_grounds(answer, question, grounds) is against


def test_a_sound_answer_has_no_problems() -> None:
    answer = "Đại hội bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ nhiệm kỳ 2025–2027 [1]."
    assert problems(answer, "Ai được bầu làm Bí thư Chi bộ?", ["Đại hội bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ."]) == []
