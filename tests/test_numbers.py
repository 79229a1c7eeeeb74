"""Numbers as Vietnamese writes them (chat/numbers.py): one reading for every check that compares figures."""

from __future__ import annotations

import pytest

from chat.numbers import (
    LOWER,
    ORDINAL,
    UPPER,
    amounts,
    asked_bounds,
    bound_test,
    counts,
    measure_of,
    number_value,
    same_amount,
    unsupported_amounts,
)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("12", 12),
        ("01", 1),
        ("mười hai", 12),
        ("Mười hai", 12),
        ("mười", 10),
        ("mười một", 11),
        ("mười lăm", 15),
        ("mười tư", 14),
        ("hai mươi", 20),
        ("hai mươi mốt", 21),
        ("ba mươi lăm", 35),
        ("chín mươi chín", 99),
        ("một trăm", 100),
        ("một trăm linh năm", 105),
        ("một trăm lẻ năm", 105),
        ("hai trăm ba mươi", 230),
        ("hai nghìn", 2000),
        ("hai ngàn", 2000),
        ("hai nghìn linh năm", 2005),
        ("mười lăm nghìn", 15000),
        ("một triệu hai trăm nghìn", 1_200_000),
        ("hai triệu rưỡi", 2_500_000),
        ("45,5", 45.5),
        ("1,5", 1.5),
        ("1.500", 1500),
        ("2.000.000", 2_000_000),
        ("2 triệu", 2_000_000),
        ("1,5 triệu", 1_500_000),
        ("2 nghìn", 2000),
        ("một nửa", 0.5),
        ("hai phần ba", 2 / 3),
        ("2/3", 2 / 3),
        ("XI", 11),
        ("XIII", 13),
        ("XIV", 14),
        ("muoi hai", 12),
        ("hai muoi lam", 25),
        ("2 trieu", 2_000_000),
    ],
)
def test_a_numeral_reads_as_its_value(written: str, value: float) -> None:
    assert number_value(written) == pytest.approx(value)


@pytest.mark.parametrize("written", ["", "abc", "đảng viên", "IIV", "13/3/2025", "1.1.1", "trăm"])
def test_what_is_no_numeral_has_no_value(written: str) -> None:
    assert number_value(written) is None


