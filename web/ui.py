"""Gradio Blocks for the web app. Labels are Vietnamese; logic lives elsewhere."""

from __future__ import annotations

import html

import gradio as gr

from settings import Settings
from vectorstore import Index, SearchFilters

EXAMPLE_QUERIES = [
    "Tuổi đời của người vào Đảng theo Quy định 294-QĐ/TW",
    "Ai phát biểu chỉ đạo tại Đại hội Chi bộ Trung tâm Thông tin – Thư viện?",
    "chi bo ket nap dang vien",
]


def render_hits(hits) -> str:
    """Sources as HTML cards: title, date, page/paragraph, and the passage itself."""
    if not hits:
        return "<p>Không tìm thấy đoạn văn nào phù hợp.</p>"
    cards = []
    for rank, hit in enumerate(hits, start=1):
        row = hit.to_json()
        where = f"trang {row['page']}" if row["page"] else f"đoạn {row['paragraph']}"
        cards.append(
            f"<details class='source' open><summary><b>[{rank}] {html.escape(row['title'])}</b> — "
            f"{html.escape(row['date'] or 'không rõ ngày')}, {where} "
            f"<code>{html.escape(row['id'])}</code></summary>"
            f"<blockquote>{html.escape(hit.text).replace(chr(10), '<br>')}</blockquote></details>"
        )
    return "\n".join(cards)


def build(settings: Settings, index: Index) -> gr.Blocks:
    def search(query: str, k: float, kind: str) -> str:
        if not query or not query.strip():
            return "<p>Hãy nhập câu hỏi hoặc từ khoá.</p>"
        filters = SearchFilters(kind=kind or None)
        return render_hits(index.searcher.search(query, int(k), filters))

    with gr.Blocks(title="Trợ lý tài liệu Đảng") as app:
        gr.Markdown("# Trợ lý tài liệu Đảng\nTra cứu báo cáo, nghị quyết, quy định và tin hoạt động chi bộ, có dẫn nguồn.")
        with gr.Tab("Tra cứu"):
            query = gr.Textbox(label="Câu hỏi hoặc từ khoá", placeholder="Ví dụ: điều kiện kết nạp đảng viên")
            with gr.Row():
                k = gr.Slider(1, 20, value=settings.search_k, step=1, label="Số đoạn")
                kind = gr.Dropdown(
                    ["", "regulation", "guideline", "resolution", "directive", "news", "report"],
                    value="",
                    label="Loại văn bản",
                )
            button = gr.Button("Tìm", variant="primary")
            results = gr.HTML()
            gr.Examples(EXAMPLE_QUERIES, inputs=query)
            button.click(search, [query, k, kind], results, api_name="search")
            query.submit(search, [query, k, kind], results)
    return app


def launch(settings: Settings, index: Index) -> None:
    build(settings, index).queue().launch(server_name=settings.host, server_port=settings.port)
