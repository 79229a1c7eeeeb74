"""A stage of work on its own thread, fed and drained by the thread that owns everything else.

Ingestion embeds on one thread while the caller's thread goes on reading files and writing finished documents:
the model's arithmetic runs in native code that does not hold Python's lock, so the reading (pypdf, chunking)
and the writing (Chroma, BM25) fill the time a core would otherwise wait. Everything the stage gives back is
handed over through queues; the caller's thread alone touches the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from queue import Empty, Queue
from threading import Event, Thread
from types import TracebackType
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

_END = object()  # after the last input, and after the last output


class BackgroundStage(Generic[In, Out]):
    """Runs ``work`` over the items :meth:`put` in, on its own thread; its outputs come back, in order, through
    :meth:`ready` (those done so far) and :meth:`rest` (all of them, once the inputs are over). An error in ``work``
    is raised again in the caller's thread by whichever of the two meets it."""

    def __init__(self, work: Callable[[Iterator[In]], Iterator[Out]], name: str) -> None:
        self._inputs: Queue = Queue()
        self._outputs: Queue = Queue()
        self._stopping = Event()
        self._thread = Thread(target=self._run, args=(work,), name=name, daemon=True)
        self._thread.start()

    def __enter__(self) -> BackgroundStage[In, Out]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        """Stops the work after the item in hand when the caller gave up early. The thread is waited for, except
        after Ctrl-C: it touches nothing but its own queues, and a window of embedding can take most of a minute."""
        self._stopping.set()
        self._inputs.put(_END)
        if kind is None or issubclass(kind, Exception):
            self._thread.join()

    def put(self, item: In) -> None:
        self._inputs.put(item)

    def ready(self) -> Iterator[Out]:
        """The outputs finished so far, without waiting."""
        while True:
            try:
                output = self._outputs.get_nowait()
            except Empty:
                return
            if output is _END:
                self._outputs.put(_END)  # for rest()
                return
            yield self._checked(output)

    def rest(self) -> Iterator[Out]:
        """Every output still to come: the inputs are over."""
        self._inputs.put(_END)
        while (output := self._outputs.get()) is not _END:
            yield self._checked(output)

    def _run(self, work: Callable[[Iterator[In]], Iterator[Out]]) -> None:
        try:
            for output in work(self._taken()):
                if self._stopping.is_set():
                    break
                self._outputs.put(output)
        except BaseException as error:  # handed to the caller's thread, which raises it
            self._outputs.put(_Failure(error))
        self._outputs.put(_END)

    def _taken(self) -> Iterator[In]:
        while not self._stopping.is_set() and (item := self._inputs.get()) is not _END:
            yield item

    @staticmethod
    def _checked(output: object) -> Out:
        if isinstance(output, _Failure):
            raise output.error
        return output  # type: ignore[return-value]


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error
