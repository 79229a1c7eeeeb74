"""The leak suite: a restricted document must reach a member without access by no path.

Every route of the server and every Gradio API name is probed as that member
(real server on loopback, real HTTP, gradio_client for the Gradio endpoints; the CLI
as a real process), and nothing the member can obtain may hold the restricted text.
A route or API name that no probe covers fails the suite, so a new endpoint that
forgets the filter cannot slip in. Runs on SQLite and on the real PostgreSQL server.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from starlette.routing import Route

from access import AccessError, AuditFilter
from server.app import create_app
from settings import PROJECT_ROOT
from tests.helpers import empty_postgres_schema
from tests.leak_world import QUESTION, leaks, login, organisation


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, leak_index, tmp_path_factory):
    """The leak world on SQLite, then on the real PostgreSQL server: (services, server url, database url)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'app.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        empty_postgres_schema(url)
    for services, server_url in organisation(leak_index, url):
        yield services, server_url, url


def gradio(url: str, http: httpx.Client) -> Client:
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    return Client(url, headers={"Cookie": cookie}, verbose=False)


def restricted_hash(services) -> str:
    chunks = services.index.store.all_chunks({"collection": "mat-kiem-tra"})
    return str(chunks[0][2]["doc_hash"])


# --- every route and API name, probed as the member without access ----------------------------
def probe_gradio(api_name: str, *args):
    def run(ctx) -> object:
        try:
            return ctx["gradio"].predict(*args, api_name=api_name)
        except Exception as error:  # a refusal surfaces as an error; its message is output too
            return str(error)

    return run


def probe_http(method: str, path: str, **request):
    def run(ctx) -> object:
        response = ctx["http"].request(method, path.format(**ctx), **request)
        return {"status": response.status_code, "body": response.text}

    return run


def probe_chat(ctx) -> object:
    """The OpenAI-compatible endpoint, plain, streamed, and aimed at the restricted collection by name."""
    outputs = []
    for model, stream in (("all", False), ("all", True), ("mat-kiem-tra", False)):
        body = {"model": model, "stream": stream, "messages": [{"role": "user", "content": QUESTION}]}
        response = ctx["http"].post("v1/chat/completions", json=body)
        outputs.append({"status": response.status_code, "body": response.text})
    assert outputs[2]["status"] == 404
    return outputs


