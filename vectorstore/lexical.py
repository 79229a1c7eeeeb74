"""A BM25 index beside Chroma (which has none): a persistent inverted index, updated in place.

Two fields: accented tokens for queries typed with diacritics, folded tokens
for queries typed without ("chi bo ket nap dang vien"). Keeping them apart means
a query with marks never matches a different word that only differs by a mark.

Why it is built this way (a store of 100k chunks showed what rebuilding bm25s on every change
costs: 30 s per document added or removed, 13 s and 2.2 GiB to open, 1M chunks out of reach):

* Term frequencies, not precomputed scores. bm25s stores each (chunk, token) score, which bakes
  the chunk count, the document frequencies and the mean length into every entry, so one new
  chunk meant rescoring all. Frequencies and lengths never change when other chunks come and go;
  scoring them at query time with the statistics of the live chunks gives exactly the scores
  bm25s would give over those chunks (method "lucene", k1 1.5, b 0.75: what the index used).
* Segments. New chunks form a segment of their own and removed ones are only marked dead, so a
  change costs time in proportion to it. Segments of like size are merged (dead rows dropped) once
  FANOUT of them pile up, and a segment is compacted once DEAD_SHARE of it is dead: a chunk is
  rewritten O(log n) times in its life and a query visits O(log n) segments. A single base plus
  one delta would instead rewrite the whole delta for every document.
* Column-major postings in one memory-mapped file per segment. A query reads only its tokens'
  columns, so opening the index costs the ids and vocabularies alone, the rest stays in the page
  cache (shared by every process that opens the index), and one file keeps one descriptor open.
* Statistics of the reader's scope. The chunk count, mean lengths and document frequencies are those of
  the chunks a reader may see (a *population* of documents), not of the whole index: computed over every
  chunk, a member's scores, their order and the support gate's IDF weights moved as chunks of collections
  they cannot read came and went, an oracle of what those chunks say. A population's rows are a mask kept
  with its statistics until the index changes; the unrestricted population is every live chunk, as before.
* Immutable files and a manifest. A segment is written once, in a staging folder renamed when
  complete; its dead rows go to a small file named by their count; the manifest naming them all is
  replaced last, by one atomic rename. A crash at any point leaves the previous manifest and every
  file it names, and a save writes only what changed.
"""

from __future__ import annotations

import json
import math
import mmap
import os
import shutil
import uuid
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from functools import cached_property
from itertools import compress
from pathlib import Path
from typing import NamedTuple, TypedDict

import numpy as np

from ingest.docnumbers import reference_keys
from ingest.normalize import strip_diacritics
from vectorstore.tokenize import accented_tokens, fold, folded_tokens, has_diacritics

FIELDS = ("accented", "folded")  # token fields, scored
KEYED = ("refs", "sources", "clauses")  # key fields, only looked up
TOKENS_VERSION = 4  # raise whenever tokenisation or the reading of document numbers changes, so stored entries are rebuilt
K1, B = 1.5, 0.75  # bm25s's defaults, so scores stay those the index gave when it was built by bm25s
FANOUT = 4  # this many segments of one size tier are merged into one
DEAD_SHARE = 0.25  # a segment with more dead rows than this share is rewritten without them
MANIFEST = "manifest.json"
MAX_COUNT = np.iinfo(np.uint16).max  # term frequencies are stored in 16 bits; a chunk never repeats a token more
MAX_POPULATIONS = 16  # statistics kept for this many reader scopes at once (a mask of one byte per chunk each)

Population = frozenset[str] | None  # the documents whose chunks BM25 statistics count; None: every live chunk


class Entry(TypedDict):
    """One chunk as the index takes it, tokens already made (by :func:`make_entry`, or ahead of time in bulk)."""

    source: str
    accented: list[str]
    folded: list[str]
    refs: list[str]  # the document's own number keys and every number the chunk cites
    clauses: list[str]  # the provisions it holds part of ("20.2.1", "Điều 5, khoản 2"), for questions naming one


