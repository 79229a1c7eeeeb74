"""`python app.py bench`: ingestion throughput, search latency, peak memory.

Numbers, not pass/fail: they go in the README and are watched over time.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from chat import Answer, Queued
from evaluation.questions import load_questions
from ingest import discover, prepare
from settings import PROJECT_ROOT, Settings
from vectorstore import make_embedder, open_index
from vectorstore.embeddings import native_bfloat16, native_int8


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _services(settings: Settings, index, backend_name: str):
    """The bench acts like the server: through the composition root, the model loaded once for every row and warmed at
    start; personal mode (no login), so the web row's members are the local administrator too."""
    from services import build_services

    services = build_services(settings.model_copy(update={"llm_backend": backend_name, "auth": False}), index=index)
    services.warm()
    return services


def _workspace(services):
    """As the local administrator."""
    from access import LOCAL_ADMIN

    return services.acting_as(LOCAL_ADMIN, "bench")


def _asked(questions_file: Path, members: int) -> list[str]:
    """One answerable question per member, the file's in turn."""
    questions = [q.question for q in load_questions(questions_file) if q.answerable]
    return [questions[i % len(questions)] for i in range(members)]


def _forget(services) -> None:
    """Each run reads its prompts anew: none reuses what the run before left in the model's context, nor the answers it
    wrote."""
    services.backend.forget()
    services.answers.forget()
    services.warm()


def answer_timings(services, questions_file: Path) -> dict[str, float]:
    """Time to the first useful content (the verbatim preview, or the refusal), to the first model token,
    and to the whole answer, over the question file."""
    backend_name = services.settings.llm_backend
    _forget(services)
    assistant = _workspace(services).assistant
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


