"""Which of a sentence's dates, names or counts belongs to the event a question asks about.

News sentences about party cells carry several values of one kind: "Thực hiện Kế hoạch số 60-KH/ĐUHV
ngày 13/3/2025 của Đảng ủy …, ngày 20/5/2025, tại …, Chi bộ … tổ chức Đại hội" holds the plan's date and
the congress's. Asked when the congress was held, an answer that reads "the date in the best sentence"
gives the plan's (issue 41). A value is tied to an event by the sentence's structure, decided here in code:

* values inside a document reference ("Kế hoạch số … ngày …", "Quyết định số … ngày …") belong to that
  document, and a framing clause ("Thực hiện …", "Căn cứ …", "Được sự …") sets the scene for the event
  without being it;
* the sentence is cut into clauses at punctuation and dashes; the event words (verbs such as "tổ chức",
  "bầu", "chủ trì", found by a lexicon and checked against pyvi's part-of-speech tags) are the predicates;
* a date or year belongs to the predicate of its clause, or, fronted on its own ("ngày 20/5/2025, …"), to
  the next one; a name to the predicate it is the subject of (the next one), or, after "có" ("Tham dự Đại
  hội có đồng chí …") or after the verb, to that verb; a count to the thing it counts and its clause's verb.

:func:`pick` answers only when exactly one value is tied to the asked event; otherwise it returns None and
the caller quotes the sentence verbatim rather than choose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from chat.extractive import PERSON, expected_type
from chat.numbers import NUMBER
from chat.support import quantity_focus
from ingest.dates import find_dates
from ingest.docnumbers import number_spans
from ingest.normalize import index_form, strip_diacritics

KINDS = ("date", "person", "number", "year")


@dataclass(frozen=True)
class Picked:
    """A value as written in the sentence, what kind it is, and where it is (offsets into the sentence)."""

    value: str
    kind: str
    start: int
    end: int


# --- the events a question can ask about ---------------------------------------------------------------

# Each group holds words a question and a sentence may use for the same event ("diễn ra" asked, "tổ chức"
# written). Verbs only: the nouns of an event ("đại hội", "lễ") name what happened, not what was done.
_EVENT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("tổ chức", "tiến hành", "diễn ra", "họp", "khai mạc"),
    ("tham dự", "dự", "tham gia", "có mặt", "đến dự", "tới dự", "dự họp"),
    ("phát biểu", "phát biểu chỉ đạo", "phát biểu khai mạc", "phát biểu tổng kết"),
    ("chủ trì",),
    ("trình bày", "đọc", "thông qua báo cáo"),
    ("bầu", "bầu cử", "đắc cử", "trúng cử", "bầu ra", "bầu chọn"),
    ("kết nạp",),
    ("trao", "công bố", "trao tặng"),
    ("tặng", "khen thưởng", "biểu dương"),
    ("ban hành", "ký", "ký ban hành"),
    ("thông qua", "biểu quyết"),
    ("quán triệt", "phổ biến", "triển khai"),
    ("bế mạc", "kết thúc"),
    ("chỉ đạo",),
    ("giới thiệu",),
    ("giữ chức", "giữ chức vụ"),
    ("tuyên thệ",),
    ("kiểm tra", "giám sát"),
    ("chúc mừng",),
    ("thành lập",),
    ("hoàn thành",),
    ("triệu tập",),
    ("lập",),
    ("thực hiện", "chủ trì thực hiện"),
    ("giúp đỡ", "phân công"),
    ("cấp", "cấp mới"),
    ("phục vụ",),
    ("tổng kết",),
    ("sinh hoạt",),
    ("phụ trách",),
)
_GROUP_OF: dict[str, int] = {strip_diacritics(word): n for n, group in enumerate(_EVENT_GROUPS) for word in group}
_CANONICAL: dict[str, str] = {strip_diacritics(word): word for group in _EVENT_GROUPS for word in group}
_ACCENTED: dict[str, set[str]] = {}
for _group in _EVENT_GROUPS:
    for _word in _group:
        _ACCENTED.setdefault(strip_diacritics(_word), set()).add(_word)
# Longest first, so "phát biểu chỉ đạo" wins over "phát biểu" and "chỉ đạo".
_EVENT_RE = re.compile(
    r"(?<!\w)(" + "|".join(sorted((re.escape(w) for w in _GROUP_OF), key=len, reverse=True)) + r")(?!\w)"
)
# A noun the event word modifies ("lễ kết nạp", "quyết định kết nạp"): the question's verb is elsewhere.
_NOUN_HEAD = re.compile(r"(?:^|\s)(?:le|buoi|quyet dinh|hoi nghi|dai hoi|su|viec|cong tac|bien ban|nghi quyet)\s+$")
_QUESTION_FILLERS = {"được", "là", "có", "biết", "cho", "hỏi", "vào", "bị", "nào", "ai", "không", "đã", "gì"}


def _fold(text: str) -> str:
    """Lower case without marks, one character for one: offsets into the folded text are the text's."""
    return "".join(strip_diacritics(ch) or ch for ch in text).lower()


