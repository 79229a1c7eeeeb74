"""Limits on every input, on every channel: one member cannot slow everyone, and a bad input gets a clear
Vietnamese error, never a server error. A real server on loopback over the leak world, with small limits."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from gradio_client import Client

from access import AccessError
from tests.helpers import write_pdf
from tests.leak_world import QUESTION, login, organisation

LIMITS = {"user_rate_per_minute": 6, "user_concurrency": 1, "max_request_kb": 64, "max_upload_mb": 1, "max_pdf_pages": 3,
          "max_ocr_pages": 1, "max_search_k": 20}


@pytest.fixture(scope="module")
def limited(leak_index, tmp_path_factory):
    yield from organisation(leak_index, f"sqlite:///{tmp_path_factory.mktemp('limits-db') / 'app.db'}", **LIMITS)


def gradio(url: str, http: httpx.Client) -> Client:
    return Client(url, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())}, verbose=False)


def refusal(call) -> str:
    """The error a Gradio event raised (a refusal is shown to the member as an error message)."""
    with pytest.raises(Exception) as raised:  # gradio_client raises its own AppError
        call()
    return str(raised.value)


def test_every_channel_refuses_an_overlong_question(limited) -> None:
    _, url = limited
    member = login(url, "dangvien")
    long = "Đảng viên " * 500  # 5,000 characters; the limit is 4,000
    page = gradio(url, member)
    for api_name, args in (("/ask", (long,)), ("/chat", (long, [])), ("/search", (long, 5, "")),
                           ("/draft", ("dien-van-khai-mac", long, "", 2))):
        assert "vượt giới hạn 4000 ký tự" in refusal(lambda a=args, n=api_name: page.predict(*a, api_name=n)), api_name
    assert "20" in refusal(lambda: page.predict("kết nạp", 500, "", api_name="/search"))  # the slider's own bound
    for path, body in (("api/v1/ask", {"question": long}), ("api/v1/search", {"query": long}),
                       ("v1/chat/completions", {"messages": [{"role": "user", "content": long}]})):
        response = member.post(path, json=body, headers={"Origin": url.rstrip("/")})
        assert response.status_code == 413 and "vượt giới hạn" in response.json()["error"]["message"], path


def test_a_long_web_conversation_is_trimmed_not_refused(limited) -> None:
    _, url = limited
    page = gradio(url, login(url, "dangvien2"))
    history = [message for turn in range(40) for message in (
        {"role": "user", "content": [{"type": "text", "text": f"Câu hỏi số {turn}?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Trả lời. " * 60}]})]  # 40 turns > 20
    history, *_ = page.predict("Chi bộ Phòng Tổ chức kết nạp bao nhiêu đảng viên mới?", history, api_name="/chat")
    assert "03 đảng viên" in str(history[-1]["content"])


def test_request_bodies_are_bounded_before_anything_reads_them(limited) -> None:
    _, url = limited
    editor = login(url, "bientap2")
    big = {"question": "x", "history": [{"question": "y" * 1000, "answer": "z" * 1000}] * 40}  # ~80 KB > 64 KB
    headers = {"Origin": url.rstrip("/")}
    assert editor.post("api/v1/ask", json=big, headers=headers).status_code == 413
    assert editor.post("gradio_api/call/ask", json={"data": ["x" * 70_000]}, headers=headers).status_code == 413
    two_mb = {"files": ("lon.txt", b"a" * (2 * 1024 * 1024))}
    assert editor.post("gradio_api/upload", files=two_mb, headers=headers).status_code == 413  # Gradio's own limit, set from ours
    response = editor.post("api/v1/documents", data={"collection": "noi-bo"}, files=two_mb, headers=headers)
    assert response.status_code == 413 and "1 MB" in response.json()["error"]["message"]


def test_file_names_are_stored_as_a_file_system_takes_them_and_typed_by_what_is_stored(limited) -> None:
    services, url = limited
    editor = login(url, "bientap2")
    headers = {"Origin": url.rstrip("/")}

    def upload(name: str) -> httpx.Response:
        return editor.post("api/v1/documents", data={"collection": "noi-bo"},
                           files={"files": (name, "Thông báo lịch sinh hoạt chi bộ tháng 5.".encode())}, headers=headers)

    long = upload("Thông báo " * 40 + ".txt")  # 400 characters, ~500 bytes
    assert long.status_code == 202, long.text
    assert long.json()[0]["filename"].endswith(".txt") and len(long.json()[0]["filename"].encode()) <= 200
    sneaky = upload("bao-cao.txt\\.pdf")  # the stored name would be "pdf": no type at all
    assert sneaky.status_code == 415 and "định dạng không hỗ trợ" in sneaky.json()["error"]["message"]
    for job in long.json():
        services.jobs.wait(job["id"])


def test_a_pdf_longer_than_the_limit_is_refused_naming_the_file_and_the_limit(fresh_settings, embedder, tmp_path) -> None:
    from ingest import IngestError
    from ingest.loaders import ReadLimits, load_file
    from vectorstore import open_index

    pdf = write_pdf(tmp_path / "dai.pdf", [f"Trang {n} bao cao chi bo" for n in range(1, 6)])
    with pytest.raises(IngestError, match=r"dai\.pdf.*5 trang, vượt giới hạn 3 trang"):
        load_file(pdf, ReadLimits(pdf_pages=3, ocr_pages=1))
    assert len(load_file(pdf).pages) == 5  # no limits: the whole file
    index = open_index(fresh_settings.model_copy(update={"max_pdf_pages": 3}), embedder)
    report = index.indexer.sync([pdf])
    assert report.errors and "RAG_MAX_PDF_PAGES" in report.errors[0].cause and not report.added
    assert not index.store.all_ids()


def test_a_scan_with_more_pages_to_ocr_than_the_limit_is_refused_before_any_ocr(tmp_path) -> None:
    from PIL import Image

    from ingest import IngestError
    from ingest.loaders import ReadLimits, load_file

    pages = [Image.new("L", (600, 800), 255) for _ in range(3)]
    scan = tmp_path / "ban-quet.pdf"
    pages[0].save(scan, "PDF", save_all=True, append_images=pages[1:])
    with pytest.raises(IngestError, match=r"ban-quet\.pdf.*3 trang quét.*vượt giới hạn 1 trang"):
        load_file(scan, ReadLimits(pdf_pages=10, ocr_pages=1))


def test_one_member_gets_so_many_answers_a_minute_and_one_at_a_time(limited) -> None:
    """The same member by cookie in the web page and by REST: one count. Another member is not held back."""
    services, url = limited
    member = login(url, "bientap")
    headers = {"Origin": url.rstrip("/")}
    page = gradio(url, member)
    statuses = []
    for turn in range(LIMITS["user_rate_per_minute"] + 1):
        if turn % 2:
            statuses.append(member.post("api/v1/search", json={"query": "sinh hoạt chi bộ"}, headers=headers).status_code)
        else:
            try:
                page.predict("sinh hoạt chi bộ", 3, "", api_name="/search")
                statuses.append(200)
            except Exception as error:  # the page shows the refusal as an error
                statuses.append(429 if "trong một phút" in str(error) else 500)
    assert statuses == [200] * LIMITS["user_rate_per_minute"] + [429]
    other = login(url, "quantri")
    assert other.post("api/v1/search", json={"query": "sinh hoạt chi bộ"}, headers=headers).status_code == 200

    workspace = services.acting_as(services.accounts.get("dangvien2"), "api")
    first = workspace.stream(QUESTION)  # still being answered
    with pytest.raises(AccessError) as second:
        workspace.stream(QUESTION)
    assert second.value.status == 429 and "chưa xong" in str(second.value)
    list(first)  # done: the place is given back
    assert not workspace.ask("Chi bộ Phòng Tổ chức sinh hoạt vào lúc nào?").refused


def test_a_dropped_stream_gives_its_place_back(limited) -> None:
    services, _ = limited
    workspace = services.acting_as(services.accounts.get("dangvien"), "web")
    for _ in range(3):
        stream = workspace.stream("Chi bộ Phòng Tổ chức sinh hoạt vào lúc nào?")
        next(stream)
        stream.close()  # the member closed the page mid-answer
    assert services.usage.running == {}


def test_limits_do_not_apply_to_the_server_itself_or_personal_mode(limited) -> None:
    """The CLI, the bench and upload jobs run on the server, and personal mode's one user is its owner."""
    from access import LOCAL_ADMIN

    services, _ = limited
    for principal, channel in ((services.accounts.get("dangvien"), "cli"), (LOCAL_ADMIN, "web")):
        workspace = services.acting_as(principal, channel)
        held = [workspace.stream("Chi bộ sinh hoạt vào lúc nào?") for _ in range(3)]
        assert len(held) == 3
        for stream in held:
            list(stream)


