"""The login and logout pages: plain HTML in Vietnamese, no script needed."""

from __future__ import annotations

import html

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Trợ lý tài liệu Đảng</title>
<style>
body{{font-family:system-ui,sans-serif;background:#f6f6f6;display:flex;justify-content:center;padding-top:10vh}}
form{{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;min-width:300px}}
label{{display:block;margin-top:1rem}} input{{width:100%;padding:.5rem;margin-top:.25rem;box-sizing:border-box}}
button{{margin-top:1.5rem;width:100%;padding:.6rem;background:#b71c1c;color:#fff;border:0;border-radius:4px;font-size:1rem}}
.error{{color:#b71c1c}}
</style></head>
<body>{form}</body></html>"""
LOGIN_FORM = """<form method="post" action="login">
<h1>Trợ lý tài liệu Đảng</h1>
<p>Đăng nhập để hỏi đáp và tra cứu tài liệu.</p>
{error}
<label for="name">Tên đăng nhập</label><input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">Mật khẩu</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Đăng nhập</button>
</form>"""
# Logging out changes state, so it is a POST (a link or another site's image cannot log anyone out).
LOGOUT_FORM = """<form method="post" action="logout">
<h1>Trợ lý tài liệu Đảng</h1>
<p>Kết thúc phiên làm việc trên trình duyệt này?</p>
<button type="submit">Đăng xuất</button>
</form>"""


def login_page(error: str = "") -> str:
    form = LOGIN_FORM.format(error=f"<p class='error' role='alert'>{html.escape(error)}</p>" if error else "")
    return PAGE.format(title="Đăng nhập", form=form)


def logout_page() -> str:
    return PAGE.format(title="Đăng xuất", form=LOGOUT_FORM)
