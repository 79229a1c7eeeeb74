"""What the model is sent: whole passages, or only the sentences that bear on the question."""

from chat.context import focused_text
from vectorstore import LexicalIndex

PASSAGE = (
    "Đại hội Chi bộ Phòng Tổ chức được tổ chức trang trọng. "
    "Dự Đại hội có 11/11 đảng viên. "
    "Đại hội đã bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ. "
    "Văn nghệ chào mừng diễn ra sôi nổi. "
    "Đồng chí Trần Văn An được bầu làm Phó Bí thư Chi bộ. "
    "Buổi lễ kết thúc lúc 11 giờ."
)


def test_only_the_sentences_on_the_question_are_kept_in_order(tmp_path) -> None:
    lexical = LexicalIndex(tmp_path / "lexical")
    focused = focused_text("Ai được bầu làm Bí thư và Phó Bí thư Chi bộ?", PASSAGE, lexical, keep=2)
    assert focused == (
        "… Đại hội đã bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ. … "
        "Đồng chí Trần Văn An được bầu làm Phó Bí thư Chi bộ. …"
    )
    assert all(piece.strip() in PASSAGE for piece in focused.split("…") if piece.strip())


def test_whole_passage_when_pruning_is_off_or_it_is_short(tmp_path) -> None:
    lexical = LexicalIndex(tmp_path / "lexical")
    assert focused_text("Ai làm Bí thư?", PASSAGE, lexical, keep=0) == PASSAGE
    assert focused_text("Ai làm Bí thư?", "Một câu. Hai câu.", lexical, keep=3) == "Một câu. Hai câu."