def _main_first(folded: str, found: list[re.Match[str]]) -> list[re.Match[str]]:
    """The verb of the question first: an event word that modifies a noun ("lễ kết nạp") goes last."""
    verbs = [m for m in found if not _NOUN_HEAD.search(folded[: m.start()])]
    return verbs + [m for m in found if m not in verbs]


def event_words(question: str) -> list[str]:
    """The verbs (with accents) of the event the question asks about, the main verb first.

    Read from the folded question, so "dai hoi to chuc ngay nao" finds "tổ chức" as well. A question whose
    verb is not in the lexicon falls back to the words pyvi tags as verbs."""
    folded = _fold(question)
    found = _main_first(folded, list(_EVENT_RE.finditer(folded)))
    words = list(dict.fromkeys(_CANONICAL[m.group(1)] for m in found))
    if words or folded == question.lower():
        return words
    return [w.replace("_", " ") for w, tag, _, _ in _tagged(question)
            if tag == "V" and w.lower() not in _QUESTION_FILLERS][:2]


# --- pyvi's reading of the sentence ------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _tagged(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """pyvi's words ("tổ_chức") with their tags and their offsets in ``text``."""
    from pyvi import ViPosTagger, ViTokenizer

    words, tags = ViPosTagger.postagging(ViTokenizer.tokenize(text))
    placed, position = [], 0
    for word, tag in zip(words, tags, strict=False):
        syllables = word.split("_")
        start = text.find(syllables[0], position)
        if start < 0:
            continue
        end = start
        for syllable in syllables:
            found = text.find(syllable, end)
            if found < 0:
                break
            end = found + len(syllable)
        placed.append((word, tag, start, end))
        position = end
    return tuple(placed)


def _is_event_here(sentence: str, start: int, end: int, folded_word: str) -> bool:
    """Whether the lexicon hit at start:end is the verb, by pyvi's reading: its first word must not be the piece
    of a longer word ("dự" of "dự thảo", "dự bị"), nor a noun after a quantifier ("các tổ chức đoàn thể") or a
    capitalised noun inside a name ("Vụ Thi đua, Khen thưởng"). pyvi's noun tag alone is not trusted: it
    tags "tổ chức" a noun in "Chi bộ II long trọng tổ chức Đại hội"."""
    for _word, tag, w_start, w_end in _tagged(sentence):
        if w_end <= start or w_start >= end:
            continue
        if w_start < start or w_end > end:
            # a longer word: "tham_dự" holds "dự" (fine, same event), "dự_thảo" does not
            joined = _fold(sentence[w_start:w_end])
            return joined in _GROUP_OF and _GROUP_OF[joined] == _GROUP_OF[folded_word]
        if tag.startswith("N"):
            before = sentence[:start]
            if re.search(r"(?:^|\s)(?:các|những|mọi|một số|nhiều)\s+$", before, re.IGNORECASE):
                return False
            if sentence[start].isupper() and re.search(r"\w\W*$", before):
                return False
        return True
    return True


# --- the sentence's structure ---------------------------------------------------------------------------

_DOC_WORD = (r"(?:Kế hoạch|Quyết định|Nghị quyết|Chỉ thị|Kết luận|Quy định|Hướng dẫn|Công văn|Thông báo|Thông tri"
             r"|Quy chế|Báo cáo|Tờ trình|Điều lệ)")
