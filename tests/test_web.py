"""The web chat through its real HTTP API (gradio_client) on the real server, personal mode, extractive backend."""

import pytest
from gradio_client import Client

from server.app import create_app
from server.local import ServerThread


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


def test_members_asking_at_once_through_the_web_each_see_their_place_while_the_model_is_busy(corpus_settings, corpus_index, tmp_path) -> None:
    """The model is busy with another member's answer (its one-slot line held); two members ask in the web chat at
    the same moment, and each is shown the verbatim sentences and their place in line at once, not after the other's
    whole answer (Gradio's default, one run of an event at a time, did that). The extractive backend stands in for
    the model, given a one-slot line: it is the line that is under test."""
    import threading
    import time

    from chat.llm import ExtractiveBackend
    from chat.queue import GenerationQueue
    from services import build_services

    backend = ExtractiveBackend()
    backend.queue = GenerationQueue(slots=1)
    settings = corpus_settings.model_copy(update={"llm_backend": "extractive", "database_url": f"sqlite:///{tmp_path / 'app.db'}"})
    services = build_services(settings, index=corpus_index, backend=backend)
    holder = backend.queue.join()
    assert holder.wait(0)
    questions = ["Ai đại diện Đoàn Thư ký trình bày dự thảo Nghị quyết Đại hội?",
                 "Hội nghị tổng kết công tác Đảng năm 2023 của Trường Đại học Công nghệ diễn ra ngày nào?"]
    waiting: set[str] = set()
    answered: dict[str, str] = {}

    def member(question: str, client: Client) -> None:
        for history, *_ in client.submit(question, [], api_name="/chat"):
            text = str(history[-1]["content"]) if history else ""
            if "Đang chờ lượt mô hình" in text:
                waiting.add(question)
            answered[question] = text

    with ServerThread(create_app(services)) as server:
        members = [threading.Thread(target=member, args=(q, Client(server.url, verbose=False)), daemon=True) for q in questions]
        for thread in members:
            thread.start()
        deadline = time.monotonic() + 60
        while len(waiting) < len(questions) and time.monotonic() < deadline:
            time.sleep(0.2)
        seen_waiting = set(waiting)
        holder.leave()  # the other member's answer is done: the two are answered in turn
        for thread in members:
            thread.join(120)
    assert seen_waiting == set(questions)
    assert "Nguyễn Thị Hoàng Oanh" in answered[questions[0]] and "12/01/2024" in answered[questions[1]], answered


def test_the_queue_line_names_the_place_or_says_the_answer_is_being_written() -> None:
    from chat import Queued
    from web.ui import queue_line

    assert "vị trí 2/3" in queue_line(Queued(2, 3, 40.0)) and "40 giây" in queue_line(Queued(2, 3, 40.0))
    assert "đang viết" in queue_line(Queued(0, 3, 0.0)) and "vị trí" not in queue_line(Queued(0, 3, 0.0))
