"""The "Thư viện" tab (editors, administrators): upload with per-file progress, the document list, delete, move.

Uploads become server-side jobs (see :mod:`library.jobs`), so a closed page loses nothing:
the job table below is read from the database every second and shows the same on reload.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import gradio as gr
from gradio import utils as gradio_utils

from access import AccessError
from services import Services, Workspace

STAGES = {"": "", "reading": "đọc tệp / OCR", "embedding": "nhúng đoạn văn"}
STATUS = {"queued": "⏳ chờ", "running": "⚙️ đang nạp", "done": "✅ xong", "failed": "❌ lỗi"}
DOCUMENT_COLUMNS = [
    "Mã", "Tiêu đề", "Số hiệu", "Loại", "Ngày", "Hiệu lực từ", "Quan hệ", "Cơ quan ban hành", "Bộ tài liệu", "Trang", "Đoạn",
    "Thêm lúc", "Người thêm", "Tệp",
]


def jobs_html(jobs) -> str:
    """One row per file with its own progress bar, and the overall bar on top."""
    if not jobs:
        return "<p>Chưa có tệp nào được tải lên.</p>"
    finished = sum(job.status in ("done", "failed") for job in jobs)
    overall = sum(1.0 if job.status in ("done", "failed") else job.progress * 0.9 for job in jobs) / len(jobs)
    rows = [
        f"<p><b>Tổng: {finished}/{len(jobs)} tệp xong</b> <progress class='overall' value='{overall:.2f}' max='1'></progress></p>",
        "<table class='jobs'><tr><th>Mã</th><th>Tệp</th><th>Bộ</th><th>Trạng thái</th><th>Tiến độ</th><th>Kết quả</th></tr>",
    ]
    for job in jobs:
        result = html.escape(job.message) if job.status == "failed" else (f"{job.chunks} đoạn" if job.status == "done" else "")
        if job.status == "done" and job.message:
            result += f" ({html.escape(job.message)})"
        rows.append(
            f"<tr class='job {job.status}' data-job-id='{job.id}'><td>{job.id}</td><td>{html.escape(job.filename)}</td>"
            f"<td>{html.escape(job.collection)}</td><td>{STATUS[job.status]} {STAGES.get(job.stage, '')}</td>"
            f"<td><progress value='{1.0 if job.status in ('done', 'failed') else job.progress:.2f}' max='1'></progress></td>"
            f"<td class='result'>{result}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def received_file(file: object, limit_mb: int) -> Path:
    """A file Gradio itself received in an upload: a regular file inside its upload folder, within the size limit.

    The event's input is a path the client names; a client that names a server file (or /dev/zero) instead of
    the one it uploaded is refused here, before anything is read."""
    name = str(file or "")
    folder = Path(gradio_utils.get_upload_folder()).resolve()
    path = Path(name).resolve()
    if not name or not path.is_relative_to(folder) or path == folder or not path.is_file():
        raise AccessError(f"{Path(name).name or 'tệp'}: không phải tệp vừa tải lên.", 400, "not_uploaded")
    limit = limit_mb * 1024 * 1024
    if path.stat().st_size > limit:
        path.unlink(missing_ok=True)
        raise AccessError(f"{path.name}: tệp lớn hơn giới hạn {limit_mb} MB.", 413, "file_too_large")
    return path


def build_library_tab(services: Services, workspace_for: Callable[[Services, gr.Request], Workspace]) -> gr.Tab:
    def editor(request: gr.Request) -> Workspace:
        workspace = workspace_for(services, request)
        if workspace.principal.role not in ("editor", "admin"):
            raise gr.Error("Chức năng này dành cho biên tập viên và quản trị viên.")
        return workspace

    def managed(request: gr.Request):
        workspace = editor(request)
        names = [c.name for c in services.accounts.list_collections() if services.accounts.may_manage(workspace.principal, c.name)]
        return gr.update(choices=names, value=names[0] if names else None)

    def upload(files: list[str] | None, collection: str, request: gr.Request) -> str:
        workspace = editor(request)
        if not files:
            raise gr.Error("Hãy chọn ít nhất một tệp.")
        if not collection:
            raise gr.Error("Hãy chọn bộ tài liệu.")
        problems = []
        for file in files:
            try:
                path = received_file(file, services.settings.max_upload_mb)
                try:
                    services.jobs.submit(workspace.principal, collection, path.name, path.read_bytes())
                finally:
                    path.unlink(missing_ok=True)  # the library keeps its own copy; Gradio's is not left behind
            except AccessError as error:
                problems.append(str(error))
        if problems:
            gr.Warning("; ".join(problems))
        return jobs(request)

    def jobs(request: gr.Request) -> str:
        return jobs_html(services.jobs.jobs(editor(request).principal, limit=50))

    def retry(job_id: float | None, request: gr.Request) -> str:
        try:
            services.jobs.retry(editor(request).principal, int(job_id or 0))
        except AccessError as error:
            raise gr.Error(str(error)) from error
        return jobs(request)

    def documents(filter_text: str, request: gr.Request) -> list[list]:
        needle = (filter_text or "").strip().lower()
        rows = []
        for info in editor(request).documents():
            meta = info.meta
            relations = "; ".join(relation.phrase for relation in meta.relation_list())
            row = [meta.doc_hash, meta.title, meta.number, meta.kind, meta.date, meta.in_force, relations, meta.issuer, meta.collection,
                   info.pages, info.chunks, meta.added_at.replace("T", " ")[:16], meta.added_by, meta.source]
            if not needle or needle in " ".join(map(str, row)).lower():
                rows.append(row)
        return rows

    def show_text(doc_hash: str, request: gr.Request) -> str:
        workspace = editor(request)
        try:
            pages = workspace.document_pages(doc_hash.strip())
        except AccessError as error:
            raise gr.Error(str(error)) from error
        return "\n\n".join(f"**— {label} —**\n\n{text}" for label, text in pages)

    def delete(doc_hash: str, filter_text: str, request: gr.Request) -> list[list]:
        try:
            source = editor(request).delete_document(doc_hash.strip())
        except AccessError as error:
            raise gr.Error(str(error)) from error
        gr.Info(f"Đã xoá {source}.")
        return documents(filter_text, request)

    def reindex(doc_hash: str, filter_text: str, request: gr.Request) -> list[list]:
        try:
            report = editor(request).reindex(doc_hash.strip())
        except AccessError as error:
            raise gr.Error(str(error)) from error
        if report.errors:
            raise gr.Error(report.errors[0].cause)
        gr.Info(f"Đã nạp lại: {report.chunks_written} đoạn.")
        return documents(filter_text, request)

    def move(doc_hash: str, target: str, filter_text: str, request: gr.Request) -> list[list]:
        try:
            editor(request).move_document(doc_hash.strip(), target)
        except AccessError as error:
            raise gr.Error(str(error)) from error
        return documents(filter_text, request)

    with gr.Tab("Thư viện", visible=False) as tab:
        gr.Markdown("### Tải tài liệu lên\nPDF (cả bản quét: tự nhận dạng OCR tiếng Việt), DOCX, TXT, MD, HTML. "
                    "Việc nạp chạy trên máy chủ: đóng trang vẫn tiếp tục, mở lại sẽ thấy tiến độ.")
        with gr.Row():
            files = gr.File(label="Tệp", file_count="multiple", type="filepath")
            with gr.Column():
                collection = gr.Dropdown([], label="Bộ tài liệu", allow_custom_value=True)  # choices: the caller's own, on opening
                send = gr.Button("Tải lên và nạp", variant="primary")
        progress = gr.HTML(elem_id="jobs")
        with gr.Row():
            job_id = gr.Number(label="Mã công việc lỗi", precision=0)
            again = gr.Button("Chạy lại")
        gr.Markdown("### Tài liệu trong thư viện")
        with gr.Row():
            filter_text = gr.Textbox(label="Lọc (tiêu đề, số hiệu, bộ…)")
            refresh = gr.Button("Tải danh sách")
        table = gr.Dataframe(headers=DOCUMENT_COLUMNS, type="array", interactive=False, wrap=True)
        with gr.Row():
            doc_hash = gr.Textbox(label="Mã tài liệu")
            target = gr.Dropdown([], label="Chuyển sang bộ", allow_custom_value=True)
        with gr.Row():
            show = gr.Button("Xem nội dung theo trang")
            moving = gr.Button("Chuyển bộ")
            reindexing = gr.Button("Nạp lại")
            removing = gr.Button("Xoá tài liệu", variant="stop")
        text = gr.Markdown()
        send.click(upload, [files, collection], progress, api_name="library_upload")
        again.click(retry, job_id, progress, api_name="library_retry")
        refresh.click(documents, filter_text, table, api_name="library_documents")
        filter_text.submit(documents, filter_text, table, api_visibility="private")
        show.click(show_text, doc_hash, text, api_name="library_text")
        removing.click(delete, [doc_hash, filter_text], table, api_name="library_delete")
        moving.click(move, [doc_hash, target, filter_text], table, api_name="library_move")
        reindexing.click(reindex, [doc_hash, filter_text], table, api_name="library_reindex")
        timer = gr.Timer(1.0, active=False)
        timer.tick(jobs, None, progress, api_visibility="private")
        tab.select(managed, None, collection, api_visibility="private").then(managed, None, target, api_visibility="private").then(
            lambda: gr.Timer(active=True), None, timer, api_visibility="private"
        )
    return tab
