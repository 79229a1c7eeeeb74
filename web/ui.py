"""Gradio Blocks for the web app. Labels are Vietnamese; logic lives elsewhere."""

from __future__ import annotations

import html
from collections.abc import Iterator

import gradio as gr

from access import AccessError
from chat import Answer, LLMError, Preview, Queued, Turn
from chat.ruling import APPLICATION_LABEL
from server.auth import principal_of
from services import Services, Workspace
from vectorstore import SearchFilters
from web.admin_tab import build_admin_tab
from web.drafting_tab import build_tab
from web.history_tab import build_history_tab
from web.library_tab import build_library_tab
from web.markdown import escape_markdown, safe_markdown

EXAMPLE_QUESTIONS = [
    "Người vào Đảng phải đủ bao nhiêu tuổi?",
    "Ai phát biểu chỉ đạo tại Đại hội Chi bộ Trung tâm Thông tin – Thư viện nhiệm kỳ 2025-2027?",
    "Trường Đại học Công nghệ công bố chiến lược phát triển đến năm nào?",
]
PREVIEW_LABEL = "🔎 *Trích nguyên văn từ tài liệu (đang soạn câu trả lời đầy đủ…)*"
OCR_NOTE = "văn bản nhận dạng OCR từ bản quét, có thể sai dấu hoặc chữ"
PERSONAL_MODE = "<p>🔒 <b>Chế độ cá nhân</b> — không cần đăng nhập, chỉ truy cập được trực tiếp trên máy này (127.0.0.1).</p>"
ROLE_LABELS = {"admin": "quản trị", "editor": "biên tập", "member": "đảng viên"}
QUEUE_MARK = "⏳"  # starts the line that tells a member their place in front of the model
NOT_READY = "⚠️ Mô hình ngôn ngữ chưa sẵn sàng: {error}. Hãy kiểm tra cấu hình (RAG_LLM_BACKEND) hoặc dùng chế độ trích xuất."


def _highlight(text: str, start: int, end: int) -> str:
    return (
        html.escape(text[:start]) + "<mark>" + html.escape(text[start:end]) + "</mark>" + html.escape(text[end:])
    ).replace("\n", "<br>")


def render_sources(answer: Answer) -> str:
    """The answer's warnings, its citations, and the closest passages of a refusal."""
    parts = [f"<p class='flag'>⚠️ {html.escape(flag)}</p>" for flag in answer.flags]
    parts.append(render_citations(answer.citations))
    if answer.closest:
        parts.append("<p><b>Các đoạn gần nhất tìm được:</b></p>")
        parts.append(render_hits(answer.closest))
    return "\n".join(parts)


def render_citations(citations) -> str:
    """Each citation: title, date, clause/page, a link to the document, the quote, the whole chunk with the quote marked."""
    parts = []
    for c in citations:
        where = c.place
        link = f"api/v1/documents/{html.escape(c.doc_hash)}/file" + (f"#page={c.page}" if c.page else "")
        parts.append(
            f"<div class='citation' data-chunk-id='{html.escape(c.id)}'><b>[{c.n}] {html.escape(c.title)}</b> — "
            f"{html.escape(c.date or 'không rõ ngày')}, {where} · <a href='{link}' target='_blank'>Mở tài liệu</a>"
            + (f"<p class='ocr'>{OCR_NOTE}</p>" if c.ocr else "")
            + f"<blockquote>“{html.escape(c.quote)}”</blockquote>"
            f"<details><summary>Xem toàn đoạn <code>{html.escape(c.id)}</code></summary>"
            f"<p>{_highlight(c.text, c.start, c.end)}</p></details></div>"
        )
    return "\n".join(parts)


def answer_markdown(answer: Answer) -> str:
    """The chat bubble: the answer, its warnings, and its sources right under it. Whatever came from a document
    (titles, quotes, the sentences the answer repeats) is shown as text, never as an image, a link away or HTML."""
    lines = [safe_markdown(answer.answer)]
    lines += [f"> ⚠️ {escape_markdown(flag)}" for flag in answer.flags]
    if answer.citations:
        lines.append("\n**Nguồn:**")
        for c in answer.citations:
            where = escape_markdown(c.place)
            lines.append(
                f"- \\[{c.n}\\] *{escape_markdown(c.title)}* — {escape_markdown(c.date or 'không rõ ngày')}, {where}: "
                f"“{escape_markdown(c.quote)}”" + (f" ({OCR_NOTE})" if c.ocr else "")
            )
    return "\n".join(lines)


def render_hits(hits) -> str:
    if not hits:
        return "<p>Không tìm thấy đoạn văn nào phù hợp.</p>"
    cards = []
    for rank, hit in enumerate(hits, start=1):
        meta = hit.meta
        cards.append(
            f"<details class='source' data-chunk-id='{html.escape(hit.id)}'><summary><b>[{rank}] {html.escape(meta.title)}</b> — "
            f"{html.escape(meta.date or 'không rõ ngày')}, {meta.location}</summary>"
            f"<blockquote>{html.escape(hit.text).replace(chr(10), '<br>')}</blockquote></details>"
        )
    return "\n".join(cards)


