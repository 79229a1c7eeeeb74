from pathlib import Path

import pytest

from ingest import IngestError, prepare
from ingest.loaders import load_file
from tests.helpers import cp1258_bytes, write_docx, write_encrypted_pdf, write_pdf

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
VIETNAMESE = "Chi bộ Trung tâm tổ chức Đại hội nhiệm kỳ 2025–2027, Uỷ ban Kiểm tra Đảng ủy dự."


def test_txt_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(VIETNAMESE, encoding="utf-8")
    assert load_file(path).pages[0].text == VIETNAMESE


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "cp1258"])
def test_txt_other_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.txt"
    data = cp1258_bytes(VIETNAMESE.replace("–", "-")) if encoding == "cp1258" else VIETNAMESE.encode(encoding)
    path.write_bytes(data)
    document = prepare(path, tmp_path, 900, 150)
    expected = VIETNAMESE.replace("–", "-") if encoding == "cp1258" else VIETNAMESE
    assert document.text == expected


def test_latin1_file_is_read_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "fr.txt"
    path.write_bytes("Résumé de la réunion à Hanoï, café crème.".encode("latin-1"))
    assert "Résumé" in prepare(path, tmp_path, 900, 150).text


def test_markdown(tmp_path: Path) -> None:
    path = tmp_path / "ghi-chu.md"
    path.write_text("# Nghị quyết chi bộ\n\nChi bộ thống nhất kết nạp 02 đảng viên mới.", encoding="utf-8")
    document = prepare(path, tmp_path, 900, 150)
    assert "02 đảng viên" in document.text


def test_html_drops_scripts_and_navigation(tmp_path: Path) -> None:
    path = tmp_path / "tin.html"
    path.write_text(
        "<html><head><title>Trang tin</title><script>var x=1;</script></head><body>"
        "<nav>Trang chủ | Tin tức</nav><h1>Đại hội Chi bộ Văn phòng</h1>"
        "<p>Ngày 20/5/2025, Chi bộ Văn phòng tổ chức Đại hội.</p><footer>Bản quyền</footer></body></html>",
        encoding="utf-8",
    )
    document = prepare(path, tmp_path, 900, 150)
    assert document.meta.title == "Đại hội Chi bộ Văn phòng"
    assert "Chi bộ Văn phòng tổ chức Đại hội" in document.text
    assert "var x" not in document.text and "Trang chủ" not in document.text and "Bản quyền" not in document.text


def test_docx(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "bao-cao.docx", "Báo cáo tổng kết năm 2024", ["Ngày 15/12/2024, Chi bộ họp tổng kết.", "Kết nạp 03 đảng viên."])
    document = prepare(path, tmp_path, 900, 150)
    assert "Kết nạp 03 đảng viên." in document.text
    assert document.meta.title == "Báo cáo tổng kết năm 2024"


def test_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "p.pdf", ["Trang mot: noi dung so 1.", "Trang hai: noi dung so 2.", "Trang ba: noi dung so 3."])
    document = prepare(path, tmp_path, 30, 0)
    pages = {chunk.page for chunk in document.chunks}
    assert pages == {1, 2, 3}
    assert any("Trang hai" in c.text and c.page == 2 for c in document.chunks)


def test_real_regulation_pdf_metadata_and_pages() -> None:
    document = prepare(CORPUS / "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf", CORPUS, 900, 150)
    assert document.meta.number == "294-QĐ/TW"
    assert document.meta.kind == "regulation"
    assert str(document.meta.date) == "2025-05-26"
    assert document.pages == 35
    assert max(c.page for c in document.chunks) == 35
    first = next(c for c in document.chunks if "đủ 18 tuổi đến đủ 60 tuổi" in c.text)
    assert first.page == 1
    assert "người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi (tính theo tháng)" in first.text  # lines unwrapped


@pytest.mark.parametrize(
    ("name", "content", "cause"),
    [
        ("empty.txt", b"", "tệp rỗng"),
        ("blank.txt", b"   \n\n  ", "không có nội dung"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "PDF hỏng"),
        ("not-a-pdf.pdf", b"this is plain text", "PDF hỏng"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "DOCX hỏng"),
        ("image.png", b"\x89PNG\r\n", "không hỗ trợ"),
    ],
)
def test_bad_files_raise_a_clear_error_naming_the_file(tmp_path: Path, name: str, content: bytes, cause: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as caught:
        prepare(path, tmp_path, 900, 150)
    assert name in str(caught.value)
    assert cause in str(caught.value)


def test_encrypted_pdf_is_refused_clearly(tmp_path: Path) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", ["Noi dung mat."])
    path = write_encrypted_pdf(tmp_path / "secret.pdf", plain)
    with pytest.raises(IngestError) as caught:
        prepare(path, tmp_path, 900, 150)
    assert "secret.pdf" in str(caught.value) and "mã hoá" in str(caught.value)


def test_500_page_pdf_is_ingested_with_every_page(tmp_path: Path) -> None:
    pages = [f"Bao cao trang {n}. Chi bo thuc hien nhiem vu so {n} trong nam." for n in range(1, 501)]
    path = write_pdf(tmp_path / "dai.pdf", pages)
    document = prepare(path, tmp_path, 900, 150)
    assert document.pages == 500
    covered = {page for c in document.chunks for page in range(c.page, c.page_end + 1)}
    assert covered == set(range(1, 501))
    last = next(c for c in document.chunks if "nhiem vu so 500 " in c.text)
    assert last.page_end == 500
