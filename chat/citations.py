"""Citations that can be trusted: markers checked, quotes located exactly, figures checked.

What the user sees (documented in README "Trích dẫn"):
* a marker [n] pointing outside the retrieved passages is removed from the
  answer and listed in ``dropped_markers``; it is never shown as a source;
* every kept [n] has a citation whose ``quote`` is the sentence of chunk n that
  best supports the answer sentence, with exact ``start``/``end`` offsets;
* a number or date in an answer sentence that occurs in none of the passages it
  cites is reported in ``flags`` and shown as a warning under the answer.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from chat.numbers import unsupported_amounts
from chat.sentences import Sentence, split_sentences
from chat.support import tokens
from ingest.clauses import clause_phrase
from ingest.normalize import index_form
from vectorstore import SearchHit
from vectorstore.tokenize import words

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# "Trả lời:", "Trong tài liệu [1], [3], có thông tin: …": framing a small model adds before the answer.
_LEAD_IN = re.compile(
    r"^(?:(?:Trả lời|Câu trả lời|Đáp)\s*:|(?:Theo|Trong|Dựa (?:trên|vào))\s+(?:các\s+)?(?:đoạn|tài liệu|văn bản|nguồn)"
    r"(?P<markers>(?:\s*(?:,|và)?\s*\[\d+\])+)\s*,?(?:\s*có (?:thông tin|câu trả lời)\s*:)?)\s*[\"“]?",
    re.IGNORECASE,
)
_TRAILING_MARKERS = re.compile(r"\s*([.!?…;])\s*((?:\[\d+\])+)")
REPAIR_MARGIN = 0.25


@dataclass
class Citation:
    n: int
    id: str
    doc_hash: str
    title: str
    source: str
    date: str | None
    page: int | None
    paragraph: int | None
    number: str
    quote: str
    start: int
    end: int
    ocr: bool = False  # quoted from OCR text of a scanned page, which may hold recognition errors
    clause: str = ""  # the provision quoted, as the document numbers it ("4.3.1"), "" outside regulations
    text: str = field(repr=False, default="")

    @property
    def place(self) -> str:
        """Where the quote is, as a reader cites it: "điểm 4.3.1, 294-QĐ/TW, trang 4", or "trang 4" / "đoạn 3"."""
        page = f"trang {self.page}" if self.page else f"đoạn {self.paragraph}"
        if not self.clause:
            return page
        return ", ".join(part for part in (clause_phrase(self.clause), self.number, page) if part)

    def to_json(self) -> dict:
        """Everything but the whole chunk text, which the store already holds under ``id``."""
        data = asdict(self)
        data.pop("text")
        return data


@dataclass
class CheckedAnswer:
    answer: str
    citations: list[Citation]
    flags: list[str]
    dropped_markers: list[int]
    repaired_markers: list[tuple[int, int]] = field(default_factory=list)
    first_token_seconds: float | None = None  # when the model's first words came, counted from the question


def _overlap(a: str, b: str) -> float:
    left, right = set(tokens(a)), set(tokens(b))
    return len(left & right) / len(left) if left else 0.0


def best_sentence(chunk_text: str, claim: str) -> Sentence:
    """The sentence of the chunk sharing most words with the claim (ties: the earlier)."""
    sentences = split_sentences(chunk_text) or [Sentence(chunk_text, 0, len(chunk_text))]
    return max(sentences, key=lambda sentence: _overlap(claim, sentence.text))


def make_citation(n: int, hit: SearchHit, claim: str) -> Citation:
    return citation_of(n, hit, best_sentence(hit.text, claim))


def citation_of(n: int, hit: SearchHit, sentence: Sentence) -> Citation:
    """The citation of one sentence of passage ``n`` (offsets into its text)."""
    meta = hit.meta
    return Citation(
        n=n,
        id=hit.id,
        doc_hash=meta.doc_hash,
        title=meta.title,
        source=meta.source,
        date=meta.date or None,
        page=meta.page or None,
        paragraph=meta.paragraph,
        number=meta.number,
        quote=hit.text[sentence.start : sentence.end],
        start=sentence.start,
        end=sentence.end,
        ocr=meta.ocr,
        clause=meta.clause_at(sentence.start),
        text=hit.text,
    )


def strip_markers(text: str) -> str:
    """The text without its [n] citation markers (markers are neither words nor figures)."""
    return _MARKER.sub("", text)


def unsupported_figures(claim: str, support: str) -> list[str]:
    """Numbers and dates of ``claim`` (markers aside) that ``support`` does not give, however either writes them:
    "12 tháng" is given by "mười hai tháng", "45,5%" by "45,5 %" (see chat.numbers.unsupported_amounts)."""
    return unsupported_amounts(strip_markers(claim), support)


# Words that change what a rule says: a negation, a restriction, a status, a bound. A sentence that
# restates a cited passage may not add one the passage does not have (the question does not count:
# "đảng viên chính thức" asked about is not "đảng viên chính thức" stated).
_WORD = re.compile(r"\w+")
QUALIFIERS = (
    "không", "chưa", "chỉ", "duy nhất", "chính thức", "dự bị", "bắt buộc", "tối đa", "tối thiểu", "ít nhất", "nhiều nhất",
    "trở lên", "trở xuống", "cấm", "nghiêm cấm", "miễn", "trừ",
)


# Who acts: a restatement that moves a decision from the chi bộ to the cấp ủy cấp trên changes the rule.
# Here the question counts as support (asked "Chi bộ có phải …?", the answer may say "chi bộ").
ACTORS = (
    "chi bộ", "tổ đảng", "đảng bộ", "chi ủy", "đảng ủy", "cấp ủy", "ban thường vụ", "ban chấp hành", "bộ chính trị",
    "ban bí thư", "ủy ban kiểm tra", "bí thư", "đại hội", "hội nghị", "quần chúng", "tổ chức đảng",
)


def added_qualifiers(claim: str, support: str, terms: tuple[str, ...] = QUALIFIERS) -> list[str]:
    """Qualifiers (or other ``terms``) of ``claim`` (markers aside) that ``support`` does not contain.

    A one-syllable qualifier counts as a word of its own ("chỉ", not the "chỉ" of "chỉ đạo"); a longer
    one as the run of syllables ("chính thức")."""
    def syllables(text: str) -> str:
        return " " + " ".join(_WORD.findall(index_form(text).lower())) + " "

    claim = strip_markers(claim)
    said_words, backed_words = set(words(claim)), set(words(support))
    said, backed = syllables(claim), syllables(support)
    return [
        qualifier for qualifier in terms
        if (qualifier in said_words and qualifier not in backed_words)
        or (" " in qualifier and f" {qualifier} " in said and f" {qualifier} " not in backed)
    ]


def check_answer(answer: str, hits: list[SearchHit], question: str = "") -> CheckedAnswer:
    """Validate markers against ``hits`` (numbered from 1), attach quotes, flag figures."""
    dropped: list[int] = []

    def keep_valid(match: re.Match) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,;]\s*", match.group(1))]
        valid = [n for n in numbers if 1 <= n <= len(hits)]
        dropped.extend(n for n in numbers if n not in valid)
        return "".join(f"[{n}]" for n in valid)

    cleaned = _drop_lead_in(_MARKER.sub(keep_valid, answer).strip())
    # "… Bí thư. [3] Tham dự …": a marker after the full stop belongs to the sentence before it.
    cleaned = _TRAILING_MARKERS.sub(lambda m: f" {m.group(2)}{m.group(1)}", cleaned)
    citations: dict[int, Citation] = {}
    flags: list[str] = []
    sentences: list[tuple[int, str]] = []  # (line, text): a list answer keeps its lines
    repairs: list[tuple[int, int]] = []
    for line, sentence in ((line, sentence) for line, text in enumerate(cleaned.split("\n")) for sentence in split_sentences(text)):
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", sentence.text)]
        claim = strip_markers(sentence.text).strip()
        repaired = _repair(cited, claim, hits)
        if repaired != cited:
            repairs.extend((old, new) for old, new in zip(cited, repaired, strict=True) if old != new)
            cited = repaired
            sentence = Sentence(_with_markers(claim, cited), sentence.start, sentence.end)
        if not cited and hits and len(claim) > 3:
            # Small models often forget markers: cite the passage the sentence comes from, if one clearly does.
            n, best = max(((n, _overlap(claim, hit.text)) for n, hit in enumerate(hits, start=1)), key=lambda item: item[1])
            if best >= 0.5:
                cited = [n]
                sentence = Sentence(_with_markers(claim, cited), sentence.start, sentence.end)
            else:
                flags.append(f"Câu “{claim[:80]}” không có nguồn trích dẫn")
        sentences.append((line, sentence.text))
        for n in cited:
            citations.setdefault(n, make_citation(n, hits[n - 1], claim))
        support = " ".join(hits[n - 1].text for n in cited) + " " + question
        for figure in unsupported_figures(claim, support):
            flags.append(f"Số liệu “{figure}” không có trong đoạn được trích dẫn")
        if cited:
            passages = " ".join(hits[n - 1].text for n in cited)
            for word in added_qualifiers(claim, passages) + added_qualifiers(claim, f"{passages} {question}", ACTORS):
                flags.append(f"Câu “{claim[:80]}” thêm “{word}”, điều mà đoạn được trích dẫn không nói")
    lines = {line: " ".join(text for at, text in sentences if at == line) for line, _ in sentences}
    return CheckedAnswer("\n".join(lines.values()), [citations[n] for n in sorted(citations)], flags, sorted(set(dropped)), repairs)


def _with_markers(claim: str, cited: list[int]) -> str:
    """"claim [2][4]." — markers before the closing punctuation, where the answer's own markers go."""
    body = claim.rstrip()
    closing = body[-1] if body and body[-1] in ".!?…;" else ""
    body = body[: len(body) - len(closing)].rstrip()
    return f"{body} {''.join(f'[{n}]' for n in dict.fromkeys(cited))}{closing}"


def _drop_lead_in(answer: str) -> str:
    """Remove the framing; the passages it named become the first sentence's markers."""
    match = _LEAD_IN.match(answer)
    if not match:
        return answer
    rest = answer[match.end() :]
    first = split_sentences(rest)
    if not first:
        return rest
    end = first[0].end
    markers = "".join(m for m in dict.fromkeys(re.findall(r"\[\d+\]", match.group("markers") or "")) if m not in rest[:end])
    return f"{rest[:end]} {markers}{rest[end:]}" if markers else rest


def _repair(cited: list[int], claim: str, hits: list[SearchHit]) -> list[int]:
    """Point a marker at the passage the claim plainly comes from, when the model
    numbered it wrong (cited passage shares few words, another shares many)."""
    if not cited:
        return cited
    overlaps = [_overlap(claim, hit.text) for hit in hits]
    best = max(range(len(hits)), key=overlaps.__getitem__) + 1
    return [best if overlaps[best - 1] - overlaps[n - 1] >= REPAIR_MARGIN else n for n in cited]
