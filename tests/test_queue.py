"""The model's line: first come first served, places and estimates, leaving while waiting."""

import threading
import time

from chat.queue import GenerationQueue


def test_waiters_are_served_in_arrival_order_and_see_their_place() -> None:
    queue = GenerationQueue(slots=1)
    first = queue.join()
    assert first.wait(0)
    second, third = queue.join(), queue.join()
    assert not second.wait(0) and not third.wait(0)
    assert (second.place().position, third.place().position, third.place().waiting) == (1, 2, 2)
    assert second.place().estimate_seconds is None  # no turn timed yet

    served: list[str] = []

    def take_turn(name: str, ticket) -> None:
        ticket.wait()
        served.append(name)
        ticket.leave()

    threads = [threading.Thread(target=take_turn, args=(name, ticket)) for name, ticket in (("third", third), ("second", second))]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    assert served == []  # the first still holds the model
    first.leave()
    for thread in threads:
        thread.join(5)
    assert served == ["second", "third"]


def test_estimate_comes_from_timed_turns_and_a_leaver_frees_its_place() -> None:
    queue = GenerationQueue(slots=1)
    with queue.join():
        time.sleep(0.3)
    holder, quitter, waiter = queue.join(), queue.join(), queue.join()
    assert holder.wait(0)
    assert waiter.place().position == 2
    assert waiter.place().estimate_seconds >= 0.3  # one turn ahead, one being served
    quitter.leave()  # a closed tab
    assert waiter.place().position == 1
    holder.leave()
    assert waiter.wait(1)
    waiter.leave()
    assert queue.join().wait(0)


def test_slots_serve_several_at_once() -> None:
    queue = GenerationQueue(slots=2)
    a, b, c = queue.join(), queue.join(), queue.join()
    assert a.wait(0) and b.wait(0) and not c.wait(0)
    assert c.place().position == 1
    b.leave()
    assert c.wait(0)


def test_a_question_has_its_place_from_arrival_and_the_model_goes_to_the_first_one_ready() -> None:
    queue = GenerationQueue(slots=1)
    searching, ready = queue.join(), queue.join()  # both asked; the first is still finding its passages
    assert searching.place().position == 0  # a free slot awaits it: nothing to show
    assert ready.place().position == 1  # shown at once, before its own passages are found
    assert ready.wait(0)  # the one still searching does not hold the model idle
    assert searching.place().position == 1
    assert not searching.wait(0)
    ready.leave()
    assert searching.wait(1)
    searching.leave()


def test_a_served_ticket_left_twice_frees_one_slot_only() -> None:
    queue = GenerationQueue(slots=1)
    first, second = queue.join(), queue.join()
    assert first.wait(0)
    first.leave()
    first.leave()  # the answer's turn ends when written, and again when the question is done
    assert second.wait(0)
    assert not queue.join().wait(0)
