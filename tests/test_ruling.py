"""The board's answer form: numbers compared in code, the model's reading checked (no model needed)."""

from __future__ import annotations

from chat.ruling import (
    Ground,
    checked_reading,
    comparisons,
    is_yes_no,
    quantities,
    repeats_the_question,
    settle,
    undecided,
    verdict_follows,
    verdict_of,
)
from chat.sentences import split_sentences
from ingest.clauses import clause_phrase
from vectorstore import SearchHit

CLAUSE = "1.1.1. Tuổi đời: Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi (tính theo tháng)."
META = {"source": "qd-294.pdf", "kind": "regulation", "number": "294-QĐ/TW", "date": "2025-05-26",
        "issuer": "Ban Chấp hành Trung ương", "title": "Quy định thi hành Điều lệ Đảng", "clause": "1.1.1"}


def _ground(text: str = CLAUSE, n: int = 1) -> Ground:
    hit = SearchHit("c1", 1.0, text, dict(META))
    sentence = split_sentences(text)[-1]
    return Ground(n, hit, sentence, hit.meta.clause_at(sentence.start))


def test_the_basis_names_clause_document_and_date_and_quotes_verbatim() -> None:
    ground = _ground()
    assert ground.basis == "điểm 1.1.1, Quy định số 294-QĐ/TW ngày 26/5/2025"
    assert ground.quote in CLAUSE and ground.line().endswith(f"“{ground.quote}”")


def test_clause_phrases_follow_the_way_a_board_cites_them() -> None:
    assert clause_phrase("20.2.1") == "điểm 20.2.1"
    assert clause_phrase("10.6.2(đ)") == "tiết đ điểm 10.6.2"
    assert clause_phrase("Điều 5, khoản 2") == "Điều 5, khoản 2"


def test_numbers_of_the_case_are_set_against_the_clause_thresholds() -> None:
    assert comparisons("Một quần chúng 61 tuổi có được kết nạp không?", CLAUSE) == [
        "61 tuổi (trường hợp hỏi) lớn hơn 18 tuổi (mức nêu trong điều khoản), tức là thoả điều kiện “đủ 18 tuổi”",
        "61 tuổi (trường hợp hỏi) lớn hơn 60 tuổi (mức nêu trong điều khoản), tức là không thoả điều kiện “đến đủ 60 tuổi”",
    ]
    lines = comparisons("Đảng viên dự bị được 2 năm thì sao?", "thời hạn dự bị là 12 tháng; sau 36 tháng")
    assert "2 năm (= 24 tháng) (trường hợp hỏi) lớn hơn 12 tháng (mức nêu trong điều khoản)" in lines
    assert "2 năm (= 24 tháng) (trường hợp hỏi) nhỏ hơn 36 tháng (mức nêu trong điều khoản)" in lines
    # different measures are never compared; a year of a date is not a duration
    assert comparisons("Chi bộ có 40 đảng viên, họp ngày 5/2025?", "trong thời hạn 30 ngày làm việc") == []
    assert [q.written for q in quantities("30 ngày làm việc, 3 tháng, năm 2025")] == ["30 ngày làm việc", "3 tháng"]


def test_the_case_is_told_which_side_of_the_provisions_bound_it_falls_on() -> None:
    def said(question: str, provision: str) -> str:
        return comparisons(question, provision)[0].split(", tức là ")[1]

    # the bound's words, right before the number ("là"/"có" may stand between) or "(từ) … trở lên" after it
    assert said("ra khỏi Đảng được 24 tháng", "Ít nhất là 36 tháng kể từ khi ra khỏi Đảng") == "không thoả điều kiện “Ít nhất là 36 tháng”"
    assert said("Có 4 đảng viên chính thức", "Nếu có từ 3 đảng viên chính thức trở lên chuyển đến") == (
        "thoả điều kiện “từ 3 đảng viên chính thức trở lên”")
    assert said("chỉ còn 3 đảng viên", "mỗi chi bộ ít nhất có 3 đảng viên chính thức") == "thoả điều kiện “ít nhất có 3 đảng viên”"
    assert said("hồ sơ lập đã 14 tháng", "Quá 12 tháng, kể từ khi lập hồ sơ thì phải làm lại") == "thoả điều kiện “Quá 12 tháng”"
    assert said("hồ sơ lập đã 12 tháng", "Quá 12 tháng, kể từ khi lập hồ sơ thì phải làm lại") == "không thoả điều kiện “Quá 12 tháng”"
    assert said("chi bộ có 7 đảng viên", "Chi bộ có dưới 9 đảng viên chính thức bầu bí thư") == "thoả điều kiện “dưới 9 đảng viên”"
    assert said("hợp tác xã có 2 đảng viên", "nếu chưa đủ 3 đảng viên chính thức thì") == "thoả điều kiện “chưa đủ 3 đảng viên”"
    assert said("sau 40 ngày làm việc", "trong thời hạn 30 ngày làm việc, chi bộ phải") == (
        "không thoả điều kiện “trong thời hạn 30 ngày làm việc”")
    assert said("bầu 5 lần", "không quá hai lần") == "không thoả điều kiện “không quá hai lần”"
    assert said("người 17 tuổi", "Công dân Việt Nam từ mười tám tuổi trở lên") == "không thoả điều kiện “từ mười tám tuổi trở lên”"
    # a number whose words set no bound is compared and no more
    assert comparisons("dự bị được 2 năm", "thời hạn dự bị là 12 tháng") == [
        "2 năm (= 24 tháng) (trường hợp hỏi) lớn hơn 12 tháng (mức nêu trong điều khoản)"]


