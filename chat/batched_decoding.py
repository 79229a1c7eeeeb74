"""Several answers written at once by one llama.cpp context: their next tokens are decoded in one batch.

On two cores a decode step for one sequence costs ~55 ms (the AMX Xeon); for 2, 4 and 8 sequences 88, 101 and
134 ms. Prompts are not batched: reading a prompt is compute-bound (~200 tokens/s however it is split), and a prompt
read in the same batch as other sequences' next tokens cost as much as two separate calls (llama.cpp splits such a
batch per sequence). So one thread owns the context and, in a loop, reads the prompt of any request that has come
in (one at a time, earliest first), then decodes one token for every request being written. A request that comes in
while others are being written holds them up for its prompt's reading; after that they move together. How many are
written at once is the caller's choice (the backend's queue admits that many): it trades the first members' wait
for the last one's (8 asking together, 4 at once: the last done at ×0.84 of strict serial, the first at 18 s
instead of 6 s).

Each sequence keeps the tokens its KV holds, so a prompt that starts like the sequence's last one reads only the
rest; and prefixes named with :meth:`BatchedContext.remember` (the system prompt) are kept as snapshots, put back
into whichever sequence lacks them.
"""

from __future__ import annotations

import codecs
import ctypes
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import llama_cpp
import numpy as np

_END = object()  # put on a request's pieces after its last one


class DecodingError(RuntimeError):
    """llama.cpp refused a prompt or a batch; the message is Vietnamese (members read it)."""


@dataclass
class _Request:
    tokens: list[int]
    max_tokens: int
    pieces: queue.SimpleQueue = field(default_factory=queue.SimpleQueue)  # str, then _END or an exception
    cancelled: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Sequence:
    """One of the context's sequences: what its KV holds and the request it is writing, if any."""

    id: int
    held: list[int] = field(default_factory=list)
    request: _Request | None = None
    next_token: int = -1  # sampled, not yet in the KV
    written: int = 0
    text: codecs.IncrementalDecoder = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))


