"""The HTTP API as its users call it: the `openai` client, curl, and REST with per-user keys.

A real server on loopback over the leak-world documents (extractive answers, so every
answer is deterministic); contract tests for each endpoint's codes, schemas and errors.
"""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import openai
import pytest

from access import AuditFilter
from access.ratelimit import RateLimiter
from tests.leak_world import QUESTION, organisation


@pytest.fixture(scope="module")
def api(leak_index, tmp_path_factory):
    for services, url in organisation(leak_index, f"sqlite:///{tmp_path_factory.mktemp('api-db') / 'app.db'}"):
        services.settings.max_upload_mb = 1
        keys = {name: services.keys.create(name, f"khoa-{name}")[0] for name in ("quantri", "bientap", "dangvien")}
        yield services, url, keys


def client(url: str, key: str | None) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=300, headers={"Authorization": f"Bearer {key}"} if key else {})


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["message"]


def test_openai_client_gets_a_cited_answer(api) -> None:
    services, url, keys = api
    llm = openai.OpenAI(base_url=url + "v1", api_key=keys["bientap"])
    response = llm.chat.completions.create(model="all", messages=[{"role": "user", "content": QUESTION}])
    message = response.choices[0].message
    assert "khiển trách" in message.content and "[1]" in message.content
    citations = message.model_extra["citations"]
    assert citations and citations[0]["quote"] in services.index.store.get([citations[0]["id"]])[citations[0]["id"]][0]
    assert citations[0]["url"].startswith("/api/v1/documents/") and citations[0]["title"]
    assert message.model_extra["refused"] is False
    assert {model.id for model in llm.models.list()} == {"all", "cong-khai", "noi-bo", "mat-kiem-tra"}


def test_openai_client_streams_text_then_citations(api) -> None:
    _, url, keys = api
    llm = openai.OpenAI(base_url=url + "v1", api_key=keys["bientap"])
    pieces, citations = [], None
    for chunk in llm.chat.completions.create(model="mat-kiem-tra", messages=[{"role": "user", "content": QUESTION}], stream=True):
        delta = chunk.choices[0].delta
        if delta.content:
            pieces.append(delta.content)
        if chunk.choices[0].finish_reason == "stop":
            citations = chunk.model_extra["citations"]
    assert len(pieces) > 5 and "khiển trách" in "".join(pieces)
    assert citations and all(c["id"] for c in citations)


def test_follow_up_uses_the_message_history(api) -> None:
    _, url, keys = api
    llm = openai.OpenAI(base_url=url + "v1", api_key=keys["bientap"])
    messages = [
        {"role": "system", "content": "Trả lời ngắn."},
        {"role": "user", "content": "Ủy ban Kiểm tra kết luận gì về đảng viên Trịnh Quang Vỹ?"},
        {"role": "assistant", "content": "Đảng viên này vi phạm quy định về bảo vệ bí mật nội bộ."},
        {"role": "user", "content": "Còn hình thức kỷ luật thì sao?"},
    ]
    message = llm.chat.completions.create(model="all", messages=messages).choices[0].message
    assert "khiển trách" in message.content


def test_curl_streams_server_sent_events(api) -> None:
    _, url, keys = api
    body = json.dumps({"model": "all", "stream": True, "messages": [{"role": "user", "content": QUESTION}]})
    result = subprocess.run(
        ["curl", "-sN", f"{url}v1/chat/completions", "-H", f"Authorization: Bearer {keys['bientap']}",
         "-H", "Content-Type: application/json", "-d", body],
        capture_output=True, text=True, timeout=300,
    )
    events = [line.removeprefix("data: ") for line in result.stdout.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]" and len(events) > 5
    final = json.loads(events[-2])
    assert final["choices"][0]["finish_reason"] == "stop" and final["citations"]


