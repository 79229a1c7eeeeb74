"""REST under /api/v1: search, ask, documents, jobs, drafts, feedback — each thin over a Workspace.

Every route resolves its caller with the one authentication dependency and acts through
``services.acting_as``, so answers, citations, access rules and audit are the same as in
the web chat and the CLI.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from access import AccessError, Principal
from chat import Answer, Turn
from server import schemas
from server.auth import Caller
from services import DocumentInfo, Services, Workspace
from vectorstore import SearchFilters

ERRORS = {status: {"model": schemas.ErrorResponse} for status in (401, 403, 404, 413, 415, 422, 429)}


def document_url(doc_hash: str) -> str:
    return f"/api/v1/documents/{doc_hash}/file"


def answer_json(answer: Answer) -> dict:
    """The CLI's ``ask --json`` object, each citation with the link to its document."""
    data = answer.to_json()
    for citation in data["citations"]:
        citation["url"] = document_url(citation["doc_hash"])
    return data


def document_json(info: DocumentInfo) -> dict:
    meta = info.meta
    return {
        "doc_hash": meta.doc_hash, "source": meta.source, "title": meta.title, "number": meta.number, "kind": meta.kind,
        "date": meta.date or None, "issuer": meta.issuer, "collection": meta.collection, "pages": info.pages,
        "chunks": info.chunks, "url": document_url(meta.doc_hash),
    }


def job_json(job) -> dict:
    return {"id": job.id, "filename": job.filename, "collection": job.collection, "status": job.status, "message": job.message,
            "source": job.source, "chunks": job.chunks, "url": f"/api/v1/jobs/{job.id}"}


def build_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=ERRORS)

    def workspace(principal: Principal, collection: str | None = None) -> Workspace:
        return services.acting_as(principal, "api", collection)

    @router.post("/search", response_model=list[schemas.Hit], summary="Tìm đoạn văn (lai: ngữ nghĩa + BM25)")
    def search(body: schemas.SearchRequest, principal: Caller) -> list[dict]:
        filters = SearchFilters(body.kind, body.after, body.before, body.source)
        return [hit.to_json() for hit in workspace(principal, body.collection).search(body.query, body.k, filters, mode=body.mode)]

    @router.post("/ask", response_model=schemas.AskResponse, summary="Hỏi; câu trả lời kèm trích dẫn đã kiểm tra")
    def ask(body: schemas.AskRequest, principal: Caller) -> dict:
        history = [Turn(turn.question, turn.answer) for turn in body.history]
        return answer_json(workspace(principal, body.collection).ask(body.question, history))

    @router.get("/documents", response_model=list[schemas.Document], summary="Các tài liệu bạn được đọc")
    def documents(principal: Caller) -> list[dict]:
        return [document_json(info) for info in workspace(principal).documents()]

    @router.post("/documents", response_model=list[schemas.JobOut], status_code=202,
                 summary="Tải lên một hay nhiều tệp vào một bộ tài liệu; mỗi tệp thành một công việc nạp")
    async def upload(principal: Caller, collection: Annotated[str, Form()], files: Annotated[list[UploadFile], File()]) -> list[dict]:
        jobs = []
        for upload in files:
            data = await upload.read()
            job_id = services.jobs.submit(principal, collection, upload.filename or "tai-lieu", data)
            jobs.append(job_json(services.jobs.job(principal, job_id)))
        return jobs

    @router.get("/jobs/{job_id}", response_model=schemas.JobOut, summary="Trạng thái một công việc nạp")
    def job(job_id: int, principal: Caller) -> dict:
        return job_json(services.jobs.job(principal, job_id))

    @router.get("/jobs", response_model=list[schemas.JobOut], summary="Các công việc nạp của bạn")
    def jobs(principal: Caller) -> list[dict]:
        return [job_json(job) for job in services.jobs.jobs(principal)]

    @router.delete("/documents/{doc_hash}", response_model=schemas.DeletedOut, summary="Xoá tài liệu (khỏi Chroma, BM25 và đĩa)")
    def delete_document(doc_hash: str, principal: Caller) -> dict:
        return {"deleted": workspace(principal).delete_document(doc_hash)}

    @router.get("/documents/{doc_hash}/file", response_class=FileResponse, summary="Tải tệp gốc")
    def document_file(doc_hash: str, principal: Caller) -> FileResponse:
        path = workspace(principal).document_file(doc_hash)
        return FileResponse(path, filename=path.name)

    @router.post("/drafts", response_model=schemas.DraftOut, summary="Soạn dàn ý bài phát biểu từ trích dẫn nguyên văn")
    def create_draft(body: schemas.DraftRequest, principal: Caller) -> dict:
        current = workspace(principal)
        if body.kind not in current.drafter.kinds.kinds:
            raise AccessError(f"Không có loại bài '{body.kind}'.", 422, "unknown_kind")
        draft = current.draft(body.topic, body.kind, body.per_section, SearchFilters(after=body.after, before=body.before, source=body.source),
                              body.organisation)
        return {"id": current.save_draft(draft), "draft": draft.to_json()}

    @router.get("/drafts/{draft_id}/export", response_class=FileResponse, summary="Xuất dàn ý ra .docx hoặc .md")
    def export_draft(draft_id: int, principal: Caller, format: str = "docx") -> FileResponse:
        if format not in ("docx", "md"):
            raise AccessError("Định dạng xuất phải là docx hoặc md.", 422, "unknown_format")
        current = workspace(principal)
        path = current.export(current.stored_draft(draft_id), Path(tempfile.mkdtemp(prefix="ban-thao-")) / f"ban-thao.{format}")
        # The file is the caller's alone: gone from the disk once sent.
        return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))

    @router.post("/feedback", response_model=schemas.FeedbackOut, summary="👍/👎 cho một câu trả lời của bạn")
    def feedback(body: schemas.FeedbackRequest, principal: Caller) -> dict:
        return {"id": workspace(principal).feedback(body.answer_id, body.helpful, body.reason, body.comment)}

    return router
