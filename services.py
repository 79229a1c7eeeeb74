"""The composition root: one function builds everything every front end uses.

CLI, web, HTTP API, bench and eval all call :func:`build_services`, then act for a
:class:`~access.Principal` through :meth:`Services.acting_as`. The principal's
access scope reaches the retriever here, once, so no front end threads a user
through its own call sites or does its own checking; every action is audited here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from access import LOCAL_ADMIN, AccessError, Accounts, AuditLog, Principal, connect, migrate, session_factory
from access.keys import ApiKeys
from access.ratelimit import RateLimiter, UsageLimiter
from chat import Answer, Assistant, Preview, Queued, Turn, make_backend
from chat.llm import ChatBackend, ExtractiveBackend
from chat.shared_answers import SharedAnswers
from drafting import Draft, Drafter
from drafting.export import to_docx, to_markdown
from library import JobQueue
from settings import Settings
from vectorstore import Embedder, Index, IngestReport, Scope, SearchFilters, SearchHit, drop_index, open_index
from vectorstore.indexer import Progress
from vectorstore.records import ChunkMeta
from vectorstore.search import Mode


@dataclass
class Services:
    settings: Settings
    index: Index
    backend: ChatBackend
    accounts: Accounts
    audit: AuditLog
    keys: ApiKeys
    rate_limiter: RateLimiter
    usage: UsageLimiter  # what one user may ask of the models per minute and at once
    answers: SharedAnswers  # the model's answers, shared by members whose prompts are identical
    backend_error: str = ""  # why the configured LLM could not be loaded ("" when it was)

    @cached_property
    def jobs(self) -> JobQueue:
        """Uploads ingested in the background, one at a time."""
        return JobQueue(self)

    def warm(self) -> None:
        """Have the model read the system prompt at start, not while the first member waits."""
        Assistant(self.settings, self.index, self.backend).warm()

    def acting_as(self, principal: Principal, channel: str, collection: str | None = None) -> Workspace:
        """What ``principal`` may do, through ``channel`` (cli, web, api): every search is scoped to them,
        and to ``collection`` alone when one is named (it must be one they may read)."""
        scope = self.accounts.scope_for(principal)
        if collection is not None:
            if not scope.admits(collection) or collection not in {c.name for c in self.accounts.list_collections()}:
                raise AccessError(f"Không có bộ tài liệu '{collection}' (hoặc bạn không được đọc bộ này).", 404, "unknown_collection")
            scope = Scope.only({collection})
        return Workspace(self, principal, channel, self.index.scoped(scope))


# The channels shared by the organisation's members; the CLI, bench, tests and upload jobs run on the server itself.
LIMITED_CHANNELS = ("web", "api")


def checked_text(text: str, limit: int, what: str = "Câu hỏi") -> str:
    """A text a member typed, stripped: not empty, not longer than ``limit``, and valid Unicode."""
    if not text or not text.strip():
        raise AccessError(f"{what} rỗng.", 422, "empty_question")
    if len(text) > limit:
        raise AccessError(f"{what} dài {len(text)} ký tự, vượt giới hạn {limit} ký tự.", 413, "question_too_long")
    return encodable(text, what).strip()


def encodable(text: str, what: str) -> str:
    """``text``, if it can be stored: a lone surrogate from a JSON escape would fail later, in the database, as a
    server error."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise AccessError(f"{what} chứa ký tự không hợp lệ (vị trí {error.start + 1}).", 422, "invalid_text") from error
    return text


class Admitted(Iterator):
    """A stream of events that holds the caller's place in the usage limiter until it ends, fails or is dropped."""

    def __init__(self, events: Iterator, release: Callable[[], None]) -> None:
        self.events = events
        self.release = release

    def __next__(self):
        try:
            return next(self.events)
        except BaseException:
            self.release()
            raise

    def close(self) -> None:
        self.release()
        close = getattr(self.events, "close", None)
        if close:
            close()

    def __del__(self) -> None:
        self.release()


@dataclass
class DocumentInfo:
    """A stored document as the library lists it."""

    meta: ChunkMeta  # of its first chunk: the document-level fields
    chunks: int
    pages: int


