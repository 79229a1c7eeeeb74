"""Scale benchmark: search, the BM25 index and ingestion with 10k, 100k or 1M chunks in the store.

The shipped corpus has a few hundred chunks, far too few to show how the design behaves
when a province's archive is loaded, so the store is filled with variations of the real chunks:

* every real chunk is stored once, with its real metadata and its vector from the real model;
* the rest are copies: synthetic documents ("synthetic/doc-000123.txt"), each a real document
  whose chunks have their sentences rotated, one sentence dropped (chunks of three or more) and
  a numbered line appended, so term frequencies and lengths vary instead of every copy scoring
  the same; their metadata is the real record with the synthetic source, a hash of its own, an
  earlier date and no document number (only the real document answers to "QĐ 294"); one copy in
  RESTRICTED_EVERY is in a restricted collection, so a member's search (scoped to the default
  collection) filters a tenth of the store out, as a committee's internal documents would be;
* a copy's vector is NOT embedded: it is its real chunk's vector plus small seeded gaussian noise,
  re-normalised (each row says ``"vectors": "real sample + perturbed copies"``). Dense search thus
  works over realistic clusters, which is what latency needs; quality numbers mean nothing here;
* a copy's BM25 tokens are its real sentences' tokens put together (pyvi runs once per real
  sentence, not once per copy: a million copies would take hours), which is what tokenising the
  copy yields up to pyvi's context at sentence boundaries.

Each size grows the same store (10k, then 90k more for 100k) in a scratch folder, embedded Chroma
or a ``chroma run`` server, and measures fill time, disk, BM25 load time and memory, search
latency through :func:`vectorstore.open_index` (unscoped, as a member sees it, and for questions naming
a clause), listing the documents, and the ingestion of one new real document.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TypeVar

import numpy as np
from tqdm import tqdm

from evaluation.app_memory import status_mib
from evaluation.bench import _asked, _percentile, json_from_module
from evaluation.questions import load_questions
from ingest import PreparedDocument, discover, prepare
from ingest.docnumbers import reference_keys
from server.local import free_port, wait_for_http
from settings import PROJECT_ROOT, Settings
from vectorstore import Embedder, Index, LexicalIndex, Scope, make_embedder, open_index
from vectorstore.indexer import chunk_metadata, document_keys
from vectorstore.lexical import Entry, Passage
from vectorstore.records import ChunkMeta
from vectorstore.store import ChromaStore
from vectorstore.tokenize import accented_tokens, fold

Row = dict[str, float | int | str]
T = TypeVar("T")

DEV_QUESTIONS = PROJECT_ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
VECTORS = "real sample + perturbed copies"
NOISE = 0.01  # per dimension: a copy keeps a cosine of about 0.96 to its real chunk
SEED = 20250601
BATCH = 1000  # copies made and written at a time (ChromaStore.upsert pages what Chroma refuses in one write)
COPY_LINE = "Bản tổng hợp số"
RESTRICTED, RESTRICTED_EVERY = "noi-bo-quy-mo", 10
APP_MEMBERS = 4  # asking at the same moment while the app's memory is measured: the model writes 4 answers at once
APP_DOCUMENT_CHUNKS = 175  # the long document ingested then (a 175-chunk document grew an int8 app by 1.4 GiB before)
# Questions naming a provision: with the document's number (only the real one has it), and without one
# (every copy of the regulation holds the provision).
CLAUSE_QUESTIONS = (
    "Điểm 20.2.1 Quy định 294 quy định gì?",
    "Tiết a điểm 3.2.1 Hướng dẫn 06 nói gì về chi bộ?",
    "Khoản 2 Điều 5 Quy định 294 quy định thế nào?",
    "Điểm 4.3 quy định những gì về đảng viên?",
)
# A paragraph no real document holds, so the new document's chunk can be found among a million copies.
NEW_PARAGRAPH = "Chi bộ Kiểm định Tải lớn họp phiên thứ {size} tại hội trường Thử nghiệm Quy mô."
NEW_QUESTION = "Chi bộ Kiểm định Tải lớn họp phiên thứ mấy tại hội trường Thử nghiệm Quy mô?"
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+|\n+")
MIB = 1024 * 1024


@dataclass(frozen=True)
class RealChunk:
    """One real chunk and what its copies are made of."""

    id: str
    text: str
    meta: ChunkMeta
    vector: np.ndarray
    sentences: tuple[str, ...]
    accented: tuple[tuple[str, ...], ...]  # tokens of each sentence
    folded: tuple[tuple[str, ...], ...]
    refs: tuple[str, ...]  # number keys the text cites (a copy has no number of its own)


@dataclass(frozen=True)
class RealDocument:
    source: str
    keys: frozenset[str]  # lookup keys of its own number
    chunks: tuple[RealChunk, ...]


@dataclass(frozen=True)
class RealCorpus:
    documents: tuple[RealDocument, ...]
    new_document_text: str  # the smallest real document: a new document is it plus a unique paragraph

    @property
    def chunk_count(self) -> int:
        return sum(len(document.chunks) for document in self.documents)


@dataclass(frozen=True)
class Copy:
    """One synthetic chunk, ready for Chroma and for the lexical index."""

    id: str
    text: str
    vector: np.ndarray
    metadata: dict[str, str | int]
    entry: Entry


# --- the real sample ---------------------------------------------------------------------------

def _real_chunks(document: PreparedDocument, collection: str, vectors: np.ndarray) -> tuple[RealChunk, ...]:
    chunks = []
    for position, (chunk, vector) in enumerate(zip(document.chunks, vectors, strict=True)):
        sentences = tuple(part for part in _SENTENCE_END.split(chunk.text) if part.strip())
        accented = tuple(tuple(accented_tokens(sentence)) for sentence in sentences)
        chunks.append(
            RealChunk(
                id=chunk.id,
                text=chunk.text,
                meta=chunk_metadata(document, position, collection),
                vector=np.asarray(vector, dtype=np.float32),
                sentences=sentences,
                accented=accented,
                folded=tuple(tuple(fold(tokens)) for tokens in accented),
                refs=tuple(sorted(reference_keys(chunk.text))),
            )
        )
    return tuple(chunks)


def load_real_corpus(settings: Settings, embedder: Embedder) -> RealCorpus:
    """Prepare and embed the real corpus once; every size and copy is built from it."""
    documents, texts = [], []
    for path in tqdm(discover([settings.corpus_dir]), desc="Real corpus", unit="file"):
        document = prepare(path, settings.corpus_dir, settings.chunk_size, settings.chunk_overlap)
        titles = [document.embedding_title(chunk) for chunk in document.chunks]
        vectors = embedder.embed_documents(titles, [chunk.text for chunk in document.chunks])
        documents.append(
            RealDocument(document.source, frozenset(document_keys(document.meta.number)),
                         _real_chunks(document, settings.default_collection, vectors))
        )
        texts.append(document.text)
    if not documents:
        raise ValueError(f"{settings.corpus_dir}: no document to build the benchmark from")
    return RealCorpus(tuple(documents), min(texts, key=len))


# --- copies --------------------------------------------------------------------------------------
@cache
def _copy_line_tokens() -> tuple[tuple[str, ...], tuple[str, ...]]:
    accented = accented_tokens(COPY_LINE)
    return tuple(accented), tuple(fold(accented))


def _vary(chunk: RealChunk, copy: int) -> tuple[str, list[str], list[str]]:
    """The chunk's sentences rotated by ``copy``, the last one dropped, a numbered line appended; and its tokens."""
    count = len(chunk.sentences)
    order = [(copy + offset) % count for offset in range(count)]
    if count >= 3:
        order = order[:-1]
    label = f"{copy:06d}"
    line_accented, line_folded = _copy_line_tokens()
    text = " ".join(chunk.sentences[i] for i in order) + f"\n{COPY_LINE} {label}."
    accented = [token for i in order for token in chunk.accented[i]] + [*line_accented, label]
    folded = [token for i in order for token in chunk.folded[i]] + [*line_folded, label]
    return text, accented, folded


