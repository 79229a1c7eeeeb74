"""The per-shape answer report of `app.py eval --mode ask` and the docs table generated from it."""

from evaluation.harness import Row, answer_quality, quality_by_shape
from evaluation.quality_table import END, START, render, rewrite
from evaluation.questions import Question


def _row(qid: str, shape: str, answerable: bool, refused: bool, correct: bool, verdict: str = "", given: str | None = None) -> Row:
    question = Question(qid, "?", answerable=answerable, shape=shape, verdict=verdict)
    return Row(question, {}, 1.0, correct=correct, refused=refused, verdict=given)


ROWS = [
    _row("F1", "fact", True, False, True),
    _row("F2", "fact", True, True, False),  # a false refusal
    _row("F3", "fact", True, False, False),  # a wrong value
    _row("F4", "fact", False, True, True),  # a near miss refused
    _row("C1", "case", True, False, True, "không", "không"),
    _row("C2", "case", True, False, False, "có", "không"),  # a wrong verdict
    _row("C3", "case", True, False, False, "có", None),  # no verdict: neither right nor wrong
    _row("C4", "case", False, False, False),  # a near miss answered
]


def test_each_shape_is_scored_on_its_own_rows() -> None:
    report = quality_by_shape(ROWS)
    assert list(report) == ["case", "fact", "all"]
    fact, case = report["fact"], report["case"]
    assert (fact["answerable"], fact["correct_cited"], fact["false_refusals"], fact["wrong_value"]) == (3, 1 / 3, 1 / 3, 1 / 3)
    assert fact["near_misses_refused"] == 1.0 and fact["verdict_right"] is None
    assert (case["verdict_right"], case["verdict_wrong"], case["near_misses_refused"]) == (1 / 3, 1 / 3, 0.0)
    assert report["all"] == answer_quality(ROWS)


def test_the_docs_table_shows_before_and_after_and_replaces_only_its_own_block(tmp_path) -> None:
    after = {"files": ["a.jsonl"], "split": "held", "backend": "llama.cpp:x.gguf", "machine": {"cpu": "CPU", "cores": 2, "date": "2026-12-07T20:00:00"},
             "by_shape": quality_by_shape(ROWS)}
    before = {**after, "by_shape": quality_by_shape(ROWS[:2])}
    table = render(before, after)
    assert "| sự kiện, con số | 4 | 50% → 33% |" in table and "--split held" in table and "CPU (2 nhân), 2026-12-07" in table
    page = tmp_path / "page.md"
    page.write_text(f"head\n{START}\nold\n{END}\ntail\n", encoding="utf-8")
    rewrite(page, table)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("head\n") and text.endswith(f"{END}\ntail\n") and "old" not in text and table in text
