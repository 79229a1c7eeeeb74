"""One loader per file format; each returns the document's pages of raw text.

Loaders only read. Cleaning, metadata and chunking happen later, the same way
for every format. A file that cannot be read raises :class:`IngestError` with
the cause in Vietnamese (English in brackets for the log reader).
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest import ocr
from ingest.encoding import detect_and_decode
from ingest.errors import IngestError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Page:
    """A page of a paginated source (PDF), or the whole text with ``number=None``.

    ``ocr`` marks text read by OCR from a scanned page: it may hold recognition
    errors, so it is not a verbatim copy of the source the way a text layer is.
    """

    number: int | None
    text: str
    ocr: bool = False


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    pages: list[Page]
    encoding: str = ""
    title_hint: str = ""  # a title the format itself carries (HTML <title>, DOCX core props)


_PAGE_NUMBER_LINE = re.compile(r"^\s*(?:-\s*)?\d{1,4}(?:\s*-)?\s*$")
_ENUMERATION_START = re.compile(
    r"^\s*(?:[1-9]\d{0,2}(?:\.[1-9]\d{0,2})+\.?\s|\d+\.\s|[a-zđ]\)\s|[-–+•*]\s|Điều\s+\d+|Chương\s+[IVXLC\d]+|Mục\s+\d+|"
    r"(?:Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười)\s+là[,:])"
)
_SENTENCE_END = re.compile(r"[.:;!?…)\"”]$")


def _read_text(path: Path) -> LoadedFile:
    data = path.read_bytes()
    try:
        text, encoding = detect_and_decode(data)
    except UnicodeDecodeError as error:
        raise IngestError(path, f"không giải mã được văn bản (undecodable text: {error.reason})") from error
    return LoadedFile(path, [Page(None, text)], encoding)


def _read_html(path: Path) -> LoadedFile:
    from bs4 import BeautifulSoup

    decoded = _read_text(path)
    soup = BeautifulSoup(decoded.pages[0].text, "lxml")
    for tag in soup(["script", "style", "nav", "footer", "header", "aside", "form", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    heading = soup.find("h1")
    body = soup.body or soup
    text = body.get_text("\n", strip=True)
    return LoadedFile(path, [Page(None, text)], decoded.encoding, heading.get_text(" ", strip=True) if heading else title)


def _is_heading(line: str) -> bool:
    """An upper-case line of two words or more ("QUY ĐỊNH"), not a stray "XIII;"."""
    return len(line.split()) >= 2 and line.isupper()


def _unwrap_pdf_lines(text: str) -> str:
    """Join the hard-wrapped lines of a PDF page back into paragraphs.

    A line continues the one before it when that one ran to (nearly) the full
    width of the page, or when it starts in lower case, and it opens no numbered
    item, list item or upper-case heading. A short line ("1.1. Về tuổi đời") ends
    its paragraph even without a full stop.
    """
    lines = [line.strip() for line in text.split("\n")]
    while lines and (not lines[0] or _PAGE_NUMBER_LINE.match(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1] or _PAGE_NUMBER_LINE.match(lines[-1])):
        lines.pop()
    full_width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    previous_line = ""
    for line in lines:
        if not line:
            continue
        ran_full_width = len(previous_line) >= 0.75 * full_width
        continues = (
            paragraphs
            and not _SENTENCE_END.search(previous_line)
            and (ran_full_width or line[0].islower())
            and not _is_heading(previous_line)
            and not _is_heading(line)
            and not _ENUMERATION_START.match(line)
        )
        if continues:
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
        previous_line = line
    return "\n".join(paragraphs)


@dataclass(frozen=True)
class ReadLimits:
    """How much of one PDF ingestion reads (settings ``max_pdf_pages``, ``max_ocr_pages``): the ingest worker is one,
    and a 2,000-page scan would hold it for well over an hour."""

    pdf_pages: int
    ocr_pages: int


def _read_pdf(path: Path, limits: ReadLimits | None = None) -> LoadedFile:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "PDF được mã hoá bằng mật khẩu (encrypted PDF)")
        if limits and len(reader.pages) > limits.pdf_pages:
            raise IngestError(path, f"PDF có {len(reader.pages)} trang, vượt giới hạn {limits.pdf_pages} trang (RAG_MAX_PDF_PAGES)")
        pages = [Page(index + 1, _unwrap_pdf_lines(page.extract_text() or "")) for index, page in enumerate(reader.pages)]
        scanned = [
            page.number
            for page, pdf_page in zip(pages, reader.pages, strict=True)
            if page.number is not None and not ocr.has_usable_text(page.text) and ocr.pdf_page_has_images(pdf_page)
        ]
    except IngestError:
        raise
    except FileNotDecryptedError as error:
        raise IngestError(path, "PDF được mã hoá bằng mật khẩu (encrypted PDF)") from error
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise IngestError(path, f"PDF hỏng hoặc không đọc được (corrupt PDF: {error})") from error
    if limits and len(scanned) > limits.ocr_pages:
        raise IngestError(
            path, f"PDF có {len(scanned)} trang quét cần nhận dạng OCR, vượt giới hạn {limits.ocr_pages} trang (RAG_MAX_OCR_PAGES)"
        )
    if scanned:
        pages = _add_ocr_text(path, pages, scanned)
    if not any(page.text.strip() for page in pages):
        if scanned:
            raise IngestError(path, "PDF không có lớp chữ và OCR không đọc được chữ nào (no text layer, OCR found no text)")
        raise IngestError(path, "PDF không có lớp chữ, có thể là bản quét (no text layer; scanned?)")
    title = (reader.metadata.title or "") if reader.metadata else ""
    return LoadedFile(path, pages, "pdf", title)


def _add_ocr_text(path: Path, pages: list[Page], scanned: list[int]) -> list[Page]:
    """Replace the text of the scanned pages by what OCR reads on them.

    Without Tesseract a fully scanned PDF fails (IngestError from ``ocr``), but a
    PDF that is readable apart from some image pages keeps its text pages, with
    a warning, rather than losing the whole document. OCR text is kept only when
    it reads as text: the page's own layer wins over OCR noise.
    """
    if not ocr.tesseract_available() and any(ocr.has_usable_text(page.text) for page in pages):
        log.warning("%s: bỏ qua OCR trang %s: %s", path, scanned, ocr.unavailable_message())
        return pages
    texts = ocr.ocr_pdf_pages(path, scanned)
    result = []
    for page in pages:
        text = _unwrap_pdf_lines(texts.get(page.number, ""))
        readable = ocr.has_usable_text(text) or (not page.text.strip() and ocr.has_usable_text(text, min_letters=1))
        result.append(Page(page.number, text, ocr=True) if readable else page)
    return result


def _read_docx(path: Path) -> LoadedFile:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise IngestError(path, f"tệp DOCX hỏng hoặc không đọc được (corrupt DOCX: {error})") from error
    blocks = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" | ".join(cell.text.strip() for cell in row.cells))
    return LoadedFile(path, [Page(None, "\n\n".join(blocks))], "docx", document.core_properties.title or "")


LOADERS: dict[str, Callable[[Path], LoadedFile]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}


def load_file(path: Path, limits: ReadLimits | None = None) -> LoadedFile:
    """Read one file by its extension, a PDF within ``limits`` (none: the whole file); every failure names the file
    and the cause."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = ", ".join(sorted(LOADERS))
        raise IngestError(path, f"định dạng không hỗ trợ '{path.suffix}' (unsupported; dùng {supported})")
    if not path.is_file():
        raise IngestError(path, "không tìm thấy tệp (file not found)")
    if path.stat().st_size == 0:
        raise IngestError(path, "tệp rỗng (empty file)")
    loaded = _read_pdf(path, limits) if loader is _read_pdf else loader(path)
    if not any(page.text.strip() for page in loaded.pages):
        raise IngestError(path, "tệp không có nội dung văn bản (no text)")
    return loaded
