"""The scale benchmark end to end at a tiny size, with the session's embedding model."""

import shutil
from pathlib import Path

import pytest

from evaluation.scale_bench import VECTORS, run_scale_benchmark
from tests.conftest import DEV_QUESTIONS

pytestmark = pytest.mark.skipif(not DEV_QUESTIONS.exists(), reason="shared/eval is not beside the checkout")


def test_scale_benchmark_fills_measures_and_ingests(base_settings, embedder, tmp_path: Path) -> None:
    # The smallest shipped document and one question: every chunk and every search costs an embedding.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    smallest = min(base_settings.corpus_dir.glob("*.txt"), key=lambda path: path.stat().st_size)
    shutil.copy(smallest, corpus / smallest.name)
    questions = tmp_path / "questions.jsonl"
    questions.write_text(DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()[0], encoding="utf-8")
    settings = base_settings.model_copy(update={"corpus_dir": corpus, "data_dir": tmp_path / "data"})

    # A prime size: the last synthetic document is cut short whatever the real one's length.
    [row] = run_scale_benchmark(settings, [601], questions_file=questions, embedder=embedder, app_backend="extractive")

    assert row["store"] == "embedded" and row["vectors"] == VECTORS
    assert row["size"] == row["chunks"] == row["catalogue_chunks"] == 601
    assert 0 < row["real_chunks"] < 601 and row["fill_chunks"] == 601 - row["real_chunks"]
    assert 0 < row["search_cold_p50_s"] <= row["search_cold_p95_s"] and row["search_warm_p50_s"] > 0
    assert row["embed_query_p50_s"] > 0 and row["chroma_query_p50_s"] > 0 and row["bm25_search_p50_s"] > 0
    assert 0 < row["search_without_embedding_p50_s"] < row["search_warm_p50_s"]
    assert 0 < row["search_member_p50_s"] <= row["search_member_p95_s"] and 0 < row["search_clause_p50_s"] <= row["search_clause_p95_s"]
    assert row["member_documents_s"] > 0
    assert row["open_index_after_writes_s"] > 0 and row["open_index_s"] > 0
    assert row["new_doc_chunks"] > 0 and row["new_doc_found"] == 1
    assert 0 < row["ingest_lexical_save_s"] < row["ingest_one_doc_s"]
    assert row["lexical_mib"] > 0 and row["chroma_mib"] > 0 and row["bm25_load_s"] > 0
    assert not list(tmp_path.glob("data/*")), "the benchmark works in a scratch folder of its own"
    # the app's own memory, measured in a process of its own on the filled store (answers without a model here)
    assert row["app_backend"] == "extractive" and row["app_ingested_chunks"] > 0
    assert 0 < row["app_rss_warm_mib"] < row["app_peak_rss_mib"]
    assert row["app_rss_after_4_questions_mib"] <= row["app_peak_rss_mib"] and row["app_rss_after_ingest_mib"] <= row["app_peak_rss_mib"]
