"""Who is acting: a plain record passed from the front ends to the services."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    id: int | None = None
    key: str = ""  # the label of the API key the request came with ("" for a session or the CLI)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


# The one user of personal mode, and of the CLI without --user: the machine's owner.
LOCAL_ADMIN = Principal("local", "admin")


class AccessError(Exception):
    """Refused: ``status`` is the HTTP code a front end answers with, the message is Vietnamese."""

    def __init__(self, message: str, status: int = 403, code: str = "forbidden") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
