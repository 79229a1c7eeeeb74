"""The ASGI application: login, a small REST surface, and the Gradio UI mounted at "/".

Thin over :mod:`services`: each route asks :func:`server.auth.current_principal`
who is calling and acts through ``services.acting_as(principal, "api")``, so
access and audit are the services' and the retriever's, never the route's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import gradio as gr
from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from access import AccessError, AuditFilter
from server import api, openai_api
from server.auth import SESSION_COOKIE, Admin, Caller, client_host, current_principal, principal_of
from server.gradio_guard import GradioGuard
from server.pages import login_page, logout_page
from server.security import SecurityPolicy
from services import Services
from settings import PROJECT_ROOT
from web.ui import build


def _turn_json(turn) -> dict:
    return {"id": turn.id, "at": turn.at.isoformat(), "question": turn.question, "answer": turn.answer}


def _event_json(event) -> dict:
    return {
        "id": event.id, "at": event.at.isoformat(), "user": event.user, "action": event.action, "channel": event.channel,
        "question": event.question, "answer": event.answer, "chunk_ids": event.chunk_ids.split(), "documents": event.documents,
        "latency_ms": event.latency_ms, "detail": event.detail,
    }


# FastAPI's pages describing the API, and the schema they read.
DOCUMENTATION = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


def create_app(services: Services) -> FastAPI:
    app = FastAPI(title="Trợ lý tài liệu Đảng", description="Hỏi đáp tài liệu công tác Đảng, có dẫn nguồn.")
    app.state.services = services
    settings = services.settings

    @app.exception_handler(AccessError)
    async def access_error(_request: Request, error: AccessError) -> JSONResponse:
        return JSONResponse({"error": {"code": error.code, "message": str(error)}}, status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        if any(problem.get("type") == "json_invalid" for problem in problems):
            return JSONResponse({"error": {"code": "invalid_json", "message": "Nội dung gửi lên không phải JSON hợp lệ."}}, 422)
        where = "; ".join(f"{'.'.join(str(p) for p in problem.get('loc', [])[1:]) or 'body'}: {problem.get('msg', '')}" for problem in problems)
        return JSONResponse({"error": {"code": "invalid_request", "message": f"Yêu cầu không hợp lệ — {where}"}}, 422)

    @app.middleware("http")
    async def login_first(request: Request, call_next):
        """The chat page itself sends a browser without a session to the login page; the API's documentation
        (every route and field, FastAPI's own pages) is for callers only."""
        path = request.url.path
        if path in DOCUMENTATION or (settings.auth and request.method == "GET" and path == "/"):
            try:
                current_principal(request)
            except AccessError as error:
                if path == "/":
                    return RedirectResponse("login", status_code=303)
                return JSONResponse({"error": {"code": error.code, "message": str(error)}}, status_code=error.status)
        return await call_next(request)

    @app.get("/healthz", include_in_schema=False)
    def health() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form() -> HTMLResponse:
        return HTMLResponse(login_page())

    @app.post("/login", include_in_schema=False)
    def login(request: Request, name: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "") -> Response:
        if not settings.auth:
            return RedirectResponse("./", status_code=303)
        try:
            principal = services.accounts.authenticate(name, password, client_host(request))
        except AccessError as error:
            return HTMLResponse(login_page(str(error)), status_code=error.status)
        response = RedirectResponse("./", status_code=303)
        response.set_cookie(
            SESSION_COOKIE, services.accounts.open_session(principal), max_age=settings.session_hours * 3600,
            httponly=True, samesite="lax", secure=settings.cookie_secure, path="/",
        )
        return response

    @app.get("/logout", response_class=HTMLResponse, include_in_schema=False)
    def logout_form() -> HTMLResponse:
        """Logging out changes state, so a link (or another site's image) cannot do it: this page's button posts."""
        return HTMLResponse(logout_page())

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE, "")
        principal = services.accounts.resolve_session(token)
        if principal:
            services.accounts.close_session(token)
            services.audit.record(principal.name, "logout", channel="web")
        response = RedirectResponse("login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/api/v1/me")
    def me(principal: Caller) -> dict:
        return {"name": principal.name, "role": principal.role, "collections": services.accounts.readable(principal)}

    @app.get("/api/v1/history")
    def history(principal: Caller) -> list[dict]:
        return [_turn_json(turn) for turn in services.audit.history(principal)]

    @app.get("/api/v1/history/{turn_id}")
    def history_turn(turn_id: int, principal: Caller) -> dict:
        return _turn_json(services.audit.turn(principal, turn_id))

    @app.delete("/api/v1/history/{turn_id}")
    def forget_turn(turn_id: int, principal: Caller) -> dict:
        return {"deleted": services.audit.forget(principal, turn_id, channel="api")}

    @app.delete("/api/v1/history")
    def forget_all(principal: Caller) -> dict:
        return {"deleted": services.audit.forget(principal, channel="api")}

    @app.get("/api/v1/documents/{doc_hash}/file")
    def document_file(doc_hash: str, principal: Caller) -> FileResponse:
        path = services.acting_as(principal, "api").document_file(doc_hash)
        return FileResponse(path, filename=path.name)

    @app.get("/api/v1/audit")
    def audit(
        _admin: Admin, user: str | None = None, action: str | None = None, document: str | None = None,
        since: date | None = None, until: date | None = None, limit: int = 500,
    ) -> list[dict]:
        return [_event_json(e) for e in services.audit.events(AuditFilter(user, action, document, since, until), limit)]

    @app.get("/api/v1/audit/{event_id}")
    def audit_event(event_id: int, _admin: Admin) -> dict:
        return _event_json(services.audit.event(event_id))

    @app.get("/api/v1/audit.csv")
    def audit_csv(admin: Admin, user: str | None = None, since: date | None = None, until: date | None = None) -> Response:
        events = services.audit.events(AuditFilter(user=user, since=since, until=until), limit=1_000_000)
        services.audit.record(admin.name, "audit_export", channel="api", rows=len(events))
        return Response(services.audit.to_csv(events), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=nhat-ky.csv"})

    app.include_router(api.build_router(services))
    app.include_router(openai_api.build_router(services))

    def gradio_user(request: Request) -> str | None:
        """Gradio's gate for its page, its config and every API event: the same dependency."""
        try:
            return principal_of(services, request.cookies, request.headers, client_host(request)).name
        except AccessError:
            return None

    # No MCP server, no server-side rendering, no run history: the UI and its API names are the only Gradio surface.
    # Gradio serves files only from its own upload folder and cache; the data folder and the corpus are named as
    # blocked besides. A mounted app is never "launched", and Gradio skips its check that a file an event receives
    # was uploaded (not a server path the client names) until it is: the mount is the launch here.
    blocks = build(services)
    app = gr.mount_gradio_app(
        app, blocks, path="/", auth_dependency=gradio_user, mcp_server=False, ssr_mode=False, run_history=False,
        max_file_size=f"{settings.max_upload_mb}mb", allowed_paths=[],
        blocked_paths=[str(settings.data_dir.resolve()), str(settings.corpus_dir.resolve()), str(PROJECT_ROOT)],
    )
    blocks.has_launched = True
    app.add_middleware(GradioGuard, services=services)
    app.add_middleware(SecurityPolicy, settings=settings)  # outermost: Host, origin, CORS and headers for every route
    return app
