"""The organisation board's answer form for questions a regulation decides.

Boards answer a member's case the same way every time: the provision relied on
(căn cứ: clause, document, date), the provision's own words, then "Như vậy, …"
— the reading applied to the case. Only the last part is an opinion, so only it
may come from a model; the first two are assembled here from the chunk and its
metadata and can be checked character for character. Numbers are compared in
code (61 tuổi against "đủ 60 tuổi"), so the comparison a case turns on is stated
even with no model and cannot be misread by one.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from chat.citations import Citation, citation_of, strip_markers, unsupported_figures
from chat.extractive import ranked_sentences
from chat.numbers import UNITS, Amount, amounts, bound_test
from chat.polarity import asks_about_negation, is_negative, without_tag
from chat.sentences import Sentence, split_sentences
from chat.support import TermWeights, question_terms, whole_words
from ingest.clauses import clause_phrase
from ingest.docnumbers import KIND_LABELS_VI
from ingest.normalize import index_form, strip_diacritics
from vectorstore import SearchHit
from vectorstore.tokenize import accented_tokens

MAX_GROUNDS = 2
MIN_GROUND_SHARE = 0.85
MAX_UNBACKED = 2
# Words any reading of a rule uses to apply it, whatever the rule says.
READING_WORDS = frozenset({
    "như_vậy", "để", "vào", "nên", "vì", "do", "nếu", "trường_hợp", "cụ_thể", "đối_với", "vẫn", "cũng", "chưa",
    "hơn", "lớn", "nhỏ", "bằng", "quy_định", "điều_khoản", "điều_kiện", "đủ", "cần", "phải", "thể", "kết_luận",
    "câu", "trả_lời", "câu_trả_lời", "câu_hỏi",  # "câu trả lời là …": words about the answer, not facts of the case
})  # a second provision is quoted when its sentence ranks almost as high as the first
APPLICATION_LABEL = "Áp dụng vào trường hợp (nhận định của trợ lý, không phải nguyên văn văn bản):"
UNDECIDED = "điều khoản trên nêu điều kiện cần đáp ứng"
NO_APPLICATION = "(Chế độ trích xuất: chỉ nêu căn cứ và nguyên văn; việc áp dụng vào trường hợp cụ thể cần người đọc đối chiếu.)"


@dataclass(frozen=True)
class Ground:
    """One provision the answer rests on: passage ``n`` of the hits, and its verbatim sentence."""

    n: int
    hit: SearchHit
    sentence: Sentence
    clause: str

    @property
    def quote(self) -> str:
        return self.hit.text[self.sentence.start : self.sentence.end]

    @property
    def basis(self) -> str:
        """"điểm 1.1.1, Quy định số 294-QĐ/TW ngày 26/5/2025" (the number's "/TW" names no body: the Central
        Committee and its Secretariat both issue "/TW" texts, so the issuer is left to the number)."""
        meta = self.hit.meta
        kind = KIND_LABELS_VI.get(meta.kind, "")
        document = f"{kind} số {meta.number}" if kind and meta.number else (meta.number or meta.title)
        when = f" ngày {_day(meta.date)}" if meta.date else ""
        return f"{clause_phrase(self.clause)}, {document}{when}"

    def line(self) -> str:
        return f"Căn cứ {self.basis} [{self.n}], quy định: “{self.quote}”"


def _day(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day)}/{int(month)}/{year}"


def find_grounds(question: str, hits: list[SearchHit], lexical: TermWeights) -> list[Ground]:
    """The provisions that answer ``question``: the best verbatim sentences when they sit in numbered
    clauses of a regulation or guidance. Empty when the best sentence is not in one (news, reports):
    the answer then takes the ordinary form."""
    ranked = ranked_sentences(question, hits, lexical)
    if not ranked:
        return []
    best = ranked[0].score
    grounds: list[Ground] = []
    for item in ranked:
        if item.score < MIN_GROUND_SHARE * best or len(grounds) == MAX_GROUNDS:
            break
        hit = hits[item.n - 1]
        clause = hit.meta.clause_at(item.sentence.start)
        if not clause:
            if not grounds:
                return []
            continue
        if all(clause != ground.clause for ground in grounds):
            grounds.append(Ground(item.n, hit, item.sentence, clause))
    return grounds


# --- numbers of the case against the clause's thresholds -------------------------------------

@dataclass(frozen=True)
class Quantity:
    """A number of a case or a provision with a known unit, as chat.numbers reads it."""

    written: str  # "2 năm"
    measure: str  # "tháng"
    value: float  # in the measure's base unit: 24.0

    @property
    def shown(self) -> str:
        base = f"{self.value:g} {self.measure}"
        return self.written if self.written == base else f"{self.written} (= {base})"


def _quantities_of(text: str) -> Iterator[tuple[Amount, Quantity]]:
    """Each amount with a known unit, and the quantity it gives; a range gives both its ends ("từ 3 đến 5 năm")."""
    for amount in amounts(text):
        if amount.unit not in UNITS or amount.fraction_of is not None:
            continue
        if amount.low == amount.high:
            yield amount, Quantity(" ".join(amount.written.split()), amount.measure, amount.low)
            continue
        for number, value in zip(amount.numbers, (amount.low, amount.high), strict=True):
            yield amount, Quantity(f"{number:g} {amount.unit}".replace(".", ","), amount.measure, value)


def quantities(text: str) -> list[Quantity]:
    """Numbers with a unit, in digits or words: "61 tuổi", "mười hai tháng", "30 ngày làm việc"."""
    return list(dict.fromkeys(quantity for _, quantity in _quantities_of(index_form(text))))


@dataclass(frozen=True)
class Threshold:
    """A number of a provision and, where its words say so, the condition it sets ("ít nhất 36 tháng")."""

    quantity: Quantity
    condition: str = ""  # the provision's words for the bound; empty when they name none
    met: Callable[[float, float], bool] | None = None  # (the case's value, the threshold's) -> within the condition

    def verdict(self, value: float) -> str:
        if self.met is None:
            return ""
        return f", tức là {'thoả' if self.met(value, self.quantity.value) else 'không thoả'} điều kiện “{self.condition}”"


def thresholds(quoted: str) -> list[Threshold]:
    """The numbers of a provision with the bound each one sets, if its words set one ("ít nhất là 36 tháng",
    "(từ) … trở lên"; a range "từ 3 đến 5 năm" sets both of its ends)."""
    text = index_form(quoted)
    found = []
    for amount, quantity in _quantities_of(text):
        condition = text[amount.phrase[0] : amount.phrase[1]]
        if amount.low != amount.high:
            met = operator.ge if quantity.value == amount.low else operator.le
            found.append(Threshold(quantity, condition, met))
        elif met := bound_test(amount):
            found.append(Threshold(quantity, condition, met))
        else:
            found.append(Threshold(quantity))
    return list(dict.fromkeys(found))


def comparisons(question: str, quoted: str) -> list[str]:
    """Each number of the case set against each threshold of the same measure in the quoted text, and whether it
    meets the condition the provision's words set (a small model misreads "lớn hơn 60 tuổi" against "đến đủ 60
    tuổi"; which side of a bound a case falls on is arithmetic, so it is done here)."""
    lines: dict[tuple, str] = {}  # one line per outcome: two provisions (a regulation and the Charter) often say the same
    for asked, limit in _compared(question, quoted):
        value = limit.quantity.value
        relation = "lớn hơn" if asked.value > value else "nhỏ hơn" if asked.value < value else "bằng"
        outcome = (asked, value, limit.met, limit.met and limit.met(asked.value, value))
        lines.setdefault(outcome, f"{asked.shown} (trường hợp hỏi) {relation} {limit.quantity.shown} (mức nêu trong điều khoản)"
                                  f"{limit.verdict(asked.value)}")
    return list(lines.values())[:4]


