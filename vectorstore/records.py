"""The chunk metadata record: written to Chroma and read back in this one module.

Chroma stores flat dicts without None values; everything else in the code reads
a :class:`ChunkMeta`, so a field is named, typed and defaulted once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from ingest.relations import Relation

_LABEL_WIDTH = 14  # "10.6.2(đ). " and the like: how far before its title a provision's number may start


@dataclass(frozen=True)
class ChunkMeta:
    source: str  # the document's path under the corpus (its identity in the store)
    collection: str = ""  # the access collection the document belongs to
    doc_hash: str = ""
    n_chunks: int = 0
    pages: int = 0  # the document's page count (0: not paginated)
    chunk_index: int = 0
    title: str = ""
    date: str = ""  # ISO date, "" when unknown
    kind: str = ""
    number: str = ""  # the document's own number, e.g. "294-QĐ/TW"
    issuer: str = ""
    organisation: str = ""
    term: str = ""
    references: str = ""  # "; "-separated numbers of the documents it cites
    page: int = 0  # 0: not paginated
    page_end: int = 0
    paragraph: int = 0
    section: str = ""
    start: int = 0  # offsets of the chunk in its document's cleaned text
    end: int = 0
    ocr: bool = False  # the text was read by OCR from a scanned page
    added_by: str = ""  # who ingested the document (the account; "" for the shipped corpus and the CLI owner)
    added_at: str = ""  # when, ISO date and time (UTC)
    relations: str = ""  # what the document replaces, repeals, amends: "thay thế=01-HD/TW;…"
    in_force: str = ""  # the date it takes effect, ISO ("" when it does not say)
    clause: str = ""  # the provision the chunk starts in, as the document numbers it ("4.3.1", "10.6.2(đ)")
    clauses: str = ""  # provisions starting inside the chunk: "offset:label;…" (offsets within the chunk)
    embedded_as: str = ""  # fingerprint of what the vector was computed from (embedding title and text)

    def relation_list(self) -> list[Relation]:
        """The document's relations as ingestion read them (without the sentences)."""
        return [Relation.decode(item) for item in self.relations.split(";") if "=" in item]

    def openings(self) -> list[tuple[int, str]]:
        """The provisions that open inside the chunk, as (offset, label), in order."""
        return [(int(at), label) for at, _, label in (item.partition(":") for item in filter(None, self.clauses.split(";")))]

    def clause_labels(self) -> list[str]:
        """Every provision the chunk holds part of: the one it starts in and those opening inside it."""
        return list(dict.fromkeys(label for label in (self.clause, *(name for _, name in self.openings())) if label))

    def clause_at(self, offset: int) -> str:
        """The provision at ``offset`` of the chunk's text ("" when the document has none)."""
        label = self.clause
        for at, name in self.openings():
            if at <= offset:
                label = name
        return label

    def is_provision_heading(self, start: int, end: int) -> bool:
        """Whether the chunk's text between these offsets is a provision's title ("8.2. Giải quyết khiếu nại
        về xoá tên đảng viên."), its rules all in the sub-provisions that open right after: nothing to quote."""
        openings = [(0, self.clause), *self.openings()]  # a chunk cut at a provision starts with it
        titled = [label for at, label in openings if start - _LABEL_WIDTH <= at <= start]
        following = [label for at, label in openings if end <= at <= end + 4]
        return any(child.startswith((f"{parent}.", f"{parent}(")) for parent in titled for child in following)

    @property
    def date_ord(self) -> int:
        """The date as YYYYMMDD, for Chroma's numeric range filters (0 when unknown)."""
        return int(self.date.replace("-", "")) if self.date else 0

    @property
    def location(self) -> str:
        """Where in the document, as a reader says it: "trang 12" or "đoạn 3"."""
        return f"trang {self.page}" if self.page else f"đoạn {self.paragraph}"

    def to_chroma(self) -> dict[str, str | int]:
        return {**asdict(self), "date_ord": self.date_ord}

    @classmethod
    def from_chroma(cls, raw: dict[str, Any]) -> ChunkMeta:
        known = {field.name: field for field in fields(cls)}
        values = {name: raw[name] for name in known if raw.get(name) is not None}
        return cls(**values)
