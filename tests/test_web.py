"""The web chat through its real HTTP API (gradio_client) on the real server, personal mode, extractive backend."""

import pytest
from gradio_client import Client

from server.app import create_app
from tests.helpers import ServerThread


@pytest.fixture(scope="module")
def web_client(corpus_services):
    with ServerThread(create_app(corpus_services)) as server:
        yield Client(server.url, verbose=False)


def test_answerable_question_shows_its_cited_passage(web_client, corpus_index) -> None:
    answer, sources = web_client.predict("Ai đại diện Đoàn Thư ký trình bày dự thảo Nghị quyết Đại hội?", api_name="/ask")
    assert "Nguyễn Thị Hoàng Oanh" in answer and "[" in answer and "Nguồn:" in answer
    assert "data-chunk-id=" in sources and "<mark>" in sources and "Nguyễn Thị Hoàng Oanh" in sources
    chunk_id = sources.split("data-chunk-id='")[1].split("'")[0]
    assert corpus_index.store.get([chunk_id])  # the shown source is a real chunk of the store


def test_unanswerable_question_is_refused_with_closest_passages(web_client) -> None:
    answer, sources = web_client.predict("Thời tiết Hà Nội hôm nay thế nào?", api_name="/ask")
    assert "ngoài phạm vi" in answer or "không đề cập" in answer
    assert "<mark>" not in sources  # nothing is presented as a citation


def test_search_tab_endpoint(web_client) -> None:
    html = web_client.predict("tuổi đời người vào Đảng", 3, "", api_name="/search")
    assert html.count("data-chunk-id=") == 3
