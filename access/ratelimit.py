"""A per-key request limit for the HTTP API."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from access.principal import AccessError


class RateLimiter:
    """At most ``per_minute`` requests per API key in any sliding minute (one server process)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.calls: dict[str, deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self.lock:
            calls = self.calls[key]
            while calls and calls[0] < now - 60:
                calls.popleft()
            if len(calls) >= self.per_minute:
                raise AccessError(f"Khoá API đã gửi quá {self.per_minute} yêu cầu mỗi phút; hãy thử lại sau.", 429, "rate_limited")
            calls.append(now)
