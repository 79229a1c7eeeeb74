"""The answer's shape, chosen per question (chat/shapes.py), measured on labelled questions.

``evaluation/data/shapes.jsonl`` holds real questions (evaluation/data/cases.jsonl, shared/eval's dev questions,
a few UIT reading-comprehension questions) and written ones, about a fifth typed without diacritics, labelled by
hand before the classifier was written and split by alternating lines into "tune" (the cues were adjusted on
these) and "held" (measured only). Labelling rules:

- case: a particular subject (the asker or their people, a named person, "một …" with circumstances, a subject
  with numbers of its own) AND a verdict ("có được … không", "đã đủ … chưa", "A hay B?") or handling
  ("xử lý thế nào", "phải làm gì tiếp") asked about it;
- list: an enumeration ("liệt kê", "gồm những gì", "những … nào", "các bước", "nêu các") or an explanation
  ("tại sao", "vì sao", "ý nghĩa", "giải thích");
- fact: one value (number, date, duration, place, person, name) or a short definition, also when it is the value
  of a rule or asked inside a described situation;
- rule: everything a provision says in general: conditions, procedure, dossier, authority, duties, "thế nào",
  a general yes/no.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from chat.shapes import Shape, asks_value, is_case, own_numbers, shape_of
from ingest.normalize import strip_diacritics

DATA = Path(__file__).resolve().parent.parent / "evaluation" / "data" / "shapes.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
MIN_ACCURACY = 0.95
MAX_FALSE_CASE = 0.02  # the case form on a question that is no case is the worst error


def _split(name: str) -> list[dict]:
    return [row for row in ROWS if row["split"] == name]


def test_data_file_is_well_formed():
    assert len(ROWS) >= 220
    assert {row["shape"] for row in ROWS} == {shape.value for shape in Shape}
    assert {row["split"] for row in ROWS} == {"tune", "held"}
    assert all(row["split"] == ("tune" if i % 2 == 0 else "held") for i, row in enumerate(ROWS))
    assert all(row["question"].strip() and row["source"] for row in ROWS)
    assert len({row["question"] for row in ROWS}) == len(ROWS)
    folded = [row for row in ROWS if row["question"] == strip_diacritics(row["question"])]
    assert 0.15 <= len(folded) / len(ROWS) <= 0.3
    cases = {row["source"] for row in ROWS if row["source"].startswith("evaluation/data/cases.jsonl:")}
    assert len(cases) == 121  # every question of cases.jsonl


@pytest.mark.parametrize("split", ["tune", "held"])
def test_accuracy_and_false_cases(split):
    rows = _split(split)
    confusion = Counter((row["shape"], shape_of(row["question"]).value) for row in rows)
    wrong = [(row["shape"], shape_of(row["question"]).value, row["question"]) for row in rows
             if shape_of(row["question"]).value != row["shape"]]
    accuracy = 1 - len(wrong) / len(rows)
    non_cases = [row for row in rows if row["shape"] != Shape.CASE]
    false_cases = sum(count for (gold, got), count in confusion.items() if gold != "case" and got == "case")
    assert accuracy >= MIN_ACCURACY, (accuracy, wrong)
    assert false_cases / len(non_cases) <= MAX_FALSE_CASE, [w for w in wrong if w[1] == "case"]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["source"].rsplit("/", 1)[-1][:60])
def test_typed_without_diacritics_gets_the_same_shape(row):
    assert shape_of(strip_diacritics(row["question"])) is shape_of(row["question"])


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        # a value of a rule: the value first, never the case form
        ("Người vào Đảng phải đủ bao nhiêu tuổi?", Shape.FACT),
        ("Đảng viên dự bị phải trải qua thời gian dự bị bao lâu?", Shape.FACT),
        ("nguoi vao dang phai du bao nhieu tuoi", Shape.FACT),
        ("dang vien du bi phai trai qua thoi gian du bi bao lau?", Shape.FACT),
        # the same rule asked in general and of one person
        ("Người trên 60 tuổi có được kết nạp vào Đảng không?", Shape.RULE),
        ("Một quần chúng đã 61 tuổi thì theo quy định chung có còn trong độ tuổi được chi bộ xét kết nạp vào Đảng không?", Shape.CASE),
        ("mot quan chung da 61 tuoi co duoc xet ket nap vao dang khong?", Shape.CASE),
        ("Đảng viên dự bị có được biểu quyết không?", Shape.RULE),
        ("Cho tôi hỏi đảng viên dự bị có được biểu quyết không?", Shape.RULE),
        ("Đồng chí A là đảng viên dự bị được 10 tháng, có được biểu quyết trong đại hội chi bộ không?", Shape.CASE),
        ("Chi bộ có từ 30 đảng viên trở lên có được chia tổ đảng không?", Shape.RULE),
        ("Chi bộ tôi có 5 đảng viên chính thức, có được bầu chi ủy không?", Shape.CASE),
        ("Bạn tôi đã ra khỏi Đảng được 2 năm, nay muốn vào lại thì có được không?", Shape.CASE),
        ("Một người muốn vào Đảng thì phải làm gì?", Shape.RULE),
        ("Một cán bộ có được kiêm bí thư chi bộ không?", Shape.RULE),
        # authority, conditions, procedure
        ("Muốn kết nạp vào Đảng một người đã trên 60 tuổi thì cấp nào xem xét, quyết định?", Shape.RULE),
        ("Điều kiện để được kết nạp vào Đảng là gì?", Shape.RULE),
        ("thu tuc chuyen sinh hoat dang tam thoi nhu the nao?", Shape.RULE),
        # news facts
        ("Ai chủ trì Đại hội Chi bộ Trung tâm Thông tin – Thư viện nhiệm kỳ 2025-2027?", Shape.FACT),
        ("Đại hội Chi bộ Trung tâm Thông tin – Thư viện có bao nhiêu đảng viên tham dự?", Shape.FACT),
        ("dai hoi chi bo trung tam thong tin thu vien to chuc ngay nao?", Shape.FACT),
        ("Đồng chí Nguyễn Quốc Sửu giữ chức vụ gì?", Shape.FACT),
        # lists
        ("Hồ sơ đề nghị kết nạp đảng viên gồm những gì?", Shape.LIST),
        ("Nêu các bước kết nạp đảng viên.", Shape.LIST),
        ("neu cac dieu kien de duoc ket nap vao dang", Shape.LIST),
        ("tai sao dang vien du bi khong duoc bieu quyet?", Shape.LIST),
    ],
)
def test_examples(question, shape):
    assert shape_of(question) is shape
    assert is_case(question) is (shape is Shape.CASE)


@pytest.mark.parametrize(
    "question",
    ["Người vào Đảng phải đủ bao nhiêu tuổi?", "Đảng viên dự bị phải trải qua thời gian dự bị bao lâu?"],
)
def test_value_of_a_rule_is_not_a_case(question):
    assert not is_case(question)
    assert asks_value(question)


def test_own_numbers_leave_out_thresholds_and_years():
    assert own_numbers("Một quần chúng đã 61 tuổi có được kết nạp không?") == ["61 tuổi"]
    assert own_numbers("Người trên 60 tuổi có được kết nạp vào Đảng không?") == []
    assert own_numbers("Chi bộ có 10 đảng viên trở lên thì phải làm gì?") == []
    assert own_numbers("Đảng viên không đóng đảng phí ba tháng trong năm thì chi bộ xử lý thế nào?") == []
    assert own_numbers("Năm 2023 Đảng bộ kết nạp bao nhiêu đảng viên?") == []
    assert own_numbers("Chi ủy đã yêu cầu đến lần thứ 3 mà đảng viên vẫn không đến họp") == ["lần thứ 3"]


def test_shape_values():
    assert [shape.value for shape in Shape] == ["fact", "rule", "case", "list"]
    assert Shape("case") is Shape.CASE
