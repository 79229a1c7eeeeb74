"""The embedding model's transformer body as an ONNX Runtime session.

Most of the time of an embedding is the transformer body; ONNX Runtime runs the
same graph faster on a CPU (fused kernels, no autograd bookkeeping). The graph is
exported once from the verified weights with torch's own exporter and kept next to
the model cache, so nothing is downloaded; pooling and projection layers stay in
sentence-transformers and the vectors are the fp32 model's (tested).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import torch


class _Body(torch.nn.Module):
    """The transformer with a plain (ids, mask) -> hidden states signature the exporter can trace."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).last_hidden_state


def export_body(transformer: torch.nn.Module, sample: dict[str, torch.Tensor], target: Path) -> None:
    """Write ``target``/model.onnx (+ its weights file); a half-written export never replaces a good one."""
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length")
    with torch.no_grad():
        torch.onnx.export(
            _Body(transformer).eval(),
            (sample["input_ids"], sample["attention_mask"]),
            str(staging / "model.onnx"),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_shapes={"input_ids": {0: batch, 1: length}, "attention_mask": {0: batch, 1: length}},
            dynamo=True,
            external_data=True,
        )
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


class OnnxBody:
    """(ids, mask) batches -> hidden states; ONNX Runtime sessions may be run from several threads at once."""

    def __init__(self, folder: Path, threads: int) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        self.session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])

    def hidden_states(self, batches: Iterable[tuple[np.ndarray, np.ndarray]]) -> Iterator[np.ndarray]:
        """Each batch's hidden states, in order, one batch at a time on all threads."""
        for input_ids, attention_mask in batches:
            yield self.session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})[0]
