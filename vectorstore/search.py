"""Hybrid retrieval: dense (Chroma) and lexical (BM25) fused by reciprocal rank."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ingest.docnumbers import query_reference_keys
from settings import Settings
from vectorstore.abbreviations import Abbreviations
from vectorstore.embeddings import Embedder
from vectorstore.lexical import LexicalIndex
from vectorstore.store import ChromaStore

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
    similarity: float | None = None  # cosine to the query, when the dense side found it

    def to_json(self) -> dict:
        """The DESIGN.md contract, plus the fields a citation needs."""
        meta = self.metadata
        return {
            "id": self.id,
            "score": round(self.score, 6),
            "text": self.text,
            "title": meta.get("title", ""),
            "source": meta.get("source", ""),
            "date": meta.get("date") or None,
            "page": meta.get("page") or None,
            "paragraph": meta.get("paragraph"),
            "section": meta.get("section", ""),
            "kind": meta.get("kind", ""),
            "number": meta.get("number", ""),
        }


class Searcher:
    def __init__(self, settings: Settings, store: ChromaStore, embedder: Embedder, lexical: LexicalIndex) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.abbreviations = Abbreviations(settings.abbreviations_file)

    def _where(self, filters: SearchFilters) -> dict | None:
        clauses: list[dict] = []
        if filters.kind:
            clauses.append({"kind": filters.kind})
        if filters.after:
            clauses.append({"date_ord": {"$gte": int(filters.after.strftime("%Y%m%d"))}})
        if filters.before:
            clauses.append({"date_ord": {"$lte": int(filters.before.strftime("%Y%m%d"))}})
        if filters.source:
            matching = [s for s in self.store.sources() if s == filters.source or fnmatch.fnmatch(s, filters.source)]
            clauses.append({"source": {"$in": matching or [filters.source]}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: Mode = "hybrid") -> list[SearchHit]:
        k = k or self.settings.search_k
        where = self._where(filters or SearchFilters())
        expanded = self.abbreviations.expand(query)
        rankings: list[tuple[float, list[str]]] = []
        found: dict[str, SearchHit] = {}
        if mode in ("hybrid", "dense"):
            dense = self.store.query(self.embedder.embed_query(expanded), max(k, self.settings.dense_candidates), where)
            for chunk_id, similarity, text, metadata in dense:
                found[chunk_id] = SearchHit(chunk_id, similarity, text, metadata, similarity)
            rankings.append((self.settings.dense_weight, [hit[0] for hit in dense]))
        allowed = set(self.store.all_ids(where)) if where and mode != "dense" else None
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "lexical"):
            lexical = self.lexical.search(expanded, max(k, self.settings.lexical_candidates), allowed)
            rankings.append((self.settings.lexical_weight, [chunk_id for chunk_id, _ in lexical]))
        named = query_reference_keys(query)
        if named and mode == "hybrid":
            # A question that names a document number ranks that document's chunks, and chunks citing it, first.
            about = self.lexical.referring_to(named)
            if allowed is not None:
                about &= allowed
            if about:
                ranked = [chunk_id for chunk_id, _ in self.lexical.search(query, len(about), about)]
                ranked += sorted(about - set(ranked))
                rankings.append((self.settings.number_weight, ranked))
        fused: dict[str, float] = {}
        for weight, ranking in rankings:
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (self.settings.rrf_k + rank + 1)
        scores = {"hybrid": fused, "lexical": dict(lexical), "dense": {i: h.score for i, h in found.items()}}[mode]
        best = sorted(fused, key=fused.get, reverse=True)[:k]
        missing = [chunk_id for chunk_id in best if chunk_id not in found]
        if missing:
            found.update({i: SearchHit(i, 0.0, text, meta) for i, (text, meta) in self.store.get(missing).items()})
        return [SearchHit(i, scores[i], found[i].text, found[i].metadata, found[i].similarity) for i in best]
