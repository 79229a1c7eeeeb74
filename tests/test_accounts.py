"""Accounts, roles, collections, grants, login and audit on both databases (SQLite file, real PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from access import AccessError, Accounts, AuditFilter, AuditLog, connect, migrate, session_factory
from settings import Settings

PASSWORD = "mot-mat-khau-dai"


@pytest.fixture
def accounts(database_url: str, tmp_path) -> Accounts:
    settings = Settings(data_dir=tmp_path, database_url=database_url, login_max_failures=3)
    engine = connect(settings.database)
    migrate(engine)
    migrate(engine)  # a second upgrade is a no-op
    sessions = session_factory(engine)
    return Accounts(settings, sessions, AuditLog(sessions))


def test_roles_and_scopes(accounts: Accounts) -> None:
    accounts.add_collection("cong-khai", "public")
    accounts.add_collection("noi-bo", "internal")
    accounts.add_collection("chi-bo-x", "restricted")
    admin = accounts.add_user("quantri", "admin", PASSWORD)
    member = accounts.add_user("dangvien", "member", PASSWORD)
    editor = accounts.add_user("bithu", "editor", PASSWORD, ["chi-bo-x"])
    assert accounts.scope_for(admin).is_everything
    assert accounts.scope_for(member).collections == {"cong-khai", "noi-bo"}
    assert accounts.scope_for(editor).collections == {"cong-khai", "noi-bo", "chi-bo-x"}
    assert accounts.may_manage(editor, "chi-bo-x") and not accounts.may_manage(editor, "noi-bo")
    assert not accounts.may_manage(member, "cong-khai") and accounts.may_manage(admin, "noi-bo")
    accounts.grant("chi-bo-x", "dangvien")
    assert "chi-bo-x" in accounts.scope_for(member).collections and not accounts.may_manage(member, "chi-bo-x")
    accounts.revoke("chi-bo-x", "dangvien")
    assert "chi-bo-x" not in accounts.scope_for(member).collections


def test_passwords_are_hashed_and_never_stored_or_audited_in_clear(accounts: Accounts) -> None:
    accounts.add_user("dangvien", "member", PASSWORD)
    accounts.set_password("dangvien", "mat-khau-moi-123")
    with pytest.raises(AccessError):
        accounts.authenticate("dangvien", "sai-mat-khau-1")
    accounts.authenticate("dangvien", "mat-khau-moi-123")
    with accounts.sessions() as session:
        dump = " ".join(
            str(row) for table in ("users", "audit_events", "login_failures", "login_sessions")
            for row in session.execute(text(f"SELECT * FROM {table}"))
        )
    assert "argon2id" in dump
    for secret in (PASSWORD, "mat-khau-moi-123", "sai-mat-khau-1"):
        assert secret not in dump


def test_login_sessions_and_disable(accounts: Accounts) -> None:
    accounts.add_user("dangvien", "member", PASSWORD)
    principal = accounts.authenticate("DangVien ", PASSWORD, "10.0.0.5")
    token = accounts.open_session(principal)
    assert accounts.resolve_session(token) == principal
    assert accounts.resolve_session(token + "x") is None
    accounts.set_disabled("dangvien")
    assert accounts.resolve_session(token) is None  # disabling ends every session
    with pytest.raises(AccessError) as refused:
        accounts.authenticate("dangvien", PASSWORD)
    assert refused.value.status == 401
    accounts.set_disabled("dangvien", False)
    token = accounts.open_session(accounts.authenticate("dangvien", PASSWORD))
    accounts.close_session(token)
    assert accounts.resolve_session(token) is None


def test_brute_force_is_locked_out(accounts: Accounts) -> None:
    accounts.add_user("dangvien", "member", PASSWORD)
    for _ in range(3):
        with pytest.raises(AccessError) as wrong:
            accounts.authenticate("dangvien", "doan-mo-123", "10.0.0.9")
        assert wrong.value.status == 401
    with pytest.raises(AccessError) as locked:
        accounts.authenticate("dangvien", PASSWORD, "10.0.0.9")  # even the right password waits out the window
    assert locked.value.status == 429 and "thử lại sau" in str(locked.value)
    assert {e.action for e in accounts.audit.events(AuditFilter(user="dangvien"))} >= {"login_failed", "login_locked"}
    assert accounts.authenticate("dangvien", PASSWORD, "10.0.0.10").name == "dangvien"  # the name is not locked everywhere


def test_an_address_guessing_across_names_is_locked_out(accounts: Accounts) -> None:
    for name in ("quantri", "dangvien", "bithu", "thuquy"):
        for _ in range(3):
            with pytest.raises(AccessError):
                accounts.authenticate(name, "doan-mo-123", "10.0.0.9")
    accounts.add_user("dangvien2", "member", PASSWORD)
    with pytest.raises(AccessError) as locked:
        accounts.authenticate("dangvien2", PASSWORD, "10.0.0.9")  # 4 × the limit from one address, whatever the names
    assert locked.value.status == 429


def test_invalid_input_is_refused_in_vietnamese(accounts: Accounts) -> None:
    with pytest.raises(AccessError, match="Vai trò"):
        accounts.add_user("dangvien", "superuser", PASSWORD)
    with pytest.raises(AccessError, match="ít nhất 8"):
        accounts.add_user("dangvien", "member", "ngan")
    with pytest.raises(AccessError, match="không hợp lệ"):
        accounts.add_user("Đảng viên", "member", PASSWORD)
    with pytest.raises(AccessError, match="Không có bộ tài liệu"):
        accounts.collection("khong-co")
    accounts.add_user("dangvien", "member", PASSWORD)
    with pytest.raises(AccessError, match="đã tồn tại"):
        accounts.add_user("dangvien", "member", PASSWORD)


def test_first_start_creates_one_admin(accounts: Accounts) -> None:
    password = accounts.ensure_admin()
    assert password and accounts.authenticate("admin", password).is_admin
    assert accounts.ensure_admin() is None


def test_audit_filters_csv_history_and_retention(accounts: Accounts) -> None:
    audit = accounts.audit
    member = accounts.add_user("dangvien", "member", PASSWORD)
    other = accounts.add_user("dangvien2", "member", PASSWORD)
    audit.record("dangvien", "ask", channel="web", question="Câu hỏi?", answer="Đáp [1].", chunk_ids=["a-1", "b-2"],
                 documents=["a.pdf", "b.txt"], latency_ms=12)
    turn = audit.remember(member, "Câu hỏi?", "Đáp [1].", [{"id": "a-1"}])
    rows = audit.events(AuditFilter(user="dangvien", action="ask", document="a.pdf"))
    assert len(rows) == 1 and rows[0].chunk_ids == "a-1 b-2"
    assert "a-1 b-2" in audit.to_csv(rows) and audit.to_csv(rows).startswith("id,at,user,action")
    with pytest.raises(AccessError) as other_user:
        audit.turn(other, turn)
    assert other_user.value.status == 404
    assert audit.forget(member, turn) == 1 and audit.history(member) == []
    assert audit.events(AuditFilter(action="history_delete"))  # deleting history is audited
    assert audit.events(AuditFilter(action="ask"))  # and the audit keeps its own record
    assert audit.purge(0) >= 1 and audit.events() == []
