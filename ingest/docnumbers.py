"""Party document numbers (số hiệu) such as "101-QĐ/TW" or "60-KH/ĐUHV".

Members name documents by number far more often than by title, so the number,
the kind it encodes and the issuing body are extracted, and so are the numbers
of the documents a text refers to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KIND_BY_CODE: dict[str, str] = {
    "NQ": "resolution",
    "QĐ": "regulation",
    "QC": "regulation",
    "CT": "directive",
    "KL": "conclusion",
    "KH": "plan",
    "HD": "guideline",
    "BC": "report",
    "TB": "notice",
    "CV": "letter",
    "TTr": "submission",
    "QyĐ": "decision",
}

KIND_LABELS_VI: dict[str, str] = {
    "resolution": "Nghị quyết",
    "regulation": "Quy định",
    "directive": "Chỉ thị",
    "conclusion": "Kết luận",
    "plan": "Kế hoạch",
    "guideline": "Hướng dẫn",
    "report": "Báo cáo",
    "notice": "Thông báo",
    "letter": "Công văn",
    "submission": "Tờ trình",
    "decision": "Quyết định",
    "charter": "Điều lệ",
    "news": "Tin tức",
    "document": "Tài liệu",
}

_NUMBER = re.compile(
    r"(?<![\w/-])(\d{1,4})\s?[-–—]\s?(NQ|QĐ|QD|CT|KL|KH|HD|BC|TB|CV|TTr|QyĐ|QC)\s?/\s?"
    r"([A-ZĐ][A-ZĐ0-9&]*(?:-[A-ZĐ0-9&]+)*)(?![\w])"
)


@dataclass(frozen=True)
class DocNumber:
    number: str  # as written, leading zeros kept: "01"
    code: str
    issuer: str

    @property
    def canonical(self) -> str:
        return f"{self.number}-{self.code}/{self.issuer}"

    @property
    def key(self) -> str:
        """Matching key: "01-KL/TW" and "1-KL/TW" are the same document."""
        return f"{int(self.number)}-{self.code}/{self.issuer}"

    @property
    def loose_key(self) -> str:
        """Without the issuer: what a member types ("QĐ 101", "Quy định 101")."""
        return f"{int(self.number)}-{self.code}"

    @property
    def kind(self) -> str:
        return KIND_BY_CODE.get(self.code, "document")


def number_spans(text: str) -> list[tuple[int, int, DocNumber]]:
    """Every document number in the text with where it starts and ends."""
    return [(match.start(), match.end(), DocNumber(match[1], "QĐ" if match[2] == "QD" else match[2], match[3]))
            for match in _NUMBER.finditer(text)]


def parse_numbers(text: str) -> list[DocNumber]:
    """All distinct document numbers in the text, in order of first appearance."""
    seen: dict[str, DocNumber] = {}
    for _, _, found in number_spans(text):
        seen.setdefault(found.key, found)
    return list(seen.values())


def from_key(key: str) -> DocNumber:
    """The number a matching key stands for ("24-QĐ/TW", or "24-QĐ" without the issuer)."""
    number, _, rest = key.partition("-")
    code, _, issuer = rest.partition("/")
    return DocNumber(number, code, issuer)


def first_number(text: str) -> tuple[int, DocNumber] | None:
    """The first document number in ``text`` and where it starts."""
    match = _NUMBER.search(text)
    return (match.start(), parse_numbers(match.group(0))[0]) if match else None


def own_number(head: str) -> DocNumber | None:
    """The number a document carries itself: "Số 294-QĐ/TW" in its header."""
    header = re.search(r"Số[:\s]+(\d{1,4}\s?-[^\s,]+)", head[:1500])
    if header:
        numbers = parse_numbers(header.group(1))
        if numbers:
            return numbers[0]
    return None


_CODE_BY_WORD = {
    "nghị quyết": "NQ",
    "quy định": "QĐ",
    "quyết định": "QĐ",
    "chỉ thị": "CT",
    "kết luận": "KL",
    "kế hoạch": "KH",
    "hướng dẫn": "HD",
    "báo cáo": "BC",
    "thông báo": "TB",
    "công văn": "CV",
}
_LOOSE = re.compile(
    r"\b(" + "|".join([*_CODE_BY_WORD, *KIND_BY_CODE, "QD"]) + r")\s*(?:số\s*)?(\d{1,4})(?![\d/-])"
    # "chi bộ tự quy định 3 tháng mới sinh hoạt": a number of something, not Quy định số 3
    r"(?!\s*(?:tháng|năm|ngày|tuần|lần|giờ|tuổi|người|đảng viên|%|phần trăm)\b)",
    re.IGNORECASE,
)


def reference_keys(text: str) -> set[str]:
    """Matching keys (full and loose) of every document number written in ``text``."""
    return {key for found in parse_numbers(text) for key in (found.key, found.loose_key)}


def query_reference_keys(query: str) -> set[str]:
    """Documents a question names: "101-QĐ/TW" exactly, or loosely "QĐ 101", "Quy định 08"."""
    keys = {found.key for found in parse_numbers(query)}
    for match in _LOOSE.finditer(query):
        word = match.group(1).lower()
        code = _CODE_BY_WORD.get(word) or ("QĐ" if word == "qd" else next((c for c in KIND_BY_CODE if c.lower() == word), ""))
        keys.add(f"{int(match.group(2))}-{code}")
    return keys


_CHARTER = re.compile(r"(?<!thi hành )(?<!thi hành các )\bđiều lệ\b", re.IGNORECASE)


def names_the_charter(query: str) -> bool:
    """ "Theo Điều lệ Đảng, …" names the Charter itself; "Quy định thi hành Điều lệ Đảng" does not."""
    return bool(_CHARTER.search(query))
