"""A BM25 index beside Chroma (which has none), persisted and updated at ingestion.

Two fields: accented tokens for queries typed with diacritics, folded tokens
for queries typed without ("chi bo ket nap dang vien"). Keeping them apart means
a query with marks never matches a different word that only differs by a mark.
"""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np

from ingest.docnumbers import reference_keys
from vectorstore.tokenize import accented_tokens, folded_tokens, has_diacritics

FIELDS = ("accented", "folded")
TOKENS_VERSION = 2  # raise whenever tokenisation changes, so stored tokens are rebuilt


class LexicalIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, list[str] | str]] = {}
        self.ids: list[str] = []
        self.indexes: dict[str, bm25s.BM25] = {}
        self.dirty = False
        self._forget_derived()
        self._load()

    # --- persistence ---------------------------------------------------------
    def _load(self) -> None:
        tokens_file = self.path / "tokens.json"
        if not tokens_file.exists():
            return
        stored = json.loads(tokens_file.read_text(encoding="utf-8"))
        if stored.get("version") != TOKENS_VERSION:
            self.dirty = True  # tokenised by an older version: open_index re-tokenises every stored chunk
            return
        self.entries = stored["chunks"]
        try:
            self.ids = json.loads((self.path / "ids.json").read_text(encoding="utf-8"))
            self.indexes = {name: bm25s.BM25.load(str(self.path / name), show_progress=False) for name in FIELDS}
            if set(self.ids) != set(self.entries):
                raise ValueError("ids out of step with tokens")
        except (OSError, ValueError):
            self._rebuild()

    def save(self) -> None:
        """Rebuild the BM25 matrices if anything changed, then write atomically."""
        if not self.dirty:
            return
        self._rebuild()
        staging = self.path.with_name(self.path.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        stored = {"version": TOKENS_VERSION, "chunks": self.entries}
        (staging / "tokens.json").write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
        (staging / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        for name, index in self.indexes.items():
            index.save(str(staging / name), show_progress=False)
        backup = self.path.with_name(self.path.name + ".old")
        shutil.rmtree(backup, ignore_errors=True)
        if self.path.exists():
            self.path.rename(backup)
        staging.rename(self.path)
        shutil.rmtree(backup, ignore_errors=True)
        self.dirty = False

    def _forget_derived(self) -> None:
        """Drop what is computed from the indexed chunks; called whenever they change."""
        self._document_frequency: dict[str, Counter] | None = None
        self._positions: dict[str, int] | None = None
        # One hybrid search scores the same query several times (candidates, fusion, named documents).
        self._last_scores: tuple[str, np.ndarray] | None = None

    def _rebuild(self) -> None:
        self._forget_derived()
        self.ids = sorted(self.entries)
        self.indexes = {}
        if not self.ids:
            return
        for name in FIELDS:
            index = bm25s.BM25()
            index.index([self.entries[chunk_id][name] or [""] for chunk_id in self.ids], show_progress=False)
            self.indexes[name] = index

    # --- updates ---------------------------------------------------------------
    def _add(self, source: str, chunks: Iterable[tuple[str, str]], document_keys: set[str]) -> None:
        for chunk_id, text in chunks:
            self.entries[chunk_id] = {
                "source": source,
                "accented": accented_tokens(text),
                "folded": folded_tokens(text),
                # the document's own number and every number the chunk cites
                "refs": sorted(document_keys | reference_keys(text)),
            }
            self.dirty = True

    def ensure(self, source: str, chunks: Sequence[tuple[str, str]], document_keys: set[str]) -> None:
        """Index chunks the store has but this index lacks (e.g. after deleting data/lexical)."""
        self._add(source, [(chunk_id, text) for chunk_id, text in chunks if chunk_id not in self.entries], document_keys)

    def replace_source(
        self, source: str, chunks: Sequence[tuple[str, str]], stale_ids: Iterable[str], document_keys: set[str]
    ) -> None:
        keep = {chunk_id for chunk_id, _ in chunks}
        old = {chunk_id for chunk_id, entry in self.entries.items() if entry["source"] == source and chunk_id not in keep}
        self.remove_ids(old | set(stale_ids))
        self.ensure(source, chunks, document_keys)

    def referring_to(self, keys: set[str]) -> set[str]:
        """Chunks of, or citing, any of the documents with these number keys."""
        return {chunk_id for chunk_id, entry in self.entries.items() if keys & set(entry.get("refs", ()))}

    def remove_ids(self, ids: Iterable[str]) -> None:
        for chunk_id in ids:
            if self.entries.pop(chunk_id, None) is not None:
                self.dirty = True

    def clear(self) -> None:
        self.entries, self.ids, self.indexes, self.dirty = {}, [], {}, True
        self._forget_derived()

    # --- statistics --------------------------------------------------------------
    def idf(self, token: str, folded: bool = False) -> float:
        """BM25-style inverse document frequency of a token over the indexed chunks."""
        field = "folded" if folded else "accented"
        if self._document_frequency is None:
            self._document_frequency = {name: Counter() for name in FIELDS}
            for entry in self.entries.values():
                for name in FIELDS:
                    self._document_frequency[name].update(set(entry[name]))
        frequency = self._document_frequency[field].get(token, 0)
        count = max(len(self.entries), 1)
        return math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))

    # --- search ----------------------------------------------------------------
    def _scores(self, query: str) -> np.ndarray:
        last = self._last_scores
        if last is not None and last[0] == query:
            return last[1]
        field = "accented" if has_diacritics(query) else "folded"
        tokens = accented_tokens(query) if field == "accented" else folded_tokens(query)
        scores = self.indexes[field].get_scores(tokens)
        self._last_scores = (query, scores)
        return scores

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best ``k`` chunks with a positive score."""
        if not self.ids:
            return []
        scores = self._scores(query)
        if allowed is not None:
            scores = np.where(np.fromiter((chunk_id in allowed for chunk_id in self.ids), bool, len(self.ids)), scores, 0.0)
        top = np.argsort(-scores)[:k]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def scores(self, query: str, ids: Iterable[str]) -> dict[str, float]:
        """BM25 scores of given chunks (0 when unknown), for chunks the dense side found."""
        scores = self._scores(query) if self.ids else np.zeros(0)
        if self._positions is None:
            self._positions = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        position = self._positions
        return {chunk_id: float(scores[position[chunk_id]]) if chunk_id in position else 0.0 for chunk_id in ids}
