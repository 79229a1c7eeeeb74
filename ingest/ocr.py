"""OCR of PDF pages that carry no usable text layer (scans, photographed documents).

Why this route: Tesseract's LSTM "vie" model (Debian ``tesseract-ocr-vie``) runs
offline on the CPU; ``pypdfium2`` renders the pages (a wheel with PDFium inside,
no Poppler or Ghostscript). We call the ``tesseract`` binary ourselves rather than
through ``pytesseract``: that wrapper hands the process environment to Tesseract
unchanged, and Tesseract must run with ``OMP_THREAD_LIMIT=1`` (measured on 2
shared cores: 2.5 s per page instead of 11 s, its OpenMP threads otherwise spin
against each other). Setting that in ``os.environ`` would also cap torch's
thread pool for the embedding step in the same process.

Measured on real pages of the corpus (``python -m evaluation.ocr_bench``, 300
dpi, pages tilted 0.8° with scan noise): ~99 % character accuracy. What remains
wrong is mostly a tone mark stacked on a circumflex ("tổ" -> "tô"), which no
Tesseract setting or pre-processing fixed; where Vietnamese spelling proves the
mark was lost (a stop-final syllable cannot be toneless) we put it back.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import IngestError

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

TESSERACT_CMD = "tesseract"
TESSERACT_THREADS = 1  # OMP_THREAD_LIMIT for Tesseract; 0 leaves Tesseract's own default
LANGUAGE = "vie"
# OEM 1: the LSTM engine (the only one the Debian "vie" model carries).
# PSM 3: automatic page segmentation, which keeps the reading order of a full
# page with headers, indented items and signatures; PSM 4 read no better, PSM 6
# lost 0.4 points of character and 2.6 of tone-mark accuracy.
TESSERACT_CONFIG = "--oem 1 --psm 3"
PAGE_TIMEOUT_S = 180  # a page that takes longer is pathological; fail instead of hanging ingestion
MAX_SIDE_PX = 8000  # a poster-sized page at 300 dpi would take minutes and gigabytes
MIN_LETTERS = 40
# Straighten, then Otsu: at 300 dpi the best mean and worst page of the options
# measured, and the one that holds up when a scan is skewed 2°.
DEFAULT_PREPROCESS = "deskew+binarize"
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"

_REPLACEMENT = "\ufffd"


class OcrError(RuntimeError):
    """Tesseract failed on one image (non-zero exit or timeout)."""


def has_usable_text(text: str, min_letters: int = MIN_LETTERS) -> bool:
    """Whether a page's text layer is worth keeping as it is, rather than OCRing the page.

    A scan has no text layer, or one holding only a stamped page number; a PDF
    with a broken font map yields replacement characters or symbol soup. Both
    look like: few letters, or letters a minority of the visible characters.
    """
    visible = [char for char in text if not char.isspace()]
    if not visible:
        return False
    letters = sum(char.isalpha() for char in visible)
    broken = sum(char == _REPLACEMENT or unicodedata.category(char) in ("Co", "Cc", "Cs") for char in visible)
    return letters >= min_letters and letters >= 0.5 * len(visible) and broken <= 0.05 * len(visible)


def _run_tesseract(
    arguments: list[str], stdin: bytes | None = None, timeout: float = PAGE_TIMEOUT_S
) -> subprocess.CompletedProcess[bytes]:
    environment = dict(os.environ)
    if TESSERACT_THREADS:
        environment["OMP_THREAD_LIMIT"] = str(TESSERACT_THREADS)
    return subprocess.run(
        [TESSERACT_CMD, *arguments], input=stdin, capture_output=True, timeout=timeout, env=environment, check=False
    )


@functools.lru_cache(maxsize=4)
def _probe(command: str) -> str | None:
    """Why Tesseract cannot OCR Vietnamese here, or None when it can (cached per binary path)."""
    try:
        result = _run_tesseract(["--list-langs"], timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return f"chưa cài chương trình tesseract ('{command}' not found)"
    if result.returncode != 0:
        return f"chương trình tesseract lỗi (exit {result.returncode})"
    languages = {line.strip() for line in result.stdout.decode("utf-8", "replace").splitlines()[1:]}
    if LANGUAGE not in languages:
        return f"thiếu mô hình tiếng Việt '{LANGUAGE}' của Tesseract (language model '{LANGUAGE}' missing)"
    return None


def _unavailable_reason() -> str | None:
    return _probe(TESSERACT_CMD)


def tesseract_available() -> bool:
    """Whether the tesseract binary and its Vietnamese model can be used (checked once per binary)."""
    return _unavailable_reason() is None


def unavailable_message() -> str:
    """The Vietnamese cause an :class:`IngestError` carries when a scan cannot be OCRed."""
    reason = _unavailable_reason() or "Tesseract không dùng được"
    return f"PDF là bản quét, cần OCR nhưng OCR không dùng được: {reason} (OCR unavailable; cài: {INSTALL_HINT})"


def binarize(image: Image.Image) -> Image.Image:
    """Otsu threshold: scan noise and grey background become white, which Tesseract reads faster."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(image.convert("L"))
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(histogram) / histogram.sum()
    mean = np.cumsum(histogram * np.arange(256)) / histogram.sum()
    between = (mean[-1] * weight - mean) ** 2 / (weight * (1.0 - weight) + 1e-12)
    threshold = int(np.argmax(between))
    return Image.fromarray(np.where(pixels > threshold, 255, 0).astype(np.uint8))