class Passage(NamedTuple):
    """A chunk as the index is given it."""

    id: str
    text: str
    clauses: Sequence[str] = ()


def make_entry(source: str, passage: Passage, document_keys: set[str]) -> Entry:
    accented = accented_tokens(passage.text)
    return {
        "source": source,
        "accented": accented,
        "folded": fold(accented),
        "refs": sorted(document_keys | reference_keys(passage.text)),
        "clauses": list(passage.clauses),
    }


def _idf(count: int, frequency: int) -> float:
    return math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))


class Statistics:
    """BM25 statistics over one population: its chunk count, and, filled as queries ask, the mean length per field
    and the document frequency per token."""

    def __init__(self, mask: np.ndarray | None, count: int) -> None:
        self.mask = mask  # places (in a scores array) of the population's live chunks; None: every live chunk
        self.count = count
        self.mean_lengths: dict[str, float] = {}
        self.frequencies: dict[tuple[str, str], int] = {}


# --- segments --------------------------------------------------------------------------------
class Postings:
    """One segment's rows by key, column-major: key ``keys[c]`` is in ``rows[starts[c]:starts[c + 1]]``,
    ``counts`` times each (term frequencies; None where a key is only present or absent)."""

    def __init__(self, keys: list[str], starts: np.ndarray, rows: np.ndarray, counts: np.ndarray | None) -> None:
        self.keys, self.starts, self.rows, self.counts = keys, starts, rows, counts
        self.column = {key: column for column, key in enumerate(keys)}

    def of(self, key: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """Rows holding ``key`` and how often, or None when no row does."""
        column = self.column.get(key)
        if column is None:
            return None
        where = slice(self.starts[column], self.starts[column + 1])
        return self.rows[where], None if self.counts is None else self.counts[where]


class Segment:
    """Chunks indexed together. Its rows never change; a removed chunk's row is only marked dead."""

    def __init__(self, ids: list[str], lengths: dict[str, np.ndarray], postings: dict[str, Postings],
                 live: np.ndarray, name: str | None = None) -> None:
        self.ids = ids
        self.lengths = lengths  # tokens per row, per field
        self.postings = postings  # per field and key field
        self.live = live
        self.alive = int(np.count_nonzero(live))
        self.name = name  # its folder, once saved
        self.saved_dead = len(ids) - self.alive  # rows only ever die, so a count tells whether they changed
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(ids)}

    @property
    def dead(self) -> int:
        return len(self.ids) - self.alive

    def kill(self, row: int) -> None:
        self.live[row] = False
        self.alive -= 1

    def live_ids(self) -> Iterable[str]:
        return compress(self.ids, self.live)

    @cached_property
    def row_source(self) -> np.ndarray:
        """Each row's column in the sources postings (a row has exactly one source): filtering by document
        costs one look-up per document, not one per chunk."""
        postings = self.postings["sources"]
        columns = np.empty(len(self.ids), np.int32)
        columns[postings.rows] = np.repeat(np.arange(len(postings.keys), dtype=np.int32), np.diff(postings.starts))
        return columns

    def of_sources(self, sources: Collection[str]) -> np.ndarray:
        """Whether each row is a chunk of one of ``sources`` (dead rows included)."""
        keys = self.postings["sources"].keys
        return np.fromiter((key in sources for key in keys), bool, len(keys))[self.row_source]


