"""Keep the store in step with the files: add new, replace changed, prune deleted.

Writes are ordered so that a crash never loses what was there: a document's new
chunks are written together, once all of them are embedded, before its old ones
are removed, and a document counts as ingested only when every one of its chunks
is present, so re-running an interrupted ingestion finishes the job. Embedding runs on its own thread while this
one reads the next files and writes the documents already embedded: a whole ingestion takes about as long as its
embedding alone (reading and writing were ~12 % more, one after the other).
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from threading import Lock, RLock

import numpy as np
from tqdm import tqdm

from ingest import IngestError, PreparedDocument, discover, prepare_all
from ingest.chunking import Chunk
from ingest.docnumbers import reference_keys
from ingest.loaders import ReadLimits
from settings import Settings
from vectorstore.background import BackgroundStage
from vectorstore.catalogue import Catalogue
from vectorstore.embeddings import Embedder
from vectorstore.lexical import LexicalIndex, Passage
from vectorstore.records import ChunkMeta
from vectorstore.scope import Scope
from vectorstore.store import ChromaStore

# Chunks per call to the embedder, across documents: the model batches a call by length, so the short chunks of
# many small documents and the long ones of a report are not padded to each other a few at a time (+8 % chunks/s on
# the corpus against calls of 32 within one document). Also how often ingestion reports progress.
EMBED_WINDOW = 128


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # unchanged documents put in another collection
    refreshed: list[str] = field(default_factory=list)  # the same text embedded again: a newer ingester reads it otherwise
    errors: list[IngestError] = field(default_factory=list)
    chunks_written: int = 0
    files: list[FileResult] = field(default_factory=list)  # one row per file, in order, for reports


@dataclass
class FileResult:
    """What happened to one file: the per-file report of the CLI, the library and the API."""

    file: str
    status: str  # added, replaced, refreshed, unchanged, failed
    source: str = ""
    chunks: int = 0
    pages: int = 0
    ocr_pages: list[int] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict:
        return asdict(self)


Progress = Callable[[str, float], None]  # (stage: "reading" | "embedding", fraction done)


@dataclass
class IngestRun:
    """What one :meth:`Indexer.sync` call knows while it goes: where, by whom and when documents are added, what they
    may read, the report it fills, and the content of the documents it is embedding (a second file with the same text
    is a duplicate even though the first is not stored yet)."""

    collection: str
    added_by: str
    added_at: str
    report: IngestReport
    reader: Scope = field(default_factory=Scope.everything)  # the collections whoever adds the files may read
    embedding_now: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # content hash -> sources


@dataclass
class Pending:
    """A document to embed and write, with who added it and when (kept from the store when refreshed)."""

    document: PreparedDocument
    row: FileResult
    added_by: str
    added_at: str


class EmbeddingProgress:
    """The terminal's progress bar and the caller's ``embedding`` fraction, over the chunks known so far: documents
    are still being read while the first are embedded. No bar when nothing is embedded (an unchanged library)."""

    def __init__(self, notify: Progress) -> None:
        self.notify = notify
        self.bar: tqdm | None = None
        self.lock = Lock()  # the embedding thread advances it while the reading thread adds to it

    def __enter__(self) -> EmbeddingProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def expecting(self, pending: Pending) -> Pending:
        """Counts ``pending``'s chunks in and hands it on."""
        with self.lock:
            if self.bar is None:
                self.bar = tqdm(total=0, desc="Nhúng đoạn văn", unit="đoạn", disable=None)
            self.bar.total += len(pending.document.chunks)
            self.bar.refresh()
        return pending

    def advance(self, count: int) -> None:
        with self.lock:
            assert self.bar is not None  # chunks are embedded only once expected
            self.bar.update(count)
            done = self.bar.n / self.bar.total
        self.notify("embedding", done)


def chunk_metadata(document: PreparedDocument, chunk_index: int, collection: str, added_by: str = "", added_at: str = "") -> ChunkMeta:
    chunk = document.chunks[chunk_index]
    meta = document.meta
    clause, clauses = document.chunk_clauses(chunk)
    return ChunkMeta(
        source=document.source,
        collection=collection,
        doc_hash=document.doc_hash,
        n_chunks=len(document.chunks),
        pages=document.pages,
        chunk_index=chunk.index,
        title=meta.title,
        date=meta.date.isoformat() if meta.date else "",
        kind=meta.kind,
        number=meta.number,
        issuer=meta.issuer,
        organisation=meta.organisation,
        term=meta.term,
        references="; ".join(meta.references),
        page=chunk.page or 0,
        page_end=chunk.page_end or 0,
        paragraph=chunk.paragraph,
        section=chunk.section,
        start=chunk.start,
        end=chunk.end,
        ocr=document.chunk_is_ocr(chunk),
        added_by=added_by,
        added_at=added_at,
        relations=";".join(relation.encode() for relation in document.relations),
        in_force=document.in_force.isoformat() if document.in_force else "",
        clause=clause,
        clauses=clauses,
        embedded_as=document.embedded_as(chunk),
    )