GRADIO_PROBES = {
    "/chat": probe_gradio("/chat", QUESTION, []),
    "/ask": probe_gradio("/ask", QUESTION),
    "/search": probe_gradio("/search", "kỷ luật Trịnh Quang Vỹ hồ sơ vi phạm", 10, ""),
    "/draft": probe_gradio("/draft", "dien-van-khai-mac", "kiểm tra kỷ luật đảng viên có dấu hiệu vi phạm", "", 5),
    "/apply_edits": probe_gradio("/apply_edits", {"headers": ["Mục", "STT", "Giữ", "Trích nguyên văn", "Nguồn"], "data": []}),
    "/more_excerpts": probe_gradio("/more_excerpts", "Lý do, ý nghĩa của Đại hội"),
    "/save_prose": probe_gradio("/save_prose", "Lý do, ý nghĩa của Đại hội", "lời dẫn"),
    "/export_docx": probe_gradio("/export_docx"),
    "/export_md": probe_gradio("/export_md"),
    "/history": probe_gradio("/history"),
    "/history_delete": probe_gradio("/history_delete", 1),
    "/history_delete_all": probe_gradio("/history_delete_all"),
    "/audit": probe_gradio("/audit", "", "", "", "", ""),
    "/audit_csv": probe_gradio("/audit_csv", "", "", "", "", ""),
    "/accounts": probe_gradio("/accounts"),
    "/feedback_up": probe_gradio("/feedback_up", "", ""),
    "/feedback_down": probe_gradio("/feedback_down", "sai nội dung", ""),
    "/feedback_list": probe_gradio("/feedback_list"),
    "/feedback_csv": probe_gradio("/feedback_csv"),
    "/feedback_jsonl": probe_gradio("/feedback_jsonl"),
    "/library_upload": lambda ctx: probe_gradio("/library_upload", [handle_file(str(ctx["upload_file"]))], "mat-kiem-tra")(ctx),
    "/library_retry": lambda ctx: probe_gradio("/library_retry", ctx["editor_job"])(ctx),
    "/library_documents": probe_gradio("/library_documents", ""),
    "/library_text": lambda ctx: probe_gradio("/library_text", ctx["restricted_hash"])(ctx),
    "/library_delete": lambda ctx: probe_gradio("/library_delete", ctx["restricted_hash"], "")(ctx),
    "/library_move": lambda ctx: probe_gradio("/library_move", ctx["restricted_hash"], "noi-bo", "")(ctx),
    "/library_reindex": lambda ctx: probe_gradio("/library_reindex", ctx["restricted_hash"], "")(ctx),
}
HTTP_PROBES = {
    ("GET", "/api/v1/me"): probe_http("GET", "api/v1/me"),
    ("GET", "/api/v1/history"): probe_http("GET", "api/v1/history"),
    ("DELETE", "/api/v1/history"): probe_http("DELETE", "api/v1/history"),
    ("GET", "/api/v1/history/{turn_id}"): probe_http("GET", "api/v1/history/{editor_turn}"),
    ("DELETE", "/api/v1/history/{turn_id}"): probe_http("DELETE", "api/v1/history/{editor_turn}"),
    ("GET", "/api/v1/documents/{doc_hash}/file"): probe_http("GET", "api/v1/documents/{restricted_hash}/file"),
    ("GET", "/api/v1/audit"): probe_http("GET", "api/v1/audit"),
    ("GET", "/api/v1/audit/{event_id}"): probe_http("GET", "api/v1/audit/{editor_event}"),
    ("GET", "/api/v1/audit.csv"): probe_http("GET", "api/v1/audit.csv"),
    ("POST", "/api/v1/search"): probe_http("POST", "api/v1/search", json={"query": "kỷ luật Trịnh Quang Vỹ hồ sơ vi phạm", "k": 10}),
    ("POST", "/api/v1/ask"): probe_http("POST", "api/v1/ask", json={"question": QUESTION}),
    ("GET", "/api/v1/documents"): probe_http("GET", "api/v1/documents"),
    ("POST", "/api/v1/documents"): probe_http(
        "POST", "api/v1/documents", data={"collection": "mat-kiem-tra"}, files={"files": ("x.txt", "Nội dung thử nghiệm.".encode())}
    ),
    ("DELETE", "/api/v1/documents/{doc_hash}"): probe_http("DELETE", "api/v1/documents/{restricted_hash}"),
    ("GET", "/api/v1/jobs"): probe_http("GET", "api/v1/jobs"),
    ("GET", "/api/v1/jobs/{job_id}"): probe_http("GET", "api/v1/jobs/{editor_job}"),
    ("POST", "/api/v1/drafts"): probe_http("POST", "api/v1/drafts", json={"topic": "kiểm tra kỷ luật đảng viên có dấu hiệu vi phạm", "per_section": 5}),
    ("GET", "/api/v1/drafts/{draft_id}/export"): probe_http("GET", "api/v1/drafts/{editor_draft}/export"),
    ("POST", "/api/v1/feedback"): lambda ctx: probe_http("POST", "api/v1/feedback", json={"answer_id": ctx["editor_event"], "helpful": False})(ctx),
    ("GET", "/v1/models"): probe_http("GET", "v1/models"),
    ("POST", "/v1/chat/completions"): probe_chat,
}
# Refused outright for the member: a new route must state what it answers them.
EXPECTED_STATUS = {
    ("GET", "/api/v1/history/{turn_id}"): 404, ("DELETE", "/api/v1/history/{turn_id}"): 404,
    ("GET", "/api/v1/documents/{doc_hash}/file"): 404, ("DELETE", "/api/v1/documents/{doc_hash}"): 404,
    ("GET", "/api/v1/jobs/{job_id}"): 404, ("GET", "/api/v1/drafts/{draft_id}/export"): 404, ("POST", "/api/v1/feedback"): 404,
    ("GET", "/api/v1/audit"): 403, ("GET", "/api/v1/audit/{event_id}"): 403, ("GET", "/api/v1/audit.csv"): 403,
    ("POST", "/api/v1/documents"): 403,
}
# Routes that hand out no document data, whoever calls them.
NO_DOCUMENT_DATA = {
    ("GET", "/healthz"), ("GET", "/login"), ("POST", "/v1/embeddings"), ("POST", "/login"), ("GET", "/logout"), ("POST", "/logout"),
    ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"), ("GET", "/openapi.json"),
    ("HEAD", "/docs"), ("HEAD", "/docs/oauth2-redirect"), ("HEAD", "/redoc"), ("HEAD", "/openapi.json"),
}
NO_DOCUMENT_DATA_API = {"/load_example"}  # fills the question box with a fixed example
# Events the page uses but no API client can call; each runs a handler probed above, or hands out no document data.
PRIVATE_EVENTS = {
    "respond": "/chat", "search": "/search", "whoami": "/api/v1/me", "load_prose": "/save_prose", "lambda": "timer on", "js_fn": "clear (runs in the browser only)",
    "managed": "collections the caller manages", "jobs": "/api/v1/jobs", "documents": "/library_documents",
}


def server_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) the server answers, the Gradio mount aside (its API names are listed separately)."""
    return {(method, route.path) for route in app.routes if isinstance(route, Route) for method in route.methods or ()}


def gradio_events(services) -> tuple[set[str], set[str]]:
    """(API names a client can call, names of the page's private events)."""
    from web.ui import build

    dependencies = build(services).config["dependencies"]
    callable_names = {f"/{dep['api_name']}" for dep in dependencies if dep.get("api_visibility") != "private"}
    # Gradio names a private event after its function, numbered when the function serves several ("search_1").
    return callable_names, {re.sub(r"_\d+$", "", dep["api_name"]) for dep in dependencies if dep.get("api_visibility") == "private"}


def test_every_route_and_api_name_is_probed(world) -> None:
    services, _, _ = world
    app = create_app(services)
    assert server_routes(app) - {*HTTP_PROBES, *NO_DOCUMENT_DATA} == set()
    callable_names, private = gradio_events(services)
    assert callable_names - {*GRADIO_PROBES, *NO_DOCUMENT_DATA_API} == set()
    assert private - set(PRIVATE_EVENTS) == set()
    assert {"/ask", "/search", "/draft"} <= callable_names and "whoami" in private  # the listing itself works


def editor_artefacts(services, url: str) -> dict:
    """Ids of the editor's own things (an answer, a history turn, a job, a draft) for the member to guess."""
    editor = login(url, "bientap")
    editor_answer = gradio(url, editor).predict(QUESTION, api_name="/ask")
    assert "khiển trách" in editor_answer[0]  # the editor may read it: the fact is really there
    job = editor.post("api/v1/documents", data={"collection": "mat-kiem-tra"},
                      files={"files": ("ghi-chu.txt", "Ghi chú nội bộ của ban kiểm tra về lịch làm việc tháng 4.".encode())})
    draft = editor.post("api/v1/drafts", json={"topic": "công tác kiểm tra đảng viên", "per_section": 1})
    assert job.status_code == 202 and draft.status_code == 200, (job.text, draft.text)
    return {
        "editor": editor,
        "editor_turn": editor.get("api/v1/history").json()[0]["id"],
        "editor_event": services.audit.events(AuditFilter(user="bientap", action="ask"))[0].id,
        "editor_job": job.json()[0]["id"],
        "editor_draft": draft.json()["id"],
        "restricted_hash": restricted_hash(services),
    }


@pytest.mark.parametrize(("reader", "credential"), [("dangvien", "session"), ("dangvien", "api_key"), ("bientap2", "session")])
def test_reader_without_access_gets_nothing_of_the_restricted_document(world, reader: str, credential: str, tmp_path) -> None:
    """A member, by session and by API key, and an editor of another collection."""
    services, url, _ = world
    ctx = editor_artefacts(services, url) | {"upload_file": tmp_path / "thu.txt"}
    ctx["upload_file"].write_text("Nội dung thử tải lên.", encoding="utf-8")
    if credential == "session":
        member = login(url, reader)
        ctx |= {"http": member, "gradio": gradio(url, member)}
    else:
        key, _ = services.keys.create(reader, "kiem-thu-ro-ri")
        headers = {"Authorization": f"Bearer {key}"}
        ctx |= {"http": httpx.Client(base_url=url, timeout=120, headers=headers), "gradio": Client(url, headers=headers, verbose=False)}
    outputs = {name: probe(ctx) for name, probe in {**GRADIO_PROBES, **HTTP_PROBES}.items()}
    for name, output in outputs.items():
        assert not leaks(output), f"{name} leaked {leaks(output)}: {str(output)[:300]}"
    answer = outputs["/ask"][0]
    assert "không đề cập" in answer or "ngoài phạm vi" in answer  # refused, not answered from elsewhere
    assert "Phòng Tổ chức" in str(outputs["/search"])  # the member still finds what they may read
    if reader == "bientap2":
        assert "noi-bo" in str(outputs["/library_documents"])  # an editor lists what they may read
    assert json.loads(outputs[("POST", "/api/v1/ask")]["body"])["refused"]
    assert "mat-kiem-tra" not in outputs[("GET", "/v1/models")]["body"]
    for key, status in EXPECTED_STATUS.items():  # someone else's ids are not found; admin routes are forbidden
        assert outputs[key]["status"] == status, (key, outputs[key])
    assert ctx["editor"].get(f"api/v1/history/{ctx['editor_turn']}").status_code == 200  # the owner still has it


def call_event(http: httpx.Client, api_name: str, data: list, session_hash: str | None = None) -> str:
    """One Gradio event through Gradio's own HTTP API, as a hand-written client would call it (any inputs, any
    session hash): what the event stream said, or the refusal."""
    response = http.post(f"gradio_api/call/{api_name}", json={"data": data, "session_hash": session_hash})
    if response.status_code != 200:
        return f"{response.status_code} {response.text}"
    return http.get(f"gradio_api/call/{api_name}/{response.json()['event_id']}").text


def test_no_event_runs_in_another_users_session(world) -> None:
    """The editor works in their page's session (a draft quoting the restricted document is its state); the member,
    who learnt that session's hash (it is in every access-log line), calls every Gradio event in it and reads its
    event stream: all refused, nothing of the editor's comes back, and the editor's draft is unchanged."""
    services, url, _ = world
    editor = login(url, "bientap")
    owner = gradio(url, editor)
    table, _, outline = owner.predict("dien-van-khai-mac", "kiểm tra kỷ luật đảng viên có dấu hiệu vi phạm", "", 5, api_name="/draft")
    assert leaks(outline)  # the editor's own draft does quote the restricted document
    member = login(url, "dangvien")
    intruder = gradio(url, member)
    intruder.session_hash = owner.session_hash
    ctx = {"gradio": intruder, "http": member, "upload_file": Path(__file__), "editor_job": 1, "restricted_hash": restricted_hash(services)}
    for name, probe in GRADIO_PROBES.items():
        if name == "/library_upload":
            continue  # a member's upload is refused before any session is looked at (test_uploads_…)
        output = probe(ctx)
        assert not leaks(output), f"{name} in another's session leaked {leaks(output)}"
        refusal = call_event(member, name.lstrip("/"), [], owner.session_hash)
        assert refusal.startswith("403") and "không phải của bạn" in refusal, (name, refusal[:300])
    for path in (f"gradio_api/queue/data?session_hash={owner.session_hash}", f"gradio_api/heartbeat/{owner.session_hash}"):
        response = member.get(path)
        assert response.status_code == 403 and not leaks(response.text), path
    cancel = member.post("gradio_api/cancel", json={"session_hash": owner.session_hash, "fn_index": 0, "event_id": "x"})
    assert cancel.status_code == 403
    _, _, again = owner.predict(table, api_name="/apply_edits")
    assert again == outline  # the owner's draft was neither read nor overwritten


def test_uploads_take_only_files_gradio_received_and_gradio_serves_nothing_else(world, tmp_path) -> None:
    """A file of the server outside the library, named as the upload's path, is refused and never read; members
    cannot upload to Gradio at all; Gradio's file route serves nothing outside its own folders, and only to
    administrators; Gradio's other routes are not there."""
    services, url, _ = world
    outside = services.settings.corpus_dir / "mat-kiem-tra" / "mat-kiem-tra.txt"  # readable by the server process
    editor2 = login(url, "bientap2")  # an editor, but without a grant to the restricted collection
    jobs_before = {job.id for job in services.jobs.jobs(services.accounts.get("quantri"), limit=1000)}
    for path in (str(outside), "/dev/zero", "/etc/hostname", f"{outside.parent}/../mat-kiem-tra/mat-kiem-tra.txt"):
        file = {"path": path, "orig_name": "tep-tren-may-chu.txt", "meta": {"_type": "gradio.FileData"}}
        output = call_event(editor2, "library_upload", [[file], "noi-bo"])
        assert "error" in output and not leaks(output), output[:300]
    assert {job.id for job in services.jobs.jobs(services.accounts.get("quantri"), limit=1000)} == jobs_before
    assert not list((services.settings.library_dir / "noi-bo").glob("tep-tren-may-chu*"))  # the e2e tier shares this library
    member = login(url, "dangvien")
    assert member.post("gradio_api/upload", files={"files": ("a.txt", b"x")}).status_code == 403
    upload = editor2.post("gradio_api/upload", files={"files": ("ghi-chu.txt", "Ghi chú.".encode())})
    assert upload.status_code == 200
    uploaded = upload.json()[0]
    admin = login(url, "quantri")
    for path in (str(outside), "/etc/hostname", str(services.settings.data_dir / "app.db")):
        assert admin.get(f"gradio_api/file={path}").status_code in (403, 404), path
    assert member.get(f"gradio_api/file={uploaded}").status_code == 403  # another's upload: not for members
    assert admin.get(f"gradio_api/file={uploaded}").status_code == 200
    for path in ("gradio_api/deep_link?session_hash=x", "monitoring", "gradio_api/runs", "gradio_api/openapi.json",
                 "gradio_api/run-history/records", "gradio_api/dev/reload"):
        assert admin.get(path).status_code == 404, path
    assert admin.post("gradio_api/component_server", json={}).status_code == 404


def test_follow_up_condensation_stays_inside_the_scope(world) -> None:
    services, _, _ = world
    member = services.acting_as(services.accounts.get("dangvien"), "test")
    from chat import Turn

    history = [Turn("Hồ sơ kiểm tra đảng viên Trịnh Quang Vỹ năm 2025?", "Tài liệu hiện có không đề cập đến nội dung này.")]
    answer = member.ask("Còn hình thức kỷ luật thì sao?", history)
    assert not leaks(answer.to_json())


def test_unauthenticated_requests_get_nothing(world) -> None:
    _, url, _ = world
    anonymous = httpx.Client(base_url=url, timeout=60)
    assert anonymous.get("", follow_redirects=False).status_code == 303  # the page sends you to log in
    for path in ("config", "gradio_api/info", "api/v1/me", "api/v1/history", "api/v1/audit"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert not leaks(response.text)
    response = anonymous.post("gradio_api/call/ask", json={"data": [QUESTION]})
    assert response.status_code == 401 and not leaks(response.text)


def test_grant_then_the_same_member_gets_the_cited_answer(world) -> None:
    services, _, _ = world
    services.accounts.grant("mat-kiem-tra", "dangvien2", actor="quantri")
    try:
        answer = services.acting_as(services.accounts.get("dangvien2"), "test").ask(QUESTION)
        assert not answer.refused and "khiển trách" in answer.answer
        assert answer.citations and answer.citations[0].source.startswith("mat-kiem-tra")
    finally:
        services.accounts.revoke("mat-kiem-tra", "dangvien2", actor="quantri")
    assert services.acting_as(services.accounts.get("dangvien2"), "test").ask(QUESTION).refused


def test_audit_records_each_action_with_cited_chunk_ids(world, tmp_path) -> None:
    services, url, database = world
    editor_workspace = services.acting_as(services.accounts.get("bientap"), "test")
    extra = services.settings.corpus_dir / "mat-kiem-tra" / f"bo-sung-{database.split(':')[0]}.txt"
    extra.write_text("Thông báo bổ sung lịch kiểm tra chuyên đề của chi bộ trong quý II năm 2025.", encoding="utf-8")
    with pytest.raises(AccessError):
        editor_workspace.ingest([extra], "noi-bo")  # an editor uploads only where granted --manage
    assert editor_workspace.ingest([extra], "mat-kiem-tra").added == [f"mat-kiem-tra/{extra.name}"]
    extra.unlink()
    assert editor_workspace.ingest([extra.parent], "mat-kiem-tra", prune=True).removed == [f"mat-kiem-tra/{extra.name}"]
    editor = login(url, "bientap")
    client = gradio(url, editor)
    client.predict(QUESTION, api_name="/ask")
    client.predict("kiểm tra đảng viên", 3, "", api_name="/search")
    client.predict("dien-van-khai-mac", "kiểm tra đảng viên", "", 1, api_name="/draft")
    export = re.search(r"href='([^']+)'", client.predict(api_name="/export_md")).group(1)
    assert editor.get(export).status_code == 200  # the draft's export is a link to the owner-checked API route
    services.accounts.grant("noi-bo", "dangvien2", actor="quantri")
    services.accounts.revoke("noi-bo", "dangvien2", actor="quantri")
    assert editor.delete("api/v1/history").status_code == 200
    asked = services.audit.events(AuditFilter(user="bientap", action="ask"))[0]
    stored = {chunk_id for chunk_id, _, _ in services.index.store.all_chunks({"collection": "mat-kiem-tra"})}
    assert asked.chunk_ids and set(asked.chunk_ids.split()) <= stored and asked.latency_ms is not None
    assert asked.question == QUESTION and "mat-kiem-tra" in asked.documents
    actions = {event.action for event in services.audit.events(limit=10_000)}
    assert {"login", "ask", "search", "draft", "export", "upload", "delete", "grant", "revoke", "user_add", "collection_add", "history_delete"} <= actions


def test_cli_acts_as_the_named_user(world) -> None:
    services, _, url = world
    env = {**os.environ, "RAG_DATA_DIR": str(services.settings.data_dir), "RAG_CORPUS_DIR": str(services.settings.corpus_dir),
           "RAG_DATABASE_URL": url, "RAG_LLM_BACKEND": "extractive"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "app.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)

    member = run("ask", QUESTION, "--json", "--user", "dangvien")
    assert member.returncode == 0, member.stderr
    assert json.loads(member.stdout)["refused"] and not leaks(member.stdout)
    found = run("search", "kỷ luật Trịnh Quang Vỹ hồ sơ vi phạm", "--json", "--k", "10", "--user", "dangvien")
    assert found.returncode == 0 and not leaks(found.stdout)
    wipe = run("ingest", "--rebuild", "--user", "bientap")  # an editor, not an administrator: the store stays
    assert wipe.returncode != 0 and "quản trị" in wipe.stderr
    editor = run("ask", QUESTION, "--json", "--user", "bientap")
    assert "khiển trách" in json.loads(editor.stdout)["answer"]
    unknown = run("ask", QUESTION, "--user", "khong-co-ai")
    assert unknown.returncode != 0 and "khong-co-ai" in unknown.stderr and not leaks(unknown.stderr)