def _read(text: str) -> list[tuple]:
    return [(a.figure, a.low, a.high, a.unit, a.qualifier, a.fraction_of) for a in amounts(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # digits and words, with the unit converted to its measure's base (năm → 12 tháng, tuần → 7 ngày)
        ("thời hạn dự bị là 12 tháng", [("12", 12, 12, "tháng", "", None)]),
        ("thời hạn dự bị là mười hai tháng", [("mười hai", 12, 12, "tháng", "", None)]),
        ("đã được hai mươi mốt ngày", [("hai mươi mốt", 21, 21, "ngày", "", None)]),
        ("ba mươi lăm tuổi", [("ba mươi lăm", 35, 35, "tuổi", "", None)]),
        ("một trăm linh năm người", [("một trăm linh năm", 105, 105, "người", "", None)]),
        ("một trăm lẻ năm đảng viên", [("một trăm lẻ năm", 105, 105, "đảng viên", "", None)]),
        ("hai nghìn lượt", [("hai nghìn", 2000, 2000, "lượt", "", None)]),
        ("hai ngàn người", [("hai ngàn", 2000, 2000, "người", "", None)]),
        ("2 năm", [("2", 24, 24, "năm", "", None)]),
        ("năm năm", [("năm", 60, 60, "năm", "", None)]),
        ("mười năm", [("mười", 120, 120, "năm", "", None)]),
        ("hai mươi năm", [("hai mươi", 240, 240, "năm", "", None)]),
        ("hai mươi lăm năm", [("hai mươi lăm", 300, 300, "năm", "", None)]),
        ("một trăm năm", [("một trăm", 1200, 1200, "năm", "", None)]),
        ("ba tuần", [("ba", 21, 21, "tuần", "", None)]),
        ("2 tuần", [("2", 14, 14, "tuần", "", None)]),
        ("một quý", [("một", 3, 3, "quý", "", None)]),
        ("30 ngày làm việc", [("30", 30, 30, "ngày làm việc", "", None)]),
        ("48 giờ", [("48", 48, 48, "giờ", "", None)]),
        ("2 triệu đồng", [("2 triệu", 2e6, 2e6, "đồng", "", None)]),
        ("1,5 triệu đồng", [("1,5 triệu", 1.5e6, 1.5e6, "đồng", "", None)]),
        ("1.500 người", [("1.500", 1500, 1500, "người", "", None)]),
        ("2.000.000 đồng", [("2.000.000", 2e6, 2e6, "đồng", "", None)]),
        ("11 đồng chí", [("11", 11, 11, "đồng chí", "", None)]),
        ("hai lần", [("hai", 2, 2, "lần", "", None)]),
        ("không quá hai lần", [("hai", 2, 2, "lần", "không quá", None)]),
        # percentages: decimal comma, a space or the words
        ("đạt 45,5%", [("45,5", 45.5, 45.5, "%", "", None)]),
        ("đạt 45,5 %", [("45,5", 45.5, 45.5, "%", "", None)]),
        ("45,5 phần trăm", [("45,5", 45.5, 45.5, "%", "", None)]),
        ("tối đa 10%", [("10", 10, 10, "%", "tối đa", None)]),
        # ranges
        ("từ 01-02 đảng viên", [("01-02", 1, 2, "đảng viên", "", None)]),
        ("15-20%", [("15-20", 15, 20, "%", "", None)]),
        ("15-20% đảng viên/năm", [("15-20", 15, 20, "%", "", None)]),
        ("15%-20%", [("15%-20", 15, 20, "%", "", None)]),
        ("từ 3 đến 5 năm", [("3 đến 5", 36, 60, "năm", "", None)]),
        ("từ 3 năm đến 5 năm", [("3", 36, 60, "năm", "", None)]),
        ("3 – 5", [("3 – 5", 3, 5, "", "", None)]),
        ("hai đến ba lần", [("hai đến ba", 2, 3, "lần", "", None)]),
        ("khoảng 15-20%", [("15-20", 15, 20, "%", "khoảng", None)]),
        # bounded and approximate: the flag is kept, the figure never dropped
        ("hơn 2 triệu lượt", [("2 triệu", 2e6, 2e6, "lượt", "hơn", None)]),
        ("trên 60 tuổi", [("60", 60, 60, "tuổi", "trên", None)]),
        ("gần 300 người", [("300", 300, 300, "người", "gần", None)]),
        ("khoảng 50 đảng viên", [("50", 50, 50, "đảng viên", "khoảng", None)]),
        ("dưới 9 đảng viên", [("9", 9, 9, "đảng viên", "dưới", None)]),
        ("ít nhất là 36 tháng", [("36", 36, 36, "tháng", "ít nhất", None)]),
        ("không quá 12 tháng", [("12", 12, 12, "tháng", "không quá", None)]),
        ("từ 3 đảng viên chính thức trở lên", [("3", 3, 3, "đảng viên", "trở lên", None)]),
        ("từ mười tám tuổi trở lên", [("mười tám", 18, 18, "tuổi", "trở lên", None)]),
        ("đủ 18 tuổi đến đủ 60 tuổi", [("18", 18, 18, "tuổi", "đủ", None), ("60", 60, 60, "tuổi", "đến đủ", None)]),
        ("trong thời hạn 30 ngày làm việc", [("30", 30, 30, "ngày làm việc", "trong thời hạn", None)]),
        # fractions
        ("11/11 đảng viên chính thức", [("11/11", 11, 11, "đảng viên", "", 11)]),
        ("2/3 số đảng viên", [("2/3", 2, 2, "đảng viên", "", 3)]),
        ("hai phần ba số đảng viên", [("hai phần ba", 2, 2, "đảng viên", "", 3)]),
        ("một nửa số thành viên", [("một nửa", 1, 1, "thành viên", "", 2)]),
        # an unknown noun is kept as the unit, as written
        ("12 chi bộ trực thuộc", [("12", 12, 12, "chi bộ", "", None)]),
        ("5 xã và 2 phường", [("5", 5, 5, "xã", "", None), ("2", 2, 2, "phường", "", None)]),
        ("mười hai", [("mười hai", 12, 12, "", "", None)]),
        # typed without diacritics
        ("muoi hai thang", [("muoi hai", 12, 12, "tháng", "", None)]),
        ("hon 2 trieu luot", [("2 trieu", 2e6, 2e6, "lượt", "hơn", None)]),
        ("hai nam", [("hai", 24, 24, "năm", "", None)]),
        ("toi da 10 ngay lam viec", [("10", 10, 10, "ngày làm việc", "tối đa", None)]),
        ("tu 3 den 5 nam", [("3 den 5", 36, 60, "năm", "", None)]),
        ("it nhat 3 dang vien", [("3", 3, 3, "đảng viên", "ít nhất", None)]),
        ("hai muoi lam tuoi", [("hai muoi lam", 25, 25, "tuổi", "", None)]),
        ("sau 3 thang", [("3", 3, 3, "tháng", "", None)]),  # "sau" (after) typed without marks is no "sáu"
        # a count beside a month and a year, and after "tổng số"
        ("mỗi tháng 2 lần", [("2", 2, 2, "lần", "", None)]),
        ("tổng số 30 đảng viên", [("30", 30, 30, "đảng viên", "", None)]),
        ("30 ngày làm việc, 3 tháng, năm 2025", [("30", 30, 30, "ngày làm việc", "", None), ("3", 3, 3, "tháng", "", None)]),
    ],
)
def test_amounts_of_a_text(text: str, expected: list[tuple]) -> None:
    assert _read(text) == [tuple(pytest.approx(x) if isinstance(x, float | int) else x for x in row) for row in expected]


