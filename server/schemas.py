"""Pydantic models of every request and response of the HTTP API (they make the OpenAPI schema)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    code: str = Field(examples=["empty_question"])
    message: str = Field(examples=["Câu hỏi rỗng."])


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Hit(BaseModel):
    id: str
    score: float
    text: str
    title: str
    source: str
    date: str | None
    page: int | None
    paragraph: int | None
    section: str
    kind: str
    number: str
    collection: str


class SearchRequest(BaseModel):
    query: str = Field(examples=["điều kiện kết nạp đảng viên"])
    k: int = Field(default=5, ge=1, description="Số đoạn (tối đa RAG_MAX_SEARCH_K, mặc định 50).")
    kind: str | None = Field(default=None, examples=["regulation"])
    after: date | None = None
    before: date | None = None
    source: str | None = Field(default=None, examples=["*.pdf"])
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    collection: str | None = Field(default=None, description="Chỉ tìm trong bộ tài liệu này.")


class TurnIn(BaseModel):
    question: str
    answer: str


class AskRequest(BaseModel):
    question: str = Field(examples=["Người vào Đảng phải đủ bao nhiêu tuổi?"])
    history: list[TurnIn] = Field(default_factory=list, description="Các lượt hỏi đáp trước, cho câu hỏi nối tiếp.")
    collection: str | None = Field(default=None, description="Chỉ trả lời từ bộ tài liệu này.")


class Citation(BaseModel):
    n: int
    id: str = Field(description="Id của đoạn văn trong kho.")
    doc_hash: str
    title: str
    source: str
    date: str | None
    page: int | None
    paragraph: int | None
    number: str = Field(description="Số hiệu văn bản, ví dụ 294-QĐ/TW.")
    quote: str = Field(description="Câu nguyên văn của đoạn được trích.")
    start: int
    end: int
    url: str = Field(description="Đường dẫn tải tệp gốc.")


class AskResponse(BaseModel):
    id: int | None = Field(description="Mã câu trả lời (dùng cho phản hồi 👍/👎).")
    answer: str
    refused: bool
    citations: list[Citation]
    flags: list[str]
    dropped_markers: list[int]
    repaired_markers: list[tuple[int, int]]
    standalone_question: str
    closest: list[Hit]
    backend: str
    seconds: float
    shape: str = Field("", description="Dạng câu trả lời: fact (một giá trị), rule (quy định), case (tình huống), list (liệt kê); rỗng khi từ chối.")


class Document(BaseModel):
    doc_hash: str
    source: str
    title: str
    number: str
    kind: str
    date: str | None
    issuer: str
    collection: str
    pages: int
    chunks: int
    url: str


class JobOut(BaseModel):
    id: int
    filename: str
    collection: str
    status: Literal["queued", "running", "done", "failed"]
    message: str
    source: str
    chunks: int
    url: str


class DraftRequest(BaseModel):
    topic: str = Field(examples=["chuyển đổi số và phát triển đảng viên"])
    kind: str = Field(default="dien-van-khai-mac", examples=["dien-van-khai-mac"])
    per_section: int = Field(default=2, ge=1, le=5)
    organisation: str = ""
    after: date | None = None
    before: date | None = None
    source: str | None = None


class DraftOut(BaseModel):
    id: int
    draft: dict


class FeedbackRequest(BaseModel):
    answer_id: int = Field(description="Mã câu trả lời (trường `id` của /ask).")
    helpful: bool
    reason: Literal["", "sai nội dung", "sai nguồn", "thiếu ý", "khác"] = ""
    comment: str = Field(default="", max_length=2000)


class FeedbackOut(BaseModel):
    id: int


class DeletedOut(BaseModel):
    deleted: str


# --- OpenAI-compatible ----------------------------------------------------------------------
class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list | None = None


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, top_p, … are accepted and ignored

    model: str = Field(default="all", description="'all' hoặc tên một bộ tài liệu (xem GET /v1/models).")
    messages: list[ChatMessage]
    stream: bool = False


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # encoding_format, user, … are accepted and ignored

    input: str | list[str] = Field(description="Văn bản (đã kèm lời nhắc của mô hình nếu cần) hoặc danh sách văn bản.")
    model: str = ""
