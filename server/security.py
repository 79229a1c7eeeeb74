"""The HTTP policy in front of every route, Gradio's mount included: which Host names are answered, which
cross-site requests may change anything, which other sites get CORS, and the headers every response carries.

One pure ASGI middleware, outermost, so the page, its config, Gradio's queue, uploads and files get the same
policy as the REST routes without either knowing of it:

* **Host.** Personal mode makes every loopback caller the administrator, so a page on ``evil.example`` whose name
  a rebinding DNS server points at 127.0.0.1 would be one: personal mode answers only 127.0.0.1, localhost and
  [::1] (and no request that a proxy relayed); with accounts, only ``settings.allowed_hosts`` and the address
  it listens on.
* **Origin.** A state-changing request that no API key vouches for (a session cookie's, the login form's,
  personal mode's) must come from a page on one of those names or one of ``settings.cors_origins``. Browsers send
  ``Origin`` with every cross-site POST/PUT/PATCH/DELETE (``null`` where the page hides it, refused too), so a
  request with neither ``Origin`` nor ``Referer`` is not a browser's cross-site one: scripts, ``gradio_client``
  and curl send neither and pass. An API key cannot be sent cross-site without a CORS preflight, granted to no
  one but ``cors_origins``.
* **CORS.** None, unless ``settings.cors_origins`` names the site. Gradio's own CORS middleware reflects any
  origin, with credentials, whenever the Host is not a local name; every ``Access-Control-*`` header the app
  below writes is dropped here and only this policy's are sent, whatever Gradio's version does.
* **Headers.** A content security policy that keeps Gradio's page working (inline scripts, eval — without it the
  page does not start —, inline styles, ``data:`` and ``blob:`` images) with nothing loaded from elsewhere, no
  framing, no sniffing, no referrer across sites.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Receive, Scope, Send

from settings import Settings

# Headers a proxy adds: personal mode is for a direct connection only.
PROXY_HEADERS = (
    "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip", "x-client-ip", "true-client-ip",
    "cf-connecting-ip", "forwarded", "x-original-forwarded-for", "x-cluster-client-ip", "fastly-client-ip",
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_ONLY = "Chế độ cá nhân chỉ dùng được trực tiếp trên máy này (địa chỉ 127.0.0.1 hoặc localhost)."
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE"
CORS_HEADERS = "Authorization, Content-Type"

# Gradio's page needs inline scripts and styles, eval (it does not start without) and data:/blob: images.
PAGE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "media-src": "'self' data: blob:",
    "worker-src": "'self' blob:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# FastAPI's /docs and /redoc load Swagger UI and ReDoc from this CDN (they need the internet anyway).
DOCUMENTATION_CDN = "https://cdn.jsdelivr.net"
DOCUMENTATION_PAGES = frozenset({"/docs", "/redoc"})


def _serialise(policy: Mapping[str, str]) -> str:
    return "; ".join(f"{name} {sources}" for name, sources in policy.items())


PAGE_CSP = _serialise(PAGE_POLICY)
DOCUMENTATION_CSP = _serialise(PAGE_POLICY | {
    "script-src": f"{PAGE_POLICY['script-src']} {DOCUMENTATION_CDN}",
    "style-src": f"{PAGE_POLICY['style-src']} {DOCUMENTATION_CDN}",
})
SECURITY_HEADERS = {"x-frame-options": "DENY", "referrer-policy": "same-origin", "x-content-type-options": "nosniff"}


def hostname(host: str) -> str:
    """The name in a Host header or setting, without port or brackets: '[::1]:7860' -> '::1'; '' if unreadable."""
    try:
        return (urlsplit(f"//{host.strip()}").hostname or "") if host else ""
    except ValueError:
        return ""


def personal_mode_admits(headers: Mapping[str, str]) -> bool:
    """Whether personal mode may answer a request by its headers: it names this machine (not a page on another name
    whose DNS was rebound to 127.0.0.1) and no proxy relayed it."""
    return hostname(headers.get("host", "")) in LOCAL_HOSTS and not any(name in headers for name in PROXY_HEADERS)


def _origin(url: str) -> str:
    """'https://Example.org/page?q' -> 'https://example.org' (how browsers serialise an origin); '' for anything
    that is not an http(s) URL ('null' included)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc.lower()}" if parts.scheme in ("http", "https") and parts.netloc else ""


