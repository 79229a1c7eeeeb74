"""The "Soạn bài phát biểu" tab: outline, excerpt table to keep/reorder, prose editing, export."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from drafting import Draft, SpeechKinds
from drafting.export import to_markdown
from services import Services, Workspace

COLUMNS = ["Mục", "STT", "Giữ", "Trích nguyên văn", "Nguồn"]


def excerpt_rows(draft: Draft | None) -> list[list]:
    if draft is None:
        return []
    return [
        [section.title, order, True, excerpt.quote, excerpt.reference]
        for section in draft.sections
        for order, excerpt in enumerate(section.excerpts, start=1)
    ]


def apply_rows(draft: Draft, rows: list[list]) -> Draft:
    """Keep the ticked excerpts of each section, in the order of their STT."""
    by_quote = {(section.title, excerpt.quote): excerpt for section in draft.sections for excerpt in section.excerpts}
    for section in draft.sections:
        kept = [
            (float(row[1] or 0), by_quote[(section.title, row[3])])
            for row in rows
            if row[0] == section.title and _truthy(row[2]) and (section.title, row[3]) in by_quote
        ]
        section.excerpts = [excerpt for _, excerpt in sorted(kept, key=lambda item: item[0])]
    return draft


def _truthy(value) -> bool:
    return str(value).strip().lower() not in {"false", "0", "", "none", "không"}


def build_tab(services: Services, workspace_for: Callable[[Services, gr.Request], Workspace]) -> None:
    kinds = SpeechKinds(services.settings.prompts_dir).kinds
    with gr.Tab("Soạn bài phát biểu"):
        state = gr.State(None)
        with gr.Row():
            kind = gr.Dropdown([(spec["label"], name) for name, spec in kinds.items()], value=next(iter(kinds)), label="Loại bài")
            topic = gr.Textbox(label="Chủ đề", placeholder="Ví dụ: chuyển đổi số và phát triển đảng viên")
        with gr.Row():
            organisation = gr.Textbox(label="Tổ chức (không bắt buộc)", placeholder="Chi bộ …")
            per_section = gr.Slider(1, 5, value=2, step=1, label="Số trích dẫn mỗi mục")
        make = gr.Button("Tạo dàn ý", variant="primary")
        table = gr.Dataframe(headers=COLUMNS, type="array", interactive=True, wrap=True, label="Trích dẫn (bỏ chọn “Giữ” để loại, sửa STT để đổi thứ tự)")
        apply = gr.Button("Áp dụng chỉnh sửa")
        with gr.Row():
            section = gr.Dropdown([], label="Mục")
            more = gr.Button("Thêm trích dẫn cho mục này")
        prose = gr.Textbox(label="Lời dẫn của mục (diễn giải, sửa tự do)", lines=3)
        save = gr.Button("Lưu lời dẫn")
        preview = gr.Markdown()
        with gr.Row():
            export_docx = gr.Button("Xuất Word (.docx)")
            export_md = gr.Button("Xuất Markdown (.md)")
        files = gr.File(label="Tệp xuất")

        def refresh(draft: Draft | None):
            titles = [s.title for s in draft.sections] if draft else []
            return draft, excerpt_rows(draft), gr.update(choices=titles, value=titles[0] if titles else None), to_markdown(draft) if draft else ""

        def create(kind_name: str, topic_text: str, org: str, count: float, request: gr.Request):
            if not topic_text or not topic_text.strip():
                raise gr.Error("Hãy nhập chủ đề bài phát biểu.")
            workspace = workspace_for(services, request)
            return refresh(workspace.draft(topic_text.strip(), kind_name, int(count), organisation=org.strip()))

        def apply_edits(draft: Draft | None, rows: list[list]):
            if draft is None:
                raise gr.Error("Chưa có dàn ý.")
            return refresh(apply_rows(draft, rows))

        def add_more(draft: Draft | None, title: str, request: gr.Request):
            if draft is None:
                raise gr.Error("Chưa có dàn ý.")
            workspace = workspace_for(services, request)
            return refresh(workspace.more_excerpts(draft, [s.title for s in draft.sections].index(title)))

        def load_prose(draft: Draft | None, title: str) -> str:
            return next((s.text for s in draft.sections if s.title == title), "") if draft else ""

        def save_prose(draft: Draft | None, title: str, text: str):
            if draft is None:
                raise gr.Error("Chưa có dàn ý.")
            for item in draft.sections:
                if item.title == title:
                    item.text = text.strip()
            return refresh(draft)

        def export(draft: Draft | None, suffix: str, request: gr.Request) -> str:
            if draft is None:
                raise gr.Error("Chưa có dàn ý.")
            workspace = workspace_for(services, request)
            return str(workspace.export(draft, Path(tempfile.mkdtemp(prefix="ban-thao-")) / f"ban-thao{suffix}"))

        outputs = [state, table, section, preview]
        make.click(create, [kind, topic, organisation, per_section], outputs, api_name="draft")
        apply.click(apply_edits, [state, table], outputs, api_name="apply_edits")
        more.click(add_more, [state, section], outputs, api_name="more_excerpts")
        section.change(load_prose, [state, section], prose, api_visibility="private")
        save.click(save_prose, [state, section, prose], outputs, api_name="save_prose")
        def export_docx_file(draft: Draft | None, request: gr.Request) -> str:
            return export(draft, ".docx", request)

        def export_md_file(draft: Draft | None, request: gr.Request) -> str:
            return export(draft, ".md", request)

        export_docx.click(export_docx_file, state, files, api_name="export_docx")
        export_md.click(export_md_file, state, files, api_name="export_md")