def test_yes_no_questions_and_verdicts() -> None:
    assert is_yes_no("Người 61 tuổi có được kết nạp vào Đảng không?")
    assert is_yes_no("Chi bộ xét kết nạp như vậy được không?")
    assert not is_yes_no("Ai quyết định kết nạp người trên 60 tuổi?")
    assert verdict_of("Căn cứ điểm 1.1.1 … quy định: “…”\n\nNhư vậy, người 61 tuổi không đủ tuổi vào Đảng [1].") == "không"
    assert verdict_of("Như vậy, chi bộ được xét kết nạp [1].") == "có"


def test_a_reading_with_a_number_from_nowhere_is_replaced_and_flagged() -> None:
    ground = _ground()
    reading, flags = checked_reading("Người 61 tuổi có được kết nạp không?", [ground], "Như vậy, người đó phải chờ 5 năm.")
    # the comparison settles this case, so its reading stands in for the model's
    assert reading == "Như vậy, theo đối chiếu số liệu, trường hợp hỏi không đáp ứng điều kiện “đến đủ 60 tuổi” của điểm 1.1.1 [1]."
    assert flags and "“5”" in flags[0]
    reading, _ = checked_reading("Người vào Đảng có cần giấy giới thiệu không?", [ground], "Như vậy, người đó phải chờ 5 năm.")
    assert reading.startswith(undecided([ground]).rstrip("."))


def test_a_verdict_stands_only_when_it_follows_from_the_clause_and_the_case() -> None:
    ground = _ground()
    question = "Người 61 tuổi có được kết nạp vào Đảng không?"
    reading, flags = checked_reading(question, [ground], "Như vậy, người 61 tuổi đã quá 60 tuổi nên không đủ điều kiện về tuổi đời.")
    assert not flags and reading.startswith("Như vậy, người 61 tuổi") and reading.endswith("[1].")
    # A case number the clause has no threshold for cannot be decided by it
    informal = _ground("1.1.1. Người vào Đảng là quần chúng ưu tú, được chi bộ giới thiệu.")
    assert not verdict_follows("Người đã công tác 5 tháng có được kết nạp không?", [informal], [])
    reading, flags = checked_reading("Người đã công tác 5 tháng có được kết nạp không?", [informal], "Như vậy, có, người đó được kết nạp.")
    assert flags and reading.startswith("Như vậy, điều khoản trên nêu điều kiện")
    # A model that writes nothing leaves the quote to the reader, and says so, unless the comparison settles the case
    reading, flags = checked_reading("Người vào Đảng có cần giấy giới thiệu không?", [ground], "")
    assert "Chế độ trích xuất" in reading and not flags


def test_a_form_without_a_reading_or_with_an_undecided_one_gives_no_verdict() -> None:
    ground = _ground()
    assert verdict_of(f"{ground.line()}\n\nÁp dụng: (Chế độ trích xuất …)") == ""
    assert verdict_of(f"{ground.line()}\n\n{undecided([ground])}") == ""


def test_a_reading_that_brings_facts_of_its_own_is_replaced_and_flagged() -> None:
    """Seen with the local model: asked whose consent an admission over 60 needs, it read "relatives and acquaintances"
    into a rule that names the standing committee of a provincial party committee."""
    quote = ("1.1. Đối với người trên 60 tuổi ở nơi chưa có đảng viên, có sức khoẻ, uy tín: được ban thường vụ cấp ủy "
             "trực thuộc Trung ương đồng ý bằng văn bản trước khi quyết định kết nạp.")
    ground = _ground(quote)
    question = "Một người 62 tuổi sống ở nơi chưa có đảng viên; trước khi kết nạp cần sự đồng ý của ai, bằng hình thức nào?"
    invented = "Như vậy, cần sự đồng ý của người thân và người quen, thông qua thông báo tại cuộc họp."
    reading, flags = checked_reading(question, [ground], invented)
    assert flags and "người thân" in flags[0] and reading.startswith("Như vậy, điều khoản trên")
    faithful = "Như vậy, cần ban thường vụ cấp ủy trực thuộc Trung ương đồng ý bằng văn bản trước khi quyết định kết nạp."
    reading, flags = checked_reading(question, [ground], faithful)
    assert not flags and reading.startswith("Như vậy, cần ban thường vụ")


