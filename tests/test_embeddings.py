"""The ONNX Runtime path gives the torch model's vectors (same weights, exported once)."""

import numpy as np
import pytest

from vectorstore import make_embedder

PASSAGES = [
    ("Quy định 294-QĐ/TW", "Người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi tính theo tháng."),
    ("Hướng dẫn 06-HD/TW", "Chi bộ xét công nhận đảng viên chính thức sau khi hết 12 tháng dự bị, khi đảng viên dự bị đã rèn luyện."),
    ("Đại hội Chi bộ", "Đại hội đã bầu đồng chí Lê Thị Mai làm Bí thư Chi bộ nhiệm kỳ 2025–2027."),
    ("Thư viện Quốc gia", "Năm 2022 tổ chức thành công 02 khoá tập huấn số hoá tài liệu."),
]
QUERIES = ["Tuổi đời tối đa của người vào Đảng?", "Khi nào xét công nhận đảng viên chính thức?", "Ai làm Bí thư Chi bộ?"]


@pytest.fixture(scope="module")
def onnx_embedder(base_settings):
    return make_embedder(base_settings.model_copy(update={"embedding_runtime": "onnx"}))


def test_onnx_runtime_gives_the_torch_vectors_in_input_order(embedder, onnx_embedder) -> None:
    assert (onnx_embedder.name, onnx_embedder.dimension) == (embedder.name, embedder.dimension)
    onnx_embedder.batch_size = 3  # passages of different lengths land in different, length-sorted batches
    titles, texts = zip(*PASSAGES, strict=True)
    exact, exported = embedder.embed_documents(titles, texts), onnx_embedder.embed_documents(titles, texts)
    assert np.min(np.sum(exact * exported, axis=1)) > 0.9999
    for query in QUERIES:
        assert np.dot(embedder.embed_query(query), onnx_embedder.embed_query(query)) > 0.9999
