"""A rule or a value read off quoted provisions: no case form, the model's sentence checked (no model needed)."""

from __future__ import annotations

from chat.provision import SUMMARY_LABEL, assemble, checked_summary
from chat.ruling import Ground, quoted, verdict_of
from chat.sentences import split_sentences
from chat.shapes import Shape
from vectorstore import SearchHit

AGE = "1.1.1. Tuổi đời: Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi (tính theo tháng)."
PROBATION = "Điều 5. 1. Người được kết nạp vào Đảng phải trải qua thời kỳ dự bị mười hai tháng, tính từ ngày chi bộ tổ chức lễ kết nạp."
FORBIDDEN = "2.1. Đảng viên không được làm những việc mà pháp luật không cho phép."


def _ground(text: str, clause: str, n: int = 1) -> Ground:
    meta = {"source": "qd-294.pdf", "kind": "regulation", "number": "294-QĐ/TW", "date": "2025-05-26",
            "title": "Quy định thi hành Điều lệ Đảng", "clause": clause}
    hit = SearchHit(f"c{n}", 1.0, text, meta)
    sentence = split_sentences(text)[-1]
    return Ground(n, hit, sentence, hit.meta.clause_at(sentence.start))


def test_a_value_asked_of_a_rule_leads_with_the_value_and_has_no_case_form() -> None:
    question = "Người vào Đảng phải đủ bao nhiêu tuổi?"
    grounds = [_ground(AGE, "1.1.1")]
    summary, flags = checked_summary(question, Shape.FACT, grounds, "Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi [1].")
    answer = assemble(Shape.FACT, grounds, summary)
    assert not flags and answer.startswith("Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi [1].")
    assert answer.endswith(quoted(grounds)) and "Như vậy" not in answer and "Đối chiếu số liệu" not in answer


def test_twelve_in_digits_is_the_clauses_twelve_in_words() -> None:
    """The issue's example: the model's "12" was dropped because the clause says "mười hai tháng"."""
    question = "Đảng viên dự bị phải trải qua thời gian dự bị bao lâu?"
    grounds = [_ground(PROBATION, "Điều 5, khoản 1")]
    summary, flags = checked_summary(question, Shape.FACT, grounds, "Thời kỳ dự bị là 12 tháng [1].")
    assert not flags and summary == "Thời kỳ dự bị là 12 tháng"
    answer = assemble(Shape.FACT, grounds, summary)
    assert "12 tháng" in answer and "chưa nêu đủ dữ kiện" not in answer


def test_a_changed_number_is_left_out_and_the_quote_stands_alone() -> None:
    grounds = [_ground(AGE, "1.1.1")]
    summary, flags = checked_summary("Người vào Đảng phải đủ bao nhiêu tuổi?", Shape.FACT, grounds, "Người vào Đảng phải đủ 21 tuổi [1].")
    assert summary == "" and "“21”" in flags[0]
    assert assemble(Shape.FACT, grounds, summary) == quoted(grounds)


def test_a_rule_is_quoted_first_then_summed_up_and_a_general_yes_no_gets_the_clauses_verdict() -> None:
    question = "Đảng viên có được làm những việc pháp luật không cho phép không?"
    grounds = [_ground(FORBIDDEN, "2.1")]
    summary, flags = checked_summary(question, Shape.RULE, grounds, "Không, đảng viên không được làm những việc pháp luật không cho phép [1].")
    answer = assemble(Shape.RULE, grounds, summary)
    assert not flags and answer.startswith(quoted(grounds)) and f"{SUMMARY_LABEL} Không, đảng viên" in answer
    assert verdict_of(answer) == "không"


def test_a_verdict_of_the_wrong_sign_is_left_out() -> None:
    question = "Đảng viên có được làm những việc pháp luật không cho phép không?"
    grounds = [_ground(FORBIDDEN, "2.1")]
    summary, flags = checked_summary(question, Shape.RULE, grounds, "Đúng. Đảng viên có thể làm những việc đó [1].")
    assert summary == "" and flags
    assert verdict_of(assemble(Shape.RULE, grounds, summary)) == ""


def test_a_looping_list_is_left_out() -> None:
    grounds = [_ground(AGE, "1.1.1")]
    loop = "- Người vào Đảng phải đủ 18 tuổi [1]\n- Người vào Đảng phải đủ 18 tuổi [1]\n- Người vào Đảng phải đủ 18 tuổi [1]"
    summary, flags = checked_summary("Điều kiện tuổi vào Đảng gồm những gì?", Shape.LIST, grounds, loop)
    assert summary == "" and "lặp lại" in flags[0]


def test_a_list_keeps_its_items_each_cited() -> None:
    grounds = [_ground(AGE, "1.1.1")]
    written = "- Đủ 18 tuổi [1]\n- Đến đủ 60 tuổi, tính theo tháng [1]"
    summary, flags = checked_summary("Quy định về tuổi vào Đảng gồm những gì?", Shape.LIST, grounds, written)
    answer = assemble(Shape.LIST, grounds, summary)
    assert not flags and answer.endswith(f"{SUMMARY_LABEL}\n- Đủ 18 tuổi [1].\n- Đến đủ 60 tuổi, tính theo tháng [1].")


def test_numbered_items_are_bullets_and_their_numbers_no_figures() -> None:
    grounds = [_ground(AGE, "1.1.1")]
    written = "1. Đủ 18 tuổi [1]\n2. Đến đủ 60 tuổi, tính theo tháng [1]"
    summary, flags = checked_summary("Quy định về tuổi vào Đảng gồm những gì?", Shape.LIST, grounds, written)
    assert not flags and summary == "- Đủ 18 tuổi\n- Đến đủ 60 tuổi, tính theo tháng"


def test_a_rule_for_full_members_answers_a_question_about_probationary_ones() -> None:
    """Seen with the local model (C19): "Đảng viên dự bị có được phát thẻ đảng viên không?" next to the clause
    giving the card to full members, summed up as "Tóm lại: Có"."""
    card = _ground("7.1.1. Thẻ đảng viên được phát cho đảng viên chính thức, chi bộ tổ chức phát thẻ trong kỳ sinh hoạt gần nhất.",
                   "6.1.1")
    question = "Đảng viên dự bị có được phát thẻ đảng viên không?"
    summary, flags = checked_summary(question, Shape.RULE, [card], "Có.")
    assert verdict_of(f"{SUMMARY_LABEL} {summary}") == "không" and "đảng viên dự bị không thuộc" in summary and flags
    summary, _ = checked_summary(question, Shape.RULE, [card], "")  # no model: the clause's words still decide
    assert verdict_of(f"{SUMMARY_LABEL} {summary}") == "không"
    # a clause that names both, or a question about full members, is left to the model
    both = _ground("7.1.1. Đảng viên chính thức và đảng viên dự bị đều phải đóng đảng phí.", "7.1.1")
    assert checked_summary("Đảng viên dự bị có phải đóng đảng phí không?", Shape.RULE, [both], "")[0] == ""
    assert checked_summary("Đảng viên chính thức có được phát thẻ không?", Shape.RULE, [card], "")[0] == ""


def test_the_clause_for_full_members_is_named_and_a_question_without_marks_is_read() -> None:
    meeting = _ground("5.2. Chi bộ họp thường kỳ mỗi tháng một lần.", "5.2")
    card = _ground("7.1.1. Thẻ đảng viên được phát cho đảng viên chính thức.", "7.1.1", n=2)
    summary, _ = checked_summary("dang vien du bi co duoc phat the dang vien khong", Shape.RULE, [meeting, card], "")
    assert summary.startswith("Điểm 7.1.1 quy định cho đảng viên chính thức")