def _compared(question: str, quoted: str) -> Iterator[tuple[Quantity, Threshold]]:
    """Each number of the case with each threshold of the same measure in the quoted text."""
    for asked in quantities(question):
        for limit in thresholds(quoted):
            if asked.measure == limit.quantity.measure:
                yield asked, limit


# "có được / có thể / đã đủ … không?": the case asks whether it qualifies, so meeting the bounds answers yes. Other
# yes/no questions ("có phải xin ý kiến …", "có bị từ chối …") ask about a consequence whose sign the bounds do not give.
_ELIGIBILITY = re.compile(r"\b(?:co duoc|co the|co du|da du|du dieu kien|co con|duoc khong|con duoc)\b")


def settle(question: str, grounds: list[Ground]) -> str:
    """The reading of a case the quoted words alone decide, without "Như vậy, ", or "" when they do not.

    A case that asks whether it qualifies ("có được / có thể / đã đủ … không?"), whose every number falls on the
    same side of every bound the quoted provisions set for its measure ("8 tháng" against "dưới 12 tháng":
    within), is stated as meeting or not meeting them — what the arithmetic shows, not what the rule then says.
    Not where the question or the provision holding a bound negates (a bound in "không được … trong thời hạn 12
    tháng" excludes those within it), nor where two numbers of the case fall on two sides of one bound (a member of
    30 and a mother of 62). With no number to settle it, :func:`status_contrast`."""
    quoted = " ".join(ground.quote for ground in grounds)
    if not grounds or not is_yes_no(question) or asks_about_negation(question, quoted):
        return ""
    if not _ELIGIBILITY.search(strip_diacritics(index_form(question)).lower()):
        return status_contrast(question, grounds)
    outcomes: dict[Threshold, set[bool]] = {}
    holders: dict[Threshold, Ground] = {}
    for asked, limit in _compared(question, quoted):
        if limit.met is None:
            continue
        holders[limit] = next((g for g in grounds if limit.condition in index_form(g.quote)), grounds[0])
        if is_negative(holders[limit].quote, without_tag(question)):
            return ""
        outcomes.setdefault(limit, set()).add(limit.met(asked.value, limit.quantity.value))
    if any(len(results) > 1 for results in outcomes.values()):
        return ""
    met_by = {limit: results.pop() for limit, results in outcomes.items()}
    by_measure = [_all_met({limit: ok for limit, ok in met_by.items() if limit.quantity.measure == measure})
                  for measure in dict.fromkeys(limit.quantity.measure for limit in met_by)]
    met = None if not by_measure or None in by_measure else all(by_measure)  # each measure a condition of its own
    if met is None:
        return status_contrast(question, grounds)
    named = [limit for limit, ok in met_by.items() if ok == met]  # not met: the bounds the case fails
    conditions = ", ".join(dict.fromkeys(f"“{limit.condition}”" for limit in named))
    clauses = " và ".join(dict.fromkeys(clause_phrase(holders[limit].clause) for limit in named))
    return f"theo đối chiếu số liệu, trường hợp hỏi {'đủ' if met else 'không đáp ứng'} điều kiện {conditions} của {clauses}."