def _copy_date(meta: ChunkMeta, copy: int) -> str:
    """An earlier date, so date filters and the catalogue see many distinct documents."""
    base = date.fromisoformat(meta.date) if meta.date else date(2025, 1, 1)
    return (base - timedelta(days=copy % 3650)).isoformat()


def _copy_document(real: RealDocument, copy: int, limit: int) -> Iterator[Copy]:
    """The first ``limit`` chunks of synthetic document number ``copy``, a variation of ``real``: a whole document of
    that many chunks (its chunk count says so), as the Indexer would have written it."""
    source = f"synthetic/doc-{copy:06d}.txt"
    doc_hash = hashlib.sha256(source.encode()).hexdigest()
    chunks = real.chunks[:limit]
    rng = np.random.default_rng((SEED, copy))  # per document: the same copy whatever the sizes asked
    vectors = np.stack([chunk.vector for chunk in chunks])
    vectors = vectors + rng.normal(0.0, NOISE, vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for chunk, vector in zip(chunks, vectors, strict=True):
        text, accented, folded = _vary(chunk, copy)
        collection = RESTRICTED if copy % RESTRICTED_EVERY == RESTRICTED_EVERY - 1 else chunk.meta.collection
        meta = replace(chunk.meta, source=source, doc_hash=doc_hash, n_chunks=len(chunks), date=_copy_date(chunk.meta, copy), number="",
                       collection=collection)
        entry: Entry = {"source": source, "accented": accented, "folded": folded, "refs": list(chunk.refs),
                        "clauses": meta.clause_labels()}
        yield Copy(f"synthetic-{copy:06d}-{chunk.meta.chunk_index:04d}", text, vector, meta.to_chroma(), entry)


def _batched(items: Iterator[Copy], size: int) -> Iterator[list[Copy]]:
    while batch := list(islice(items, size)):
        yield batch


class Filler:
    """One store that grows from size to size: Chroma and the lexical index, real chunks first, then copies."""

    def __init__(self, settings: Settings, embedder: Embedder, corpus: RealCorpus) -> None:
        self.store = ChromaStore(settings, embedder.name, embedder.dimension)
        if not self.store.count():  # as open_index marks a new store: every chunk written here names its collection
            self.store.mark_all_assigned()
        self.lexical = LexicalIndex(settings.lexical_folder(settings.collection))
        self.corpus = corpus
        self.copies = 0  # synthetic documents written so far

    def _add_real(self) -> None:
        for document in self.corpus.documents:
            chunks = document.chunks
            self.store.upsert([c.id for c in chunks], [c.text for c in chunks], np.stack([c.vector for c in chunks]),
                              [c.meta.to_chroma() for c in chunks])
            self.lexical.ensure(document.source, [Passage(c.id, c.text, c.meta.clause_labels()) for c in chunks], set(document.keys))

    def _copies(self, count: int) -> Iterator[Copy]:
        documents = self.corpus.documents
        while count > 0:
            real = documents[self.copies % len(documents)]
            limit = min(count, len(real.chunks))
            yield from _copy_document(real, self.copies, limit)
            self.copies += 1
            count -= limit

    def grow(self, size: int) -> Row:
        """Fill up to ``size`` chunks, then save the lexical index (timed apart)."""
        started = time.perf_counter()
        if self.store.count() == 0:
            self._add_real()
        missing = size - self.store.count()
        if missing < 0:
            raise ValueError(f"size {size} is below the {self.store.count()} chunks already stored")
        with tqdm(total=missing, desc=f"Filling to {size:,}", unit="chunk") as progress:
            for batch in _batched(self._copies(missing), BATCH):
                self.store.upsert([c.id for c in batch], [c.text for c in batch], np.stack([c.vector for c in batch]),
                                  [c.metadata for c in batch])
                self.lexical.add_entries((c.id, c.entry) for c in batch)  # the tokens are known: no pyvi per copy
                progress.update(len(batch))
        saving = time.perf_counter()
        self.lexical.save()
        done = time.perf_counter()
        return {"fill_chunks": missing, "fill_s": done - started, "fill_lexical_save_s": done - saving,
                "peak_rss_after_fill_mib": status_mib("VmHWM")}


# --- measurements ----------------------------------------------------------------------------
def _tree_mib(path: Path) -> float:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file()) / MIB if path.exists() else 0.0


