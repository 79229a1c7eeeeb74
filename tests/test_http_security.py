"""The HTTP layer's own defences, over real HTTP on loopback: which Host names are answered (DNS rebinding), which
cross-site requests may change anything (CSRF, login CSRF, logout), which sites get CORS, the headers every
response carries, the API's documentation behind login, and a lock-out that cannot lock the administrator out."""

from __future__ import annotations

import httpx
import pytest

from server.app import create_app
from server.local import ServerThread
from tests.leak_world import PASSWORD, QUESTION, populate

PUBLIC_NAME = "tailieu.example.vn"  # the name a deployment serves, beside 127.0.0.1
PARTNER = "https://cong.example.vn"  # a site allowed CORS with credentials
EVIL = "http://evil.example"
LISTENING = "192.0.2.5"  # RAG_HOST: the address the server listens on is one of its names too
# Gradio's page, its config, API description, file route and event queue, and routes of our own.
EVERY_KIND_OF_ROUTE = ("", "config", "gradio_api/info", "gradio_api/file=/etc/hostname", "api/v1/me", "login", "healthz", "docs")
PROXY_HEADERS = (
    "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip", "x-client-ip", "true-client-ip",
    "cf-connecting-ip", "forwarded", "x-original-forwarded-for", "x-cluster-client-ip", "fastly-client-ip",
)


def serve(leak_index, tmp_path_factory, **settings):
    """A server of the leak world's index on a database of its own, with these settings: yields (services, url)."""
    from services import build_services

    base, index = leak_index
    database = f"sqlite:///{tmp_path_factory.mktemp('http-security') / 'app.db'}"
    services = build_services(base.model_copy(update={"database_url": database, **settings}), index=index)
    if services.settings.auth:
        populate(services)
    with ServerThread(create_app(services)) as server:
        yield services, server.url


@pytest.fixture(scope="module")
def personal(leak_index, tmp_path_factory):
    yield from serve(leak_index, tmp_path_factory, auth=False)


@pytest.fixture(scope="module")
def organisation(leak_index, tmp_path_factory):
    yield from serve(leak_index, tmp_path_factory, auth=True, allowed_hosts=["127.0.0.1", PUBLIC_NAME], cors_origins=[PARTNER],
                     host=LISTENING)


def origin_of(url: str) -> str:
    return url.rstrip("/")


def signed_in(url: str, name: str = "dangvien", **client) -> httpx.Client:
    http = httpx.Client(base_url=url, timeout=120, **client)
    response = http.post("login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return http


# --- Host: DNS rebinding -------------------------------------------------------------------------------------------
def test_personal_mode_answers_only_this_machines_names_on_every_route(personal) -> None:
    _, url = personal
    http = httpx.Client(base_url=url, timeout=60)
    port = url.rstrip("/").rsplit(":", 1)[1]
    for path in EVERY_KIND_OF_ROUTE:
        refused = http.get(path, headers={"Host": "evil.example"})
        assert refused.status_code == 403, (path, refused.status_code)
        assert "máy này" in refused.json()["error"]["message"]
    joined = http.post("gradio_api/queue/join", json={"data": [QUESTION], "fn_index": 0, "session_hash": "abc"},
                       headers={"Host": f"evil.example:{port}"})
    assert joined.status_code == 403
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
        assert http.get("api/v1/me", headers={"Host": host}).json()["role"] == "admin", host
    assert http.get("", headers={"Host": f"localhost:{port}"}).status_code == 200  # the page itself


def test_personal_mode_refuses_every_proxy_header_on_every_route(personal) -> None:
    _, url = personal
    http = httpx.Client(base_url=url, timeout=60)
    for header in PROXY_HEADERS:
        for path in ("", "config", "api/v1/me"):
            assert http.get(path, headers={header: "203.0.113.7"}).status_code == 403, (header, path)


def test_with_accounts_only_the_allowed_host_names_are_answered(organisation) -> None:
    _, url = organisation
    http = httpx.Client(base_url=url, timeout=60)
    for path in EVERY_KIND_OF_ROUTE:
        refused = http.get(path, headers={"Host": "evil.example"})
        assert refused.status_code == 403 and "RAG_ALLOWED_HOSTS" in refused.json()["error"]["message"], path
    assert http.get("login", headers={"Host": PUBLIC_NAME}).status_code == 200
    assert http.get("login", headers={"Host": f"{LISTENING}:7860"}).status_code == 200
    assert http.get("login", headers={"Host": "localhost"}).status_code == 403  # not in this deployment's list


def test_the_default_allowed_hosts_are_this_machines_names() -> None:
    from settings import Settings

    assert set(Settings().allowed_hosts) == {"127.0.0.1", "localhost", "::1"} and Settings().cors_origins == []


# --- CORS --------------------------------------------------------------------------------------------------------------
def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.lower().startswith("access-control-allow")}


