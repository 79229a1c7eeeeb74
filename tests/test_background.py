"""The background stage ingestion embeds on: order, errors and giving up early."""

import threading
from collections.abc import Iterator

import pytest

from vectorstore.background import BackgroundStage


def _pairs(items: Iterator[int]) -> Iterator[tuple[int, int]]:
    """Outputs that each need two inputs, as an embedding window needs several documents."""
    held: list[int] = []
    for item in items:
        held.append(item)
        if len(held) == 2:
            yield tuple(held)  # type: ignore[misc]
            held = []
    if held:
        yield (held[0], -1)


def test_outputs_come_back_in_order_whether_taken_while_feeding_or_at_the_end() -> None:
    taken: list[tuple[int, int]] = []
    with BackgroundStage(_pairs, "test") as stage:
        for number in range(7):
            stage.put(number)
            taken += stage.ready()
        taken += stage.rest()
    assert taken == [(0, 1), (2, 3), (4, 5), (6, -1)]


def test_an_error_in_the_work_is_raised_in_the_callers_thread() -> None:
    def failing(items: Iterator[int]) -> Iterator[int]:
        for item in items:
            if item == 2:
                raise ValueError("hỏng ở mục 2")
            yield item

    with pytest.raises(ValueError, match="hỏng ở mục 2"), BackgroundStage(failing, "test") as stage:
        for number in range(4):
            stage.put(number)
        list(stage.rest())


def test_a_caller_that_gives_up_stops_the_work_after_the_item_in_hand() -> None:
    started = threading.Event()
    seen: list[int] = []

    def slow(items: Iterator[int]) -> Iterator[int]:
        for item in items:
            seen.append(item)
            started.set()
            threading.Event().wait(1)  # still on the first item when the caller gives up
            yield item

    with pytest.raises(RuntimeError), BackgroundStage(slow, "test") as stage:
        for number in range(5):
            stage.put(number)
        assert started.wait(10)
        raise RuntimeError("người gọi dừng")
    assert seen == [0] and not stage._thread.is_alive()
