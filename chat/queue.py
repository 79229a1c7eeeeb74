"""Turn-taking in front of a model that serves one request (or a few) at a time.

Questions that arrive together wait in one first-come-first-served line, and
each waiter can be told its place and an estimate at any moment: a member
in front of a phone sees "vị trí 3, khoảng 40 giây" instead of a blank screen.
A question takes its place the moment it is asked, before its passages are
found, so the place can be shown at once; the model goes to the earliest
question that is *ready* for it (one still searching does not hold it idle).
A waiter that gives up (closed tab, cancelled stream) leaves the line.
"""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Queued:
    """A question waiting for the model: ``position`` 1 is next, 0 means a free slot awaits it; the estimate is
    None until a turn has been timed."""

    position: int
    waiting: int
    estimate_seconds: float | None


class Ticket:
    """One place in the line; :meth:`leave` must follow, served or not (``with`` does it)."""

    def __init__(self, queue: GenerationQueue, number: int) -> None:
        self.queue = queue
        self.number = number

    def wait(self, timeout: float | None = None) -> bool:
        """True once it is this ticket's turn; False when ``timeout`` passes first. From the first call on, the
        ticket is ready for the model: it is served before earlier tickets that are not."""
        return self.queue._wait(self, timeout)

    def place(self) -> Queued:
        return self.queue._place(self)

    def leave(self) -> None:
        self.queue._leave(self)

    def follow(self, following: bool = True) -> None:
        """While this question waits for the same answer being written for another member (chat/shared_answers.py)
        it takes no turn, so the members behind it are not told it is ahead of them; it keeps its place in case it
        has to be written after all (its writer stopped)."""
        self.queue._follow(self, following)

    def __enter__(self) -> Ticket:
        self.wait()
        return self

    def __exit__(self, *_: object) -> None:
        self.leave()


class GenerationQueue:
    """A fair line with ``slots`` requests served at once (1 for one llama.cpp context)."""

    def __init__(self, slots: int = 1) -> None:
        self.slots = slots
        self._condition = threading.Condition()
        self._line: deque[int] = deque()
        self._ready: set[int] = set()  # tickets in the line whose question is ready for the model
        self._serving: dict[int, float] = {}  # ticket number -> when its turn began
        self._following: set[int] = set()  # tickets in the line waiting for another's identical answer, not a turn
        self._numbers = itertools.count()
        self._recent: deque[float] = deque(maxlen=20)  # seconds of recent turns, for estimates

    def join(self) -> Ticket:
        with self._condition:
            number = next(self._numbers)
            self._line.append(number)
            return Ticket(self, number)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait without reporting, for work nobody watches a place for (a speech's prose)."""
        with self.join():
            yield

    def _wait(self, ticket: Ticket, timeout: float | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            if ticket.number in self._line:
                self._ready.add(ticket.number)
            while True:
                if ticket.number in self._serving:
                    return True
                free = self.slots - len(self._serving)
                if ticket.number in [number for number in self._line if number in self._ready][: max(free, 0)]:
                    self._line.remove(ticket.number)
                    self._ready.discard(ticket.number)
                    self._serving[ticket.number] = time.monotonic()
                    self._condition.notify_all()  # the next ready one may fit in a free slot too
                    return True
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._condition.wait(remaining)

    def _place(self, ticket: Ticket) -> Queued:
        with self._condition:
            free = self.slots - len(self._serving)
            line = [number for number in self._line if number not in self._following or number == ticket.number]
            if ticket.number in self._serving or ticket.number not in line or line.index(ticket.number) < free:
                return Queued(0, len(line), 0.0)
            ahead = line.index(ticket.number) - max(free, 0)
            estimate = None
            if self._recent:
                # Turns ahead of this one, shared among the slots, plus what the ones being served still need.
                typical = statistics.median(self._recent)
                now = time.monotonic()
                left_in_service = sum(max(typical - (now - began), 0.0) for began in self._serving.values())
                estimate = (ahead * typical + left_in_service) / self.slots
            return Queued(ahead + 1, len(line), estimate)

    def _follow(self, ticket: Ticket, following: bool) -> None:
        with self._condition:
            if following and ticket.number in self._line:
                self._following.add(ticket.number)
            else:
                self._following.discard(ticket.number)

    def _leave(self, ticket: Ticket) -> None:
        with self._condition:
            began = self._serving.pop(ticket.number, None)
            if began is not None:
                self._recent.append(time.monotonic() - began)
            elif ticket.number in self._line:
                self._line.remove(ticket.number)
                self._ready.discard(ticket.number)
            self._following.discard(ticket.number)
            self._condition.notify_all()
