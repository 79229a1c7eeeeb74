"""`python -m evaluation.quality_table BEFORE.json AFTER.json`: the per-shape answer table in docs/do-dac.md, regenerated.

The table is written from the JSON that `app.py eval … --mode ask --report` leaves (never typed by hand), between
two markers, so the page shows the latest run with its machine and the run before the change beside it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from settings import PROJECT_ROOT

PAGE = PROJECT_ROOT / "docs" / "do-dac.md"
START, END = "<!-- bảng chất lượng: bắt đầu -->", "<!-- bảng chất lượng: kết thúc -->"
COLUMNS = {
    "questions": "số câu", "correct_cited": "đúng + dẫn đúng", "false_refusals": "từ chối sai", "near_misses_refused": "từ chối câu ngoài tài liệu",
    "wrong_value": "sai giá trị", "verdict_right": "kết luận đúng", "verdict_wrong": "kết luận sai",
}
SHAPES = {"fact": "sự kiện, con số", "rule": "quy định", "case": "tình huống", "list": "liệt kê, giải thích", "all": "tất cả"}


def _cell(key: str, before: dict | None, after: dict) -> str:
    value = after.get(key)
    if key == "questions":
        return str(value)
    if value is None:
        return "—"
    was = before.get(key) if before else None
    return f"{value:.0%}" if was is None else f"{was:.0%} → {value:.0%}"


def render(before: dict | None, after: dict) -> str:
    """The Markdown table (shares as "before → after"), with what was run and on which machine."""
    machine = after.get("machine", {})
    lines = [
        f"Chạy: `app.py eval {' '.join(after.get('files', []))} --mode ask{' --split ' + after['split'] if after.get('split') else ''}`, "
        f"mô hình `{after.get('backend')}`, máy {machine.get('cpu', '?')} ({machine.get('cores', '?')} nhân), "
        f"{str(machine.get('date', ''))[:10]}." + (" Số bên trái mũi tên: trước thay đổi, cùng máy, cùng bộ câu hỏi." if before else ""),
        "",
        "| dạng câu hỏi | " + " | ".join(COLUMNS.values()) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    for shape, quality in after["by_shape"].items():
        previous = (before or {}).get("by_shape", {}).get(shape)
        lines.append(f"| {SHAPES.get(shape, shape)} | " + " | ".join(_cell(key, previous, quality) for key in COLUMNS) + " |")
    return "\n".join(lines)


def rewrite(page: Path, table: str) -> None:
    text = page.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    page.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the run before the change (or 'none')")
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    before = None if str(args.before) == "none" else json.loads(args.before.read_text(encoding="utf-8"))
    rewrite(PAGE, render(before, json.loads(args.after.read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
