"""OCR accuracy and speed on real pages of the corpus, degraded like a scan.

``python -m evaluation.ocr_bench [--pages N] [--output ocr.json]``

Why real pages: the two corpus PDFs (QĐ 294, HD 06) carry a text layer, so
each page is its own ground truth. We render the page, degrade it like a
flatbed scan (a slight rotation with white fill, Gaussian noise with a fixed
seed), OCR it with the same function ingestion uses, and compare with the
page's text layer (pypdf, NFC, whitespace collapsed in both).

Metrics:
- character accuracy = 1 - Levenshtein distance / reference length (floored at 0);
- tone-mark accuracy = share of the reference's words that carry a diacritic
  (any non-ASCII letter: ă â ê ô ơ ư đ or a tone) which OCR reproduced exactly,
  at the same place: the word sequences are aligned (Levenshtein over words) and
  a word counts when it falls in a matching block. Summed over all pages of a dpi;
- seconds per page = rendering + pre-processing + Tesseract, as ingestion pays it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest import ocr
from ingest.normalize import WORD

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DOCUMENTS = (
    "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf",
    "hd-06-hd-tw-2025-thi-hanh-dieu-le-dang.pdf",
)
SKEW_DEGREES = 0.8
NOISE_SIGMA = 10.0
SEED = 294


@dataclass
class PageResult:
    document: str
    page: int
    dpi: int
    reference_chars: int
    char_accuracy: float
    toned_words: int
    toned_words_exact: int
    render_s: float
    ocr_s: float


def spread_pages(total: int, count: int) -> list[int]:
    """``count`` fixed 1-based pages spread evenly through a document (centres of equal slices)."""
    count = max(1, min(count, total))
    return sorted({int((index + 0.5) * total / count) + 1 for index in range(count)})


def normalize(text: str) -> str:
    """NFC with whitespace collapsed: line breaks and spacing are layout, not content."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def char_accuracy(hypothesis: str, reference: str) -> float:
    from rapidfuzz.distance import Levenshtein

    if not reference:
        return 1.0 if not hypothesis else 0.0
    return max(0.0, 1.0 - Levenshtein.distance(hypothesis, reference) / len(reference))


def toned_word_match(hypothesis: str, reference: str) -> tuple[int, int]:
    """(reference words with diacritics, of which OCR got exactly right at the aligned place)."""
    from rapidfuzz.distance import Levenshtein

    reference_words = WORD.findall(reference)
    hypothesis_words = WORD.findall(hypothesis)
    toned = [not word.isascii() for word in reference_words]
    exact = 0
    for block in Levenshtein.opcodes(reference_words, hypothesis_words):
        if block.tag == "equal":
            exact += sum(toned[block.src_start : block.src_end])
    return sum(toned), exact


def confusions(hypothesis: str, reference: str) -> Counter[str]:
    """Character edits "reference→ocr", to see what kind of errors remain."""
    from rapidfuzz.distance import Levenshtein

    counts: Counter[str] = Counter()
    for block in Levenshtein.opcodes(reference, hypothesis):
        if block.tag != "equal":
            counts[f"{reference[block.src_start : block.src_end]}→{hypothesis[block.dest_start : block.dest_end]}"] += 1
    return counts