_PROBATIONARY, _FULL = "dang vien du bi", "dang vien chinh thuc"


def status_contrast(question: str, grounds: list[Ground]) -> str:
    """Asked whether a probationary member may do what a quoted provision grants full members only ("Thẻ đảng
    viên được phát cho đảng viên chính thức", "Người giới thiệu phải là đảng viên chính thức"): they may not. A
    small model answers "Có" next to such a clause; the words of the clause decide it. Not where the provisions
    also name probationary members or forbid (a ban on full members says nothing of the others); the clause
    named is the one that names full members."""
    asked = strip_diacritics(index_form(question)).lower()
    folded = [(ground, strip_diacritics(index_form(ground.quote)).lower()) for ground in grounds]
    holder = next((ground for ground, text in folded if _FULL in text), None)
    if (holder is None or _PROBATIONARY not in asked or _FULL in asked or not is_yes_no(question)
            or any("du bi" in text for _, text in folded) or is_negative(holder.quote, without_tag(question))):
        return ""
    return (f"{clause_phrase(holder.clause)} quy định cho đảng viên chính thức, nên đảng viên dự bị không thuộc "
            "trường hợp được quy định ở đó.")


# --- verdicts -------------------------------------------------------------------------------------

_YES_NO = re.compile(r"\b(?:co|duoc|phai|dung|con|can)\b.*\b(?:khong|chua)\s*[?.!]*\s*$|\b(?:hay khong|duoc khong|co phai|dung khong)\b")
_NORMATIVE = re.compile(r"\b(?:phai|duoc|khong duoc|chi|nghiem cam|toi da|toi thieu|it nhat|tro len|du|trong thoi han)\b")
_VERDICT_NO = re.compile(r"\b(không|chưa)\b", re.IGNORECASE)
_QUOTED = re.compile(r"“[^”]*”")
_VERDICT_YES = re.compile(r"\b(có|được|đúng|đủ)\b", re.IGNORECASE)


