"""From a file on disk to described, chunked text: the whole ingestion recipe.

Knows nothing of embeddings or stores; ``vectorstore`` takes it from here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest.chunking import Chunk, chunk_text, content_hash
from ingest.clauses import ClauseSpan, clause_at, heading_chain, parse_clauses
from ingest.debris import strip_debris
from ingest.errors import IngestError
from ingest.legacy import convert_legacy_encoding
from ingest.loaders import ReadLimits, load_file
from ingest.metadata import PROVISION_KINDS, DocumentMeta, describe
from ingest.normalize import clean_text
from ingest.relations import Relation, find_relations, in_force_from


@dataclass(frozen=True)
class PreparedDocument:
    source: str
    path: Path
    meta: DocumentMeta
    doc_hash: str
    text: str
    chunks: list[Chunk]
    pages: int
    ocr_pages: frozenset[int] = frozenset()  # pages whose text was read by OCR from a scan
    clauses: tuple[ClauseSpan, ...] = ()  # numbered provisions of a regulation or guidance (none for news)
    relations: tuple[Relation, ...] = ()  # what it replaces, repeals, amends or implements, in its own words
    in_force: date | None = None  # when it takes effect, as it says

    def chunk_clauses(self, chunk: Chunk) -> tuple[str, str]:
        """(the clause the chunk starts in, "offset:label;…" of the clauses that start inside it)."""
        at_start = clause_at(list(self.clauses), chunk.start)
        inside = ";".join(f"{span.start - chunk.start}:{span.label}" for span in self.clauses if chunk.start < span.start < chunk.end)
        return (at_start.label if at_start else ""), inside

    def embedding_title(self, chunk: Chunk) -> str:
        """The title the chunk is embedded under: the document's, then the headings of the provision the chunk
        starts in ("4. Điều 4 … – 4.2. …"), else its section. A passage deep in a long regulation rarely says
        which article it belongs to; the heading chain does, and questions name the article's subject."""
        spans = list(self.clauses)
        span = clause_at(spans, chunk.start)
        if span:
            parts = [*heading_chain(spans, span), span.heading]
        else:
            parts = [chunk.section] if chunk.section and chunk.section != self.meta.title else []
        return " – ".join([self.meta.title, *parts])

    def embedded_as(self, chunk: Chunk) -> str:
        """A fingerprint of what the chunk's vector is computed from. The document's hash says its text is the
        same, but a newer ingester may read other headings in it, and the vector stored under the old title is
        then stale: a changed fingerprint says so without embedding anything."""
        return hashlib.sha256(f"{self.embedding_title(chunk)}\n{chunk.text}".encode()).hexdigest()[:16]

    def chunk_is_ocr(self, chunk: Chunk) -> bool:
        """Whether any page the chunk spans was OCRed (its text may hold recognition errors)."""
        first = chunk.page or 0
        return any(page in self.ocr_pages for page in range(first, (chunk.page_end or first) + 1))


def source_name(path: Path, corpus_dir: Path) -> str:
    """A document's identity in the store: its path under the corpus, else absolute."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files named, and every non-hidden file under folders named, sorted.

    A README in a folder describes the documents beside it (their sources and checksums), so it is not one."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                child
                for child in path.rglob("*")
                if child.is_file()
                and not child.name.upper().startswith("README")
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
            )
        else:
            found.add(path)
    return sorted(found)


def prepare(path: Path, corpus_dir: Path, chunk_size: int, chunk_overlap: int, limits: ReadLimits | None = None) -> PreparedDocument:
    """Load (within ``limits``), clean, describe and chunk one file; raises IngestError on bad input."""
    loaded = load_file(path, limits)
    parts: list[str] = []
    page_starts: list[tuple[int, int | None]] = []
    offset = 0
    for page in loaded.pages:
        text = strip_debris(clean_text(convert_legacy_encoding(page.text)))
        if not text:
            continue
        page_starts.append((offset, page.number))
        parts.append(text)
        offset += len(text) + 2
    text = "\n\n".join(parts)
    if not text.strip():
        raise IngestError(path, "không còn nội dung sau khi làm sạch (nothing left after cleaning)")
    doc_hash = content_hash(text, chunk_size, chunk_overlap)
    meta = describe(text, loaded.title_hint, fallback_title=path.stem)
    chunks = chunk_text(text, page_starts, doc_hash, chunk_size, chunk_overlap)
    return PreparedDocument(
        source=source_name(path, corpus_dir),
        path=path,
        meta=meta,
        doc_hash=doc_hash,
        text=text,
        chunks=chunks,
        pages=len(loaded.pages) if loaded.pages[0].number is not None else 0,
        ocr_pages=frozenset(page.number for page in loaded.pages if page.ocr and page.number is not None),
        # Only numbered documents (a regulation's "294-QĐ/TW") have provisions; a news list "1." is not one.
        clauses=tuple(parse_clauses(text)) if meta.number or meta.kind in PROVISION_KINDS else (),
        relations=tuple(find_relations(text, meta.number)),
        in_force=in_force_from(text, meta.date),
    )


def prepare_all(
    paths: Iterable[Path], corpus_dir: Path, chunk_size: int, chunk_overlap: int, limits: ReadLimits | None = None
) -> Iterator[PreparedDocument | IngestError]:
    """Each file's prepared document, or its error: one bad file never stops the rest."""
    for path in paths:
        try:
            yield prepare(path, corpus_dir, chunk_size, chunk_overlap, limits)
        except IngestError as error:
            yield error
