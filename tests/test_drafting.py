"""Speech drafting: verbatim excerpts, exports, and the web tab through its HTTP API."""

import io
import re
from pathlib import Path

import docx
import httpx
import pytest
from gradio_client import Client

from access import AuditFilter
from chat.llm import ExtractiveBackend
from drafting import Drafter
from drafting.export import to_docx, to_markdown
from server.local import ServerThread

TOPIC = "diễn văn khai mạc đại hội chi bộ về chuyển đổi số và phát triển đảng viên"


@pytest.fixture(scope="module")
def outline(corpus_settings, corpus_index):
    drafter = Drafter(corpus_settings.model_copy(update={"llm_backend": "extractive"}), corpus_index, ExtractiveBackend())
    return drafter.draft(TOPIC, "dien-van-khai-mac")


def test_outline_has_verbatim_sourced_excerpts_from_several_documents(outline, corpus_index) -> None:
    assert outline.sections[0].title == "Lý do, ý nghĩa của Đại hội"
    excerpts = outline.excerpts()
    assert len(excerpts) >= 5
    assert len({e.source for e in excerpts}) >= 2
    for excerpt in excerpts:
        chunk_text = corpus_index.store.get([excerpt.id])[excerpt.id][0]
        assert chunk_text[excerpt.start : excerpt.end] == excerpt.quote
        assert excerpt.title and excerpt.date
    spans = [e.document_span for e in excerpts]
    assert len(spans) == len(set(spans))  # nothing quoted twice


def test_docx_export_structure(outline, tmp_path: Path) -> None:
    path = to_docx(outline, tmp_path / "ban-thao.docx")
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings[:-1] == [f"{i}. {s.title}" for i, s in enumerate(outline.sections, start=1)]
    assert headings[-1] == "Tài liệu trích dẫn"
    quotes = [i for i, p in enumerate(paragraphs) if p.style.name == "Quote"]
    assert len(quotes) == len(outline.excerpts())
    for index in quotes:
        assert paragraphs[index + 1].text.startswith("— ")  # each quote is followed by its reference
    references = [p for p in paragraphs if p.style.name == "List Number"]
    assert len(references) == len({e.document_span for e in outline.excerpts()})
    assert all(p.text.startswith("[") for p in references)


def test_markdown_export_structure(outline) -> None:
    text = to_markdown(outline)
    for index, section in enumerate(outline.sections, start=1):
        assert f"## {index}. {section.title}" in text
    for excerpt in outline.excerpts():
        assert f"“{excerpt.quote}”" in text
    assert text.index("## Tài liệu trích dẫn") > text.index(f"“{outline.excerpts()[-1].quote}”")


def test_drafting_tab_end_to_end_through_http(corpus_services) -> None:
    from server.app import create_app

    with ServerThread(create_app(corpus_services)) as server:
        client = Client(server.url, verbose=False)
        table, _, preview = client.predict("dien-van-khai-mac", "chuyển đổi số và phát triển đảng viên", "", 2, api_name="/draft")
        rows = table["data"]
        assert len(rows) >= 5 and "## 1. Lý do, ý nghĩa của Đại hội" in preview
        dropped = rows[0][3]
        rows[0][2] = False  # untick the first excerpt
        table, _, preview = client.predict(table | {"data": rows}, api_name="/apply_edits")
        assert dropped not in preview and len(table["data"]) == len(rows) - 1
        link = re.search(r"href='([^']+)'", client.predict(api_name="/export_docx")).group(1)
        exported = httpx.get(server.url + link, timeout=60)  # the API route, which checks the draft's owner again
        assert exported.status_code == 200, exported.text
        document = docx.Document(io.BytesIO(exported.content))
        assert any(p.style.name == "Quote" for p in document.paragraphs)
    exports = corpus_services.audit.events(AuditFilter(action="export"))
    assert exports and exports[0].chunk_ids  # the export is audited with the excerpts' chunk ids
