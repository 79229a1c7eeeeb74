"""Answers shared between members by the exact prompt that produced them.

After a meeting many members ask the same question (the same words, or a suggested question clicked), and their
retrieval finds the same passages, so the model would read the same prompt and write the same answer (decoding is
greedy) once per member, each waiting behind the others. Here the first such question is written by the model; a
member whose prompt is identical while it is being written waits for that answer instead of for a turn of the model,
and one who asks later gets it at once.

The key is the whole prompt (system text, the passages as the model reads them, the question), the ids of the
passages the answer is written from (the extractive backend reads them, not the prompt; a passage left out of a
shortened prompt still counts) and the backend's name. So nothing crosses an access boundary: a member only shares an
answer written from exactly the passages their own retrieval returned, and a document changed or removed since changes
or removes its passages, hence the key. Citations and checks are computed again for every member from their own
passages; only the model's text is shared.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from chat.queue import Ticket


class Pending:
    """Another member's identical prompt is still being written (see :meth:`SharedAnswers.recall`)."""


PENDING = Pending()


class SharedAnswers:
    """The last ``size`` answers written, by prompt; ``size`` 0 shares nothing (every question is written anew)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._written: OrderedDict[str, str] = OrderedDict()
        self._writing: dict[str, tuple[threading.Event, Ticket]] = {}  # key -> (set when kept or abandoned, the writer's place)

    @staticmethod
    def key(backend: str, messages: list[dict[str, str]], passage_ids: list[str]) -> str:
        return hashlib.sha256(json.dumps([backend, messages, passage_ids], ensure_ascii=False).encode("utf-8")).hexdigest()

    def recall(self, key: str, ticket: Ticket, timeout: float | None = None) -> str | Pending | None:
        """The text written for ``key``, waiting while another member's identical prompt is being written;
        :data:`PENDING` if it still is after ``timeout`` seconds (a server thread is not held for the whole answer).
        None makes the caller, in line with ``ticket``, its writer: it must then :meth:`keep` the text or
        :meth:`abandon` it, or the members waiting for it wait for ever."""
        if not self.size:
            return None
        while True:
            with self._lock:
                if key in self._written:
                    self._written.move_to_end(key)
                    return self._written[key]
                writing = self._writing.get(key)
                if writing is None:
                    self._writing[key] = (threading.Event(), ticket)
                    return None
            if not writing[0].wait(timeout):  # set when kept (read it on the next pass) or abandoned (write it)
                return PENDING

    def writer(self, key: str) -> Ticket | None:
        """The place in line of the member whose identical prompt is being written: those waiting for it are told
        that place, not their own."""
        with self._lock:
            writing = self._writing.get(key)
            return None if writing is None else writing[1]

    def keep(self, key: str, text: str) -> None:
        """The whole text written for ``key`` (an empty one is not kept: the next asker tries again)."""
        with self._lock:
            if text and self.size:
                self._written[key] = text
                self._written.move_to_end(key)
                while len(self._written) > self.size:
                    self._written.popitem(last=False)
            self._release(key)

    def abandon(self, key: str) -> None:
        """The writer stopped (the member left, the model failed): one of those waiting writes it instead. Harmless
        after :meth:`keep`."""
        with self._lock:
            self._release(key)

    def _release(self, key: str) -> None:
        writing = self._writing.pop(key, None)
        if writing is not None:
            writing[0].set()

    def forget(self) -> None:
        """Drop every kept answer (a benchmark's run must not reuse the answers of the run before it)."""
        with self._lock:
            self._written.clear()
