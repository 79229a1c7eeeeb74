import pytest

from ingest.docnumbers import own_number, parse_numbers


@pytest.mark.parametrize(
    ("text", "canonical", "kind"),
    [
        ("Kế hoạch số 60-KH/ĐUHV", "60-KH/ĐUHV", "plan"),
        ("Quy định 101-QĐ/TW", "101-QĐ/TW", "regulation"),
        ("Kết luận 01-KL/TW", "01-KL/TW", "conclusion"),
        ("Chỉ thị 05-CT/TW", "05-CT/TW", "directive"),
        ("Nghị quyết số 21-NQ/TW", "21-NQ/TW", "resolution"),
        ("Hướng dẫn 06-HD/TW", "06-HD/TW", "guideline"),
        ("Báo cáo số 12-BC/ĐU", "12-BC/ĐU", "report"),
        ("Thông báo 15-TB/TU", "15-TB/TU", "notice"),
        ("Công văn số 189-CV/ĐU", "189-CV/ĐU", "letter"),
        ("Quy định số 294-QĐ/TW", "294-QĐ/TW", "regulation"),
        ("Nghị quyết 18-NQ/TW", "18-NQ/TW", "resolution"),
        ("Quy định 08-QĐi/TW", None, None),
        ("Kế hoạch 25-KH/ĐUK", "25-KH/ĐUK", "plan"),
        ("Quy định 213-QĐ/TW", "213-QĐ/TW", "regulation"),
        ("Nghị quyết số 35-NQ/TW", "35-NQ/TW", "resolution"),
        ("Hướng dẫn số 01-HD/BTCTW", "01-HD/BTCTW", "guideline"),
        ("Quyết định 29-QĐ/TW", "29-QĐ/TW", "regulation"),
    ],
)
def test_number_forms(text: str, canonical: str | None, kind: str | None) -> None:
    found = parse_numbers(text)
    if canonical is None:
        assert found == []
    else:
        assert found[0].canonical == canonical
        assert found[0].kind == kind


def test_leading_zeros_match() -> None:
    assert parse_numbers("01-KL/TW")[0].key == parse_numbers("1-KL/TW")[0].key


def test_own_number_from_header() -> None:
    head = "BAN CHẤP HÀNH TRUNG ƯƠNG\n*\nSố 294-QĐ/TW Hà Nội, ngày 26 tháng 5 năm 2025"
    assert own_number(head).canonical == "294-QĐ/TW"
