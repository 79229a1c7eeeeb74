"""Retrieval benchmarks in BEIR layout (corpus.jsonl, queries.jsonl, qrels.tsv).

Each passage becomes one document of its own collection, its id kept as the
document id (``source``), so retrieval is judged by passage id.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from evaluation.questions import Question, load_questions
from ingest.chunking import chunk_text, content_hash
from ingest.normalize import clean_text
from vectorstore import Index
from vectorstore.indexer import EMBED_WINDOW
from vectorstore.records import ChunkMeta


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    text: str


def load_corpus(path: Path) -> list[Passage]:
    passages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            passages.append(Passage(str(raw["_id"]), raw.get("title", ""), clean_text(raw["text"])))
    return passages


def load_beir_questions(folder: Path, split: str = "dev") -> list[Question]:
    """Questions from queries + qrels; a ``{split}_questions.jsonl`` beside them (with answers) wins."""
    rich = folder / f"{split}_questions.jsonl"
    if rich.exists():
        return load_questions(rich)
    queries_file = folder / f"{split}_queries.jsonl"
    if not queries_file.exists():
        queries_file = folder / "queries.jsonl"
    qrels_file = folder / f"{split}_qrels.tsv"
    if not qrels_file.exists():
        qrels_file = folder / "qrels" / f"{split}.tsv"
    with qrels_file.open(encoding="utf-8") as handle:
        gold = {row["query-id"]: row["corpus-id"] for row in csv.DictReader(handle, delimiter="\t") if int(row.get("score", 1)) > 0}
    questions = []
    for line in queries_file.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        if raw["_id"] in gold:
            questions.append(Question(id=raw["_id"], question=raw["text"], document=gold[raw["_id"]]))
    return questions


def index_passages(index: Index, passages: list[Passage], chunk_size: int, chunk_overlap: int) -> int:
    """Embed and store every passage not stored yet; returns how many chunks were written."""
    present = {meta.source for meta in index.catalogue.documents()}
    todo = [passage for passage in passages if passage.id not in present]
    written = 0
    for start in tqdm(range(0, len(todo), EMBED_WINDOW), desc="Nhúng đoạn văn", unit="lô", disable=None):
        batch = todo[start : start + EMBED_WINDOW]
        ids, texts, titles, metadatas = [], [], [], []
        for passage in batch:
            chunks = chunk_text(passage.text, [(0, None)], content_hash(passage.text, chunk_size, chunk_overlap), chunk_size, chunk_overlap)
            for chunk in chunks:
                ids.append(passage.id if len(chunks) == 1 else f"{passage.id}#{chunk.index}")
                texts.append(chunk.text)
                titles.append(passage.title)
                metadatas.append(ChunkMeta(
                    source=passage.id, collection=index.indexer.settings.default_collection, title=passage.title, doc_hash=passage.id,
                    n_chunks=len(chunks), chunk_index=chunk.index, paragraph=1, kind="passage",
                ).to_chroma())
        index.store.upsert(ids, texts, index.searcher.embedder.embed_documents(titles, texts), metadatas)
        written += len(ids)
    index.indexer.restore_lexical()
    return written
