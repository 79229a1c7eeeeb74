"""The "Soạn bài phát biểu" tab: outline, excerpt table to keep/reorder, prose editing, export."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from access import AccessError
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
        # Only the id of the draft lives in the page's session; the outline is kept in the database under its owner,
        # and every event loads it as the caller, so a caller in someone else's session finds nothing.
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
        prose = gr.Textbox(label="Lời dẫn của mục (diễn giải, sửa tự do)", lines=3, max_length=services.settings.max_prose_chars)
        save = gr.Button("Lưu lời dẫn")
        preview = gr.Markdown()
        with gr.Row():
            export_docx = gr.Button("Xuất Word (.docx)")
            export_md = gr.Button("Xuất Markdown (.md)")
        files = gr.HTML(label="Tệp xuất")

        def refresh(draft_id: int, draft: Draft):
            titles = [s.title for s in draft.sections]
            return draft_id, excerpt_rows(draft), gr.update(choices=titles, value=titles[0] if titles else None), to_markdown(draft)

        def owned(draft_id: int | None, request: gr.Request) -> tuple[Workspace, int, Draft]:
            """The caller's workspace and their own draft of this session; another's is not found."""
            workspace = workspace_for(services, request)
            if draft_id is None:
                raise gr.Error("Chưa có dàn ý.")
            try:
                return workspace, int(draft_id), workspace.stored_draft(int(draft_id))
            except (AccessError, TypeError, ValueError) as error:
                raise gr.Error("Không tìm thấy dàn ý này.") from error

        def create(kind_name: str, topic_text: str, org: str, count: float, request: gr.Request):
            if not topic_text or not topic_text.strip():
                raise gr.Error("Hãy nhập chủ đề bài phát biểu.")
            workspace = workspace_for(services, request)
            if kind_name not in kinds:
                raise gr.Error("Hãy chọn một loại bài trong danh sách.")
            try:
                draft = workspace.draft(topic_text, kind_name, int(count), organisation=(org or "").strip())
            except (AccessError, TypeError, ValueError) as error:
                raise gr.Error(str(error)) from error
            return refresh(workspace.save_draft(draft), draft)

        def apply_edits(draft_id: int | None, rows: list[list], request: gr.Request):
            workspace, draft_id, draft = owned(draft_id, request)
            draft = apply_rows(draft, rows or [])
            workspace.update_draft(draft_id, draft)
            return refresh(draft_id, draft)

        def add_more(draft_id: int | None, title: str, request: gr.Request):
            workspace, draft_id, draft = owned(draft_id, request)
            titles = [s.title for s in draft.sections]
            if title not in titles:
                raise gr.Error("Hãy chọn một mục của dàn ý.")
            draft = workspace.more_excerpts(draft, titles.index(title))
            workspace.update_draft(draft_id, draft)
            return refresh(draft_id, draft)

        def load_prose(draft_id: int | None, title: str, request: gr.Request) -> str:
            if draft_id is None:
                return ""
            _, _, draft = owned(draft_id, request)
            return next((s.text for s in draft.sections if s.title == title), "")

        def save_prose(draft_id: int | None, title: str, text: str, request: gr.Request):
            workspace, draft_id, draft = owned(draft_id, request)
            text, limit = text or "", services.settings.max_prose_chars
            if len(text) > limit:
                raise gr.Error(f"Lời dẫn dài {len(text)} ký tự, vượt giới hạn {limit} ký tự.")
            for item in draft.sections:
                if item.title == title:
                    item.text = text.strip()
            workspace.update_draft(draft_id, draft)
            return refresh(draft_id, draft)

        def export(draft_id: int | None, suffix: str, request: gr.Request) -> str:
            """A link to the draft's export on the API route, which checks its owner again at download. The file is
            written there and streamed, never left in Gradio's cache where anyone signed in who learnt its path
            could fetch it."""
            _, draft_id, _ = owned(draft_id, request)
            link = f"api/v1/drafts/{draft_id}/export?format={suffix.lstrip('.')}"
            return f"<a class='export' href='{link}' download>⬇️ Tải bản thảo ({suffix})</a>"

        outputs = [state, table, section, preview]
        make.click(create, [kind, topic, organisation, per_section], outputs, api_name="draft")
        apply.click(apply_edits, [state, table], outputs, api_name="apply_edits")
        more.click(add_more, [state, section], outputs, api_name="more_excerpts")
        section.change(load_prose, [state, section], prose, api_visibility="private")
        save.click(save_prose, [state, section, prose], outputs, api_name="save_prose")

        def export_docx_file(draft_id: int | None, request: gr.Request) -> str:
            return export(draft_id, ".docx", request)

        def export_md_file(draft_id: int | None, request: gr.Request) -> str:
            return export(draft_id, ".md", request)

        export_docx.click(export_docx_file, state, files, api_name="export_docx")
        export_md.click(export_md_file, state, files, api_name="export_md")
