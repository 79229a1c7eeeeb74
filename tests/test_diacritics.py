"""Diacritics put back on a query typed without them, from the library's own spellings and the reader's scope."""

from vectorstore.diacritics import restore

SPELLINGS = {
    "thu_vien": ["thư_viện"], "trung_tam": ["trung_tâm"], "thong_tin": ["thông_tin"], "dai_hoi": ["đại_hội"],
    "chi_bo": ["chi_bộ"], "ai": ["ái"], "thu": ["thu", "thư", "thú"], "bi_thu": ["bí_thư"],
}
FREQUENCY = {"thư_viện": 12, "trung_tâm": 30, "thông_tin": 25, "đại_hội": 40, "chi_bộ": 50, "ái": 1, "thu": 3, "thư": 9,
             "thú": 0, "bí_thư": 20}


def _restore(query: str, frequency: dict[str, int] = FREQUENCY) -> str:
    return restore(query, lambda key: SPELLINGS.get(key, []), lambda token: frequency.get(token, 0))


def test_each_run_of_syllables_is_spelled_as_the_library_spells_it() -> None:
    assert _restore("Ai phat bieu tai dai hoi chi bo Trung tam Thong tin – Thu vien?") == (
        "ai phat bieu tai đại hội chi bộ trung tâm thông tin – thư viện ?")


def test_question_words_are_spelled_as_questions_spell_them() -> None:
    assert _restore("ai la bi thu") == "ai là bí thư"  # not "ái", however the library spells it


def test_the_most_frequent_spelling_wins_and_one_the_reader_never_sees_is_never_used() -> None:
    assert _restore("thu") == "thư"
    assert _restore("thu", {**FREQUENCY, "thư": 0, "thu": 0}) == "thu"  # no chunk of the reader's spells it: as typed
    assert _restore("thu vien", {**FREQUENCY, "thư_viện": 0}) == "thư vien"  # the run falls back to single syllables
