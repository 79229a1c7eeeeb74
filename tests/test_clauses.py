"""Clause parsing on the real text of Quy định 294-QĐ/TW and Hướng dẫn 06-HD/TW,
as the product prepares it, plus the traps seen there reproduced in small texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest import PreparedDocument, prepare
from ingest.clauses import ClauseSpan, clause_at, clause_query, heading_chain, parse_clauses

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
QD_294 = "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf"
HD_06 = "hd-06-hd-tw-2025-thi-hanh-dieu-le-dang.pdf"


@pytest.fixture(scope="module")
def documents() -> dict[str, PreparedDocument]:
    return {name: prepare(CORPUS / name, CORPUS, 900, 150) for name in (QD_294, HD_06)}


@pytest.fixture(scope="module")
def spans(documents: dict[str, PreparedDocument]) -> dict[str, list[ClauseSpan]]:
    return {name: parse_clauses(document.text) for name, document in documents.items()}


def _number(span: ClauseSpan) -> str:
    """How the clause's own line begins: "20.2.1", "đ)", "Điều 5"."""
    return f"{span.path[-1]})" if span.path[-1].isalpha() else span.path[-1]


def _offset(document: PreparedDocument, sentence: str) -> int:
    """Where a sentence sits in the document, found through the chunk that holds it."""
    chunk = next(chunk for chunk in document.chunks if sentence in chunk.text)
    return chunk.start + chunk.text.index(sentence)


@pytest.mark.parametrize("name", [QD_294, HD_06])
def test_every_clause_starts_with_its_own_number_and_labels_are_unique(
    name: str, documents: dict[str, PreparedDocument], spans: dict[str, list[ClauseSpan]]
) -> None:
    text = documents[name].text
    assert len(spans[name]) > 150
    for span in spans[name]:
        assert text[span.start : span.end].startswith(_number(span)), span
        assert span.heading.startswith(_number(span))
    labels = [span.label for span in spans[name]]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("name", [QD_294, HD_06])
def test_spans_are_ordered_and_do_not_overlap(name: str, spans: dict[str, list[ClauseSpan]]) -> None:
    for before, after in zip(spans[name], spans[name][1:], strict=False):
        assert before.start < before.end <= after.start


@pytest.mark.parametrize(("name", "last"), [(QD_294, 33), (HD_06, 19)])
def test_top_level_points_run_without_gaps(name: str, last: int, spans: dict[str, list[ClauseSpan]]) -> None:
    assert [span.label for span in spans[name] if len(span.path) == 1] == [str(n) for n in range(1, last + 1)]


@pytest.mark.parametrize(
    ("name", "sentence", "label"),
    [
        (QD_294, "có từ 3 đảng viên chính thức trở lên thì lập tổ chức đảng", "20.2.1"),
        (QD_294, "người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi", "1.1.1"),
        (QD_294, "Ít nhất là 36 tháng kể từ khi ra khỏi Đảng", "3.5.1(b)"),
        (QD_294, "Ban thường vụ đảng ủy mỗi tháng họp một lần", "10.6.2(d)"),
        (QD_294, "Việc thí điểm giao quyền cấp trên cơ sở cho đảng ủy cơ sở mà cấp trên", "10.6.2(đ)"),
        (QD_294, "Các tổ chức cơ sở đảng lớn (có đông đảng viên", "10.4.3"),  # "10.4.3" has no trailing dot
        (QD_294, "Chi bộ có dưới 9 đảng viên chính thức bầu bí thư", "23.2"),  # after the wrapped "7 chi ủy viên."
        (QD_294, "sau 6 tháng (đối với kỷ luật khiển trách)", "28.3.1(c)"),
        (QD_294, "e) Thực hiện chế độ, chính sách cán bộ.", "29.1.2(e)"),
        (QD_294, "g) Kiểm tra, giám sát công tác cán bộ", "29.1.2(g)"),  # no "f" in Vietnamese
        (HD_06, "Người vào Đảng đang ở ngoài nước thì đối chiếu", "3.4(c)"),
        (HD_06, "Định kỳ 6 tháng phải đối chiếu danh sách đảng viên", "8.2(h)"),
        (HD_06, "đảng bộ có trên 1.000 đảng viên bố trí tối thiểu 10 cán bộ", "17.3"),  # after the wrapped "1.000 …"
        (HD_06, "trong thời gian từ 3 tháng đến dưới 12 tháng", "10.2.2(a)"),
        (HD_06, "Thí điểm thực hiện nhiệm kỳ của chi bộ (không phải chi bộ cơ sở) là 5 năm", "13.4"),
        (HD_06, "Đại hội đảng bộ có thể tiến hành hai phiên", "15"),
    ],
)
def test_a_sentence_in_a_chunk_maps_to_the_clause_the_document_numbers_it_under(
    name: str, sentence: str, label: str, documents: dict[str, PreparedDocument], spans: dict[str, list[ClauseSpan]]
) -> None:
    span = clause_at(spans[name], _offset(documents[name], sentence))
    assert span is not None and span.label == label
    own_line = f"{label[-2]})" if label.endswith(")") else label  # "3.5.1(b)" begins "b)"
    assert documents[name].text[span.start : span.end].startswith(own_line)


