"""Which text is in force, read from the library's own relations ("thay thế", "bãi bỏ", …).

A question naming a document the library no longer holds but which a library document
replaces is answered from the replacement, with a note saying why; a question naming
a document that no library text holds, replaces or even cites is told which document
is missing instead of being answered from another one. A text that repeals "các quy định
trước đây trái với …" without naming them answers for an earlier text of its series: earlier
by the date the question gives, else by a lower number (the note says which, and what to do
if that is wrong).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ingest.dates import reference_dates
from ingest.docnumbers import (
    KIND_BY_CODE,
    KIND_LABELS_VI,
    DocNumber,
    from_key,
    parse_numbers,
    query_reference_keys,
    reference_keys,
)
from ingest.relations import Relation
from vectorstore import Searcher
from vectorstore.records import ChunkMeta

REPLACING = ("thay thế", "bãi bỏ")


@dataclass(frozen=True)
class Redirect:
    named: str  # the number the question used, e.g. "01-HD/TW"
    relation: Relation
    by: ChunkMeta  # the library document that replaces it
    named_date: date | None = None  # the named text's date, as the question gives it

    @property
    def note(self) -> str:
        when = f", có hiệu lực từ {_day(self.by.in_force)}" if self.by.in_force else ""
        if not self.relation.is_general:
            return (f"Văn bản {self.named} mà câu hỏi nêu đã bị {self.relation.verb} bởi {self.by.title} (số {self.by.number}{when}); "
                    f"câu trả lời dựa trên văn bản đang có hiệu lực.")
        issued = f" ngày {_day(self.by.date)}" if self.by.date else ""
        earlier = (f"ban hành ngày {self.named_date.day}/{self.named_date.month}/{self.named_date.year}, trước văn bản đó"
                   if self.named_date else "mang số nhỏ hơn trong cùng loại văn bản nên được coi là ban hành trước "
                   "(nếu không phải vậy, cần bổ sung văn bản đó vào thư viện để đối chiếu)")
        return (f"Thư viện không có văn bản {self.named}. {self.by.title} (số {self.by.number}{issued}{when}) bãi bỏ các văn bản "
                f"cùng loại ban hành trước đây trái với nội dung của nó; {self.named} {earlier}. "
                f"Câu trả lời dựa trên văn bản đang có hiệu lực.")


@dataclass(frozen=True)
class NamedDocuments:
    redirects: list[Redirect]
    missing: list[str]  # numbers no library document holds, replaces or cites


def _day(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day)}/{int(month)}/{year}"


def _display(key: str, question: str) -> str:
    """The number as the question wrote it ("01-HD/TW"), or the key ("6-HD", "Hướng dẫn 6")."""
    for found in parse_numbers(question):
        if found.key == key:
            return found.canonical
    number, _, code = key.partition("-")
    kind = KIND_BY_CODE.get(code.split("/")[0], "document")
    return key if "/" in code else f"{KIND_LABELS_VI[kind]} {number}"


def named_documents(question: str, searcher: Searcher) -> NamedDocuments:
    keys = query_reference_keys(question)
    if not keys:
        return NamedDocuments([], [])
    catalogue = searcher.documents()
    held = {key for meta in catalogue if meta.number for key in reference_keys(meta.number)}
    # Only a full number ("24-QĐ/TW") is sure to name a document: "kế hoạch 2025" may be a plan of a year.
    written_in_full = {found.key for found in parse_numbers(question)}
    dated = reference_dates(question)
    redirects, missing = [], []
    for key in sorted(keys):
        if key in held or any(r.named == _display(key, question) for r in redirects):
            continue
        if superseding := _superseding({key}, from_key(key), dated.get(key), catalogue):
            relation, meta = superseding[0]
            redirects.append(Redirect(_display(key, question), relation, meta, dated.get(key)))
        elif key in written_in_full and not searcher.refers_to({key}):
            missing.append(_display(key, question))
    return NamedDocuments(redirects, missing)


def _superseding(keys: set[str], named: DocNumber | None, named_date: date | None, catalogue: list[ChunkMeta]) -> list[tuple[Relation, ChunkMeta]]:
    """The library documents that take a text out of force, with how: those replacing or repealing it by number
    first, then those repealing every earlier conflicting text of its series."""
    relations = [(relation, meta) for meta in catalogue for relation in meta.relation_list()]
    by_number = [(relation, meta) for relation, meta in relations if relation.verb in REPLACING and keys & reference_keys(relation.target)]
    general = [(relation, meta) for relation, meta in relations
               if named is not None and relation.covers(named) and _earlier(named, named_date, meta)]
    return by_number + general


def _earlier(named: DocNumber, named_date: date | None, than: ChunkMeta) -> bool:
    """Whether the named text came before a library text of its series: by date when the question
    gives one, else by number (a series is numbered in order within a term)."""
    if named_date is not None:
        return bool(than.date) and named_date < date.fromisoformat(than.date)
    own = parse_numbers(than.number)
    return bool(own) and int(named.number) < int(own[0].number)


def superseded_notes(numbers: list[str], searcher: Searcher) -> list[str]:
    """A note for each cited document that another library document replaces or repeals."""
    notes = []
    catalogue = searcher.documents()
    dates = {meta.number: date.fromisoformat(meta.date) for meta in catalogue if meta.number and meta.date}
    for number in dict.fromkeys(n for n in numbers if n):
        cited = parse_numbers(number)
        for relation, meta in _superseding(reference_keys(number), cited[0] if cited else None, dates.get(number), catalogue):
            if relation.is_general:
                notes.append(f"{meta.number} bãi bỏ các văn bản cùng loại ban hành trước đây trái với nội dung của nó; "
                             f"những nội dung của {number} trái với {meta.number} không còn hiệu lực.")
            else:
                notes.append(f"Văn bản {number} được trích dẫn đã bị {relation.verb} bởi {meta.number}; "
                             "hãy đối chiếu văn bản đang có hiệu lực.")
    return notes
