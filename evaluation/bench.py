"""`python app.py bench`: ingestion throughput, search latency, peak memory.

Numbers, not pass/fail: they go in the README and are watched over time.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from evaluation.questions import load_questions
from ingest import discover, prepare
from settings import Settings
from vectorstore import Embedder, open_index


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_benchmark(settings: Settings, questions_file: Path, corpus: Path) -> dict[str, float]:
    files = discover([corpus])
    started = time.perf_counter()
    chunk_count = sum(len(prepare(path, corpus, settings.chunk_size, settings.chunk_overlap).chunks) for path in files)
    prepare_seconds = time.perf_counter() - started

    scratch = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    try:
        bench_settings = settings.model_copy(update={"data_dir": scratch, "chroma_host": None, "corpus_dir": corpus})
        started = time.perf_counter()
        embedder = Embedder(bench_settings)
        load_seconds = time.perf_counter() - started
        index = open_index(bench_settings, embedder)
        started = time.perf_counter()
        report = index.indexer.sync(files)
        ingest_seconds = time.perf_counter() - started

        latencies = []
        for question in load_questions(questions_file):
            started = time.perf_counter()
            index.searcher.search(question.question, 5)
            latencies.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "documents": len(files),
        "chunks": chunk_count,
        "chunks_per_s_without_embedding": chunk_count / prepare_seconds,
        "chunks_per_s_with_embedding": report.chunks_written / ingest_seconds,
        "embedding_model_load_s": load_seconds,
        "search_p50_s": statistics.median(latencies),
        "search_p95_s": _percentile(latencies, 0.95),
        "peak_memory_mib": peak_memory_mib(),
    }