@pytest.mark.parametrize(
    ("name", "reference", "label"),
    [
        (QD_294, "theo Tiết a, Điểm 10.6.2 của Quy định này", "18.1.4"),
        (QD_294, "theo quy định tại Mục 2.1 nếu", "7.2.1"),
        (QD_294, "quy định tại Tiểu mục 10.1 do cấp ủy", "10.4.1"),
        (HD_06, "theo Điểm 3.6 và 3.7, Mục 3 của Hướng dẫn này", "4.5(a)"),
        (HD_06, "theo Tiết a, Tiểu mục 10.2.1 của Hướng dẫn này", "10.3(a)"),
        (HD_06, "hướng dẫn tại Điểm 4.6, Mục 4 của Hướng dẫn này", "11.1(b)"),
    ],
)
def test_references_inside_sentences_do_not_start_clauses(
    name: str, reference: str, label: str, documents: dict[str, PreparedDocument], spans: dict[str, list[ClauseSpan]]
) -> None:
    offset = documents[name].text.index(reference)
    span = clause_at(spans[name], offset)
    assert span is not None and span.label == label
    assert not any(offset <= other.start < offset + len(reference) for other in spans[name])


@pytest.mark.parametrize(
    ("name", "wrapped_line", "label"),
    [
        (QD_294, "90 ngày làm việc đối với cấp Trung ương", "2.3"),
        (QD_294, "Điều 3 Điều lệ Đảng; ở nơi sinh hoạt tạm thời", "6.3.2(b)"),
        (QD_294, "1 đơn vị sự nghiệp (trung tâm chính trị).", "18.1.1"),
        (QD_294, "7 chi ủy viên. Chi bộ trực tiếp bầu chi ủy trước", "23.2"),
        (HD_06, "1.000 đảng viên, số cán bộ chuyên trách", "17.3"),
        (HD_06, "24 tháng so với thời gian quy định.", "18.1"),
        (HD_06, "2/9; 7/11 và các dịp kỷ niệm", "18.4"),
    ],
)
def test_lines_a_pdf_wrapped_at_a_number_stay_in_their_clause(
    name: str, wrapped_line: str, label: str, documents: dict[str, PreparedDocument], spans: dict[str, list[ClauseSpan]]
) -> None:
    text = documents[name].text
    offset = text.index(wrapped_line)
    span = clause_at(spans[name], offset)
    assert span is not None and span.label == label and span.start < offset
    if re.match(r"\d+(?:\.000)* ", wrapped_line):
        # a bare number opens no numbered item ("7 chi ủy viên"): the wrapped line rejoins its sentence
        assert text[offset - 1] == " ", text[offset - 40 : offset + 20]


