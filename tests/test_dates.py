from datetime import date

import pytest

from ingest.dates import document_date, find_dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hà Nội, ngày 26 tháng 5 năm 2025", date(2025, 5, 26)),
        ("ngày 12/01/2024, Đảng bộ tổ chức", date(2024, 1, 12)),
        ("tổ chức vào 20/5/2025 tại Hà Nội", date(2025, 5, 20)),
        ("Ngày 20-5-2025", date(2025, 5, 20)),
        ("Ngày 20.5.2025", date(2025, 5, 20)),
        ("Quản trị viên 16/09/2022\nChiều ngày 14.9, Chi bộ tổ chức Đại hội nhiệm kỳ 2022 - 2025", date(2022, 9, 14)),
    ],
)
def test_document_date_forms(text: str, expected: date) -> None:
    assert document_date(text) == expected


def test_date_of_a_referenced_document_is_skipped() -> None:
    text = "Thực hiện Kế hoạch số 60-KH/ĐUHV ngày 13/3/2025 của Đảng ủy, ngày 20/5/2025, Chi bộ tổ chức Đại hội."
    assert document_date(text) == date(2025, 5, 20)


def test_impossible_dates_are_ignored() -> None:
    assert find_dates("tỷ lệ 31/02/2024 và 45/13/2020") == []
    assert document_date("không có ngày nào") is None


def test_an_anniversarys_dates_give_way_to_the_event_of_the_article() -> None:
    """"Nhân kỷ niệm 107 năm Cách mạng Tháng Mười Nga (7/11/1917-7/11/2024), chiều 6/11, Thị ủy … tổ chức Lễ trao
    tặng Huy hiệu Đảng": the article is of 6/11/2024, not of 1917."""
    text = ("Nhân kỷ niệm 107 năm Cách mạng Tháng Mười Nga thành công (7/11/1917-7/11/2024), chiều 6/11, Thị ủy Hương Thủy "
            "tổ chức Lễ trao tặng Huy hiệu Đảng cho các đảng viên.")
    assert document_date(text) == date(2024, 11, 6)