def is_yes_no(question: str) -> bool:
    """"… có được … không?", "… có phải …", "… được không?": a question that wants a verdict."""
    return bool(_YES_NO.search(strip_diacritics(index_form(question)).lower()))


def verdict_of(answer: str) -> str:
    """The verdict an answer gives: "không" if its deciding sentence negates, "có" if it affirms, else "".

    The deciding sentence is the one after "Như vậy" when the answer has the board's form, after "Tóm lại:"
    when it quotes a rule and then sums it up (chat/provision.py), else the first."""
    text = answer.strip()
    for label in ("Như vậy", "Tóm lại:"):
        if label in text:
            text = text[text.index(label) + len(label) :].lstrip(" ,")
            break
    else:
        if text.startswith("Căn cứ"):
            return ""  # the căn cứ and the quote alone: no reading of the case, so no verdict
    if text.startswith(UNDECIDED):
        return ""
    first = _QUOTED.sub("", re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0])  # a quoted "không quá" is the clause's, not a verdict
    if _VERDICT_NO.search(first):
        return "không"
    return "có" if _VERDICT_YES.search(first) else ""


def verdict_follows(question: str, grounds: list[Ground], compared: list[str]) -> bool:
    """Whether a yes/no verdict can follow from the quoted clause and the case's facts.

    It can when the case's numbers were set against the clause's thresholds, or when the case gives no
    number and the quoted words are a rule (must, may, only, at least, …). A case with numbers the clause
    has no threshold for cannot be decided from that clause."""
    if compared:
        return True
    if quantities(question):
        return False
    return any(_NORMATIVE.search(strip_diacritics(index_form(ground.quote)).lower()) for ground in grounds)


def undecided(grounds: list[Ground]) -> str:
    """What to say instead of a verdict that does not follow."""
    return (f"Như vậy, {UNDECIDED}; câu hỏi chưa nêu đủ dữ kiện của trường hợp để "
            f"kết luận có hay không — cần đối chiếu trường hợp cụ thể với {clause_phrase(grounds[0].clause)}.")


# --- the answer, assembled ----------------------------------------------------------------------------


def head(question: str, grounds: list[Ground]) -> str:
    """Căn cứ and the verbatim words (and the comparison of the case's numbers): known before any model writes."""
    compared = comparison(question, grounds)
    return f"{quoted(grounds)}\n\n{compared}" if compared else quoted(grounds)


def quoted(grounds: list[Ground]) -> str:
    """Căn cứ and the provisions' own words, one paragraph each (the case form and chat/provision.py's)."""
    return "\n\n".join(ground.line() for ground in grounds)


def comparison(question: str, grounds: list[Ground]) -> str:
    """The case's numbers against the quoted provisions' ("Đối chiếu số liệu: …"), or "" when there is none; shown
    to the member and given to the model, which applies it rather than doing the arithmetic itself."""
    return _comparison_line(comparisons(question, " ".join(ground.quote for ground in grounds)))


def _comparison_line(compared: list[str]) -> str:
    return "Đối chiếu số liệu: " + "; ".join(compared) + "." if compared else ""


def _all_met(outcomes: dict[Threshold, bool]) -> bool | None:
    """Whether the case meets the bounds of one measure, read as one condition; None when they do not make one. Bounds that all
    agree decide. A lower and an upper bound that leave room between them ("đủ 18 tuổi đến đủ 60 tuổi") are one
    condition, failed when either fails. Bounds of one direction that disagree ("quá 12 tháng … quá 60 tháng"), or
    that leave no room ("dưới 12 tháng" / "từ 12 tháng trở lên"), are tiers of different rules: nothing is settled."""
    if not outcomes:
        return None
    if len(set(outcomes.values())) == 1:
        return next(iter(outcomes.values()))
    lower = {limit: ok for limit, ok in outcomes.items() if limit.met in (operator.ge, operator.gt)}
    upper = {limit: ok for limit, ok in outcomes.items() if limit.met in (operator.le, operator.lt)}
    if len(lower) + len(upper) < len(outcomes) or len(set(lower.values())) > 1 or len(set(upper.values())) > 1:
        return None
    room = max(limit.quantity.value for limit in lower) < min(limit.quantity.value for limit in upper)
    return False if room else None


