"""Describe a document: title, date, kind, number, issuing body, organisation.

These fields feed citations ("Quy định 294-QĐ/TW, 26/05/2025, tr. 3") and the
search filters, so each is inferred from the text the way a reader would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ingest.dates import document_date
from ingest.docnumbers import KIND_LABELS_VI, DocNumber, own_number, parse_numbers

_KIND_HEADINGS = {
    "NGHỊ QUYẾT": "resolution",
    "QUY ĐỊNH": "regulation",
    "QUYẾT ĐỊNH": "decision",
    "HƯỚNG DẪN": "guideline",
    "CHỈ THỊ": "directive",
    "KẾT LUẬN": "conclusion",
    "KẾ HOẠCH": "plan",
    "BÁO CÁO": "report",
    "THÔNG BÁO": "notice",
    "TỜ TRÌNH": "submission",
    "ĐIỀU LỆ": "charter",
}
# Kinds whose numbered provisions (Điều, khoản, điểm) members cite, with or without a document number.
PROVISION_KINDS = frozenset({"regulation", "guideline", "resolution", "directive", "decision", "conclusion", "charter"})
_ORGANISATION = re.compile(
    r"\b((?:Chi bộ|Đảng bộ|Đảng ủy|Đảng uỷ)\s+[^,.;:()\n]{3,70}?)"
    r"(?=\s+(?:đã|tổ chức|nhiệm kỳ|long trọng|sinh hoạt|ngày|tại|về|trình bày|cùng)\b|[,.;:()\n])"
)
_TERM = re.compile(r"nhiệm kỳ\s+(\d{4})\s*[-–]\s*(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class DocumentMeta:
    title: str
    date: date | None
    kind: str
    number: str = ""
    issuer: str = ""
    organisation: str = ""
    term: str = ""
    references: list[str] = field(default_factory=list)


def _heading_kind(lines: list[str]) -> tuple[str, str]:
    """(kind, subject) from an upper-case kind heading such as "QUY ĐỊNH" + next lines."""
    for index, line in enumerate(lines[:40]):
        kind = _KIND_HEADINGS.get(line.strip().rstrip("."))
        if kind:
            subject = []
            for following in lines[index + 1 : index + 4]:
                if not following.isupper():
                    break
                subject.append(following.strip())
            return kind, " ".join(subject)
    return "", ""


def _proper_case(heading: str) -> str:
    """An upper-case heading as a name is written: "ĐẢNG CỘNG SẢN VIỆT NAM" → "Đảng Cộng sản Việt Nam".

    Vietnamese capitalises the first syllable of a name's parts; the few names headings carry are spelled out."""
    known = {"ĐẢNG CỘNG SẢN VIỆT NAM": "Đảng Cộng sản Việt Nam"}
    return known.get(heading.strip(), heading.strip().capitalize())


def _first_title_line(lines: list[str]) -> str:
    for line in lines[:10]:
        candidate = line.strip()
        if 8 <= len(candidate) <= 250:
            return candidate
    return ""


def describe(text: str, title_hint: str = "", fallback_title: str = "") -> DocumentMeta:
    lines = [line for line in text.split("\n") if line.strip()]
    head = "\n".join(lines[:60])
    number: DocNumber | None = own_number(head)
    heading_kind, subject = _heading_kind(lines)
    kind = number.kind if number else heading_kind or "news"
    if number:
        label = KIND_LABELS_VI.get(kind, "Văn bản")
        title = f"{label} số {number.canonical}" + (f" – {subject}" if subject else "")
    elif heading_kind and subject:  # "ĐIỀU LỆ" / "ĐẢNG CỘNG SẢN VIỆT NAM": the kind names it
        title = f"{KIND_LABELS_VI.get(heading_kind, 'Văn bản')} {_proper_case(subject)}"
    else:
        title = title_hint.strip() or _first_title_line(lines) or fallback_title
    # A numbered document's issuing body heads its first page ("BAN CHẤP HÀNH TRUNG ƯƠNG").
    organisation = lines[0].strip() if number and lines and lines[0].isupper() else ""
    if not organisation:
        found = _ORGANISATION.search(head)
        organisation = found.group(1).strip(" -–") if found else ""
    term = _TERM.search(text[:3000])
    references = [found.canonical for found in parse_numbers(text) if not number or found.key != number.key]
    return DocumentMeta(
        title=title,
        date=document_date(text),
        kind=kind,
        number=number.canonical if number else "",
        issuer=number.issuer if number else "",
        organisation=organisation,
        term=f"{term[1]}–{term[2]}" if term else "",
        references=references,
    )
