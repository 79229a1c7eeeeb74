"""The embedding model's transformer body compiled by OpenVINO.

On a CPU that multiplies bf16 in hardware, OpenVINO runs the body in bf16 with
fused normalisation, RoPE and activation kernels, where torch's bf16 spends most
of its time in separate element-wise passes (measured on an Intel Xeon with AMX:
15 chunks/s against torch bf16's 10.6 and fp32's 4.5). It reads the graph
:mod:`vectorstore.onnx_body` exports; the graph is converted once into OpenVINO's
own format with fp16 weights, which OpenVINO maps from disk instead of holding a
converted fp32 copy in memory (about 0.7 GB resident against 1.8 GB read from
the ONNX file).
"""

from __future__ import annotations

import shutil
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vectorstore.freed_memory import return_large_buffers_when_freed

if TYPE_CHECKING:
    import openvino


def convert_body(onnx_file: Path, target: Path) -> None:
    """Write ``target``/model.xml (+ model.bin) from the ONNX export."""
    import openvino

    save_body(openvino.Core().read_model(str(onnx_file)), target)


def save_body(model: openvino.Model, target: Path, notes: dict[str, str] | None = None) -> None:
    """Write ``model`` to ``target``/model.xml (+ model.bin, fp16 weights) with the text files ``notes`` beside it; a
    half-written folder never replaces a good one."""
    import openvino

    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    openvino.save_model(model, str(staging / "model.xml"), compress_to_fp16=True)
    for name, text in (notes or {}).items():
        (staging / name).write_text(text, encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


EMBEDDED_TOKENS = "inputs_embeds"  # the compiled body's input in place of the token ids


class TokenTable:
    """The body's token embedding table, looked up here rather than in the compiled graph.

    Compiling the graph expands the 262,144 x 768 table to float32 (805 MB, resident for
    the process's life, against 201 MB in int8 in the model file); only the rows of a
    batch's tokens are needed, and read here from the stored table they cost nothing
    until used. The lookup is the graph's own arithmetic (the stored values, times their
    per-row scale where the table is quantised), so the vectors do not change."""

    def __init__(self, values: np.ndarray, scales: np.ndarray | None) -> None:
        self.values = values
        self.scales = scales

    @classmethod
    def cut_from(cls, model: openvino.Model) -> TokenTable:
        """Take the table out of ``model``: the gather of the token ids becomes an input of embedded tokens."""
        import openvino

        ids = next(parameter for parameter in model.get_parameters() if parameter.get_friendly_name() == "input_ids")
        gather = next(target.get_node() for target in ids.output(0).get_target_inputs() if target.get_node().get_type_name() == "Gather")
        values, scales = _table_parts(gather.input(0).get_source_output().get_node())
        embedded = openvino.opset13.parameter([-1, -1, values.shape[1]], openvino.Type.f32, name=EMBEDDED_TOKENS)
        embedded.output(0).get_tensor().set_names({EMBEDDED_TOKENS})
        for target in list(gather.output(0).get_target_inputs()):
            target.replace_source_output(embedded.output(0))
        model.remove_parameter(ids)
        model.add_parameters([embedded])
        return cls(values, scales)

    def lookup(self, input_ids: np.ndarray) -> np.ndarray:
        rows = self.values[input_ids].astype(np.float32)
        return rows * self.scales[input_ids] if self.scales is not None else rows


def _table_parts(node: openvino.Node) -> tuple[np.ndarray, np.ndarray | None]:
    """(values, per-row scales) of the graph's table: a constant, converted to float32, and for a quantised table
    multiplied by a constant of scales."""
    kind = node.get_type_name()
    if kind == "Constant":
        return node.get_data(), None
    if kind == "Convert":
        return _table_parts(node.input(0).get_source_output().get_node())
    if kind == "Multiply":
        first, second = (node.input(i).get_source_output().get_node() for i in (0, 1))
        table, scale = (first, second) if second.get_type_name() == "Constant" else (second, first)
        values, inner = _table_parts(table)
        if inner is None and scale.get_type_name() == "Constant":
            return values, scale.get_data().astype(np.float32)
    raise ValueError(f"bảng token của mô hình có dạng chưa hỗ trợ ({kind} {node.get_friendly_name()})")


class OpenVinoBody:
    """(ids, mask) batches -> hidden states, on OpenVINO's throughput streams: each stream computes one batch with its own
    threads, so batches of a document run side by side and the tokenising and pooling between them overlap the
    arithmetic (+10 % chunks/s on 2 Zen 4 cores against one batch at a time on both cores; a single query is as
    fast either way). Each call takes its own infer requests: requests are not thread-safe, and ingestion and
    members' queries embed at the same time."""

    def __init__(self, folder: Path, threads: int, bfloat16: bool) -> None:
        import openvino

        return_large_buffers_when_freed()  # OpenVINO's batch-shaped buffers would otherwise stay with the process
        config = {"PERFORMANCE_HINT": "THROUGHPUT", "INFERENCE_PRECISION_HINT": "bf16" if bfloat16 else "f32"}
        if threads > 0:
            config["INFERENCE_NUM_THREADS"] = threads
        core = openvino.Core()
        model = core.read_model(str(folder / "model.xml"))
        self.tokens = TokenTable.cut_from(model)
        self.compiled = core.compile_model(model, "CPU", config)
        self.streams = max(1, int(self.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))

    def hidden_states(self, batches: Iterable[tuple[np.ndarray, np.ndarray]]) -> Iterator[np.ndarray]:
        """Each batch's hidden states, in order, with one batch in flight on every stream."""
        requests: list[openvino.InferRequest] = []
        in_flight: deque[openvino.InferRequest] = deque()
        for number, (input_ids, attention_mask) in enumerate(batches):
            if len(in_flight) == self.streams:  # the oldest is the request this batch takes over
                yield _finished(in_flight.popleft())
            if len(requests) < self.streams:  # a query, one batch, needs one
                requests.append(self.compiled.create_infer_request())
            request = requests[number % self.streams]
            request.start_async({EMBEDDED_TOKENS: self.tokens.lookup(input_ids), "attention_mask": attention_mask})
            in_flight.append(request)
        while in_flight:
            yield _finished(in_flight.popleft())


def _finished(request: openvino.InferRequest) -> np.ndarray:
    request.wait()
    return np.array(request.get_output_tensor(0).data, dtype=np.float32)  # a copy: the request's buffer is reused