def document_metadata(document: PreparedDocument, collection: str, added_by: str = "", added_at: str = "") -> list[ChunkMeta]:
    """Every chunk's metadata, in order: what Chroma stores, the lexical index's clause keys and the catalogue entry
    all come from this one list."""
    return [chunk_metadata(document, position, collection, added_by, added_at) for position in range(len(document.chunks))]


def vectors_current(metadata: Sequence[ChunkMeta], stored: Sequence[dict]) -> bool:
    """Whether every stored vector was computed from what this ingester would embed. A chunk stored before
    fingerprints were kept is taken as current when everything else this ingester reads from it is unchanged
    (its title and headings then are too), so an upgrade re-embeds only documents it reads otherwise."""
    for meta, old in zip(metadata, stored, strict=True):
        fingerprint = old.get("embedded_as")
        if fingerprint != meta.embedded_as and (fingerprint or {**old, "embedded_as": meta.embedded_as} != meta.to_chroma()):
            return False
    return True


def passages(document: PreparedDocument, metadata: Sequence[ChunkMeta]) -> list[Passage]:
    """The document's chunks as the lexical index takes them, with the provisions each holds part of."""
    return [Passage(chunk.id, chunk.text, meta.clause_labels()) for chunk, meta in zip(document.chunks, metadata, strict=True)]


def document_keys(number: str) -> set[str]:
    """Lookup keys of a document's own number ("" for a document without one)."""
    return reference_keys(number) if number else set()


