"""BM25 statistics belong to the reader's scope: chunks of a collection they may not read move no score, order, IDF
or refusal of theirs (issue 40). Computed over every chunk, a member's lexical score for a phrase fell when chunks
holding it were added to a restricted collection and rose again when they were deleted: an oracle of what those
chunks say."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat import Assistant
from chat.llm import ExtractiveBackend
from chat.support import hit_coverage, question_terms
from vectorstore import Index, Scope, Searcher, SearchFilters

PUBLIC = {
    "chi-bo-van-phong.txt": "Chi bộ Văn phòng tổ chức Đại hội\n\nNgày 20/5/2025, Chi bộ Văn phòng tổ chức Đại hội nhiệm kỳ "
    "2025–2027 với 15 đảng viên. Đại hội bầu đồng chí Nguyễn Văn An làm Bí thư chi bộ.",
    "tong-ket.txt": "Hội nghị tổng kết\n\nChiều ngày 12/01/2024, Đảng bộ Trường tổng kết công tác Đảng năm 2023, kết nạp "
    "07 đảng viên mới. Đảng bộ biểu dương 12 đảng viên hoàn thành xuất sắc nhiệm vụ.",
    "sinh-hoat.txt": "Lịch sinh hoạt\n\nChi bộ Khoa Toán sinh hoạt chuyên đề về học tập và làm theo tư tưởng Hồ Chí Minh "
    "vào chiều thứ Năm tuần đầu tiên hằng tháng.",
}
# Restricted documents full of the question's words: over every chunk, they lower those words' IDF.
RESTRICTED = {
    f"mat-{number}.txt": f"Biên bản mật số {number}\n\nĐảng bộ Trường kết nạp {number} đảng viên mới trong đợt {number}; "
    f"hồ sơ kết nạp đảng viên mới lưu tại Văn phòng Đảng ủy, kết nạp đảng viên mới theo quy trình mật."
    for number in range(1, 7)
}
RESTRICTED_COLLECTION = "mat-kiem-tra"
QUERY = "kết nạp đảng viên mới"
# Answered from "tong-ket.txt" while only the member's chunks are counted; refused when the restricted ones lower the
# IDF of the words it shares with them below that of "hội trường", "lớn", which no document holds.
QUESTION = "Đảng bộ Trường kết nạp bao nhiêu đảng viên mới tại hội trường lớn?"


def _write(folder: Path, documents: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in documents]


def _seen(member: Searcher, index: Index, settings) -> tuple[dict, list[float]]:
    """Everything the member's searches, statistics and answer show: what BM25 decides to the last bit, and the
    cosines (with the hybrid scores they enter) apart. Chroma computes a chunk's distance one way while it waits in
    the write log and another once indexed, and other writes move it from one to the other: the last float32 bit
    of a cosine may change with the store's activity, never with what a restricted chunk says."""
    exact: dict = {}
    cosines: list[float] = []
    for mode in ("lexical", "hybrid", "dense"):
        for query in (QUERY, QUESTION, "ket nap dang vien moi"):
            hits = member.search(query, 5, mode=mode)
            exact[mode, query] = [hit.id for hit in hits]
            if mode == "lexical":
                exact["scores", query] = [hit.score.hex() for hit in hits]
            else:
                cosines += [value for hit in hits for value in (hit.score, hit.similarity)]
            exact["coverage", mode, query] = [hit_coverage(QUESTION, hit, member).hex() for hit in hits]
    filtered = member.search(QUERY, 5, SearchFilters(source="*/tong-ket.txt"), mode="lexical")
    exact["filtered"] = [(hit.id, hit.score.hex()) for hit in filtered]
    terms, folded = question_terms(QUESTION)
    exact["idf"] = {term: member.idf(term, folded).hex() for term in sorted(terms)}
    scoped = index.scoped(member.scope)
    answer = Assistant(settings.model_copy(update={"llm_backend": "extractive"}), scoped, ExtractiveBackend()).ask(QUESTION)
    exact["answer"] = (answer.answer, answer.refused, [citation.id for citation in answer.citations])
    return exact, cosines


def _admin_scores(index: Index) -> list[tuple[str, float]]:
    return [(hit.id, hit.score) for hit in index.searcher.search(QUERY, 5, mode="lexical")]


def test_chunks_outside_a_members_scope_change_nothing_they_see(fresh_settings, fresh_index) -> None:
    public = fresh_settings.default_collection
    fresh_index.indexer.sync(_write(fresh_settings.corpus_dir / public, PUBLIC), collection=public)
    member = fresh_index.scoped(Scope.only({public})).searcher
    (before, cosines), admin_before = _seen(member, fresh_index, fresh_settings), _admin_scores(fresh_index)
    assert before["lexical", QUERY] and before["filtered"] and not before["answer"][1]  # found, and answered

    restricted = _write(fresh_settings.corpus_dir / RESTRICTED_COLLECTION, RESTRICTED)
    report = fresh_index.indexer.sync(restricted, collection=RESTRICTED_COLLECTION)
    assert len(report.added) == len(RESTRICTED)
    assert _admin_scores(fresh_index) != admin_before  # an unrestricted reader's statistics do count them
    seen, seen_cosines = _seen(member, fresh_index, fresh_settings)
    assert seen == before and seen_cosines == pytest.approx(cosines, abs=1e-6)

    for source in report.added:
        fresh_index.indexer.remove(source)
    assert _admin_scores(fresh_index) == admin_before
    seen, seen_cosines = _seen(member, fresh_index, fresh_settings)
    assert seen == before and seen_cosines == pytest.approx(cosines, abs=1e-6)
