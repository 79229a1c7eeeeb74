"""The batched llama.cpp context (chat/batched_decoding.py) through the real local LLM: answers written together
are the ones written alone, a reader that leaves frees its sequence, prompts are not read twice."""

import itertools

import pytest

from chat import Assistant

pytestmark = pytest.mark.slow


def test_answers_written_together_are_the_ones_written_alone(llm_backend) -> None:
    """The model writes for several members at once, decoding their next tokens in one batch: each gets, word for
    word, what it would have got alone, and the answers really are written side by side."""
    import threading
    import time

    prompts = [
        # Confident continuations: a near tie could fall either way on another CPU's kernels, alone or not.
        [{"role": "system", "content": "Bạn là trợ lý."}, {"role": "user", "content": "Viết các số từ 1 đến 20, cách nhau bởi dấu phẩy."}],
        [{"role": "system", "content": "Bạn là trợ lý."}, {"role": "user", "content": "Chép lại nguyên văn câu sau, không thêm gì: "
                                                                    "Đại hội Chi bộ nhiệm kỳ 2025–2027 đã bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ."}],
    ]
    alone = ["".join(llm_backend.stream(messages, 48)) for messages in prompts]
    pieces: list[tuple[float, int]] = []
    together: dict[int, str] = {}
    start = threading.Barrier(len(prompts))

    def write(number: int) -> None:
        start.wait()
        text = ""
        for piece in llm_backend.stream(prompts[number], 48):
            pieces.append((time.perf_counter(), number))
            text += piece
        together[number] = text

    threads = [threading.Thread(target=write, args=(number,)) for number in range(len(prompts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert [together[number] for number in range(len(prompts))] == alone
    if llm_backend.queue.slots > 1:
        order = [number for _, number in sorted(pieces)]
        switches = sum(a != b for a, b in itertools.pairwise(order))
        assert switches >= 10, order  # interleaved token by token, not one answer after the other


def test_a_generation_left_early_frees_its_sequence(llm_backend) -> None:
    """A member who closes the tab stops being written for: the sequence serves the next question."""
    messages = [{"role": "user", "content": "Đếm từ 1 đến 200, mỗi số một dòng."}]
    for _ in range(llm_backend.queue.slots + 1):
        pieces = llm_backend.stream(messages, 300)
        next(pieces)
        pieces.close()
    assert "Hà Nội" in "".join(llm_backend.stream([{"role": "user", "content": "Thủ đô của Việt Nam là gì?"}], 20))


def test_a_prompt_longer_than_a_sequence_is_refused_in_vietnamese_and_the_model_goes_on(llm_settings, llm_backend) -> None:
    from chat.llm import LLMError

    too_long = [{"role": "user", "content": "đảng viên " * llm_settings.llm_context_tokens}]
    with pytest.raises(LLMError, match=r"không viết được câu trả lời.*không vừa ngữ cảnh"):
        "".join(llm_backend.stream(too_long, 16))
    assert "Hà Nội" in "".join(llm_backend.stream([{"role": "user", "content": "Thủ đô của Việt Nam là gì?"}], 20))


def _prompt_tokens_read(llm_backend, messages) -> tuple[int, str]:
    """How many prompt tokens llama.cpp evaluated for ``messages``, and what the model wrote."""
    before = llm_backend.context.prompt_tokens_read
    text = "".join(llm_backend.stream(messages, 24))
    return llm_backend.context.prompt_tokens_read - before, text


def _whole_read(llm_backend, messages) -> tuple[int, str]:
    """The same, from an empty context: every token of the prompt read."""
    "".join(llm_backend.stream(messages, 1))  # the system prompt is read (or restored) and kept ...
    llm_backend.context.forget()  # ... and every sequence and kept snapshot is emptied, so nothing is left to reuse
    return _prompt_tokens_read(llm_backend, messages)


def test_an_answer_after_a_prompt_without_the_system_prompt_does_not_read_it_again(llm_settings, corpus_index, llm_backend) -> None:
    assistant = Assistant(llm_settings, corpus_index, llm_backend)
    messages = assistant._messages(assistant.answer_prompt, context='[1] Tin (2025-06-10, đoạn 1)\n"""\nĐại hội bầu đồng chí Lê Thị Mai làm Bí thư.\n"""',
                                   question="Ai được bầu làm Bí thư?", form=assistant.prompts.forms["fact"])
    system_tokens = len(llm_backend.model.tokenize(assistant.prompts.system.encode(), add_bos=False))

    whole, expected = _whole_read(llm_backend, messages)
    llm_backend.generate("Viết lại câu hỏi: Còn nhiệm kỳ trước thì sao?", 8)  # a condensation: no system prompt
    after_condensing, text = _prompt_tokens_read(llm_backend, messages)

    assert after_condensing <= whole - system_tokens
    assert text == expected  # the restored state is the system prompt's own: the same answer, word for word


def test_warming_reads_the_system_prompt_the_answers_start_with(llm_settings, corpus_index, llm_backend) -> None:
    assistant = Assistant(llm_settings, corpus_index, llm_backend)
    messages = assistant._messages(assistant.answer_prompt, context="[1] Tin\n\"\"\"\nChi bộ có 11 đảng viên.\n\"\"\"", question="Chi bộ có bao nhiêu đảng viên?",
                                   form=assistant.prompts.forms["fact"])
    whole, _ = _whole_read(llm_backend, messages)
    llm_backend.context.forget()

    assistant.warm()
    read, _ = _prompt_tokens_read(llm_backend, messages)

    assert read <= whole - len(llm_backend.model.tokenize(assistant.prompts.system.encode(), add_bos=False))