def _at_once(asked: list[str], watch: Callable[[int, str], Iterator[str]], prefix: str) -> dict[str, float]:
    """Every member asks at the same moment, each in a thread of their own. ``watch`` asks member ``i``'s question and
    names the moments as they come: "seen" (anything on screen: the preview or a place in line), "useful" (more than a
    place in line) and "done" (the whole answer); an exception is that member's error, counted, not raised."""
    start_together = threading.Barrier(len(asked))
    moments: dict[str, list[float]] = {"seen": [], "useful": [], "done": []}
    errors: list[str] = []

    def member(index: int, question: str) -> None:
        start_together.wait()
        started, reached = time.perf_counter(), {}
        try:
            for moment in watch(index, question):
                reached.setdefault(moment, time.perf_counter() - started)
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
            return
        for moment, at in reached.items():
            moments[moment].append(at)

    threads = [threading.Thread(target=member, args=pair) for pair in enumerate(asked)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = moments["done"]
    return {
        f"{prefix}_errors": len(errors),
        f"{prefix}_first_seen_max_s": max(moments["seen"], default=float("nan")),
        f"{prefix}_first_useful_max_s": max(moments["useful"], default=float("nan")),
        f"{prefix}_answer_p50_s": statistics.median(done) if done else float("nan"),
        f"{prefix}_answer_p95_s": _percentile(done, 0.95) if done else float("nan"),
        f"{prefix}_answer_max_s": max(done, default=float("nan")),
    }


def concurrent_timings(services, questions_file: Path, members: int) -> dict[str, float]:
    """``members`` people ask at the same moment (different answerable questions): when does each first see
    something (the preview or their place in the line), when something useful, when the whole answer, and
    how many fail. The same questions one after another (strict serial) are timed before and after it: the last
    concurrent answer is compared with their mean, and their difference is the machine's drift during the run, the
    margin below which a ratio near 1 means nothing (a shared VM drifts by several per cent)."""
    workspace = _workspace(services)
    asked = _asked(questions_file, members)

    def watch(_index: int, question: str) -> Iterator[str]:
        for event in workspace.stream(question):
            yield "seen"
            if not isinstance(event, Queued):
                yield "useful"
            if isinstance(event, Answer):
                yield "done"

    def serial_seconds() -> float:
        _forget(services)
        started = time.perf_counter()
        for question in asked:
            workspace.ask(question)
        return time.perf_counter() - started

    serial_before = serial_seconds()
    _forget(services)
    prefix = f"{services.settings.llm_backend}_{members}_at_once"
    timings = _at_once(asked, watch, prefix)
    serial_after = serial_seconds()
    return {
        f"{prefix}_serial_before_s": serial_before,
        f"{prefix}_serial_after_s": serial_after,
        f"{prefix}_last_vs_serial": timings[f"{prefix}_answer_max_s"] / ((serial_before + serial_after) / 2),
        **timings,
    }


def web_timings(services, questions_file: Path, members: int) -> dict[str, float]:
    """The members of :func:`concurrent_timings` again, each in a web chat of their own: the real server on a loopback
    port, the chat endpoint the browser calls. What the service layer cannot show shows here: until 2026-12-07 Gradio
    ran one question at a time, so the third of three members saw their first line after 95 s while the service-layer
    row said 0.1 s. The members run in a process of their own (evaluation/web_members.py), as browsers do: in this one
    their eight clients' parsing took the interpreter lock from the model's decoding loop (last answer +7-8 %)."""
    from server.app import create_app
    from server.local import ServerThread

    _forget(services)
    asked = _asked(questions_file, members)
    prefix = f"{services.settings.llm_backend}_{members}_at_once_web"
    with ServerThread(create_app(services)) as server:
        return json_from_module("evaluation.web_members", server.url, prefix, json.dumps(asked, ensure_ascii=False))


def json_from_module(module: str, *args: str) -> dict:
    """What ``python -m module args…`` prints as JSON on its last line: a measurement made in a process of its own."""
    run = subprocess.run([sys.executable, "-m", module, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if run.returncode:
        raise RuntimeError(f"{module} failed: {run.stderr[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def embedding_parity(settings: Settings, corpus: Path, beir_folder: Path) -> dict[str, float]:
    """torch fp32 against ONNX Runtime, OpenVINO, torch bf16 (where the CPU computes bf16 natively) and OpenVINO int8
    (where it has int8 dot products) in the same run, so the speed ratio is not a comparison across machines or days:
    chunks/s of the model alone and of a whole ingestion of the corpus (reading, chunking, BM25 and Chroma included),
    and recall@1 on a BEIR set (dense alone, and hybrid)."""
    from evaluation.beir import index_passages, load_beir_questions, load_corpus
    from evaluation.harness import run_search, summarise_search

    documents = [prepare(path, corpus, settings.chunk_size, settings.chunk_overlap) for path in discover([corpus])]
    titles = [document.embedding_title(chunk) for document in documents for chunk in document.chunks]  # as ingestion embeds them
    texts = [chunk.text for document in documents for chunk in document.chunks]
    passages, questions = load_corpus(beir_folder / "corpus.jsonl"), load_beir_questions(beir_folder)
    results: dict[str, float] = {}
    runtimes = ("torch", "onnx", "openvino", *(("bf16",) if native_bfloat16() else ()), *(("int8",) if native_int8() else ()))
    for runtime in runtimes:
        scratch = Path(tempfile.mkdtemp(prefix=f"rag-parity-{runtime}-"))
        try:
            runtime_settings = settings.model_copy(update={"embedding_runtime": runtime, "data_dir": scratch, "chroma_host": None})
            embedder = make_embedder(runtime_settings)
            started = time.perf_counter()
            embedder.embed_documents(titles, texts)
            results[f"embedding_{runtime}_chunks_per_s"] = len(texts) / (time.perf_counter() - started)
            started = time.perf_counter()
            report = open_index(runtime_settings, embedder).indexer.sync(discover([corpus]))
            results[f"ingest_{runtime}_chunks_per_s"] = report.chunks_written / (time.perf_counter() - started)
            index = open_index(runtime_settings, embedder, collection="parity")
            index_passages(index, passages, settings.chunk_size, settings.chunk_overlap)
            for mode in ("dense", "hybrid"):
                rows = list(run_search(index.searcher, questions, 10, mode=mode, by_document=True))
                results[f"{beir_folder.name}_{mode}_recall@1_{runtime}"] = summarise_search(rows)["recall@1"]
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    for runtime in runtimes[1:]:
        for stage in ("embedding", "ingest"):
            results[f"{stage}_{runtime}_speed_ratio"] = results[f"{stage}_{runtime}_chunks_per_s"] / results[f"{stage}_torch_chunks_per_s"]
    return results


def draft_seconds(settings: Settings, index) -> float:
    """Time to draft a 5-section congress opening speech in extractive mode."""
    drafter = _workspace(_services(settings, index, "extractive")).drafter
    started = time.perf_counter()
    drafter.draft("chuyển đổi số và phát triển đảng viên", "dien-van-khai-mac")
    return time.perf_counter() - started


def machine() -> dict[str, object]:
    """What the numbers were measured on: they mean little without it."""
    return {"cores": os.cpu_count(), "cpu": _cpu_model(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(), "date": datetime.now(UTC).isoformat(timespec="seconds")}


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def run_benchmark(
    settings: Settings, questions_file: Path, corpus: Path, backends: tuple[str, ...] = (), members: int = 8, beir_folder: Path | None = None
) -> dict[str, float]:
    files = discover([corpus])
    started = time.perf_counter()
    chunk_count = sum(len(prepare(path, corpus, settings.chunk_size, settings.chunk_overlap).chunks) for path in files)
    prepare_seconds = time.perf_counter() - started

    scratch = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    try:
        bench_settings = settings.model_copy(update={"data_dir": scratch, "chroma_host": None, "corpus_dir": corpus})
        started = time.perf_counter()
        embedder = make_embedder(bench_settings)
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
            services = _services(bench_settings, index, backend_name)
            answers.update(answer_timings(services, questions_file))
            if members > 1:
                answers.update(concurrent_timings(services, questions_file, members))
                answers.update(web_timings(services, questions_file, members))
            del services  # one model in memory at a time
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
        **(embedding_parity(settings, corpus, beir_folder) if beir_folder else {}),
        "peak_memory_mib": peak_memory_mib(),
    }
