"""Users, roles, collections and grants; login with hashed passwords and a brute-force brake.

The one place that answers "what may this user read or manage?": the retriever
gets its :class:`~vectorstore.Scope` from :meth:`Accounts.scope_for` and nothing
else decides access to documents.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from access.audit import AuditLog
from access.models import LEVELS, ROLES, Collection, Grant, LoginFailure, LoginSession, User
from access.principal import AccessError, Principal
from settings import Settings
from vectorstore.scope import Scope

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    disabled: bool
    collections: tuple[str, ...]


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    level: str
    description: str
    readers: tuple[str, ...]
    managers: tuple[str, ...]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Accounts:
    def __init__(self, settings: Settings, sessions: sessionmaker, audit: AuditLog) -> None:
        self.settings = settings
        self.sessions = sessions
        self.audit = audit
        self.hasher = PasswordHasher()
        self._dummy_hash = self.hasher.hash(secrets.token_hex(8))  # equal work for unknown names

    # --- users --------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, collections: list[str] | tuple[str, ...] = (), actor: str = "local") -> Principal:
        name = name.strip().lower()
        if not _NAME.match(name):
            raise AccessError(f"Tên đăng nhập '{name}' không hợp lệ (chữ thường không dấu, số, . _ -).", 422, "invalid_name")
        if role not in ROLES:
            raise AccessError(f"Vai trò '{role}' không hợp lệ (có: {', '.join(ROLES)}).", 422, "invalid_role")
        self._check_password(password)
        with self.sessions.begin() as session:
            if session.scalar(select(User).where(User.name == name)):
                raise AccessError(f"Tài khoản '{name}' đã tồn tại.", 409, "exists")
            user = User(name=name, role=role, password_hash=self.hasher.hash(password), disabled=False)
            session.add(user)
            session.flush()
            principal = Principal(user.name, user.role, user.id)
        self.audit.record(actor, "user_add", target=name, role=role)
        for collection in collections:
            self.grant(collection, name, manage=role in ("editor", "admin"), actor=actor)
        return principal

    def _check_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccessError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.", 422, "weak_password")

    def _user(self, session, name: str) -> User:
        user = session.scalar(select(User).where(User.name == name.strip().lower()))
        if user is None:
            raise AccessError(f"Không có tài khoản '{name}'.", 404, "unknown_user")
        return user

    def get(self, name: str) -> Principal:
        """An active account as a principal (the CLI's --user)."""
        with self.sessions() as session:
            user = self._user(session, name)
        if user.disabled:
            raise AccessError(f"Tài khoản '{name}' đã bị khoá.", 403, "disabled")
        return Principal(user.name, user.role, user.id)

    def list_users(self) -> list[UserInfo]:
        with self.sessions() as session:
            users = list(session.scalars(select(User).order_by(User.name)))
            grants = list(session.execute(select(Grant.user_id, Grant.collection)))
        return [
            UserInfo(user.name, user.role, user.disabled, tuple(sorted(c for uid, c in grants if uid == user.id)))
            for user in users
        ]

    def set_disabled(self, name: str, disabled: bool = True, actor: str = "local") -> None:
        with self.sessions.begin() as session:
            user = self._user(session, name)
            user.disabled = disabled
            if disabled:
                session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        self.audit.record(actor, "user_disable" if disabled else "user_enable", target=name)

    def set_password(self, name: str, password: str, actor: str = "local") -> None:
        self._check_password(password)
        with self.sessions.begin() as session:
            user = self._user(session, name)
            user.password_hash = self.hasher.hash(password)
            session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        self.audit.record(actor, "passwd", target=name)

    def ensure_admin(self) -> str | None:
        """With no administrator yet, create 'admin' with a random password and return it (shown once)."""
        with self.sessions() as session:
            if session.scalar(select(func.count()).select_from(User).where(User.role == "admin")):
                return None
        password = secrets.token_urlsafe(12)
        self.add_user("admin", "admin", password, actor="system")
        return password

    # --- login ----------------------------------------------------------------------
    def authenticate(self, name: str, password: str, address: str = "") -> Principal:
        """The account for a name and password, or AccessError. Repeated failures lock the name out for the address
        they came from, and an address that fails across many names altogether; never the name everywhere, or
        anyone could lock the administrator out by guessing wrong on purpose."""
        name = name.strip().lower()
        window = datetime.now(UTC) - timedelta(minutes=self.settings.login_window_minutes)
        recent = select(func.count()).select_from(LoginFailure).where(LoginFailure.address == address, LoginFailure.at >= window)
        with self.sessions() as session:
            by_pair = session.scalar(recent.where(LoginFailure.name == name))
            by_address = session.scalar(recent) if address else 0
            user = session.scalar(select(User).where(User.name == name))
        limit = self.settings.login_max_failures
        if by_pair >= limit or by_address >= 4 * limit:
            self.audit.record(name, "login_locked", address=address)
            raise AccessError(
                f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {self.settings.login_window_minutes} phút.", 429, "too_many_attempts"
            )
        try:
            self.hasher.verify(user.password_hash if user else self._dummy_hash, password)
            valid = user is not None and not user.disabled
        except (VerificationError, InvalidHashError):
            valid = False
        if not valid:
            with self.sessions.begin() as session:
                session.add(LoginFailure(name=name, address=address))
            self.audit.record(name, "login_failed", address=address)
            raise AccessError("Tên đăng nhập hoặc mật khẩu không đúng.", 401, "bad_credentials")
        with self.sessions.begin() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.name == name, LoginFailure.address == address))
        self.audit.record(name, "login", address=address)
        return Principal(user.name, user.role, user.id)

    def open_session(self, principal: Principal) -> str:
        token = secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(hours=self.settings.session_hours)
        with self.sessions.begin() as session:
            session.add(LoginSession(token_hash=_token_hash(token), user_id=principal.id, expires_at=expires))
        return token

    def resolve_session(self, token: str) -> Principal | None:
        """The active account behind a session cookie, or None (unknown, expired, disabled)."""
        if not token:
            return None
        with self.sessions() as session:
            row = session.get(LoginSession, _token_hash(token))
            if row is None or _aware(row.expires_at) < datetime.now(UTC):
                return None
            user = session.get(User, row.user_id)
        if user is None or user.disabled:
            return None
        return Principal(user.name, user.role, user.id)

    def close_session(self, token: str) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))

    # --- collections ------------------------------------------------------------------
    def add_collection(self, name: str, level: str, description: str = "", actor: str = "local") -> None:
        name = name.strip().lower()
        if not _NAME.match(name):
            raise AccessError(f"Tên bộ tài liệu '{name}' không hợp lệ (chữ thường không dấu, số, . _ -).", 422, "invalid_name")
        if level not in LEVELS:
            raise AccessError(f"Mức truy cập '{level}' không hợp lệ (có: {', '.join(LEVELS)}).", 422, "invalid_level")
        with self.sessions.begin() as session:
            if session.get(Collection, name):
                raise AccessError(f"Bộ tài liệu '{name}' đã tồn tại.", 409, "exists")
            session.add(Collection(name=name, level=level, description=description))
        self.audit.record(actor, "collection_add", target=name, level=level)

    def ensure_collection(self, name: str, level: str = "public") -> None:
        with self.sessions() as session:
            if session.get(Collection, name):
                return
        self.add_collection(name, level, actor="system")

    def collection(self, name: str) -> Collection:
        with self.sessions() as session:
            found = session.get(Collection, name)
        if found is None:
            raise AccessError(f"Không có bộ tài liệu '{name}'. Tạo bằng: app.py collections add {name} --level …", 404, "unknown_collection")
        return found

    def list_collections(self) -> list[CollectionInfo]:
        with self.sessions() as session:
            collections = list(session.scalars(select(Collection).order_by(Collection.name)))
            grants = list(session.execute(select(Grant.collection, User.name, Grant.manage).join(User, User.id == Grant.user_id)))
        return [
            CollectionInfo(
                c.name, c.level, c.description,
                tuple(sorted(user for coll, user, _ in grants if coll == c.name)),
                tuple(sorted(user for coll, user, manage in grants if coll == c.name and manage)),
            )
            for c in collections
        ]

    def grant(self, collection: str, name: str, manage: bool = False, actor: str = "local") -> None:
        self.collection(collection)
        with self.sessions.begin() as session:
            user = self._user(session, name)
            existing = session.scalar(select(Grant).where(Grant.collection == collection, Grant.user_id == user.id))
            if existing:
                existing.manage = existing.manage or manage
            else:
                session.add(Grant(collection=collection, user_id=user.id, manage=manage))
        self.audit.record(actor, "grant", target=name, collection=collection, manage=manage)

    def revoke(self, collection: str, name: str, actor: str = "local") -> None:
        with self.sessions.begin() as session:
            user = self._user(session, name)
            session.execute(delete(Grant).where(Grant.collection == collection, Grant.user_id == user.id))
        self.audit.record(actor, "revoke", target=name, collection=collection)

    # --- the access decision -------------------------------------------------------------
    def readable(self, principal: Principal) -> list[str]:
        """Collections the principal may read: public and internal ones, and restricted ones granted."""
        with self.sessions() as session:
            collections = list(session.scalars(select(Collection)))
            granted = set(session.scalars(select(Grant.collection).where(Grant.user_id == principal.id))) if principal.id else set()
        return sorted(c.name for c in collections if principal.is_admin or c.level != "restricted" or c.name in granted)

    def scope_for(self, principal: Principal) -> Scope:
        """The retriever's filter for this principal; an administrator's admits everything."""
        return Scope.everything() if principal.is_admin else Scope.only(self.readable(principal))

    def may_manage(self, principal: Principal, collection: str) -> bool:
        if principal.is_admin:
            return True
        if principal.role != "editor" or principal.id is None:
            return False
        with self.sessions() as session:
            return bool(session.scalar(select(Grant.manage).where(Grant.collection == collection, Grant.user_id == principal.id)))