_DATE_TEXT = r"\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
_NUMBER_TEXT = r"\d[\w&]*(?:\s?[-–/]\s?[\w&Đđ]+)*"
_REFERENCE = re.compile(
    rf"\b{_DOC_WORD}\s+(?:số\s*:?\s*)?(?P<num>{_NUMBER_TEXT}(?:\s*(?:,|và)\s*(?:{_DOC_WORD}\s+)?(?:số\s*)?{_NUMBER_TEXT})*)"
    rf"(?:\s*,?\s*(?:ban hành\s+)?ngày\s+(?P<date>{_DATE_TEXT}))?"
    rf"|\b{_DOC_WORD}(?:\s+[^\s,;:.()]+){{1,6}}?\s*,?\s+ngày\s+(?P<date2>{_DATE_TEXT})",
    re.IGNORECASE,
)
# Clause openers that set the scene ("Thực hiện Kế hoạch …", "Căn cứ …", "Được sự đồng ý của …"): the words
# up to the clause's end describe a document or a permission, not the event.
_FRAMING = re.compile(r"(?:^|(?<=[;,]\s))(?:thực hiện|căn cứ|theo|được sự|thi hành)\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"(?<!\d),|,(?!\d)|[;:()]|\s[-–—]\s?|(?<=\w)[-–—]\s")  # not the comma of "45,5"


@dataclass(frozen=True)
class _Structure:
    references: list[tuple[int, int, str]]  # span, and the number as written ("" when none)
    framing: list[tuple[int, int]]
    clauses: list[tuple[int, int]]


def _references(sentence: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group("num") or "") for m in _REFERENCE.finditer(sentence)]


def _structure(sentence: str) -> _Structure:
    references = _references(sentence)

    def in_reference(position: int) -> bool:
        return any(start <= position < end for start, end, _ in references)

    breaks = [m for m in _CLAUSE_BREAK.finditer(sentence) if not in_reference(m.start())]
    bounds = [0, *[p for m in breaks for p in (m.start(), m.end())], len(sentence)]
    clauses = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds) - 1, 2) if bounds[i + 1] > bounds[i]]
    framing = []
    for opener in _FRAMING.finditer(sentence):
        end = next((m.start() for m in breaks if m.start() > opener.start() and sentence[m.start()] in ",;"), len(sentence))
        # "…; kế hoạch số 108 ngày …": a list of documents goes on framing
        while (follow := re.match(rf"[;,]\s*(?:và\s+)?{_DOC_WORD}\b", sentence[end:], re.IGNORECASE)):
            nxt = next((m.start() for m in breaks if m.start() > end + follow.end() and sentence[m.start()] in ",;"), len(sentence))
            end = nxt
        framing.append((opener.start(), end))
    return _Structure(references, framing, clauses)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


@dataclass(frozen=True)
class _Event:
    start: int
    end: int
    group: int
    passive: bool  # "được bầu", "được tín nhiệm bầu": the name before it is the one acted on
    nominal: bool  # "lễ kết nạp", "Quyết định kết nạp": names a thing; the clause's verb is another


def _events(sentence: str, structure: _Structure) -> list[_Event]:
    """Every event verb of the sentence outside document references and framing clauses."""
    folded = _fold(sentence)
    excluded = [(s, e) for s, e, _ in structure.references] + structure.framing
    found = []
    marked = folded != sentence.lower()
    for match in _EVENT_RE.finditer(folded):
        word = match.group(1)
        if _inside(match.start(), excluded) or not _is_event_here(sentence, match.start(), match.end(), word):
            continue
        if marked and index_form(sentence[match.start() : match.end()]).lower() not in _ACCENTED[word]:
            continue  # "tầng" is not "tặng": with marks written, the marks must agree
        before = (sentence if marked else folded)[max(0, match.start() - 30) : match.start()]
        passive = bool(re.search(r"\b(?:được|bị|duoc|bi)(?:\s+\w+){0,2}\s+$", before, re.IGNORECASE))
        nominal = bool(_NOUN_HEAD.search(folded[max(0, match.start() - 20) : match.start()]))
        found.append(_Event(match.start(), match.end(), _GROUP_OF[word], passive, nominal))
    return found


# --- the values of a sentence ---------------------------------------------------------------------------

