"""Gradio Blocks for the web app. Labels are Vietnamese; logic lives elsewhere."""

from __future__ import annotations

import html
from collections.abc import Iterator

import gradio as gr

from chat import Answer, Assistant, LLMError, Turn
from drafting import Drafter
from settings import Settings
from vectorstore import Index, SearchFilters
from web.drafting_tab import build_tab

EXAMPLE_QUESTIONS = [
    "Người vào Đảng phải đủ bao nhiêu tuổi?",
    "Ai phát biểu chỉ đạo tại Đại hội Chi bộ Trung tâm Thông tin – Thư viện nhiệm kỳ 2025-2027?",
    "Trường Đại học Công nghệ công bố chiến lược phát triển đến năm nào?",
]
NOT_READY = "⚠️ Mô hình ngôn ngữ chưa sẵn sàng: {error}. Hãy kiểm tra cấu hình (RAG_LLM_BACKEND) hoặc dùng chế độ trích xuất."


def _where(meta: dict) -> str:
    return f"trang {meta['page']}" if meta.get("page") else f"đoạn {meta.get('paragraph')}"


def _highlight(text: str, start: int, end: int) -> str:
    return (
        html.escape(text[:start]) + "<mark>" + html.escape(text[start:end]) + "</mark>" + html.escape(text[end:])
    ).replace("\n", "<br>")


def render_sources(answer: Answer) -> str:
    """Each citation: title, date, page, the quote, and the whole chunk with the quote marked."""
    parts = [f"<p class='flag'>⚠️ {html.escape(flag)}</p>" for flag in answer.flags]
    for c in answer.citations:
        where = f"trang {c.page}" if c.page else f"đoạn {c.paragraph}"
        parts.append(
            f"<div class='citation' data-chunk-id='{html.escape(c.id)}'><b>[{c.n}] {html.escape(c.title)}</b> — "
            f"{html.escape(c.date or 'không rõ ngày')}, {where}<blockquote>“{html.escape(c.quote)}”</blockquote>"
            f"<details><summary>Xem toàn đoạn <code>{html.escape(c.id)}</code></summary>"
            f"<p>{_highlight(c.text, c.start, c.end)}</p></details></div>"
        )
    if answer.closest:
        parts.append("<p><b>Các đoạn gần nhất tìm được:</b></p>")
        parts.append(render_hits(answer.closest))
    return "\n".join(parts)


def answer_markdown(answer: Answer) -> str:
    """The chat bubble: the answer, its warnings, and its sources right under it."""
    lines = [answer.answer]
    lines += [f"> ⚠️ {flag}" for flag in answer.flags]
    if answer.citations:
        lines.append("\n**Nguồn:**")
        for c in answer.citations:
            where = f"tr. {c.page}" if c.page else f"đoạn {c.paragraph}"
            lines.append(f"- [{c.n}] *{c.title}* — {c.date or 'không rõ ngày'}, {where}: “{c.quote}”")
    return "\n".join(lines)


def render_hits(hits) -> str:
    if not hits:
        return "<p>Không tìm thấy đoạn văn nào phù hợp.</p>"
    cards = []
    for rank, hit in enumerate(hits, start=1):
        meta = hit.metadata
        cards.append(
            f"<details class='source' data-chunk-id='{html.escape(hit.id)}'><summary><b>[{rank}] {html.escape(meta.get('title', ''))}</b> — "
            f"{html.escape(meta.get('date') or 'không rõ ngày')}, {_where(meta)}</summary>"
            f"<blockquote>{html.escape(hit.text).replace(chr(10), '<br>')}</blockquote></details>"
        )
    return "\n".join(cards)