def test_text_before_the_first_clause_and_the_distribution_list_get_none(
    documents: dict[str, PreparedDocument], spans: dict[str, list[ClauseSpan]]
) -> None:
    text = documents[QD_294].text
    assert clause_at(spans[QD_294], text.index("QUY ĐỊNH THI HÀNH ĐIỀU LỆ ĐẢNG")) is None
    assert clause_at(spans[QD_294], text.index("Nơi nhận")) is None
    assert spans[QD_294][-1].label == "33"


def test_heading_chain_gives_the_ancestors_outermost_first(spans: dict[str, list[ClauseSpan]]) -> None:
    by_label = {span.label: span for span in spans[QD_294]}
    assert heading_chain(spans[QD_294], by_label["3.2.1"]) == [
        "3. Điều 4: Giới thiệu và kết nạp người vào Đảng",
        "3.2. (Khoản 2): Đảng viên giới thiệu người vào Đảng.",
    ]
    chain = heading_chain(spans[QD_294], by_label["10.6.2(đ)"])
    assert [heading.split(" ")[0] for heading in chain] == ["10.", "10.6.", "10.6.2."]
    assert heading_chain(spans[QD_294], by_label["20"]) == []


def test_long_headings_are_trimmed_at_a_word(spans: dict[str, list[ClauseSpan]]) -> None:
    span = next(span for span in spans[QD_294] if span.label == "20.2.1")
    assert span.heading.startswith("20.2.1. Ở cơ quan, doanh nghiệp") and span.heading.endswith("…")
    assert len(span.heading) <= 121


SMALL_REGULATION = """QUY ĐỊNH
Căn cứ điểm 3.2 Quy định số 1-QĐ/TW,
1. Về tổ chức
1.1. Chi bộ có từ 3 đảng viên chính thức trở lên, theo
3.2. của văn bản khác, không phải điểm mới.
1.2. Nhiệm vụ:
a) Thứ nhất;
c) Thứ ba (bỏ sót b);
g) Không theo thứ tự.
12
2. Về đảng viên
5. Số nhảy quá xa
2.1 Không có dấu chấm cuối
Nơi nhận:
- Lưu
"""


def test_only_plausible_line_initial_numbers_start_clauses() -> None:
    spans = parse_clauses(SMALL_REGULATION)
    assert [span.label for span in spans] == ["1", "1.1", "1.2", "1.2(a)", "1.2(c)", "2", "2.1"]
    text_of = {span.label: SMALL_REGULATION[span.start : span.end] for span in spans}
    assert "3.2. của văn bản khác" in text_of["1.1"]
    assert "g) Không theo thứ tự." in text_of["1.2(c)"] and "\n12\n" in text_of["1.2(c)"]
    assert "5. Số nhảy quá xa" in text_of["2"]
    assert text_of["2.1"].rstrip().endswith("Không có dấu chấm cuối")
    assert clause_at(spans, SMALL_REGULATION.index("Căn cứ")) is None


CHARTER_STYLE = """ĐIỀU LỆ
Chương I
ĐẢNG VIÊN
Điều 1.
1. Đảng viên là chiến sĩ cách mạng.
2. Công dân Việt Nam từ mười tám tuổi trở lên.
Điều 2.
Đảng viên có nhiệm vụ:
1. Trung thành với mục đích lý tưởng của Đảng,
Điều 3 Điều lệ Đảng; một dòng bị ngắt.
a) Điểm thứ nhất.
b) Điểm thứ hai.
Chương II
NGUYÊN TẮC TỔ CHỨC
Điều 3. Nguyên tắc tập trung dân chủ.
1. Khoản một của Điều 3.
"""


