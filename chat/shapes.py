"""The form an answer takes, chosen from the question alone.

Members ask four kinds of question and each reads best in its own form:

- ``fact``: one value or a short definition ("Ai chủ trì đại hội?", "Người vào Đảng
  phải đủ bao nhiêu tuổi?", "Tổ đảng là gì?"). The answer is one direct sentence
  with the value, then the quote. A value of a rule is still a fact: the member wants
  the number first, not a reading of the clause.
- ``rule``: what a provision says in general: conditions, procedure, dossier,
  authority ("cấp nào quyết định"), duties, "quy định thế nào", "phải làm gì", and a
  yes/no asked of everyone ("Đảng viên dự bị có được biểu quyết không?"). The clause
  is quoted, then summed up.
- ``case``: the same yes/no or "xử lý thế nào" asked of one particular person or
  organisation with facts of its own ("Một quần chúng đã 61 tuổi …", "Chi bộ tôi có
  5 đảng viên …", "Đồng chí A là đảng viên dự bị được 10 tháng …"). Only a case gets
  the board's form (căn cứ, nguyên văn, đối chiếu, "Như vậy"): applying a rule to a
  case nobody described is the worst mistake a form can make, so a question is a
  case only when both halves are there, the particular subject and the verdict.
- ``list``: an enumeration or an explanation (liệt kê, gồm những gì, các bước, tại
  sao, ý nghĩa): bullet points, each with its citation.

Cues are matched on the diacritic-folded question, so "nguoi vao dang phai du bao
nhieu tuoi" gets the shape of "Người vào Đảng phải đủ bao nhiêu tuổi?". The few
folded spellings that mean two things ("toi" is "tôi" and "tối", "may" is "mấy" and
"máy", "neu" is "nêu" and "nếu") are read from the accented text when there is one,
and from their position when there is not. pyvi's tagger is not used: it is trained on
accented text and parses a folded question differently, while the same question typed
either way must get the same shape; the parse that matters here is the question's two
parts, the situation it describes and the clause that asks (split at ";", a sentence
end or the last "thì"), which punctuation and particles give.

``evaluation/data/shapes.jsonl`` holds the labelled questions (real and written) that
``tests/test_shapes.py`` measures this against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from chat.extractive import expected_type
from chat.ruling import is_yes_no
from ingest.normalize import index_form, strip_diacritics
from vectorstore.tokenize import has_diacritics


class Shape(StrEnum):
    FACT = "fact"
    RULE = "rule"
    CASE = "case"
    LIST = "list"


def _fold(pattern: str) -> re.Pattern[str]:
    """A cue written in Vietnamese, compiled for the folded question (tone marks and "đ" removed)."""
    return re.compile(strip_diacritics(pattern))


@dataclass(frozen=True)
class _Question:
    """The question in the forms the cues read: folded lower case (every cue), accented lower case (the
    ambiguous folded words), original case folded (names), and its last asking clause."""

    folded: str
    accented: str  # "" when the question was typed without marks
    cased: str  # folded, case kept: "Đồng chí A", "Anh Nam"
    ask: str  # folded: the clause after the last ";", sentence end or "thì"


# Politeness lead-ins name the asker, not a subject: "Cho tôi hỏi đảng viên dự bị có được …" is general.
_PREAMBLE = _fold(
    r"^(?:xin |làm ơn |vui lòng )?(?:cho |cho phép )?(?:tôi |em |mình |cháu |tớ )?(?:xin |muốn |cần |được )?"
    r"(?:hỏi|biết)(?: là| rằng| về)?\s*[,:]?\s*"
)
_TRAILING = _fold(r"\s*\b(?:ạ|nhỉ|vậy|nhé|ha|hả|à)\s*([?.!…]*)\s*$")
# "thì" ends the situation; folded "thi" is also "thi" (exam, carry out: "thi hành", "thi cử").
_ASK_SPLIT = re.compile(r"[;:]\s+|[.?!]\s+(?=\S)|\bthi\s+(?!hanh|cu\b|tuyen|dua|hoc ky|ket thuc)")


def _read(question: str) -> _Question:
    cased = strip_diacritics(index_form(question)).strip()
    accented = index_form(question).lower().strip() if has_diacritics(question) else ""
    folded = cased.lower()
    match = _PREAMBLE.match(folded)
    if match and match.end() < len(folded):
        cut = match.end()
        folded, cased = folded[cut:], cased[cut:]
        # The accented text keeps the same letters one for one except "đ"/"Đ"; cut it by the same count of words.
        accented = " ".join(accented.split()[len(match.group(0).split()) :]) if accented else ""
    folded = _TRAILING.sub(r"\1", folded)
    ask = _ASK_SPLIT.split(folded.rstrip(" ?.!…"))[-1]
    return _Question(folded, accented, cased, ask)


# --- list: an enumeration or an explanation -------------------------------------------------------------------

_LIST = _fold(
    r"liệt kê|kể tên|gồm những|bao gồm những|gồm (?:các )?(?:gì|ai)\b|những gì|những ai|\bnhững(?:\s+\S+){1,4}?\s+(?:nào|gì)\b"
    r"|\bcác bước\b|tại sao|vì sao|vì lý do gì|lý do (?:gì|nào|là gì)|ý nghĩa|giải thích|phân tích"
)
_LIST_START_ACCENTED = re.compile(r"^(?:hãy\s+)?nêu\b")
# Folded "neu" is also "nếu" (if): "neu cac dieu kien" lists, "neu cac dang vien … thi …" is a condition.
_LIST_START_FOLDED = re.compile(r"^(?:hay\s+)?neu\s+(?:cac|nhung|ro|ten|day du)\b")


def is_list(question: str) -> bool:
    """Asks for several items or for reasons: each item becomes a bullet with its own citation."""
    q = _read(question)
    return _is_list(q)


def _is_list(q: _Question) -> bool:
    if _LIST.search(q.folded):
        return True
    if q.accented:
        return bool(_LIST_START_ACCENTED.match(q.accented))
    return bool(_LIST_START_FOLDED.match(q.folded)) and not re.search(r"\bthi\b", q.folded)


# --- case: a particular subject, and a verdict or handling asked about it -------------------------------------

# First person and the asker's own people or organisation: "tôi", "bạn tôi", "chi bộ em".
_FIRST_ACCENTED = re.compile(r"\b(?:tôi|mình|tớ|chúng tôi|chúng em|chúng mình)\b|\bem\b")
# Folded "toi" is also "tối" (tối đa, tối thiểu) and "tới"; "minh" is also a name and "chứng minh". Only the
# positions a pronoun takes count: the start of a clause, after a possessor, or before what a speaker says of
# themselves.
_FIRST_FOLDED = re.compile(
    r"(?:^|[,;.:]\s*|\bthi\s+|\b(?:ban|con|em|anh|chi|me|bo|ba|vo|chong|cua|cho|trai|gai|ruot|bo|quan|vi|nha|dinh)\s+)"
    r"(?:toi|minh)\b"
    r"|\b(?:toi|minh)\s+(?:la|nam nay|co|dang|muon|bi|duoc|moi|vua|hien|chua|\d)"
    r"|\bem\b|\bchung (?:toi|em)\b"
)
_NAME_STOP = {"Dang", "Ban", "Chi", "Hoi", "Dai", "Trung", "Thu", "Bi", "Pho", "Uy", "Nha", "Bo", "Quoc", "Nghi",
              "Dieu", "Huong", "Quy", "Truong", "Vien", "Thanh", "Cong", "Lien", "Doan", "Hoc", "Tinh"}
# A person by name or placeholder: "Đồng chí A", "Anh Nam", "đảng viên X". Case-sensitive: "anh trai" is no name.
_NAMED = re.compile(
    r"\b(?:[Dd]ong chi|[Dd]/c|[Aa]nh|[Cc]hi|[Oo]ng|[Bb]a|[Dd]ang vien|[Qq]uan chung)\s+"
    r"(?P<name>[A-Z](?![a-z])|[A-Z][a-z]+)"
)
_ONE = _fold(r"(?:^|[,;.:]\s*|\bthì\s+|\bnếu\s+)(?:một|1)\s+(?P<rest>(?:\S+\s+){0,4})")
# "một …" followed by a wish, a duty or straight by the verdict describes anyone: "Một người muốn vào Đảng …",
# "Một cán bộ có được kiêm bí thư không?".
_GENERIC_AFTER_ONE = re.compile(r"\b(?:muon|phai|can(?! bo)|nen|co the|co (?:duoc|phai|the|bi|can|nen)\b)")
# Numbers of the subject's own: an age, a time served, a head count, the times something happened. Folded
# "sau", "bay", "tam", "lam" are also "sau" (after), "bay", "tạm", "làm": number words count folded only when
# they mean nothing else.
_COUNT = r"(?:\d+(?:[.,/]\d+)?|hai|ba|bốn|sáu|bảy|tám|chín|mười|mươi|mốt|lăm)"
_COUNT_FOLDED = r"(?:\d+(?:[.,/]\d+)?|hai|ba|bon|chin|muoi)"
_UNIT = r"(?:tuổi|tháng|năm|ngày|tuần|lần|đảng viên|đồng chí|quần chúng|người|thành viên|%|phần trăm)"
_ORDINAL = r"|\blần thứ\s+(?:\d+|hai|ba|tư|năm)\b"
_OWN_NUMBER = re.compile(rf"(?<![\w/-])(?P<count>{_COUNT})\s+{_UNIT}\b{_ORDINAL}")
_OWN_NUMBER_FOLDED = _fold(rf"(?<![\w/-])(?P<count>{_COUNT_FOLDED})\s+{_UNIT}\b{_ORDINAL}")
# A number that states the rule's threshold or rate is not a fact of the subject's: "trên 60 tuổi",
# "từ 30 đảng viên trở lên", "ba tháng trong năm".
_BEFORE = r"(?:trên|dưới|từ|đủ|tối đa|tối thiểu|ít nhất|nhiều nhất|không quá|chưa quá|quá|hơn|trong|sau|trước|mỗi|hằng)\s+$"
_AFTER = r"^\s*(?:\S+\s+){0,3}?(?:trở lên|trở xuống|trở về trước|trở về sau|trở đi|trong năm|trong tháng|mỗi năm)\b"
_THRESHOLD = (re.compile(_BEFORE), re.compile(_AFTER))
_THRESHOLD_FOLDED = (_fold(_BEFORE), _fold(_AFTER))
_YEAR = re.compile(r"^(?:19|20)\d\d$")

_HANDLING = _fold(
    r"(?:xử lý|giải quyết)(?:\s+\S+){0,3}?\s+(?:thế nào|ra sao|sao)\b|\blàm (?:gì|sao|thế nào)\b|bắt đầu từ đâu"
    r"|(?:thế nào|ra sao)\s*$"
)
_CHOICE = re.compile(r"\S+\s+hay\s+\S+(?:\s+\S+)?\s*[?]*\s*$")


def _first_person(q: _Question) -> bool:
    if q.accented:
        return bool(_FIRST_ACCENTED.search(q.accented))
    return bool(_FIRST_FOLDED.search(q.folded))


def _named(q: _Question) -> bool:
    return any(m.group("name") not in _NAME_STOP for m in _NAMED.finditer(q.cased))


def _one(q: _Question) -> bool:
    """"Một quần chúng đã 61 tuổi": a particular subject; "Một người muốn vào Đảng thì phải làm gì?" is anyone."""
    return any(not _GENERIC_AFTER_ONE.search(m.group("rest")) for m in _ONE.finditer(q.folded))


def own_numbers(question: str) -> list[str]:
    """Numbers the question gives about its subject ("61 tuổi", "được 8 tháng", "có 5 đảng viên", "lần thứ ba"),
    leaving out the rule's thresholds and rates ("trên 60 tuổi", "từ 30 đảng viên trở lên", "ba tháng trong
    năm") and years ("năm 2023"): a case brings numbers of its own to set against the clause's."""
    return _own_numbers(_read(question))


