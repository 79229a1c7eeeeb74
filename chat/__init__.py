"""Question answering over the store: the chain, LLM backends, citation checks."""

from chat.assistant import Answer, Assistant, Preview, Turn
from chat.llm import LLMError, make_backend

__all__ = ["Answer", "Assistant", "LLMError", "Preview", "Turn", "make_backend"]
