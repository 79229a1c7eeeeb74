"""The built-in GGUF rewritten in the block formats llama.cpp's AMX tile kernels multiply.

llama.cpp moves every matrix of a Q4_K_M model into its AMX buffer, but only Q4_0,
Q4_1 and Q8_0 are multiplied with tile instructions; Q4_K and Q6_K go through
AVX-512 VNNI kernels there. On two Xeon cores the dev questions' prompts reached
their first token 13–17 % sooner in these formats, and tokens came ~30 % faster
(README, "Trọng số dạng AMX").

The rewrite changes no weight beyond fp16 rounding, so it is not a second
quantisation: a Q4_K super-block is eight 32-value sub-blocks of the same 4-bit
codes, each decoded as ``d·scale·q − dmin·min``, which is exactly Q4_1's
``d'·q + m'`` with ``d' = d·scale`` and ``m' = −dmin·min`` (kept in fp16, as Q4_1
stores them: a relative change of at most 2⁻¹¹ of a sub-block's step). Q6_K
matrices become Q8_0, within 1/254 of each 32-value block's largest weight. The
token embeddings (looked up, never multiplied) and the output matrix (multiplied
for one token per step) keep their own formats.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

KEPT_AS_SHIPPED = frozenset({"token_embd.weight", "output.weight"})


def q4_k_as_q4_1(raw: np.ndarray) -> np.ndarray:
    """Q4_K rows (uint8, one row per matrix row) as Q4_1 rows with the same 4-bit codes."""
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType
    from gguf.quants import Q4_K

    # A block: d, dmin (fp16), 12 bytes of 6-bit scales and mins, 128 bytes of 4-bit codes.
    blocks = raw.reshape(-1, GGML_QUANT_SIZES[GGMLQuantizationType.Q4_K][1])
    n = len(blocks)
    d = blocks[:, 0:2].copy().view(np.float16).astype(np.float32)
    dmin = blocks[:, 2:4].copy().view(np.float16).astype(np.float32)
    scales, mins = Q4_K.get_scale_min(blocks[:, 4:16])
    step = (d * scales.astype(np.float32)).astype(np.float16).reshape(n, 8, 1)
    offset = (-dmin * mins.astype(np.float32)).astype(np.float16).reshape(n, 8, 1)
    # Q4_K: 32 bytes hold two sub-blocks (low nibbles, then high); Q4_1: 16 bytes hold values i and i + 16.
    nibbles = blocks[:, 16:].reshape(n, 4, 1, 32) >> np.array([0, 4], dtype=np.uint8).reshape(1, 1, 2, 1)
    codes = (nibbles & np.uint8(0x0F)).reshape(n, 8, 32)
    packed = codes[..., :16] | (codes[..., 16:] << np.uint8(4))
    rewritten = np.concatenate([step.view(np.uint8), offset.view(np.uint8), packed], axis=-1)
    return rewritten.reshape(raw.shape[0], -1)


def rewrite(source: Path, target: Path) -> None:
    """Write ``source`` to ``target`` with Q4_K matrices as Q4_1 and Q6_K matrices as Q8_0; metadata unchanged
    but for the file type."""
    from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter, LlamaFileType
    from gguf.quants import dequantize, quantize

    reader = GGUFReader(source)
    writer = GGUFWriter(target, reader.get_field("general.architecture").contents())
    for field in reader.fields.values():
        if field.name == "general.architecture" or field.name.startswith("GGUF."):
            continue  # the writer sets these itself
        kind = field.types[0]
        value = int(LlamaFileType.MOSTLY_Q4_1) if field.name == "general.file_type" else field.contents()
        writer.add_key_value(field.name, value, kind, sub_type=field.types[-1] if kind == GGUFValueType.ARRAY else None)
    tensors = []
    for tensor in reader.tensors:
        data, kind = np.asarray(tensor.data), tensor.tensor_type
        if tensor.name not in KEPT_AS_SHIPPED and kind == GGMLQuantizationType.Q4_K:
            data, kind = q4_k_as_q4_1(data), GGMLQuantizationType.Q4_1
        elif tensor.name not in KEPT_AS_SHIPPED and kind == GGMLQuantizationType.Q6_K:
            data, kind = quantize(dequantize(data, kind), GGMLQuantizationType.Q8_0), GGMLQuantizationType.Q8_0
        tensors.append((tensor.name, data, kind))
    for name, data, kind in tensors:
        writer.add_tensor_info(name, data.shape, data.dtype, data.nbytes, kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for _, data, _ in tensors:
        writer.write_tensor_data(data)
    writer.close()


@cache
def llama_cpp_has_amx() -> bool:
    """Whether the installed llama.cpp was built with AMX (set-up builds it so only where a tile instruction ran)."""
    import llama_cpp

    return "AMX_INT8 = 1" in llama_cpp.llama_print_system_info().decode()
