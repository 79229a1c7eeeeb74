"""Uploads become ingestion jobs that run in the server, not in the browser's request.

A job's state lives in the database, so closing the page (or asking its status from
another client) loses nothing. One worker thread ingests at a time; searches go on.
"""

from __future__ import annotations

import re
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from access import AccessError, Principal
from access.models import Job

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".html", ".htm")


MAX_NAME_BYTES = 200  # file systems hold 255 bytes a name; a Vietnamese letter takes 2-3 of them


def safe_filename(name: str) -> str:
    """The file's own name, without folders or characters a path cannot hold (a lone surrogate among them), cut to
    a length every file system takes with its suffix kept: the name that is stored is the name whose type is checked."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name.encode("utf-8", "replace").decode("utf-8")).strip()
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    suffix = Path(name).suffix
    stem = name[: len(name) - len(suffix)]
    suffix = suffix[:16]
    stem = stem.encode("utf-8")[: MAX_NAME_BYTES - len(suffix.encode("utf-8"))].decode("utf-8", "ignore").strip(" .")
    return (stem or "tai-lieu") + suffix


class JobQueue:
    def __init__(self, services) -> None:
        self.services = services
        self.sessions = services.accounts.sessions
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
        self.futures: dict[int, Future] = {}

    def check(self, principal: Principal, collection: str, filename: str, size: int) -> None:
        """Refuse before anything is written: unknown collection, no right, wrong type, too large."""
        self.services.accounts.collection(collection)
        if not self.services.accounts.may_manage(principal, collection):
            raise AccessError(f"Bạn không có quyền thêm tài liệu vào bộ '{collection}'.", 403)
        filename = safe_filename(filename)
        if Path(filename).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise AccessError(
                f"{filename}: định dạng không hỗ trợ (chỉ nhận {', '.join(SUPPORTED_SUFFIXES)}).", 415, "unsupported_type"
            )
        limit = self.services.settings.max_upload_mb
        if size > limit * 1024 * 1024:
            raise AccessError(f"{filename}: tệp lớn hơn giới hạn {limit} MB.", 413, "file_too_large")

    def submit(self, principal: Principal, collection: str, filename: str, data: bytes) -> int:
        """Save the upload under the library folder and queue its ingestion; returns the job id."""
        self.check(principal, collection, filename, len(data))
        folder = self.services.settings.library_dir / collection
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe_filename(filename)
        path.write_bytes(data)
        with self.sessions.begin() as session:
            job = Job(user=principal.name, collection=collection, filename=path.name, status="queued", stage="", progress=0.0,
                      path=str(path), message="", source="", chunks=0)
            session.add(job)
            session.flush()
            job_id = job.id
        self._start(job_id, principal, collection, path)
        return job_id

    def _start(self, job_id: int, principal: Principal, collection: str, path: Path) -> None:
        self.futures[job_id] = self.executor.submit(self._run, job_id, principal, collection, path)

    def retry(self, principal: Principal, job_id: int) -> None:
        """Run a failed job again on its saved file (after the cause was fixed, e.g. OCR installed)."""
        job = self.job(principal, job_id)
        if job.status != "failed" or not Path(job.path).is_file():
            raise AccessError("Chỉ chạy lại được công việc bị lỗi còn giữ tệp.", 409, "not_retryable")
        self._update(job_id, status="queued", stage="", progress=0.0, message="", finished_at=None)
        self._start(job_id, principal, collection=job.collection, path=Path(job.path))

    def _update(self, job_id: int, **fields) -> None:
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            for name, value in fields.items():
                setattr(job, name, value)

    def _run(self, job_id: int, principal: Principal, collection: str, path: Path) -> None:
        self._update(job_id, status="running", stage="reading")

        def progress(stage: str, fraction: float) -> None:
            self._update(job_id, stage=stage, progress=round(fraction, 3))

        try:
            workspace = self.services.acting_as(principal, "upload")
            report = workspace.ingest([path], collection, root=self.services.settings.data_dir, on_progress=progress)
        except Exception as error:  # the job records why; the worker goes on with the next one
            self._update(job_id, status="failed", message=str(error), finished_at=datetime.now(UTC))
            return
        if report.errors:  # the file stays for a retry; it is in no index
            self._update(job_id, status="failed", message=report.errors[0].cause, finished_at=datetime.now(UTC))
            return
        source = (report.added or report.replaced or report.refreshed or report.unchanged or report.moved or [""])[0]
        chunks = len(self.services.index.store.all_ids({"source": source})) if source else 0
        message = "đã có trong thư viện, không đổi" if report.unchanged else ""
        self._update(job_id, status="done", stage="", progress=1.0, source=source, chunks=chunks, message=message,
                     finished_at=datetime.now(UTC))

    def wait(self, job_id: int, seconds: float = 600) -> None:
        """Block until a job of this process has finished (tests and the bulk CLI)."""
        if job_id in self.futures:
            self.futures[job_id].result(timeout=seconds)

    def job(self, principal: Principal, job_id: int) -> Job:
        """A job of the principal's own (an administrator sees all); others are 'not found'."""
        with self.sessions() as session:
            job = session.get(Job, job_id)
        if job is None or (job.user != principal.name and not principal.is_admin):
            raise AccessError("Không tìm thấy công việc này.", 404, "not_found")
        return job

    def jobs(self, principal: Principal, limit: int = 100) -> list[Job]:
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if not principal.is_admin:
            query = query.where(Job.user == principal.name)
        with self.sessions() as session:
            return list(session.scalars(query))