class BatchedContext:
    """A llama.cpp context over ``model`` with ``sequences`` sequences of ``sequence_tokens`` each, and the
    thread that serves them. Greedy decoding (temperature 0) with llama.cpp's repetition penalty: each token
    among the last ``repeat_window`` written has its logit weakened by ``repeat_penalty`` (1.0: plain greedy,
    the same tokens as llama-cpp-python's own loop). A 1.5B model at greedy decoding otherwise falls into
    loops (one sentence four times in a numbered list)."""

    def __init__(self, model: llama_cpp.Llama, sequences: int, sequence_tokens: int, threads: int, flash_attention: bool,
                 repeat_penalty: float = 1.0, repeat_window: int = 64) -> None:
        self.model = model
        self.sequence_tokens = sequence_tokens
        self.repeat_penalty, self.repeat_window = repeat_penalty, repeat_window
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = sequences * sequence_tokens
        params.n_batch = params.n_ubatch = 512
        params.n_seq_max = sequences
        params.kv_unified = False  # each sequence attends over its own cells only
        params.n_threads = params.n_threads_batch = threads
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED if flash_attention else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        self.context = llama_cpp.llama_init_from_model(model.model, params)
        if not self.context:
            raise DecodingError("llama.cpp không tạo được ngữ cảnh (thiếu bộ nhớ?)")
        self.memory = llama_cpp.llama_get_memory(self.context)
        self.vocab = llama_cpp.llama_model_get_vocab(model.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.batch = llama_cpp.llama_batch_init(512, 0, 1)
        self.sequences = [_Sequence(number) for number in range(sequences)]
        self.prompt_tokens_read = 0  # all prompts' tokens evaluated so far (what reuse saves shows here)
        self._snapshots: dict[tuple[int, ...], bytes] = {}
        self._incoming: list[_Request] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._serve, name="llama-batch", daemon=True).start()

    # --- callers ---------------------------------------------------------------------------------------------
    def generate(self, tokens: list[int], max_tokens: int) -> Iterator[str]:
        """The text written after ``tokens``, in pieces, until an end-of-generation token or ``max_tokens``.
        Leaving the iterator early frees its sequence at the next step."""
        if len(tokens) >= self.sequence_tokens:
            raise DecodingError(f"lời nhắc {len(tokens)} token không vừa ngữ cảnh {self.sequence_tokens} token (RAG_LLM_CONTEXT_TOKENS)")
        request = _Request(list(tokens), min(max_tokens, self.sequence_tokens - len(tokens)))
        with self._changed:
            self._incoming.append(request)
            self._changed.notify()
        try:
            while (piece := request.pieces.get()) is not _END:
                if isinstance(piece, Exception):
                    raise piece
                yield piece
        finally:
            request.cancelled.set()

    def remember(self, prefix: list[int]) -> None:
        """Keep ``prefix``'s KV once it is next read, and put it back before any prompt that starts with it."""
        with self._changed:
            self._snapshots.setdefault(tuple(prefix), b"")

    def forget(self) -> None:
        """Empty every sequence not being written and every snapshot (the prefixes stay remembered): the next
        prompts are read from scratch."""
        with self._changed:
            self._incoming.append(_Request([], -1))  # done by the serving thread, between steps
            self._changed.notify()

    # --- the serving thread ------------------------------------------------------------------------------------
    def _serve(self) -> None:
        """Read every prompt that has come in (while a sequence is free), then one step for all being written."""
        while True:
            with self._changed:
                while not self._incoming and not self._writing():
                    self._changed.wait()
                request = self._next_incoming()
            if request is None:
                writing = self._writing()
                if writing:  # none when the only request that came in was given up on
                    self._step(writing)
            elif request.max_tokens < 0:
                self._empty_idle()
            else:
                self._start(request)

    def _next_incoming(self) -> _Request | None:
        """The earliest request that can start now (one given up on is dropped); the caller holds the lock."""
        self._incoming = [r for r in self._incoming if not r.cancelled.is_set()]
        if self._incoming and (self._incoming[0].max_tokens < 0 or any(s.request is None for s in self.sequences)):
            return self._incoming.pop(0)
        return None

    def _writing(self) -> list[_Sequence]:
        """The sequences being written, once those whose reader left are freed."""
        for sequence in self.sequences:
            if sequence.request is not None and sequence.request.cancelled.is_set():
                self._finish(sequence)
        return [s for s in self.sequences if s.request is not None]

    def _empty_idle(self) -> None:
        for sequence in self.sequences:
            if sequence.request is None:
                self._drop(sequence)
        with self._changed:
            self._snapshots = dict.fromkeys(self._snapshots, b"")

    def _start(self, request: _Request) -> None:
        """Read the request's prompt into the free sequence that already holds most of it, and write its first token."""
        free = [s for s in self.sequences if s.request is None]
        sequence = max(free, key=lambda s: _shared(s.held, request.tokens))
        sequence.request, sequence.written = request, 0
        sequence.text.reset()
        try:
            self._read(sequence, request.tokens)
            if request.max_tokens == 0:
                self._finish(sequence)
            else:
                self._take(sequence, self._greedy(-1, []))  # the prompt's one output: its last token
        except Exception as error:  # the member is told; the sequence is emptied, the others go on
            request.pieces.put(error)
            self._drop(sequence)

    def _read(self, sequence: _Sequence, tokens: list[int]) -> None:
        """Evaluate what the sequence does not hold yet of ``tokens`` (always the last, for its logits), from a
        remembered prefix's snapshot where that saves reading; a remembered prefix read for the first time is kept."""
        kept = min(_shared(sequence.held, tokens), len(tokens) - 1)
        with self._changed:
            snapshots = dict(self._snapshots)
        prefix = max((p for p in snapshots if _shared(p, tokens) == len(p) and min(len(p), len(tokens) - 1) > kept), key=len, default=None)
        if prefix is not None and snapshots[prefix]:
            kept = min(len(prefix), len(tokens) - 1) if self._load(sequence, snapshots[prefix], prefix) else 0
        llama_cpp.llama_memory_seq_rm(self.memory, sequence.id, kept, -1)
        sequence.held = sequence.held[:kept]
        if prefix is not None and not snapshots[prefix]:
            self._evaluate(sequence, tokens[kept : len(prefix)], logits=len(prefix) == len(tokens))
            state = self._state(sequence)
            with self._changed:
                self._snapshots[prefix] = state
        self._evaluate(sequence, tokens[len(sequence.held) :], logits=True)

    def _evaluate(self, sequence: _Sequence, tokens: list[int], logits: bool) -> None:
        """Read ``tokens`` after what the sequence holds, in batches; the last one's logits when asked."""
        for start in range(0, len(tokens), 512):
            part = tokens[start : start + 512]
            last = logits and start + len(part) == len(tokens)
            self._decode([(token, len(sequence.held) + i, sequence.id, last and i == len(part) - 1) for i, token in enumerate(part)])
            sequence.held += part
            self.prompt_tokens_read += len(part)

    def _step(self, writing: list[_Sequence]) -> None:
        """One token for every sequence being written, in one batch."""
        try:
            self._decode([(s.next_token, len(s.held), s.id, True) for s in writing])
            for output, sequence in enumerate(writing):
                sequence.held.append(sequence.next_token)
                self._take(sequence, self._greedy(output, sequence.held[len(sequence.held) - sequence.written :][-self.repeat_window :]))
        except Exception as error:  # every member being written for is told; the thread serves on
            for sequence in writing:
                if sequence.request is not None:
                    sequence.request.pieces.put(error)
                    self._drop(sequence)

    def _take(self, sequence: _Sequence, token: int) -> None:
        """Pass on the sampled token's text, or end the request."""
        request = sequence.request
        if llama_cpp.llama_vocab_is_eog(self.vocab, token):
            self._finish(sequence)
            return
        piece = sequence.text.decode(self.model.detokenize([token]))
        if piece:
            request.pieces.put(piece)
        sequence.written += 1
        sequence.next_token = token
        if sequence.written >= request.max_tokens:
            self._finish(sequence)

    def _finish(self, sequence: _Sequence) -> None:
        rest = sequence.text.decode(b"", final=True)
        if rest:
            sequence.request.pieces.put(rest)
        sequence.request.pieces.put(_END)
        sequence.request = None

    def _drop(self, sequence: _Sequence) -> None:
        llama_cpp.llama_memory_seq_rm(self.memory, sequence.id, -1, -1)
        sequence.held, sequence.request = [], None

    # --- llama.cpp ---------------------------------------------------------------------------------------------
    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> None:
        """One llama_decode of (token, position, sequence, logits) entries."""
        batch = self.batch
        batch.n_tokens = len(entries)
        for i, (token, position, sequence, logits) in enumerate(entries):
            batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.logits[i] = token, position, 1, logits
            batch.seq_id[i][0] = sequence
        status = llama_cpp.llama_decode(self.context, batch)
        if status != 0:
            raise DecodingError(f"llama_decode trả về mã lỗi {status}")

    def _greedy(self, output: int, recent: list[int]) -> int:
        """The likeliest token at the batch's ``output``-th output (negative: counted from the last), the
        ``recent`` tokens penalised as llama.cpp does (a positive logit divided, a negative one multiplied)."""
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.context, output), shape=(self.n_vocab,))
        if self.repeat_penalty == 1.0 or not recent:
            return int(np.argmax(logits))
        penalised = logits.copy()
        seen = np.unique(np.asarray(recent, dtype=np.int64))
        values = penalised[seen]
        penalised[seen] = np.where(values > 0, values / self.repeat_penalty, values * self.repeat_penalty)
        return int(np.argmax(penalised))

    def _state(self, sequence: _Sequence) -> bytes:
        size = llama_cpp.llama_state_seq_get_size(self.context, sequence.id)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(self.context, buffer, size, sequence.id)
        return ctypes.string_at(buffer, written)

    def _load(self, sequence: _Sequence, state: bytes, prefix: tuple[int, ...]) -> bool:
        """Put ``prefix``'s snapshot into the sequence; False (the sequence emptied) when llama.cpp refuses it."""
        llama_cpp.llama_memory_seq_rm(self.memory, sequence.id, -1, -1)
        data = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
        if not llama_cpp.llama_state_seq_set_data(self.context, data, len(state), sequence.id):
            self._drop(sequence)
            return False
        sequence.held = list(prefix)
        return True


def _shared(held: list[int] | tuple[int, ...], tokens: list[int]) -> int:
    """How many leading tokens the two have in common."""
    shared = 0
    for a, b in zip(held, tokens, strict=False):
        if a != b:
            break
        shared += 1
    return shared
