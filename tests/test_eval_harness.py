"""The evaluation harness on a 20-question slice of the external UIT benchmark (BEIR layout)."""

import json
import os
import subprocess
import sys

import pytest

from evaluation.beir import index_passages, load_beir_questions, load_corpus
from evaluation.harness import run_search, summarise_search
from tests.conftest import SHARED
from vectorstore import open_index

UIT = SHARED / "eval" / "external" / "uit_qa"
pytestmark = pytest.mark.skipif(not UIT.exists(), reason="shared/eval/external is not beside the checkout")


@pytest.fixture(scope="module")
def uit_index(base_settings, embedder):
    settings = base_settings.model_copy(update={"data_dir": base_settings.data_dir / "uit"})
    index = open_index(settings, embedder, collection="beir-uit-qa")
    written = index_passages(index, load_corpus(UIT / "corpus.jsonl"), settings.chunk_size, settings.chunk_overlap)
    assert written >= 142
    assert index_passages(index, load_corpus(UIT / "corpus.jsonl"), settings.chunk_size, settings.chunk_overlap) == 0
    return index


def test_harness_scores_a_20_question_slice_by_passage_id(uit_index) -> None:
    questions = load_beir_questions(UIT)[:20]
    rows = list(run_search(uit_index.searcher, questions, 10, "hybrid", by_document=True))
    summary = summarise_search(rows)
    assert summary["questions"] == 20
    assert summary["recall@10"] >= 0.9 and summary["recall@1"] >= 0.7
    assert 0 < summary["mrr@10"] <= 1 and summary["recall@1"] <= summary["recall@5"] <= summary["recall@10"]
    for row in rows:
        if row.rank:
            assert row.result["hits"][row.rank - 1]["source"] == row.question.document


def test_hybrid_beats_each_retriever_alone_on_all_300_dev_questions(uit_index) -> None:
    questions = load_beir_questions(UIT)
    summaries = {mode: summarise_search(list(run_search(uit_index.searcher, questions, 10, mode, by_document=True)))
                 for mode in ("dense", "lexical", "hybrid")}
    hybrid = summaries.pop("hybrid")
    for metric in ("recall@1", "mrr@10"):
        assert hybrid[metric] >= max(summary[metric] for summary in summaries.values()), (metric, summaries, hybrid)
    assert hybrid["recall@1"] >= 0.90, hybrid


def test_eval_command_prints_a_summary_table_and_writes_rows_to_output(corpus_settings, corpus_index, tmp_path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(line for line in (SHARED / "eval" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()[:3]),
        encoding="utf-8",
    )
    env = {"RAG_DATA_DIR": str(corpus_settings.data_dir)}
    rows = tmp_path / "rows.jsonl"
    result = subprocess.run([sys.executable, "app.py", "eval", str(questions), "--k", "5", "--output", str(rows)], capture_output=True,
                            text=True, env={**os.environ, **env}, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("chỉ số") and any(line.startswith("recall@5") for line in lines)  # the table, not the rows
    summary = json.loads(lines[-1])["summary"]
    assert {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "p50_s", "p95_s"} <= set(summary)
    assert len(rows.read_text(encoding="utf-8").splitlines()) == summary["questions"] == 3
    assert "Đánh giá" in result.stderr  # the progress bar