class Indexer:
    def __init__(
        self, settings: Settings, store: ChromaStore, embedder: Embedder, lexical: LexicalIndex, catalogue: Catalogue, lock: RLock
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.catalogue = catalogue
        self.lock = lock  # shared with the searcher: the lexical index and the catalogue never change under a search

    def sync(
        self, paths: Iterable[Path], prune: bool = False, collection: str | None = None, root: Path | None = None,
        on_progress: Progress | None = None, added_by: str = "", reader: Scope | None = None,
    ) -> IngestReport:
        """Bring the named files into ``collection`` (default: the settings' default collection).

        Sources are named relative to ``root`` (default: the corpus folder). Searches go on
        meanwhile: the index lock is held only while the lexical index changes, not while embedding.
        ``reader`` is the access scope of whoever adds the files (default: everything, an administrator):
        a file refused as a copy names the document it copies only if that scope admits it."""
        collection = collection or self.settings.default_collection
        notify = on_progress or (lambda _stage, _fraction: None)
        run = IngestRun(collection, added_by, datetime.now(UTC).isoformat(timespec="seconds"), IngestReport(), reader or Scope.everything())
        if prune:  # first, so that a renamed file is not taken for a duplicate of its old name
            with self.lock:
                run.report.removed = self._prune(collection)
        files = discover(paths)
        limits = ReadLimits(self.settings.max_pdf_pages, self.settings.max_ocr_pages)
        prepared = prepare_all(files, root or self.settings.corpus_dir, self.settings.chunk_size, self.settings.chunk_overlap, limits)
        progress = EmbeddingProgress(notify)
        with progress, BackgroundStage(partial(self._embedded, embedded=progress.advance), "embedding") as embedding:
            for number, (path, result) in enumerate(zip(files, prepared, strict=True), start=1):
                notify("reading", number / len(files))
                for written, vectors in embedding.ready():  # documents embedded while this one was read
                    self._write_pending(written, vectors, run)
                if (pending := self._admitted(path, result, run)) is not None:
                    run.embedding_now[pending.document.doc_hash].add(pending.document.source)
                    embedding.put(progress.expecting(pending))
            for written, vectors in embedding.rest():
                self._write_pending(written, vectors, run)
        with self.lock:
            self.lexical.save()
            self.catalogue.save(self.store)
        return run.report

    def _admitted(self, path: Path, result: PreparedDocument | IngestError, run: IngestRun) -> Pending | None:
        """The document to embed from a file just read, or None when the file failed, holds a copy of another
        document, or is stored as it reads (then its metadata, collection and lexical entry are brought up to date
        here, without embedding). Each file gets its row in the run's report."""
        report, collection = run.report, run.collection
        if isinstance(result, IngestError):
            report.errors.append(result)
            report.files.append(FileResult(str(path), "failed", error=result.cause))
            return None
        row = FileResult(str(path), "", result.source, len(result.chunks), result.pages, sorted(result.ocr_pages))
        report.files.append(row)
        stored = self.store.source_metadata(result.source)
        if (duplicate := self._duplicate(result, run)) is not None:  # the same document under another name: one copy in the library, not two
            error = IngestError(path, duplicate)
            report.errors.append(error)
            row.status, row.error = "failed", error.cause
            return None
        if Counter(str(metadata["doc_hash"]) for metadata in stored.values()) != {result.doc_hash: len(result.chunks)}:
            row.status = "replaced" if stored else "added"
            return Pending(result, row, run.added_by, run.added_at)
        # The same text, as stored: who added it, when and to which collection stay.
        first = next(iter(stored.values()))
        kept = (first.get("collection") or collection, first.get("added_by", ""), first.get("added_at", ""))
        metadata = document_metadata(result, *kept)
        moving = kept[0] != collection
        if moving:
            report.moved.append(result.source)
        if not vectors_current(metadata, [stored.get(chunk.id, {}) for chunk in result.chunks]):
            row.status = "refreshed"
            return Pending(result, row, kept[1], kept[2])
        row.status = "unchanged"
        report.unchanged.append(result.source)
        self._refresh_metadata(result, metadata, stored)
        if moving:
            self.move(result.source, collection)
        with self.lock:
            self.lexical.ensure(result.source, passages(result, metadata), document_keys(result.meta.number))
        return None

    def _duplicate(self, document: PreparedDocument, run: IngestRun) -> str | None:
        """Why ``document`` is refused as a copy of one stored, or being stored by this run, under another name (None
        when it is no copy). The copy is named only if ``run.reader`` may read it: an editor without a grant who uploads
        a copy of a restricted document learns that the library holds that text, never where."""
        being_stored = run.embedding_now[document.doc_hash]
        twins = (self.store.sources_with_hash(document.doc_hash) | being_stored) - {document.source}
        if not twins:
            return None
        collections = dict.fromkeys(being_stored, run.collection)
        with self.lock:  # the catalogue changes under it
            collections |= {meta.source: meta.collection for meta in self.catalogue.documents(lambda meta: meta.source in twins)}
        readable = sorted(twin for twin in twins if run.reader.admits(collections.get(twin, "")))
        if readable:
            return f"trùng nội dung với tài liệu đã có trong thư viện: {readable[0]} (duplicate)"
        return "trùng nội dung với một tài liệu đã có trong thư viện (duplicate)"

    def _refresh_metadata(self, document: PreparedDocument, metadata: list[ChunkMeta], stored: dict[str, dict]) -> None:
        """Chunks stored by an older ingester (no clause labels, fewer relations, other headings) get what this
        one reads from the same text, in the store, the lexical index and the catalogue, without re-embedding."""
        if all(meta.to_chroma() == stored.get(chunk.id) for chunk, meta in zip(document.chunks, metadata, strict=True)):
            return
        with self.catalogue.changing():
            self.store.update_metadata([chunk.id for chunk in document.chunks], [meta.to_chroma() for meta in metadata])
            with self.lock:
                self.lexical.replace_source(document.source, passages(document, metadata), [], document_keys(document.meta.number))
                self.catalogue.put(metadata[0])

    def remove(self, source: str) -> list[str]:
        """Delete a document's chunks from the store and the lexical index; returns their ids."""
        with self.lock:
            with self.catalogue.changing():
                removed = self.store.delete_source(source)
                self.lexical.remove_ids(removed)
                self.catalogue.drop(source)
            self.lexical.save()
            self.catalogue.save(self.store)
        return removed

    def move(self, source: str, collection: str) -> int:
        """Put a document in another access collection (no re-embedding); returns how many chunks moved."""
        with self.lock:
            with self.catalogue.changing():
                moved = self.store.move_source(source, collection)
                self.catalogue.move(source, collection)
            self.catalogue.save(self.store)
        return moved

    def adopt_unassigned(self) -> int:
        """Put chunks written before collections existed into the default collection (no re-embedding).

        Once per store: finding them reads every chunk's metadata, which took 189 s of each start-up at 1M chunks,
        and every chunk written since carries its collection."""
        if self.store.all_assigned:
            return 0
        moved = sum(self.move(source, self.settings.default_collection) for source in self.store.unassigned_sources())
        self.store.mark_all_assigned()
        return moved

    def restore_lexical(self) -> None:
        """Tokenise every stored chunk the lexical index lacks (deleted, written by an older version, or by a tool
        writing to the store directly), and read the catalogue afresh from the same chunks.

        Everything needed is in the store, so no file is re-read and nothing is re-embedded."""
        by_source: dict[str, list[Passage]] = defaultdict(list)
        numbers: dict[str, str] = {}
        firsts: dict[str, ChunkMeta] = {}
        for chunk_id, text, metadata in self.store.all_chunks():
            meta = ChunkMeta.from_chroma(metadata)
            by_source[meta.source].append(Passage(chunk_id, text, meta.clause_labels()))
            numbers[meta.source] = meta.number
            if meta.chunk_index == 0:
                firsts[meta.source] = meta
        with self.lock:
            for source, chunks in by_source.items():
                self.lexical.ensure(source, chunks, document_keys(numbers[source]))
            stored = {passage.id for chunks in by_source.values() for passage in chunks}
            self.lexical.remove_ids(self.lexical.chunk_ids() - stored)
            self.catalogue.reset(firsts.values())
            self.lexical.save()
            self.catalogue.save(self.store)

    def _embedded(self, pending: Iterable[Pending], embedded: Callable[[int], None]) -> Iterator[tuple[Pending, np.ndarray]]:
        """Each document with its chunk vectors, in order, as soon as its last chunk is embedded; ``embedded`` hears
        how many chunks each window held. Windows span documents, so the model batches the short chunks of many
        small documents together; a window waits for documents still being read, not for the end of the reading."""
        documents = iter(pending)
        waiting: deque[Pending] = deque()  # documents with chunks not yet all embedded, in order
        queued: list[tuple[PreparedDocument, Chunk]] = []  # their chunks not yet embedded
        ready = np.empty((0, self.embedder.dimension), dtype=np.float32)
        more = True
        while queued or more:
            while more and len(queued) < EMBED_WINDOW:
                if (item := next(documents, None)) is None:
                    more = False
                else:
                    waiting.append(item)
                    queued += [(item.document, chunk) for chunk in item.document.chunks]
            window, queued = queued[:EMBED_WINDOW], queued[EMBED_WINDOW:]
            if window:
                vectors = self.embedder.embed_documents([d.embedding_title(c) for d, c in window], [c.text for _, c in window])
                ready = np.concatenate([ready, np.asarray(vectors, dtype=np.float32)])
                embedded(len(window))
            while waiting and len(ready) >= len(waiting[0].document.chunks):
                size = len(waiting[0].document.chunks)
                yield waiting.popleft(), ready[:size]
                ready = ready[size:]

    def _write_pending(self, pending: Pending, vectors: np.ndarray, run: IngestRun) -> None:
        document, report = pending.document, run.report
        self._write(document, vectors, run.collection, pending.added_by, pending.added_at)
        report.chunks_written += len(document.chunks)
        {"added": report.added, "replaced": report.replaced, "refreshed": report.refreshed}[pending.row.status].append(document.source)

    def _write(self, document: PreparedDocument, vectors: np.ndarray, collection: str, added_by: str, added_at: str) -> None:
        chunks = document.chunks
        metadata = document_metadata(document, collection, added_by, added_at)
        with self.catalogue.changing():
            self.store.upsert([c.id for c in chunks], [c.text for c in chunks], vectors, [meta.to_chroma() for meta in metadata])
            with self.lock:
                stale = self.store.delete_stale(document.source, document.doc_hash)
                self.lexical.replace_source(document.source, passages(document, metadata), stale, document_keys(document.meta.number))
                self.catalogue.put(metadata[0])

    def _prune(self, collection: str) -> list[str]:
        """Remove the documents of ``collection`` whose files are gone (other collections are not touched)."""
        removed = []
        for meta in self.catalogue.documents(lambda meta: meta.collection == collection):
            if not self.settings.source_path(meta.source).exists():
                with self.catalogue.changing():
                    self.lexical.remove_ids(self.store.delete_source(meta.source))
                    self.catalogue.drop(meta.source)
                removed.append(meta.source)
        return removed