def _bm25_load(path: Path, questions: Sequence[str]) -> Row:
    """Time and resident memory of opening the lexical index from disk, as every process start does,
    and the memory once every question has been searched: the postings are memory-mapped and only
    the pages a query reads become resident."""
    gc.collect()
    before = status_mib("VmRSS")
    started = time.perf_counter()
    loaded = LexicalIndex(path)
    seconds = time.perf_counter() - started
    grown = status_mib("VmRSS") - before
    for question in questions:
        loaded.search(question, 10)
    searched = status_mib("VmRSS") - before
    del loaded
    gc.collect()
    return {"bm25_load_s": seconds, "rss_before_bm25_load_mib": before, "bm25_load_rss_mib": grown,
            "bm25_searched_rss_mib": searched}


def _timed(function: Callable[..., T], *args: object) -> tuple[T, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def _p50_p95(name: str, seconds: Sequence[float]) -> Row:
    return {f"{name}_p50_s": statistics.median(seconds), f"{name}_p95_s": _percentile(list(seconds), 0.95)}


def _search_latencies(index: Index, questions: Sequence[str]) -> Row:
    """Hybrid search as a member runs it, then its parts: on two shared cores the query embedding
    dominates and varies, so the search is also timed with the query vectors already known, and the
    Chroma query and the BM25 scoring alone.

    Two whole passes (cold, then warm caches), not each question twice in a row: the lexical index
    remembers the scores of its last query, and a repeat would time that cache rather than BM25."""
    row: Row = {}
    search = index.searcher.search
    for name in ("cold", "warm"):
        row |= _p50_p95(f"search_{name}", [_timed(search, question, 5)[1] for question in questions])
    embedder, candidates = index.searcher.embedder, index.searcher.settings.dense_candidates
    embedded = [_timed(embedder.embed_query, question) for question in questions]
    row |= _p50_p95("embed_query", [seconds for _, seconds in embedded])
    row |= _p50_p95("chroma_query", [_timed(index.store.query, vector, candidates)[1] for vector, _ in embedded])
    row |= _p50_p95("bm25_search", [_timed(index.lexical.search, question, candidates)[1] for question in questions])
    member = index.searcher.scoped(Scope.only({index.searcher.settings.default_collection}))
    row |= _p50_p95("search_member", [_timed(member.search, question, 5)[1] for question in questions])
    row |= _p50_p95("search_clause", [_timed(member.search, question, 5)[1] for question in CLAUSE_QUESTIONS])
    row["member_documents_s"] = _timed(member.documents)[1]
    with _patched(embedder, "embed_query", cache(embedder.embed_query)):
        for question in questions:  # embeds each query as the searcher spells it (abbreviations expanded)
            search(question, 5)
        row |= _p50_p95("search_without_embedding", [_timed(search, question, 5)[1] for question in questions])
    return row


@contextmanager
def _patched(obj: object, name: str, replacement: Callable) -> Iterator[None]:
    """``obj.name`` is ``replacement`` for a while (the method of the class again afterwards)."""
    setattr(obj, name, replacement)
    try:
        yield
    finally:
        delattr(obj, name)


def _recording(function: Callable[..., T], seconds: list[float]) -> Callable[..., T]:
    """``function``, noting how long each call takes (the lexical save inside a sync)."""

    def timed(*args: object, **kwargs: object) -> T:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - started)

    return timed


