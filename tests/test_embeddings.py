"""The faster runtimes give the fp32 torch model's vectors: ONNX Runtime and OpenVINO (same weights, exported once) and bf16;
OpenVINO int8 gives vectors close enough to rank passages as fp32 does."""

import numpy as np
import pytest
import torch

from vectorstore import make_embedder
from vectorstore.embeddings import effective_runtime, native_bfloat16, native_int8
from vectorstore.int8_body import calibration_digest, quantized_from

PASSAGES = [
    ("Quy định 294-QĐ/TW", "Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi tính theo tháng."),
    ("Hướng dẫn 06-HD/TW", "Chi bộ xét công nhận đảng viên chính thức sau khi hết 12 tháng dự bị, khi đảng viên dự bị đã rèn luyện."),
    ("Đại hội Chi bộ", "Đại hội đã bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ nhiệm kỳ 2025–2027."),
    ("Thư viện Quốc gia", "Năm 2022 tổ chức thành công 02 khoá tập huấn số hoá tài liệu."),
]
QUERIES = ["Tuổi đời tối đa của người vào Đảng?", "Khi nào xét công nhận đảng viên chính thức?", "Ai làm Bí thư Chi bộ?"]


@pytest.fixture(scope="module")
def fp32_embedder(base_settings, embedder):
    """The reference; the session's embedder already is one where the CPU has no native bf16."""
    if effective_runtime(base_settings) == "torch":
        return embedder
    return make_embedder(base_settings.model_copy(update={"embedding_runtime": "torch"}))


@pytest.fixture(scope="module")
def int8_embedder(base_settings):
    return make_embedder(base_settings.model_copy(update={"embedding_runtime": "int8"}))


def _assert_same_vectors(reference, other, minimum: float) -> None:
    assert (other.name, other.dimension) == (reference.name, reference.dimension)
    other.batch_size = 3  # passages of different lengths land in different, length-sorted batches
    titles, texts = zip(*PASSAGES, strict=True)
    exact, fast = reference.embed_documents(titles, texts), other.embed_documents(titles, texts)
    assert fast.dtype == np.float32
    assert np.min(np.sum(exact * fast, axis=1)) > minimum
    for query in QUERIES:
        assert np.dot(reference.embed_query(query), other.embed_query(query)) > minimum


def test_onnx_runtime_gives_the_torch_vectors_in_input_order(base_settings, fp32_embedder) -> None:
    _assert_same_vectors(fp32_embedder, make_embedder(base_settings.model_copy(update={"embedding_runtime": "onnx"})), 0.9999)


def test_openvino_runtime_gives_nearly_the_fp32_vectors_without_keeping_torchs_copy_of_the_body(base_settings, fp32_embedder) -> None:
    openvino = make_embedder(base_settings.model_copy(update={"embedding_runtime": "openvino"}))
    assert next(openvino.model[0].auto_model.parameters()).is_meta  # the body's weights live in OpenVINO only
    _assert_same_vectors(fp32_embedder, openvino, 0.999)
    openvino.batch_size = 1  # more batches than streams: each stream's request takes a second batch, in order
    titles, texts = zip(*PASSAGES, strict=True)
    assert len(PASSAGES) > openvino.body.streams
    assert np.min(np.sum(fp32_embedder.embed_documents(titles, texts) * openvino.embed_documents(titles, texts), axis=1)) > 0.999


def test_bf16_runtime_gives_nearly_the_fp32_vectors(base_settings, fp32_embedder) -> None:
    bf16 = make_embedder(base_settings.model_copy(update={"embedding_runtime": "bf16"}))
    assert next(bf16.model.parameters()).dtype == torch.bfloat16
    _assert_same_vectors(fp32_embedder, bf16, 0.999)


