from pathlib import Path

from ingest import prepare
from ingest.chunking import chunk_text, content_hash

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_chunk_ids_are_stable_across_runs() -> None:
    first = prepare(CORPUS / "000_478b4661439988ba.txt", CORPUS, 900, 150)
    second = prepare(CORPUS / "000_478b4661439988ba.txt", CORPUS, 900, 150)
    assert [c.id for c in first.chunks] == [c.id for c in second.chunks]
    assert len(set(c.id for c in first.chunks)) == len(first.chunks)


def test_changed_content_changes_ids(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Đoạn một.\n\nĐoạn hai.", encoding="utf-8")
    before = prepare(path, tmp_path, 900, 150).chunks[0].id
    path.write_text("Đoạn một.\n\nĐoạn hai đã sửa.", encoding="utf-8")
    assert prepare(path, tmp_path, 900, 150).chunks[0].id != before


def test_chunks_are_verbatim_slices_with_offsets() -> None:
    document = prepare(CORPUS / "hd-06-hd-tw-2025-thi-hanh-dieu-le-dang.pdf", CORPUS, 900, 150)
    for chunk in document.chunks:
        assert document.text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 900


def test_numbered_points_start_chunks_and_label_sections() -> None:
    text = "\n".join(
        ["1. Điều 1: Tuổi đời", "1.1. Về tuổi đời.", "Nội dung " * 60, "2. Điều 3: Quyền của đảng viên", "2.1. Quyền được thông tin.", "Nội dung " * 60]
    )
    chunks = chunk_text(text, [(0, None)], content_hash(text, 700, 0), 700, 0)
    assert any(c.text.startswith("2. Điều 3") for c in chunks)
    assert chunks[-1].section.startswith("2.")


def test_enumerations_mot_la_hai_la_are_boundaries() -> None:
    text = "Phương hướng nhiệm kỳ:\nMột là, " + "tăng cường " * 50 + "\nHai là, " + "đổi mới " * 60
    chunks = chunk_text(text, [(0, None)], content_hash(text, 600, 0), 600, 0)
    assert any(c.text.startswith("Hai là,") for c in chunks)


def test_a_posting_time_or_a_byline_does_not_become_the_section_of_what_follows() -> None:
    text = "\n".join([
        "Hội nghị tổng kết công tác Đảng năm 2023", "09:47 AM 06/08/2013", "13/01/2024",
        "Tin: Nguyễn Phương Nhung; Ảnh: Trần Kim Thơ", "Quản trị viên 16/09/2022 Tin tức - sự kiện", "(UET-News)",
        "Nội dung hội nghị. " * 40,
    ])
    chunks = chunk_text(text, [(0, None)], content_hash(text, 500, 0), 500, 0)
    assert len(chunks) > 1
    assert {c.section for c in chunks} == {"Hội nghị tổng kết công tác Đảng năm 2023"}
