import pytest

from ingest.docnumbers import own_number, parse_numbers, query_reference_keys


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
        ("Thực hiện kế hoạch số 21 – KH/ĐU, ngày 18/3/2022", "21-KH/ĐU", "plan"),  # news writes an en dash, spaced
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


def test_loose_references_in_questions() -> None:

    assert query_reference_keys("Quy định 08 nói gì về nêu gương?") == {"8-QĐ"}
    assert query_reference_keys("QĐ 101") == {"101-QĐ"}
    assert query_reference_keys("điểm 3.2 Hướng dẫn 06") == {"6-HD"}
    assert query_reference_keys("Nghị quyết số 21-NQ/TW") == {"21-NQ/TW"}
    assert query_reference_keys("năm 2023 có 25 đảng viên") == set()


def test_abbreviations_expand_to_their_full_form() -> None:
    from settings import Settings
    from vectorstore.abbreviations import Abbreviations

    abbreviations = Abbreviations(Settings().abbreviations_file)
    assert "Đại học Quốc gia Hà Nội" in abbreviations.expand("Đảng bộ ĐHQGHN")
    assert "Ủy ban Kiểm tra" in abbreviations.expand("UBKT Đảng ủy")
    assert abbreviations.expand("chi bộ kết nạp đảng viên") == "chi bộ kết nạp đảng viên"


def test_a_rule_of_so_many_months_names_no_document() -> None:
    """A member's "chi bộ tự quy định 3 tháng mới sinh hoạt một lần" is no "Quy định số 3" the library lacks."""
    assert query_reference_keys("Ở nơi tôi có chi bộ tự quy định 3 tháng mới sinh hoạt một lần") == set()
    assert query_reference_keys("Quy định 08 nói gì?") == {"8-QĐ"}
