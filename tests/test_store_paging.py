"""A store bigger than one SQLite statement can read (Chroma fails one get of ~32k rows with metadata)."""

import numpy as np

from vectorstore import ChromaStore


def test_reads_over_a_store_of_34_000_chunks_are_complete(fresh_settings) -> None:
    store = ChromaStore(fresh_settings, "test-vectors", 8, "paging")
    rows = 34_000
    vectors = np.random.default_rng(0).normal(size=(rows, 8)).astype(np.float32)
    assert store.client.get_max_batch_size() < rows  # one write of them all is paged by the store
    metadatas = [{"source": f"doc-{i // 10}.txt", "doc_hash": f"h{i // 10}", "collection": "" if i < 20 else "cong-khai"} for i in range(rows)]
    store.upsert([f"c{i}" for i in range(rows)], [f"đoạn {i}" for i in range(rows)], vectors, metadatas)

    assert len({metadata["source"] for metadata in store.metadatas()}) == rows // 10
    assert store.unassigned_sources() == {"doc-0.txt", "doc-1.txt"}
    assert len(store.all_ids()) == rows and len(store.all_chunks()) == rows
    wanted = [f"c{i}" for i in range(0, rows, 1)]
    assert len(store.get(wanted)) == rows
    assert [chunk_id for chunk_id, *_ in store.score(["c5", "c33999"], vectors[5])][:1] == ["c5"]
