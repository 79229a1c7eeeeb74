"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates, fused (see :mod:`vectorstore.fusion`)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import date
from threading import RLock
from typing import Any, Literal

from ingest.clauses import clause_query
from ingest.docnumbers import names_the_charter, query_reference_keys
from settings import Settings
from vectorstore.abbreviations import Abbreviations
from vectorstore.embeddings import Embedder
from vectorstore.fusion import reciprocal_rank_fusion, weighted_fusion
from vectorstore.lexical import LexicalIndex
from vectorstore.records import ChunkMeta
from vectorstore.scope import Scope
from vectorstore.store import ChromaStore
from vectorstore.tokenize import has_diacritics

Mode = Literal["hybrid", "dense", "lexical"]


@dataclass(frozen=True)
class SearchFilters:
    kind: str | None = None
    after: date | None = None
    before: date | None = None
    source: str | None = None  # exact source or a glob such as "*.pdf"


@dataclass
class SearchHit:
    id: str
    score: float
    text: str
    metadata: dict = field(default_factory=dict)
    similarity: float | None = None  # cosine to the query (None in lexical-only mode)

    @property
    def meta(self) -> ChunkMeta:
        return ChunkMeta.from_chroma(self.metadata)

    def to_json(self) -> dict:
        """The DESIGN.md contract, plus the fields a citation needs."""
        meta = self.meta
        return {
            "id": self.id,
            "score": round(self.score, 6),
            "text": self.text,
            "title": meta.title,
            "source": meta.source,
            "date": meta.date or None,
            "page": meta.page or None,
            "paragraph": meta.paragraph,
            "section": meta.section,
            "kind": meta.kind,
            "number": meta.number,
            "collection": meta.collection,
        }


