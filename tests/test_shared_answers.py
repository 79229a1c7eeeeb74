"""Answers shared by prompt (chat/shared_answers.py): the first asker writes, identical prompts wait for it or get
it at once, an abandoned answer passes to one of those waiting, and the oldest answers go first."""

from __future__ import annotations

import threading

from chat.queue import GenerationQueue, Ticket
from chat.shared_answers import PENDING, SharedAnswers

IDS = ["a1b2:0003", "a1b2:0004"]
MESSAGES = [{"role": "system", "content": "Trả lời ngắn."}, {"role": "user", "content": "Tài liệu: [1] …\n\nCâu hỏi: Ai?"}]


def asker() -> Ticket:
    """A member's place in a line of their own (the line is not what these tests are about)."""
    return GenerationQueue().join()


def asked_in_thread(answers: SharedAnswers, key: str) -> tuple[threading.Thread, list[str | None]]:
    got: list[str | None] = []
    thread = threading.Thread(target=lambda: got.append(answers.recall(key, asker())), daemon=True)
    thread.start()
    return thread, got


def written_here_then_asked_again(size: int, wait: float) -> tuple[SharedAnswers, str, threading.Thread, list[str | None]]:
    """The first asker (this thread) is made the writer; then the same prompt is asked in another thread."""
    answers = SharedAnswers(size)
    key = answers.key("llama.cpp:model.gguf", MESSAGES, IDS)
    assert answers.recall(key, asker()) is None  # nobody wrote it: this caller writes
    thread, got = asked_in_thread(answers, key)
    thread.join(wait)
    return answers, key, thread, got


def test_the_first_asker_writes_and_an_identical_prompt_waits_for_its_text() -> None:
    answers, key, thread, got = written_here_then_asked_again(4, 0.3)
    assert thread.is_alive() and not got  # waiting for the writer, not writing it a second time
    assert answers.recall(key, asker(), timeout=0.1) is PENDING  # a caller that must not hold its thread is told so
    answers.keep(key, "Đồng chí Nguyễn Văn A [1].")
    thread.join(5)
    assert got == ["Đồng chí Nguyễn Văn A [1]."]
    assert answers.recall(key, asker()) == "Đồng chí Nguyễn Văn A [1]."  # a later asker gets it at once


def test_an_abandoned_answer_is_written_by_one_of_those_waiting() -> None:
    answers, key, thread, got = written_here_then_asked_again(4, 0.3)
    answers.abandon(key)  # the writer's member closed the tab
    thread.join(5)
    assert got == [None]  # the waiting member writes it now
    follower, followed = asked_in_thread(answers, key)
    follower.join(0.3)
    assert follower.is_alive()  # ... and a third waits for that one
    answers.keep(key, "Văn bản nêu [1].")
    follower.join(5)
    assert followed == ["Văn bản nêu [1]."]


def test_an_empty_text_is_not_kept_and_the_next_asker_writes_again() -> None:
    answers = SharedAnswers(4)
    key = answers.key("llama.cpp:model.gguf", MESSAGES, IDS)
    assert answers.recall(key, asker()) is None
    answers.keep(key, "")
    assert answers.recall(key, asker()) is None


def test_those_waiting_for_an_answer_are_told_its_writers_place_and_the_members_behind_are_not_held_back_by_them() -> None:
    line = GenerationQueue(slots=1)
    other = line.join()
    assert other.wait(0)  # the model is writing another member's answer
    writer, follower, behind = line.join(), line.join(), line.join()
    answers = SharedAnswers(4)
    key = answers.key("llama.cpp:model.gguf", MESSAGES, IDS)
    assert answers.recall(key, writer) is None
    assert answers.recall(key, follower, timeout=0.05) is PENDING
    follower.follow()
    assert answers.writer(key) is writer
    assert (writer.place().position, behind.place().position, behind.place().waiting) == (1, 2, 2)  # the follower takes no turn
    other.leave()
    assert writer.wait(0)
    assert answers.writer(key).place().position == 0  # shown as "being written" to those waiting for it
    answers.abandon(key)  # the writer's member left: the follower writes it, from the place it kept
    assert answers.recall(key, follower, timeout=0.05) is None and answers.writer(key) is follower
    follower.follow(False)
    assert (follower.place().position, behind.place().position) == (1, 2)  # next, once the writer is done