@pytest.mark.parametrize(
    "text",
    [
        "ngày 13/3/2025",
        "13/3/2025",
        "20-5-2025",
        "06.08.2013",
        "ngày 20 tháng 5 năm 2025",
        "ngay 20 thang 5 nam 2025",
        "họp ngày 5/2025",
        "tháng 5/2025",
        "tháng 5 năm 2025",
        "ngày 13/3",
        "13/3",
        "trước ngày 10 của tháng",
        "năm 2025",
        "nhiệm kỳ 2020-2025",
        "Năm 2024, chi bộ kết nạp",
        "Quy định số 294-QĐ/TW",
        "Kế hoạch số 60-KH/ĐUHV",
        "Nghị định 12/2020/NĐ-CP",
        "Điều 5, khoản 2",
        "điểm 1.1.1",
        "trang 4",
        "số 60",
        "lúc 8 giờ",
        "14.9",
        "một số đảng viên",
        "quận Ba Đình",  # a name: "Ba" before a capitalised word counts nothing
        "năm học",
        "Bảy Núi",
        "Chương II",
        "I. Mở đầu",
    ],
)
def test_dates_years_and_numbers_of_documents_are_no_amounts(text: str) -> None:
    assert amounts(text) == []


@pytest.mark.parametrize(
    ("text", "value", "label"),
    [
        ("Đại hội XI của Đảng", 11, "đại hội"),
        ("Ban Chấp hành Trung ương khóa XIII", 13, "khóa"),
        ("Ban Chấp hành Trung ương khoá XIII", 13, "khóa"),
        ("Đại hội đại biểu toàn quốc lần thứ XIV", 14, "lần thứ"),
        ("Đại hội lần thứ 13", 13, "lần thứ"),
        ("lần thứ hai", 2, "lần thứ"),
        ("lần thứ tư", 4, "lần thứ"),
        ("Hội nghị Trung ương 8", 8, "hội nghị trung ương"),
        ("khoa XIII", 13, "khóa"),
    ],
)
def test_roman_and_ordinal_numbers_after_the_words_that_name_a_series(text: str, value: int, label: str) -> None:
    (amount,) = amounts(text)
    assert (amount.low, amount.unit, amount.measure) == (value, label, ORDINAL)


