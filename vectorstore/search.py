"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates, fused (see :mod:`vectorstore.fusion`)."""

from __future__ import annotations

import fnmatch
import math
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
from vectorstore.catalogue import Admits, Catalogue
from vectorstore.diacritics import restore
from vectorstore.embeddings import Embedder
from vectorstore.fusion import reciprocal_rank_fusion, weighted_fusion
from vectorstore.lexical import MAX_POPULATIONS, LexicalIndex, Population
from vectorstore.records import ChunkMeta
from vectorstore.scope import Scope
from vectorstore.store import ChromaStore
from vectorstore.tokenize import has_diacritics

Mode = Literal["hybrid", "dense", "lexical"]

# Chroma filters a vector search by first reading the ids of every chunk its ``where`` matches (0.7 s at 100k
# chunks for a member whose scope admits them all), so while the admitted documents hold a fair share of the
# store, more neighbours are asked for unfiltered and the others dropped: this many times the expected need,
# up to UNFILTERED_MOST of them. What is left is the start of what Chroma's filter would return (the nearest
# admitted chunks, in order), so it is kept when it holds at least 1/OVERSAMPLE of the candidates asked for
# (only the tail of the candidate list is lost, never a nearer chunk); Chroma filters only a narrow scope,
# or when fewer are left (Chroma may also return fewer neighbours than asked among near-duplicates).
OVERSAMPLE = 1.5
UNFILTERED_MOST = 300


@dataclass(frozen=True)
class SearchFilters:
    kind: str | None = None
    after: date | None = None
    before: date | None = None
    source: str | None = None  # exact source or a glob such as "*.pdf"

    def admits(self, meta: ChunkMeta) -> bool:
        """The test :meth:`Searcher._where` asks Chroma to make, made on one record (a document in the catalogue,
        a chunk the dense search returned unfiltered)."""
        return (
            (not self.kind or meta.kind == self.kind)
            and (self.after is None or meta.date_ord >= _day_number(self.after))
            and (self.before is None or meta.date_ord <= _day_number(self.before))
            and (not self.source or meta.source == self.source or fnmatch.fnmatch(meta.source, self.source))
        )