# Names: chat.extractive.PERSON, read on a copy where a capitalised title is lower case and punctuation is
# blank ("Đồng chí X,", "Đ/c X.", "đồng chí: X -") so it finds them; offsets are the sentence's.
_TITLE_CASE = re.compile(r"\b(?:Đồng chí|Đ/c|Đ/C|Ông|Bà)(?=[\s.:])")
_OFFICE = re.compile(
    r"\b(?:Thứ trưởng|Bộ trưởng|Giám đốc|Tổng Bí thư|Bí thư|Chủ tịch|Hiệu trưởng|Giáo sư|Trưởng ban|quần chúng)"
    r"\s+(?P<name>(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+\s){2,4})"
)
_NOT_NAMES = {"Bí", "Phó", "Chủ", "Trưởng", "Giám", "Ủy", "Uỷ", "Đảng", "Chi", "Hội", "Ban", "Thứ", "Tổng", "Đại", "Trung",
              "Hiệu", "Huyện", "Tỉnh", "Thành", "Quận", "Phường", "Xã", "Bộ", "Vụ", "Sở"}
_AND_NAME = re.compile(r"\s*(?:và|,)\s+(?:đồng chí\s+|đ/c\s+)?(?P<name>(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+\s){2,4})")


def _name_at(sentence: str, start: int, written: str) -> Picked | None:
    """The name's syllables, each capitalised (PERSON's character class also takes lower-case letters), without a
    title word caught at its end ("Nguyễn Quế Anh Bí thư …")."""
    parts = []
    for part in written.split():
        if not part[0].isupper():
            break
        parts.append(part)
    while parts and parts[-1] in _NOT_NAMES:
        parts.pop()
    if len(parts) < 2 or parts[0] in _NOT_NAMES:
        return None
    end = start + len(" ".join(parts))
    return Picked(sentence[start:end], "person", start, end) if sentence[start:end] == " ".join(parts) else None


