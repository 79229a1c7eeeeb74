"""OCR of scanned PDF pages, on a real page of QĐ 294 turned into an image-only PDF.

The page's own text layer is the ground truth, so accuracy is checked against
real Vietnamese typography, not against synthetic text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.ocr_bench import char_accuracy, normalize
from ingest import ocr
from ingest.errors import IngestError
from ingest.loaders import load_file
from settings import PROJECT_ROOT
from tests.helpers import write_pdf

REGULATION = PROJECT_ROOT / "corpus" / "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf"
PAGE = 2
PHRASE = "quy định của Ban Chấp hành Trung ương Đảng"  # on page 2, tone marks included

needs_tesseract = pytest.mark.skipif(not ocr.tesseract_available(), reason="tesseract-ocr + tesseract-ocr-vie chưa cài")


@pytest.fixture(scope="module")
def scan():
    """Page 2 rendered at 300 dpi and tilted 0.8°, as a flatbed scan would leave it."""
    from PIL import Image

    _, image = next(ocr.render_pdf_pages(REGULATION, [PAGE], dpi=300))
    return image.rotate(0.8, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


@pytest.fixture(scope="module")
def scanned_pdf(scan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page PDF holding only the image: no text layer at all."""
    path = tmp_path_factory.mktemp("scan") / "qd-294-trang-2-ban-quet.pdf"
    scan.save(path, "PDF", resolution=300)
    return path


def _reference() -> str:
    from pypdf import PdfReader

    return normalize(PdfReader(REGULATION).pages[PAGE - 1].extract_text())


def test_usable_text_rule() -> None:
    assert not ocr.has_usable_text("")
    assert not ocr.has_usable_text("  12  \n")
    assert not ocr.has_usable_text("Trang 2")
    assert not ocr.has_usable_text("\ufffd" * 80 + " chữ" * 20)
    assert not ocr.has_usable_text("■ ● ▲ 1 2 3 4 5 6 7 8 9 0 " * 10 + "abc")
    assert ocr.has_usable_text("Thực hiện theo quy định của Ban Chấp hành Trung ương Đảng về công tác đảng viên.")


def test_lost_acute_is_restored_only_where_spelling_proves_it() -> None:
    assert ocr.restore_stop_tones("câp ủy, kêt quả tôt; CHÂT LƯỢNG") == "cấp ủy, kết quả tốt; CHẤT LƯỢNG"
    assert ocr.restore_stop_tones("tô chức, việc, nước, chat, Internet") == "tô chức, việc, nước, chat, Internet"


def test_skew_of_the_scan_is_detected(scan) -> None:
    assert ocr.detect_skew(scan) == pytest.approx(-0.8, abs=0.15)


@needs_tesseract
def test_ocr_image_reads_a_real_page(scan) -> None:
    text = ocr.ocr_image(scan)
    accuracy = char_accuracy(normalize(text), _reference())
    assert accuracy >= 0.95, f"độ chính xác ký tự {accuracy:.2%}"


@needs_tesseract
def test_loader_ocrs_the_scanned_page(scanned_pdf: Path) -> None:
    loaded = load_file(scanned_pdf)
    assert [page.number for page in loaded.pages] == [1]
    page = loaded.pages[0]
    assert page.ocr
    assert PHRASE in " ".join(page.text.split())


def test_text_pdf_is_not_ocred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("trang có lớp chữ không được OCR")

    monkeypatch.setattr(ocr, "ocr_pdf_pages", refuse)
    loaded = load_file(REGULATION)
    assert loaded.pages[PAGE - 1].text and not any(page.ocr for page in loaded.pages)
    short = load_file(write_pdf(tmp_path / "ngan.pdf", ["Trang 1", "Trang 2"]))  # short text, no image: nothing to OCR
    assert [page.ocr for page in short.pages] == [False, False]


def test_scan_without_tesseract_is_refused_clearly(scanned_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "tesseract_available", lambda: False)
    with pytest.raises(IngestError) as caught:
        load_file(scanned_pdf)
    message = str(caught.value)
    assert scanned_pdf.name in message and "OCR không dùng được" in message


def test_mixed_pdf_without_tesseract_keeps_its_text_pages(
    scanned_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfWriter

    text_page = write_pdf(tmp_path / "chu.pdf", ["Noi dung trang mot co lop chu day du, du dai de doc duoc ma khong can OCR."])
    mixed = tmp_path / "tron.pdf"
    writer = PdfWriter()
    writer.append(str(text_page))
    writer.append(str(scanned_pdf))
    writer.write(mixed)
    monkeypatch.setattr(ocr, "tesseract_available", lambda: False)
    loaded = load_file(mixed)
    assert "lop chu" in loaded.pages[0].text
    assert loaded.pages[1].text == "" and not loaded.pages[1].ocr