def test_a_foreign_origin_gets_no_cors_on_any_route(organisation) -> None:
    """Gradio reflects any origin, with credentials, once the Host is not a local name: not through this server."""
    _, url = organisation
    member = signed_in(url, headers={"Host": PUBLIC_NAME})
    for path in ("config", "gradio_api/info", "api/v1/me"):
        response = member.get(path, headers={"Origin": EVIL})
        assert response.status_code == 200 and cors_headers(response) == {}, (path, response.headers)
        preflight = member.options(path, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
        assert cors_headers(preflight) == {}, (path, preflight.headers)


def test_only_the_configured_origins_get_cors(organisation) -> None:
    _, url = organisation
    member = signed_in(url, headers={"Host": PUBLIC_NAME})
    response = member.get("api/v1/me", headers={"Origin": PARTNER})
    assert response.headers["access-control-allow-origin"] == PARTNER
    assert response.headers["access-control-allow-credentials"] == "true" and "origin" in response.headers["vary"].lower()
    preflight = member.options("api/v1/ask", headers={"Origin": PARTNER, "Access-Control-Request-Method": "POST"})
    assert preflight.is_success and preflight.headers["access-control-allow-origin"] == PARTNER
    assert "POST" in preflight.headers["access-control-allow-methods"]


# --- Origin of state-changing requests (CSRF) ----------------------------------------------------------------------
def test_login_from_another_site_is_refused(organisation) -> None:
    _, url = organisation
    http = httpx.Client(base_url=url, timeout=60)
    for headers in ({"Origin": EVIL}, {"Origin": "null"}, {"Referer": f"{EVIL}/trang"}):
        refused = http.post("login", data={"name": "dangvien", "password": PASSWORD}, headers=headers)
        assert refused.status_code == 403 and "trang web khác" in refused.json()["error"]["message"], headers
        assert "rag_session" not in refused.headers.get("set-cookie", "")
    own = http.post("login", data={"name": "dangvien", "password": PASSWORD}, headers={"Referer": f"{url}login"})
    assert own.status_code == 303


def test_cookie_requests_that_change_state_must_come_from_the_page(organisation) -> None:
    services, url = organisation
    member = signed_in(url)
    for foreign in ({"Origin": EVIL}, {"Origin": "null"}, {"Referer": f"{EVIL}/"}, {"Origin": "http://127.0.0.1.evil.example"}):
        assert member.post("api/v1/ask", json={"question": QUESTION}, headers=foreign).status_code == 403, foreign
        assert member.delete("api/v1/history", headers=foreign).status_code == 403, foreign
        gradio = member.post("gradio_api/queue/join", json={"data": [QUESTION], "fn_index": 0, "session_hash": "csrf"}, headers=foreign)
        assert gradio.status_code == 403, foreign
    own = {"Origin": origin_of(url)}
    assert member.post("api/v1/ask", json={"question": QUESTION}, headers=own).status_code == 200
    assert member.delete("api/v1/history", headers=own).status_code == 200
    assert member.delete("api/v1/history", headers={"Referer": f"{url}"}).status_code == 200
    assert member.delete("api/v1/history", headers={"Origin": PARTNER}).status_code == 200  # an allowed site
    assert member.delete("api/v1/history", headers={"Origin": f"https://{PUBLIC_NAME}"}).status_code == 200  # a name of ours
    assert member.delete("api/v1/history").status_code == 200  # no Origin, no Referer: not a browser's cross-site request
    key, _ = services.keys.create("dangvien", "kiem-thu-nguon-goc")
    keyed = httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {key}"})
    assert keyed.delete("api/v1/history", headers={"Origin": EVIL}).status_code == 200  # a key cannot be sent cross-site


def test_personal_mode_refuses_changes_from_another_site(personal) -> None:
    """Personal mode has no cookie to steal: every loopback request is the administrator's, a page elsewhere included."""
    _, url = personal
    http = httpx.Client(base_url=url, timeout=120)
    assert http.delete("api/v1/history", headers={"Origin": EVIL}).status_code == 403
    assert http.post("api/v1/ask", json={"question": QUESTION}, headers={"Origin": EVIL}).status_code == 403
    assert http.delete("api/v1/history", headers={"Origin": origin_of(url)}).status_code == 200


# --- Logout ------------------------------------------------------------------------------------------------------------
def test_logout_is_a_post_from_the_page(organisation) -> None:
    _, url = organisation
    member = signed_in(url)
    page = member.get("logout")
    assert page.status_code == 200 and "method=\"post\"" in page.text and "Đăng xuất" in page.text
    assert member.get("api/v1/me").status_code == 200  # showing the page logs nobody out
    assert member.post("logout", headers={"Origin": EVIL}).status_code == 403
    assert member.get("api/v1/me").status_code == 200
    out = member.post("logout", headers={"Origin": origin_of(url)})
    assert out.status_code == 303 and out.headers["location"].endswith("login")
    assert member.get("api/v1/me").status_code == 401


# --- Lock-out ----------------------------------------------------------------------------------------------------------
def test_bad_passwords_lock_the_address_out_not_the_administrator(organisation) -> None:
    _, url = organisation

    def from_address(address: str) -> httpx.Client:
        return httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=address))

    attacker, administrator = from_address("127.0.0.2"), from_address("127.0.0.3")
    for _ in range(5):
        assert attacker.post("login", data={"name": "quantri", "password": "doan-mo-123"}).status_code == 401
    locked = attacker.post("login", data={"name": "quantri", "password": PASSWORD})
    assert locked.status_code == 429 and "quá nhiều lần" in locked.text
    assert administrator.post("login", data={"name": "quantri", "password": PASSWORD}).status_code == 303


