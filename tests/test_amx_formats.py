"""The AMX-format rewrite keeps the weights: block by block on a small GGUF, and on the real model as llama.cpp reads it."""

from pathlib import Path

import numpy as np
import pytest
from gguf import GGMLQuantizationType, GGUFReader, GGUFWriter
from gguf.quants import dequantize

from settings import Settings
from weights import BUILTIN_MODELS, ensure_model, resolve_gguf
from weights.amx_formats import llama_cpp_has_amx, rewrite
from weights.provision import amx_variant, ensure_amx_rewrite, sha256_of

Q4_K, Q6_K, Q4_1, Q8_0 = (GGMLQuantizationType[name] for name in ("Q4_K", "Q6_K", "Q4_1", "Q8_0"))


def _k_quant_rows(rng: np.random.Generator, rows: int, block_bytes: int, scale_at: tuple[int, ...]) -> np.ndarray:
    """Random K-quant blocks (one per 256 values) whose fp16 scale fields hold small, finite numbers."""
    raw = rng.integers(0, 256, size=(rows, 2, block_bytes), dtype=np.uint8)
    for offset in scale_at:
        scales = rng.uniform(1e-4, 2e-3, size=(rows, 2)).astype(np.float16)
        raw[:, :, offset : offset + 2] = scales.view(np.uint8).reshape(rows, 2, 2)
    return raw.reshape(rows, 2 * block_bytes)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    folder = tmp_path_factory.mktemp("gguf")
    source, target = folder / "small.gguf", folder / "small-amx.gguf"
    writer = GGUFWriter(source, "qwen2")
    writer.add_name("nhỏ")
    writer.add_file_type(15)  # mostly Q4_K_M
    writer.add_token_list(["a", "b", "c"])
    writer.add_tensor("blk.0.attn_q.weight", _k_quant_rows(rng, 4, 144, (0, 2)), raw_dtype=Q4_K)
    writer.add_tensor("blk.0.ffn_down.weight", _k_quant_rows(rng, 3, 210, (208,)), raw_dtype=Q6_K)
    writer.add_tensor("token_embd.weight", _k_quant_rows(rng, 5, 144, (0, 2)), raw_dtype=Q4_K)
    writer.add_tensor("output.weight", _k_quant_rows(rng, 5, 210, (208,)), raw_dtype=Q6_K)
    writer.add_tensor("blk.0.attn_norm.weight", rng.standard_normal(512).astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    rewrite(source, target)
    return source, target


def _tensors(path: Path) -> dict:
    return {tensor.name: tensor for tensor in GGUFReader(path).tensors}


def test_k_quant_matrices_change_format_and_keep_their_values(small_model) -> None:
    before, after = (_tensors(path) for path in small_model)
    for name, new_type, tolerance in (("blk.0.attn_q.weight", Q4_1, 2**-10), ("blk.0.ffn_down.weight", Q8_0, 1 / 200)):
        assert after[name].tensor_type == new_type
        original = dequantize(np.asarray(before[name].data), before[name].tensor_type)
        rewritten = dequantize(np.asarray(after[name].data), new_type)
        assert rewritten.shape == original.shape == (len(original), 512)
        assert np.abs(rewritten - original).max() <= tolerance * np.abs(original).max()


def test_embeddings_output_and_norms_are_copied_byte_for_byte(small_model) -> None:
    before, after = (_tensors(path) for path in small_model)
    for name in ("token_embd.weight", "output.weight", "blk.0.attn_norm.weight"):
        assert after[name].tensor_type == before[name].tensor_type
        assert np.array_equal(np.asarray(after[name].data), np.asarray(before[name].data))


def test_metadata_is_kept_and_the_file_type_says_q4_1(small_model) -> None:
    source, target = (GGUFReader(path) for path in small_model)
    assert target.get_field("general.name").contents() == "nhỏ"
    assert target.get_field("tokenizer.ggml.tokens").contents() == ["a", "b", "c"]
    assert target.get_field("general.file_type").contents() == 3
    assert set(target.fields) == set(source.fields)


def _next_token_logits(path: str, prompt: str) -> np.ndarray:
    import llama_cpp

    model = llama_cpp.Llama(model_path=path, n_ctx=256, n_threads=2, verbose=False)
    model.eval(model.tokenize(prompt.encode()))
    logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(model.ctx, -1), shape=(model.n_vocab(),)).copy()
    assert logits.std() > 1  # real logits, not an empty buffer
    return logits


@pytest.mark.slow
def test_the_real_rewrite_matches_its_published_hash_and_predicts_like_the_original(base_settings: Settings) -> None:
    spec = BUILTIN_MODELS["qwen2.5-coder-1.5b-instruct"]
    rewritten = ensure_amx_rewrite(spec, base_settings.model_cache_dir)
    assert sha256_of(rewritten) == spec.amx_sha256
    prompt = "Theo Quy định 294-QĐ/TW, đảng viên dự bị được xét công nhận chính thức sau"
    original = _next_token_logits(str(ensure_model(spec, base_settings.model_cache_dir)), prompt)
    amx = _next_token_logits(str(rewritten), prompt)
    assert amx.argmax() == original.argmax()
    assert np.corrcoef(amx, original)[0, 1] > 0.995  # 0.9986 measured; a Q8_0 copy of the original: 0.9987


@pytest.mark.slow
def test_the_llm_is_loaded_in_amx_formats_exactly_when_llama_cpp_multiplies_with_amx(base_settings: Settings) -> None:
    spec = BUILTIN_MODELS[base_settings.llm_model]
    rewrite_folder = str(base_settings.model_cache_dir / amx_variant(spec).name)
    assert resolve_gguf(base_settings).startswith(rewrite_folder) == llama_cpp_has_amx()
    as_shipped = base_settings.model_copy(update={"llm_amx_formats": False})
    assert not resolve_gguf(as_shipped).startswith(rewrite_folder)