def _overlapping(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Every match, also those starting inside another ("đồng chí: đồng chí Trần Quốc Đạt")."""
    found, position = [], 0
    while (match := pattern.search(text, position)) is not None:
        found.append(match)
        position = match.start() + 1
    return found


def _persons(sentence: str) -> list[Picked]:
    scan = _TITLE_CASE.sub(lambda m: m.group(0).lower(), sentence)
    scan = re.sub(r"[.,;:()\-–—!?\"“”]", " ", scan) + " "
    found: dict[int, Picked] = {}
    matches = [*_overlapping(PERSON, scan), *(m for m in _overlapping(_OFFICE, scan) if len(m.group("name").split()) >= 3)]
    for match in matches:
        name = _name_at(sentence, match.start("name"), match.group("name"))
        if name is None:
            continue
        found.setdefault(name.start, name)
        # "cho 2 đồng chí Hoàng Văn Nguyên và Lộc Duy Quang": the second name has no title of its own
        while (more := _AND_NAME.match(scan, name.end)) and (other := _name_at(sentence, more.start("name"), more.group("name"))):
            found.setdefault(other.start, other)
            name = other
    return sorted(found.values(), key=lambda p: p.start)


_DAY_MONTH = re.compile(r"(?<![\d/.])(\d{1,2}[./]\d{1,2})(?![./]?\d)")


def _dates(sentence: str) -> list[Picked]:
    """ingest.dates.find_dates, on a copy with document numbers blanked so it does not skip a document's own
    date (whether a date belongs to a document is :func:`pick`'s call); the value is the date as written,
    without the "sáng ngày" before it."""
    blank = sentence
    for start, end, _ in number_spans(sentence):
        blank = blank[:start] + " " * (end - start) + blank[end:]
    picked = {}
    for found in find_dates(blank):
        digits = re.search(r"\d", found.text)
        start = found.start + (digits.start() if digits else 0)
        end = found.start + len(found.text)
        picked[start] = Picked(sentence[start:end], "date", start, end)
    if not re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", sentence):  # "Chiều ngày 14.9": no year to lend
        for match in _DAY_MONTH.finditer(sentence):
            if re.search(r"ngày\s+$", sentence[: match.start()], re.IGNORECASE):
                picked.setdefault(match.start(), Picked(match.group(1), "date", match.start(), match.end()))
    return sorted(picked.values(), key=lambda p: p.start)


_YEAR = re.compile(r"(?<![\d/.,-])(?:19|20)\d\d(?![\d])")


def _years(sentence: str) -> list[Picked]:
    """Years standing alone ("năm 2023") or closing a date; not the ends of a term ("2022 - 2025")."""
    found = []
    for match in _YEAR.finditer(sentence):
        around = sentence[max(0, match.start() - 4) : match.end() + 4]
        if re.search(r"\d\s*[-–]\s*\d", around):
            continue
        found.append(Picked(match.group(0), "year", match.start(), match.end()))
    for date in _dates(sentence):
        year = re.search(r"(?:19|20)\d\d$", date.value)
        if year:
            found.append(Picked(year.group(0), "year", date.start + year.start(), date.end))
    return sorted(set(found), key=lambda p: p.start)


# Counts: the number grammar of chat.ruling (digits, "1.000", "12,5", "mười hai"), and "11/11" (present of
# total), "45,5%", "01-02" (a range); the counted thing is the word(s) after it.
_COUNT = re.compile(
    rf"(?<![\w.,/-])(?P<num>\d{{1,4}}/\d{{1,4}}|\d{{1,2}}\s?-\s?\d{{1,2}}(?=\s?%|\s+[^\W\d])|{NUMBER})(?P<pct>\s?%)?"
    r"(?P<unit>(?:\s+[^\W\d][\w]*){0,4})",
    re.IGNORECASE,
)
_NOT_COUNTED = re.compile(r"(?:tháng|năm|ngày|lần thứ|thứ|khóa|khoá|số|điều|khoản|điểm|chương|trung ương|kỳ|quý|"
                          r"phường|quận|xã|huyện|tổ|khu|ấp|"
                          r"chỉ thị|nghị quyết|kết luận|quy định|hướng dẫn|kế hoạch|quyết định)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Count:
    picked: Picked
    counted: str  # folded words after the number: "dang vien", "phan tram"
    whole: bool  # the total of "11/11" (the second number), not the part


def _counts(sentence: str) -> list[_Count]:
    taken = [(p.start, p.end) for p in _dates(sentence)] + [(s, e) for s, e, _ in number_spans(sentence)]
    found = []
    for match in _COUNT.finditer(sentence):
        start, number = match.start("num"), match.group("num")
        if _inside(start, taken) or _NOT_COUNTED.search(sentence[max(0, start - 14) : start]):
            continue
        if not match.group("pct") and not match.group("unit").strip():
            continue  # a bare number ("Trung ương 7.") counts nothing
        if re.fullmatch(r"(?:19|20)\d\d", number):
            continue
        if not number[0].isdigit() and not match.group("unit").strip():
            continue
        counted = "phan tram" if match.group("pct") else _fold(match.group("unit")).strip()
        if "/" in number:
            part, total = number.split("/")
            found.append(_Count(Picked(part, "number", start, start + len(part)), counted, False))
            t_start = start + len(part) + 1
            found.append(_Count(Picked(total, "number", t_start, t_start + len(total)), counted, True))
        else:
            end = match.end("pct") if match.group("pct") else match.end("num")
            found.append(_Count(Picked(sentence[start:end], "number", start, end), counted, False))
    return found


def candidates(sentence: str, kind: str) -> list[Picked]:
    """Every value of ``kind`` in the sentence, in order, including those of document references (which the
    caller of :func:`pick` never gets for an event, but does for a question about that document)."""
    if kind == "date":
        return _dates(sentence)
    if kind == "person":
        return _persons(sentence)
    if kind == "year":
        return _years(sentence)
    if kind == "number":
        return [count.picked for count in _counts(sentence)]
    return []


# --- tying values to events ------------------------------------------------------------------------------


def _clause_of(position: int, clauses: list[tuple[int, int]]) -> int:
    return next((i for i, (start, end) in enumerate(clauses) if start <= position < end), len(clauses) - 1)


def _listed_after(sentence: str, events: list[_Event], excluded: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Stretches that list who or what took part: "Tham dự Đại hội có đồng chí X, …, cùng 17 đồng chí …". The
    verb stands before "có" and everything listed after it, to the sentence's end, is its (start, end, event)."""
    folded = _fold(sentence)
    stretches = []
    for match in re.finditer(r"(?<!\w)co(?!\w)", folded):
        if _inside(match.start(), excluded):
            continue
        before = [i for i, e in enumerate(events) if e.end <= match.start()]
        if before and not _persons(sentence[events[before[-1]].end : match.start()]):
            stretches.append((match.end(), len(sentence), before[-1]))
    return stretches


def _nearest_in_clause(value: Picked, same: list[int], events: list[_Event]) -> set[int]:
    """A date, year or count belongs to its clause's verb: the nearest one before it ("tổ chức Hội nghị Tổng kết
    công tác năm 2022 và triển khai nhiệm vụ năm 2023"), else the nearest after it."""
    # a date is the whole event's ("tổ chức lễ kết nạp ngày …"); a year or count may qualify a noun ("Hội nghị
    # Tổng kết công tác năm 2022")
    verbs = [i for i in same if not events[i].nominal] or same if value.kind == "date" else same
    preceding = [i for i in verbs if events[i].end <= value.start]
    if preceding:
        return {preceding[-1]}
    return {min(verbs, key=lambda i: events[i].start - value.end)}


def _ties(value: Picked, events: list[_Event], structure: _Structure, sentence: str, patient: bool,
          listed: list[tuple[int, int, int]]) -> set[int]:
    """The indices of the events a value belongs to, by where it stands relative to them."""
    clauses = structure.clauses
    here = _clause_of(value.start, clauses)
    by_clause = [_clause_of(e.start, clauses) for e in events]
    same = [i for i, c in enumerate(by_clause) if c == here]
    after = [i for i, e in enumerate(events) if e.start >= value.end]
    ties = {event for start, end, event in listed if start <= value.start < end}
    if value.kind == "person":
        return ties | (_patient_ties(value, events, _persons(sentence), sentence) if patient
                       else _agent_ties(value, events, structure, sentence, here, by_clause, after))
    if same:
        return ties | _nearest_in_clause(value, same, events)
    if value.kind in ("date", "year") and after:
        return {after[0]}  # fronted: "ngày 20/5/2025, tại …, Chi bộ … tổ chức Đại hội"
    return ties


def _patient_ties(value: Picked, events: list[_Event], persons: list[Picked], sentence: str) -> set[int]:
    """Who was acted on: named after the verbs since the name before it ("… trao Quyết định kết nạp cho đồng chí
    X"), listed with such a name ("X và Y"), or named just before a passive verb ("X được tín nhiệm bầu …")."""
    ties = {i for i, e in enumerate(events) if e.start >= value.end and e.passive and e.start - value.end < 40}
    previous = [p for p in persons if p.end <= value.start]
    since = previous[-1].end if previous else 0
    ties |= {i for i, e in enumerate(events) if since <= e.start and e.end <= value.start and not e.passive}
    if previous and not any(since <= e.start < value.start for e in events):
        between = sentence[since : value.start]
        if ";" not in between and re.search(r"(?:\bvà\b|,)", between):
            ties |= _patient_ties(previous[-1], events, persons, sentence)  # a list goes on
    return ties


def _agent_ties(value: Picked, events: list[_Event], structure: _Structure, sentence: str, here: int,
                by_clause: list[int], after: list[int]) -> set[int]:
    """Who acted: the subject of the first verb after the name (past its titles) and of the verbs coordinated
    with it ("đã công bố và trao"), and of a verb fronted before it ("Phát biểu tại Hội nghị, đồng chí X …")."""
    ties: set[int] = set()
    ahead = [i for i in after if not events[i].passive]
    between = sentence[value.end : events[ahead[0]].start] if ahead else ""
    # a name between ends the claim, unless it is a co-agent's ("X … cùng Y … tặng"); a list item ends at ";"
    if ahead and (not _persons(between) or (";" not in between and re.search(r"\b(?:cùng|và)\b", between))):
        ties.add(ahead[0])
        for previous, i in pairwise(ahead):
            if not re.fullmatch(r"\s*(?:và|,)\s*", sentence[events[previous].end : events[i].start]):
                break
            ties.add(i)
    if here > 0:
        fronted = [i for i, c in enumerate(by_clause) if c == here - 1]
        if fronted and events[fronted[0]].start == _first_word(sentence, structure.clauses[here - 1]):
            ties.add(fronted[0])
    return ties


def _first_word(sentence: str, clause: tuple[int, int]) -> int:
    text = sentence[clause[0] : clause[1]]
    return clause[0] + (len(text) - len(text.lstrip()))


def _asks_document(question: str) -> str | None:
    """The number of the document a question asks about ("Kế hoạch số 60-KH/ĐUHV ban hành ngày nào?"), "" when
    it names the kind only, None when it asks about no document."""
    spans = number_spans(question)
    if spans:
        return spans[0][2].number
    loose = re.search(rf"\b{_DOC_WORD}\s+(?:số\s*)?(\d+)?", index_form(question), re.IGNORECASE)
    if loose:
        return loose.group(1) or ""
    folded = re.search(r"\b(?:ke hoach|quyet dinh|nghi quyet|chi thi|ket luan|quy dinh|huong dan|cong van)\s+(?:so\s*)?(\d+)",
                       _fold(question))
    return folded.group(1) if folded else None


def _one(values: list[Picked]) -> Picked | None:
    distinct = {v.value for v in values}
    return values[0] if len(distinct) == 1 else None


def _pick_document_value(sentence: str, kind: str, number: str, structure: _Structure) -> Picked | None:
    """A question about a referenced document ("Kế hoạch số 60-KH/ĐUHV ban hành ngày nào?"): the value inside
    that document's reference, found by its number; by its kind alone when the question gives no number."""
    wanted = [(s, e) for s, e, written in structure.references
              if not number or re.match(rf"0*{int(number)}(?!\d)", written.lstrip())]
    if not wanted:
        return None
    return _one([v for v in candidates(sentence, kind) if _inside(v.start, wanted)])


def pick(question: str, sentence: str, kind: str | None = None) -> Picked | None:
    """The value of ``kind`` (default: what the question asks for) that the sentence ties to the question's
    event; None when no value, or more than one, is tied to it — the caller then quotes the sentence."""
    kind = kind or expected_type(question)
    if kind not in KINDS:
        return None
    structure = _structure(sentence)
    document = _asks_document(question)
    if document is not None and kind in ("date", "year"):
        return _pick_document_value(sentence, kind, document, structure)
    excluded = [(s, e) for s, e, _ in structure.references] + structure.framing
    if kind == "number":
        values = _counted(question, sentence, excluded)
        if len({v.value for v in values}) == 1:
            return values[0]  # the counted thing alone decides: "02 dự án", "04 đề tài"
    else:
        values = [v for v in candidates(sentence, kind) if not _inside(v.start, excluded)]
    if not values:
        return None
    events = _events(sentence, structure)
    listed = _listed_after(sentence, events, excluded)
    patient = _asks_patient(question)
    asked = [_GROUP_OF[_fold(word)] for word in event_words(question) if _fold(word) in _GROUP_OF]
    for group in dict.fromkeys(asked):  # the main verb first, then the verbs of its nouns ("lễ kết nạp")
        anchors = {i for i, e in enumerate(events) if e.group == group}
        if not anchors:
            continue
        ties = {v: frozenset(_ties(v, events, structure, sentence, patient, listed) & anchors) for v in values}
        tied = [v for v in values if ties[v]]
        # several values on one occurrence of the verb are a list ("có bà X; ông Y"), not a choice to make —
        # except counts, each with its own complement ("26 … 55 năm …, 40 … 50 năm")
        if not tied:
            continue
        if len({v.value for v in tied}) > 1 and (kind == "number" or len({ties[v] for v in tied}) > 1):
            tied = _best_clause(question, sentence, tied, structure)
        if kind == "person" and any(_plural_title(sentence, v) for v in tied):
            return None  # "có các đồng chí: X, …; Y, …": more people than the names found
        return _one(tied)
    if kind == "number":
        # no asked verb in the sentence: "có 13 đảng viên, trong đó có 10 …" — the total, not the part
        wholes = [v for v in values if not re.search(r"trong đó\b", sentence[: v.start], re.IGNORECASE)]
        if wholes != values and _one(wholes):
            return _one(wholes)
        return _one(_best_clause(question, sentence, values, structure))
    return None


def _plural_title(sentence: str, value: Picked) -> bool:
    return bool(re.search(r"\bcác\s+(?:đồng chí|đ/c|ông|bà)\W*$", sentence[max(0, value.start - 20) : value.start], re.IGNORECASE))


# Words a count names the same things by: "17 đồng chí đại biểu là đảng viên", "15 đồng chí đảng viên".
_COUNT_ALIASES = {"dong chi": "dang vien", "dai bieu": "dang vien"}


def _counted(question: str, sentence: str, excluded: list[tuple[int, int]]) -> list[Picked]:
    """Counts of the thing the question counts ("bao nhiêu đảng viên"), the part or the total of "15/16": those
    whose words after the number share the longest start with the question's."""
    folded_question = _fold(index_form(question))
    focus = _fold(quantity_focus(question)).split()
    if not focus and (after := re.search(r"\b(?:bao nhieu|may)\s+([^?.,;:]+)", folded_question)):
        focus = after.group(1).split()[:3]  # "bao nhiêu năm truyền thống": quantity_focus stops at "năm"
    if "phan tram" in folded_question or re.search(r"\bty le\b|\bti le\b", folded_question):
        focus = ["phan", "tram"]
    wants_total = bool(re.search(r"\b(?:tong so|tong cong|toan bo|tat ca|ca chi bo)\b", folded_question))
    counts = [c for c in _counts(sentence) if not _inside(c.picked.start, excluded)]
    if focus:
        def shared(count: _Count) -> int:
            words = count.counted.split()
            for alias, meaning in _COUNT_ALIASES.items():
                if " ".join(words[:2]) == alias and focus[:2] == meaning.split():
                    words = meaning.split() + words[2:]
            n = 0
            while n < min(len(words), len(focus)) and words[n] == focus[n]:
                n += 1
            return n
        best = max((shared(c) for c in counts), default=0)
        counts = [c for c in counts if best and shared(c) == best]
    fractions = {c.counted for c in counts if c.whole}
    return [c.picked for c in counts if c.counted not in fractions or c.whole == wants_total]


def _asks_patient(question: str) -> bool:
    """"Ai được bầu …?", "Chi bộ kết nạp ai?": the question asks who was acted on, not who acted."""
    folded = _fold(question)
    if re.search(r"\b(?:ai|nguoi nao|dong chi nao)\s+(?:da\s+)?(?:duoc|bi)\b", folded):
        return True
    found = list(_EVENT_RE.finditer(folded))
    who = re.search(r"\b(?:ai|nguoi nao|dong chi nao)\b", folded)
    return bool(found and who and who.start() > found[0].end())


_LIGHT = {"vu", "da", "duoc", "la", "cac", "nhung", "cua", "tai", "ve", "cho", "va", "ra", "lam", "danh", "dong", "chi",
          "doi", "voi", "bao", "nhieu", "ai", "nao", "gi", "ngay", "nam"}


def _best_clause(question: str, sentence: str, tied: list[Picked], structure: _Structure) -> list[Picked]:
    """Several values tied alike ("X giữ chức vụ Bí thư, Y giữ chức Phó Bí thư"; "26 đảng viên được trao huy
    hiệu 55 năm …, 40 đảng viên … 50 năm"): the one whose own words — from it to the next value or its clause's
    end, and the clause's words before it when it is the first there — match the question's most (fewest other
    words breaking a tie). All of them when none does strictly better."""
    asked = set(re.findall(r"\w+", _fold(index_form(question))))
    if tied and tied[0].kind == "number":  # the counted thing is in every count's words: it tells none apart
        focus = _fold(quantity_focus(question)).split()
        counted = focus[:4] if focus[:2] == ["phan", "tram"] else focus[:2]  # "phần trăm đảng viên …"
        asked -= {"phan", "tram", "ty", "ti", "le", *counted}
    ordered = sorted(tied, key=lambda v: v.start)
    scores = []
    for n, value in enumerate(ordered):
        clause = structure.clauses[_clause_of(value.start, structure.clauses)]
        following = ordered[n + 1].start if n + 1 < len(ordered) else len(sentence)
        begin = value.end if value.kind == "person" else value.start
        text = sentence[begin : min(following, clause[1])]
        if n == 0 or ordered[n - 1].end <= clause[0]:
            text = sentence[clause[0] : value.start] + " " + text
        words = set(re.findall(r"\w+", _fold(text))) - _LIGHT
        scores.append((len(words & asked), -len(words - asked)))
    best = max(scores)
    chosen = [v for v, score in zip(ordered, scores, strict=True) if score == best]
    return chosen if len({v.value for v in chosen}) == 1 else tied
