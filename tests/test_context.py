"""What the model is sent: whole passages, or only the sentences that best answer the question."""

from chat.context import format_context, reader_case
from vectorstore import LexicalIndex, SearchHit

CONGRESS = (
    "Đại hội Chi bộ Phòng Tổ chức được tổ chức trang trọng. "
    "Dự Đại hội có 11/11 đảng viên. "
    "Đại hội đã bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ. "
    "Văn nghệ chào mừng diễn ra sôi nổi. "
    "Đồng chí Trần Văn An được bầu làm Phó Bí thư Chi bộ. "
    "Buổi lễ kết thúc lúc 11 giờ."
)
SPORTS = "Giải bóng đá công đoàn khai mạc sáng thứ Bảy. Đội Phòng Hành chính giành chức vô địch sau loạt sút luân lưu."
META = {"title": "Tin hoạt động chi bộ", "date": "2025-03-14", "source": "tin.txt", "paragraph": 2, "section": "Đại hội chi bộ"}


def _hits() -> list[SearchHit]:
    return [SearchHit("sports", 1.0, SPORTS, dict(META, section="")), SearchHit("congress", 0.9, CONGRESS, dict(META))]


def test_within_a_budget_the_best_sentences_are_kept_verbatim_in_order_and_a_passage_without_any_is_left_out(tmp_path) -> None:
    lexical = LexicalIndex(tmp_path / "lexical")
    context = format_context("Ai được bầu làm Bí thư và Phó Bí thư Chi bộ?", _hits(), lexical, budget_chars=120)
    assert "[1]" not in context and "bóng đá" not in context  # nothing in it answers: its number stays unused
    assert context.startswith("Văn bản: Tin hoạt động chi bộ (2025-03-14)\n\n[2] — Đại hội chi bộ\n")
    assert (
        "… Đại hội đã bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ. … "
        "Đồng chí Trần Văn An được bầu làm Phó Bí thư Chi bộ. …"
    ) in context
    assert "Văn nghệ" not in context and "11/11" not in context


def test_the_best_sentence_is_kept_even_when_it_alone_is_over_the_budget(tmp_path) -> None:
    lexical = LexicalIndex(tmp_path / "lexical")
    context = format_context("Ai được bầu làm Bí thư Chi bộ?", _hits(), lexical, budget_chars=10)
    assert "Đại hội đã bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ." in context


def test_whole_passages_when_there_is_no_budget(tmp_path) -> None:
    lexical = LexicalIndex(tmp_path / "lexical")
    context = format_context("Ai làm Bí thư?", _hits(), lexical, budget_chars=0)
    assert SPORTS in context and CONGRESS in context and context.index("[1]") < context.index("[2]")
    assert "— Đại hội chi bộ" not in context  # a whole passage carries its own heading


def test_an_excerpt_drops_a_heading_that_only_repeats_the_title(tmp_path) -> None:
    lexical = LexicalIndex(tmp_path / "lexical")
    hits = [SearchHit("congress", 1.0, CONGRESS, dict(META, section="TIN HOẠT ĐỘNG CHI BỘ"))]
    context = format_context("Ai được bầu làm Bí thư Chi bộ?", hits, lexical, budget_chars=120)
    assert context.startswith("Văn bản: Tin hoạt động chi bộ (2025-03-14)\n\n[1]\n")
    assert "TIN HOẠT ĐỘNG" not in context


def test_passages_of_one_document_sit_under_its_title_once_in_rank_order_with_their_numbers(tmp_path) -> None:
    lexical = LexicalIndex(tmp_path / "lexical")
    other = dict(META, title="Quy định số 294-QĐ/TW", date="2025-05-27", source="qd294.pdf", page=12, section="")
    hits = [
        SearchHit("congress", 1.0, CONGRESS, dict(META)),
        SearchHit("rule", 0.9, "Đảng viên được bầu làm Bí thư chi bộ khi đủ điều kiện.", other),
        SearchHit("congress-2", 0.8, "Đồng chí Trần Văn An được bầu làm Phó Bí thư Chi bộ.", dict(META, paragraph=5)),
    ]
    context = format_context("Ai được bầu làm Bí thư Chi bộ?", hits, lexical, budget_chars=0)
    assert context.count("Tin hoạt động chi bộ (2025-03-14)") == 1
    assert context.index("[1]") < context.index("[3]") < context.index("Văn bản: Quy định số 294-QĐ/TW (2025-05-27)") < context.index("[2]")
    assert "đoạn 2" not in context and "trang 12" not in context  # the model cites by number; the app says where


def test_headings_in_capitals_are_title_cased_but_abbreviations_and_passages_are_not(tmp_path) -> None:
    assert reader_case("Quy định số 294-QĐ/TW – THI HÀNH ĐIỀU LỆ ĐẢNG") == "Quy định số 294-QĐ/TW – Thi Hành Điều Lệ Đảng"
    assert reader_case("CHƯƠNG II. UBND TỈNH BẮC NINH, KH&CN") == "Chương II. UBND Tỉnh Bắc Ninh, KH&CN"
    lexical = LexicalIndex(tmp_path / "lexical")
    shouting = "Đại hội đã bầu đồng chí LÊ THỊ MAI làm Bí thư Chi bộ."
    hits = [SearchHit("congress", 1.0, shouting, dict(META, title="TIN HOẠT ĐỘNG CHI BỘ", section="ĐẠI HỘI"))]
    context = format_context("Ai được bầu làm Bí thư Chi bộ?", hits, lexical, budget_chars=400)
    assert context.startswith("Văn bản: Tin Hoạt Động Chi Bộ (2025-03-14)\n\n[1] — Đại Hội\n")
    assert shouting in context  # answers quote passages verbatim