def detect_skew(image: Image.Image, max_angle: float = 3.0, step: float = 0.1) -> float:
    """The rotation in degrees (PIL's counter-clockwise sense) that makes text lines horizontal.

    Projection profile: the angle under which the rows of ink vary the most is
    the one where every line of text falls into its own rows. Small angles are
    tried as a shear of the ink pixels' coordinates on a 1000 px copy, which is
    ~100x cheaper than rotating the image for each candidate.
    """
    import math

    import numpy as np
    from PIL import Image

    small = image.convert("L")
    scale = 1000 / max(small.size)
    if scale < 1:
        small = small.resize((round(small.width * scale), round(small.height * scale)), Image.Resampling.BILINEAR)
    ys, xs = np.nonzero(np.asarray(binarize(small)) == 0)
    if len(ys) < 100:  # a blank page has no lines to straighten
        return 0.0
    xs = xs - xs.mean()
    margin = math.ceil(small.width * math.tan(math.radians(max_angle))) + 1

    def score(angle: float) -> float:
        rows = np.rint(ys - xs * math.tan(math.radians(angle))).astype(np.int64) + margin
        return float(np.square(np.diff(np.bincount(rows).astype(np.float64))).sum())

    angles = np.arange(-max_angle, max_angle + step / 2, step)
    return round(float(max(angles, key=score)), 2)


def deskew(image: Image.Image, min_angle: float = 0.2) -> Image.Image:
    """Rotate a skewed scan straight; a page within ``min_angle`` degrees is left as it is."""
    from PIL import Image

    angle = detect_skew(image)
    if abs(angle) < min_angle:
        return image
    gray = image.convert("L")
    return gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


_SYLLABLE = re.compile(r"[^\W\d_]+")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SHAPED = "âăêôơưÂĂÊÔƠƯ"


def _restore_stop_tone(match: re.Match[str]) -> str:
    word = match.group()
    lower = word.lower()
    if len(word) > 7 or not lower.endswith(("p", "t", "c", "ch")) or not any(char in _SHAPED for char in word):
        return word
    decomposed = unicodedata.normalize("NFD", word)
    if any(mark in _TONES for mark in decomposed):
        return word
    last = max(word.rfind(char) for char in _SHAPED)
    return unicodedata.normalize("NFC", word[: last + 1] + "\u0301" + word[last + 1 :])


