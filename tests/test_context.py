"""What the model is sent: whole passages, or only the sentences that best answer the question."""

from chat.context import format_context
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
    assert context.startswith("[2] Tin hoạt động chi bộ (2025-03-14, đoạn 2) — Đại hội chi bộ\n")
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
    assert context.startswith("[1] Tin hoạt động chi bộ (2025-03-14, đoạn 2)\n")
    assert "TIN HOẠT ĐỘNG" not in context