def test_the_key_is_the_whole_prompt_the_passages_and_the_backend() -> None:
    other_passage = [MESSAGES[0], {"role": "user", "content": MESSAGES[1]["content"].replace("…", "Chi bộ")}]
    keys = {SharedAnswers.key("llama.cpp:model.gguf", MESSAGES, IDS), SharedAnswers.key("llama.cpp:model.gguf", other_passage, IDS),
            SharedAnswers.key("llama.cpp:model.gguf", MESSAGES, [*IDS, "c3d4:0001"]),  # a passage the prompt left out
            SharedAnswers.key("openai:local@http://127.0.0.1:8080/v1", MESSAGES, IDS)}
    assert len(keys) == 4


def test_the_least_recently_asked_answer_goes_first_and_forget_drops_all() -> None:
    answers = SharedAnswers(2)
    first, second, third = (answers.key("b", [{"role": "user", "content": q}], IDS) for q in ("1", "2", "3"))
    for key, text in ((first, "một"), (second, "hai")):
        assert answers.recall(key, asker()) is None
        answers.keep(key, text)
    assert answers.recall(first, asker()) == "một"  # asked again: now the most recent
    assert answers.recall(third, asker()) is None
    answers.keep(third, "ba")
    assert answers.recall(first, asker()) == "một" and answers.recall(third, asker()) == "ba"
    assert answers.recall(second, asker()) is None  # evicted; this caller writes it again
    answers.abandon(second)
    answers.forget()
    assert answers.recall(first, asker()) is None


def test_size_zero_shares_nothing_and_never_makes_anyone_wait() -> None:
    answers, key, _, got = written_here_then_asked_again(0, 5)
    assert got == [None]  # a second writer, at once
    answers.keep(key, "text")
    assert answers.recall(key, asker()) is None


def test_a_member_without_access_never_gets_the_answer_written_from_a_restricted_passage(base_settings, embedder, tmp_path) -> None:
    """The administrator's answer to a question quotes the restricted report; a member who may not read it asks the
    same words right after, through the same services (the answer is kept), and gets the answer written from their
    own passages, which holds none of it. (The key keeps the two apart; were it to fail, the citation checks, which
    accept only text found in the member's own passages, are the second line: this guards the end result.)"""
    from services import build_services
    from tests.leak_world import leaks, populate, write_corpus
    from vectorstore import open_index

    # A store of its own: the session's leak store is changed by the leak suite (moves, uploads, deletions).
    write_corpus(tmp_path / "corpus")
    settings = base_settings.model_copy(update={
        "data_dir": tmp_path / "data", "corpus_dir": tmp_path / "corpus", "llm_backend": "extractive",
        "database_url": f"sqlite:///{tmp_path / 'app.db'}", "auth": True,
    })
    services = build_services(settings, index=open_index(settings, embedder))
    populate(services)
    # A question the member's own documents answer: the one asked before ("Chi bộ Phòng Tổ chức và Ủy ban Kiểm tra làm
    # gì năm 2025?") was answerable for them only while the restricted report's words weighed the member's coverage
    # check — a library of their two documents alone refuses it, as the member is now refused (issue 40, finding 4).
    question = "Đảng viên năm 2025: ai được kết nạp, ai bị kết luận?"
    administrator = services.acting_as(services.accounts.get("quantri"), "test").ask(question)
    assert leaks(administrator.answer)  # the kept answer quotes the restricted report
    member = services.acting_as(services.accounts.get("dangvien"), "test").ask(question)
    assert not member.refused and "kết nạp 03 đảng viên mới" in member.answer
    assert {citation.title for citation in member.citations} == {"Hội nghị tổng kết công tác Đảng năm 2024 của Chi bộ Phòng Tổ chức"}
    assert not leaks(member.to_json())
    again = services.acting_as(services.accounts.get("quantri"), "test").ask(question)
    assert again.answer == administrator.answer
