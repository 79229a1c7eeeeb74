"""Retrieval quality on the dev questions with the real default embedding model."""

import pytest

from evaluation.questions import load_questions
from ingest.normalize import strip_diacritics
from tests.conftest import DEV_QUESTIONS

pytestmark = pytest.mark.skipif(not DEV_QUESTIONS.exists(), reason="shared/eval is not beside the checkout")


def _hits_in_top5(index, transform=lambda q: q, mode="hybrid") -> tuple[int, list[str]]:
    answerable = [q for q in load_questions(DEV_QUESTIONS) if q.answerable]
    misses = []
    for question in answerable:
        hits = index.searcher.search(transform(question.question), 5, mode=mode)
        if not any(question.is_evidence(hit.text) for hit in hits):
            misses.append(question.id)
    return len(answerable) - len(misses), misses


def test_dense_search_alone_finds_evidence_in_top5_for_at_least_11_of_12(corpus_index) -> None:
    found, misses = _hits_in_top5(corpus_index, mode="dense")
    assert found >= 11, f"missed {misses}"


def test_hybrid_search_finds_evidence_in_top5_for_all_12(corpus_index) -> None:
    found, misses = _hits_in_top5(corpus_index)
    assert found == 12, f"missed {misses}"


def test_questions_typed_without_diacritics_still_find_evidence(corpus_index) -> None:
    found, misses = _hits_in_top5(corpus_index, strip_diacritics)
    assert found >= 11, f"missed {misses}"


def test_both_tone_spellings_of_a_query_return_the_same_results(corpus_index) -> None:
    old = [h.id for h in corpus_index.searcher.search("Ủy ban Kiểm tra Đảng ủy Học viện", 5)]
    new = [h.id for h in corpus_index.searcher.search("Uỷ ban Kiểm tra Đảng uỷ Học viện", 5)]
    assert old == new


@pytest.mark.parametrize("query", ["Quy định 101-QĐ/TW", "QĐ 101 nói gì?", "Chỉ thị 05-CT/TW"])
def test_a_question_naming_a_document_number_ranks_a_chunk_citing_it_first(corpus_index, query) -> None:
    from ingest.docnumbers import query_reference_keys, reference_keys

    top = corpus_index.searcher.search(query, 3)[0]
    keys = reference_keys(top.text) | reference_keys(top.metadata.get("number", ""))
    assert keys & query_reference_keys(query), top.text[:200]


def test_a_question_naming_a_regulation_gets_that_regulation(corpus_index) -> None:
    hits = corpus_index.searcher.search("Hướng dẫn 06 quy định gì về tuổi đời người vào Đảng?", 3)
    assert all(hit.metadata["number"] == "06-HD/TW" for hit in hits)


def test_a_scope_that_admits_every_collection_ranks_exactly_as_no_scope(corpus_index) -> None:
    from vectorstore import Scope

    collections = {str(meta["collection"]) for _, _, meta in corpus_index.store.all_chunks()}
    scoped = corpus_index.scoped(Scope.only(collections))
    for question in load_questions(DEV_QUESTIONS):
        plain = [(hit.id, round(hit.score, 6)) for hit in corpus_index.searcher.search(question.question, 10)]
        assert [(hit.id, round(hit.score, 6)) for hit in scoped.searcher.search(question.question, 10)] == plain


def test_a_scope_without_the_collection_finds_nothing_of_it(corpus_index) -> None:
    from vectorstore import Scope

    scoped = corpus_index.scoped(Scope.only({"khong-phai-bo-nay"}))
    for mode in ("hybrid", "dense", "lexical"):
        assert scoped.searcher.search("Người vào Đảng phải đủ bao nhiêu tuổi?", 10, mode=mode) == []