class SecurityPolicy:
    """ASGI middleware in front of the whole app (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.personal = not settings.auth
        self.any_host = not self.personal and "*" in settings.allowed_hosts
        # The names this server answers to: its pages are the ones there. With accounts, the address it listens on too.
        self.names = LOCAL_HOSTS if self.personal else frozenset(map(hostname, [*settings.allowed_hosts, settings.host])) - {"", "*"}
        self.cors_origins = frozenset(_origin(origin) for origin in settings.cors_origins) - {""}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin", "")
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        cors: dict[str, str] = {}
        if origin and _origin(origin) in self.cors_origins:
            cors = {"access-control-allow-origin": origin, "access-control-allow-credentials": "true"}
            if preflight:
                cors |= {"access-control-allow-methods": CORS_METHODS, "access-control-allow-headers": CORS_HEADERS,
                         "access-control-max-age": "600"}
        send = self._with_headers(send, scope["path"], cors)
        refusal = self._refusal(scope["method"], headers)
        if refusal is not None:
            status, code, message = refusal
            await send_error(send, status, code, message)
        elif cors and preflight:  # answered here: the app below has no OPTIONS routes of its own
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        else:
            await self.app(scope, receive, send)

    def _refusal(self, method: str, headers: Headers) -> tuple[int, str, str] | None:
        """(status, code, message) for a request refused by its Host, proxy headers or origin; None to go on."""
        if self.personal:
            if not personal_mode_admits(headers):
                return 403, "personal_mode_local_only", LOCAL_ONLY
        elif not self.any_host and hostname(headers.get("host", "")) not in self.names:
            return 403, "host_not_allowed", (
                "Máy chủ không phục vụ tên miền này. Quản trị viên thêm tên miền vào RAG_ALLOWED_HOSTS nếu đây là địa chỉ đúng."
            )
        if method in UNSAFE_METHODS and "authorization" not in headers and not self._same_site(headers):
            return 403, "cross_site_request", "Yêu cầu gửi từ trang web khác bị từ chối. Hãy thao tác trên chính trang của ứng dụng."
        return None

    def _same_site(self, headers: Headers) -> bool:
        """Whether a state-changing request comes from this server's own pages or an allowed site's: by ``Origin``,
        else by ``Referer``; a request with neither is no browser's cross-site one (see the module docstring).
        Pages are this server's by name, whatever the port: cookies do not tell ports apart either, and a proxy
        may leave the public port out of the Host it passes on."""
        claimed = headers.get("origin") or headers.get("referer")
        if claimed is None:
            return True
        origin = _origin(claimed)
        name = hostname(origin.partition("://")[2])
        ours = name != "" and name in {hostname(headers.get("host", "")), *self.names}
        return ours or origin in self.cors_origins

    def _with_headers(self, send: Send, path: str, cors: Mapping[str, str]) -> Send:
        """A send that puts this policy's headers on the response, and of CORS headers only ``cors``."""
        csp = DOCUMENTATION_CSP if path in DOCUMENTATION_PAGES else PAGE_CSP

        async def sending(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, value) for name, value in message.get("headers", [])
                    if not name.lower().startswith(b"access-control-")
                ]
                headers = MutableHeaders(scope=message)
                headers["content-security-policy"] = csp
                headers.update(SECURITY_HEADERS)
                if cors:
                    headers.update(cors)
                    headers.add_vary_header("Origin")
            await send(message)

        return sending


async def send_error(send: Send, status: int, code: str, message: str) -> None:
    """The API's error object (``{"error": {"code", "message"}}``), sent by a middleware before any route runs."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
