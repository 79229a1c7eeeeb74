"""Citations into the real regulations carry the clause they quote, as the document numbers it."""

from __future__ import annotations

from pathlib import Path

import pytest

from access import LOCAL_ADMIN
from chat.extractive import ranked_sentences
from chat.sentences import split_sentences
from ingest import prepare
from ingest.clauses import clause_at, clause_phrase
from ingest.docnumbers import names_the_charter
from settings import PROJECT_ROOT

QD_294 = PROJECT_ROOT / "corpus" / "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf"


@pytest.fixture(scope="module")
def documents(corpus_settings):
    """The real PDFs prepared as the index prepared them, by source."""
    prepared = {}
    for path in sorted(Path(corpus_settings.corpus_dir).glob("*.pdf")):
        document = prepare(path, corpus_settings.corpus_dir, corpus_settings.chunk_size, corpus_settings.chunk_overlap)
        prepared[document.source] = document
    return prepared


@pytest.mark.parametrize(
    "question",
    [
        "Theo Quy định 294, chi bộ phải tổ chức lễ kết nạp đảng viên trong thời hạn bao nhiêu ngày làm việc?",
        "Đảng viên dự bị đủ điều kiện được công nhận chính thức vào thời điểm nào khi chi bộ họp chậm?",
        "Hướng dẫn 06 quy định thế nào về thẻ đảng viên?",
    ],
)
def test_every_regulation_citation_carries_the_clause_it_quotes(corpus_services, documents, question: str) -> None:
    answer = corpus_services.acting_as(LOCAL_ADMIN, "test").ask(question)
    cited = [c for c in answer.citations if c.source in documents]
    assert cited, answer.answer
    for citation in cited:
        document = documents[citation.source]
        chunk = next(chunk for chunk in document.chunks if chunk.id == citation.id)
        expected = clause_at(list(document.clauses), chunk.start + citation.start)
        assert expected is not None and citation.clause == expected.label
        # the span opens with the document's own number: "7.1." for a point, "đ)" for lettered point 7.1(đ)
        own = f"{expected.label.split('(')[1][:-1]})" if "(" in expected.label else expected.label
        assert document.text[expected.start :].startswith(own)
        assert clause_phrase(citation.clause) in citation.place and citation.number in citation.place


def test_a_question_naming_a_clause_gets_that_clause_first(corpus_index) -> None:
    for question, label, number in [
        ("điểm 4.3.1 Quy định 294 nói gì?", "4.3.1", "294-QĐ/TW"),
        ("Điểm 4.2.2 QĐ 294-QĐ/TW quy định gì?", "4.2.2", "294-QĐ/TW"),
    ]:
        top = corpus_index.searcher.search(question, 5)[0]
        assert top.meta.number == number
        assert f"\n{label}." in f"\n{top.text}", (question, top.meta.clause, top.text[:200])  # it holds the clause's opening


def test_a_question_naming_the_charter_is_answered_from_the_charter(corpus_index) -> None:
    assert names_the_charter("Theo Điều lệ Đảng, chi bộ có ít nhất bao nhiêu đảng viên?")
    assert names_the_charter("… có đủ số đảng viên tối thiểu của một chi bộ theo Điều lệ không?")
    assert not names_the_charter("Quy định thi hành Điều lệ Đảng nói gì về thẻ đảng viên?")
    question = "Theo Điều lệ Đảng, người được kết nạp phải trải qua thời kỳ dự bị bao lâu?"
    assert corpus_index.searcher.search(question, 5)[0].meta.kind == "charter"


def test_a_provision_title_is_not_quoted_as_its_rule(corpus_index) -> None:
    question = "Cấp ủy cấp tỉnh có tối đa bao lâu để giải quyết khiếu nại về xoá tên đảng viên?"
    hits = corpus_index.searcher.search(question, 6)
    titled = next(hit for hit in hits if hit.meta.clause == "8.2" and hit.text.startswith("8.2. Giải quyết khiếu nại"))
    title = next(s for s in split_sentences(titled.text) if s.text.startswith("Giải quyết khiếu nại về xoá tên đảng viên"))
    assert titled.meta.is_provision_heading(title.start, title.end)  # "8.2. Giải quyết khiếu nại …" then "8.2.1. …"
    rule = next(s for s in split_sentences(titled.text) if s.text.startswith("Trong thời hạn 30 ngày"))
    assert not titled.meta.is_provision_heading(rule.start, rule.end)  # a one-sentence provision followed by its sibling
    best = ranked_sentences(question, hits, corpus_index.lexical)[0]
    assert "Không quá 90 ngày làm việc đối với cấp ủy cấp tỉnh" in best.sentence.text
