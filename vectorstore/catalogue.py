"""One record per stored document, in memory: what access checks, filters and validity notes ask about documents.

Each of those questions is about documents, not chunks (a document's chunks share its collection,
kind, date, number and relations), yet each was answered by scanning Chroma's chunk metadata: at
100k chunks a member's search read the ids of every chunk in their scope (5 s), listing the sources
took 20 s and a question naming a regulation's number read every first chunk. A store of a million
chunks holds some twenty thousand documents, which fit in memory, so the catalogue is read from the
store's first chunks once when the index opens, and the Indexer keeps it in step (under the index
lock) as documents are written, removed, moved or re-labelled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from vectorstore.records import ChunkMeta
from vectorstore.store import ChromaStore

Admits = Callable[[ChunkMeta], bool]


class Catalogue:
    """The first chunk's metadata of each document, by source."""

    def __init__(self, documents: Iterable[ChunkMeta] = ()) -> None:
        self.reset(documents)

    @classmethod
    def read(cls, store: ChromaStore) -> Catalogue:
        return cls(ChunkMeta.from_chroma(raw) for raw in store.metadatas({"chunk_index": 0}))

    @property
    def chunk_count(self) -> int:
        return self._chunks

    def documents(self, admits: Admits | None = None) -> list[ChunkMeta]:
        """The documents ``admits`` accepts (all without it), by source."""
        return [meta for source, meta in sorted(self._documents.items()) if admits is None or admits(meta)]

    def sources(self, admits: Admits) -> set[str] | None:
        """Sources of the documents ``admits`` accepts, or None when it accepts every one: no filter needed."""
        chosen = {source for source, meta in self._documents.items() if admits(meta)}
        return None if len(chosen) == len(self._documents) else chosen

    def chunks_of(self, sources: Iterable[str]) -> int:
        return sum(meta.n_chunks for source in sources if (meta := self._documents.get(source)))

    def reset(self, documents: Iterable[ChunkMeta]) -> None:
        self._documents = {meta.source: meta for meta in documents}
        self._chunks = sum(meta.n_chunks for meta in self._documents.values())

    def put(self, first_chunk: ChunkMeta) -> None:
        self.drop(first_chunk.source)
        self._documents[first_chunk.source] = first_chunk
        self._chunks += first_chunk.n_chunks

    def drop(self, source: str) -> None:
        if (gone := self._documents.pop(source, None)) is not None:
            self._chunks -= gone.n_chunks

    def move(self, source: str, collection: str) -> None:
        if (meta := self._documents.get(source)) is not None:
            self._documents[source] = replace(meta, collection=collection)