def _ingest_one(index: Index, corpus_dir: Path, text: str, size: int) -> Row:
    """Ingest one new real document, check it is found, then remove it so the store is back to ``size``."""
    path = corpus_dir / f"new-{size}.txt"
    path.write_text(NEW_PARAGRAPH.format(size=size) + "\n\n" + text, encoding="utf-8")
    saves: list[float] = []
    with _patched(index.lexical, "save", _recording(index.lexical.save, saves)):
        started = time.perf_counter()
        report = index.indexer.sync([path], root=corpus_dir)
        ingest_seconds = time.perf_counter() - started
    if report.errors or not report.added:
        raise RuntimeError(f"the new document was not ingested: {report.errors}")
    source = report.added[0]
    found = any(hit.meta.source == source for hit in index.searcher.search(NEW_QUESTION, 5))
    started = time.perf_counter()
    index.indexer.remove(source)
    return {
        "ingest_one_doc_s": ingest_seconds,
        "ingest_lexical_save_s": sum(saves),
        "new_doc_chunks": report.chunks_written,
        "new_doc_found": int(found),
        "remove_one_doc_s": time.perf_counter() - started,
    }


def _open(settings: Settings, embedder: Embedder) -> tuple[Index, Row]:
    """:func:`open_index`, timed twice: right after the filler wrote the store (the catalogue is read from Chroma and
    saved), then as a restart does it (from the saved catalogue)."""
    started = time.perf_counter()
    open_index(settings, embedder)
    first = time.perf_counter() - started
    started = time.perf_counter()
    index = open_index(settings, embedder)
    return index, {"open_index_after_writes_s": first, "open_index_s": time.perf_counter() - started}


def _measure(settings: Settings, embedder: Embedder, questions: Sequence[str], corpus: RealCorpus, size: int) -> Row:
    """Everything measured at one size, in an order that leaves the store as it found it."""
    lexical_dir = settings.lexical_folder(settings.collection)
    row: Row = {"lexical_mib": _tree_mib(lexical_dir)}
    row |= _bm25_load(lexical_dir, questions)
    index, opening = _open(settings, embedder)
    row |= opening
    row["chunks"] = index.store.count()
    row["catalogue_chunks"] = index.catalogue.chunk_count  # equal when the copies are whole documents: a restart reads the saved catalogue
    row |= _search_latencies(index, questions)
    row |= _ingest_one(index, settings.corpus_dir, corpus.new_document_text, size)
    del index
    gc.collect()
    return row


