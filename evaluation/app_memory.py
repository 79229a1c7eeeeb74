"""The app's resident memory on a filled store, as a server holds it: both models loaded, members asking, a document
ingested.

`python -m evaluation.app_memory DATA_DIR DOCUMENT QUESTIONS_JSON BACKEND` prints the figures as JSON. It runs in a process of
its own because the bench's process holds the fill's vectors and every embedding runtime of the parity rows, and a
process's peak (VmHWM) cannot be reset: only a fresh process measures what the app alone takes.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from access import LOCAL_ADMIN
from services import build_services
from settings import get_settings


def status_mib(field: str, pid: int | str = "self") -> float:
    """A memory line of /proc/PID/status (VmRSS: resident now, VmHWM: resident peak), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def app_memory(data_dir: Path, document: Path, questions: list[str], backend: str) -> dict[str, float | str]:
    """RSS once the models are loaded and warm, after ``questions`` asked at the same moment (their prompts read and
    answers written together), and after ``document`` is ingested (embedding buffers are the largest); the peak. The
    document is removed again, so the store is left as it was."""
    settings = get_settings().model_copy(update={
        "data_dir": data_dir, "chroma_host": None, "corpus_dir": document.parent, "auth": False, "llm_backend": backend})
    services = build_services(settings)
    services.warm()
    row: dict[str, float | str] = {"app_backend": services.backend.name, "app_rss_warm_mib": status_mib("VmRSS")}
    workspace = services.acting_as(LOCAL_ADMIN, "bench")
    members = [threading.Thread(target=workspace.ask, args=(question,)) for question in questions]
    for member in members:
        member.start()
    for member in members:
        member.join()
    row[f"app_rss_after_{len(questions)}_questions_mib"] = status_mib("VmRSS")
    report = services.index.indexer.sync([document], root=document.parent)
    if report.errors or not report.added:
        raise RuntimeError(f"{document}: not ingested: {report.errors}")
    row["app_ingested_chunks"] = report.chunks_written
    row["app_rss_after_ingest_mib"] = status_mib("VmRSS")
    services.index.indexer.remove(report.added[0])
    row["app_peak_rss_mib"] = status_mib("VmHWM")
    return row


if __name__ == "__main__":
    print(json.dumps(app_memory(Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]), ensure_ascii=False))
