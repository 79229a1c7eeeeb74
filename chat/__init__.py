"""Question answering over the store: the chain, LLM backends, citation checks."""

from chat.assistant import Answer, Assistant, Preview, Turn
from chat.llm import LLMError, make_backend
from chat.queue import Queued

__all__ = ["Answer", "Assistant", "LLMError", "Preview", "Queued", "Turn", "make_backend"]