# --- Response headers --------------------------------------------------------------------------------------------------
def test_every_response_carries_the_security_headers(personal, organisation) -> None:
    for url, paths in ((personal[1], ("", "config", "gradio_api/info", "api/v1/me", "healthz", "nowhere")),
                       (organisation[1], ("", "login", "logout", "api/v1/me", "config"))):
        http = httpx.Client(base_url=url, timeout=60)
        for path in paths:
            response = http.get(path)
            csp = response.headers["content-security-policy"]
            for directive in ("frame-ancestors 'none'", "img-src 'self' data: blob:;", "connect-src 'self';", "object-src 'none'",
                              "base-uri 'self'", "form-action 'self'"):
                assert directive in csp, (path, directive, csp)
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["referrer-policy"] == "same-origin"
            assert response.headers["x-content-type-options"] == "nosniff"
        refused = http.get("api/v1/me", headers={"Host": "evil.example"})
        assert refused.status_code == 403 and refused.headers["x-frame-options"] == "DENY"


# --- The API's documentation -------------------------------------------------------------------------------------------
DOCUMENTATION = ("docs", "docs/oauth2-redirect", "redoc", "openapi.json")


def test_the_api_documentation_is_for_signed_in_callers(organisation, personal) -> None:
    _, url = organisation
    anonymous = httpx.Client(base_url=url, timeout=60)
    for path in DOCUMENTATION:
        assert anonymous.get(path).status_code == 401, path
    member = signed_in(url)
    for path in DOCUMENTATION:
        assert member.get(path).status_code == 200, path
    assert "/api/v1/ask" in member.get("openapi.json").json()["paths"]
    # Swagger UI comes from its CDN: allowed on that page, and on no other.
    assert "https://cdn.jsdelivr.net" in member.get("docs").headers["content-security-policy"]
    assert "cdn" not in member.get("").headers["content-security-policy"]
    local = httpx.Client(base_url=personal[1], timeout=60)
    for path in DOCUMENTATION:
        assert local.get(path).status_code == 200, path