def restore_stop_tones(text: str) -> str:
    """Put back the acute that Tesseract drops when it is stacked on a circumflex, breve or horn.

    Vietnamese syllables ending in p, t, c or ch carry only the acute or the
    dot-below tone, so "câp", "kêt", "tôt" cannot be words: the mark above was
    lost ("cấp", "kết", "tốt"); the dot below is never lost that way. The tone
    goes on the shaped vowel (the last one: "ươ" -> "ớ", "iê" -> "ế").
    """
    return _SYLLABLE.sub(_restore_stop_tone, text)


def ocr_image(
    image: Image.Image,
    language: str = LANGUAGE,
    *,
    config: str = TESSERACT_CONFIG,
    preprocess: str = DEFAULT_PREPROCESS,
    fix_tones: bool = True,
) -> str:
    """Text of one page image, NFC-normalised like every other text the project stores.

    ``preprocess`` is ``"none"``, ``"binarize"``, ``"deskew"`` or
    ``"deskew+binarize"`` (the benchmark compares them).
    """
    gray = image.convert("L")
    if "deskew" in preprocess:
        gray = deskew(gray)
    if "binarize" in preprocess:
        gray = binarize(gray)
    png = io.BytesIO()
    gray.save(png, format="PNG", compress_level=1)
    try:
        result = _run_tesseract(["stdin", "stdout", "-l", language, *config.split()], stdin=png.getvalue())
    except subprocess.TimeoutExpired as error:
        raise OcrError(f"quá {PAGE_TIMEOUT_S} giây (OCR timeout)") from error
    except OSError as error:
        raise OcrError(f"không chạy được tesseract ({error})") from error
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise OcrError(f"tesseract exit {result.returncode}: {detail[0]}")
    text = unicodedata.normalize("NFC", result.stdout.decode("utf-8", "replace"))
    if fix_tones:
        text = restore_stop_tones(text)
    lines = [line.rstrip() for line in text.replace("\f", "\n").split("\n")]
    return "\n".join(lines).strip()


def render_pdf_pages(path: Path, page_numbers: list[int], dpi: int = 300) -> Iterator[tuple[int, Image.Image]]:
    """Grayscale images of the given 1-based pages, one at a time; other pages are never rendered."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        for number in page_numbers:
            page = document[number - 1]
            try:
                width, height = page.get_size()
                scale = min(dpi / 72, MAX_SIDE_PX / max(width, height, 1))
                bitmap = page.render(scale=scale, grayscale=True)
                image = bitmap.to_pil().convert("L")
                bitmap.close()
            finally:
                page.close()
            yield number, image
    finally:
        document.close()


def ocr_pdf_pages(path: Path, page_numbers: list[int], dpi: int = 300) -> dict[int, str]:
    """OCR only the given 1-based pages of a PDF; failures name the file, in Vietnamese."""
    if not page_numbers:
        return {}
    if not tesseract_available():
        raise IngestError(path, unavailable_message())
    import pypdfium2 as pdfium

    texts: dict[int, str] = {}
    pages = render_pdf_pages(path, page_numbers, dpi)
    try:
        for number, image in pages:
            try:
                texts[number] = ocr_image(image)
            except OcrError as error:
                raise IngestError(path, f"OCR trang {number} thất bại: {error}") from error
            log.info("OCR %s trang %d: %d ký tự", path.name, number, len(texts[number]))
    except (pdfium.PdfiumError, IndexError, OSError, ValueError) as error:
        raise IngestError(path, f"không dựng được ảnh trang để OCR (render failed: {error})") from error
    finally:
        pages.close()
    return texts


def pdf_page_has_images(page: object) -> bool:
    """Whether a pypdf page draws any raster image: a page without one has nothing to OCR.

    This keeps plain text PDFs with short or blank pages away from Tesseract
    (and from needing it at all).
    """
    try:
        return len(page.images) > 0  # type: ignore[attr-defined]
    except Exception:  # a malformed resource dictionary: let OCR try rather than drop the page
        return True