@dataclass
class Workspace:
    """One principal's view of the services; the only way front ends reach documents."""

    services: Services
    principal: Principal
    channel: str
    index: Index  # scoped: its searcher admits only the principal's collections

    @property
    def assistant(self) -> Assistant:
        return Assistant(self.services.settings, self.index, self.services.backend, self.services.answers)

    @property
    def drafter(self) -> Drafter:
        return Drafter(self.services.settings, self.index, self.services.backend)

    def _record(self, action: str, **fields) -> int:
        if self.principal.key:
            fields["key"] = self.principal.key
        return self.services.audit.record(self.principal.name, action, channel=self.channel, **fields)

    @property
    def limited(self) -> bool:
        """Whether the per-user limits apply: a member on a shared channel, not the local administrator."""
        return self.channel in LIMITED_CHANNELS and self.principal != LOCAL_ADMIN

    def _admit(self) -> Callable[[], None]:
        """One of the caller's places in front of the models (nothing to hold when unlimited)."""
        return self.services.usage.acquire(self.principal.name) if self.limited else lambda: None

    def _held(self) -> AbstractContextManager:
        """The same place, held for a call that returns at once."""
        return self.services.usage.admit(self.principal.name) if self.limited else nullcontext()

    def _checked_history(self, history: list[Turn] | None) -> list[Turn]:
        settings = self.services.settings
        turns = list(history or [])
        size = sum(len(turn.question) + len(turn.answer) for turn in turns)
        if len(turns) > settings.max_history_turns or size > settings.max_history_chars:
            raise AccessError(
                f"Lịch sử hội thoại gửi kèm quá dài ({len(turns)} lượt, {size} ký tự; giới hạn {settings.max_history_turns} lượt, "
                f"{settings.max_history_chars} ký tự).", 413, "history_too_long",
            )
        for turn in turns:
            encodable(turn.question + turn.answer, "Lịch sử hội thoại")
        return turns

    def embed(self, texts: list[str]) -> tuple[str, list[list[float]]]:
        """(model name, vectors) of texts as sent, for another installation embedding through this one; audited
        (how many texts, not their content: they are the caller's own)."""
        settings = self.services.settings
        if not texts or len(texts) > settings.max_embedding_inputs:
            raise AccessError(f"Cần từ 1 đến {settings.max_embedding_inputs} văn bản mỗi yêu cầu.", 413, "too_many_inputs")
        for text in texts:
            checked_text(text, settings.max_embedding_chars, "Văn bản cần nhúng")
        embedder = self.index.searcher.embedder
        with self._held():
            vectors = embedder.encode(texts)
        self._record("embed", count=len(texts))
        return embedder.name, vectors.tolist()

    # --- questions ------------------------------------------------------------------
    def stream(self, question: str, history: list[Turn] | None = None) -> Iterator[str | Preview | Queued | Answer]:
        """Text pieces, then the checked answer; the answer is audited and kept in the user's history. The input is
        checked and the caller's place taken before the first event, so a refusal is an error, not a broken stream."""
        question = checked_text(question, self.services.settings.max_question_chars)
        turns = self._checked_history(history)
        return Admitted(self._answer_events(question, turns), self._admit())

    def _answer_events(self, question: str, history: list[Turn]) -> Iterator[str | Preview | Queued | Answer]:
        for event in self.assistant.stream(question, history):
            if isinstance(event, Answer):
                self._record_answer(event)
            yield event

    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        *_, final = self.stream(question, history)
        assert isinstance(final, Answer)
        return final

    def _record_answer(self, answer: Answer) -> None:
        """Audit the answer (its id lets the asker give feedback on it) and keep it in their history."""
        citations = [citation.to_json() for citation in answer.citations]
        answer.audit_id = self._record(
            "ask",
            question=answer.question,
            answer=answer.answer,
            chunk_ids=[citation.id for citation in answer.citations],
            documents=[citation.source for citation in answer.citations],
            latency_ms=round(answer.seconds * 1000),
            refused=answer.refused,
            standalone=answer.standalone_question,
            backend=answer.backend,
        )
        self.services.audit.remember(self.principal, answer.question, answer.answer, citations)

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: Mode = "hybrid") -> list[SearchHit]:
        settings = self.services.settings
        query = checked_text(query, settings.max_question_chars, "Câu tìm kiếm")
        if k is not None and not 1 <= k <= settings.max_search_k:
            raise AccessError(f"Số đoạn phải từ 1 đến {settings.max_search_k}.", 422, "bad_k")
        started = time.perf_counter()
        with self._held():
            hits = self.index.searcher.search(query, k, filters, mode=mode)
        self._record(
            "search", question=query, chunk_ids=[hit.id for hit in hits], documents=[hit.meta.source for hit in hits],
            latency_ms=round((time.perf_counter() - started) * 1000),
        )
        return hits

    # --- drafting ---------------------------------------------------------------------
    def draft(self, topic: str, kind: str, per_section: int = 2, filters: SearchFilters | None = None, organisation: str = "") -> Draft:
        settings = self.services.settings
        topic = checked_text(topic, settings.max_question_chars, "Chủ đề")
        organisation = checked_text(organisation, settings.max_question_chars, "Tên tổ chức") if organisation.strip() else ""
        if not 1 <= per_section <= 5:
            raise AccessError("Số trích dẫn mỗi mục phải từ 1 đến 5.", 422, "bad_per_section")
        started = time.perf_counter()
        with self._held():
            draft = self.drafter.draft(topic, kind, per_section, filters, organisation)
        self._record_draft("draft", draft, started)
        return draft

    def more_excerpts(self, draft: Draft, section_index: int) -> Draft:
        started = time.perf_counter()
        with self._held():
            self.drafter.more(draft, section_index)
        self._record_draft("draft_more", draft, started)
        return draft

    def _record_draft(self, action: str, draft: Draft, started: float) -> None:
        excerpts = draft.excerpts()
        self._record(
            action, question=draft.topic, chunk_ids=[e.id for e in excerpts], documents=[e.source for e in excerpts],
            latency_ms=round((time.perf_counter() - started) * 1000), kind=draft.kind,
        )

    def export(self, draft: Draft, path: Path) -> Path:
        """Write the draft as .docx or .md (by suffix); exports are audited."""
        if path.suffix == ".docx":
            to_docx(draft, path)
        else:
            path.write_text(to_markdown(draft), encoding="utf-8")
        excerpts = draft.excerpts()
        self._record("export", question=draft.topic, chunk_ids=[e.id for e in excerpts], documents=[e.source for e in excerpts], format=path.suffix)
        return path

    # --- the library --------------------------------------------------------------------
    def ingest(
        self, paths: list[Path], collection: str | None = None, prune: bool = False, root: Path | None = None, on_progress: Progress | None = None
    ) -> IngestReport:
        """Ingest into a collection the principal manages; every document added, replaced, moved, embedded again
        or removed is audited (a refresh rewrites stored vectors, so an auditor sees who caused it)."""
        collection = collection or self.services.settings.default_collection
        self.services.accounts.collection(collection)
        if not self.services.accounts.may_manage(self.principal, collection):
            raise AccessError(f"Bạn không có quyền thêm tài liệu vào bộ '{collection}'.", 403)
        report = self.services.index.indexer.sync(
            paths, prune=prune, collection=collection, root=root, on_progress=on_progress, added_by=self.principal.name,
            reader=self.index.searcher.scope,  # a refused copy names its original only if they may read it
        )
        for source in (*report.added, *report.replaced, *report.moved):
            self._record("upload", documents=[source], collection=collection)
        for source in report.refreshed:
            self._record("refresh", documents=[source], collection=collection)
        for source in report.removed:
            self._record("delete", documents=[source], collection=collection)
        return report

    def documents(self) -> list[DocumentInfo]:
        """The documents the principal may read, one record each (from their chunks' metadata)."""
        documents = [DocumentInfo(meta, meta.n_chunks, meta.pages) for meta in self.index.searcher.documents()]
        return sorted(documents, key=lambda info: (info.meta.collection, info.meta.source))

    def document(self, doc_hash: str) -> DocumentInfo:
        """A document the principal may read; any other is 'not found', never 'forbidden'."""
        found = [info for info in self.documents() if info.meta.doc_hash == doc_hash]
        if not found:
            raise AccessError("Không tìm thấy tài liệu này.", 404, "not_found")
        return found[0]

    def document_file(self, doc_hash: str) -> Path:
        """The original file of a document the principal may read."""
        path = self.services.settings.source_path(self.document(doc_hash).meta.source)
        if not path.is_file():
            raise AccessError("Không tìm thấy tệp gốc của tài liệu này.", 404, "not_found")
        self._record("download", documents=[str(path.name)])
        return path

    def document_pages(self, doc_hash: str) -> list[tuple[str, str]]:
        """A readable document's text as stored, page by page ("trang 3", text), overlaps removed."""
        meta = self.document(doc_hash).meta
        chunks = sorted(
            ((ChunkMeta.from_chroma(raw), text) for _, text, raw in self.index.searcher.store.all_chunks({"doc_hash": meta.doc_hash})),
            key=lambda item: item[0].start,
        )
        pages: dict[str, str] = {}
        covered = 0
        for chunk, text in chunks:
            fresh = text[max(covered - chunk.start, 0):]  # chunks overlap; show each character once
            covered = max(covered, chunk.end)
            label = chunk.location if chunk.page else "toàn văn"
            pages[label] = (pages.get(label, "") + " " + fresh).strip()
        return list(pages.items())

    def move_document(self, doc_hash: str, collection: str) -> None:
        """Put a document in another collection; the principal must manage both."""
        meta = self.document(doc_hash).meta
        self.services.accounts.collection(collection)
        for name in (meta.collection, collection):
            if not self.services.accounts.may_manage(self.principal, name):
                raise AccessError(f"Bạn không có quyền quản lý bộ '{name}'.", 403)
        self.services.index.indexer.move(meta.source, collection)
        self._record("move", documents=[meta.source], collection=collection, previous=meta.collection)

    def reindex(self, doc_hash: str) -> IngestReport:
        """Read, chunk and embed a document again from its original file (after an OCR or parser upgrade)."""
        meta = self.document(doc_hash).meta
        if not self.services.accounts.may_manage(self.principal, meta.collection):
            raise AccessError(f"Bạn không có quyền quản lý bộ '{meta.collection}'.", 403)
        path = self.services.settings.source_path(meta.source)
        if not path.is_file():
            raise AccessError("Không tìm thấy tệp gốc để nạp lại.", 404, "not_found")
        root = self.services.settings.data_dir if meta.source.startswith(f"{self.services.settings.library_dir.name}/") else None
        self.services.index.indexer.remove(meta.source)
        return self.ingest([path], meta.collection, root=root)

    def delete_document(self, doc_hash: str) -> str:
        """Remove a document from Chroma, the BM25 index and the library folder; editors of its collection only."""
        meta = self.document(doc_hash).meta
        if not self.services.accounts.may_manage(self.principal, meta.collection):
            raise AccessError(f"Bạn không có quyền xoá tài liệu của bộ '{meta.collection}'.", 403)
        self.services.index.indexer.remove(meta.source)
        path = self.services.settings.source_path(meta.source)
        if path.is_file() and self.services.settings.library_dir in path.resolve().parents:
            path.unlink()  # an uploaded original goes too; files of corpus/ belong to the repository
        self._record("delete", documents=[meta.source], collection=meta.collection)
        return meta.source

    # --- drafts and feedback ----------------------------------------------------------------
    def save_draft(self, draft: Draft) -> int:
        return self.services.audit.save_draft(self.principal, draft.to_json())

    def stored_draft(self, draft_id: int) -> Draft:
        return Draft.from_json(self.services.audit.draft(self.principal, draft_id))

    def update_draft(self, draft_id: int, draft: Draft) -> None:
        self.services.audit.update_draft(self.principal, draft_id, draft.to_json())

    def feedback(self, answer_id: int, helpful: bool, reason: str = "", comment: str = "") -> int:
        """👍/👎 on one of the principal's own answers, kept with its audit row."""
        feedback_id = self.services.audit.add_feedback(self.principal, answer_id, helpful, reason, comment)
        self._record("feedback", answer_id=answer_id, helpful=helpful, reason=reason)
        return feedback_id