def _postings(keys_by_row: Sequence[Sequence[str]], counted: bool) -> Postings:
    """Postings of a new segment from each row's keys."""
    width = len(keys_by_row)
    column: dict[str, int] = {}
    columns = np.fromiter((column.setdefault(key, len(column)) for keys in keys_by_row for key in keys), np.int64)
    rows = np.repeat(np.arange(width, dtype=np.int64), [len(keys) for keys in keys_by_row])
    pairs, counts = np.unique(columns * width + rows, return_counts=True)  # by column, then row
    starts = np.searchsorted(pairs // width, np.arange(len(column) + 1)).astype(np.int64)
    return Postings(list(column), starts, (pairs % width).astype(np.int32),
                    np.minimum(counts, MAX_COUNT).astype(np.uint16) if counted else None)


def _segment(entries: Sequence[tuple[str, Entry]]) -> Segment:
    postings = {name: _postings([entry[name] for _, entry in entries], counted=True) for name in FIELDS}
    postings["refs"] = _postings([entry["refs"] for _, entry in entries], counted=False)
    postings["clauses"] = _postings([entry["clauses"] for _, entry in entries], counted=False)
    postings["sources"] = _postings([[entry["source"]] for _, entry in entries], counted=False)
    lengths = {name: np.array([len(entry[name]) for _, entry in entries], np.int32) for name in FIELDS}
    return Segment([chunk_id for chunk_id, _ in entries], lengths, postings, np.ones(len(entries), bool))


def _merge_postings(parts: Sequence[Postings], renumbered: Sequence[np.ndarray]) -> Postings:
    """The postings of several segments over their rows renumbered (-1: dropped).

    Each entry goes straight to its place in its new column (a counting sort): no sort over all
    entries, whose number is about 200 per chunk."""
    column: dict[str, int] = {}
    for postings in parts:
        for key in postings.keys:
            column.setdefault(key, len(column))
    kept, totals = [], np.zeros(len(column), np.int64)
    for postings, new_row in zip(parts, renumbered, strict=True):
        columns = np.repeat(np.arange(len(postings.keys), dtype=np.int32), np.diff(postings.starts))
        rows = new_row[postings.rows]
        alive = rows >= 0
        per_column = np.bincount(columns[alive], minlength=len(postings.keys))
        target = np.fromiter((column[key] for key in postings.keys), np.int64, len(postings.keys))
        counts = None if postings.counts is None else postings.counts[alive]
        kept.append((target, per_column, columns[alive], rows[alive], counts))
        totals[target] += per_column
    starts = np.concatenate([[0], np.cumsum(totals)])
    rows_out = np.empty(starts[-1], np.int32)
    counts_out = None if parts[0].counts is None else np.empty(starts[-1], np.uint16)
    free = starts[:-1].copy()  # the next free place in each new column
    for target, per_column, columns, rows, counts in kept:
        first = np.cumsum(per_column) - per_column  # where each old column's entries begin in this part
        place = free[target][columns] + np.arange(len(columns)) - first[columns]
        rows_out[place] = rows
        if counts_out is not None:
            counts_out[place] = counts
        free[target] += per_column
    used = totals > 0  # a key left only in dead rows goes
    return Postings([key for key, keep in zip(column, used, strict=True) if keep],
                    np.concatenate([[0], np.cumsum(totals[used])]), rows_out, counts_out)


def _merge(segments: Sequence[Segment]) -> Segment:
    """One segment holding the live rows of ``segments``."""
    renumbered, offset = [], 0
    for segment in segments:
        new_row = np.full(len(segment.ids), -1, np.int32)
        new_row[segment.live] = np.arange(offset, offset + segment.alive, dtype=np.int32)
        renumbered.append(new_row)
        offset += segment.alive
    ids = [chunk_id for segment in segments for chunk_id in segment.live_ids()]
    lengths = {name: np.concatenate([segment.lengths[name][segment.live] for segment in segments]) for name in FIELDS}
    postings = {name: _merge_postings([segment.postings[name] for segment in segments], renumbered) for name in (*FIELDS, *KEYED)}
    return Segment(ids, lengths, postings, np.ones(len(ids), bool))


def _tier(segment: Segment) -> int:
    """Size class of a segment: live rows in [4^t, 4^(t+1))."""
    return (segment.alive.bit_length() - 1) // 2


def _tidy(segments: list[Segment]) -> list[Segment]:
    """Drop empty segments, compact mostly dead ones, merge crowded size tiers; the largest first."""
    segments = [segment for segment in segments if segment.alive]
    segments = [_merge([segment]) if segment.dead > DEAD_SHARE * len(segment.ids) else segment for segment in segments]
    while crowded := [tier for tier, count in Counter(map(_tier, segments)).items() if count >= FANOUT]:
        tier = min(crowded)
        segments = [segment for segment in segments if _tier(segment) != tier] + [
            _merge([segment for segment in segments if _tier(segment) == tier])
        ]
    return sorted(segments, key=lambda segment: -segment.alive)  # most lookups end at the first segment


# --- files -------------------------------------------------------------------------------------
def _dead_file(name: str, dead: int) -> str:
    return f"{name}.dead-{dead}.npy"


def _arrays(segment: Segment) -> dict[str, np.ndarray]:
    arrays = {f"{name}.lengths": segment.lengths[name] for name in FIELDS}
    for name, postings in segment.postings.items():
        arrays[f"{name}.starts"], arrays[f"{name}.rows"] = postings.starts, postings.rows
        if postings.counts is not None:
            arrays[f"{name}.counts"] = postings.counts
    return arrays


def _write_segment(segment: Segment, folder: Path) -> None:
    """``arrays.bin``: every array, 8-byte aligned; ``strings.json``: ids, keys and where each array is."""
    folder.mkdir(parents=True)
    layout = []
    with (folder / "arrays.bin").open("wb") as out:
        for name, array in _arrays(segment).items():
            layout.append([name, array.dtype.str, out.tell(), len(array)])
            np.asarray(array).tofile(out)
            out.write(b"\0" * (-out.tell() % 8))
    strings = {"ids": segment.ids, "keys": {name: postings.keys for name, postings in segment.postings.items()}, "arrays": layout}
    (folder / "strings.json").write_text(json.dumps(strings, ensure_ascii=False), encoding="utf-8")


def _read_segment(folder: Path, dead_rows: np.ndarray | None) -> Segment:
    strings = json.loads((folder / "strings.json").read_text(encoding="utf-8"))
    with (folder / "arrays.bin").open("rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    arrays = {name: np.frombuffer(mapped, dtype, count, offset) for name, dtype, offset, count in strings["arrays"]}
    postings = {
        name: Postings(keys, arrays[f"{name}.starts"], arrays[f"{name}.rows"], arrays.get(f"{name}.counts"))
        for name, keys in strings["keys"].items()
    }
    live = np.ones(len(strings["ids"]), bool)
    if dead_rows is not None:
        live[dead_rows] = False
    lengths = {name: arrays[f"{name}.lengths"] for name in FIELDS}
    return Segment(strings["ids"], lengths, postings, live, folder.name)


# --- the index ---------------------------------------------------------------------------------
class LexicalIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.segments: list[Segment] = []
        self.dirty = False
        self._forget_derived()
        self._load()

    def __len__(self) -> int:
        return sum(segment.alive for segment in self.segments)

    def __contains__(self, chunk_id: object) -> bool:
        return isinstance(chunk_id, str) and self._locate(chunk_id) is not None

    def chunk_ids(self) -> set[str]:
        return {chunk_id for segment in self.segments for chunk_id in segment.live_ids()}

    # --- persistence ---------------------------------------------------------
    def _load(self) -> None:
        manifest_file = self.path / MANIFEST
        if not manifest_file.exists():
            # Nothing saved, or the format before segments (tokens.json): open_index rebuilds from the store.
            self.dirty = self.path.exists()
            return
        try:
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
            if manifest.get("version") != TOKENS_VERSION:
                self.dirty = True  # tokenised by an older version: open_index re-tokenises every stored chunk
                return
            self.segments = [self._read(item) for item in manifest["segments"]]
        except (OSError, ValueError, KeyError):
            self.segments, self.dirty = [], True  # unreadable: open_index finds the count wrong and rebuilds

    def _read(self, item: dict) -> Segment:
        dead_rows = np.load(self.path / _dead_file(item["name"], item["dead"])) if item["dead"] else None
        return _read_segment(self.path / item["name"], dead_rows)

    def save(self) -> None:
        """Write the segments and dead rows not yet on disk, then switch the manifest to them."""
        if not self.dirty:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        for segment in self.segments:
            self._write(segment)
        listed = [{"name": segment.name, "dead": segment.dead} for segment in self.segments]
        staging = self.path / f"{MANIFEST}.tmp"
        staging.write_text(json.dumps({"version": TOKENS_VERSION, "segments": listed}), encoding="utf-8")
        os.replace(staging, self.path / MANIFEST)
        self._remove_unlisted({MANIFEST, *(item["name"] for item in listed), *(_dead_file(**item) for item in listed if item["dead"])})
        self.dirty = False

    def _write(self, segment: Segment) -> None:
        """A segment's folder (through a staging folder) unless it is on disk, then its dead rows if they changed."""
        if segment.name is None or not (self.path / segment.name).is_dir():  # new, or its folder deleted meanwhile
            name = f"seg-{uuid.uuid4().hex[:12]}"
            staging = self.path / f"{name}.tmp"
            _write_segment(segment, staging)
            staging.rename(self.path / name)
            segment.name, segment.saved_dead = name, 0
        dead_file = self.path / _dead_file(segment.name, segment.dead)
        if segment.dead and (segment.saved_dead != segment.dead or not dead_file.exists()):
            np.save(dead_file, np.flatnonzero(~segment.live).astype(np.int32))
            segment.saved_dead = segment.dead

    def _remove_unlisted(self, listed: set[str]) -> None:
        """Files the manifest no longer names: merged segments, older dead rows, an older format, staging left by a crash."""
        for item in self.path.iterdir():
            if item.name not in listed:
                if item.is_dir():
                    shutil.rmtree(item, ignore_errors=True)
                else:
                    item.unlink(missing_ok=True)

    def _forget_derived(self) -> None:
        """Drop what is computed from the indexed chunks; called whenever they change."""
        self._offsets: list[int] | None = None
        self._statistics: dict[Population, Statistics] = {}  # by population, oldest first
        # One hybrid search scores the same query several times (candidates, fusion, named documents).
        self._last_scores: tuple[tuple[str, Population], np.ndarray] | None = None
        self._spellings: dict[str, list[str]] | None = None  # folded token → the accented tokens folding to it

    def _changed(self) -> None:
        self.segments = _tidy(self.segments)
        self._forget_derived()
        self.dirty = True

    # --- updates ---------------------------------------------------------------
    def add_entries(self, entries: Iterable[tuple[str, Entry]]) -> None:
        """Index chunks whose tokens are made (as one new segment); a chunk already indexed is replaced."""
        batch = dict(entries)
        if not batch:
            return
        self.remove_ids(batch)
        self.segments.append(_segment(list(batch.items())))
        self._changed()

    def ensure(self, source: str, passages: Sequence[Passage], document_keys: set[str]) -> None:
        """Index chunks the store has but this index lacks (e.g. after deleting data/lexical)."""
        self.add_entries((passage.id, make_entry(source, passage, document_keys)) for passage in passages if passage.id not in self)

    def replace_source(self, source: str, passages: Sequence[Passage], stale_ids: Iterable[str], document_keys: set[str]) -> None:
        """The document's chunks as given, and nothing else of it: a chunk kept under its id is indexed afresh
        too, since its clause labels may have changed."""
        keep = {passage.id for passage in passages}
        self.remove_ids((self._ids_with("sources", [source]) - keep) | set(stale_ids))
        self.add_entries((passage.id, make_entry(source, passage, document_keys)) for passage in passages)

    def referring_to(self, keys: set[str], sources: Collection[str] | None = None) -> set[str]:
        """Chunks of, or citing, any of the documents with these number keys (of ``sources`` only, when given)."""
        return self._ids_with("refs", keys, sources)

    def holding_clause(self, label: str, sources: Collection[str] | None = None) -> set[str]:
        """Chunks holding part of the provision ``label`` (of ``sources`` only, when given)."""
        return self._ids_with("clauses", [label], sources)

    def chunks_of(self, sources: Collection[str]) -> set[str]:
        return self._ids_with("sources", sources)

    def remove_ids(self, ids: Iterable[str]) -> None:
        removed = False
        for chunk_id in ids:
            found = self._locate(chunk_id)
            if found is not None:
                _, segment, row = found
                segment.kill(row)
                removed = True
        if removed:
            self._changed()

    # --- lookups -----------------------------------------------------------------
    def _starts(self) -> list[int]:
        """Where each segment's rows begin in a scores array (the segments' rows put end to end)."""
        if self._offsets is None:
            self._offsets = np.concatenate([[0], np.cumsum([len(segment.ids) for segment in self.segments], dtype=np.int64)]).tolist()
        return self._offsets

    def _locate(self, chunk_id: str) -> tuple[int, Segment, int] | None:
        """(place in a scores array, segment, row) of a live chunk."""
        for offset, segment in zip(self._starts(), self.segments, strict=False):
            row = segment.row_of.get(chunk_id)
            if row is not None and segment.live[row]:
                return offset + row, segment, row
        return None

    def _id_at(self, place: int) -> str:
        starts = self._starts()
        index = bisect_right(starts, place) - 1
        return self.segments[index].ids[place - starts[index]]

    def _live_postings(self, name: str, key: str, within: np.ndarray | None = None) -> list[tuple[int, Segment, np.ndarray, np.ndarray | None]]:
        """(segment offset, segment, rows, counts) of the live rows holding ``key`` in field ``name`` (of the places
        ``within`` marks, when given: a population's mask, which holds live rows only)."""
        found = []
        for offset, segment in zip(self._starts(), self.segments, strict=False):
            postings = segment.postings[name].of(key)
            if postings is None:
                continue
            rows, counts = postings
            kept = within[offset + rows] if within is not None else segment.live[rows] if segment.dead else None
            if kept is not None:
                rows, counts = rows[kept], None if counts is None else counts[kept]
            if len(rows):
                found.append((offset, segment, rows, counts))
        return found

    def _ids_with(self, name: str, keys: Iterable[str], sources: Collection[str] | None = None) -> set[str]:
        found = set()
        for key in keys:
            for _, segment, rows, _ in self._live_postings(name, key):
                if sources is not None:
                    rows = rows[segment.of_sources(sources)[rows]]
                found.update(segment.ids[row] for row in rows.tolist())
        return found

    def _mask_of(self, sources: Collection[str]) -> np.ndarray:
        """Places (in a scores array) of the live chunks of ``sources``."""
        return np.concatenate([segment.of_sources(sources) & segment.live for segment in self.segments])

    # --- statistics --------------------------------------------------------------
    def _statistics_of(self, population: Population) -> Statistics:
        """The statistics of ``population``, kept (for the latest few populations) until the index changes."""
        statistics = self._statistics.get(population)
        if statistics is None:
            if len(self._statistics) >= MAX_POPULATIONS:
                del self._statistics[next(iter(self._statistics))]  # the oldest
            if population is None:
                statistics = Statistics(None, len(self))
            else:
                mask = self._mask_of(population) if self.segments else np.zeros(0, bool)
                statistics = Statistics(mask, int(np.count_nonzero(mask)))
            self._statistics[population] = statistics
        return statistics

    def _frequency(self, statistics: Statistics, name: str, token: str) -> int:
        """Chunks of the population holding ``token`` in field ``name``."""
        if (name, token) not in statistics.frequencies:
            postings = self._live_postings(name, token, statistics.mask)
            statistics.frequencies[name, token] = sum(len(rows) for _, _, rows, _ in postings)
        return statistics.frequencies[name, token]

    def _mean_length(self, statistics: Statistics, name: str) -> float:
        if name not in statistics.mean_lengths:
            chosen = [
                segment.live if statistics.mask is None else statistics.mask[offset : offset + len(segment.ids)]
                for offset, segment in zip(self._starts(), self.segments, strict=False)
            ]
            total = sum(int(segment.lengths[name][rows].sum()) for segment, rows in zip(self.segments, chosen, strict=True))
            statistics.mean_lengths[name] = total / statistics.count if statistics.count else 0.0
        return statistics.mean_lengths[name]

    def idf(self, token: str, folded: bool = False, population: Population = None) -> float:
        """BM25-style inverse document frequency of a token over the chunks of ``population`` (every live chunk
        without one)."""
        statistics = self._statistics_of(population)
        return _idf(max(statistics.count, 1), self._frequency(statistics, "folded" if folded else "accented", token))

    def frequency(self, token: str, folded: bool = False, population: Population = None) -> int:
        """Chunks of ``population`` holding ``token``."""
        return self._frequency(self._statistics_of(population), "folded" if folded else "accented", token)

    def accented_spellings(self, folded: str) -> list[str]:
        """The accented tokens of the index that fold to ``folded`` ("thu_vien" → "thư_viện", "thư_viên", …), for
        putting diacritics back on a query typed without them (vectorstore/diacritics.py)."""
        if self._spellings is None:
            spellings: dict[str, set[str]] = {}
            for segment in self.segments:
                for key in segment.postings["accented"].keys:
                    spellings.setdefault(strip_diacritics(key), set()).add(key)
            self._spellings = {key: sorted(found) for key, found in spellings.items()}
        return self._spellings.get(folded, [])

    # --- search ----------------------------------------------------------------
    def _scores(self, query: str, population: Population = None) -> np.ndarray:
        """BM25 of every row as bm25s scores it over the chunks of ``population`` alone (every live chunk without
        one; other rows 0): an unknown query token adds nothing, a repeated one adds its share once per repeat."""
        last = self._last_scores
        if last is not None and last[0] == (query, population):
            return last[1]
        name = "accented" if has_diacritics(query) else "folded"
        tokens = accented_tokens(query) if name == "accented" else folded_tokens(query)
        statistics = self._statistics_of(population)
        count, mean_length = statistics.count, self._mean_length(statistics, name)
        scores = np.zeros(self._starts()[-1])
        for token, repeats in Counter(tokens).items():
            postings = self._live_postings(name, token, statistics.mask)
            weight = repeats * _idf(count, sum(len(rows) for _, _, rows, _ in postings))
            for offset, segment, rows, counts in postings:
                frequency = counts.astype(np.float64)
                norm = K1 * (1 - B + B * segment.lengths[name][rows] / mean_length)
                scores[offset + rows] += weight * frequency / (frequency + norm)
        self._last_scores = ((query, population), scores)
        return scores

    def search(
        self, query: str, k: int, allowed: Collection[str] | None = None, sources: Collection[str] | None = None,
        population: Population = None,
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score over ``population``) of the best ``k`` chunks of ``population`` with a positive
        score, among the ``allowed`` chunks and the chunks of ``sources`` when given; ties go by chunk id."""
        if not len(self):
            return []
        scores = self._scores(query, population)
        keep = scores > 0
        if sources is not None:
            keep &= self._mask_of(sources)
        if allowed is None:
            places = np.flatnonzero(keep)
        else:
            places = np.fromiter((found[0] for chunk_id in allowed if (found := self._locate(chunk_id))), np.int64)
            places = places[keep[places]]
        if len(places) > k:
            cut = np.partition(scores[places], len(places) - k)[len(places) - k]
            places = places[scores[places] >= cut]
        best = sorted((-float(scores[place]), self._id_at(int(place))) for place in places)[:k]
        return [(chunk_id, -negative) for negative, chunk_id in best]

    def scores(self, query: str, ids: Iterable[str], population: Population = None) -> dict[str, float]:
        """BM25 scores over ``population`` of given chunks (0 when unknown or outside it), for chunks the dense side found."""
        scores = self._scores(query, population)
        return {chunk_id: float(scores[found[0]]) if (found := self._locate(chunk_id)) else 0.0 for chunk_id in ids}
