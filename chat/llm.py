"""Answer backends behind one protocol, chosen by ``RAG_LLM_BACKEND``.

* ``llama_cpp``: a local GGUF through llama-cpp-python (default, offline);
* ``openai``: any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio,
  Ollama's /v1) by base URL, model name and key;
* ``extractive``: no model, the best verbatim sentences (see chat/extractive.py).
A backend writes the answer from the prompt and passages, and may write free text
(follow-up condensation, speech prose); the extractive one writes none and says so.
Every backend has a :class:`~chat.queue.GenerationQueue`: its callers wait in it (the
assistant telling the member their place) and hold a turn while the model writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Protocol

from chat.extractive import extractive_answer
from chat.queue import GenerationQueue
from chat.support import TermWeights
from settings import Settings
from vectorstore import SearchHit
from weights import resolve_gguf

Message = dict[str, str]


class LLMError(RuntimeError):
    """The model cannot answer (not loaded, server down); shown to the user in Vietnamese."""


class ChatBackend(Protocol):
    name: str
    queue: GenerationQueue

    def answer(self, messages: list[Message], question: str, hits: list[SearchHit], lexical: TermWeights, max_tokens: int) -> Iterator[str]:
        """The answer, in pieces, with [n] markers into ``hits``; nothing when there is none.
        The caller holds a turn of ``queue``."""
        ...

    def reading(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """"Như vậy, …": a case read under quoted provisions, in pieces; nothing from a backend that writes
        no text of its own. The caller holds a turn of ``queue``."""
        ...

    def generate(self, prompt: str, max_tokens: int) -> str | None:
        """Free text for ``prompt``; None for a backend that writes no text of its own. The caller holds a
        turn of ``queue``."""
        ...

    def warm(self, system: str) -> None:
        """Read the system prompt now (at start) rather than in the first member's wait, where the back end
        keeps what it read. The caller holds a turn of ``queue``."""
        ...

    def forget(self) -> None:
        """Drop what the back end kept of earlier prompts, where it can, so the next are read in full (a
        benchmark's baseline must not reuse the prompts of the run before it)."""
        ...


class GenerativeBackend:
    """An LLM: the answer is what it writes for the prompt, and it writes free text too."""

    name: str
    queue: GenerationQueue

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """The model's text for ``messages``, in pieces; the caller holds a turn of ``queue``."""
        raise NotImplementedError

    def answer(self, messages: list[Message], question: str, hits: list[SearchHit], lexical: TermWeights, max_tokens: int) -> Iterator[str]:
        return self.stream(messages, max_tokens)

    def reading(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        return self.stream(messages, max_tokens)

    def generate(self, prompt: str, max_tokens: int) -> str | None:
        return "".join(self.stream([{"role": "user", "content": prompt}], max_tokens)).strip()

    def warm(self, system: str) -> None:
        return None  # a server keeps its own prompt cache (llama-server, vLLM's prefix caching)

    def forget(self) -> None:
        return None  # a server's cache is its own


class ExtractiveBackend:
    """No model: the answer is the passages' best verbatim sentences, and no free text is written."""

    name = "extractive"

    def __init__(self) -> None:
        self.queue = GenerationQueue(slots=1_000_000)  # no model: nobody waits

    def answer(self, messages: list[Message], question: str, hits: list[SearchHit], lexical: TermWeights, max_tokens: int) -> Iterator[str]:
        text = extractive_answer(question, hits, lexical)
        if text:
            yield text

    def reading(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        return iter(())  # quoting is all it does: the member applies the clause

    def generate(self, prompt: str, max_tokens: int) -> str | None:
        return None

    def warm(self, system: str) -> None:
        return None  # no model, nothing to read

    def forget(self) -> None:
        return None  # nothing kept


class LlamaCppBackend(GenerativeBackend):
    """A local GGUF. Answers are written by a :class:`~chat.batched_decoding.BatchedContext`: the queue admits
    ``llm_batch`` questions at once and their tokens are decoded together."""

    def __init__(self, settings: Settings) -> None:
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        from chat.batched_decoding import BatchedContext
        from chat.mapped_pages import release_mapped_file

        path = resolve_gguf(settings)
        self.name = f"llama.cpp:{os.path.basename(path)}"
        threads = settings.llm_threads or os.cpu_count() or 1
        # The weights, tokenizer and chat template; its own context is left minimal (nothing is decoded in it).
        self.model = Llama(model_path=path, n_ctx=32, n_batch=32, n_threads=threads, verbose=False)
        release_mapped_file(path)  # the file pages llama.cpp copied into repacked buffers (~1 GB with AMX)
        template = self.model.metadata.get("tokenizer.chat_template")
        if not template:
            raise LLMError(f"Tệp mô hình {path} không có mẫu hội thoại (tokenizer.chat_template).")
        self.template = Jinja2ChatFormatter(
            template=template, eos_token=self._token_text(self.model.token_eos()), bos_token=self._token_text(self.model.token_bos())
        )
        self.context = BatchedContext(self.model, settings.llm_batch, settings.llm_context_tokens, threads, settings.llm_flash_attention,
                                      settings.llm_repeat_penalty, settings.llm_repeat_window)
        self.queue = GenerationQueue(slots=settings.llm_batch)

    def _token_text(self, token: int) -> str:
        return self.model.detokenize([token], special=True).decode("utf-8", "replace") if token >= 0 else ""

    def _tokens(self, messages: list[Message]) -> list[int]:
        """The prompt as the model's own chat template writes it, tokenized as llama-cpp-python does."""
        formatted = self.template(messages=messages)
        return self.model.tokenize(formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True)

    def _system_prefix(self, system: str) -> list[int]:
        """The tokens every prompt with this system prompt starts with (the template's text up to the first turn)."""
        alone = self._tokens([{"role": "system", "content": system}])
        followed = self._tokens([{"role": "system", "content": system}, {"role": "user", "content": "?"}])
        return alone[: next((i for i, (a, b) in enumerate(zip(alone, followed, strict=False)) if a != b), len(alone))]

    def forget(self) -> None:
        self.context.forget()

    def warm(self, system: str) -> None:
        prefix = self._system_prefix(system)
        self.context.remember(prefix)
        for _ in self.context.generate(prefix, 0):
            pass

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        from chat.batched_decoding import DecodingError

        if messages[0]["role"] == "system":
            self.context.remember(self._system_prefix(messages[0]["content"]))
        try:
            yield from self.context.generate(self._tokens(messages), max_tokens)
        except DecodingError as error:
            raise LLMError(f"Mô hình không viết được câu trả lời ({self.name}): {error}") from error


class OpenAICompatibleBackend(GenerativeBackend):
    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.name = f"openai:{settings.openai_model}@{settings.openai_base_url}"
        self.model = settings.openai_model
        self.client = OpenAI(base_url=settings.openai_base_url, api_key=settings.openai_api_key, timeout=300)
        # The server batches what it is sent at once (vLLM, llama-server --parallel N): send it that many.
        self.queue = GenerationQueue(slots=settings.llm_parallel)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        from openai import OpenAIError

        try:
            response = self.client.chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True
            )
            for part in response:
                if part.choices and part.choices[0].delta.content:
                    yield part.choices[0].delta.content
        except OpenAIError as error:
            raise LLMError(f"Máy chủ mô hình không trả lời ({self.name}): {error}") from error


def make_backend(settings: Settings) -> ChatBackend:
    """The configured backend."""
    if settings.llm_backend == "extractive":
        return ExtractiveBackend()
    if settings.llm_backend == "openai":
        return OpenAICompatibleBackend(settings)
    return LlamaCppBackend(settings)
