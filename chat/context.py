"""The passages as the model reads them: numbered, with provenance, fenced as data.

Prompt length is most of the time to the first token on a CPU (70 to 170 tokens/s
of prompt on two cores for the 1.5B model, by instruction set), so the context may be held to a budget
of characters (``RAG_LLM_CONTEXT_CHARS``): the sentences that best answer the
question across all passages (ranked as the extractive answer ranks them: the
question's words, plus the kind of fact it asks for), in their order, gaps marked
"…", each passage under its heading. Every kept sentence is a verbatim slice the
citation checks can find; a passage with none kept is left out, its number unused.

Headings are the other big share of the prompt (a quarter to a third of it), so they are
written as cheaply as they can be without losing what they tell the model: each document's
title and date once, above the passages taken from it (four passages often come from one or
two documents); no location (the model cites by number; the app renders where); and words in
capitals title-cased (party documents set titles and headings in capitals, which the tokenizer
splits into a token per two or three letters). Passages themselves are never recased: answers
quote them.
"""

from __future__ import annotations

import re

from chat.extractive import ranked_sentences
from chat.injection import redact_instructions
from chat.sentences import Sentence
from chat.support import TermWeights
from ingest.normalize import WORD
from vectorstore import SearchHit


def chosen_sentences(question: str, hits: list[SearchHit], lexical: TermWeights, budget_chars: int) -> dict[int, list[Sentence]]:
    """Passage number -> its sentences kept within ``budget_chars``, best answers first, at least one."""
    chosen: dict[int, list[Sentence]] = {}
    used = 0
    for item in ranked_sentences(question, hits, lexical, minimum=0.0):
        size = len(item.sentence.text)
        if used and used + size > budget_chars:
            continue  # a shorter one further down may still fit
        chosen.setdefault(item.n, []).append(item.sentence)
        used += size
    return {n: sorted(sentences, key=lambda s: s.start) for n, sentences in chosen.items()}


def excerpt(text: str, sentences: list[Sentence]) -> str:
    """The sentences in order, "…" wherever text between or around them is left out."""
    pieces, end = [], 0
    for sentence in sentences:
        if text[end : sentence.start].strip():
            pieces.append("…")
        pieces.append(sentence.text)
        end = sentence.end
    if text[end:].strip():
        pieces.append("…")
    return " ".join(pieces)


def format_context(question: str, hits: list[SearchHit], lexical: TermWeights, budget_chars: int) -> str:
    """Whole passages when ``budget_chars`` is 0, else only the best sentences within it; grouped by document in
    the order each document first ranks, every passage keeping its rank's number."""
    kept = chosen_sentences(question, hits, lexical, budget_chars) if budget_chars > 0 else None
    groups: dict[str, list[str]] = {}
    for n, hit in enumerate(hits, start=1):
        if kept is not None and n not in kept:
            continue
        meta = hit.meta
        passage = redact_instructions(hit.text if kept is None else excerpt(hit.text, kept[n]))
        # An excerpt loses the heading a rule sits under, which often names what the rule is about;
        # a heading that only repeats the title costs prompt tokens and tells the model nothing.
        named = meta.section and meta.section.casefold() != meta.title.casefold()
        heading = f" — {reader_case(meta.section)}" if named and kept is not None else ""
        document = f"Văn bản: {reader_case(meta.title)} ({meta.date or 'không rõ ngày'})"
        groups.setdefault(document, []).append(f"[{n}]{heading}\n\"\"\"\n{passage}\n\"\"\"")
    return "\n\n".join("\n\n".join([document, *passages]) for document, passages in groups.items())


_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
# A Vietnamese syllable: onset, one to three vowels, coda. Abbreviations (UBND, KH&CN, TW, TSKH) do not match.
_SYLLABLE = re.compile(rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[{_VOWELS}]{{1,3}}(?:ch|ng|nh|[cmnpt])?")
_ROMAN = re.compile(r"[IVXLCDM]+")


def _title_cased(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.isupper() and not _ROMAN.fullmatch(word) and _SYLLABLE.fullmatch(word.lower()):
        return word.capitalize()
    return word


def reader_case(heading: str) -> str:
    """A heading with its words in capitals title-cased ("THI HÀNH ĐIỀU LỆ ĐẢNG" -> "Thi Hành Điều Lệ Đảng": 8
    tokens, not 14; names keep their capital); abbreviations and Roman numerals stay as written."""
    return WORD.sub(_title_cased, heading)