def test_a_reading_in_the_words_of_the_comparison_is_kept() -> None:
    """The comparison line is given to the model, so its words back a reading as the provision's and the question's
    do (with the local model, a right reading of C40 was thrown away for "mức", "nêu", "thỏa")."""
    ground = _ground()
    reading = "Như vậy, 61 tuổi không thoả điều kiện “đến đủ 60 tuổi” của mức nêu trong điều khoản nên người đó không được kết nạp."
    kept, flags = checked_reading("Người 61 tuổi có được kết nạp vào Đảng không?", [ground], reading)
    assert not flags and kept.startswith("Như vậy, 61 tuổi không thoả") and verdict_of(kept) == "không"


def test_a_reading_that_only_asks_the_question_again_is_no_reading() -> None:
    """Seen with the local model (C69, C70): "Như vậy, chi bộ có được xem xét, xử lý đảng viên đó không [1]." — its
    last word read as a verdict of "không"."""
    ground = _ground()
    question = "Người 61 tuổi có được kết nạp vào Đảng không?"
    for echo in ("Như vậy, người 61 tuổi có được kết nạp vào Đảng không",
                 "Như vậy, người 61 tuổi có được kết nạp vào Đảng không? Đối chiếu số liệu: 61 tuổi lớn hơn 60 tuổi."):
        assert repeats_the_question(echo, question)
        reading, flags = checked_reading(question, [ground], echo)
        assert reading.startswith("Như vậy, theo đối chiếu số liệu") and verdict_of(reading) == "không"  # settled by the comparison
        assert flags == ["Phần áp dụng của mô hình chỉ nhắc lại câu hỏi nên đã bị bỏ."]
    unsettled = "Người vào Đảng có cần giấy giới thiệu không?"
    reading, flags = checked_reading(unsettled, [ground], "Như vậy, người vào Đảng có cần giấy giới thiệu không?")
    assert reading.startswith(undecided([ground]).rstrip(".")) and verdict_of(reading) == "" and flags
    # a terse answer is an answer, and a reading that says more than the question is not an echo
    assert not repeats_the_question("Như vậy, người 61 tuổi thì không.", question)
    assert not repeats_the_question("Như vậy, người 61 tuổi đã quá 60 tuổi nên không được kết nạp.", question)


def test_numbers_are_read_by_chat_numbers_dates_are_not_durations_and_a_range_sets_both_ends() -> None:
    # "ngày 26 tháng 5 năm 2025" is a date: neither 26 months nor 5 years
    assert quantities("Quy định ban hành ngày 26 tháng 5 năm 2025") == []
    assert [q.shown for q in quantities("hai tuần, mười hai tháng")] == ["hai tuần (= 14 ngày)", "mười hai tháng (= 12 tháng)"]
    lines = comparisons("Đảng viên đã sinh hoạt 6 năm", "thời gian sinh hoạt từ 3 đến 5 năm")
    assert "6 năm (= 72 tháng) (trường hợp hỏi) lớn hơn 5 năm (= 60 tháng) (mức nêu trong điều khoản), tức là không thoả điều kiện “từ 3 đến 5 năm”" in lines


def test_a_reading_that_writes_the_clauses_number_in_digits_is_kept() -> None:
    """The clause says "mười hai tháng", the model "12 tháng": the same figure (issue 41), while "13 tháng" is not."""
    quote = "1.1. Thời hạn dự bị là mười hai tháng, kể từ ngày chi bộ tổ chức lễ kết nạp."
    ground = _ground(quote)
    question = "Đảng viên dự bị được bao lâu thì xét chuyển chính thức?"
    reading, flags = checked_reading(question, [ground], "Như vậy, thời hạn dự bị là 12 tháng kể từ ngày kết nạp.")
    assert not flags and reading.startswith("Như vậy, thời hạn dự bị là 12 tháng")
    reading, flags = checked_reading(question, [ground], "Như vậy, thời hạn dự bị là 13 tháng kể từ ngày kết nạp.")
    assert flags and "“13”" in flags[0] and reading.startswith("Như vậy, điều khoản trên")