def _one(text: str):
    (amount,) = amounts(text)
    return amount


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("12 tháng", "mười hai tháng", True),
        ("12 tháng", "1 năm", True),
        ("mười hai tháng", "một năm", True),
        ("2 tuần", "14 ngày", True),
        ("45,5%", "45,5 phần trăm", True),
        ("1.500 người", "1500 người", True),
        ("2 triệu lượt", "2.000.000 lượt", True),
        ("hơn 2 triệu lượt", "2 triệu lượt", True),
        ("11/11 đảng viên", "11/11 đảng viên chính thức", True),
        ("2/3 số đảng viên", "hai phần ba số đảng viên", True),
        ("01-02 đảng viên", "1-2 đảng viên", True),
        ("mười hai", "12 tháng", True),
        ("khóa XIII", "Đại hội lần thứ 13", True),
        ("12 tháng", "12 năm", False),
        ("30 ngày", "30 ngày làm việc", False),
        ("12 tháng", "13 tháng", False),
        ("11/11 đảng viên", "11 đảng viên", False),
        ("15-20%", "15%", False),
        ("khóa XIII", "13 tháng", False),
    ],
)
def test_the_same_amount_however_written(a: str, b: str, same: bool) -> None:
    assert same_amount(_one(a), _one(b)) is same
    assert same_amount(_one(b), _one(a)) is same


@pytest.mark.parametrize(
    ("claim", "support", "flagged"),
    [
        ("Thời hạn dự bị là 12 tháng.", "thời hạn dự bị là mười hai tháng", []),
        ("Thời hạn dự bị là 12.", "thời hạn dự bị là mười hai tháng", []),
        ("Thời hạn dự bị là mười hai tháng.", "thời hạn dự bị là 12 tháng", []),
        ("Thời hạn dự bị là 1 năm.", "thời hạn dự bị là 12 tháng", []),
        ("Tỷ lệ đạt 45,5%.", "tỷ lệ đạt 45,5 %", []),
        ("Có 1.500 người.", "có 1500 người", []),
        ("Có hơn 2 triệu lượt.", "có 2.000.000 lượt", []),
        ("Có 11 đảng viên.", "11/11 đảng viên chính thức", []),
        ("Kết nạp 15% đảng viên.", "kết nạp 15-20% đảng viên/năm", []),
        ("Đại hội lần thứ 13.", "Đại hội XIII của Đảng", []),
        ("Ngày 20/5/2025.", "ngày 20 tháng 5 năm 2025", []),
        ("Theo Quy định 294-QĐ/TW.", "Quy định số 294-QĐ/TW", []),
        ("Một đảng viên được giới thiệu.", "đảng viên được giới thiệu", []),
        # a changed figure is still refused
        ("Thời hạn dự bị là 13 tháng.", "thời hạn dự bị là mười hai tháng", ["13"]),
        ("Thời hạn dự bị là mười ba tháng.", "thời hạn dự bị là 12 tháng", ["mười ba"]),
        ("Thời hạn dự bị là 12 năm.", "thời hạn dự bị là 12 tháng", ["12"]),
        ("Trong 30 ngày.", "trong thời hạn 30 ngày làm việc", ["30"]),
        ("Tỷ lệ đạt 45,6%.", "tỷ lệ đạt 45,5 %", ["45,6"]),
        ("Đại hội có 25/25 đảng viên.", "11/11 đảng viên chính thức", ["25/25"]),
        ("Đại hội XIV.", "Đại hội XIII", ["XIV"]),
        ("Theo Quy định 295-QĐ/TW.", "Quy định số 294-QĐ/TW", ["295"]),
        ("Ngày 21/5/2025.", "ngày 20 tháng 5 năm 2025", ["21/5/2025"]),
        ("Năm 2024.", "năm 2025", ["2024"]),
    ],
)
def test_figures_of_a_claim_against_its_support(claim: str, support: str, flagged: list[str]) -> None:
    assert unsupported_amounts(claim, support) == flagged


