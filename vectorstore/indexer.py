"""Keep the store in step with the files: add new, replace changed, prune deleted.

Writes are ordered so that a crash never loses what was there: a document's new
chunks are written before its old ones are removed, and a document counts as
ingested only when every one of its chunks is present, so re-running an
interrupted ingestion finishes the job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ingest import IngestError, PreparedDocument, discover, prepare_all
from ingest.docnumbers import reference_keys
from settings import Settings
from vectorstore.embeddings import Embedder
from vectorstore.lexical import LexicalIndex
from vectorstore.store import ChromaStore

EMBED_BATCH = 32


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    chunks_written: int = 0


def chunk_metadata(document: PreparedDocument, chunk_index: int) -> dict[str, str | int]:
    """Chroma metadata of one chunk (no None values: Chroma refuses them)."""
    chunk = document.chunks[chunk_index]
    meta = document.meta
    return {
        "source": document.source,
        "doc_hash": document.doc_hash,
        "n_chunks": len(document.chunks),
        "chunk_index": chunk.index,
        "title": meta.title,
        "date": meta.date.isoformat() if meta.date else "",
        "date_ord": int(meta.date.strftime("%Y%m%d")) if meta.date else 0,
        "kind": meta.kind,
        "number": meta.number,
        "issuer": meta.issuer,
        "organisation": meta.organisation,
        "term": meta.term,
        "references": "; ".join(meta.references),
        "page": chunk.page or 0,
        "page_end": chunk.page_end or 0,
        "paragraph": chunk.paragraph,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
    }


def document_keys(number: str) -> set[str]:
    """Lookup keys of a document's own number ("" for a document without one)."""
    return reference_keys(number) if number else set()


class Indexer:
    def __init__(self, settings: Settings, store: ChromaStore, embedder: Embedder, lexical: LexicalIndex) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.lexical = lexical

    def sync(self, paths: Iterable[Path], prune: bool = False) -> IngestReport:
        report = IngestReport()
        pending: list[tuple[PreparedDocument, bool]] = []
        files = discover(paths)
        for result in prepare_all(files, self.settings.corpus_dir, self.settings.chunk_size, self.settings.chunk_overlap):
            if isinstance(result, IngestError):
                report.errors.append(result)
                continue
            state = self.store.source_state(result.source)
            if state == {result.doc_hash: len(result.chunks)}:
                report.unchanged.append(result.source)
                self.lexical.ensure(result.source, [(c.id, c.text) for c in result.chunks], document_keys(result.meta.number))
                continue
            pending.append((result, bool(state)))
        total = sum(len(document.chunks) for document, _ in pending)
        with tqdm(total=total, desc="Nhúng đoạn văn", unit="đoạn", disable=None if total else True) as progress:
            for document, existed in pending:
                self._write(document, progress)
                report.chunks_written += len(document.chunks)
                (report.replaced if existed else report.added).append(document.source)
        if prune:
            report.removed = self._prune()
        self.lexical.save()
        return report

    def restore_lexical(self) -> None:
        """Tokenise every stored chunk the lexical index lacks (deleted, or written by an older version).

        Everything needed is in the store, so no file is re-read and nothing is re-embedded."""
        by_source: dict[str, list[tuple[str, str]]] = defaultdict(list)
        numbers: dict[str, str] = {}
        for chunk_id, text, metadata in self.store.all_chunks():
            by_source[str(metadata["source"])].append((chunk_id, text))
            numbers[str(metadata["source"])] = str(metadata.get("number") or "")
        for source, chunks in by_source.items():
            self.lexical.ensure(source, chunks, document_keys(numbers[source]))
        stored = {chunk_id for chunks in by_source.values() for chunk_id, _ in chunks}
        self.lexical.remove_ids(set(self.lexical.entries) - stored)
        self.lexical.save()

    def _write(self, document: PreparedDocument, progress: tqdm) -> None:
        chunks = document.chunks
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            section_titles = [document.meta.title + (f" – {c.section}" if c.section and c.section != document.meta.title else "") for c in batch]
            embeddings = self.embedder.embed_documents(section_titles, [c.text for c in batch])
            self.store.upsert(
                [c.id for c in batch],
                [c.text for c in batch],
                embeddings,
                [chunk_metadata(document, start + offset) for offset in range(len(batch))],
            )
            progress.update(len(batch))
        stale = self.store.delete_stale(document.source, document.doc_hash)
        self.lexical.replace_source(document.source, [(c.id, c.text) for c in chunks], stale, document_keys(document.meta.number))

    def _prune(self) -> list[str]:
        removed = []
        for source in self.store.sources():
            path = Path(source) if Path(source).is_absolute() else self.settings.corpus_dir / source
            if not path.exists():
                self.lexical.remove_ids(self.store.delete_source(source))
                removed.append(source)
        return removed