def _own_numbers(q: _Question) -> list[str]:
    text, pattern, (before, after) = (
        (q.accented, _OWN_NUMBER, _THRESHOLD) if q.accented else (q.folded, _OWN_NUMBER_FOLDED, _THRESHOLD_FOLDED)
    )
    found = []
    for match in pattern.finditer(text):
        count = match.group("count")
        if count and _YEAR.match(count):
            continue
        if before.search(text[: match.start()]) or after.match(text[match.end() :]):
            continue
        found.append(match.group(0))
    return found


def has_particular_subject(question: str) -> bool:
    """The question is about someone in particular: the asker or their people ("tôi", "bạn tôi", "chi bộ em"), a
    named person ("Đồng chí A"), "một …" with circumstances of its own, or a subject with numbers of its own."""
    return _particular(_read(question))


def _particular(q: _Question) -> bool:
    return _first_person(q) or _named(q) or _one(q) or bool(_own_numbers(q))


def asks_verdict_or_handling(question: str) -> bool:
    """Wants a yes/no ("có được … không", "đã đủ … chưa", "chính thức hay tạm thời?") or what to do
    ("xử lý thế nào", "phải làm gì tiếp", "tổ chức sinh hoạt thế nào")."""
    return _verdict_or_handling(_read(question))


def _verdict_or_handling(q: _Question) -> bool:
    return is_yes_no(q.folded) or bool(_CHOICE.search(q.folded)) or bool(_HANDLING.search(q.ask))