@pytest.mark.parametrize(
    ("text", "thing", "counted"),
    [
        ("hơn 2 triệu lượt", "lượt người", True),
        ("45,5%", "phần trăm", True),
        ("45,5%", "%", True),
        ("từ 01-02 đảng viên", "đảng viên mới", True),
        ("15-20% đảng viên/năm", "đảng viên", True),
        ("15-20% đảng viên/năm", "phần trăm đảng viên", True),
        ("11/11 đảng viên chính thức", "đảng viên chính thức", True),
        ("60 tháng", "năm", True),
        ("60 tháng", "ngày", False),
        ("45 ngày làm việc", "ngày", False),
        ("12 chi bộ", "chi bộ trực thuộc", True),
        ("12 chi bộ", "đảng viên", False),
        ("11 dang vien", "dang vien", True),
        ("Đại hội XIII", "", False),
        ("12 chi bộ", "", True),
        ("tiến hành hai phiên", "phiên", True),  # a number word before any noun, in accented text
        ("ít nhất hai phần ba số thành viên", "phần số thành viên", True),  # "bao nhiêu phần": a share
        ("ít nhất hai phần ba số thành viên", "đảng viên", False),
        ("cùng 15 đồng chí đảng viên", "đảng viên", True),  # people counted with a classifier
        ("có 604 TCCSĐ hoàn thành tốt nhiệm vụ", "tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ", True),  # an acronym
        ("có 662 trong tổng số 686 tổ chức cơ sở đảng", "tổ chức cơ sở đảng", True),  # a part, in the whole's unit
        ("Có 8 đảng bộ trực thuộc", "đảng bộ trực thuộc", True),  # "đảng" is not the folded "đang"
        ("chủ trì 04 đề tài nghiên cứu", "đề tài nghiên cứu cấp tỉnh", True),
        ("có 12 chi bộ", "cán bộ", False),
    ],
)
def test_a_count_is_of_the_thing_counted(text: str, thing: str, counted: bool) -> None:
    assert counts(_one(text), thing) is counted


@pytest.mark.parametrize(
    ("question", "bounds"),
    [
        ("Thời gian tối đa là bao nhiêu ngày?", {UPPER}),
        ("Chi bộ phải có ít nhất bao nhiêu đảng viên?", {LOWER}),
        ("Tuổi tối thiểu là bao nhiêu?", {LOWER}),
        ("Toi da bao nhieu ngay?", {UPPER}),
        ("Có bao nhiêu đảng viên trên địa bàn?", set()),
    ],
)
def test_the_bound_a_question_asks_for(question: str, bounds: set[str]) -> None:
    assert asked_bounds(question) == bounds


@pytest.mark.parametrize(
    ("provision", "value", "met"),
    [
        ("ít nhất 36 tháng", 36, True),
        ("ít nhất 36 tháng", 24, False),
        ("quá 12 tháng", 12, False),
        ("quá 12 tháng", 14, True),
        ("dưới 9 đảng viên", 9, False),
        ("không quá hai lần", 2, True),
    ],
)
def test_the_bound_a_provision_sets(provision: str, value: float, met: bool) -> None:
    amount = _one(provision)
    test = bound_test(amount)
    assert test is not None and test(value * (amount.low / amount.numbers[0]), amount.low) is met


def test_approximate_and_exact_figures_set_no_bound() -> None:
    assert bound_test(_one("khoảng 30 ngày")) is None
    assert bound_test(_one("30 ngày")) is None


def test_measures_of_units() -> None:
    assert [measure_of(unit) for unit in ("năm", "nam", "tuần", "phần trăm", "ngày làm việc", "chi bộ")] == [
        "tháng", "tháng", "ngày", "%", "ngày làm việc", "chi bộ"]


def test_offsets_point_into_the_text() -> None:
    text = "Mỗi năm chi bộ kết nạp từ 01-02 đảng viên, tức hơn 2 triệu lượt."
    for amount in amounts(text):
        assert text[amount.start : amount.end] == amount.written
    assert [text[slice(*a.phrase)] for a in amounts(text)] == ["từ 01-02 đảng viên", "hơn 2 triệu lượt"]
