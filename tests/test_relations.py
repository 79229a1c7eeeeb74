"""Relations between documents, read from their own words, and answers that follow the text in force."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from access import LOCAL_ADMIN
from chat.validity import superseded_notes
from ingest import prepare
from ingest.dates import reference_dates
from ingest.docnumbers import from_key
from ingest.relations import Relation, find_relations, in_force_from
from settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"


def test_relations_and_dates_in_force_come_from_the_real_documents() -> None:
    guide = prepare(CORPUS / "hd-06-hd-tw-2025-thi-hanh-dieu-le-dang.pdf", CORPUS, 900, 150)
    assert [(r.verb, r.target) for r in guide.relations] == [("thay thế", "01-HD/TW")]
    assert "thay thế Hướng dẫn số 01-HD/TW" in guide.relations[0].sentence
    assert guide.in_force == date(2025, 6, 9)  # "có hiệu lực thi hành kể từ ngày ký"
    regulation = prepare(CORPUS / "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf", CORPUS, 900, 150)
    assert regulation.in_force == date(2025, 7, 1)
    # it names no text it replaces, but repeals the earlier regulations of its series that conflict with it
    assert [(r.verb, r.target) for r in regulation.relations] == [("bãi bỏ", "*-QĐ/TW")]
    assert regulation.relations[0].sentence == "Các quy định trước đây trái với nội dung Quy định này đều bãi bỏ."
    for seed in sorted(CORPUS.glob("*.txt")):
        assert prepare(seed, CORPUS, 900, 150).relations == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quy định này thay thế Quy định số 24-QĐ/TW, ngày 29/7/2021 của Ban Chấp hành Trung ương.", [("thay thế", "24-QĐ/TW")]),
        ("Bãi bỏ Hướng dẫn số 12-HD/BTCTW ngày 18/01/2022.", [("bãi bỏ", "12-HD/BTCTW")]),
        ("Quyết định sửa đổi, bổ sung Quy định 105-QĐ/TW về phân cấp quản lý cán bộ.", [("sửa đổi, bổ sung", "105-QĐ/TW")]),
        ("Cấp ủy nơi có đại biểu chuyển đi không cử đại biểu dự khuyết thay thế; theo Quy định 24-QĐ/TW.", []),
        ("Những hướng dẫn trước đây trái với Hướng dẫn này đều bị bãi bỏ.", [("bãi bỏ", "*-HD/BTCTW")]),
        ("Các văn bản trước đây trái với Quy định này hết hiệu lực.", [("bãi bỏ", "*-QĐ/BTCTW")]),
        ("Các ý kiến trước đây trái với nhận định này cần được xem lại.", []),
    ],
)
def test_relation_sentences(text: str, expected: list[tuple[str, str]]) -> None:
    own = "5-HD/BTCTW" if "hướng dẫn" in text else "5-QĐ/BTCTW"
    assert [(r.verb, r.target) for r in find_relations(text, own)] == expected
    assert all(Relation.decode(r.encode()).target == r.target for r in find_relations(text, own))


def test_a_general_repeal_covers_its_own_series_only() -> None:
    (repeal,) = find_relations("Các quy định trước đây trái với nội dung Quy định này đều bãi bỏ.", "294-QĐ/TW")
    assert repeal.is_general and "…-QĐ/TW" in repeal.phrase
    assert repeal.covers(from_key("24-QĐ/TW")) and repeal.covers(from_key("24-QĐ"))  # "Quy định 24" names no issuer
    assert not repeal.covers(from_key("1-HD/TW")) and not repeal.covers(from_key("24-QĐ/BTCTW"))
    assert not find_relations("Các quy định trước đây trái với nội dung Quy định này đều bãi bỏ.")  # no own number: no series


def test_the_date_a_question_gives_a_document() -> None:
    dates = reference_dates("Theo Quy định 24-QĐ/TW, ngày 30/7/2021 và Hướng dẫn số 01-HD/TW ngày 28 tháng 9 năm 2021; Kế hoạch 5-KH/TW.")
    assert dates == {"24-QĐ/TW": date(2021, 7, 30), "1-HD/TW": date(2021, 9, 28)}


def test_in_force_forms() -> None:
    assert in_force_from("Quy định này có hiệu lực thi hành từ ngày 01/7/2025.", None) == date(2025, 7, 1)
    assert in_force_from("Hướng dẫn có hiệu lực kể từ ngày ký.", date(2025, 6, 9)) == date(2025, 6, 9)
    assert in_force_from("Không nói gì về hiệu lực thi hành.", None) is None


def test_a_question_quoting_the_replaced_guide_is_answered_from_its_replacement(corpus_services) -> None:
    member = corpus_services.acting_as(LOCAL_ADMIN, "test")
    answer = member.ask("Theo Hướng dẫn 01-HD/TW, việc kiểm tra kỹ thuật thẻ đảng viên thực hiện theo hướng dẫn của cơ quan nào?")
    assert not answer.refused, answer.answer
    assert answer.citations and all(c.number == "06-HD/TW" for c in answer.citations[:1])
    assert any("01-HD/TW" in flag and "thay thế" in flag and "06-HD/TW" in flag for flag in answer.flags)


def test_a_question_quoting_the_regulation_294_repealed_is_answered_from_294_with_a_note(corpus_services) -> None:
    member = corpus_services.acting_as(LOCAL_ADMIN, "test")
    answer = member.ask("Theo Quy định 24-QĐ/TW, người vào Đảng phải có trình độ học vấn tối thiểu là gì?")
    assert not answer.refused, answer.answer
    assert answer.citations[0].number == "294-QĐ/TW"
    (note,) = [flag for flag in answer.flags if "24-QĐ/TW" in flag]
    assert "294-QĐ/TW" in note and "bãi bỏ" in note and "số nhỏ hơn" in note  # earlier by its number: the note says so
    dated = member.ask("Theo Quy định 24-QĐ/TW ngày 30/7/2021, người vào Đảng phải có trình độ học vấn tối thiểu là gì?")
    assert any("ban hành ngày 30/7/2021" in flag and "294-QĐ/TW" in flag for flag in dated.flags)
    later = member.ask("Theo Quy định 24-QĐ/TW ngày 10/02/2026, người vào Đảng phải có trình độ học vấn tối thiểu là gì?")
    assert later.refused and "24-QĐ/TW" in later.answer  # issued after 294: not repealed by it, and not in the library


def test_a_question_about_an_unknown_document_names_it_instead_of_guessing(corpus_services) -> None:
    answer = corpus_services.acting_as(LOCAL_ADMIN, "test").ask("Quy định 999-QĐ/TW quy định gì về kết nạp đảng viên?")
    assert answer.refused and "999-QĐ/TW" in answer.answer and not answer.citations
    plain = corpus_services.acting_as(LOCAL_ADMIN, "test").ask("Kế hoạch 2025 về kết nạp đảng viên có gì?")
    assert "Thư viện chưa có văn bản" not in plain.answer  # a year is not a document number


def test_documents_relations_command(corpus_settings, corpus_index) -> None:
    env = {**os.environ, "RAG_DATA_DIR": str(corpus_settings.data_dir), "RAG_CORPUS_DIR": str(corpus_settings.corpus_dir)}
    result = subprocess.run([sys.executable, "app.py", "documents", "relations"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "06-HD/TW" in result.stdout and "thay thế 01-HD/TW (không có trong thư viện)" in result.stdout
    assert "có hiệu lực từ 2025-07-01" in result.stdout
    assert "bãi bỏ các văn bản số …-QĐ/TW ban hành trước đây trái với văn bản này" in result.stdout


def test_a_cited_text_that_another_library_text_replaces_or_repeals_gets_a_note(fresh_settings, fresh_index) -> None:
    texts = {
        "hd-01.txt": "HƯỚNG DẪN\nSố 01-HD/TW\nHà Nội, ngày 28 tháng 9 năm 2021\n\nKiểm tra kỹ thuật thẻ đảng viên do Ban Tổ chức Trung ương hướng dẫn.",
        "hd-06.txt": "HƯỚNG DẪN\nSố 06-HD/TW\nHà Nội, ngày 09 tháng 6 năm 2025\n\nHướng dẫn này thay thế Hướng dẫn số 01-HD/TW, ngày 28/9/2021 của Ban Bí thư.",
        "qd-24.txt": "QUY ĐỊNH\nSố 24-QĐ/TW\nHà Nội, ngày 30 tháng 7 năm 2021\n\nNgười vào Đảng phải tốt nghiệp trung học cơ sở.",
        "qd-294.txt": "QUY ĐỊNH\nSố 294-QĐ/TW\nHà Nội, ngày 26 tháng 5 năm 2025\n\nCác quy định trước đây trái với nội dung Quy định này đều bãi bỏ.",
    }
    for name, text in texts.items():
        (fresh_settings.corpus_dir / name).write_text(text, encoding="utf-8")
    fresh_index.indexer.sync([fresh_settings.corpus_dir])
    assert {meta.number for meta in fresh_index.searcher.documents()} == {"01-HD/TW", "06-HD/TW", "24-QĐ/TW", "294-QĐ/TW"}
    replaced, repealed = superseded_notes(["01-HD/TW", "24-QĐ/TW", "06-HD/TW", "294-QĐ/TW", "01-HD/TW"], fresh_index.searcher)
    assert "01-HD/TW" in replaced and "thay thế" in replaced and "06-HD/TW" in replaced
    assert repealed.startswith("294-QĐ/TW bãi bỏ") and "những nội dung của 24-QĐ/TW" in repealed
