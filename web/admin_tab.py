"""The "Quản trị" tab (administrators): the audit trail filtered and exported, users and collections."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import gradio as gr

from access import AccessError, AuditFilter
from services import Services, Workspace

COLUMNS = ["Mã", "Thời gian", "Người dùng", "Hành động", "Kênh", "Câu hỏi", "Đoạn được trích", "Tài liệu", "ms"]


def _day(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise gr.Error(f"Ngày phải có dạng YYYY-MM-DD, nhận '{text}'.") from error


def build_admin_tab(services: Services, workspace_for: Callable[[Services, gr.Request], Workspace]) -> gr.Tab:
    def admin(request: gr.Request) -> Workspace:
        workspace = workspace_for(services, request)
        if not workspace.principal.is_admin:
            raise gr.Error(str(AccessError("Chức năng này chỉ dành cho quản trị viên.")))
        return workspace

    def events(user: str, action: str, document: str, since: str, until: str, request: gr.Request) -> list[list]:
        admin(request)
        found = services.audit.events(AuditFilter(user.strip() or None, action or None, document.strip() or None, _day(since), _day(until)))
        return [
            [e.id, e.at.strftime("%d/%m/%Y %H:%M:%S"), e.user, e.action, e.channel, e.question[:200], e.chunk_ids, e.documents, e.latency_ms]
            for e in found
        ]

    def export(user: str, action: str, document: str, since: str, until: str, request: gr.Request) -> str:
        workspace = admin(request)
        found = services.audit.events(
            AuditFilter(user.strip() or None, action or None, document.strip() or None, _day(since), _day(until)), limit=1_000_000
        )
        services.audit.record(workspace.principal.name, "audit_export", channel="web", rows=len(found))
        path = Path(tempfile.mkdtemp(prefix="nhat-ky-")) / "nhat-ky.csv"
        path.write_text(services.audit.to_csv(found), encoding="utf-8")
        return str(path)

    def accounts(request: gr.Request) -> tuple[list[list], list[list]]:
        admin(request)
        users = [[u.name, u.role, "khoá" if u.disabled else "hoạt động", ", ".join(u.collections)] for u in services.accounts.list_users()]
        collections = [[c.name, c.level, ", ".join(c.readers), ", ".join(c.managers)] for c in services.accounts.list_collections()]
        return users, collections

    def feedback(request: gr.Request) -> list[list]:
        admin(request)
        return [[r["feedback_id"], r["at"][:16], r["user"], r["reason"], r["comment"], r["question"], r["answer"][:300], r["chunk_ids"]]
                for r in services.audit.negative_feedback_rows()]

    def feedback_file(suffix: str, request: gr.Request) -> str:
        workspace = admin(request)
        rows = services.audit.negative_feedback_rows()
        text = services.audit.feedback_csv(rows) if suffix == ".csv" else services.audit.feedback_questions(rows)
        services.audit.record(workspace.principal.name, "audit_export", channel="web", rows=len(rows), what=f"feedback{suffix}")
        path = Path(tempfile.mkdtemp(prefix="gop-y-")) / f"gop-y{suffix}"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def feedback_csv(request: gr.Request) -> str:
        return feedback_file(".csv", request)

    def feedback_jsonl(request: gr.Request) -> str:
        return feedback_file(".jsonl", request)

    with gr.Tab("Quản trị", visible=False) as tab:
        gr.Markdown("### Nhật ký kiểm tra")
        with gr.Row():
            user = gr.Textbox(label="Người dùng")
            action = gr.Dropdown(
                ["", "ask", "search", "draft", "draft_more", "export", "login", "login_failed", "logout", "upload", "refresh",
                 "delete", "download", "grant", "revoke", "user_add", "user_disable", "passwd", "history_delete", "audit_export"],
                value="", label="Hành động",
            )
            document = gr.Textbox(label="Tài liệu (tên tệp)")
            since = gr.Textbox(label="Từ ngày (YYYY-MM-DD)")
            until = gr.Textbox(label="Đến ngày (YYYY-MM-DD)")
        with gr.Row():
            show = gr.Button("Xem", variant="primary")
            csv = gr.Button("Xuất CSV")
        table = gr.Dataframe(headers=COLUMNS, type="array", interactive=False, wrap=True)
        csv_file = gr.File(label="Tệp CSV")
        filters = [user, action, document, since, until]
        show.click(events, filters, table, api_name="audit")
        csv.click(export, filters, csv_file, api_name="audit_csv")
        gr.Markdown("### Tài khoản và bộ tài liệu\nQuản lý bằng dòng lệnh: `app.py users …`, `app.py collections …`.")
        load = gr.Button("Tải danh sách")
        users = gr.Dataframe(headers=["Tài khoản", "Vai trò", "Trạng thái", "Bộ tài liệu được cấp"], type="array", interactive=False)
        collections = gr.Dataframe(headers=["Bộ tài liệu", "Mức", "Người đọc", "Người quản lý"], type="array", interactive=False)
        load.click(accounts, None, [users, collections], api_name="accounts")
        gr.Markdown("### Góp ý 👎 của người dùng\nXuất JSONL để chạy lại bằng `app.py eval TỆP --mode ask` (điền đáp án đúng trước).")
        with gr.Row():
            show_feedback = gr.Button("Xem góp ý")
            feedback_to_csv = gr.Button("Xuất CSV")
            feedback_to_jsonl = gr.Button("Xuất bộ câu hỏi JSONL")
        feedback_table = gr.Dataframe(
            headers=["Mã", "Thời gian", "Người dùng", "Lý do", "Góp ý", "Câu hỏi", "Câu trả lời", "Đoạn được trích"],
            type="array", interactive=False, wrap=True,
        )
        feedback_export = gr.File(label="Tệp góp ý")
        show_feedback.click(feedback, None, feedback_table, api_name="feedback_list")
        feedback_to_csv.click(feedback_csv, None, feedback_export, api_name="feedback_csv")
        feedback_to_jsonl.click(feedback_jsonl, None, feedback_export, api_name="feedback_jsonl")
    return tab
