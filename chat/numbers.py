"""Numbers as Vietnamese writes them: one reading for every check that compares figures.

A clause says "mười hai tháng", a model says "12 tháng" or "1 năm"; a report says "hơn 2 triệu lượt",
"45,5%", "từ 01-02 đảng viên", "11/11 đảng viên chính thức", "Đại hội XIII". Comparing such figures as
strings refuses right answers and lets changed ones through, so the citation check, the focus gate, the
comparison of a case with a clause and the verdicts all read numbers here, as :class:`Amount` values:

* digits ("12", "1.500", "2.000.000", "45,5", "1,5 triệu") and words ("mười hai", "hai mươi mốt",
  "một trăm linh năm", "hai nghìn"), "một nửa" and "hai phần ba";
* ranges ("01-02", "15-20%", "từ 3 đến 5 năm", "3 – 5"), fractions ("11/11", "2/3 số đảng viên");
* the words that bound or soften a figure ("hơn", "tối đa", "khoảng", "… trở lên"), kept on the amount;
* the unit, with the measure it converts to (1 năm = 12 tháng, 1 tuần = 7 ngày; "ngày làm việc" apart);
* ordinals of congresses and terms ("Đại hội XI", "khóa XIII", "lần thứ XIV"), only after such words.

Dates ("13/3/2025", "ngày 20 tháng 5"), years, document numbers ("294-QĐ/TW") and the numbers of
articles and clauses ("Điều 5", "điểm 1.1.1") are not amounts: nothing was counted. Text typed without
diacritics ("muoi hai thang", "hon 2 trieu") is read with the folded words.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from ingest.dates import find_dates
from ingest.normalize import strip_diacritics
from vectorstore.tokenize import has_diacritics

# unit as written → (what it measures, factor to that measure's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "ngày làm việc": ("ngày làm việc", 1),
    "tháng": ("tháng", 1),
    "năm": ("tháng", 12),
    "quý": ("tháng", 3),
    "tuổi": ("tuổi", 1),
    "ngày": ("ngày", 1),
    "tuần": ("ngày", 7),
    "giờ": ("giờ", 1),
    "%": ("%", 1),
    "phần trăm": ("%", 1),
    "đảng viên": ("đảng viên", 1),
    "đồng chí": ("đồng chí", 1),  # before "đồng": "11 đồng chí" is no sum of money
    "người": ("người", 1),
    "lần": ("lần", 1),
    "lượt": ("lượt", 1),
    "đồng": ("đồng", 1),
}
TIME_MEASURES = frozenset({"tháng", "ngày", "ngày làm việc", "giờ"})  # what "bao lâu" asks for
ORDINAL = "thứ"  # the measure of "Đại hội XIII", "khóa 13", "lần thứ hai": a place in a series, not a count
# Measures a figure cannot move between and stay true: "12 tháng" is not "12 năm", "30 ngày" not "30 ngày làm việc".
_STRICT_MEASURES = TIME_MEASURES | {"tuổi", "%", "đồng", ORDINAL}

# Words that bound or soften a figure: (bound, strict). "ít nhất 36 tháng" is met by 36, "hơn 2 triệu" is not 2 triệu.
UPPER, LOWER, APPROXIMATE = "upper", "lower", "approximate"
_BEFORE: dict[str, tuple[str, bool]] = {
    "không được vượt quá": (UPPER, False), "không vượt quá": (UPPER, False), "không được quá": (UPPER, False),
    "không quá": (UPPER, False), "tối đa": (UPPER, False), "nhiều nhất": (UPPER, False), "chậm nhất": (UPPER, False),
    "trong thời hạn": (UPPER, False), "trong vòng": (UPPER, False), "trong": (UPPER, False),
    "đến đủ": (UPPER, False), "đến": (UPPER, False), "chưa đủ": (UPPER, True), "chưa đến": (UPPER, True),
    "dưới": (UPPER, True), "ít hơn": (UPPER, True),
    "ít nhất": (LOWER, False), "tối thiểu": (LOWER, False), "không dưới": (LOWER, False), "không ít hơn": (LOWER, False),
    "không thấp hơn": (LOWER, False), "sớm nhất": (LOWER, False), "đủ": (LOWER, False),
    "vượt quá": (LOWER, True), "nhiều hơn": (LOWER, True), "trên": (LOWER, True), "quá": (LOWER, True), "hơn": (LOWER, True),
    "khoảng chừng": (APPROXIMATE, False), "khoảng": (APPROXIMATE, False), "gần": (APPROXIMATE, False),
    "chừng": (APPROXIMATE, False), "xấp xỉ": (APPROXIMATE, False), "ước tính": (APPROXIMATE, False),
}
_AFTER: dict[str, tuple[str, bool]] = {"trở lên": (LOWER, False), "trở xuống": (UPPER, False)}
_QUALIFIERS = _BEFORE | _AFTER
# Words by which a question asks for a bound ("tối đa bao nhiêu ngày"): only those that say nothing else.
_ASKED = ("tối đa", "nhiều nhất", "không quá", "không được quá", "không vượt quá", "không được vượt quá", "chậm nhất",
          "trở xuống", "tối thiểu", "ít nhất", "trở lên", "không dưới", "không thấp hơn", "sớm nhất")

_DIGIT_WORDS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6,
                "bảy": 7, "tám": 8, "chín": 9}
# Number words that, standing alone before a noun, can only be a count ("hai phiên", "ba chi bộ"): not "một"
# (an article), "năm" (a year), "tư"/"lăm" (other words); only in accented text, where "hai" is not "hải".
_COUNTING_WORDS = frozenset({"hai", "ba", "bốn", "sáu", "bảy", "tám", "chín", "mười"})
_STARTS = ("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")  # a number in words begins so
_MAGNITUDES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}
_NUMBER_WORDS = (*_DIGIT_WORDS, "mười", "mươi", "trăm", "linh", "lẻ", *_MAGNITUDES, "rưỡi")
_ORDINAL_LABELS = ("đại hội", "khóa", "khoá", "lần thứ", "hội nghị trung ương")
# Words before a number that make it a name, not an amount: "Điều 5", "điểm 1.1.1", "trang 4", "lúc 8 giờ".
_LABELS = ("điều", "khoản", "điểm", "chương", "mục", "tiết", "trang", "phụ lục", "lúc", "hôm")
_LABELS_UNLESS_COUNTED = ("số", "ngày", "tháng")  # "ngày 10" is a day, "số 30 đảng viên" a count
# Words that end a number's phrase: after "12 và", "12 của", nothing was counted.
_STOPWORDS = frozenset((
    "và", "hoặc", "với", "của", "là", "có", "được", "trong", "tại", "đã", "thì", "mà", "để", "cho", "từ", "đến", "theo",
    "trên", "dưới", "về", "ở", "khi", "nếu", "này", "đó", "các", "những", "bị", "sẽ", "đang", "cũng", "còn", "nên", "vì",
    "như", "hay", "tới", "sau", "trước", "ra", "vào", "lại", "nữa", "thôi", "rồi", "mới", "hơn", "trở", "so", "kể",
    "tính", "gồm",
))

_DIGITS = r"(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?![.,]?\d)"  # "1.500", "2.000.000", "45,5" — not "1.1.1"
_DIGITS_NUMBER = r"(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,4}(?:,\d+)?)"


def _fold(text: str) -> str:
    return strip_diacritics(text).lower()


def _alternatives(words: Iterable[str], folded: bool) -> str:
    spelled = {_fold(word) if folded else word for word in words}
    return "|".join(re.escape(word) for word in sorted(spelled, key=len, reverse=True))


def _words_pattern(folded: bool) -> str:
    return (rf"(?:{_alternatives(_STARTS, folded)})(?!\w)(?:\s+(?:{_alternatives(_NUMBER_WORDS, folded)})(?!\w))*")


# A numeral, digits or words, as a regex fragment for patterns of other modules (the accented spelling).
NUMBER = rf"(?:{_DIGITS_NUMBER}|{_words_pattern(False)})"


@dataclass(frozen=True)
class _Grammar:
    """The patterns, in accented or in folded spelling (one text is read in one of them)."""

    start: re.Pattern[str]
    words: re.Pattern[str]
    digits: re.Pattern[str]
    magnitude: re.Pattern[str]
    unit: re.Pattern[str]
    noun: re.Pattern[str]
    separator: re.Pattern[str]
    part: re.Pattern[str]
    share: re.Pattern[str]
    percent: re.Pattern[str]
    half: re.Pattern[str]
    before: re.Pattern[str]
    after: re.Pattern[str]
    from_: re.Pattern[str]
    ordinal_before: re.Pattern[str]
    roman: re.Pattern[str]
    label_before: re.Pattern[str]
    counted_label_before: re.Pattern[str]
    identifiers: tuple[re.Pattern[str], ...]
    canonical: dict[str, str]  # a spelling of this grammar → the accented word


def _grammar(folded: bool) -> _Grammar:
    def alt(words: Iterable[str]) -> str:
        return _alternatives(words, folded)

    def spell(pattern: str) -> str:
        return _fold(pattern) if folded else pattern

    units = alt(UNITS)
    count_units = alt(u for u, (measure, _) in UNITS.items() if measure not in TIME_MEASURES)
    words = _words_pattern(folded)
    return _Grammar(
        start=re.compile(rf"(?<![\w.,/-])\d|(?<!\w)(?:{spell('một nửa|nửa')}|{alt(_STARTS)})(?!\w)"),
        words=re.compile(words),
        digits=re.compile(_DIGITS),
        magnitude=re.compile(rf"\s*({alt(_MAGNITUDES)})(?!\w)(\s+{spell('rưỡi')}(?!\w))?"),
        unit=re.compile(rf"(?:\s*(%)|\s+({units}))(?!\w)"),
        noun=re.compile(r"\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?"),
        separator=re.compile(rf"\s*(?:[-–—~]|\s{spell('đến')}\s|\s{spell('tới')}\s)\s*"),
        part=re.compile(rf"\s+{spell('phần')}\s+(?!{spell('trăm')}(?!\w))"),
        share=re.compile(rf"\s+{spell('số')}(?=\s)"),  # "2/3 số đảng viên"
        percent=re.compile(r"\s?%"),
        half=re.compile(spell(r"(?:một\s+)?nửa")),
        before=re.compile(rf"(?<!\w)({alt(_BEFORE)})(?:\s+(?:{spell('là|có')}))?\s+$"),
        after=re.compile(rf"^(?:\s+[^\W\d]+){{0,3}}?\s+({alt(_AFTER)})(?!\w)"),
        from_=re.compile(rf"(?<!\w){spell('từ')}\s+$"),
        ordinal_before=re.compile(rf"(?<!\w)({alt(_ORDINAL_LABELS)})\s+$"),
        roman=re.compile(rf"(?<!\w)((?i:{alt(_ORDINAL_LABELS)}))\s+(?:([IVXLC]+)|((?i:{spell('nhất|tư')})))(?!\w)"),
        label_before=re.compile(rf"(?<!\w)(?:{alt(_LABELS)})\s+$"),
        counted_label_before=re.compile(rf"(?<!\w)(?:{alt(_LABELS_UNLESS_COUNTED)})\s+$"),
        identifiers=(
            re.compile(r"(?<![\d/.-])\d{1,2}([/.-])\d{1,2}\1\d{2,4}(?![\d/])"),  # 13/3/2025, 20-5-2025
            re.compile(r"(?<![\d/.,])\d{1,2}\s*[/-]\s*(?:19|20)\d\d(?!\d)"),  # 5/2025: a month
            re.compile(spell(r"(?:ngày|hôm)\s+\d{1,2}\s*[/.-]\s*\d{1,2}(?![\d/.-])")),  # ngày 13/3
            re.compile(spell(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?")),
            re.compile(spell(r"tháng\s+\d{1,2}(?!\d)(?:\s+năm\s+(?:\d{4}|nay|này|sau|trước|tới)(?!\w))?")
                       + rf"(?!\s*(?:{count_units})(?!\w))"),
            re.compile(r"(?<![\w/])\d+(?:[/-]\d+)*\s?[/-]\s?[^\W\d_][\w&]*(?:[/-][\w&]+)*"),  # 294-QĐ/TW, 12/2020/NĐ-CP
        ),
        canonical={spell(word): word for word in (*UNITS, *_QUALIFIERS, *_ORDINAL_LABELS)} | {spell("khoá"): "khóa", "khoá": "khóa"},
    )


_ACCENTED, _FOLDED = _grammar(False), _grammar(True)


@dataclass(frozen=True)
class Amount:
    """A figure of a text, read as the number it means.

    ``low``/``high`` are in the measure's base unit ("2 năm" → 24 tháng), equal unless a range. A fraction keeps its
    numerator there and its denominator in ``fraction_of`` ("11/11" is 11 of 11, "hai phần ba" 2 of 3). ``figure``
    is the number as written ("mười hai", "01-02"), what a warning quotes; ``phrase`` spans it with the words that
    bound it ("ít nhất là 36 tháng", "từ 3 đảng viên chính thức trở lên")."""

    written: str  # the number and its unit as the text writes them: "mười hai tháng", "45,5%"
    start: int
    end: int
    low: float
    high: float
    unit: str  # "tháng", "%", "đảng viên"; an unknown noun as written ("chi bộ"); "" when none follows
    measure: str  # "tháng" for năm/tháng, "ngày" for ngày/tuần; ORDINAL for "khóa XIII"
    qualifier: str = ""  # "hơn", "khoảng", "tối đa", "trở lên", … ("" exact)
    fraction_of: float | None = None
    figure: str = ""
    of: str = ""  # what a percentage is of: "15-20% đảng viên" → "đảng viên"
    phrase: tuple[int, int] = (0, 0)

    @property
    def bound(self) -> str:
        """UPPER, LOWER or APPROXIMATE as the qualifier says; "" for an exact figure."""
        return _QUALIFIERS[self.qualifier][0] if self.qualifier else ""

    @property
    def strict(self) -> bool:
        """Whether the bound excludes the figure itself ("hơn 60", "dưới 9"), as "ít nhất 3" does not."""
        return _QUALIFIERS[self.qualifier][1] if self.qualifier else False

    @property
    def numbers(self) -> tuple[float, float]:
        """low and high as written, before conversion to the base unit ("2 năm" → (2, 2))."""
        factor = UNITS[self.unit][1] if self.unit in UNITS else 1
        return self.low / factor, self.high / factor


def measure_of(unit: str) -> str:
    """What a unit measures ("năm" → "tháng", "nam" too), or the unit itself when it is not one of the known ones."""
    name = _ACCENTED.canonical.get(unit.lower()) or _FOLDED.canonical.get(_fold(unit), unit.lower())
    return UNITS[name][0] if name in UNITS else unit.lower()


def _lower(text: str) -> str:
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# --- numbers ----------------------------------------------------------------------------------------

_GROUP_ONES = {"mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin"}  # a digit that may lead
_TEEN_ONES = {"mot", "hai", "ba", "bon", "tu", "lam", "nam", "sau", "bay", "tam", "chin"}  # after mười / mươi
_FOLDED_DIGITS = {_fold(word): value for word, value in _DIGIT_WORDS.items()}
_FOLDED_MAGNITUDES = {_fold(word): value for word, value in _MAGNITUDES.items()}


def _tens(tokens: list[str], i: int) -> list[tuple[int, float]]:
    """Readings of "mười [hai]", "hai mươi [mốt]" starting at token i: (tokens used up to, value)."""
    found = []
    if i < len(tokens) and tokens[i] == "muoi":
        found.append((i + 1, 10.0))
        if i + 1 < len(tokens) and tokens[i + 1] in _TEEN_ONES:
            found.append((i + 2, 10.0 + _FOLDED_DIGITS[tokens[i + 1]]))
    elif i + 1 < len(tokens) and tokens[i] in _GROUP_ONES and tokens[i + 1] == "muoi":
        tens = 10.0 * _FOLDED_DIGITS[tokens[i]]
        found.append((i + 2, tens))
        if i + 2 < len(tokens) and tokens[i + 2] in _TEEN_ONES:
            found.append((i + 3, tens + _FOLDED_DIGITS[tokens[i + 2]]))
    return found


def _group(tokens: list[str], i: int) -> list[tuple[int, float]]:
    """Readings of a number below a thousand starting at token i: "năm", "hai mươi mốt", "một trăm linh năm"."""
    if i >= len(tokens):
        return []
    if tokens[i] == "muoi":
        return _tens(tokens, i)
    if tokens[i] not in _GROUP_ONES:
        return []
    digit = float(_FOLDED_DIGITS[tokens[i]])
    if i + 1 < len(tokens) and tokens[i + 1] == "tram":
        hundreds, j = 100 * digit, i + 2
        found = [(i + 1, digit), (j, hundreds)]
        if j + 1 < len(tokens) and tokens[j] in ("linh", "le") and tokens[j + 1] in _GROUP_ONES:
            return [*found, (j + 2, hundreds + _FOLDED_DIGITS[tokens[j + 1]])]
        return found + [(end, hundreds + value) for end, value in _tens(tokens, j)]
    return [(i + 1, digit), *_tens(tokens, i)]


def _word_readings(tokens: list[str]) -> list[tuple[int, float]]:
    """Every prefix of the (folded) words that reads as a number, with its value: for "hai mươi năm" both
    "hai mươi" (20) and "hai mươi năm" (25); the unit after it decides (see :func:`_read_words`)."""
    readings: list[tuple[int, float]] = []
    total, i = 0.0, 0
    while True:
        groups = _group(tokens, i)
        if not groups:
            break
        readings += [(end, total + value) for end, value in groups]
        end, value = groups[-1]
        if end < len(tokens) and tokens[end] in _FOLDED_MAGNITUDES:
            magnitude = _FOLDED_MAGNITUDES[tokens[end]]
            total += value * magnitude
            readings.append((end + 1, total))
            i = end + 1
            if i < len(tokens) and tokens[i] == "ruoi":
                readings.append((i + 1, total + magnitude / 2))
                break
            if i + 1 < len(tokens) and tokens[i] in ("linh", "le"):
                i += 1  # "hai nghìn linh năm"
            continue
        break
    return readings


def _digits_value(written: str) -> float:
    return float(written.replace(".", "").replace(",", "."))


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(written: str) -> int | None:
    """"XIII" → 13; None for what is no Roman numeral ("IIV")."""
    if not written or any(char not in _ROMAN for char in written):
        return None
    value = sum(-_ROMAN[a] if _ROMAN[a] < _ROMAN[b] else _ROMAN[a] for a, b in itertools.pairwise(written))
    value += _ROMAN[written[-1]]
    return value if _to_roman(value) == written else None


def _to_roman(value: int) -> str:
    out = ""
    for number, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= number:
            out, value = out + letters, value - number
    return out


def number_value(written: str) -> float | None:
    """The value of one numeral as written: "12", "45,5", "1.500", "2 triệu", "mười hai", "một trăm linh năm",
    "một nửa" (0.5), "hai phần ba", "2/3", "XI" (a Roman numeral, which :func:`amounts` reads only after
    "Đại hội", "khóa", "lần thứ"). None when it is not a numeral as a whole."""
    text = " ".join(written.split())
    if (roman := _roman(text)) is not None:
        return float(roman)
    lowered = _fold(text)
    if lowered in ("mot nua", "nua"):
        return 0.5
    for separator in ("/", " phan "):
        if separator in lowered and "phan tram" not in lowered and lowered.count(separator) == 1:
            top, bottom = (number_value(part) for part in lowered.split(separator, 1))
            return top / bottom if top is not None and bottom else None
    if match := re.fullmatch(rf"({_DIGITS})\s*(?:(nghin|ngan|trieu|ty|ti)(\s+ruoi)?)?", lowered):
        magnitude = _FOLDED_MAGNITUDES.get(match.group(2) or "", 1)
        return _digits_value(match.group(1)) * magnitude + (magnitude / 2 if match.group(3) else 0)
    tokens = lowered.split()
    return next((value for end, value in reversed(_word_readings(tokens)) if end == len(tokens)), None)


# --- amounts of a text --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    value: float
    end: int
    single: bool  # one digit word ("hai"): an amount only before a unit


def _unit_at(grammar: _Grammar, lowered: str, at: int) -> tuple[str, int] | None:
    match = grammar.unit.match(lowered, at)
    if not match:
        return None
    unit = grammar.canonical.get(match.group(1) or match.group(2), match.group(1) or match.group(2))
    return ("%" if unit == "phần trăm" else unit), match.end()


def _read_words(grammar: _Grammar, lowered: str, at: int) -> _Read | None:
    """The number in words at ``at``. Of its readings, the longest that a unit follows ("hai mươi năm" is 20 years,
    "một trăm năm" 100), else the longest that does not end in a "năm" a unit could be."""
    match = grammar.words.match(lowered, at)
    if not match:
        return None
    spans = [(at + m.start(), at + m.end()) for m in re.finditer(r"\S+", match.group(0))]
    tokens = [_fold(lowered[s:e]) for s, e in spans]
    readings = _word_readings(tokens)
    if not readings:
        return None
    for used, value in reversed(readings):
        if _unit_at(grammar, lowered, spans[used - 1][1]):
            return _Read(value, spans[used - 1][1], used == 1)
    for used, value in reversed(readings):
        if used == 1 or tokens[used - 1] != "nam" or tokens[used - 2] not in ("muoi", "tram"):
            return _Read(value, spans[used - 1][1], used == 1)
    return None


def _read_number(grammar: _Grammar, lowered: str, at: int) -> _Read | None:
    """The number, digits or words, that begins at ``at``, with a magnitude after it ("2 triệu", "hai nghìn")."""
    if lowered[at : at + 1].isdigit():
        match = grammar.digits.match(lowered, at)
        if not match:
            return None
        value, end = _digits_value(match.group(0)), match.end()
        if magnitude := grammar.magnitude.match(lowered, end):
            scale = _FOLDED_MAGNITUDES[_fold(magnitude.group(1))]
            value, end = value * scale + (scale / 2 if magnitude.group(2) else 0), magnitude.end()
        return _Read(value, end, False)
    return _read_words(grammar, lowered, at)


def _noun_at(grammar: _Grammar, lowered: str, at: int) -> tuple[str, int]:
    """An unknown noun after a number, as written (two syllables at most, no function word): "chi bộ", "xã"."""
    match = grammar.noun.match(lowered, at)
    if not match:
        return "", at
    first, second = match.group(1), match.group(2)
    stops = _FOLDED_STOPS if grammar is _FOLDED else _STOPWORDS  # folded, "đảng" would be "đang", "đề" "để"
    if first in stops:
        return "", at
    if second and second in stops:
        return first, match.start(1) + len(first)
    return match.group(0).strip() if second else first, match.end()


_FOLDED_STOPS = frozenset(_fold(word) for word in _STOPWORDS)


_OUT_OF_PATTERN = r"\s+(?:trong|trên)\s+(?:tổng\s+)?số\s+"  # "662 trong tổng số 686 …", by spelling (folded: True)
_OUT_OF = {False: re.compile(_OUT_OF_PATTERN), True: re.compile(_fold(_OUT_OF_PATTERN))}


def _inside(at: int, spans: list[tuple[int, int]]) -> int | None:
    return next((end for start, end in spans if start <= at < end), None)


def _is_year(value: float, written: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", written)) and 1900 <= value < 2100


def amounts(text: str) -> list[Amount]:
    """Every amount of the text, in order (offsets into its NFC form, which is what clean_text stores)."""
    text = unicodedata.normalize("NFC", text)
    grammar = _ACCENTED if has_diacritics(text) else _FOLDED
    lowered = _lower(text)
    taken = sorted((m.start(), m.end()) for pattern in grammar.identifiers for m in pattern.finditer(lowered))
    found = [_ordinal_roman(grammar, text, match) for match in grammar.roman.finditer(text)]
    found = [amount for amount in found if amount]
    at = 0
    while match := grammar.start.search(lowered, at):
        at = match.start()
        if (end := _inside(at, taken)) is not None:
            at = end
            continue
        amount, at = _amount_at(grammar, text, lowered, at)
        if amount:
            found.append(amount)
    return sorted(found, key=lambda amount: amount.start)


def _ordinal_roman(grammar: _Grammar, text: str, match: re.Match[str]) -> Amount | None:
    """"khóa XIII", "lần thứ XIV", "lần thứ tư": the place in a series after the words that name one."""
    label = grammar.canonical.get(_lower(match.group(1)), _lower(match.group(1)))
    if match.group(2):
        value = _roman(match.group(2))
    else:
        value = None if label != "lần thứ" else 1 if _fold(match.group(3)) == "nhat" else 4
    if value is None:
        return None
    start = match.start(2) if match.group(2) else match.start(3)
    return Amount(text[start : match.end()], start, match.end(), value, value, label, ORDINAL,
                  figure=text[start : match.end()], phrase=(match.start(), match.end()))


def _range_end(grammar: _Grammar, lowered: str, end: int, low: float) -> _Read | None:
    """The second number of "01-02", "15-20%", "15%-20%", "3 đến 5", "3 – 5" (larger than the first)."""
    percent = grammar.percent.match(lowered, end)
    separator = grammar.separator.match(lowered, percent.end() if percent else end)
    second = _read_number(grammar, lowered, separator.end()) if separator else None
    if not second or second.value <= low or (percent and not grammar.percent.match(lowered, second.end)):
        return None
    return second


def _amount_at(grammar: _Grammar, text: str, lowered: str, at: int) -> tuple[Amount | None, int]:
    """The amount whose number begins at ``at`` (None when it is no amount), and where to look on from."""
    before = lowered[max(0, at - 40) : at]
    offset = at - len(before)  # where ``before`` starts in the text
    if half := grammar.half.match(lowered, at):
        first, fraction_of = _Read(1, half.end(), False), 2.0
    else:
        read = _read_number(grammar, lowered, at)
        if read is None:
            return None, at + 1
        first, fraction_of = read, None
    if ordinal := grammar.ordinal_before.search(before):  # "lần thứ hai", "khóa 13"
        if first.value > 999 or first.value != int(first.value):
            return None, first.end
        label = grammar.canonical.get(ordinal.group(1), ordinal.group(1))
        return Amount(text[at : first.end], at, first.end, first.value, first.value, label, ORDINAL,
                      figure=text[at : first.end], phrase=(offset + ordinal.start(1), first.end)), first.end
    low = high = first.value
    end = first.end
    if fraction_of is None and lowered[end : end + 1] == "/":  # "11/11", "2/3"
        bottom = grammar.digits.match(lowered, end + 1)
        if not bottom or _digits_value(bottom.group(0)) < low or len(bottom.group(0)) > 3:
            return None, bottom.end() if bottom else end + 1  # "13/3": a day, not a share
        fraction_of, end = _digits_value(bottom.group(0)), bottom.end()
    elif fraction_of is None and (part := grammar.part.match(lowered, end)):  # "hai phần ba"
        bottom_read = _read_number(grammar, lowered, part.end())
        if bottom_read and bottom_read.value >= low:
            fraction_of, end = bottom_read.value, bottom_read.end
    single = first.single and fraction_of is None
    if fraction_of is None and (second := _range_end(grammar, lowered, end, low)):
        high, end, single = second.value, second.end, False
    number_end = resume = end
    unit, unit_end = "", end
    if known := _unit_at(grammar, lowered, end):
        unit, unit_end = known
    elif fraction_of is not None:
        share = grammar.share.match(lowered, end)
        unit, unit_end = _unit_at(grammar, lowered, share.end() if share else end) or _noun_at(
            grammar, lowered, share.end() if share else end)
        unit_end = unit_end if unit else end
    if unit and high == low and (second := _range_end(grammar, lowered, unit_end, low)):
        again = _unit_at(grammar, lowered, second.end)  # "từ 3 năm đến 5 năm": the same unit on both sides
        if again and again[0] == unit:
            high, unit_end, single, resume = second.value, again[1], False, again[1]
    if not unit and fraction_of is None:
        unit, unit_end = _noun_at(grammar, lowered, end)
    if not unit and fraction_of is None and (total := _OUT_OF[grammar is _FOLDED].match(lowered, end)):
        # "662 trong tổng số 686 tổ chức cơ sở đảng": a part of a whole, counted in the whole's unit
        whole = _read_number(grammar, lowered, total.end())
        if whole and whole.value >= low:
            counted_in = _unit_at(grammar, lowered, whole.end) or _noun_at(grammar, lowered, whole.end)
            if counted_in[0]:
                fraction_of, unit = whole.value, counted_in[0]
                unit_end = end  # the amount's own words end at its number; the whole is read on its own
    counting = (unit and grammar is _ACCENTED and lowered[at : first.end] in _COUNTING_WORDS
                and not text[at].isupper() and not text[unit_end - len(unit)].isupper())  # not "Ba Đình", "Bảy Núi"
    if single and unit not in UNITS and not counting:
        return None, end  # "một số", "năm nay", "ba" alone: a word, not a count ("hai phiên" is one)
    if unit not in UNITS and fraction_of is None and _is_year(first.value, lowered[at : first.end]):
        return None, end  # a year, or a term "2020-2025"
    if grammar.label_before.search(before) or (grammar.counted_label_before.search(before) and unit not in UNITS):
        return None, end  # "Điều 5", "ngày 10", "số 60"
    of = ""
    if unit == "%":
        share = grammar.share.match(lowered, unit_end)
        of = (_unit_at(grammar, lowered, share.end() if share else unit_end)
              or _noun_at(grammar, lowered, share.end() if share else unit_end))[0]
    measure, factor = UNITS.get(unit, (unit, 1))
    qualifier, phrase_start, phrase_end = "", at, unit_end
    source = grammar.from_.search(before)
    if after := grammar.after.match(lowered[unit_end : unit_end + 60]):
        qualifier, phrase_end = grammar.canonical[after.group(1)], unit_end + after.end()
        phrase_start = offset + source.start() if source else at
    elif bounded := grammar.before.search(before):
        qualifier, phrase_start = grammar.canonical[bounded.group(1)], offset + bounded.start(1)
    elif source:
        phrase_start = offset + source.start()
    if qualifier in ("đến", "trong") and high != low:
        qualifier = ""  # "trong 3 - 5 năm" is the range, not a bound
    amount = Amount(
        written=text[at:unit_end], start=at, end=unit_end, low=low * factor, high=high * factor, unit=unit,
        measure=measure, qualifier=qualifier, fraction_of=fraction_of, figure=text[at:number_end], of=of,
        phrase=(phrase_start, phrase_end),
    )
    return amount, max(resume, at + 1)


# --- comparing amounts ------------------------------------------------------------------------------


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def same_amount(a: Amount, b: Amount) -> bool:
    """Whether two amounts say the same figure: "12 tháng" = "1 năm" = "mười hai tháng", "45,5%" = "45,5 phần
    trăm", "11/11" = "11/11 đảng viên". A bare number ("12") is the same as that number of anything; the words that
    bound a figure are not compared ("hơn 2 triệu" gives the figure 2 triệu)."""
    if (a.fraction_of is None) != (b.fraction_of is None) or (
            a.fraction_of is not None and b.fraction_of is not None and not _close(a.fraction_of, b.fraction_of)):
        return False
    if (a.measure == ORDINAL) != (b.measure == ORDINAL):
        return False
    if not a.unit or not b.unit:
        return all(map(_close, a.numbers, b.numbers))
    return a.measure == b.measure and _close(a.low, b.low) and _close(a.high, b.high)


def _backs(support: Amount, claim: Amount) -> bool:
    """Whether a figure of the support backs one of the claim: the same amount, or the same number of a unit it
    may be restated in ("12 đảng viên" for "12 người"), not of one that changes what it says ("12 năm" for
    "12 tháng", "30 ngày" for "30 ngày làm việc"). A single figure may be either end of a range of the support."""
    if same_amount(support, claim):
        return True
    if claim.fraction_of is not None and claim.fraction_of != support.fraction_of:
        return False
    if (claim.measure == ORDINAL) != (support.measure == ORDINAL):
        return False
    said, given = claim.numbers, support.numbers
    if claim.unit in UNITS and support.unit in UNITS:
        if claim.measure == support.measure:
            said, given = (claim.low, claim.high), (support.low, support.high)
        elif claim.measure in _STRICT_MEASURES or support.measure in _STRICT_MEASURES:
            return False
    if said[0] == said[1]:
        return any(_close(said[0], number) for number in given)
    return all(map(_close, said, given))


_FOLDED_UNITS = sorted((_fold(unit) for unit in UNITS), key=len, reverse=True)


def counts(amount: Amount, thing: str) -> bool:
    """Whether ``amount`` is a number of ``thing``, what a "bao nhiêu …" question counts ("đảng viên dự bị",
    "phần trăm", "lượt", "chi bộ"): a known unit by its measure ("bao nhiêu năm" takes "60 tháng", not
    "60 ngày"), another by its words; a percentage or share counts what it is of ("15-20% đảng viên",
    "2/3 số đảng viên"). With no ``thing`` ("mức bao nhiêu?") any amount counts; an ordinal never does."""
    if amount.measure == ORDINAL:
        return False
    wanted = _fold(" ".join(thing.replace("_", " ").split()))
    if not wanted:
        return True
    if amount.fraction_of and (share := re.match(r"(?:phan|ty le|ti le)(?: so)?(?: |$)", wanted)):
        wanted = wanted[share.end() :]  # "bao nhiêu phần số thành viên": a share, counted in members
        if not wanted:
            return True
    names = [amount.unit, amount.of]
    if any(_fold(name) in _PEOPLE_CLASSIFIERS for name in names) and wanted.startswith(_PEOPLE):
        return True  # "15 đồng chí" counts đảng viên, đại biểu, …
    if any(_is_acronym_of(name, wanted) for name in names if name):
        return True  # "604 TCCSĐ" counts tổ chức cơ sở đảng
    known = next((name for name in _FOLDED_UNITS if wanted == name or wanted.startswith(f"{name} ")), "")
    if known:
        return measure_of(known) in {measure_of(name) for name in names if name}
    return any(f"{wanted} ".startswith(f"{_fold(name)} ") or f"{_fold(name)} ".startswith(f"{wanted} ")
               for name in names if name)


# People are counted with a classifier as often as with their name: "15 đồng chí", "30 người".
_PEOPLE_CLASSIFIERS = frozenset({"dong chi", "nguoi"})
_PEOPLE = tuple(f"{_fold(noun)}" for noun in (
    "đảng viên", "người", "cán bộ", "quần chúng", "đại biểu", "đồng chí", "hội viên", "đoàn viên", "học viên", "cấp ủy viên",
    "chi ủy viên", "đảng ủy viên", "ủy viên", "thành viên",
))


def _is_acronym_of(name: str, wanted: str) -> bool:
    """"TCCSĐ" for "tổ chức cơ sở đảng …", "ĐV" for "đảng viên": the letters begin the counted words' initials."""
    first = _fold(name.split()[0]) if name.split() else ""
    initials = "".join(word[0] for word in wanted.split())
    return len(first) >= 2 and first.isalpha() and initials.startswith(first) and first not in wanted.split()


