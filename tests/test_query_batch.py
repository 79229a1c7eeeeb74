"""Queries asked at the same moment share one forward pass of the embedding model."""

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from vectorstore.query_batch import QueryBatcher


class StandInModel:
    """A stand-in for the model that counts its forward passes (0.2 s each, long enough for others to arrive)
    and fails on demand; the real model's batching is checked below."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        time.sleep(0.2)
        if "hỏng" in texts:
            raise RuntimeError("mô hình lỗi")
        return np.array([[float(len(text)), float(i)] for i, text in enumerate(texts)])


def _ask_together(batcher: QueryBatcher, texts: list[str]) -> dict[str, object]:
    results: dict[str, object] = {}

    def ask(text: str) -> None:
        try:
            results[text] = batcher.embed(text)
        except RuntimeError as error:
            results[text] = error

    threads = [threading.Thread(target=ask, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
        time.sleep(0.01)  # the first starts the model before the others arrive
    for thread in threads:
        thread.join(10)
    return results


def test_with_a_stand_in_model_eight_queries_at_once_take_two_forward_passes_and_each_gets_its_own_vector() -> None:
    model = StandInModel()
    texts = [f"câu hỏi {'x' * n}" for n in range(8)]
    results = _ask_together(QueryBatcher(model.encode), texts)
    assert len(model.batches) == 2 and model.batches[0] == texts[:1] and sorted(model.batches[1]) == sorted(texts[1:])
    for text in texts:
        assert results[text][0] == len(text)  # not a neighbour's vector


def test_with_a_stand_in_model_a_failed_batch_fails_every_query_in_it_and_the_next_query_runs_again() -> None:
    model = StandInModel()
    batcher = QueryBatcher(model.encode)
    results = _ask_together(batcher, ["đầu tiên", "hỏng", "bên cạnh"])
    assert isinstance(results["hỏng"], RuntimeError) and isinstance(results["bên cạnh"], RuntimeError)
    assert results["đầu tiên"][0] == len("đầu tiên")
    assert batcher.embed("sau đó")[0] == len("sau đó")
    with pytest.raises(RuntimeError, match="mô hình lỗi"):
        batcher.embed("hỏng")


def test_the_real_model_gives_a_query_the_same_vector_alone_and_batched_with_others(embedder) -> None:
    questions = ["Người vào Đảng phải bao nhiêu tuổi?", "Ai được bầu làm Bí thư chi bộ?", "Đảng phí nộp hằng tháng bao nhiêu?"]
    alone = [embedder.encode([embedder.query_prompt + question])[0] for question in questions]
    passes: list[int] = []

    def counted(texts: Sequence[str]) -> np.ndarray:
        passes.append(len(texts))
        if len(passes) == 1:  # the first pass outlasts the others' arrival (10 ms apart), however fast the CPU embeds
            time.sleep(0.2)
        return embedder.encode(texts)

    batched = _ask_together(QueryBatcher(counted), [embedder.query_prompt + question for question in questions])
    assert sum(passes) == 3 and len(passes) < 3  # at least two shared a pass
    for question, vector in zip(questions, alone, strict=True):
        # Padding to the longest question changes bf16 kernels' blocking (AMX): up to ~1e-4 of cosine; a wrong or
        # unmasked vector is far below.
        assert float(np.dot(batched[embedder.query_prompt + question], vector)) > 0.9995