def test_embeddings_are_bounded_in_count_and_length(limited) -> None:
    services, url = limited
    key, _ = services.keys.create("dangvien2", "khoa-nhung")
    api = httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {key}"})
    too_many = api.post("v1/embeddings", json={"input": ["x"] * (services.settings.max_embedding_inputs + 1)})
    assert too_many.status_code == 413 and str(services.settings.max_embedding_inputs) in too_many.json()["error"]["message"]
    too_long = api.post("v1/embeddings", json={"input": ["x" * (services.settings.max_embedding_chars + 1)]})
    assert too_long.status_code == 413


def test_a_lone_surrogate_gets_a_clear_error_not_a_server_error(limited) -> None:
    _, url = limited
    member = login(url, "dangvien2")
    body = json.dumps({"question": "Chi bộ \ud800 họp khi nào?"}).encode()
    response = member.post("api/v1/ask", content=body, headers={"Content-Type": "application/json", "Origin": url.rstrip("/")})
    assert response.status_code == 422 and "ký tự không hợp lệ" in response.json()["error"]["message"]


def test_many_members_at_once_each_get_their_answer(limited) -> None:
    """The per-member cap is per member: four members asking together are all answered."""
    services, _ = limited
    results: dict[str, bool] = {}

    def ask(name: str) -> None:
        results[name] = not services.acting_as(services.accounts.get(name), "api").ask("Chi bộ sinh hoạt vào lúc nào?").refused

    threads = [threading.Thread(target=ask, args=(name,)) for name in ("quantri", "bientap2", "dangvien", "dangvien2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 4