def checked_reading(question: str, grounds: list[Ground], written: str) -> tuple[str, list[str]]:
    """The model's "Như vậy, …" as it may be shown, and the warnings about what was removed.

    Its numbers must be the case's or the clause's; a verdict must follow from them (see
    :func:`verdict_follows`). The reading the quoted words settle (:func:`settle`) stands in for one that was
    removed or never written; it never overrules one that passed. Markers are the grounds', whatever the model wrote."""
    decided = f"Như vậy, {settled}" if (settled := settle(question, grounds)) else ""
    fallback = decided or undecided(grounds)
    reading = " ".join(strip_markers(written).split())
    if not reading:
        return (f"{decided.rstrip('.')} {markers(grounds)}." if decided else NO_APPLICATION), []
    if not reading.startswith("Như vậy"):
        reading = f"Như vậy, {reading[0].lower()}{reading[1:]}"
    quoted = " ".join(ground.quote for ground in grounds)
    compared = comparisons(question, quoted)
    backing = f"{quoted} {question} {_comparison_line(compared)}"  # the comparison's words are the model's to use
    flags = []
    if repeats_the_question(reading, question):
        flags.append("Phần áp dụng của mô hình chỉ nhắc lại câu hỏi nên đã bị bỏ.")
        reading = fallback
    elif foreign := unsupported_figures(reading, backing):
        flags.append(f"Phần áp dụng của mô hình nêu số liệu {', '.join(f'“{f}”' for f in foreign)} không có trong câu hỏi "
                     "hay điều khoản trích dẫn nên đã bị bỏ.")
        reading = fallback
    elif foreign := unbacked_words(reading, backing):
        flags.append(f"Phần áp dụng của mô hình nêu nội dung không có trong điều khoản trích dẫn hay câu hỏi "
                     f"({', '.join(foreign[:4])}) nên đã bị bỏ.")
        reading = fallback
    elif is_yes_no(question) and verdict_of(reading) and not verdict_follows(question, grounds, compared):
        flags.append("Mô hình đưa ra kết luận mà điều khoản và dữ kiện của câu hỏi chưa đủ căn cứ; đã thay bằng nêu điều kiện.")
        reading = fallback
    return f"{reading.rstrip('.')} {markers(grounds)}.", flags


def markers(grounds: list[Ground]) -> str:
    return "".join(f"[{n}]" for n in dict.fromkeys(ground.n for ground in grounds))


def repeats_the_question(reading: str, question: str) -> bool:
    """A "reading" that asks the question again ("Như vậy, chi bộ có được xem xét … không?"): a sentence of it still
    asks and says nothing the question did not. A small model writes this now and then; it is no reading, and its
    last word is not a verdict."""
    asked = question_terms(question)[0]
    for sentence in split_sentences(reading.removeprefix("Như vậy,")):
        said = sentence.text.strip(" .")
        if (said.endswith("?") or is_yes_no(said)) and not question_terms(said)[0] - READING_WORDS - asked:
            return True
    return False


def unbacked_words(reading: str, backing: str) -> list[str]:
    """Topic words of the reading that neither the quoted provision nor the question has ("người thân" in a
    reading of a rule that names no relatives): a reading applies the rule, it may not bring facts of its own.
    Returned only when they are more than a slip: at least MAX_UNBACKED words and a quarter of the reading's."""
    terms = question_terms(reading)[0] - READING_WORDS
    backed_words, backed_syllables = set(whole_words(backing, folded=False)), set(accented_tokens(backing))
    foreign = sorted(
        term.replace("_", " ") for term in terms
        if term not in backed_words and not all(part in backed_syllables for part in term.split("_"))
    )
    return foreign if len(foreign) >= MAX_UNBACKED and len(foreign) > len(terms) / 4 else []


def assemble(question: str, grounds: list[Ground], reading: str) -> str:
    return f"{head(question, grounds)}\n\n{APPLICATION_LABEL} {reading}"


def citations(grounds: list[Ground]) -> list[Citation]:
    """One citation per ground, at the exact sentence quoted."""
    return [citation_of(ground.n, ground.hit, ground.sentence) for ground in grounds]
