"""The system prompt's KV state, kept so one llama.cpp context never reads it twice.

llama-cpp-python reuses the KV cache for the tokens a prompt shares with the one before it,
so answers in a row read the system prompt (about 180 tokens with the chat template, 1.5 to
2.5 s of prompt on two cores) only once. But a follow-up is condensed, and a speech section
drafted, by prompts without it, and the answer after them would read it again. The state of
the system prompt alone (one sequence's KV, a few MB) is kept after it is first read and put
back before a prompt that starts with it, whenever the context lost it.
"""

from __future__ import annotations

import ctypes
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import llama_cpp
import numpy as np

if TYPE_CHECKING:
    from llama_cpp import Llama

_SEQUENCE = 0  # llama-cpp-python keeps a conversation in sequence 0


@dataclass(frozen=True)
class _Snapshot:
    tokens: np.ndarray  # the tokens the context held when it was taken
    state: bytes  # their KV, as llama.cpp writes one sequence's state


class SystemPrefixes:
    """Snapshots of the last few system prompts' KV, and which one the context starts with now.

    Only the generation holding a turn of the backend's queue may call it (the context is not shared).
    """

    def __init__(self, model: Llama, capacity: int = 4) -> None:
        self.model = model
        self.capacity = capacity
        self.snapshots: OrderedDict[str, _Snapshot] = OrderedDict()
        self.held: str | None = None  # the system prompt the context starts with, None when it has none

    def ready(self, system: str | None) -> None:
        """Make the context start with ``system``'s KV before a prompt that starts with it; a prompt without
        one (``None``) overwrites it."""
        if system is not None and system != self.held:
            snapshot = self.snapshots.get(system)
            if snapshot is not None and self._load(snapshot):
                self.snapshots.move_to_end(system)
            else:
                self.snapshots[system] = self._take(system)
                while len(self.snapshots) > self.capacity:
                    self.snapshots.popitem(last=False)
        self.held = system

    def _take(self, system: str) -> _Snapshot:
        """Read the system prompt through the model's own chat template (the tokens a real prompt starts
        with; the template's opening of the reply that follows is cut off by the next prompt's prefix match)."""
        self.model.create_chat_completion([{"role": "system", "content": system}], max_tokens=1, temperature=0.0)
        context = self.model.ctx
        size = llama_cpp.llama_state_seq_get_size(context, _SEQUENCE)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(context, buffer, size, _SEQUENCE)
        return _Snapshot(self.model.input_ids[: self.model.n_tokens].copy(), ctypes.string_at(buffer, written))

    def _load(self, snapshot: _Snapshot) -> bool:
        """Replace the context's KV with ``snapshot``; False (and an empty context) when llama.cpp refuses it."""
        context = self.model.ctx
        llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(context), -1, -1, -1)
        data = (ctypes.c_uint8 * len(snapshot.state)).from_buffer_copy(snapshot.state)
        if not llama_cpp.llama_state_seq_set_data(context, data, len(snapshot.state), _SEQUENCE):
            self.model.reset()
            return False
        held = len(snapshot.tokens)
        self.model.input_ids[:held] = snapshot.tokens
        self.model.n_tokens = held
        return True
