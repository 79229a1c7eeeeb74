"""The OpenAI-compatible backend against a real server on loopback:
llama.cpp's server from llama-cpp-python serving the default GGUF (not a mock)."""

import subprocess
import sys

import pytest

from chat import Assistant
from chat.llm import LLMError, OpenAICompatibleBackend
from server.local import free_port, wait_for_http
from weights import resolve_gguf

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def llama_server(corpus_settings):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", resolve_gguf(corpus_settings), "--model_alias", "qwen-local",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for_http(f"http://127.0.0.1:{port}/v1/models", 120):
            pytest.fail("llama_cpp.server did not start within 120 s")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_answer_through_an_openai_compatible_server(llama_server, corpus_settings, corpus_index) -> None:
    settings = corpus_settings.model_copy(
        update={"llm_backend": "openai", "openai_base_url": llama_server, "openai_model": "qwen-local"}
    )
    backend = OpenAICompatibleBackend(settings)
    answer = Assistant(settings, corpus_index, backend).ask(
        "Hội nghị tổng kết công tác Đảng năm 2023 của Trường Đại học Công nghệ diễn ra ngày nào?"
    )
    assert answer.backend.startswith("openai:qwen-local")
    assert "12/01/2024" in answer.answer and not answer.refused
    assert answer.citations and all(c.quote in c.text for c in answer.citations)


def test_an_unreachable_server_gives_a_clear_error(corpus_settings) -> None:
    settings = corpus_settings.model_copy(update={"openai_base_url": f"http://127.0.0.1:{free_port()}/v1"})
    backend = OpenAICompatibleBackend(settings)
    backend.client = backend.client.with_options(max_retries=0, timeout=5)
    with pytest.raises(LLMError, match="Máy chủ mô hình không trả lời"):
        list(backend.stream([{"role": "user", "content": "xin chào"}], 8))