def asked_bounds(question: str) -> set[str]:
    """The bounds a question asks for: {UPPER} for "tối đa bao nhiêu ngày", {LOWER} for "ít nhất mấy lần"."""
    folded = " " + " ".join(re.findall(r"\w+", _fold(question))) + " "
    return {_QUALIFIERS[word][0] for word in _ASKED if f" {_fold(word)} " in folded}


# --- figures of a claim against its support --------------------------------------------------------------

_FIGURE = re.compile(r"\d+(?:[.,/:-]\d+)*%?")


def _occurs(figure: str, text: str) -> bool:
    """"11" occurs in "11/11"; "1" does not occur in "11"; "mười hai" occurs as words."""
    def edge(char: str) -> str:
        return r"\d" if char.isdigit() else r"\w" if char.isalpha() else r"(?!)"

    pattern = rf"(?<!{edge(figure[:1])}){re.escape(figure)}(?!{edge(figure[-1:])})"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _dates(text: str) -> list[tuple[int, int, date]]:
    return [(found.start, found.start + len(found.text), found.value) for found in find_dates(text)]


def unsupported_amounts(claim: str, support: str) -> list[str]:
    """Figures of ``claim`` that ``support`` does not give, as the claim writes them ("5", "25/25", "mười hai").

    An amount is backed by an equal one however written ("12" by "mười hai tháng", "45,5%" by "45,5 %",
    "1.500" by "1500", "1 năm" by "12 tháng"); a date by the same day; any other figure (a year, a
    document's number) by the same digits. "một" alone is an article as often as a count and is not checked."""
    claim = unicodedata.normalize("NFC", claim)
    said = amounts(claim)
    backing = amounts(support)
    flagged = {
        amount.figure for amount in said
        if _fold(amount.figure) != "mot"
        and not any(_backs(other, amount) for other in backing) and (amount.unit or not _occurs(amount.figure, support))
    }
    covered = [(amount.start, amount.end) for amount in said]
    claimed_dates, backed_dates = _dates(claim), {value for _, _, value in _dates(support)}
    for match in _FIGURE.finditer(claim):
        figure = match.group(0).rstrip(".,")
        if _inside(match.start(), covered) is not None or _occurs(figure, support):
            continue
        if any(start <= match.start() < end and value in backed_dates for start, end, value in claimed_dates):
            continue
        flagged.add(figure)
    return sorted(flagged)


_TESTS: dict[tuple[str, bool], Callable[[float, float], bool]] = {
    (UPPER, False): operator.le, (UPPER, True): operator.lt, (LOWER, False): operator.ge, (LOWER, True): operator.gt,
}


def bound_test(amount: Amount) -> Callable[[float, float], bool] | None:
    """(a case's value, the amount's) → whether the case is within the bound the amount's words set; None when
    they set none ("ít nhất 36 tháng": value >= 36; "dưới 9": value < 9; "khoảng 30": no bound)."""
    return _TESTS.get((amount.bound, amount.strict))
