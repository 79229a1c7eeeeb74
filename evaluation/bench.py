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

from chat import Answer
from evaluation.questions import load_questions
from ingest import discover, prepare
from settings import Settings
from vectorstore import Embedder, open_index


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _workspace(settings: Settings, index, backend_name: str):
    """The bench acts like any front end: through the composition root, as the local administrator."""
    from access import LOCAL_ADMIN
    from services import build_services

    backend_settings = settings.model_copy(update={"llm_backend": backend_name})
    return build_services(backend_settings, index=index).acting_as(LOCAL_ADMIN, "bench")


def answer_timings(settings: Settings, index, questions_file: Path, backend_name: str) -> dict[str, float]:
    """Time to the first useful content (the verbatim preview, or the refusal), to the first model token,
    and to the whole answer, over the question file."""
    assistant = _workspace(settings, index, backend_name).assistant
    useful, first, total = [], [], []
    for question in load_questions(questions_file):
        started, shown = time.perf_counter(), False
        for event in assistant.stream(question.question):
            if not shown:  # the first thing the member sees: the preview, a model token, or the refusal
                useful.append(time.perf_counter() - started)
                shown = True
            if isinstance(event, Answer):
                total.append(event.seconds)
                if event.first_token_seconds is not None:
                    first.append(event.first_token_seconds)
    timings = {
        f"{backend_name}_first_useful_p50_s": statistics.median(useful), f"{backend_name}_first_useful_p95_s": _percentile(useful, 0.95),
        f"{backend_name}_answer_p50_s": statistics.median(total), f"{backend_name}_answer_p95_s": _percentile(total, 0.95),
    }
    if first:
        timings[f"{backend_name}_first_token_p50_s"] = statistics.median(first)
        timings[f"{backend_name}_first_token_p95_s"] = _percentile(first, 0.95)
    return timings


def draft_seconds(settings: Settings, index) -> float:
    """Time to draft a 5-section congress opening speech in extractive mode."""
    drafter = _workspace(settings, index, "extractive").drafter
    started = time.perf_counter()
    drafter.draft("chuyển đổi số và phát triển đảng viên", "dien-van-khai-mac")
    return time.perf_counter() - started


def run_benchmark(settings: Settings, questions_file: Path, corpus: Path, backends: tuple[str, ...] = ()) -> dict[str, float]:
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
        answers: dict[str, float] = {}
        for backend_name in backends:
            answers.update(answer_timings(bench_settings, index, questions_file, backend_name))
        answers["draft_5_sections_extractive_s"] = draft_seconds(bench_settings, index)
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
        **answers,
        "peak_memory_mib": peak_memory_mib(),
    }
