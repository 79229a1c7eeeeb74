"""Start the server with uvicorn, refusing to expose personal mode."""

from __future__ import annotations

import click
import uvicorn

from access import AccessError
from server.app import create_app
from server.auth import is_loopback
from services import Services


def check_exposure(host: str, auth: bool) -> None:
    """Personal mode has no login, so it may only listen on the loopback interface."""
    if not auth and not is_loopback(host):
        raise AccessError(
            f"Không mở máy chủ ở địa chỉ {host} khi chưa bật đăng nhập: ai truy cập được địa chỉ này sẽ đọc được mọi tài liệu. "
            "Hãy đặt RAG_AUTH=true (tài khoản, vai trò, phân quyền) hoặc dùng RAG_HOST=127.0.0.1.",
            code="exposed_without_auth",
        )


def serve(services: Services) -> None:
    settings = services.settings
    check_exposure(settings.host, settings.auth)
    if settings.auth:
        password = services.accounts.ensure_admin()
        if password:
            click.echo(
                f"Đã tạo tài khoản quản trị 'admin' với mật khẩu: {password}\n"
                "Mật khẩu này chỉ hiện một lần; hãy đăng nhập rồi đổi bằng: python app.py users passwd admin"
            )
    else:
        click.echo("Chế độ cá nhân: không đăng nhập, chỉ truy cập từ máy này.")
    click.echo(f"Mở http://{settings.host}:{settings.port}/")
    uvicorn.run(
        create_app(services), host=settings.host, port=settings.port,
        proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
    )
