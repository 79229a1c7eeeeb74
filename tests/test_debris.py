from ingest.debris import strip_debris


def test_web_debris_lines_are_removed_and_content_kept() -> None:
    raw = "\n".join(
        [
            "Tiêu đề bài viết",
            "E-mail Print",
            "1 - Copy",
            "Đại hội diễn ra ngày 20/5/2025.",
            "2022-12-27-tong-ket- 2",
            "anh-dai-hoi.jpg",
            "681 Views",
            "09:47 AM 06/08/2013 Lượt xem: 365 In bài viết",
            "___________",
            "Comments are closed.",
            "Nội dung cuối.",
            "Đọc thêm cùng chuyên mục:",
            "Bài khác không liên quan",
        ]
    )
    cleaned = strip_debris(raw)
    for debris in ["E-mail Print", "1 - Copy", "2022-12-27-tong-ket", "anh-dai-hoi.jpg", "681 Views", "Lượt xem", "In bài viết", "___", "Comments are closed", "Đọc thêm", "Bài khác"]:
        assert debris not in cleaned
    for content in ["Tiêu đề bài viết", "Đại hội diễn ra ngày 20/5/2025.", "09:47 AM 06/08/2013", "Nội dung cuối."]:
        assert content in cleaned


def test_tag_footer_is_cut_and_drop_cap_rejoined() -> None:
    raw = "V\nề Lãnh đạo công tác chuyên môn:\nNội dung.\n|\n13/01/2024\nTags:\nđảng bộ\n,\nhội nghị tổng kết\n681 Views"
    cleaned = strip_debris(raw)
    assert cleaned.startswith("Về Lãnh đạo công tác chuyên môn:")
    assert "Tags" not in cleaned and "hội nghị tổng kết" not in cleaned


def test_seed_articles_lose_their_debris(tmp_path) -> None:
    from pathlib import Path

    from ingest import prepare

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    for name in ["000_478b4661439988ba.txt", "001_f76cc4d460d2e965.txt", "004_fec3fcc8a7fceb70.txt"]:
        text = prepare(corpus / name, corpus, 900, 150).text
        assert "- Copy" not in text and "E-mail Print" not in text and "Views" not in text
        assert "2022-12-27-tong-ket" not in text and "Comments are closed" not in text
