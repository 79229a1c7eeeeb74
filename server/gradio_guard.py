"""The Gradio mount's one gate: which of Gradio's routes answer, to whom, in whose session, and how large a body.

Gradio serves far more than the page needs (run history, monitoring, deep links, a component server, media
streams) and keys every piece of per-session state by a ``session_hash`` the client chooses — a value that
appears in every access-log line (``GET /gradio_api/queue/data?session_hash=…``). Anyone signed in who learnt
another member's hash could call events in that member's session, read its event stream or cancel its work.
So, before Gradio sees a request:

* only the routes the page and ``gradio_client`` use answer; any other Gradio route is 404;
* a session hash or event id belongs to the first caller who used it, and is refused (403) to anyone else;
* uploads are for editors and administrators, and Gradio's file route — which serves whatever lies in its
  upload folder and cache — for administrators (the only ones given files through it: audit exports);
* every request body is bounded: uploads by the upload limit, anything else by ``max_request_kb``.

Pure ASGI, so event streams pass through untouched.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from access import AccessError, Principal
from server.auth import client_host, principal_of
from server.security import send_error
from services import Services

# Routes of our own (FastAPI's); everything else goes to the Gradio mount.
OWN_ROUTES = re.compile(r"^/(api/|v1/|login/?$|logout/?$|healthz$|docs|redoc$|openapi\.json$)")
# The page itself and its static files: no session, no state, served to anyone (the login gate is the page's own).
STATIC = re.compile(r"^/(|config/?|theme\.css|favicon\.ico|manifest\.json|robots\.txt|(assets|static|svelte)/.+|gradio_api/theme\.css)$")
GRADIO_ROUTES = {
    "GET": re.compile(
        r"^/gradio_api/(info/?|startup-events|heartbeat/[^/]+|queue/data|queue/status|call/(v2/)?[^/]+/[^/]+|upload_progress|file=.+)$"
    ),
    "HEAD": re.compile(r"^/gradio_api/file=.+$"),
    "POST": re.compile(r"^/gradio_api/(queue/join|call/(v2/)?[^/]+/?|cancel|upload|reset/?)$"),
}
EDITORS_ONLY = re.compile(r"^/gradio_api/(upload|upload_progress)$")
ADMINS_ONLY = re.compile(r"^/gradio_api/file=")
UPLOADS = re.compile(r"^/(gradio_api/upload|api/v1/documents)$")
SESSION_IN_PATH = re.compile(r"^/gradio_api/heartbeat/([^/]+)$")
EVENT_IN_PATH = re.compile(r"^/gradio_api/call/(?:v2/)?[^/]+/([^/]+)$")
EVENT_STARTS = re.compile(r"^/gradio_api/(queue/join|call/(v2/)?[^/]+/?)$")  # their answer names a new event id
MAX_FILES_PER_UPLOAD = 20
OWNERS_KEPT = 200_000  # session hashes and event ids remembered (oldest forgotten first)


class Owners:
    """Who first used each session hash and event id (bounded; one process — Gradio's state is per process too)."""

    def __init__(self, kept: int = OWNERS_KEPT) -> None:
        self.kept = kept
        self.owner: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()

    def claim(self, key: str, user: str) -> bool:
        """Bind ``key`` to ``user`` if it is new; whether ``user`` owns it."""
        with self.lock:
            owner = self.owner.setdefault(key, user)
            self.owner.move_to_end(key)
            while len(self.owner) > self.kept:
                self.owner.popitem(last=False)
            return owner == user

    def owns(self, key: str, user: str) -> bool:
        with self.lock:
            return self.owner.get(key) == user


Responder = Callable[[Scope, Receive, Send], Awaitable[None]]


def _refusal(status: int, code: str, message: str) -> Responder:
    async def respond(_scope: Scope, _receive: Receive, send: Send) -> None:
        await send_error(send, status, code, message)

    return respond


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes ``limit`` bytes."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then whatever the connection says next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class GradioGuard:
    """ASGI middleware in front of the whole app (see the module docstring)."""

    def __init__(self, app: ASGIApp, services: Services, owners: Owners | None = None) -> None:
        self.app = app
        self.services = services
        self.owners = owners or Owners()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        settings = self.services.settings
        upload = method == "POST" and bool(UPLOADS.match(path))
        limit = settings.max_upload_mb * 1024 * 1024 * MAX_FILES_PER_UPLOAD if upload else settings.max_request_kb * 1024
        too_large = _refusal(413, "request_too_large", f"Nội dung gửi lên lớn hơn giới hạn {limit // 1024} KB.")
        body: bytes | None = None
        if method not in ("GET", "HEAD", "OPTIONS"):
            declared = dict(scope["headers"]).get(b"content-length", b"")
            if upload and not declared.isdigit():  # h11 then holds the body to the length declared
                await _refusal(411, "length_required", "Tệp tải lên cần khai báo độ dài (Content-Length).")(scope, receive, send)
                return
            if declared.isdigit() and int(declared) > limit:
                await too_large(scope, receive, send)
                return
            if not upload:  # small and bounded: read now, so that the session hash it names can be checked
                body = await _read_body(receive, limit)
                if body is None:
                    await too_large(scope, receive, send)
                    return
                receive = _replay(body, receive)
        if OWN_ROUTES.match(path) or STATIC.match(path):
            await self.app(scope, receive, send)
            return
        caller, refusal = self._admitted(scope, path, method, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if caller is not None and method == "POST" and EVENT_STARTS.match(path):
            send = self._recording_events(send, caller.name)
        await self.app(scope, receive, send)

    def _admitted(self, scope: Scope, path: str, method: str, body: bytes | None) -> tuple[Principal | None, Responder | None]:
        """(the caller, None) for a Gradio request that may go on; (…, a refusal) for one that may not."""
        pattern = GRADIO_ROUTES.get(method)
        if pattern is None or not pattern.match(path):
            return None, _refusal(404, "not_found", "Không có đường dẫn này.")
        request = Request(scope)
        try:
            caller = principal_of(self.services, request.cookies, request.headers, client_host(request))
        except AccessError as error:
            return None, _refusal(error.status, error.code, str(error))
        if EDITORS_ONLY.match(path) and caller.role not in ("editor", "admin"):
            return caller, _refusal(403, "forbidden", "Chỉ biên tập viên và quản trị viên được tải tệp lên.")
        if ADMINS_ONLY.match(path) and not caller.is_admin:
            return caller, _refusal(403, "forbidden", "Tệp này không dành cho bạn.")
        for kind, key in self._keys(request, path, body):
            # A session is its first user's; an event id is known only once Gradio has answered its starter with it.
            owned = self.owners.owns(f"{kind}:{key}", caller.name) if kind == "event" else self.owners.claim(f"{kind}:{key}", caller.name)
            if not owned:
                return caller, _refusal(403, "not_your_session", "Phiên làm việc này không phải của bạn.")
        return caller, None

    @staticmethod
    def _keys(request: Request, path: str, body: bytes | None) -> list[tuple[str, str]]:
        """The session hashes and event ids a request names: in its path, its query and its JSON body."""
        keys: list[tuple[str, str]] = []
        if match := SESSION_IN_PATH.match(path):
            keys.append(("session", match.group(1)))
        if match := EVENT_IN_PATH.match(path):
            keys.append(("event", match.group(1)))
        if session := request.query_params.get("session_hash"):
            keys.append(("session", session))
        if body:
            try:
                data: Any = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                data = None
            if isinstance(data, dict):
                if isinstance(data.get("session_hash"), str):
                    keys.append(("session", data["session_hash"]))
                if path == "/gradio_api/cancel" and isinstance(data.get("event_id"), str):
                    keys.append(("event", data["event_id"]))
        return keys

    def _recording_events(self, send: Send, user: str) -> Send:
        """A send that notes the event id Gradio answers with as the caller's, before the caller can read it."""
        chunks: list[bytes] = []

        async def recording(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    try:
                        event_id = json.loads(b"".join(chunks)).get("event_id")
                    except (ValueError, AttributeError, UnicodeDecodeError):
                        event_id = None
                    if isinstance(event_id, str):
                        self.owners.claim(f"event:{event_id}", user)
            await send(message)

        return recording