def test_article_documents_restart_khoan_under_each_article() -> None:
    spans = parse_clauses(CHARTER_STYLE)
    assert [span.label for span in spans] == [
        "Chương I",
        "Điều 1",
        "Điều 1, khoản 1",
        "Điều 1, khoản 2",
        "Điều 2",
        "Điều 2, khoản 1",
        "Điều 2, khoản 1, điểm a",
        "Điều 2, khoản 1, điểm b",
        "Chương II",
        "Điều 3",
        "Điều 3, khoản 1",
    ]
    by_label = {span.label: span for span in spans}
    assert by_label["Chương I"].heading == "Chương I ĐẢNG VIÊN"
    assert by_label["Điều 2, khoản 1, điểm a"].path == ("Chương I", "Điều 2", "1", "a")
    assert heading_chain(spans, by_label["Điều 3, khoản 1"]) == [
        "Chương II NGUYÊN TẮC TỔ CHỨC",
        "Điều 3. Nguyên tắc tập trung dân chủ.",
    ]
    assert "Điều 3 Điều lệ Đảng" in CHARTER_STYLE[by_label["Điều 2, khoản 1"].start : by_label["Điều 2, khoản 1"].end]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("điểm 20.2 Quy định 294 nói gì?", ("20.2", "294")),
        ("Điểm 20.2.1 của Quy định số 294-QĐ/TW quy định thế nào?", ("20.2.1", "294")),
        ("khoản 2 Điều 5 Điều lệ", ("Điều 5, khoản 2", None)),
        ("Điều 5, khoản 2, điểm a Điều lệ Đảng", ("Điều 5, khoản 2, điểm a", None)),
        ("điểm a khoản 2 Điều 5", ("Điều 5, khoản 2, điểm a", None)),
        ("tiết a điểm 3.2.1", ("3.2.1(a)", None)),
        ("tiết đ của điểm 10.6.2 QĐ 294", ("10.6.2(đ)", "294")),
        ("Điểm 10.6.2(đ) Quy định 294 cho phép gì?", ("10.6.2(đ)", "294")),
        ("điểm 3.2.1, tiết b Hướng dẫn 06", ("3.2.1(b)", "06")),
        ("Tiểu mục 10.2.1 Hướng dẫn số 06-HD/TW", ("10.2.1", "06")),
        ("Mục 3 của HD 06 gồm những gì?", ("3", "06")),
        ("diem 4.2.1 quy dinh 294", ("4.2.1", "294")),
        ("Nội dung 3.5.1 trong Quy định 294.", ("3.5.1", "294")),
    ],
)
def test_clause_query_recognises_the_clause_and_document_named(question: str, expected: tuple[str, str | None]) -> None:
    assert clause_query(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Người vào Đảng phải đủ bao nhiêu tuổi?",
        "Quy định 294 có hiệu lực từ ngày 01/7/2025 phải không?",
        "Đại hội chi bộ diễn ra ngày 14.9 và ngày 26.5.2025 có gì?",
        "Đảng bộ có trên 1.000 đảng viên bố trí bao nhiêu cán bộ?",
    ],
)
def test_clause_query_finds_nothing_where_no_clause_is_named(question: str) -> None:
    assert clause_query(question) is None


def test_a_named_clause_is_found_among_the_parsed_labels(spans: dict[str, list[ClauseSpan]]) -> None:
    named = clause_query("tiết đ điểm 10.6.2 Quy định 294 nói gì?")
    assert named is not None
    span = next(span for span in spans[QD_294] if span.label == named[0])
    assert span.heading.startswith("đ) Việc thí điểm giao quyền cấp trên cơ sở")


def test_clause_labels_exist_only_where_the_document_has_them(spans: dict[str, list[ClauseSpan]]) -> None:
    labels = {span.label for span in spans[HD_06]}
    assert {"3.4(đ)", "10.2.1", "19.1(g)"} <= labels
    assert "20" not in labels and "10.2.3" not in labels
    assert not any(label.startswith("Điều") for label in {span.label for span in spans[QD_294]})


def test_clause_at_outside_any_clause_is_none() -> None:
    assert clause_at([], 10) is None
    spans = parse_clauses("Mở đầu.\n1. Một.\n2. Hai.")
    assert clause_at(spans, 0) is None
    assert clause_at(spans, len("Mở đầu.\n1. Mộ")).label == "1"
    assert clause_at(spans, 10_000) is None