class Searcher:
    """Hybrid search over the chunks its :class:`Scope` admits, and no others.

    Every search ANDs the scope into the Chroma ``where`` clause and into the BM25
    candidate set before fusion, so no caller can ask for a chunk outside it."""

    def __init__(
        self, settings: Settings, store: ChromaStore, embedder: Embedder, lexical: LexicalIndex, lock: RLock, scope: Scope | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.lock = lock  # shared with the indexer
        self.scope = scope or Scope.everything()
        self.abbreviations = Abbreviations(settings.abbreviations_file)

    def scoped(self, scope: Scope) -> Searcher:
        """The same searcher restricted to ``scope`` (it shares the store, model and indexes)."""
        view = copy(self)
        view.scope = scope
        return view

    def _where(self, filters: SearchFilters) -> dict | None:
        clauses: list[dict] = [where] if (where := self.scope.where()) else []
        if filters.kind:
            clauses.append({"kind": filters.kind})
        if filters.after:
            clauses.append({"date_ord": {"$gte": int(filters.after.strftime("%Y%m%d"))}})
        if filters.before:
            clauses.append({"date_ord": {"$lte": int(filters.before.strftime("%Y%m%d"))}})
        if filters.source:
            matching = [s for s in self.store.sources(self.scope.where()) if s == filters.source or fnmatch.fnmatch(s, filters.source)]
            clauses.append({"source": {"$in": matching or [filters.source]}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: Mode = "hybrid") -> list[SearchHit]:
        with self.lock:
            return self._search(query, k, filters, mode)

    def _search(self, query: str, k: int | None, filters: SearchFilters | None, mode: Mode) -> list[SearchHit]:
        k = k or self.settings.search_k
        where = self._where(filters or SearchFilters())
        expanded = self.abbreviations.expand(query)
        allowed = set(self.store.all_ids(where)) if where and mode != "dense" else None
        query_vector = None
        found: dict[str, SearchHit] = {}
        if mode != "lexical":
            query_vector = self.embedder.embed_query(expanded)
            for chunk_id, similarity, text, metadata in self.store.query(query_vector, max(k, self.settings.dense_candidates), where):
                found[chunk_id] = SearchHit(chunk_id, similarity, text, metadata, similarity)
            if mode == "dense":
                return list(found.values())[:k]
        lexical = self.lexical.search(expanded, max(k, self.settings.lexical_candidates), allowed)
        if mode == "lexical":
            hits = self._fetch([chunk_id for chunk_id, _ in lexical[:k]], None)
            return [replace(hits[chunk_id], score=score) for chunk_id, score in lexical[:k]]
        named = self._named_documents(expanded, allowed, found.keys())
        clause_rank = self._named_clause(query, where)
        dense_order = list(found)
        candidates = list(dict.fromkeys([*dense_order, *(chunk_id for chunk_id, _ in lexical), *sorted(named), *clause_rank]))
        found.update(self._fetch([chunk_id for chunk_id in candidates if chunk_id not in found], query_vector))
        if self.settings.fusion == "weighted":
            dense_scores = {chunk_id: found[chunk_id].similarity or 0.0 for chunk_id in candidates}
            share = self.settings.dense_share if has_diacritics(query) else self.settings.dense_share_unaccented
            fused = weighted_fusion(dense_scores, self.lexical.scores(expanded, candidates), share)
        else:
            fused = reciprocal_rank_fusion([dense_order, [chunk_id for chunk_id, _ in lexical]], self.settings.rrf_k)
        # A question that names a clause gets that clause first; one that names a document number gets
        # that document's chunks, and chunks citing it, before the rest.
        best = sorted(
            candidates, key=lambda chunk_id: (clause_rank.get(chunk_id, 0), chunk_id in named, fused.get(chunk_id, 0.0)), reverse=True
        )[:k]
        return [replace(found[chunk_id], score=fused.get(chunk_id, 0.0)) for chunk_id in best]

    def catalogue(self) -> list[ChunkMeta]:
        """One record per document the scope admits (its first chunk's metadata): numbers, dates, relations."""
        first = {"chunk_index": 0}
        scope = self.scope.where()
        return [ChunkMeta.from_chroma(raw) for _, _, raw in self.store.all_chunks({"$and": [scope, first]} if scope else first)]

    def refers_to(self, keys: set[str]) -> bool:
        """Whether any chunk the scope admits is, or cites, a document with one of these number keys."""
        ids = self.lexical.referring_to(keys)
        return bool(ids) and (self.scope.is_everything or bool(set(self.store.all_ids(self.scope.where())) & ids))

    def _named_clause(self, query: str, where: dict | None) -> dict[str, int]:
        """Chunks of the clause a question names ("điểm 4.3.1 Quy định 294"): 2 for those holding its
        opening (its number and first words), 1 for those continuing it; only in the document named with it."""
        named = clause_query(query)
        if named is None:
            return {}
        label, number = named
        rank: dict[str, int] = {}
        for clause_where in ({"clause": label}, {"clauses": {"$ne": ""}}):
            combined = {"$and": [where, clause_where]} if where else clause_where
            for chunk_id, text, raw in self.store.all_chunks(combined):
                meta = ChunkMeta.from_chroma(raw)
                if number and meta.number.split("-")[0].lstrip("0") != number.lstrip("0"):
                    continue
                opens = label in {name for _, name in meta.openings()} or (
                    meta.clause == label and text.startswith(label.split("(")[0])
                )
                if opens or meta.clause == label:
                    rank[chunk_id] = max(rank.get(chunk_id, 0), 2 if opens else 1)
        return rank

    def _named_documents(self, query: str, allowed: set[str] | None, dense_ids: Iterable[str]) -> set[str]:
        """Candidate chunks of, or citing, a document the query names: by number ("QĐ 294"), or the Charter
        ("theo Điều lệ Đảng"), which members name by title and which has no number."""
        keys = query_reference_keys(query)
        about = self.lexical.referring_to(keys) if keys else set()
        if names_the_charter(query):
            about |= set(self.store.all_ids({"kind": "charter"}))
        if allowed is not None:
            about &= allowed
        if not about:
            return set()
        matching = {chunk_id for chunk_id, _ in self.lexical.search(query, self.settings.lexical_candidates, about)}
        matching |= about.intersection(dense_ids)
        return matching or set(sorted(about)[: self.settings.lexical_candidates])

    def _fetch(self, ids: list[str], query_vector: Any) -> dict[str, SearchHit]:
        """Hits for chunks the dense side did not return, with their cosine when there is a query vector."""
        if query_vector is None:
            return {chunk_id: SearchHit(chunk_id, 0.0, text, meta) for chunk_id, (text, meta) in self.store.get(ids).items()}
        return {row[0]: SearchHit(row[0], row[1], row[2], row[3], row[1]) for row in self.store.score(ids, query_vector)}