def workspace_for(services: Services, request: gr.Request) -> Workspace:
    """The caller of a Gradio event, through the server's one authentication dependency."""
    try:
        principal = principal_of(services, request.cookies, request.headers, request.client.host if request.client else "")
    except AccessError as error:
        raise gr.Error(str(error)) from error
    return services.acting_as(principal, "web")


def queue_line(place: Queued) -> str:
    if not place.position:  # next, or waiting for the same question being written for another member
        return f"{QUEUE_MARK} *Mô hình đang viết câu trả lời…*"
    estimate = "" if place.estimate_seconds is None else f", khoảng {max(round(place.estimate_seconds), 1)} giây nữa"
    return f"{QUEUE_MARK} *Đang chờ lượt mô hình: vị trí {place.position}/{place.waiting}{estimate}.*"


def message_text(content: object) -> str:
    """A chat message's text: Gradio 6 sends a message's content as a list of parts ({"type": "text", "text": …})."""
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def history_turns(history: list[dict], turns_at_most: int, characters_at_most: int) -> list[Turn]:
    """The conversation's last turns within the limits: the page sends its whole conversation with each question,
    the assistant reads only the last few (a long chat is not refused for its length)."""
    turns, question = [], None
    for message in history:
        if message["role"] == "user":
            question = message_text(message["content"])
        elif question is not None:
            turns.append(Turn(question, message_text(message["content"])))
            question = None
    kept: list[Turn] = []
    size = 0
    for turn in reversed(turns[-turns_at_most:] if turns_at_most else []):
        size += len(turn.question) + len(turn.answer)
        if size > characters_at_most:
            break
        kept.append(turn)
    return kept[::-1]


