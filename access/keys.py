"""API keys: each acts with exactly its user's rights, is stored hashed and shown once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from access.accounts import Accounts
from access.models import ApiKey, User
from access.principal import AccessError, Principal

KEY_PREFIX = "rag_"


@dataclass(frozen=True)
class KeyInfo:
    id: int
    user: str
    label: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


class ApiKeys:
    def __init__(self, sessions: sessionmaker, accounts: Accounts) -> None:
        self.sessions = sessions
        self.accounts = accounts

    def create(self, user: str, label: str = "", expires_days: int | None = None, actor: str = "local") -> tuple[str, KeyInfo]:
        """A new key for an active user: (the key, shown this once; its record)."""
        principal = self.accounts.get(user)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(days=expires_days) if expires_days else None
        with self.sessions.begin() as session:
            row = ApiKey(user_id=principal.id, label=label or f"khoa-{principal.name}", prefix=key[:10], key_hash=_hash(key),
                         expires_at=expires, revoked=False)
            session.add(row)
            session.flush()
            info = self._info(row, principal.name)
        self.accounts.audit.record(actor, "key_create", target=principal.name, label=info.label, key_id=info.id)
        return key, info

    @staticmethod
    def _info(row: ApiKey, user: str) -> KeyInfo:
        return KeyInfo(row.id, user, row.label, row.prefix, _aware(row.created_at), _aware(row.expires_at), row.revoked)

    def list(self, user: str | None = None) -> list[KeyInfo]:
        query = select(ApiKey, User.name).join(User, User.id == ApiKey.user_id).order_by(ApiKey.id)
        if user:
            query = query.where(User.name == user)
        with self.sessions() as session:
            return [self._info(row, name) for row, name in session.execute(query)]

    def revoke(self, key_id: int, actor: str = "local") -> None:
        with self.sessions.begin() as session:
            row = session.get(ApiKey, key_id)
            if row is None:
                raise AccessError(f"Không có khoá số {key_id}.", 404, "not_found")
            row.revoked = True
        self.accounts.audit.record(actor, "key_revoke", key_id=key_id)

    def resolve(self, key: str) -> Principal | None:
        """The user behind a valid key (not revoked, not expired, user active), marked with the key's label."""
        if not key.startswith(KEY_PREFIX):
            return None
        with self.sessions() as session:
            row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(key)))
            user = session.get(User, row.user_id) if row else None
        if row is None or row.revoked or user is None or user.disabled:
            return None
        expires = _aware(row.expires_at)
        if expires is not None and expires < datetime.now(UTC):
            return None
        return replace(Principal(user.name, user.role, user.id), key=row.label)
