import unicodedata

import pytest

from ingest.normalize import clean_text, index_form, strip_diacritics, unify_i_y


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Uỷ ban Kiểm tra", "Ủy ban Kiểm tra"),
        ("hoà bình", "hòa bình"),
        ("thuỷ lợi", "thủy lợi"),
        ("khoá XIII", "khóa XIII"),
        ("Hoá học", "Hóa học"),
        ("hoè", "hòe"),
    ],
)
def test_both_tone_mark_spellings_give_the_same_index_text(one: str, other: str) -> None:
    assert index_form(one) == index_form(other)


def test_decomposed_and_composed_input_give_the_same_text() -> None:
    composed = "Đảng ủy Học viện, Uỷ viên Ban Thường vụ"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert clean_text(decomposed) == clean_text(composed)
    assert index_form(decomposed) == index_form("Đảng ủy Học viện, Ủy viên Ban Thường vụ")


@pytest.mark.parametrize(
    "word", ["hoàng", "thuyền", "quyết", "quý", "giữ", "gìn", "người", "khuỷu", "xoáy", "Nguyễn", "được"]
)
def test_correctly_placed_marks_are_left_alone(word: str) -> None:
    assert index_form(word) == word


def test_stored_text_keeps_the_source_spelling() -> None:
    # Quotes must stay verbatim: only the index form moves tone marks.
    assert clean_text("Uỷ ban  \r\n\n\n\nhoà") == "Uỷ ban\n\nhoà"


def test_normalisation_is_idempotent() -> None:
    text = "Uỷ viên  Ban Chấp hành\u00a0Trung ương,   hoà nhập"
    assert index_form(index_form(text)) == index_form(text)


def test_strip_diacritics() -> None:
    assert strip_diacritics("Chi bộ kết nạp đảng viên Đảng") == "Chi bo ket nap dang vien Dang"


@pytest.mark.parametrize(("one", "other"), [("lý", "lí"), ("kỹ", "kĩ"), ("Mỹ", "Mĩ"), ("quý", "quí"), ("tỷ", "tỉ"), ("ly", "li")])
def test_i_and_y_spellings_of_a_syllable_are_unified(one: str, other: str) -> None:
    assert unify_i_y(one.lower()) == unify_i_y(other.lower())


@pytest.mark.parametrize("syllable", ["y", "ý", "tay", "thuyền", "khuya", "duy", "kìa", "quyết"])
def test_syllables_where_i_and_y_are_not_interchangeable_are_left_alone(syllable: str) -> None:
    assert unify_i_y(syllable) == syllable


def test_a_killed_process_leaves_no_segmenter_temp_file(tmp_path) -> None:
    """Servers stopped with a signal never run pyvi's own clean-up."""
    import os
    import subprocess
    import sys

    code = "import sys, time; from vectorstore.tokenize import accented_tokens; print(accented_tokens('Đảng viên'), flush=True); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        assert "đảng_viên" in process.stdout.readline()
    finally:
        process.kill()
        process.wait(timeout=30)
    assert not list(tmp_path.glob("*.crfsuite"))
