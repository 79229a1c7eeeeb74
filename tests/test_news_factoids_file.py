"""evaluation/data/news_factoids.jsonl checked against the news articles of corpus/: every
answerable question quotes its article's cleaned text and its answer sits in that quote; every
near miss names the article it sits next to; every added article is recorded in corpus/README.md
with its SHA-256."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

import pytest

from ingest import prepare
from ingest.normalize import index_form

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FACTOIDS = ROOT / "evaluation" / "data" / "news_factoids.jsonl"
README = CORPUS / "README.md"
NEWS = sorted(CORPUS.glob("news-*.txt"))
CHUNK_SIZE, CHUNK_OVERLAP = 900, 150  # settings.py defaults, as the index cuts the articles
KINDS = {"person", "date", "number", "place", "what"}
RAW = [json.loads(line) for line in FACTOIDS.read_text(encoding="utf-8").splitlines() if line.strip()]
ANSWERABLE = [row for row in RAW if row["answerable"]]
UNANSWERABLE = [row for row in RAW if not row["answerable"]]


def _prepared(name: str):
    return prepare(CORPUS / name, CORPUS, CHUNK_SIZE, CHUNK_OVERLAP)


@pytest.fixture(scope="module")
def documents() -> dict:
    return {name: _prepared(name) for name in sorted({row["document"] for row in ANSWERABLE})}


def _near_file(row: dict) -> str:
    return row["near"].split(" ")[0]


def test_the_file_has_enough_questions_of_each_kind_and_unique_ids() -> None:
    assert len(ANSWERABLE) >= 60 and len(UNANSWERABLE) >= 20
    assert len({row["id"] for row in RAW}) == len(RAW)
    assert all(re.fullmatch(r"N\d{3}", row["id"]) for row in ANSWERABLE)
    assert all(re.fullmatch(r"NU\d{2}", row["id"]) for row in UNANSWERABLE)
    assert {row["kind"] for row in RAW} <= KINDS and {"person", "date", "number"} <= {row["kind"] for row in ANSWERABLE}
    assert {row["split"] for row in RAW} == {"tune", "held"}
    # The wrong-value trap: the quoted sentence holds several values of the kind asked for.
    assert sum(row["trap"] for row in ANSWERABLE) >= 15
    # Members often type without tone marks.
    plain = [row for row in RAW if row["question"] == _strip_marks(row["question"])]
    assert len(plain) >= 0.15 * len(RAW)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def test_every_added_article_carries_questions_and_near_misses_reach_most() -> None:
    asked = {row["document"] for row in ANSWERABLE}
    assert {path.name for path in NEWS} <= asked
    assert len(NEWS) >= 8
    near = {_near_file(row) for row in UNANSWERABLE}
    assert len(near & {path.name for path in NEWS}) >= 8


@pytest.mark.parametrize("row", ANSWERABLE, ids=[row["id"] for row in ANSWERABLE])
def test_an_answerable_question_quotes_its_article(row: dict, documents: dict) -> None:
    document = documents[row["document"]]
    evidence = unicodedata.normalize("NFC", row["evidence"])
    assert evidence == row["evidence"], "evidence is not NFC"
    assert 30 <= len(evidence) <= 200
    assert index_form(evidence) in index_form(document.text), "evidence is not in the cleaned article"
    # What the harness counts as a retrieved passage: one chunk holding the whole evidence.
    assert any(index_form(evidence) in index_form(chunk.text) for chunk in document.chunks)
    assert row["answers"]
    for answer in row["answers"]:
        assert index_form(answer) in index_form(evidence), f"answer {answer!r} is not in the evidence"
    assert row["kind"] in KINDS and row["split"] in {"tune", "held"} and isinstance(row["trap"], bool)


@pytest.mark.parametrize("row", UNANSWERABLE, ids=[row["id"] for row in UNANSWERABLE])
def test_a_near_miss_names_its_article_and_expects_no_answer(row: dict) -> None:
    assert not row["answers"] and row["evidence"] is None and row["document"] is None
    assert (CORPUS / _near_file(row)).is_file()
    assert len(row["near"]) > len(_near_file(row)) + 20, "say why the article does not answer it"


def test_what_the_near_misses_ask_for_is_not_in_the_articles() -> None:
    """Spot checks of absences the near misses rely on (the rest were read for)."""
    text = {path.name: index_form(_prepared(path.name).text) for path in NEWS}

    def has(name: str, words: str) -> bool:
        return index_form(words) in text[name]

    assert not has("news-dai-hoi-chi-bo-iii-httc.txt", "Phó Bí thư Chi bộ")
    assert not re.search(r"(?<!Phó )Bí thư Chi bộ", text["news-dai-hoi-chi-bo-thcs-doan-ket.txt"])
    assert not has("news-dai-hoi-chi-bo-mn-tram-chim.txt", "phiếu")
    assert not re.search(r"Số\s*\d|QĐ", text["news-ket-nap-dang-vien-huu-lien.txt"])
    assert not has("news-tong-ket-dang-uy-phuc-la.txt", "kết nạp")
    assert not has("news-can-tho-ket-nap-vuot-ke-hoach-2019.txt", "Cái Răng")
    assert not has("news-can-tho-ket-nap-vuot-ke-hoach-2019.txt", "2018")
    assert not has("news-hai-duong-danh-gia-tccsd-2019.txt", "kỷ luật")
    assert not has("news-sinh-hoat-chuyen-de-ly-tu-trong.txt", "chủ trì")
    assert not re.search(r"\d[\d.]* ?(?:đồng|triệu|nghìn)", text["news-sinh-hoat-chuyen-de-hung-thinh.txt"]), "an amount"


def test_every_news_article_is_recorded_with_its_sha256() -> None:
    readme = README.read_text(encoding="utf-8")
    for path in NEWS:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        row = next((line for line in readme.splitlines() if f"`{path.name}`" in line), "")
        assert row, f"{path.name} has no row in corpus/README.md"
        assert f"`{digest}`" in row, f"{path.name}: the SHA-256 in corpus/README.md is not the file's"


def test_news_articles_are_nfc_public_text() -> None:
    for path in NEWS:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, path.name
        assert not re.search(r"\bmật\b|lưu hành nội bộ|nội bộ", text, re.IGNORECASE), path.name
