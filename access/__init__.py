"""Users, roles, collections with access levels, login sessions, audit; on SQLAlchemy.

The retriever asks :meth:`Accounts.scope_for` for its filter; nothing else does
its own access checking.
"""

from access.accounts import Accounts, CollectionInfo, UserInfo
from access.audit import AuditFilter, AuditLog
from access.db import connect, migrate, session_factory
from access.principal import LOCAL_ADMIN, AccessError, Principal

__all__ = [
    "LOCAL_ADMIN", "AccessError", "Accounts", "AuditFilter", "AuditLog", "CollectionInfo", "Principal", "UserInfo",
    "connect", "migrate", "session_factory",
]
