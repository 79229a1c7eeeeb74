"""Per-caller limits: requests per sliding minute, and work running at once."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from access.principal import AccessError

KEY_MESSAGE = "Khoá API đã gửi quá {limit} yêu cầu mỗi phút; hãy thử lại sau."


class RateLimiter:
    """At most ``per_minute`` calls per key in any sliding minute (one server process)."""

    def __init__(self, per_minute: int, message: str = KEY_MESSAGE) -> None:
        self.per_minute = per_minute
        self.message = message
        self.calls: dict[str, deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self.lock:
            calls = self.calls[key]
            while calls and calls[0] < now - 60:
                calls.popleft()
            if len(calls) >= self.per_minute:
                raise AccessError(self.message.format(limit=self.per_minute), 429, "rate_limited")
            calls.append(now)


class UsageLimiter:
    """What one user may ask of the shared models: so many questions a minute and so many at once, whatever the
    channel (web page, REST, OpenAI-compatible API, key or cookie), so one member cannot slow everyone else."""

    def __init__(self, per_minute: int, at_once: int) -> None:
        self.rate = RateLimiter(per_minute, "Bạn đã gửi quá {limit} yêu cầu trong một phút; hãy thử lại sau ít phút.")
        self.at_once = at_once
        self.running: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def acquire(self, user: str) -> Callable[[], None]:
        """Take one of the user's places; returns what gives it back (idempotent). Refused (429) past either limit."""
        with self.lock:
            if self.running.get(user, 0) >= self.at_once:
                raise AccessError(
                    f"Bạn đang có {self.at_once} yêu cầu chưa xong; hãy chờ chúng xong rồi gửi tiếp.", 429, "too_many_at_once"
                )
            self.rate.check(user)
            self.running[user] += 1
        released = threading.Event()

        def release() -> None:
            with self.lock:
                if released.is_set():
                    return
                released.set()
                self.running[user] -= 1
                if not self.running[user]:
                    del self.running[user]

        return release

    @contextmanager
    def admit(self, user: str) -> Iterator[None]:
        """Hold one of the user's places while the work runs."""
        release = self.acquire(user)
        try:
            yield
        finally:
            release()
