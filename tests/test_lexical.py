"""The lexical index against brute force and bm25s, on the seed articles' paragraphs, through adds,
removals, merges, saves and a save that fails half way."""

from __future__ import annotations

import math
from pathlib import Path

import bm25s
import pytest

from settings import PROJECT_ROOT
from vectorstore import lexical as lexical_module
from vectorstore.lexical import Entry, LexicalIndex, Passage, make_entry
from vectorstore.tokenize import accented_tokens, folded_tokens, has_diacritics

# Repeated tokens ("đảng" twice), a token no paragraph holds ("xyzqw"), and both fields.
QUERIES = ("đảng viên chi bộ đảng", "kết nạp đảng viên mới xyzqw", "Đại hội nhiệm kỳ", "dang vien chi bo", "hoi nghi tong ket")

Entries = dict[str, Entry]


@pytest.fixture(scope="module")
def entries() -> Entries:
    """One entry per paragraph of the seed articles; each article cites a number key of its own, and every
    third paragraph holds part of a provision ("Điều 1".."Điều 4", a paragraph of two of them now and then)."""
    made: Entries = {}
    for path in sorted((PROJECT_ROOT / "corpus").glob("[0-9][0-9][0-9]_*.txt")):
        paragraphs = [part for part in path.read_text(encoding="utf-8").split("\n\n") if part.strip()]
        for number, paragraph in enumerate(paragraphs):
            clauses = [f"Điều {number % 4 + 1}", *(["Điều 9"] if number % 7 == 0 else [])] if number % 3 == 0 else []
            passage = Passage(f"{path.stem}-{number:03d}", paragraph, clauses)
            made[passage.id] = make_entry(path.name, passage, {f"key-{path.stem}"} if number % 2 else set())
    assert len(made) > 50 and len({entry["source"] for entry in made.values()}) >= 5
    return made


def _sources(entries: Entries) -> list[str]:
    return sorted({entry["source"] for entry in entries.values()})


def _of(entries: Entries, source: str) -> list[str]:
    return [chunk_id for chunk_id, entry in entries.items() if entry["source"] == source]


def _assert_bm25s_scores(index: LexicalIndex, entries: Entries, live: set[str]) -> None:
    """Every live chunk's score equals what bm25s gives when it indexes exactly the live chunks."""
    assert len(index) == len(live) and index.chunk_ids() == live
    ids = sorted(live)
    for query in QUERIES:
        field = "accented" if has_diacritics(query) else "folded"
        reference = bm25s.BM25()
        reference.index([entries[chunk_id][field] for chunk_id in ids], show_progress=False)
        expected = reference.get_scores(accented_tokens(query) if field == "accented" else folded_tokens(query))
        got = index.scores(query, ids)
        assert max(abs(got[chunk_id] - float(expected[i])) for i, chunk_id in enumerate(ids)) < 1e-4, query
        assert expected.max() > 1, query  # the query does match: equal zeros would prove nothing


def test_scores_equal_bm25s_over_the_live_chunks(tmp_path: Path, entries: Entries, monkeypatch) -> None:
    index = LexicalIndex(tmp_path / "lexical")
    for chunk_id, entry in entries.items():  # one paragraph at a time: size tiers fill up and merge
        index.add_entries([(chunk_id, entry)])
    assert len(index.segments) < len(entries) / lexical_module.FANOUT
    live = set(entries)
    _assert_bm25s_scores(index, entries, live)

    monkeypatch.setattr(lexical_module, "FANOUT", len(entries))  # no more tier merges: removed rows stay, dead
    first, second = _sources(entries)[:2]
    removed = _of(entries, first)[:3] + _of(entries, second)[:2]
    index.remove_ids(removed)
    live -= set(removed)
    assert sum(segment.dead for segment in index.segments) > 0  # some rows only marked dead so far
    _assert_bm25s_scores(index, entries, live)

    index.save()
    reopened = LexicalIndex(tmp_path / "lexical")
    _assert_bm25s_scores(reopened, entries, live)

    more = _of(entries, first)[3:-1]  # past the dead share: the segments holding them are rewritten without
    reopened.remove_ids(more)
    live -= set(more)
    assert sum(segment.dead for segment in reopened.segments) < len(removed) + len(more)
    _assert_bm25s_scores(reopened, entries, live)
    reopened.add_entries((chunk_id, entries[chunk_id]) for chunk_id in removed)  # back in, as a new segment
    live |= set(removed)
    _assert_bm25s_scores(reopened, entries, live)