def test_keys_401_and_403(api) -> None:
    services, url, keys = api
    assert error_of(client(url, None).post("api/v1/ask", json={"question": QUESTION}))[:2] == (401, "unauthenticated")
    assert error_of(client(url, "rag_khong-ton-tai").get("v1/models"))[:2] == (401, "invalid_key")
    assert client(url, keys["dangvien"]).get("api/v1/audit").status_code == 403
    status, code, message = error_of(client(url, keys["dangvien"]).post(
        "v1/chat/completions", json={"model": "mat-kiem-tra", "messages": [{"role": "user", "content": QUESTION}]}))
    assert (status, code) == (404, "unknown_collection") and "mat-kiem-tra" in message
    revoked, info = services.keys.create("dangvien", "tam-thoi")
    assert client(url, revoked).get("v1/models").status_code == 200
    services.keys.revoke(info.id)
    assert client(url, revoked).get("v1/models").status_code == 401
    expired, _ = services.keys.create("dangvien", "het-han", expires_days=-1)
    assert client(url, expired).get("v1/models").status_code == 401
    with services.accounts.sessions() as session:  # stored hashed: the key itself is nowhere in the database
        from sqlalchemy import text

        dump = " ".join(str(row) for row in session.execute(text("SELECT * FROM api_keys")))
    assert keys["dangvien"] not in dump and revoked not in dump


def test_every_api_call_is_audited_with_the_key_label(api) -> None:
    services, url, keys = api
    answer = client(url, keys["dangvien"]).post("api/v1/ask", json={"question": "Chi bộ Phòng Tổ chức kết nạp bao nhiêu đảng viên mới?"})
    assert answer.status_code == 200 and not answer.json()["refused"] and "03" in answer.json()["answer"]
    row = services.audit.events(AuditFilter(user="dangvien", action="ask"))[0]
    assert row.channel == "api" and "khoa-dangvien" in row.detail and row.chunk_ids


def test_per_key_rate_limit(api) -> None:
    services, url, keys = api
    original, services.rate_limiter = services.rate_limiter, RateLimiter(3)
    try:
        codes = [client(url, keys["dangvien"]).get("v1/models").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        assert client(url, keys["bientap"]).get("v1/models").status_code == 200  # other keys are not slowed
    finally:
        services.rate_limiter = original


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("api/v1/ask", {"question": "   "}, (422, "empty_question")),
        ("api/v1/ask", {"question": "Đảng viên " * 5000}, (413, "question_too_long")),
        ("api/v1/search", {"query": ""}, (422, "empty_question")),
        ("api/v1/ask", {"question": QUESTION, "collection": "khong-co-bo-nay"}, (404, "unknown_collection")),
        ("api/v1/search", {"query": "x", "k": 500}, (422, "bad_k")),
        ("api/v1/ask", {"question": "Chi bộ \ud800?"}, (422, "invalid_text")),
        ("api/v1/ask", {"question": QUESTION, "history": [{"question": "Hỏi?", "answer": "Đáp."}] * 21}, (413, "history_too_long")),
        ("api/v1/drafts", {"topic": "chi bộ " * 2000}, (413, "question_too_long")),
        ("v1/chat/completions", {"messages": [{"role": "user", "content": "Hỏi?"}, {"role": "assistant", "content": "x" * 40_001},
                                               {"role": "user", "content": QUESTION}]}, (413, "history_too_long")),
        ("api/v1/drafts", {"topic": "chi bộ", "kind": "khong-co"}, (422, "unknown_kind")),
        ("v1/chat/completions", {"model": "all", "messages": []}, (422, "no_question")),
        ("v1/chat/completions", {"messages": [{"role": "user", "content": ""}]}, (422, "empty_question")),
    ],
)
def test_bad_input_gets_a_vietnamese_json_error(api, path, body, expected) -> None:
    _, url, keys = api
    content = json.dumps(body).encode()  # ASCII escapes: a lone surrogate arrives as a client would send it
    status, code, message = error_of(client(url, keys["dangvien"]).post(path, content=content, headers={"Content-Type": "application/json"}))
    assert (status, code) == expected and message and message[0].isupper()


def test_invalid_json_is_refused_in_vietnamese(api) -> None:
    _, url, keys = api
    response = client(url, keys["dangvien"]).post("api/v1/ask", content=b"{khong phai json", headers={"Content-Type": "application/json"})
    assert error_of(response)[:2] == (422, "invalid_json") and "JSON" in error_of(response)[2]


def test_search_contract(api) -> None:
    _, url, keys = api
    hits = client(url, keys["dangvien"]).post("api/v1/search", json={"query": "kết nạp đảng viên mới", "k": 2}).json()
    assert len(hits) == 2 and {"id", "score", "text", "title", "source", "date", "page", "collection"} <= set(hits[0])
    assert {hit["collection"] for hit in hits} <= {"cong-khai", "noi-bo"}