def build(services: Services) -> gr.Blocks:
    settings = services.settings
    startup_error = services.backend_error

    def respond(question: str, history: list[dict], request: gr.Request) -> Iterator[tuple[list[dict], str, str, int | None]]:
        history = list(history or [])
        if not question or not question.strip():
            yield history, "", "", None
            return
        workspace = workspace_for(services, request)
        turns = history_turns(history, settings.max_history_turns, settings.max_history_chars)
        try:
            events = workspace.stream(question, turns)
        except AccessError as error:  # too long, or the member's limits: said in the page, the question kept
            raise gr.Error(str(error)) from error
        history = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        streamed, preview, kept = "", "…", ""
        try:
            for event in events:
                if isinstance(event, Answer):
                    history[-1] = {"role": "assistant", "content": answer_markdown(event)}
                    yield history, render_sources(event), "", event.audit_id
                elif isinstance(event, Preview):  # within a second: the verbatim sentences, until the model's answer
                    # The board's form keeps its căn cứ and quote: the model's reading is written below them.
                    kept = safe_markdown(event.answer) if event.kept else ""
                    preview = kept or f"{PREVIEW_LABEL}\n\n{safe_markdown(event.answer)}"
                    history[-1] = {"role": "assistant", "content": preview}
                    yield history, render_citations(event.citations), "", None
                elif isinstance(event, Queued):  # others are being answered: where this question stands
                    history[-1] = {"role": "assistant", "content": f"{preview}\n\n{queue_line(event)}"}
                    yield history, gr.skip(), "", None
                else:
                    streamed += event
                    shown = safe_markdown(streamed)
                    history[-1] = {"role": "assistant", "content": f"{kept}\n\n{APPLICATION_LABEL} {shown}" if kept else shown}
                    yield history, "", "", None
        except LLMError as error:
            history[-1] = {"role": "assistant", "content": NOT_READY.format(error=error)}
            yield history, "", "", None

    def ask(question: str, request: gr.Request) -> tuple[str, str]:
        """One question, no history: the endpoint tests and scripts call."""
        *_, (history, sources, _, _) = respond(question, [], request)
        return history[-1]["content"] if history else "", sources

    def search(query: str, k: float, kind: str, request: gr.Request) -> str:
        if not query or not query.strip():
            return "<p>Hãy nhập câu hỏi hoặc từ khoá.</p>"
        try:
            return render_hits(workspace_for(services, request).search(query, int(k), SearchFilters(kind=kind or None)))
        except (AccessError, TypeError, ValueError) as error:
            raise gr.Error(str(error)) from error

    def whoami(request: gr.Request):
        workspace = workspace_for(services, request)
        principal = workspace.principal
        if settings.auth:
            role = ROLE_LABELS.get(principal.role, principal.role)
            banner = (f"<form method='post' action='logout'>Đăng nhập: <b>{html.escape(principal.name)}</b> ({role}) · "
                      "<button type='submit'>Đăng xuất</button></form>")
        else:
            banner = PERSONAL_MODE
        return banner, gr.update(visible=principal.role in ("editor", "admin")), gr.update(visible=principal.is_admin)

    def rate(answer_id: int | None, helpful: bool, reason: str, comment: str, request: gr.Request) -> str:
        if not answer_id:
            raise gr.Error("Chưa có câu trả lời để đánh giá.")
        try:
            workspace_for(services, request).feedback(int(answer_id), helpful, "" if helpful else (reason or "khác"), comment or "")
        except AccessError as error:
            raise gr.Error(str(error)) from error
        return "Cảm ơn bạn đã góp ý." if helpful else "Đã ghi nhận góp ý; quản trị viên sẽ xem lại câu trả lời này."

    def thumbs_up(answer_id: int | None, reason: str, comment: str, request: gr.Request) -> str:
        return rate(answer_id, True, reason, comment, request)

    def thumbs_down(answer_id: int | None, reason: str, comment: str, request: gr.Request) -> str:
        return rate(answer_id, False, reason, comment, request)

    # Uploaded originals and audit exports do not stay in Gradio's folder: every 10 minutes, those older than an hour go.
    with gr.Blocks(title="Trợ lý tài liệu Đảng", delete_cache=(600, 3600)) as app:
        gr.Markdown("# Trợ lý tài liệu Đảng\nHỏi đáp về báo cáo, nghị quyết, quy định và tin hoạt động chi bộ — mỗi ý đều dẫn nguồn.")
        who = gr.HTML()
        if startup_error:
            gr.Markdown(NOT_READY.format(error=html.escape(startup_error)))
        with gr.Tab("Hỏi đáp"):
            chatbot = gr.Chatbot(label="Hội thoại", height=420)
            question = gr.Textbox(label="Câu hỏi", placeholder="Ví dụ: Người vào Đảng phải đủ bao nhiêu tuổi?", max_length=settings.max_question_chars)
            with gr.Row():
                send = gr.Button("Gửi", variant="primary")
                clear = gr.Button("Xoá hội thoại")
            sources = gr.HTML(label="Nguồn trích dẫn")
            answer_id = gr.State(None)
            with gr.Accordion("Câu trả lời này có đúng không?", open=False):
                with gr.Row():
                    reason = gr.Radio(["sai nội dung", "sai nguồn", "thiếu ý", "khác"], label="Lý do (khi chưa đúng)")
                    comment = gr.Textbox(label="Góp ý thêm (không bắt buộc)")
                with gr.Row():
                    good = gr.Button("👍 Đúng")
                    bad = gr.Button("👎 Chưa đúng")
                thanks = gr.Markdown()
            gr.Examples(EXAMPLE_QUESTIONS, inputs=question, label="Câu hỏi mẫu")
            send.click(respond, [question, chatbot], [chatbot, sources, question, answer_id], api_name="chat")
            question.submit(respond, [question, chatbot], [chatbot, sources, question, answer_id], api_visibility="private")
            good.click(thumbs_up, [answer_id, reason, comment], thanks, api_name="feedback_up")
            bad.click(thumbs_down, [answer_id, reason, comment], thanks, api_name="feedback_down")
            # In the browser alone: a round trip to the server could land after the next question is typed and wipe it.
            clear.click(None, None, [chatbot, sources, question], js="() => [[], '', '']", api_visibility="private")
            hidden_answer, hidden_sources = gr.Markdown(visible=False), gr.HTML(visible=False)
            gr.Button(visible=False).click(ask, question, [hidden_answer, hidden_sources], api_name="ask")
        with gr.Tab("Tra cứu"):
            query = gr.Textbox(label="Câu hỏi hoặc từ khoá", placeholder="Ví dụ: điều kiện kết nạp đảng viên", max_length=settings.max_question_chars)
            with gr.Row():
                k = gr.Slider(1, 20, value=settings.search_k, step=1, label="Số đoạn")
                kind = gr.Dropdown(
                    ["", "regulation", "guideline", "resolution", "directive", "news", "report"], value="", label="Loại văn bản"
                )
            find = gr.Button("Tìm", variant="primary")
            results = gr.HTML()
            find.click(search, [query, k, kind], results, api_name="search")
            query.submit(search, [query, k, kind], results, api_visibility="private")
        build_tab(services, workspace_for)
        build_history_tab(services, workspace_for)
        library_tab = build_library_tab(services, workspace_for)
        admin_tab = build_admin_tab(services, workspace_for)
        app.load(whoami, None, [who, library_tab, admin_tab], api_visibility="private")
    # Members line up in front of the model in its own queue (chat/queue.py), which tells each one their place and
    # shows the verbatim sentences meanwhile. Gradio's default of one run of an event at a time would serve the whole
    # organisation's questions strictly one after another, each member seeing nothing until those before had their
    # whole answer (measured: the third of three seeing its first line after 95 s instead of about 1 s).
    return app.queue(default_concurrency_limit=None)
