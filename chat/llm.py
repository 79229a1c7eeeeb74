"""LLM backends behind one small interface, chosen by ``RAG_LLM_BACKEND``.

* ``llama_cpp``: a local GGUF through llama-cpp-python (default, offline);
* ``openai``: any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio,
  Ollama's /v1) by base URL, model name and key.
The extractive mode needs no backend at all (see chat/extractive.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Protocol

from settings import Settings
from weights import resolve_gguf

Message = dict[str, str]


class LLMError(RuntimeError):
    """The model cannot answer (not loaded, server down); shown to the user in Vietnamese."""


class ChatBackend(Protocol):
    name: str

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...


class LlamaCppBackend:
    def __init__(self, settings: Settings) -> None:
        from llama_cpp import Llama

        path = resolve_gguf(settings)
        self.name = f"llama.cpp:{os.path.basename(path)}"
        self.model = Llama(
            model_path=path,
            n_ctx=settings.llm_context_tokens,
            n_threads=settings.llm_threads or os.cpu_count(),
            verbose=False,
        )

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        for part in self.model.create_chat_completion(
            messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True
        ):
            text = part["choices"][0]["delta"].get("content")
            if text:
                yield text


class OpenAICompatibleBackend:
    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.name = f"openai:{settings.openai_model}@{settings.openai_base_url}"
        self.model = settings.openai_model
        self.client = OpenAI(base_url=settings.openai_base_url, api_key=settings.openai_api_key, timeout=300)

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


def make_backend(settings: Settings) -> ChatBackend | None:
    """The configured backend, or None for extractive mode."""
    if settings.llm_backend == "extractive":
        return None
    if settings.llm_backend == "openai":
        return OpenAICompatibleBackend(settings)
    return LlamaCppBackend(settings)
