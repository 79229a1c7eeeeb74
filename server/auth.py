"""The one authentication dependency: every route and every Gradio event asks it who is calling.

Personal mode (``RAG_AUTH`` off) has no login: the caller is the local administrator,
and only a direct loopback connection to this machine's own name qualifies — a request from another
address, one relayed by a proxy, or one naming another host (DNS rebinding) is refused, so personal mode
cannot be exposed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from access import LOCAL_ADMIN, AccessError, Principal
from server.security import LOCAL_ONLY, personal_mode_admits
from services import Services

SESSION_COOKIE = "rag_session"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def principal_of(services: Services, cookies: Mapping[str, str], headers: Mapping[str, str], client_host: str) -> Principal:
    """Who sent this request: an API key (Authorization: Bearer), a session cookie, or personal mode's
    local administrator; AccessError (401) when nobody valid did."""
    authorization = headers.get("authorization", "")
    if authorization:
        scheme, _, key = authorization.partition(" ")
        principal = services.keys.resolve(key.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            raise AccessError("Khoá API không hợp lệ, đã thu hồi hoặc hết hạn.", 401, "invalid_key")
        return principal
    if not services.settings.auth:
        if not is_loopback(client_host) or not personal_mode_admits(headers):
            raise AccessError(LOCAL_ONLY, 403, "personal_mode_local_only")
        return LOCAL_ADMIN
    principal = services.accounts.resolve_session(cookies.get(SESSION_COOKIE, ""))
    if principal is None:
        raise AccessError("Bạn cần đăng nhập.", 401, "unauthenticated")
    return principal


def client_host(request: Request) -> str:
    return request.client.host if request.client else ""


def current_principal(request: Request) -> Principal:
    """FastAPI dependency for every route of the server."""
    services: Services = request.app.state.services
    principal = principal_of(services, request.cookies, request.headers, client_host(request))
    if principal.key:  # the per-key limit counts calls of the HTTP API (a Gradio page makes many small requests)
        services.rate_limiter.check(f"{principal.key}#{principal.id}")
    return principal


def require_admin(request: Request) -> Principal:
    principal = current_principal(request)
    if not principal.is_admin:
        raise AccessError("Chức năng này chỉ dành cho quản trị viên.", 403)
    return principal


# The annotations every route uses: one dependency decides who is calling, and whether they are an administrator.
Caller = Annotated[Principal, Depends(current_principal)]
Admin = Annotated[Principal, Depends(require_admin)]
