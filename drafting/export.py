"""Exports of a draft: Markdown and Word (.docx), quotes kept apart from paraphrase."""

from __future__ import annotations

from pathlib import Path

from drafting.outline import Draft, Excerpt

PARAPHRASE = "Diễn giải"
VERBATIM = "Trích nguyên văn"


def _numbered(draft: Draft) -> dict[tuple[str, int], int]:
    """Reference number of each distinct excerpt, in order of appearance."""
    numbers: dict[tuple[str, int], int] = {}
    for excerpt in draft.excerpts():
        numbers.setdefault((excerpt.id, excerpt.start), len(numbers) + 1)
    return numbers


def references(draft: Draft) -> list[tuple[int, Excerpt]]:
    """The reference list: each distinct excerpt once, with its number."""
    numbers = _numbered(draft)
    unique = {numbers[(excerpt.id, excerpt.start)]: excerpt for excerpt in reversed(draft.excerpts())}
    return sorted(unique.items())


def to_markdown(draft: Draft) -> str:
    numbers = _numbered(draft)
    lines = [f"# {draft.kind_label}: {draft.topic}", ""]
    if draft.organisation:
        lines += [f"*Đơn vị: {draft.organisation}*", ""]
    for index, section in enumerate(draft.sections, start=1):
        lines += [f"## {index}. {section.title}", ""]
        if section.text:
            lines += [f"*{PARAPHRASE}:* {section.text}", ""]
        lines += [f"> ⚠️ {flag}" for flag in section.flags]
        for excerpt in section.excerpts:
            n = numbers[(excerpt.id, excerpt.start)]
            lines += [f"> **{VERBATIM}:** “{excerpt.quote}” [{n}]", ">", f"> — {excerpt.reference}", ""]
    lines += ["## Tài liệu trích dẫn", ""]
    lines += [f"{n}. {excerpt.reference} — `{excerpt.source}` (đoạn `{excerpt.id}`)" for n, excerpt in references(draft)]
    return "\n".join(lines) + "\n"


def to_docx(draft: Draft, path: Path) -> Path:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = f"{draft.kind_label}: {draft.topic}"
    document.add_heading(f"{draft.kind_label}: {draft.topic}", level=0)
    if draft.organisation:
        document.add_paragraph(f"Đơn vị: {draft.organisation}")
    numbers = _numbered(draft)
    for index, section in enumerate(draft.sections, start=1):
        document.add_heading(f"{index}. {section.title}", level=1)
        if section.text:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{PARAPHRASE}: ").bold = True
            paragraph.add_run(section.text).italic = True
        for flag in section.flags:
            document.add_paragraph(f"⚠ {flag}")
        for excerpt in section.excerpts:
            n = numbers[(excerpt.id, excerpt.start)]
            document.add_paragraph(f"“{excerpt.quote}” [{n}]", style="Quote")
            reference = document.add_paragraph(f"— {excerpt.reference}")
            reference.runs[0].font.size = Pt(9)
    document.add_heading("Tài liệu trích dẫn", level=1)
    for n, excerpt in references(draft):
        document.add_paragraph(f"[{n}] {excerpt.reference} — {excerpt.source}", style="List Number")
    document.save(str(path))
    return path
