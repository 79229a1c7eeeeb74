"""What a document says of other documents and of itself: "thay thế", "bãi bỏ", "sửa đổi, bổ sung",
"hướng dẫn thi hành", and the date it comes into force.

Members still quote replaced texts (Hướng dẫn 01-HD/TW after Hướng dẫn 06-HD/TW), so
the library keeps these relations, read from the documents' own words, never typed in.
A text may also repeal without naming ("Các quy định trước đây trái với nội dung Quy
định này đều bãi bỏ", the close of Quy định 294-QĐ/TW): that relation targets the
whole earlier series of its kind and issuer, written "*-QĐ/TW".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest.dates import find_dates
from ingest.docnumbers import DocNumber, first_number, parse_numbers

VERBS = ("thay thế", "bãi bỏ", "sửa đổi, bổ sung", "hướng dẫn thi hành")
_VERB = re.compile(r"\b(thay thế|bãi bỏ|sửa đổi,? bổ sung|hướng dẫn thi hành)\b", re.IGNORECASE)
_REACH = 80  # the document named must follow the verb within this many characters ("thay thế Hướng dẫn số 01-HD/TW")
SERIES = "*"  # the number part of a target that stands for every earlier text of a series
_GENERAL_REPEAL = re.compile(
    r"(?:các|những)\s+(quy định|hướng dẫn|quyết định|nghị quyết|chỉ thị|văn bản)\s+(?:[^.;]{0,40}?\s)?trước đây\s+"
    r"trái với[^.;]{0,80}?(?:đều\s+)?(?:bị\s+)?(?:bãi bỏ|hết hiệu lực)",
    re.IGNORECASE,
)
_CODE_BY_KIND_WORD = {"quy định": "QĐ", "hướng dẫn": "HD", "quyết định": "QĐ", "nghị quyết": "NQ", "chỉ thị": "CT"}
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

    @property
    def is_general(self) -> bool:
        """A repeal of every earlier conflicting text of a series, none named."""
        return self.target.startswith(SERIES)

    @property
    def phrase(self) -> str:
        """How the library list and the CLI say it: "thay thế 01-HD/TW"."""
        if self.is_general:
            return f"{self.verb} các văn bản số …{self.target[len(SERIES):]} ban hành trước đây trái với văn bản này"
        return f"{self.verb} {self.target}"

    def covers(self, number: DocNumber) -> bool:
        """Whether a general repeal reaches a text of this number's series (its kind and, when known, issuer)."""
        code, _, issuer = self.target[len(SERIES) + 1 :].partition("/")
        return self.is_general and number.code == code and number.issuer in (issuer, "")


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
    general = _general_repeal(text, own_number)
    return [*found.values(), *([general] if general else [])]


def _general_repeal(text: str, own_number: str) -> Relation | None:
    """ "Các quy định trước đây trái với … đều bãi bỏ", read against the document's own number for the series."""
    match = _GENERAL_REPEAL.search(text)
    own = parse_numbers(own_number)
    if match is None or not own:
        return None
    code = _CODE_BY_KIND_WORD.get(match.group(1).lower(), own[0].code)
    start = text.rfind(".", 0, match.start()) + 1
    return Relation("bãi bỏ", f"{SERIES}-{code}/{own[0].issuer}", " ".join(text[start : match.end()].split()) + ".")


def in_force_from(text: str, issued: date | None) -> date | None:
    """The date the document says it takes effect ("kể từ ngày ký" is the date it was issued)."""
    match = _IN_FORCE.search(text)
    if match is None:
        return None
    if match.group(1).lower() == "ngày ký":
        return issued
    dates = find_dates(match.group(1))
    return dates[0].value if dates else None