def degrade(image, seed: int = SEED, degrees: float = SKEW_DEGREES, sigma: float = NOISE_SIGMA):
    """A scanner's look: a slight rotation with white fill and mild Gaussian noise (fixed seed)."""
    import numpy as np
    from PIL import Image

    rotated = image.convert("L").rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    pixels = np.asarray(rotated, dtype=np.float32)
    noisy = pixels + np.random.default_rng(seed).normal(0.0, sigma, pixels.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def reference_text(path: Path, page: int) -> str:
    from pypdf import PdfReader

    return normalize(PdfReader(path).pages[page - 1].extract_text() or "")


def run(
    pages_per_document: int,
    dpis: list[int],
    config: str,
    preprocess: str,
    degraded: bool = True,
    skew: float = SKEW_DEGREES,
    fix_tones: bool = True,
) -> tuple[list[PageResult], Counter[str]]:
    from pypdf import PdfReader

    results: list[PageResult] = []
    errors: Counter[str] = Counter()
    for name in DOCUMENTS:
        path = CORPUS / name
        for page in spread_pages(len(PdfReader(path).pages), pages_per_document):
            reference = reference_text(path, page)
            for dpi in dpis:
                started = time.perf_counter()
                _, image = next(ocr.render_pdf_pages(path, [page], dpi))
                render_s = time.perf_counter() - started
                if degraded:
                    image = degrade(image, seed=SEED + page, degrees=skew)
                started = time.perf_counter()
                text = normalize(ocr.ocr_image(image, config=config, preprocess=preprocess, fix_tones=fix_tones))
                ocr_s = time.perf_counter() - started
                toned, exact = toned_word_match(text, reference)
                errors.update(confusions(text, reference))
                result = PageResult(name, page, dpi, len(reference), char_accuracy(text, reference), toned, exact, render_s, ocr_s)
                results.append(result)
                print(
                    f"  {name[:6]} p.{page:<3} {dpi} dpi: {result.char_accuracy:.2%}, "
                    f"{exact}/{toned} dấu, {render_s + ocr_s:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
    return results, errors


def summarize(results: list[PageResult], dpis: list[int]) -> list[dict[str, float | int]]:
    rows = []
    for dpi in dpis:
        at_dpi = [result for result in results if result.dpi == dpi]
        accuracies = [result.char_accuracy for result in at_dpi]
        toned = sum(result.toned_words for result in at_dpi)
        rows.append(
            {
                "dpi": dpi,
                "pages": len(at_dpi),
                "char_accuracy_mean": statistics.fmean(accuracies),
                "char_accuracy_min": min(accuracies),
                "tone_mark_accuracy": sum(result.toned_words_exact for result in at_dpi) / toned if toned else 1.0,
                "seconds_per_page": statistics.fmean(result.render_s + result.ocr_s for result in at_dpi),
            }
        )
    return rows


def markdown_table(rows: list[dict[str, float | int]]) -> str:
    lines = [
        "| dpi | pages | char accuracy mean | char accuracy min | tone-mark accuracy | s/page |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['dpi']} | {row['pages']} | {row['char_accuracy_mean']:.2%} | {row['char_accuracy_min']:.2%} "
            f"| {row['tone_mark_accuracy']:.2%} | {row['seconds_per_page']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Đo độ chính xác và tốc độ OCR tiếng Việt trên trang thật của corpus.")
    parser.add_argument("--pages", type=int, default=4, help="số trang mỗi tài liệu (rải đều, cố định)")
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 300], help="độ phân giải dựng ảnh")
    parser.add_argument("--config", default=ocr.TESSERACT_CONFIG, help="tham số tesseract (mặc định: như khi nạp)")
    parser.add_argument(
        "--preprocess",
        default=ocr.DEFAULT_PREPROCESS,
        choices=["none", "binarize", "deskew", "deskew+binarize"],
        help="tiền xử lý ảnh trước OCR (mặc định: như khi nạp)",
    )
    parser.add_argument("--clean", action="store_true", help="không làm xấu ảnh (không xoay, không nhiễu)")
    parser.add_argument("--no-fix-tones", action="store_true", help="không khôi phục dấu sắc bị mất (ấ, ế, ố…)")
    parser.add_argument("--skew", type=float, default=SKEW_DEGREES, help="góc xoay khi làm xấu ảnh (độ)")
    parser.add_argument(
        "--threads", type=int, default=ocr.TESSERACT_THREADS, help="OMP_THREAD_LIMIT cho tesseract (0: mặc định của tesseract)"
    )
    parser.add_argument("--output", type=Path, help="ghi kết quả JSON vào tệp này")
    args = parser.parse_args(argv)
    if not ocr.tesseract_available():
        print(f"Lỗi: {ocr.unavailable_message()}", file=sys.stderr)
        return 2
    ocr.TESSERACT_THREADS = args.threads
    results, errors = run(
        args.pages, args.dpi, args.config, args.preprocess, degraded=not args.clean, skew=args.skew, fix_tones=not args.no_fix_tones
    )
    rows = summarize(results, args.dpi)
    print(markdown_table(rows))
    if args.output:
        report = {
            "settings": {
                "documents": list(DOCUMENTS),
                "pages_per_document": args.pages,
                "dpi": args.dpi,
                "tesseract_config": args.config,
                "language": ocr.LANGUAGE,
                "preprocess": args.preprocess,
                "fix_tones": not args.no_fix_tones,
                "degradation": None if args.clean else {"rotation_degrees": args.skew, "noise_sigma": NOISE_SIGMA, "seed": SEED},
                "tesseract_threads": args.threads or "default",
            },
            "summary": rows,
            "pages": [asdict(result) for result in results],
            "top_errors": errors.most_common(25),
        }
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
