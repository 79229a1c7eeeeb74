"""Which text is in force, read from the library's own relations ("thay thế", "bãi bỏ", …).

A question naming a document the library no longer holds but which a library document
replaces is answered from the replacement, with a note saying why; a question naming
a document that no library text holds, replaces or even cites is told which document
is missing instead of being answered from another one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.docnumbers import KIND_BY_CODE, KIND_LABELS_VI, parse_numbers, query_reference_keys, reference_keys
from vectorstore import Searcher
from vectorstore.records import ChunkMeta

REPLACING = ("thay thế", "bãi bỏ")


@dataclass(frozen=True)
class Redirect:
    named: str  # the number the question used, e.g. "01-HD/TW"
    verb: str
    by: ChunkMeta  # the library document that replaces it

    @property
    def note(self) -> str:
        when = f", có hiệu lực từ {_day(self.by.in_force)}" if self.by.in_force else ""
        return (f"Văn bản {self.named} mà câu hỏi nêu đã bị {self.verb} bởi {self.by.title} (số {self.by.number}{when}); "
                f"câu trả lời dựa trên văn bản đang có hiệu lực.")


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
    catalogue = searcher.catalogue()
    held = {key for meta in catalogue if meta.number for key in reference_keys(meta.number)}
    # Only a full number ("24-QĐ/TW") is sure to name a document: "kế hoạch 2025" may be a plan of a year.
    written_in_full = {found.key for found in parse_numbers(question)}
    redirects, missing = [], []
    for key in sorted(keys):
        if key in held:
            continue
        replacing = [(verb, meta) for meta in catalogue for verb, target in meta.relation_list()
                     if verb in REPLACING and key in reference_keys(target)]
        if replacing:
            verb, meta = replacing[0]
            redirects.append(Redirect(_display(key, question), verb, meta))
        elif key in written_in_full and not searcher.refers_to({key}):
            missing.append(_display(key, question))
    return NamedDocuments(redirects, missing)


def superseded_notes(numbers: list[str], searcher: Searcher) -> list[str]:
    """A note for each cited document that another library document replaces or repeals."""
    notes = []
    catalogue = searcher.catalogue()
    for number in dict.fromkeys(n for n in numbers if n):
        keys = reference_keys(number)
        for meta in catalogue:
            for verb, target in meta.relation_list():
                if verb in REPLACING and keys & reference_keys(target):
                    notes.append(f"Văn bản {number} được trích dẫn đã bị {verb} bởi {meta.number}; hãy đối chiếu văn bản đang có hiệu lực.")
    return notes
