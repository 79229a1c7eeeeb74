"""Which office, which congress: the one a question asks about, and whether a sentence speaks of it or of a
neighbouring one.

"Ai được bầu làm Phó Bí thư?" next to a sentence that names only the Bí thư; "phó bí thư chi bộ" next
to the Phó Bí thư of the Đảng ủy who came as a guest; "bí thư chi bộ giữ chức tối đa mấy nhiệm kỳ?" next
to the rule for the Tổng Bí thư; "Đại hội lần thứ X" next to the sentence about the XIth. The words
nearly match, so coverage passes, and a small model answers with the other one's name, limit or term.
An office is a head ("bí thư", "chủ tịch", …) with its rank ("phó", "tổng" or none) and, where written,
its body ("chi bộ", "đảng ủy", …); a congress or term is its ordinal, as chat/numbers reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.numbers import amounts
from ingest.normalize import index_form, strip_diacritics

# Folded, "bộ trưởng" would be the "bộ Trường" of "Chi bộ Trường THCS …": ministers are left out.
_HEADS = r"bi thu|chu tich|chu nhiem|truong ban|giam doc|hieu truong|truong phong|chanh van phong"
_BODIES = r"chi bo|chi uy|dang uy|dang bo|tinh uy|thanh uy|huyen uy|quan uy|thi uy|uy ban|hoi dong|cong doan|doan"
_OFFICE = re.compile(rf"(?:\b(?P<rank>pho|tong)\s+)?\b(?P<head>{_HEADS})\b(?:\s+(?P<body>{_BODIES})\b)?")


@dataclass(frozen=True)
class Office:
    """An office as written, folded and lower-case ("pho", "bi thu", "chi bo"); the body is "" where unwritten."""

    rank: str
    head: str
    body: str = ""

    def held_by(self, named: Office) -> bool:
        """``named`` is this office: same head and rank, and the same body where both name one."""
        return (named.head, named.rank) == (self.head, self.rank) and (not self.body or not named.body or named.body == self.body)


# A party body and its committee are one office's body: the Bí thư Chi bộ is the Bí thư of its Chi ủy.
_SAME_BODY = {"chi uy": "chi bo", "dang bo": "dang uy"}


def offices(text: str) -> set[Office]:
    """The offices a text names, folded, so a question typed without marks names the same ones."""
    folded = strip_diacritics(index_form(text)).lower()
    return {Office(m.group("rank") or "", m.group("head"), _SAME_BODY.get(m.group("body") or "", m.group("body") or ""))
            for m in _OFFICE.finditer(folded)}


def ordinals(text: str) -> set[float]:
    """The ordinals of congresses, terms and conferences a text names ("Đại hội lần thứ XI", "khóa XIII")."""
    return {amount.low for amount in amounts(index_form(text)) if amount.measure == "thứ"}


def names_offices(question: str, text: str) -> bool:
    """Every office the question names is named in the text too (with its rank, and its body where both name one)."""
    named = offices(text)
    return all(any(office.held_by(other) for other in named) for office in offices(question))


def referent_missed(question: str, quotes: list[str], asks_person: bool) -> bool:
    """The quotes speak of another office or congress than the question: they name its head only with another
    rank or body, or only other ordinals; or, when a person is asked for by office ("Ai được bầu làm Bí thư?"),
    they do not name the office at all (a guest's name under the congress's title is no answer). Quotes that
    name neither are not judged here."""
    text = "\n".join(quotes)
    named = offices(text)
    for office in offices(question):
        if not any(office.held_by(other) for other in named) and (asks_person or any(other.head == office.head for other in named)):
            return True
    asked, written = ordinals(question), ordinals(text)
    return bool(asked and written and not asked & written)


# Capitalised words that name kinds of bodies, offices and documents, not a particular one.
_GENERIC = frozenset({
    "đảng", "bộ", "chi", "bí", "thư", "đại", "hội", "nghị", "ban", "thường", "vụ", "chấp", "hành", "trung", "ương",
    "ủy", "uỷ", "tỉnh", "thành", "huyện", "quận", "xã", "phường", "thị", "trấn", "trường", "quyết", "quy", "định",
    "hướng", "dẫn", "điều", "lệ", "kế", "hoạch", "nhà", "nước", "mặt", "trận", "tổ", "quốc", "cộng", "sản", "việt",
    "chủ", "tịch", "phó", "tổng", "khối", "cơ", "quan", "kiểm", "tra", "lần", "thứ", "khóa", "khoá",
    "nhiệm", "kỳ", "năm", "ngày", "tháng", "theo", "trong", "tại", "ai", "có", "là", "phố", "bà", "ông", "anh", "chị",
})


# "… như thế nào? – Phương Hoài (Bình Định)": the asker's name and province, as Q&A columns print them
_SIGNATURE = re.compile(r"\s[–—-]\s*[^–—?]{2,40}\([^()]{2,30}\)\s*$")


def proper_names(question: str) -> list[str]:
    """Names of particular places, units and people in a question written with capitals ("quận Cái Răng",
    "Trường THCS Đoàn Kết", "Bà Lê Thị Mộng Tuyền"): runs of two or more capitalised words, generic words
    ("Đảng", "Chi", "Bộ") trimmed from their ends; a sentence's first word, punctuation and acronyms end a run.
    A question typed without capitals names none this way."""
    tokens = re.findall(r"\w+|[^\w\s]", _SIGNATURE.sub("", index_form(question)))
    names, run = [], []
    for before, word in zip([".", *tokens], [*tokens, ""], strict=True):
        if before not in ".?!:;" and word[:1].isupper() and not word.isupper():  # a sentence's first word starts none
            run.append(word)
            continue
        while run and run[0].lower() in _GENERIC:
            run.pop(0)
        while run and run[-1].lower() in _GENERIC:
            run.pop()
        if len(run) >= 2:
            names.append(" ".join(run))
        run = []
    return names


def unnamed_in(question: str, cited: list[str], found: list[str]) -> list[str]:
    """The question's proper names that the passages do not name, where the cited passages (each with its title)
    name places, units or people of their own: a figure about Cần Thơ read off an article about Hải Dương answers
    nothing that was asked. A passage that names none speaks of its own publisher's province without naming it
    ("Đảng ủy Khối các cơ quan tỉnh …" on Đồng Tháp's site), so it is not judged. The ``found`` passages of the
    cited documents count as naming too (an article names its place once, in its lead). A name counts as named
    when each of its words is there, in any order ("Bí thư Tỉnh ủy Cà Mau Nguyễn Tiến Hải" is "Đồng chí Nguyễn
    Tiến Hải, Bí thư Tỉnh ủy Cà Mau"; "Thừa Thiên Huế" is "Thừa Thiên - Huế")."""
    asked = proper_names(question)
    if not asked or not any(name not in asked for passage in cited for name in proper_names(passage)):
        return []
    held = set(re.findall(r"\w+", strip_diacritics(index_form(" ".join([*cited, *found]))).lower()))
    return [name for name in asked if not set(strip_diacritics(name).lower().split()) <= held]
