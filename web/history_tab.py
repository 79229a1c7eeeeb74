"""The "Lịch sử của tôi" tab: the user's own questions and answers, which the user may delete."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from services import Services, Workspace

COLUMNS = ["Mã", "Thời gian", "Câu hỏi", "Câu trả lời"]


def build_history_tab(services: Services, workspace_for: Callable[[Services, gr.Request], Workspace]) -> None:
    def rows(request: gr.Request) -> list[list]:
        principal = workspace_for(services, request).principal
        return [
            [turn.id, turn.at.strftime("%d/%m/%Y %H:%M"), turn.question, turn.answer[:300]]
            for turn in services.audit.history(principal)
        ]

    def forget(turn_id: float | None, request: gr.Request) -> list[list]:
        principal = workspace_for(services, request).principal
        if not turn_id:
            raise gr.Error("Hãy nhập mã mục cần xoá.")
        try:
            services.audit.forget(principal, int(turn_id), channel="web")
        except Exception as error:
            raise gr.Error(str(error)) from error
        return rows(request)

    def forget_all(request: gr.Request) -> list[list]:
        services.audit.forget(workspace_for(services, request).principal, channel="web")
        return rows(request)

    with gr.Tab("Lịch sử của tôi"):
        gr.Markdown("Các câu bạn đã hỏi. Chỉ bạn xem được; xoá ở đây không xoá nhật ký kiểm tra của hệ thống.")
        table = gr.Dataframe(headers=COLUMNS, type="array", interactive=False, wrap=True)
        with gr.Row():
            refresh = gr.Button("Tải lại")
            turn = gr.Number(label="Mã mục", precision=0)
            delete_one = gr.Button("Xoá mục này")
            delete_all = gr.Button("Xoá toàn bộ lịch sử", variant="stop")
        refresh.click(rows, None, table, api_name="history")
        delete_one.click(forget, turn, table, api_name="history_delete")
        delete_all.click(forget_all, None, table, api_name="history_delete_all")
