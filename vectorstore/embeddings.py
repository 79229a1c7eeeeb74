"""Embeddings with the model's own query/document prompts, computed here or by a server.

Three ways to the same vectors, chosen at set-up (``RAG_EMBEDDING_BACKEND``,
``RAG_EMBEDDING_RUNTIME``):

* sentence-transformers on torch: fp32 (the reference), or bfloat16 where the CPU
  multiplies bf16 matrices natively (AMX, AVX512-BF16: ~2.4x the fp32 speed,
  cosine >= 0.9998 to fp32; Gemma was trained in bf16);
* the same model with its transformer body exported once from the same weights
  (see :mod:`vectorstore.onnx_body`) and run by ONNX Runtime (fp32, the same
  vectors) or by OpenVINO (bf16 where native: ~3.4x the fp32 speed with AMX,
  cosine >= 0.9998). ``auto`` picks OpenVINO where the CPU has bf16, else torch
  fp32; ``app.py bench --parity`` measures them all;
* an OpenAI-compatible ``/v1/embeddings`` server (text-embeddings-inference,
  vLLM, Infinity, or this app's own ``/v1/embeddings``), for big archives on a
  GPU box. Prompts are applied here, so every way sends the model the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from ingest.normalize import index_form
from settings import Settings
from vectorstore.query_batch import QueryBatcher
from weights import WeightsError, resolve_embedding_model


class EmbeddingError(RuntimeError):
    """The embedding server cannot be used; the message says why, in Vietnamese."""


class Embedder:
    """Embeds queries and titled passages; both go through :func:`index_form` first,
    so "Uỷ ban" in a query and "Ủy ban" in a document become the same tokens."""

    name: str
    dimension: int
    query_prompt: str
    document_prompt: str

    def __init__(self) -> None:
        self.queries = QueryBatcher(self.encode)  # members asking at once share one forward pass

    def encode(self, inputs: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors of texts that already carry their prompt."""
        raise NotImplementedError

    def document_inputs(self, titles: Sequence[str], texts: Sequence[str]) -> list[str]:
        """EmbeddingGemma was trained with "title: … | text: …": give it the real title."""
        template = self.document_prompt
        if "title: none" in template:
            return [template.replace("title: none", f"title: {index_form(t)}") + index_form(x) for t, x in zip(titles, texts, strict=True)]
        return [f"{template}{index_form(t)}\n{index_form(x)}" for t, x in zip(titles, texts, strict=True)]

    def embed_documents(self, titles: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        return self.encode(self.document_inputs(titles, texts))

    def embed_query(self, query: str) -> np.ndarray:
        return self.queries.embed(self.query_prompt + index_form(query))


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 in fp32, whatever computed them (a server, a bf16 model)."""
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    try:
        lines = cpuinfo.read_text(encoding="utf-8").splitlines()
    except OSError:
        return set()
    return set(next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), []))


def native_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU multiplies bf16 matrices in hardware; elsewhere bf16 is emulated and slower than fp32."""
    return bool({"amx_bf16", "avx512_bf16"} & cpu_flags(cpuinfo))


def native_int8(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU has int8 dot-product instructions; without them int8 products save little over fp32."""
    return bool({"amx_int8", "avx512_vnni", "avx_vnni"} & cpu_flags(cpuinfo))


def effective_runtime(settings: Settings) -> str:
    """The runtime ``auto`` stands for on this machine."""
    if settings.embedding_runtime == "auto":
        return "int8" if native_int8() else "openvino" if native_bfloat16() else "torch"
    return settings.embedding_runtime


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, settings: Settings, bfloat16: bool = False) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        super().__init__()
        if settings.embedding_threads > 0:
            torch.set_num_threads(settings.embedding_threads)
        self.name = settings.embedding_model
        reference = resolve_embedding_model(settings)
        # In bf16, PyTorch's CPU scaled-dot-product attention is ~20 % slower than the plain matmul-softmax
        # attention over this model's padding mask (measured on AVX-512 BF16; the same vectors within 2e-4).
        options = {"model_kwargs": {"attn_implementation": "eager"}} if bfloat16 else {}
        try:
            self.model = SentenceTransformer(reference, device="cpu", **options)
        except (OSError, ValueError) as error:  # no such folder, no network for a hub id, broken files
            raise WeightsError(f"{reference}: không nạp được mô hình nhúng ({type(error).__name__}: {error})") from error
        if bfloat16:
            self.model.to(torch.bfloat16)  # sentence-transformers hands back fp32 numpy vectors either way
        self.batch_size = settings.embedding_batch_size
        self.dimension = self.model.get_embedding_dimension()
        self.query_prompt = self.model.prompts.get("query", "")
        self.document_prompt = self.model.prompts.get("document", "")

    def encode(self, inputs: Sequence[str]) -> np.ndarray:
        # sentence-transformers sorts the inputs by length into batches: little padding is computed.
        # Normalised here, in fp32: the model's own normalisation in bf16 is off by ~0.3 %.
        return unit_rows(self.model.encode(list(inputs), prompt="", batch_size=self.batch_size, show_progress_bar=False))


class CompiledBody(Protocol):
    """The transformer body in another runtime: (ids, mask) batches -> their hidden states, in order."""

    def hidden_states(self, batches: Iterable[tuple[np.ndarray, np.ndarray]]) -> Iterator[np.ndarray]: ...


class CompiledBodyEmbedder(SentenceTransformerEmbedder):
    """The transformer body runs in another runtime, from a graph exported once from the same weights (see
    :mod:`vectorstore.onnx_body`); tokenizer, pooling and projections stay the sentence-transformers model's."""

    def __init__(self, settings: Settings) -> None:
        from vectorstore.onnx_body import export_body

        super().__init__(settings)
        self.onnx_folder = settings.model_cache_dir / "onnx" / re.sub(r"[^\w.-]+", "_", self.name)
        if not (self.onnx_folder / "model.onnx").exists():  # first start with this runtime: export once (minutes)
            export_body(self.model[0].auto_model, self.model.preprocess(["title: none | text: mẫu", "query: mẫu"]), self.onnx_folder)
        self.body = self.open_body(settings)
        self.model[0].auto_model.to("meta")  # torch's copy of the body is not run any more: ~1 GB freed

    def open_body(self, settings: Settings) -> CompiledBody:
        raise NotImplementedError

    def encode(self, inputs: Sequence[str]) -> np.ndarray:
        import torch

        # Batches of similar length, so little padding is computed; results go back in input order.
        order = sorted(range(len(inputs)), key=lambda i: len(inputs[i]))
        batches = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        tokenized = [self.model.preprocess([inputs[i] for i in batch]) for batch in batches]
        hidden_states = self.body.hidden_states((f["input_ids"].numpy(), f["attention_mask"].numpy()) for f in tokenized)
        vectors = np.empty((len(inputs), self.dimension), dtype=np.float32)
        for batch, features, hidden in zip(batches, tokenized, hidden_states, strict=True):
            features["token_embeddings"] = torch.from_numpy(hidden)
            with torch.no_grad():
                for module in list(self.model)[1:]:  # pooling, projections, normalisation
                    features = module(features)
            vectors[batch] = features["sentence_embedding"].numpy()
        return vectors


class OnnxEmbedder(CompiledBodyEmbedder):
    """ONNX Runtime in fp32: the torch vectors, a little faster."""

    def open_body(self, settings: Settings) -> CompiledBody:
        from vectorstore.onnx_body import OnnxBody

        return OnnxBody(self.onnx_folder, settings.embedding_threads)


class OpenVinoEmbedder(CompiledBodyEmbedder):
    """OpenVINO, in bf16 where the CPU computes it natively: the fastest way to embed on such a CPU."""

    def open_body(self, settings: Settings) -> CompiledBody:
        from vectorstore.openvino_body import OpenVinoBody

        return OpenVinoBody(self.converted_body(settings), settings.embedding_threads, bfloat16=native_bfloat16())

    def converted_body(self, settings: Settings) -> Path:
        """The folder of the body in OpenVINO's format, converted from the ONNX graph if none is there yet or the
        graph was exported again since."""
        from vectorstore.openvino_body import convert_body

        folder, graph = settings.model_cache_dir / "openvino" / self.onnx_folder.name, self.onnx_folder / "model.onnx"
        if _older(folder / "model.xml", graph):
            convert_body(graph, folder)
        return folder


class Int8Embedder(OpenVinoEmbedder):
    """OpenVINO with the body's matrix products in int8 (see :mod:`vectorstore.int8_body`): the fastest way to embed
    on a CPU with int8 dot-product instructions, at R@1 within 0.01 of fp32."""

    def open_body(self, settings: Settings) -> CompiledBody:
        from vectorstore.int8_body import calibration_digest, calibration_inputs, quantize_body, quantized_from
        from vectorstore.openvino_body import OpenVinoBody

        source = self.converted_body(settings)
        folder = settings.model_cache_dir / "int8" / self.onnx_folder.name
        if _older(folder / "model.xml", source / "model.xml") or quantized_from(folder) != calibration_digest():
            samples = [self.model.preprocess([text]) for text in calibration_inputs(self.document_inputs, self.query_prompt)]
            arrays = [{"input_ids": s["input_ids"].numpy(), "attention_mask": s["attention_mask"].numpy()} for s in samples]
            quantize_body(source, folder, arrays, self.model[0].auto_model.config.intermediate_size)
        return OpenVinoBody(folder, settings.embedding_threads, bfloat16=native_bfloat16())


def _older(made: Path, *sources: Path) -> bool:
    """Whether ``made`` is missing or older than any of the files it is made from."""
    return not made.exists() or any(made.stat().st_mtime < source.stat().st_mtime for source in sources)


class OpenAIEmbedder(Embedder):
    """Vectors from an OpenAI-compatible server that runs the same model (its name is the store's check)."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        super().__init__()
        self.name = settings.embedding_model
        self.base_url = settings.embedding_base_url
        self.client = OpenAI(base_url=settings.embedding_base_url, api_key=settings.embedding_api_key, timeout=300)
        self.batch_size = settings.embedding_server_batch
        self.query_prompt = settings.embedding_query_prompt
        self.document_prompt = settings.embedding_document_prompt
        self.dimension = len(self.encode(["kiểm tra kết nối"])[0])  # fails at start-up, not at the first upload

    def encode(self, inputs: Sequence[str]) -> np.ndarray:
        from openai import OpenAIError

        vectors: list[list[float]] = []
        try:
            for start in range(0, len(inputs), self.batch_size):
                response = self.client.embeddings.create(model=self.name, input=list(inputs[start : start + self.batch_size]))
                vectors += [item.embedding for item in sorted(response.data, key=lambda item: item.index)]
        except OpenAIError as error:
            raise EmbeddingError(f"Máy chủ nhúng không trả lời ({self.base_url}): {error}") from error
        return unit_rows(np.asarray(vectors, dtype=np.float32))


def make_embedder(settings: Settings) -> Embedder:
    """The configured way to embed."""
    if settings.embedding_backend == "openai":
        return OpenAIEmbedder(settings)
    runtime = effective_runtime(settings)
    if runtime == "onnx":
        return OnnxEmbedder(settings)
    if runtime == "openvino":
        return OpenVinoEmbedder(settings)
    if runtime == "int8":
        return Int8Embedder(settings)
    return SentenceTransformerEmbedder(settings, bfloat16=runtime == "bf16")