# --- where Chroma lives ----------------------------------------------------------------------
@dataclass(frozen=True)
class ChromaPlace:
    kind: str  # "embedded" or "server"
    path: Path  # where its files are
    host: str | None = None
    port: int = 8000
    pid: int | None = None  # the server process


def _wait_for_heartbeat(port: int, seconds: float) -> None:
    if not wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", seconds):
        raise RuntimeError(f"the Chroma server on port {port} did not answer within {seconds:.0f} s")


@contextmanager
def chroma_place(data_dir: Path, server: bool) -> Iterator[ChromaPlace]:
    """Embedded Chroma in ``data_dir/chroma``, or a ``chroma run`` server of our own on a free port."""
    if not server:
        yield ChromaPlace("embedded", data_dir / "chroma")
        return
    path, port = data_dir / "chroma-server", free_port()
    beside = Path(sys.executable).parent / "chroma"  # the virtualenv's, the version the client speaks
    executable = str(beside) if beside.exists() else shutil.which("chroma") or "chroma"
    process = subprocess.Popen(
        [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_heartbeat(port, 60)
        yield ChromaPlace("server", path, "127.0.0.1", port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- entry point -------------------------------------------------------------------------------
def _app_memory(data_dir: Path, corpus: RealCorpus, questions_file: Path, backend: str) -> Row:
    """:func:`evaluation.app_memory.app_memory` in a process of its own, on the store as filled; the document it
    ingests is long (as a committee's report is), each paragraph one real chunk's text with a number of its own."""
    folder = Path(tempfile.mkdtemp(prefix="rag-app-memory-"))
    try:
        texts = [chunk.text for document in corpus.documents for chunk in document.chunks][:APP_DOCUMENT_CHUNKS]
        document = folder / "bao-cao-dai.txt"
        document.write_text("\n\n".join(f"Mục {n}. {text}" for n, text in enumerate(texts, 1)), encoding="utf-8")
        asked = json.dumps(_asked(questions_file, APP_MEMBERS), ensure_ascii=False)
        return json_from_module("evaluation.app_memory", str(data_dir), str(document), asked, backend)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_scale_benchmark(
    settings: Settings, sizes: Sequence[int], server: bool = False, questions_file: Path | None = None,
    embedder: Embedder | None = None, app_backend: str | None = None,
) -> list[Row]:
    """One row per size, smallest first, for the embedded store or (``server``) a Chroma server.

    The store grows from one size to the next; the new document measured at each size is removed
    again, so every size holds exactly that many chunks. ``embedder`` lets a caller share a loaded model. With
    ``app_backend``, the largest size's row also has the app's own memory with that answer backend (a process of
    its own, :func:`_app_memory`): the bench's process holds more than the app does."""
    embedder = embedder or make_embedder(settings)
    questions_file = questions_file or DEV_QUESTIONS
    questions = [question.question for question in load_questions(questions_file)]
    corpus = load_real_corpus(settings, embedder)
    scratch = Path(tempfile.mkdtemp(prefix="rag-scale-"))
    try:
        (scratch / "corpus").mkdir()
        with chroma_place(scratch / "data", server) as place:
            bench_settings = settings.model_copy(update={
                "data_dir": scratch / "data", "corpus_dir": scratch / "corpus", "chroma_host": place.host, "chroma_port": place.port,
            })
            filler = Filler(bench_settings, embedder, corpus)
            rows = []
            for size in sorted(set(sizes)):
                row: Row = {"store": place.kind, "size": size, "vectors": VECTORS, "real_chunks": corpus.chunk_count}
                row |= filler.grow(size)
                row["chroma_mib"] = _tree_mib(place.path)  # before the new document: deletes do not shrink files
                row |= _measure(bench_settings, embedder, questions, corpus, size)
                row["rss_mib"] = status_mib("VmRSS")
                row["peak_rss_mib"] = status_mib("VmHWM")
                if place.pid is not None:
                    row["server_rss_mib"] = status_mib("VmRSS", place.pid)
                rows.append(row)
            if app_backend:
                rows[-1] |= _app_memory(bench_settings.data_dir, corpus, questions_file, app_backend)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows
