"""The ASGI server: personal mode kept local, login page and cookies, logout, lock-out, admin-only audit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from access import AccessError, AuditFilter
from server.app import create_app
from server.run import check_exposure
from services import build_services

PASSWORD = "mat-khau-may-chu"
LOCAL = "http://127.0.0.1"  # a Host the server answers (TestClient's own, "testserver", it refuses)


def test_personal_mode_refuses_a_non_loopback_address() -> None:
    with pytest.raises(AccessError, match="RAG_AUTH"):
        check_exposure("0.0.0.0", auth=False)
    with pytest.raises(AccessError):
        check_exposure("192.168.1.10", auth=False)
    check_exposure("127.0.0.1", auth=False)
    check_exposure("::1", auth=False)
    check_exposure("0.0.0.0", auth=True)


def test_serve_command_refuses_to_expose_personal_mode(tmp_path) -> None:
    import os
    import subprocess
    import sys

    from settings import PROJECT_ROOT

    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path), "RAG_AUTH": "false"}
    result = subprocess.run([sys.executable, "app.py", "serve", "--host", "0.0.0.0"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.startswith("Lỗi:") and "RAG_AUTH=true" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def personal_services(corpus_services):
    return corpus_services


def test_personal_mode_serves_only_direct_loopback_requests(personal_services) -> None:
    app = create_app(personal_services)
    local = TestClient(app, client=("127.0.0.1", 50000), base_url=LOCAL)
    assert local.get("/api/v1/me").json()["role"] == "admin"
    assert local.get("/api/v1/me", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 403
    remote = TestClient(app, client=("203.0.113.7", 50000), base_url=LOCAL)
    response = remote.get("/api/v1/me")
    assert response.status_code == 403 and "máy này" in response.json()["error"]["message"]
    assert remote.get("/config").status_code == 401  # the Gradio app refuses too


@pytest.fixture
def org_services(corpus_settings, corpus_index, database_url):
    settings = corpus_settings.model_copy(update={"database_url": database_url, "auth": True, "llm_backend": "extractive",
                                                  "login_max_failures": 3})
    services = build_services(settings, index=corpus_index)
    services.accounts.add_user("quantri", "admin", PASSWORD)
    services.accounts.add_user("dangvien", "member", PASSWORD)
    return services


def test_login_page_cookie_and_logout(org_services) -> None:
    client = TestClient(create_app(org_services), client=("127.0.0.1", 50000), base_url=LOCAL)
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].endswith("login")
    form = client.get("/login").text
    assert "Đăng nhập" in form and "Mật khẩu" in form and 'lang="vi"' in form
    wrong = client.post("/login", data={"name": "dangvien", "password": "sai-roi-123"}, follow_redirects=False)
    assert wrong.status_code == 401 and "không đúng" in wrong.text and "rag_session" not in wrong.headers.get("set-cookie", "")
    ok = client.post("/login", data={"name": "dangvien", "password": PASSWORD}, follow_redirects=False)
    cookie = ok.headers["set-cookie"].lower()
    assert ok.status_code == 303 and "httponly" in cookie and "samesite=lax" in cookie
    assert PASSWORD not in cookie
    assert client.get("/api/v1/me").json() == {"name": "dangvien", "role": "member", "collections": ["cong-khai"]}
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.post("/logout", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_login_brute_force_is_slowed_over_http(org_services) -> None:
    client = TestClient(create_app(org_services), client=("127.0.0.1", 50000), base_url=LOCAL)
    for _ in range(3):
        assert client.post("/login", data={"name": "dangvien", "password": "doan-bua-123"}).status_code == 401
    locked = client.post("/login", data={"name": "dangvien", "password": PASSWORD}, follow_redirects=False)
    assert locked.status_code == 429 and "quá nhiều lần" in locked.text


def test_audit_is_for_administrators_and_exports_csv(org_services) -> None:
    admin = TestClient(create_app(org_services), client=("127.0.0.1", 50000), base_url=LOCAL)
    admin.post("/login", data={"name": "quantri", "password": PASSWORD})
    org_services.acting_as(org_services.accounts.get("dangvien"), "test").ask("Người vào Đảng phải đủ bao nhiêu tuổi?")
    rows = admin.get("/api/v1/audit", params={"user": "dangvien", "action": "ask"}).json()
    assert rows and rows[0]["chunk_ids"] and rows[0]["question"] == "Người vào Đảng phải đủ bao nhiêu tuổi?"
    assert admin.get(f"/api/v1/audit/{rows[0]['id']}").json()["id"] == rows[0]["id"]
    csv = admin.get("/api/v1/audit.csv")
    assert csv.headers["content-type"].startswith("text/csv") and "dangvien" in csv.text
    assert org_services.audit.events(AuditFilter(action="audit_export"))
