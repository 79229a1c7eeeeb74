"""One record per stored document, in memory: what access checks, filters and validity notes ask about documents.

Each of those questions is about documents, not chunks (a document's chunks share its collection,
kind, date, number and relations), yet each was answered by scanning Chroma's chunk metadata: at
100k chunks a member's search read the ids of every chunk in their scope (5 s), listing the sources
took 20 s and a question naming a regulation's number read every first chunk. A store of a million
chunks holds some twenty thousand documents, which fit in memory, so the catalogue is read from the
store's first chunks, and the Indexer keeps it in step (under the index lock) as documents are written,
removed, moved or re-labelled.

Reading those first chunks took 7.8 s of every start-up at 1M chunks, so the catalogue is also saved
to a file and read back from it (0.2 s) while that file provably describes the store: it names the
Chroma collection's id and the chunk count it covers, and the Indexer deletes it *before* changing the
store and writes it again only once no change is under way. A crash in between leaves no file, a
change that failed half-way stops this process saving it, so the next start reads the store; a tool
writing to Chroma directly changes the count. Either way a stale file is never used.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

from vectorstore.records import ChunkMeta
from vectorstore.store import ChromaStore

Admits = Callable[[ChunkMeta], bool]
FORMAT = 1  # raise when the saved layout changes; ChunkMeta fields may come and go (they default)


class Catalogue:
    """The first chunk's metadata of each document, by source."""

    def __init__(self, documents: Iterable[ChunkMeta] = (), path: Path | None = None) -> None:
        self.path = path  # where it is saved; None: kept in memory only
        self._guard = threading.Lock()
        self._changing = 0  # store changes under way (embedding runs outside the index lock, so several may be)
        self._doubtful = False  # a change failed half-way: the store may differ from memory, so nothing is saved
        self.version = 0  # raised by every change of the documents, so what is derived from them knows when to go
        self.reset(documents)

    @classmethod
    def read(cls, store: ChromaStore, path: Path | None = None) -> Catalogue:
        """From the store's first chunks (every document has one)."""
        return cls((ChunkMeta.from_chroma(raw) for raw in store.metadatas({"chunk_index": 0})), path)

    @classmethod
    def open(cls, store: ChromaStore, path: Path) -> Catalogue:
        """The saved catalogue when it covers this very collection and all its chunks, else one read from the store
        (and saved for the next start)."""
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved["format"] == FORMAT and saved["collection"] == str(store.collection.id):
                catalogue = cls((ChunkMeta(**fields) for fields in saved["documents"]), path)
                if catalogue.chunk_count == store.count():
                    catalogue.dirty = False
                    return catalogue
        except (OSError, ValueError, KeyError, TypeError):
            pass  # none saved, or unreadable, or written by another version: the store says
        catalogue = cls.read(store, path)
        catalogue.save(store)
        return catalogue

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Around a change of the store and of this catalogue (every put, drop and move happens inside one): the saved
        file no longer describes the store, so it goes first, and no save happens until every change under way is done."""
        with self._guard:
            self._changing += 1
            self.dirty = True
            if self.path is not None:
                self.path.unlink(missing_ok=True)
        try:
            yield
        except BaseException:
            self._doubtful = True
            raise
        finally:
            with self._guard:
                self._changing -= 1

    def save(self, store: ChromaStore) -> None:
        """Write the catalogue (through a staging file, switched atomically) if it changed since it was read or saved."""
        with self._guard:
            if self.path is None or not self.dirty or self._changing or self._doubtful:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            staging = self.path.with_name(f"{self.path.name}.tmp")
            documents = [asdict(meta) for meta in self._documents.values()]
            saved = {"format": FORMAT, "collection": str(store.collection.id), "documents": documents}
            staging.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
            os.replace(staging, self.path)
            self.dirty = False

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
        """Take ``documents`` as the whole catalogue: read from the store itself, so any earlier doubt is gone."""
        self.dirty, self._doubtful = True, False
        self._documents = {meta.source: meta for meta in documents}
        self._chunks = sum(meta.n_chunks for meta in self._documents.values())
        self.version += 1

    def put(self, first_chunk: ChunkMeta) -> None:
        self.drop(first_chunk.source)
        self._documents[first_chunk.source] = first_chunk
        self._chunks += first_chunk.n_chunks
        self.version += 1

    def drop(self, source: str) -> None:
        if (gone := self._documents.pop(source, None)) is not None:
            self._chunks -= gone.n_chunks
            self.version += 1

    def move(self, source: str, collection: str) -> None:
        if (meta := self._documents.get(source)) is not None:
            self._documents[source] = replace(meta, collection=collection)
            self.version += 1
