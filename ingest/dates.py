"""Find the date a document is about, from the Vietnamese ways of writing one.

Forms seen: "20/5/2025", "06/08/2013", "ngày 12/01/2024", "14.9" (year taken
from elsewhere in the text), "ngày 26 tháng 5 năm 2025", "20-5-2025". Dates
that belong to a referenced document ("Kế hoạch số 60-KH/ĐUHV ngày 13/3/2025")
describe that document, not this one, so they are passed over.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from ingest.docnumbers import number_spans

_FULL_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/])")
_WORDS = re.compile(
    r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE
)
_DAY_MONTH = re.compile(  # "ngày 14.9", "chiều 6/11", "sáng ngày 20/5"
    r"(?:(?:sáng|chiều|tối|trưa)\s+(?:ngày\s+)?|ngày\s+)(\d{1,2})[./](\d{1,2})(?![./]?\d)", re.IGNORECASE
)
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_DOC_REFERENCE = re.compile(
    r"(?:số\s+)?\d+[-/][A-ZĐ]{1,4}(?:/[A-ZĐ&-]+)+\s*,?\s*(?:ngày\s*)?$", re.IGNORECASE
)
_EVENT_CUE = re.compile(r"(sáng|chiều|tối|trưa|vào)\s+(ngày\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class FoundDate:
    value: date
    start: int
    text: str
    event_cue: bool


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> list[FoundDate]:
    """Every date in the text, in order, skipping those of referenced documents."""
    found: list[FoundDate] = []
    default_year = _most_common_year(text)
    matches = [(m, (int(m[4]), int(m[3]), int(m[1]))) for m in _FULL_NUMERIC.finditer(text)]
    matches += [(m, (int(m[3]), int(m[2]), int(m[1]))) for m in _WORDS.finditer(text)]
    if default_year:
        matches += [(m, (default_year, int(m[2]), int(m[1]))) for m in _DAY_MONTH.finditer(text)]
    for match, (year, month, day) in matches:
        value = _safe_date(year, month, day)
        if value is None:
            continue
        before = text[max(0, match.start() - 40) : match.start()]
        if _DOC_REFERENCE.search(before):
            continue
        cue = bool(_EVENT_CUE.search(before)) or match.group(0).lower().startswith(("sáng", "chiều", "tối", "trưa"))
        found.append(FoundDate(value, match.start(), match.group(0), cue))
    return sorted(found, key=lambda item: item.start)


def reference_dates(text: str) -> dict[str, date]:
    """The date written right after a document number ("24-QĐ/TW, ngày 30/7/2021"), by number key:
    how a question dates a text the library does not hold."""
    dated = {}
    for _, end, number in number_spans(text):
        after = re.match(r"\s*,?\s*(?:ban hành\s+)?(?:ngày\s*)?", text[end:])
        rest = text[end + (after.end() if after else 0) :]
        numeric, words = _FULL_NUMERIC.match(rest), _WORDS.match("ngày " + rest)
        parts = (numeric[4], numeric[3], numeric[1]) if numeric else (words[3], words[2], words[1]) if words else None
        value = _safe_date(*map(int, parts)) if parts else None
        if value:
            dated.setdefault(number.key, value)
    return dated


def _most_common_year(text: str) -> int | None:
    """The year a day-month date like "14.9" most likely belongs to."""
    years = Counter(_YEAR.findall(text[:3000]))
    return int(years.most_common(1)[0][0]) if years else None


def document_date(text: str, head_chars: int = 2500) -> date | None:
    """The date of the event or publication: a cued event date first, else the first date."""
    candidates = find_dates(text[:head_chars])
    if not candidates:
        return None
    cued = [item for item in candidates if item.event_cue]
    return (cued or candidates)[0].value