def test_a_case_the_comparison_decides_gets_that_verdict_when_the_model_gives_none() -> None:
    """Seen with the local model (C27, C43, C69 of the tune split): the comparison line said "thoả"/"không thoả", the
    model echoed the question or added a figure, and the answer ended undecided."""
    cell = _ground("6.3.2. d) Nơi có từ 3 đảng viên chính thức trở lên thì lập chi bộ sinh hoạt tạm thời.")
    asked = "Có 4 đảng viên chính thức cùng đến học một lớp; có được lập chi bộ sinh hoạt tạm thời không?"
    assert verdict_of(settle(asked, [cell])) == "có" and "“từ 3 đảng viên chính thức trở lên”" in settle(asked, [cell])
    reading, flags = checked_reading(asked, [cell], "Như vậy, có 1–2 đảng viên thì được lập chi bộ.")
    assert flags and verdict_of(reading) == "có" and reading.endswith("[1].")
    young = "Người 61 tuổi có được kết nạp vào Đảng không?"
    assert verdict_of(settle(young, [_ground()])) == "không"
    reading, flags = checked_reading(young, [_ground()], "Như vậy, người 61 tuổi có được kết nạp vào Đảng không?")
    assert verdict_of(reading) == "không" and flags == ["Phần áp dụng của mô hình chỉ nhắc lại câu hỏi nên đã bị bỏ."]
    # no model (extractive): the settled reading instead of "read it yourself"
    reading, flags = checked_reading(young, [_ground()], "")
    assert reading.startswith("Như vậy, theo đối chiếu số liệu") and not flags


def test_a_reading_that_passed_is_never_overruled_by_the_comparison() -> None:
    """The comparison settles whether the bounds are met, not what the rule then says (an exception may apply):
    it only stands in for a reading that was removed or never written."""
    reading, flags = checked_reading("Người 61 tuổi có được kết nạp vào Đảng không?", [_ground()],
                                     "Như vậy, người 61 tuổi vẫn được kết nạp vào Đảng.")
    assert reading.startswith("Như vậy, người 61 tuổi vẫn được kết nạp") and not flags


def test_nothing_is_settled_when_the_numbers_disagree_or_a_negation_turns_the_sign() -> None:
    both = _ground("3.5.1. Người ra khỏi Đảng quá 12 tháng thì làm lại thủ tục; quá 60 tháng thì phải học lại lớp bồi dưỡng.")
    assert settle("Người ra khỏi Đảng được 24 tháng có được kết nạp lại không?", [both]) == ""
    barred = _ground("2.1. Đảng viên bị kỷ luật trong thời hạn 12 tháng thì không được bầu vào cấp ủy.")
    assert settle("Đảng viên bị kỷ luật 8 tháng trước có được bầu vào cấp ủy không?", [barred]) == ""
    assert settle("Người 61 tuổi không được kết nạp phải không?", [_ground()]) == ""
    assert settle("Người 61 tuổi thì thế nào?", [_ground()]) == ""  # no yes/no question, no verdict to settle
    # the bounds say whether the case qualifies, not the sign of another consequence (review of the first cut)
    assert settle("Một người 17 tuổi có bị từ chối kết nạp không?", [_ground()]) == ""
    assert settle("Người vào Đảng phải từ 20 tuổi trở lên đúng không?", [_ground()]) == ""
    # two numbers of the case on two sides of one bound: whose number decides is not arithmetic
    assert settle("Tôi 30 tuổi, mẹ tôi 62 tuổi, tôi có được kết nạp vào Đảng không?", [_ground()]) == ""
    # a quoted bound is the clause's words: "không quá" inside the quotes is no verdict
    assert verdict_of("Như vậy, trường hợp hỏi đủ điều kiện “không quá 60 tuổi” của điểm 1.1.1.") == "có"


def test_each_measure_is_a_condition_of_its_own_and_an_aside_does_not_negate() -> None:
    """Seen with the local model (C43, C69): 150 members meet "trên 100 đảng viên" but 2 years fail "3 năm liên tục trở
    lên"; "dưới 12 tháng" is met by 8 months in a clause whose "(nơi không có đảng ủy cơ sở)" names where it applies."""
    grant = _ground("22.1. Đảng bộ cơ sở có trên 100 đảng viên, 3 năm liên tục trở lên hoàn thành tốt nhiệm vụ thì được ủy quyền.")
    assert verdict_of(settle("Đảng bộ có 150 đảng viên, mới 2 năm liên tục hoàn thành tốt nhiệm vụ; có được ủy quyền không?",
                             [grant])) == "không"
    assert verdict_of(settle("Đảng bộ có 150 đảng viên, 4 năm liên tục hoàn thành tốt nhiệm vụ; có được ủy quyền không?",
                             [grant])) == "có"
    away = _ground("10.3. a) Đảng viên đi làm ăn xa có lý do chính đáng và thời gian dưới 12 tháng thì chi bộ đề nghị đảng ủy "
                   "cơ sở hoặc cấp ủy cấp trên (nơi không có đảng ủy cơ sở) cho đảng viên được tạm miễn sinh hoạt đảng.")
    assert verdict_of(settle("Đảng viên đi làm ăn xa 8 tháng có được tạm miễn sinh hoạt đảng không?", [away])) == "có"