def is_case(question: str) -> bool:
    """A particular subject with facts of its own AND a verdict or handling asked about it.

    Both halves are needed. "Đảng viên dự bị có được biểu quyết không?" asks the rule of everyone (rule);
    "Đồng chí A, dự bị được 10 tháng, có được biểu quyết không?" asks it of one member (case); "Người vào
    Đảng phải đủ bao nhiêu tuổi?" wants a value (fact) and "Một người 62 tuổi … cần sự đồng ý của ai?" an
    authority (rule), even of a particular person: neither asks for a reading of the case."""
    q = _read(question)
    return not _is_list(q) and _is_case(q)


def _is_case(q: _Question) -> bool:
    return _verdict_or_handling(q) and _particular(q)


# --- fact or rule -----------------------------------------------------------------------------------------------

_VALUE_TYPES = {"date", "year", "duration", "number"}
_VALUE = _fold(r"\bở đâu\b|\bnơi nào\b|\b(?:thời hạn|thời điểm|thời gian|dịp|ngày) nào\b|\bsố mấy\b")
_HOW_MANY_ACCENTED = re.compile(r"\bmấy\b")
# Folded "may" is "mấy" unless it is a machine or luck: "máy tính", "may mắn".
_HOW_MANY_FOLDED = re.compile(r"\bmay\b(?!\s+(?:tinh|moc|in|bay|anh|chu|chieu|quay|man|xuc|lanh|mac|do)\b)")
_DEFINITION = _fold(r"^thế nào là\b|định nghĩa|nghĩa là gì|hiểu là gì|hiểu (?:như )?thế nào là")
_AUTHORITY = _fold(
    r"\b(?:ai|cấp nào|(?:tổ chức|cơ quan|cấp ủy|đảng ủy|ban)(?: đảng| cấp)? nào)\b(?:\s+\S+){0,3}?\s+"
    r"(?:quyết định|xem xét|có thẩm quyền|phê duyệt|chuẩn y|cho phép|đồng ý)\b"
    r"|(?:đồng ý|cho phép|phê duyệt|chấp thuận|quyết định) của (?:ai|cấp nào)\b|thuộc (?:về )?(?:ai|cấp nào)\b|\bcấp nào\b"
)
_RULE_TOPIC = _fold(
    r"điều kiện|thủ tục|hồ sơ|thẩm quyền|trách nhiệm|nhiệm vụ|quy trình|trình tự|tiêu chuẩn|trường hợp nào"
    r"|quy định (?:như )?thế nào"
)
_HOW = _fold(r"\b(?:thế nào|ra sao|làm gì|làm sao)\b")