def upload(http: httpx.Client, collection: str, name: str, data: bytes) -> httpx.Response:
    return http.post("api/v1/documents", data={"collection": collection}, files={"files": (name, data)})


def wait_for(http: httpx.Client, job_id: int) -> dict:
    for _ in range(600):
        job = http.get(f"api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError("job did not finish")


def test_upload_poll_list_download_ask_delete(api) -> None:
    services, url, keys = api
    editor, member = client(url, keys["bientap"]), client(url, keys["dangvien"])
    fact = "Ngày 02/4/2025, Ban Kiểm tra họp chuyên đề và thống nhất lịch giám sát 05 chi bộ trực thuộc trong quý II."
    queued = upload(editor, "mat-kiem-tra", "lich-giam-sat.txt", f"Lịch giám sát quý II năm 2025\n\n{fact}".encode())
    assert queued.status_code == 202 and queued.json()[0]["status"] in ("queued", "running", "done")
    job = wait_for(editor, queued.json()[0]["id"])
    assert job["status"] == "done" and job["chunks"] >= 1, job
    listed = {doc["source"]: doc for doc in editor.get("api/v1/documents").json()}
    document = listed[job["source"]]
    assert document["collection"] == "mat-kiem-tra" and document["chunks"] == job["chunks"]
    assert job["source"] not in {doc["source"] for doc in member.get("api/v1/documents").json()}
    assert fact.encode() in editor.get(document["url"]).content
    assert member.get(document["url"]).status_code == 404
    question = "Ban Kiểm tra thống nhất lịch giám sát bao nhiêu chi bộ trong quý II?"
    answered = editor.post("api/v1/ask", json={"question": question}).json()
    assert not answered["refused"] and "05" in answered["answer"]
    assert member.delete(f"api/v1/documents/{document['doc_hash']}").status_code == 404
    assert editor.delete(f"api/v1/documents/{document['doc_hash']}").json() == {"deleted": job["source"]}
    assert editor.post("api/v1/ask", json={"question": question}).json()["refused"]
    assert not (services.settings.data_dir / job["source"]).exists()
    assert services.audit.events(AuditFilter(user="bientap", action="delete"))


def test_upload_refusals(api) -> None:
    _, url, keys = api
    editor, member = client(url, keys["bientap"]), client(url, keys["dangvien"])
    assert error_of(upload(editor, "mat-kiem-tra", "virus.exe", b"MZ"))[:2] == (415, "unsupported_type")
    assert error_of(upload(editor, "mat-kiem-tra", "lon.txt", b"a" * (2 * 1024 * 1024)))[:2] == (413, "file_too_large")
    assert error_of(upload(editor, "khong-co", "a.txt", b"abc"))[:2] == (404, "unknown_collection")
    assert upload(editor, "noi-bo", "a.txt", "Nội dung.".encode()).status_code == 403  # not a collection the editor manages
    assert upload(member, "cong-khai", "a.txt", "Nội dung.".encode()).status_code == 403
    failed = wait_for(editor, upload(editor, "mat-kiem-tra", "hong.pdf", b"%PDF-1.4 khong phai pdf").json()[0]["id"])
    assert failed["status"] == "failed" and failed["message"]


def test_drafts_export_and_feedback(api) -> None:
    services, url, keys = api
    editor, member = client(url, keys["bientap"]), client(url, keys["dangvien"])
    made = editor.post("api/v1/drafts", json={"topic": "kết nạp đảng viên mới và tổng kết công tác", "per_section": 1})
    assert made.status_code == 200 and made.json()["draft"]["sections"]
    draft_id = made.json()["id"]
    docx = editor.get(f"api/v1/drafts/{draft_id}/export", params={"format": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    markdown = editor.get(f"api/v1/drafts/{draft_id}/export", params={"format": "md"}).text
    assert "# " in markdown
    assert member.get(f"api/v1/drafts/{draft_id}/export").status_code == 404
    answer = member.post("api/v1/ask", json={"question": "Chi bộ Phòng Tổ chức kết nạp bao nhiêu đảng viên mới?"}).json()
    given = member.post("api/v1/feedback", json={"answer_id": answer["id"], "helpful": False, "reason": "thiếu ý", "comment": "Thiếu tên"})
    assert given.status_code == 200
    assert any(f.audit_id == answer["id"] and f.reason == "thiếu ý" for f, _ in services.audit.negative_feedback())
    assert editor.post("api/v1/feedback", json={"answer_id": answer["id"], "helpful": True}).status_code == 404
    assert member.post("api/v1/feedback", json={"answer_id": answer["id"], "helpful": False, "reason": "khác loại"}).status_code == 422


def test_same_answer_through_cli_web_and_api(api) -> None:
    """Extractive answers are deterministic: the three front ends must agree word for word."""
    import os
    import sys

    from gradio_client import Client

    from settings import PROJECT_ROOT

    services, url, keys = api
    question = "Chi bộ Phòng Tổ chức kết nạp bao nhiêu đảng viên mới?"
    through_api = client(url, keys["dangvien"]).post("api/v1/ask", json={"question": question}).json()
    Client(url, headers={"Authorization": f"Bearer {keys['dangvien']}"}, verbose=False).predict(question, api_name="/ask")
    through_web = services.audit.events(AuditFilter(user="dangvien", action="ask"))[0]
    env = {**os.environ, "RAG_DATA_DIR": str(services.settings.data_dir), "RAG_CORPUS_DIR": str(services.settings.corpus_dir),
           "RAG_DATABASE_URL": services.settings.database, "RAG_LLM_BACKEND": "extractive"}
    cli = subprocess.run([sys.executable, "app.py", "ask", question, "--json", "--user", "dangvien"], cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    through_cli = json.loads(cli.stdout)
    assert through_web.channel == "web"
    assert through_api["answer"] == through_cli["answer"] == through_web.answer
    ids = [c["id"] for c in through_api["citations"]]
    assert ids == [c["id"] for c in through_cli["citations"]] == through_web.chunk_ids.split()
    assert [c["quote"] for c in through_api["citations"]] == [c["quote"] for c in through_cli["citations"]]


def test_openapi_schema_documents_every_route_in_vietnamese(api) -> None:
    _, url, keys = api
    assert httpx.get(url + "openapi.json").status_code == 401  # in server mode, for those signed in only
    schema = client(url, keys["dangvien"]).get("openapi.json").json()
    assert {"/api/v1/ask", "/api/v1/search", "/api/v1/documents", "/v1/chat/completions", "/v1/models"} <= set(schema["paths"])
    assert "Người vào Đảng" in json.dumps(schema, ensure_ascii=False)
    assert client(url, keys["dangvien"]).get("docs").status_code == 200


def test_embeddings_endpoint_serves_this_model_to_another_installation(api, embedder) -> None:
    """RAG_EMBEDDING_BACKEND=openai pointed at this server gives the vectors the local model gives."""
    import numpy as np

    from vectorstore import EmbeddingError, make_embedder

    services, url, keys = api
    settings = services.settings.model_copy(
        update={"embedding_backend": "openai", "embedding_base_url": url + "v1", "embedding_api_key": keys["dangvien"]}
    )
    remote = make_embedder(settings)
    assert (remote.name, remote.dimension) == (embedder.name, embedder.dimension)
    query = "Đảng viên vi phạm bị kỷ luật khiển trách khi nào?"
    assert np.allclose(remote.embed_query(query), embedder.embed_query(query), atol=1e-4)
    titles, texts = ["Quy định kỷ luật", "Đại hội chi bộ"], ["Hình thức khiển trách áp dụng với vi phạm lần đầu.", "Đại hội bầu Bí thư Chi bộ."]
    assert np.allclose(remote.embed_documents(titles, texts), embedder.embed_documents(titles, texts), atol=1e-4)
    assert services.audit.events(AuditFilter(user="dangvien", action="embed"))  # who embedded, how many texts

    assert client(url, None).post("v1/embeddings", json={"input": "x"}).status_code == 401
    status, code, message = error_of(client(url, keys["dangvien"]).post("v1/embeddings", json={"input": ["x"] * 1000}))
    assert (status, code) == (413, "too_many_inputs") and "64" in message
    status, code, _ = error_of(client(url, keys["dangvien"]).post("v1/embeddings", json={"input": ["x" * 8001]}))
    assert (status, code) == (413, "question_too_long")
    with pytest.raises(EmbeddingError, match=r"127\.0\.0\.1:9"):
        make_embedder(settings.model_copy(update={"embedding_base_url": "http://127.0.0.1:9/v1"}))