def test_int8_runtime_ranks_passages_as_fp32_does_with_every_product_but_the_down_projections_in_int8(
    base_settings, fp32_embedder, int8_embedder
) -> None:
    import openvino

    int8 = int8_embedder
    assert next(int8.model[0].auto_model.parameters()).is_meta
    config, folder = int8.model[0].auto_model.config, base_settings.model_cache_dir / "int8" / int8.onnx_folder.name
    assert quantized_from(folder) == calibration_digest()  # quantised again only when the calibration set changes
    body = openvino.Core().read_model(str(folder / "model.xml"))
    products = [op for op in body.get_ops() if op.get_type_name() == "MatMul"]
    down = {op.get_friendly_name() for op in products if op.input(0).get_partial_shape()[-1] == config.intermediate_size}
    quantized = {op.get_friendly_name() for op in products if op.input(0).get_source_output().get_node().get_type_name() == "FakeQuantize"}
    assert len(down) == config.num_hidden_layers
    assert quantized == {op.get_friendly_name() for op in products} - down
    _assert_same_vectors(fp32_embedder, int8, 0.97)
    titles, texts = zip(*PASSAGES, strict=True)
    exact, fast = fp32_embedder.embed_documents(titles, texts), int8.embed_documents(titles, texts)
    for query in QUERIES:
        assert np.argmax(exact @ fp32_embedder.embed_query(query)) == np.argmax(fast @ int8.embed_query(query))


def test_the_token_table_is_read_outside_the_compiled_body_in_int8_with_the_whole_graphs_hidden_states(
    base_settings, int8_embedder
) -> None:
    """Compiled, the table would be expanded to float32 (805 MB resident). Compared in f32: where the CPU has bf16 (Zen 4
    and 5) the product's body computes in bf16 between the int8 products, and bf16 rounds differently in two graphs of
    different shape (hidden states ~5 % apart), which says nothing about the cut."""
    import openvino

    from vectorstore.openvino_body import OpenVinoBody

    product = int8_embedder.body
    assert {name for port in product.compiled.inputs for name in port.get_names()} == {"inputs_embeds", "attention_mask"}
    assert product.tokens.values.dtype == np.int8 and product.tokens.values.shape == (262144, int8_embedder.dimension)
    precision = product.compiled.get_property("INFERENCE_PRECISION_HINT")
    assert precision == (openvino.Type.bf16 if native_bfloat16() else openvino.Type.f32)
    folder = base_settings.model_cache_dir / "int8" / int8_embedder.onnx_folder.name
    body = OpenVinoBody(folder, 0, bfloat16=False)
    whole = openvino.Core().compile_model(str(folder / "model.xml"), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    ids = np.array([[2, 9259, 1171, 236743, 507, 1], [2, 101, 7, 1, 0, 0]])
    mask = (np.arange(6) < np.array([[6], [4]])).astype(np.int64)
    expected = whole.create_infer_request().infer({"input_ids": ids, "attention_mask": mask})[0]
    assert np.allclose(next(body.hidden_states([(ids, mask)])), expected, atol=1e-4)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ("fpu avx2 avx512f avx512_vnni amx_bf16 amx_int8 amx_tile", "int8"),
        ("fpu avx2 avx512f avx512_vnni avx512_bf16", "int8"),
        ("fpu avx2 avx_vnni", "int8"),
        ("fpu avx2 avx512_bf16", "openvino"),
        ("fpu avx2 fma", "torch"),
    ],
)
def test_auto_runtime_is_int8_where_the_cpu_has_int8_dot_products_else_openvino_where_it_computes_bf16(
    tmp_path, base_settings, monkeypatch, flags, expected
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n", encoding="utf-8")
    int8, bf16 = native_int8(cpuinfo), native_bfloat16(cpuinfo)
    assert int8 is (expected == "int8")
    monkeypatch.setattr("vectorstore.embeddings.native_int8", lambda: int8)
    monkeypatch.setattr("vectorstore.embeddings.native_bfloat16", lambda: bf16)
    assert effective_runtime(base_settings) == expected
    assert effective_runtime(base_settings.model_copy(update={"embedding_runtime": "onnx"})) == "onnx"


def test_no_cpuinfo_means_no_native_bf16_or_int8(tmp_path) -> None:
    assert native_bfloat16(tmp_path / "missing") is False
    assert native_int8(tmp_path / "missing") is False