def open_accounts(settings: Settings) -> Accounts:
    """The accounts database, migrated, with the default collection: all that user and collection commands need."""
    engine = connect(settings.database)
    migrate(engine)
    sessions = session_factory(engine)
    accounts = Accounts(settings, sessions, AuditLog(sessions))
    accounts.ensure_collection(settings.default_collection, "public")
    return accounts


def drop_store(settings: Settings, user: str | None) -> None:
    """Empty the whole store (``ingest --rebuild``) as ``user`` (the local administrator without one): administrators
    only, audited. Done without :class:`Services`, which opens the index: a store built with another embedding model,
    the very case a rebuild is for, cannot be opened."""
    accounts = open_accounts(settings)
    principal = accounts.get(user) if user else LOCAL_ADMIN
    if not principal.is_admin:
        raise AccessError("Chỉ quản trị viên được xoá toàn bộ kho để nạp lại.", 403)
    drop_index(settings)
    accounts.audit.record(principal.name, "rebuild", channel="cli")


def build_services(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    index: Index | None = None,
    backend: ChatBackend | None = None,
    lenient: bool = False,
) -> Services:
    """Open the index, load the configured answer backend, open and migrate the accounts database.

    A model that fails to load raises, unless ``lenient`` (the web app, which then opens with
    extractive answers and says why)."""
    accounts = open_accounts(settings)
    audit = accounts.audit
    keys = ApiKeys(accounts.sessions, accounts)
    audit.purge(settings.audit_retention_days)
    index = index or open_index(settings, embedder)
    error = ""
    if backend is None:
        try:
            backend = make_backend(settings)
        except Exception as failure:
            if not lenient:
                raise
            backend, error = ExtractiveBackend(), str(failure)
    return Services(
        settings, index, backend, accounts, audit, keys, RateLimiter(settings.api_rate_per_minute),
        UsageLimiter(settings.user_rate_per_minute, settings.user_concurrency), SharedAnswers(settings.shared_answers), error,
    )