def test_a_populations_scores_are_those_of_an_index_of_its_chunks_alone(tmp_path: Path, entries: Entries) -> None:
    """Scored for a population (the documents a reader's scope admits), a chunk scores exactly what an index of that
    population's chunks alone gives it, and a chunk outside it scores 0: the rest of the index moves nothing."""
    index = LexicalIndex(tmp_path / "all")
    for source in _sources(entries):
        index.add_entries((chunk_id, entries[chunk_id]) for chunk_id in _of(entries, source))
    population = frozenset(_sources(entries)[::2])
    alone = LexicalIndex(tmp_path / "alone")
    alone.add_entries((chunk_id, entry) for chunk_id, entry in entries.items() if entry["source"] in population)
    ids = sorted(entries)
    tokens = {t for entry in entries.values() for t in entry["folded"]}

    def check() -> None:
        for query in QUERIES:
            assert index.scores(query, ids, population) == alone.scores(query, ids), query
            assert index.search(query, 10, population=population) == alone.search(query, 10), query
            assert index.search(query, 10) != alone.search(query, 10), query  # the whole index does differ
        for token in [*sorted(tokens)[::5], "xyzqw"]:
            assert index.idf(token, True, population) == alone.idf(token, True), token

    check()
    gone = [chunk_id for chunk_id in ids if entries[chunk_id]["source"] in population][::4]
    for opened in (index, alone):
        opened.remove_ids(gone)  # dead rows, or segments rewritten without them
    check()


def test_a_removed_document_is_never_found(tmp_path: Path, entries: Entries) -> None:
    index = LexicalIndex(tmp_path / "lexical")
    for source in _sources(entries):
        index.add_entries((chunk_id, entries[chunk_id]) for chunk_id in _of(entries, source))
    gone = _sources(entries)[-1]
    ids = set(_of(entries, gone))
    query = " ".join(entries[chunk_id]["accented"][0] for chunk_id in sorted(ids))  # words of its own paragraphs
    assert ids & {chunk_id for chunk_id, _ in index.search(query, len(entries))}

    index.replace_source(gone, [], [], set())  # a document now without chunks: all of them go
    index.save()
    for opened in (index, LexicalIndex(tmp_path / "lexical")):
        assert not ids & {chunk_id for chunk_id, _ in opened.search(query, len(entries))}
        assert opened.search(query, len(entries), allowed=ids) == []
        assert set(opened.scores(query, ids).values()) == {0.0}
        assert not ids & opened.chunk_ids() and not any(chunk_id in opened for chunk_id in ids)
        assert len(opened) == len(entries) - len(ids)


def test_referring_to_and_idf_agree_with_brute_force(tmp_path: Path, entries: Entries) -> None:
    index = LexicalIndex(tmp_path / "lexical")
    for source in _sources(entries):
        index.add_entries((chunk_id, entries[chunk_id]) for chunk_id in _of(entries, source))
    live = set(entries)
    keys = sorted({key for entry in entries.values() for key in entry["refs"]})

    def check(opened: LexicalIndex) -> None:
        for key in keys:
            assert opened.referring_to({key}) == {chunk_id for chunk_id in live if key in entries[chunk_id]["refs"]}, key
        assert opened.referring_to(set(keys[:3])) == {c for c in live if set(keys[:3]) & set(entries[c]["refs"])}
        some = set(_sources(entries)[::2])
        for label in ("Điều 1", "Điều 4", "Điều 9"):
            holding = {chunk_id for chunk_id in live if label in entries[chunk_id]["clauses"]}
            assert holding and opened.holding_clause(label) == holding, label
            assert opened.holding_clause(label, some) == {c for c in holding if entries[c]["source"] in some}, label
        assert opened.referring_to(set(keys), some) == {c for c in live if entries[c]["refs"] and entries[c]["source"] in some}
        assert opened.chunks_of(some) == {c for c in live if entries[c]["source"] in some}
        for field, folded in (("accented", False), ("folded", True)):
            for token in [*sorted({t for c in live for t in entries[c][field]})[::7], "xyzqw"]:
                frequency = sum(token in entries[chunk_id][field] for chunk_id in live)
                expected = math.log(1 + (len(live) - frequency + 0.5) / (frequency + 0.5))
                assert opened.idf(token, folded) == pytest.approx(expected), token

    assert len(keys) >= 5
    check(index)
    removed = [chunk_id for chunk_id in sorted(entries) if entries[chunk_id]["refs"]][::3]
    index.remove_ids(removed)
    live -= set(removed)
    check(index)
    index.save()
    check(LexicalIndex(tmp_path / "lexical"))