def asks_value(question: str) -> bool:
    """Its asking clause wants a number, a date, a length of time or a place: "bao nhiêu", "mấy", "bao lâu",
    "khi nào", "năm nào", "ở đâu", "trong thời hạn nào". Such a question is a fact even when it sits in a
    rule or a described situation: the value comes first."""
    return _asks_value(_read(question))


def _asks_value(q: _Question) -> bool:
    if expected_type(q.ask) in _VALUE_TYPES or _VALUE.search(q.ask):
        return True
    if q.accented:
        return bool(_HOW_MANY_ACCENTED.search(q.accented.split(";")[-1]))
    return bool(_HOW_MANY_FOLDED.search(q.ask))


def _is_rule(q: _Question) -> bool:
    return bool(
        _AUTHORITY.search(q.folded) or _RULE_TOPIC.search(q.folded) or is_yes_no(q.folded) or _HOW.search(q.ask)
    )


def shape_of(question: str) -> Shape:
    """The form of the answer to ``question``.

    In order: an enumeration or explanation is a list; a particular subject asked for a verdict or handling is a
    case; a value (number, date, duration, place) is a fact; a definition is a fact; authority, conditions,
    procedure, duties, "thế nào" and a general yes/no are a rule; anything else ("ai", "gì", "là gì") is a fact.
    """
    q = _read(question)
    if _is_list(q):
        return Shape.LIST
    if _is_case(q):
        return Shape.CASE
    if _asks_value(q) or _DEFINITION.search(q.folded):
        return Shape.FACT
    if _is_rule(q):
        return Shape.RULE
    return Shape.FACT