def build(
    settings: Settings, index: Index, assistant: Assistant | None, startup_error: str = "", drafter: Drafter | None = None
) -> gr.Blocks:
    def history_turns(history: list[dict]) -> list[Turn]:
        turns, question = [], None
        for message in history:
            if message["role"] == "user":
                question = message["content"]
            elif question is not None:
                turns.append(Turn(str(question), str(message["content"])))
                question = None
        return turns

    def respond(question: str, history: list[dict]) -> Iterator[tuple[list[dict], str, str]]:
        history = list(history or [])
        if not question or not question.strip():
            yield history, "", ""
            return
        if assistant is None:
            yield [*history, {"role": "user", "content": question}, {"role": "assistant", "content": NOT_READY.format(error=startup_error)}], "", ""
            return
        turns = history_turns(history)
        history = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        streamed = ""
        try:
            for event in assistant.stream(question, turns):
                if isinstance(event, Answer):
                    history[-1] = {"role": "assistant", "content": answer_markdown(event)}
                    yield history, render_sources(event), ""
                else:
                    streamed += event
                    history[-1] = {"role": "assistant", "content": streamed}
                    yield history, "", ""
        except LLMError as error:
            history[-1] = {"role": "assistant", "content": NOT_READY.format(error=error)}
            yield history, "", ""

    def ask(question: str) -> tuple[str, str]:
        """One question, no history: the endpoint tests and scripts call."""
        *_, (history, sources, _) = respond(question, [])
        return history[-1]["content"] if history else "", sources

    def search(query: str, k: float, kind: str) -> str:
        if not query or not query.strip():
            return "<p>Hãy nhập câu hỏi hoặc từ khoá.</p>"
        return render_hits(index.searcher.search(query, int(k), SearchFilters(kind=kind or None)))

    with gr.Blocks(title="Trợ lý tài liệu Đảng") as app:
        gr.Markdown("# Trợ lý tài liệu Đảng\nHỏi đáp về báo cáo, nghị quyết, quy định và tin hoạt động chi bộ — mỗi ý đều dẫn nguồn.")
        if startup_error:
            gr.Markdown(NOT_READY.format(error=html.escape(startup_error)))
        with gr.Tab("Hỏi đáp"):
            chatbot = gr.Chatbot(label="Hội thoại", height=420)
            question = gr.Textbox(label="Câu hỏi", placeholder="Ví dụ: Người vào Đảng phải đủ bao nhiêu tuổi?")
            with gr.Row():
                send = gr.Button("Gửi", variant="primary")
                clear = gr.Button("Xoá hội thoại")
            sources = gr.HTML(label="Nguồn trích dẫn")
            gr.Examples(EXAMPLE_QUESTIONS, inputs=question, label="Câu hỏi mẫu")
            send.click(respond, [question, chatbot], [chatbot, sources, question], api_name="chat")
            question.submit(respond, [question, chatbot], [chatbot, sources, question], api_name=False)
            clear.click(lambda: ([], "", ""), None, [chatbot, sources, question], api_name=False)
            hidden_answer, hidden_sources = gr.Markdown(visible=False), gr.HTML(visible=False)
            gr.Button(visible=False).click(ask, question, [hidden_answer, hidden_sources], api_name="ask")
        with gr.Tab("Tra cứu"):
            query = gr.Textbox(label="Câu hỏi hoặc từ khoá", placeholder="Ví dụ: điều kiện kết nạp đảng viên")
            with gr.Row():
                k = gr.Slider(1, 20, value=settings.search_k, step=1, label="Số đoạn")
                kind = gr.Dropdown(
                    ["", "regulation", "guideline", "resolution", "directive", "news", "report"], value="", label="Loại văn bản"
                )
            find = gr.Button("Tìm", variant="primary")
            results = gr.HTML()
            find.click(search, [query, k, kind], results, api_name="search")
            query.submit(search, [query, k, kind], results, api_name=False)
        build_tab(drafter)
    return app


def launch(settings: Settings, index: Index) -> None:
    from chat import make_backend

    assistant, drafter, error = None, None, ""
    try:
        backend = make_backend(settings)
        assistant = Assistant(settings, index, backend)
        drafter = Drafter(settings, index, backend)
    except Exception as failure:
        error = str(failure)
    build(settings, index, assistant, error, drafter).queue().launch(server_name=settings.host, server_port=settings.port)