def _day_number(day: date) -> int:
    return int(day.strftime("%Y%m%d"))


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
    candidate set before fusion, so no caller can ask for a chunk outside it. BM25
    statistics (and the IDF weights of :meth:`idf`) count the scope's chunks alone, so
    none outside it moves a score, an order or a refusal its reader sees."""

    def __init__(
        self, settings: Settings, store: ChromaStore, embedder: Embedder, lexical: LexicalIndex, catalogue: Catalogue, lock: RLock,
        scope: Scope | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.catalogue = catalogue  # shared with the indexer, like the lexical index
        self.lock = lock  # shared with the indexer
        self.scope = scope or Scope.everything()
        self.abbreviations = Abbreviations(settings.abbreviations_file)
        # Each scope's :meth:`_population` with the catalogue version it is of, by the scope's collections; shared by
        # the scoped views (one per request), so each reuses the same set and the lexical index's statistics of it.
        self._populations: dict[frozenset[str], tuple[int, frozenset[str]]] = {}

    def scoped(self, scope: Scope) -> Searcher:
        """The same searcher restricted to ``scope`` (it shares the store, model and indexes)."""
        view = copy(self)
        view.scope = scope
        return view

    def _population(self) -> Population:
        """The documents whose chunks BM25 statistics count: all the scope admits, whatever a search's filters (so a
        filter moves no score either); None, every chunk, for an unrestricted scope. Kept while the catalogue is
        unchanged: the support gate asks for IDF weights many times per question."""
        collections = self.scope.collections
        if collections is None:
            return None
        known = self._populations.get(collections)
        if known is None or known[0] != self.catalogue.version:
            with self.lock:  # the indexer changes the catalogue under it
                documents = self.catalogue.documents(self._admits(SearchFilters()))
                if len(self._populations) >= MAX_POPULATIONS:
                    self._populations.clear()
                known = self._populations[collections] = (self.catalogue.version, frozenset(meta.source for meta in documents))
        return known[1]

    def _restored(self, query: str) -> str:
        """A query typed without diacritics, spelled as the reader's documents spell its words, and searched so:
        the embedding model reads folded Vietnamese poorly, and the accented field tells "thư viện" from "thu
        viên". On the mixed dev sets typed without marks (299 questions), evidence in the top 5: 232 folded,
        247 with only the embedding reading the restored spelling, 263 with both (274 typed with marks)."""
        population = self._population()
        return restore(query, self.lexical.accented_spellings, lambda token: self.lexical.frequency(token, population=population))

    def idf(self, token: str, folded: bool = False) -> float:
        """A token's IDF over the chunks the scope admits: the weights of the support gate and of sentence ranking,
        whose refusals would otherwise tell a reader about chunks they may not see."""
        with self.lock:
            return self.lexical.idf(token, folded, self._population())

    def _admits(self, filters: SearchFilters) -> Admits:
        return lambda meta: self.scope.admits(meta.collection) and filters.admits(meta)

    def _unrestricted(self, filters: SearchFilters) -> bool:
        return self.scope.is_everything and filters == SearchFilters()

    def _admitted_sources(self, filters: SearchFilters) -> set[str] | None:
        """The documents a search may return (None: every one in the catalogue)."""
        return None if self._unrestricted(filters) else self.catalogue.sources(self._admits(filters))

    def _gate(self, hits: Iterable[SearchHit], filters: SearchFilters) -> list[SearchHit]:
        """The hits whose own metadata the scope and filters admit. The catalogue narrows the search; this decides,
        on the record each chunk carries, so a chunk the catalogue does not know can never pass."""
        if self._unrestricted(filters):
            return list(hits)
        admits = self._admits(filters)
        return [hit for hit in hits if admits(hit.meta)]

    def _where(self, filters: SearchFilters) -> dict | None:
        """The Chroma ``where`` of the scope and filters: :meth:`SearchFilters.admits` is the same test in Python."""
        clauses: list[dict] = [where] if (where := self.scope.where()) else []
        if filters.kind:
            clauses.append({"kind": filters.kind})
        if filters.after:
            clauses.append({"date_ord": {"$gte": _day_number(filters.after)}})
        if filters.before:
            clauses.append({"date_ord": {"$lte": _day_number(filters.before)}})
        if filters.source:
            matching = [meta.source for meta in self.catalogue.documents(self._admits(SearchFilters(source=filters.source)))]
            clauses.append({"source": {"$in": matching or [filters.source]}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: Mode = "hybrid") -> list[SearchHit]:
        with self.lock:
            return self._search(query if has_diacritics(query) else self._restored(query), k, filters, mode)

    def _search(self, query: str, k: int | None, filters: SearchFilters | None, mode: Mode) -> list[SearchHit]:
        k = k or self.settings.search_k
        filters = filters or SearchFilters()
        sources = self._admitted_sources(filters)
        expanded = self.abbreviations.expand(query)
        query_vector = None
        found: dict[str, SearchHit] = {}
        if mode != "lexical":
            query_vector = self.embedder.embed_query(expanded)
            for chunk_id, similarity, text, metadata in self._dense(query_vector, max(k, self.settings.dense_candidates), filters, sources):
                found[chunk_id] = SearchHit(chunk_id, similarity, text, metadata, similarity)
            if mode == "dense":
                return list(found.values())[:k]
        population = self._population()
        lexical = self.lexical.search(expanded, max(k, self.settings.lexical_candidates), sources=sources, population=population)
        if mode == "lexical":
            hits = self._fetch([chunk_id for chunk_id, _ in lexical[:k]], None)
            return self._gate((replace(hits[chunk_id], score=score) for chunk_id, score in lexical[:k]), filters)
        named = self._named_documents(expanded, sources, found.keys())
        clause_rank = self._named_clause(query, sources, {hit.meta.source for hit in found.values()})
        dense_order = list(found)
        candidates = list(dict.fromkeys([*dense_order, *(chunk_id for chunk_id, _ in lexical), *sorted(named), *clause_rank]))
        found.update(self._fetch([chunk_id for chunk_id in candidates if chunk_id not in found], query_vector))
        candidates = [hit.id for hit in self._gate((found[chunk_id] for chunk_id in candidates), filters)]
        if self.settings.fusion == "weighted":
            dense_scores = {chunk_id: found[chunk_id].similarity or 0.0 for chunk_id in candidates}
            share = self.settings.dense_share if has_diacritics(query) else self.settings.dense_share_unaccented
            fused = weighted_fusion(dense_scores, self.lexical.scores(expanded, candidates, population), share)
        else:
            fused = reciprocal_rank_fusion([dense_order, [chunk_id for chunk_id, _ in lexical]], self.settings.rrf_k)
        # A question that names a clause gets that clause first; one that names a document number gets
        # that document's chunks, and chunks citing it, before the rest.
        best = sorted(
            candidates, key=lambda chunk_id: (clause_rank.get(chunk_id, 0), chunk_id in named, fused.get(chunk_id, 0.0)), reverse=True
        )[:k]
        return [replace(found[chunk_id], score=fused.get(chunk_id, 0.0)) for chunk_id in best]

    def _dense(self, query_vector: Any, n: int, filters: SearchFilters, sources: set[str] | None) -> list[tuple[str, float, str, dict]]:
        """The ``n`` nearest chunks the scope and filters admit (see :data:`OVERSAMPLE`)."""
        if self._unrestricted(filters):
            return self.store.query(query_vector, n)
        admitted_chunks = self.catalogue.chunk_count if sources is None else self.catalogue.chunks_of(sources)
        share = admitted_chunks / max(self.catalogue.chunk_count, 1)
        wanted = math.ceil(n / share * OVERSAMPLE) if share else UNFILTERED_MOST + 1
        if wanted <= UNFILTERED_MOST:
            admits = self._admits(filters)  # on each chunk's own metadata: the record access is decided by
            rows = [row for row in self.store.query(query_vector, wanted) if admits(ChunkMeta.from_chroma(row[3]))]
            if len(rows) * OVERSAMPLE >= min(n, admitted_chunks):
                return rows[:n]
        return self.store.query(query_vector, n, self._where(filters))

    def documents(self) -> list[ChunkMeta]:
        """One record per document the scope admits (its first chunk's metadata): numbers, dates, relations."""
        return self.catalogue.documents(self._admits(SearchFilters()))

    def refers_to(self, keys: set[str]) -> bool:
        """Whether any chunk the scope admits is, or cites, a document with one of these number keys."""
        return bool(self.lexical.referring_to(keys, self._admitted_sources(SearchFilters())))

    def _named_clause(self, query: str, sources: set[str] | None, found_in: set[str]) -> dict[str, int]:
        """Chunks of the clause a question names ("điểm 4.3.1 Quy định 294"): 2 for those holding its
        opening (its number and first words), 1 for those continuing it; only in the document named with it.
        Named without a document, a clause held by many documents is looked for in those the search found."""
        named = clause_query(query)
        if named is None:
            return {}
        label, number = named
        numbered = sources if not number else self.catalogue.sources(
            lambda meta: (sources is None or meta.source in sources) and meta.number.split("-")[0].lstrip("0") == number.lstrip("0")
        )
        ids = self.lexical.holding_clause(label, numbered)
        if not number and len(ids) > self.settings.lexical_candidates:
            ids = self.lexical.holding_clause(label, found_in if numbered is None else found_in & numbered)
        rank: dict[str, int] = {}
        for chunk_id, (text, raw) in self.store.get(sorted(ids)).items():
            meta = ChunkMeta.from_chroma(raw)
            opens = label in {name for _, name in meta.openings()} or (meta.clause == label and text.startswith(label.split("(")[0]))
            rank[chunk_id] = 2 if opens else 1
        return rank

    def _named_documents(self, query: str, sources: set[str] | None, dense_ids: Iterable[str]) -> set[str]:
        """Candidate chunks of, or citing, a document the query names: by number ("QĐ 294"), or the Charter
        ("theo Điều lệ Đảng"), which members name by title and which has no number."""
        keys = query_reference_keys(query)
        about = self.lexical.referring_to(keys, sources) if keys else set()
        if names_the_charter(query):
            charters = {meta.source for meta in self.catalogue.documents(lambda meta: meta.kind == "charter")}
            about |= self.lexical.chunks_of(charters if sources is None else charters & sources)
        if not about:
            return set()
        ranked = self.lexical.search(query, self.settings.lexical_candidates, about, population=self._population())
        matching = {chunk_id for chunk_id, _ in ranked}
        matching |= about.intersection(dense_ids)
        return matching or set(sorted(about)[: self.settings.lexical_candidates])

    def _fetch(self, ids: list[str], query_vector: Any) -> dict[str, SearchHit]:
        """Hits for chunks the dense side did not return, with their cosine when there is a query vector."""
        if query_vector is None:
            return {chunk_id: SearchHit(chunk_id, 0.0, text, meta) for chunk_id, (text, meta) in self.store.get(ids).items()}
        return {row[0]: SearchHit(row[0], row[1], row[2], row[3], row[1]) for row in self.store.score(ids, query_vector)}
