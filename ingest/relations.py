"""What a document says of other documents and of itself: "thay thế", "bãi bỏ", "sửa đổi, bổ sung",
"hướng dẫn thi hành", and the date it comes into force.

Members still quote replaced texts (Hướng dẫn 01-HD/TW after Hướng dẫn 06-HD/TW), so
the library keeps these relations, read from the documents' own words, never typed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest.dates import find_dates
from ingest.docnumbers import first_number

VERBS = ("thay thế", "bãi bỏ", "sửa đổi, bổ sung", "hướng dẫn thi hành")
_VERB = re.compile(r"\b(thay thế|bãi bỏ|sửa đổi,? bổ sung|hướng dẫn thi hành)\b", re.IGNORECASE)
_REACH = 80  # the document named must follow the verb within this many characters ("thay thế Hướng dẫn số 01-HD/TW")
_IN_FORCE = re.compile(r"có hiệu lực(?: thi hành)?\s+(?:kể\s+)?từ\s+(ngày ký|ngày\s+\d{1,2}[/.-]\d{1,2}[/.-]\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class Relation:
    verb: str  # one of VERBS
    target: str  # canonical number of the other document, e.g. "01-HD/TW"
    sentence: str  # the words it was read from

    def encode(self) -> str:
        return f"{self.verb}={self.target}"

    @classmethod
    def decode(cls, item: str) -> Relation:
        verb, _, target = item.partition("=")
        return cls(verb, target, "")


def find_relations(text: str, own_number: str = "") -> list[Relation]:
    """Relations stated in ``text`` about other documents, each once, in order."""
    found: dict[tuple[str, str], Relation] = {}
    for match in _VERB.finditer(text):
        window = text[match.end() : match.end() + _REACH]
        named = first_number(window)
        if named is None or re.search(r"[.;]\s", window[: named[0]]):
            continue  # the verb is about something else ("đại biểu dự khuyết thay thế")
        offset, number = named
        target = number.canonical
        if target == own_number:
            continue
        verb = next(v for v in VERBS if v.replace(",", "") == match.group(1).lower().replace(",", ""))
        start = max(text.rfind(".", 0, match.start()) + 1, 0)
        end = text.find(".", match.end() + offset + len(target))
        found.setdefault((verb, target), Relation(verb, target, " ".join(text[start : end if end > 0 else None].split())))
    return list(found.values())


def in_force_from(text: str, issued: date | None) -> date | None:
    """The date the document says it takes effect ("kể từ ngày ký" is the date it was issued)."""
    match = _IN_FORCE.search(text)
    if match is None:
        return None
    if match.group(1).lower() == "ngày ký":
        return issued
    dates = find_dates(match.group(1))
    return dates[0].value if dates else None