def _state(index: LexicalIndex) -> tuple:
    return index.chunk_ids(), [index.search(query, 5) for query in QUERIES]


@pytest.mark.parametrize("stage", ["segment", "manifest"])
def test_an_interrupted_save_leaves_the_previous_index(tmp_path: Path, entries: Entries, monkeypatch, stage: str) -> None:
    folder = tmp_path / "lexical"
    first, *rest = _sources(entries)
    index = LexicalIndex(folder)
    for source in rest:
        index.add_entries((chunk_id, entries[chunk_id]) for chunk_id in _of(entries, source))
    index.save()
    saved = _state(LexicalIndex(folder))

    index.add_entries((chunk_id, entries[chunk_id]) for chunk_id in _of(entries, first))
    index.remove_ids(_of(entries, rest[0]))
    changed = _state(index)
    assert changed != saved

    def half_written(_segment, staging: Path) -> None:
        staging.mkdir(parents=True)
        (staging / "arrays.bin").write_bytes(b"\0" * 64)
        raise OSError("disk full")

    def crash(*_args) -> None:
        raise OSError("power cut")

    if stage == "segment":
        monkeypatch.setattr(lexical_module, "_write_segment", half_written)
    else:
        monkeypatch.setattr(lexical_module.os, "replace", crash)
    with pytest.raises(OSError):
        index.save()
    assert _state(LexicalIndex(folder)) == saved

    monkeypatch.undo()
    index.save()  # the next save completes the change and clears what the failed one left
    assert _state(LexicalIndex(folder)) == changed
    assert not list(folder.glob("*.tmp"))


def test_a_save_writes_only_what_changed(tmp_path: Path, entries: Entries) -> None:
    folder = tmp_path / "lexical"
    last, *rest = reversed(_sources(entries))
    index = LexicalIndex(folder)
    index.add_entries((chunk_id, entries[chunk_id]) for source in rest for chunk_id in _of(entries, source))
    index.save()
    base = {item.name: item.stat().st_mtime_ns for item in folder.iterdir() if item.is_dir()}
    assert len(base) == 1

    index.add_entries((chunk_id, entries[chunk_id]) for chunk_id in _of(entries, last))
    index.save()
    folders = {item.name: item.stat().st_mtime_ns for item in folder.iterdir() if item.is_dir()}
    assert len(folders) == 2 and {name: folders[name] for name in base} == base  # the new document's segment only

    index.remove_ids(_of(entries, rest[0])[:1])
    index.save()
    assert {item.name: item.stat().st_mtime_ns for item in folder.iterdir() if item.is_dir()} == folders
    assert len(list(folder.glob("*.dead-1.npy"))) == 1  # the removal is a small file of dead rows

    largest = max(rest, key=lambda source: len(_of(entries, source)))
    base_rows = len(index.segments[0].ids)
    assert len(_of(entries, largest)) > lexical_module.DEAD_SHARE * base_rows
    index.remove_ids(_of(entries, largest))  # past the dead share: the base is rewritten without them
    assert [segment.dead for segment in index.segments] == [0, 0]
    assert len(index.segments[0].ids) == base_rows - 1 - len(_of(entries, largest))


def test_an_empty_index_scores_every_chunk_zero(tmp_path: Path) -> None:
    """Chunks the dense side found while the lexical index holds none (an empty store): zero, not an error."""
    index = LexicalIndex(tmp_path / "bm25")
    assert index.scores("kết nạp đảng viên", ["a", "b"]) == {"a": 0.0, "b": 0.0}
    assert index.search("kết nạp đảng viên", 5) == []
