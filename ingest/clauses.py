"""Numbered provisions (clauses) of Party regulations and guidelines.

Members cite provisions by number ("điểm 20.2.1", "tiết đ điểm 10.6.2",
"khoản 2 Điều 5"), so a passage is worth more when it knows which provision it
belongs to. Two numbering schemes are recognised:

* decimal points, as in Quy định 294-QĐ/TW and Hướng dẫn 06-HD/TW:
  "3.", "3.2.", "3.2.1." (the trailing dot is sometimes missing: "10.4.3 Các …"),
  lettered points "a)" … "đ)" under them;
* Điều/khoản documents (the Party Charter style): optional "Chương I",
  "Điều 5." articles, khoản "1." restarting under each article, điểm "a)".

Only line-initial numbering counts, and it must continue the sequence (next
sibling, possibly one number skipped, or the first child). That keeps
references inside sentences ("theo Tiết a, Điểm 10.6.2"), lines that a PDF
wrapped at a number ("1.000 đảng viên", "Điều 3 Điều lệ Đảng; …") and
out-of-order numbers from starting a clause.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

HEADING_CHARS = 120
_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese order: no f, j, w, z
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

_CANDIDATE = re.compile(
    r"^[ \t]*(?:"
    r"(?P<chapter>(?:Chương|CHƯƠNG)[ \t]+(?P<chapter_no>[IVXLC]+|\d{1,2}))(?![\w])"
    r"|(?P<article>Điều[ \t]+(?P<article_no>\d{1,3}))[ \t]*[.:]"
    r"|(?P<decimal>[1-9]\d{0,2}(?:\.[1-9]\d{0,2})+)\.?(?=[ \t])"
    r"|(?P<single>[1-9]\d{0,2})\.(?=[ \t])"
    r"|(?P<letter>[a-zđ])\)(?=[ \t])"
    r"|(?P<end>Nơi nhận\b)"
    r")",
    re.MULTILINE,
)


@dataclass(frozen=True)
class ClauseSpan:
    """One numbered provision: ``text[start:end]`` up to the next numbered line."""

    start: int
    end: int
    path: tuple[str, ...]  # ("20", "20.2", "20.2.1") or ("Điều 5", "2", "a")
    label: str  # "20.2.1", "10.6.2(đ)", "Điều 5, khoản 2, điểm a"
    heading: str  # the clause's first line, number included


class _Outline:
    """Where the numbering stands while reading a document top to bottom.

    ``*_seen`` remember the last number for the sequence check; the others are
    the current path, which a new chapter or article resets.
    """

    def __init__(self) -> None:
        self.mode: str | None = None  # "decimal" or "article", fixed by the first top-level number
        self.chapter: tuple[int, str] | None = None
        self.article_seen: int | None = None
        self.article: int | None = None
        self.decimal_seen: tuple[int, ...] | None = None
        self.decimal: tuple[int, ...] | None = None
        self.letter: str | None = None

    def accept(self, match: re.Match[str]) -> tuple[str, ...] | None:
        """The new path if this line-initial number continues the outline, else None."""
        if match["chapter"]:
            number = _chapter_number(match["chapter_no"])
            if not _follows(self.chapter[0] if self.chapter else None, number):
                return None
            self.chapter = (number, match["chapter"])
            self.article, self.decimal, self.letter = None, None, None
        elif match["article"]:
            number = int(match["article_no"])
            if self.mode == "decimal" or not _follows(self.article_seen, number):
                return None
            self.mode, self.article_seen, self.article = "article", number, number
            self.decimal_seen, self.decimal, self.letter = None, None, None
        elif match["decimal"] or match["single"]:
            number = tuple(int(part) for part in (match["decimal"] or match["single"]).split("."))
            if (self.mode == "article" and self.article is None) or not _continues(self.decimal_seen, number):
                return None
            self.mode = self.mode or "decimal"
            self.decimal_seen, self.decimal, self.letter = number, number, None
        else:
            letter = match["letter"]
            if self.decimal is None and self.article is None:
                return None
            previous = _LETTERS.index(self.letter) if self.letter else -1
            if letter not in _LETTERS or not 1 <= _LETTERS.index(letter) - previous <= (1 if previous < 0 else 2):
                return None
            self.letter = letter
        return self._path()

    def _path(self) -> tuple[str, ...]:
        path: list[str] = []
        if self.chapter:
            path.append(self.chapter[1])
        if self.article is not None:
            path.append(f"Điều {self.article}")
        if self.decimal:
            path.extend(".".join(map(str, self.decimal[:depth])) for depth in range(1, len(self.decimal) + 1))
        if self.letter:
            path.append(self.letter)
        return tuple(path)


def _chapter_number(written: str) -> int:
    if written.isdigit():
        return int(written)
    values = [_ROMAN[char] for char in written]
    return sum(-value if value < after else value for value, after in zip(values, [*values[1:], 0], strict=True))


def _follows(previous: int | None, number: int) -> bool:
    """The first of its kind is 1; later ones go up by one (one gap forgiven)."""
    return number == 1 if previous is None else previous < number <= previous + 2


def _continues(current: tuple[int, ...] | None, number: tuple[int, ...]) -> bool:
    """A next sibling at some depth (one gap forgiven) or the first child of the current point."""
    if current is None:
        return number == (1,)
    depth = len(number)
    if depth == len(current) + 1:
        return number[:-1] == current and number[-1] == 1
    return depth <= len(current) and number[:-1] == current[: depth - 1] and _follows(current[depth - 1], number[-1])


def _label(path: tuple[str, ...]) -> str:
    """The name a member would cite: "20.2.1", "10.6.2(đ)", "Điều 5, khoản 2, điểm a"."""
    parts = [part for part in path if not part.startswith(("Chương", "CHƯƠNG"))] or list(path)
    letter = parts[-1] if parts[-1].isalpha() else None
    numbers = parts[:-1] if letter else parts
    if not numbers[0].startswith("Điều"):
        return f"{numbers[-1]}({letter})" if letter else numbers[-1]
    label = numbers[0]
    if len(numbers) > 1:
        label += f", {'điểm' if '.' in numbers[-1] else 'khoản'} {numbers[-1]}"
    return f"{label}, điểm {letter}" if letter else label


def clause_phrase(label: str) -> str:
    """A label as a sentence cites it: "điểm 20.2.1", "tiết đ điểm 10.6.2", "Điều 5, khoản 2"; a chapter as is."""
    match = re.fullmatch(r"([\d.]+)\(([a-zđ])\)", label)
    if match:
        return f"tiết {match.group(2)} điểm {match.group(1)}"
    if label[:1].isdigit():
        return f"điểm {label}"
    return label


def _heading(text: str) -> str:
    """First line, with the title line joined when the number stands alone ("Chương I" / "ĐẢNG VIÊN")."""
    lines = [line.strip() for line in text.split("\n") if line.strip()] or [""]
    line = f"{lines[0]} {lines[1]}" if len(lines[0]) <= 12 and len(lines) > 1 else lines[0]
    if len(line) <= HEADING_CHARS:
        return line
    cut = line[:HEADING_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def parse_clauses(text: str) -> list[ClauseSpan]:
    """Innermost numbered provisions of a whole document, in order, without overlap.

    Text before the first clause gets none; the last clause stops at "Nơi nhận"
    (the distribution list that closes an official document) or the end.
    """
    outline = _Outline()
    found: list[tuple[int, tuple[str, ...]]] = []
    stop = len(text)
    for match in _CANDIDATE.finditer(text):
        if match["end"]:
            if found:
                stop = match.start("end")
                break
            continue
        path = outline.accept(match)
        if path is not None:
            found.append((_number_start(match), path))
    spans = []
    for index, (start, path) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else len(text[:stop].rstrip())
        spans.append(ClauseSpan(start, end, path, _label(path), _heading(text[start:end])))
    return spans


def _number_start(match: re.Match[str]) -> int:
    """Offset of the number itself, past any indentation."""
    return match.start() + len(match.group()) - len(match.group().lstrip(" \t"))


def clause_at(spans: list[ClauseSpan], offset: int) -> ClauseSpan | None:
    """The clause holding ``offset`` (spans as returned by ``parse_clauses``)."""
    index = bisect.bisect_right([span.start for span in spans], offset) - 1
    if index < 0 or offset >= spans[index].end:
        return None
    return spans[index]


def heading_chain(spans: list[ClauseSpan], span: ClauseSpan) -> list[str]:
    """Headings of the clause's ancestors, outermost first: context for a passage
    whose own lines do not say what it is about ("3. Điều 4: … > 3.2. (Khoản 2): …")."""
    by_path = {other.path: other for other in spans}
    return [by_path[span.path[:depth]].heading for depth in range(1, len(span.path)) if span.path[:depth] in by_path]


# --- clauses named in a question -------------------------------------------------

_DEC = r"[1-9]\d{0,2}(?:\.[1-9]\d{0,2})*"
_KEYWORD = r"(?:tiểu\s+mục|tieu\s+muc|điểm|diem|mục|muc|khoản|khoan|tiết|tiet)"
_Q_DECIMAL = re.compile(rf"(?<![\w.]){_KEYWORD}\s+(?:số\s+|so\s+)?({_DEC})(?![\d])(?!\.\d)", re.IGNORECASE)
_Q_BARE = re.compile(r"(?<![\w.])([1-9]\d?(?:\.[1-9]\d?){2,})(?![\w])(?!\.\d)")
_Q_LETTER_AFTER = re.compile(
    rf"^(?:\s*\(\s*([a-zđ])\s*\)|\.([a-zđ])(?![\w])|,?\s*{_KEYWORD}\s+([a-zđ])(?![\w]))", re.IGNORECASE
)
_Q_LETTER = re.compile(r"(?<![\w])(?:tiết|tiet|điểm|diem)\s+([a-zđ])(?![\w])", re.IGNORECASE)
_Q_LETTER_BEFORE = re.compile(
    r"(?<![\w])(?:tiết|tiet|điểm|diem)\s+([a-zđ])[\s,]*(?:(?:của|thuộc|cua|thuoc)\s+)?$", re.IGNORECASE
)
_Q_ARTICLE = re.compile(r"(?<![\w])(?:điều|dieu)\s+(\d{1,3})(?![\d])", re.IGNORECASE)
_Q_KHOAN = re.compile(r"(?<![\w])(?:khoản|khoan)\s+(\d{1,2})(?!\d)(?!\.\d)", re.IGNORECASE)
_Q_DOC_FULL = re.compile(r"(?<![\w/-])(\d{1,4})\s?-\s?(?:QĐ|QD|HD|NQ|CT|KL|KH|QC|BC|TB)\s?/", re.IGNORECASE)
_Q_DOC_LOOSE = re.compile(
    r"(?<![\w])(?:quy\s+định|quy\s+dinh|qđ|qd|hướng\s+dẫn|huong\s+dan|hd|nghị\s+quyết|nghi\s+quyet|nq"
    r"|chỉ\s+thị|chi\s+thi|ct|kết\s+luận|ket\s+luan|kl)\s*(?:số\s*|so\s*)?(\d{1,4})(?!\d)(?!\.\d)",
    re.IGNORECASE,
)


def clause_query(question: str) -> tuple[str, str | None] | None:
    """The clause a question names, as a ``ClauseSpan.label``, and the document
    number written with it ("294", "06") if any.

    "điểm 20.2 Quy định 294 nói gì?" → ("20.2", "294");
    "tiết a điểm 3.2.1" → ("3.2.1(a)", None); "khoản 2 Điều 5 Điều lệ" → ("Điều 5, khoản 2", None).
    """
    text = unicodedata.normalize("NFC", question)
    document = _document_number(text)
    named = list(_Q_DECIMAL.finditer(text))
    point = next((match for match in named if "." in match.group(1)), None) or _Q_BARE.search(text)
    article = _Q_ARTICLE.search(text)
    if point is None and article:
        label = f"Điều {article.group(1)}"
        khoan = _Q_KHOAN.search(text)
        letter = _Q_LETTER.search(text)
        label += f", khoản {khoan.group(1)}" if khoan else ""
        label += f", điểm {letter.group(1).lower()}" if letter else ""
        return label, document
    point = point or (named[0] if named else None)
    if point is None:
        return None
    letter = _letter_after(text[point.end() :]) or _letter_before(text[: point.start()])
    return (f"{point.group(1)}({letter})" if letter else point.group(1)), document


def _letter_after(rest: str) -> str | None:
    """A lettered point written after its parent: "10.6.2(đ)", "3.2.1.a", "điểm 3.2.1, tiết a"."""
    match = _Q_LETTER_AFTER.match(rest)
    return next((group.lower() for group in match.groups() if group), None) if match else None


def _letter_before(head: str) -> str | None:
    """A lettered point named just before its parent number: "tiết a (của) điểm 3.2.1"."""
    match = _Q_LETTER_BEFORE.search(head)
    return match.group(1).lower() if match else None


def _document_number(text: str) -> str | None:
    match = _Q_DOC_FULL.search(text) or _Q_DOC_LOOSE.search(text)
    return match.group(1) if match else None
