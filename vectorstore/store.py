"""The Chroma collection: embedded on disk by default, a Chroma server when configured."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from settings import Settings

# Chroma's SQLite back end fails one read of more than ~32k rows with their metadata ("too many SQL
# variables"), so every read is paged: a store of 100k chunks must open and list like a small one.
PAGE = 5000
# Set on a collection once every chunk in it is known to carry its access collection (see Indexer.adopt_unassigned).
ALL_ASSIGNED = "collections_assigned"


class StoreError(RuntimeError):
    """The store cannot be used as asked; the message says why, in Vietnamese."""


def make_client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class ChromaStore:
    """Chunks with their metadata and embeddings; one collection per corpus."""

    def __init__(self, settings: Settings, embedding_model: str, dimension: int, collection: str | None = None) -> None:
        self.client = make_client(settings)
        name = collection or settings.collection
        self.collection = self.client.get_or_create_collection(
            name,
            metadata={"hnsw:space": "cosine", "embedding_model": embedding_model, "dimension": dimension},
        )
        built_with = (self.collection.metadata or {}).get("embedding_model")
        if built_with and built_with != embedding_model:
            raise StoreError(
                f"Kho '{name}' được tạo bằng mô hình '{built_with}', không phải '{embedding_model}'. "
                "Hãy nạp lại với `python app.py ingest --rebuild`."
            )

    def _get(self, *, where: dict | None = None, ids: Sequence[str] | None = None, include: Sequence[str] = ()) -> dict[str, list]:
        """``collection.get`` in pages of :data:`PAGE` rows, merged."""
        merged: dict[str, list] = {"ids": [], **{field: [] for field in include}}

        def add(found: Any) -> int:
            for field in merged:
                merged[field].extend(found[field] if found[field] is not None else [])
            return len(found["ids"])

        if ids is not None:
            for start in range(0, len(ids), PAGE):
                add(self.collection.get(ids=list(ids[start : start + PAGE]), include=list(include)))
            return merged
        offset = 0
        while add(self.collection.get(where=where or None, include=list(include), limit=PAGE, offset=offset)) == PAGE:
            offset += PAGE
        return merged

    def count(self) -> int:
        return self.collection.count()

    def source_metadata(self, source: str) -> dict[str, dict]:
        """The stored metadata of each chunk of ``source``, by chunk id."""
        found = self._get(where={"source": source}, include=["metadatas"])
        return dict(zip(found["ids"], found["metadatas"] or [], strict=True))

    def metadatas(self, where: dict | None = None) -> list[dict]:
        return self._get(where=where, include=["metadatas"])["metadatas"]

    def sources_with_hash(self, doc_hash: str) -> set[str]:
        """Sources whose stored content is exactly this (same text, same chunking)."""
        found = self._get(where={"doc_hash": doc_hash}, include=["metadatas"])
        return {str(metadata["source"]) for metadata in found["metadatas"] or []}

    def unassigned_sources(self) -> set[str]:
        found = self._get(include=["metadatas"])
        return {str(metadata["source"]) for metadata in found["metadatas"] or [] if not metadata.get("collection")}

    @property
    def all_assigned(self) -> bool:
        return bool((self.collection.metadata or {}).get(ALL_ASSIGNED))

    def mark_all_assigned(self) -> None:
        # Chroma refuses metadata that names the distance function again; the function stays in its configuration.
        kept = {key: value for key, value in (self.collection.metadata or {}).items() if not key.startswith("hnsw:")}
        self.collection.modify(metadata={**kept, ALL_ASSIGNED: True})

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict]) -> None:
        self.collection.update(ids=list(ids), metadatas=list(metadatas))

    def move_source(self, source: str, collection: str) -> int:
        """Put every chunk of ``source`` in another access collection; returns how many moved."""
        found = self._get(where={"source": source}, include=["metadatas"])
        moved = [{**metadata, "collection": collection} for metadata in found["metadatas"] or []]
        if moved:
            self.collection.update(ids=found["ids"], metadatas=moved)
        return len(moved)

    def upsert(self, ids: Sequence[str], texts: Sequence[str], embeddings: Any, metadatas: Sequence[dict]) -> None:
        """Written in pages of :data:`PAGE` rows: Chroma refuses a bigger batch (a long report has thousands of chunks)."""
        for start in range(0, len(ids), PAGE):
            end = start + PAGE
            self.collection.upsert(
                ids=list(ids[start:end]), documents=list(texts[start:end]), embeddings=embeddings[start:end], metadatas=list(metadatas[start:end])
            )

    def delete_stale(self, source: str, keep_hash: str) -> list[str]:
        """Remove chunks of ``source`` from older versions; returns their ids."""
        stale = self._get(where={"$and": [{"source": source}, {"doc_hash": {"$ne": keep_hash}}]})
        if stale["ids"]:
            self.collection.delete(ids=stale["ids"])
        return stale["ids"]

    def delete_source(self, source: str) -> list[str]:
        found = self._get(where={"source": source})
        if found["ids"]:
            self.collection.delete(ids=found["ids"])
        return found["ids"]

    def query(self, embedding: Any, k: int, where: dict | None = None) -> list[tuple[str, float, str, dict]]:
        """(id, cosine similarity, text, metadata) of the ``k`` nearest chunks."""
        if self.count() == 0:
            return []
        result = self.collection.query(
            query_embeddings=[embedding], n_results=k, where=where or None, include=["documents", "metadatas", "distances"]
        )
        return [
            (chunk_id, 1.0 - distance, text, metadata)
            for chunk_id, distance, text, metadata in zip(
                result["ids"][0], result["distances"][0], result["documents"][0], result["metadatas"][0], strict=True
            )
        ]

    def score(self, ids: Sequence[str], embedding: Any) -> list[tuple[str, float, str, dict]]:
        """The same rows as :meth:`query`, for chunks found another way (BM25), so fusion sees both scores."""
        if not ids:
            return []
        found = self._get(ids=ids, include=["documents", "metadatas", "embeddings"])
        vectors = np.asarray(found["embeddings"], dtype=np.float32)
        similarities = vectors @ np.asarray(embedding, dtype=np.float32) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(embedding) + 1e-12)
        return [
            (chunk_id, float(similarity), text, metadata)
            for chunk_id, similarity, text, metadata in zip(found["ids"], similarities, found["documents"], found["metadatas"], strict=True)
        ]

    def get(self, ids: Sequence[str]) -> dict[str, tuple[str, dict]]:
        if not ids:
            return {}
        found = self._get(ids=ids, include=["documents", "metadatas"])
        return {chunk_id: (text, metadata) for chunk_id, text, metadata in zip(found["ids"], found["documents"], found["metadatas"], strict=True)}

    def all_chunks(self, where: dict | None = None) -> list[tuple[str, str, dict]]:
        found = self._get(where=where, include=["documents", "metadatas"])
        return list(zip(found["ids"], found["documents"], found["metadatas"], strict=True))

    def all_ids(self, where: dict | None = None) -> list[str]:
        return self._get(where=where)["ids"]
