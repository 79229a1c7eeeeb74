"""Queries asked at the same moment are embedded together, in one batch.

Eight members asking at once used to run eight forward passes side by side on
two cores, each slowed by the others (the last preview came after 4.6 s). Here
one caller at a time runs the model, on every query that is waiting when it
starts; callers that arrive meanwhile wait for the next batch. A single query
pays nothing but a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(eq=False)
class _Request:
    text: str
    vector: np.ndarray | None = None
    error: BaseException | None = None
    done: bool = field(default=False)


class QueryBatcher:
    """``embed(text)`` for many threads at once; ``encode`` is called with whole batches, one at a time."""

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray]) -> None:
        self._encode = encode
        self._condition = threading.Condition()
        self._waiting: list[_Request] = []
        self._busy = False

    def embed(self, text: str) -> np.ndarray:
        request = _Request(text)
        batch: list[_Request] = []
        with self._condition:
            self._waiting.append(request)
            while self._busy and not request.done:
                self._condition.wait()
            if not request.done:  # the model is free: run it on everyone waiting, this request included
                self._busy = True
                batch, self._waiting = self._waiting, []
        if batch:
            self._run(batch)
        if request.error is not None:
            raise request.error
        assert request.vector is not None
        return request.vector

    def _run(self, batch: list[_Request]) -> None:
        try:
            vectors = self._encode([request.text for request in batch])
            for request, vector in zip(batch, vectors, strict=True):
                request.vector = vector
        except BaseException as error:  # every caller in the batch sees the failure, not only the one running it
            for request in batch:
                request.error = error
        finally:
            with self._condition:
                for request in batch:
                    request.done = True
                self._busy = False
                self._condition.notify_all()
