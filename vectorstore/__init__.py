"""Embeddings, the Chroma collection, the lexical index and retrieval.

Knows nothing of prompts or LLMs. :func:`open_index` wires the parts together.
"""

from __future__ import annotations

import shutil
from contextlib import suppress
from dataclasses import dataclass, replace
from threading import RLock

from chromadb.errors import NotFoundError

from settings import Settings
from vectorstore.catalogue import Catalogue
from vectorstore.embeddings import Embedder, EmbeddingError, make_embedder
from vectorstore.indexer import Indexer, IngestReport
from vectorstore.lexical import LexicalIndex
from vectorstore.scope import Scope
from vectorstore.search import Searcher, SearchFilters, SearchHit
from vectorstore.store import ChromaStore, StoreError, make_client


@dataclass
class Index:
    store: ChromaStore
    lexical: LexicalIndex
    catalogue: Catalogue
    searcher: Searcher
    indexer: Indexer

    def scoped(self, scope: Scope) -> Index:
        """This index as a reader with ``scope`` sees it: searches admit only its collections."""
        return replace(self, searcher=self.searcher.scoped(scope))


def open_index(settings: Settings, embedder: Embedder | None = None, collection: str | None = None) -> Index:
    """Open (or create) a collection and its lexical index; the embedder may be shared."""
    embedder = embedder or make_embedder(settings)
    name = collection or settings.collection
    store = ChromaStore(settings, embedder.name, embedder.dimension, name)
    lexical = LexicalIndex(settings.lexical_folder(name))
    catalogue = Catalogue.open(store, settings.catalogue_file(name))
    lock = RLock()
    index = Index(
        store=store,
        lexical=lexical,
        catalogue=catalogue,
        searcher=Searcher(settings, store, embedder, lexical, catalogue, lock),
        indexer=Indexer(settings, store, embedder, lexical, catalogue, lock),
    )
    index.indexer.adopt_unassigned()
    if store.count() != len(lexical):
        index.indexer.restore_lexical()
    return index


def drop_index(settings: Settings) -> None:
    """Delete the store with its lexical index and saved catalogue, without opening it: ``ingest --rebuild`` is the way
    out of a store built with another embedding model, which :func:`open_index` refuses to open."""
    name = settings.collection
    with suppress(NotFoundError):  # nothing was ever written: there is nothing to drop
        make_client(settings).delete_collection(name)
    shutil.rmtree(settings.lexical_folder(name), ignore_errors=True)
    settings.catalogue_file(name).unlink(missing_ok=True)


__all__ = ["Catalogue", "ChromaStore", "Embedder", "EmbeddingError", "Index", "IngestReport", "LexicalIndex", "Scope", "SearchFilters", "SearchHit", "Searcher", "StoreError", "drop_index", "make_embedder", "open_index"]
