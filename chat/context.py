"""The passages as the model reads them: numbered, with provenance, fenced as data.

Prompt length is most of the time to the first token on a CPU (70 to 170 tokens/s
of prompt on two cores for the 1.5B model, by instruction set), so the context may be held to a budget
of characters (``RAG_LLM_CONTEXT_CHARS``): the sentences that best answer the
question across all passages (ranked as the extractive answer ranks them: the
question's words, plus the kind of fact it asks for), in their order, gaps marked
"…", each passage under its heading. Every kept sentence is a verbatim slice the
citation checks can find; a passage with none kept is left out, its number unused.
"""

from __future__ import annotations

from chat.extractive import ranked_sentences
from chat.injection import redact_instructions
from chat.sentences import Sentence
from vectorstore import LexicalIndex, SearchHit


def chosen_sentences(question: str, hits: list[SearchHit], lexical: LexicalIndex, budget_chars: int) -> dict[int, list[Sentence]]:
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


def format_context(question: str, hits: list[SearchHit], lexical: LexicalIndex, budget_chars: int) -> str:
    """Whole passages when ``budget_chars`` is 0, else only the best sentences within it."""
    kept = chosen_sentences(question, hits, lexical, budget_chars) if budget_chars > 0 else None
    blocks = []
    for n, hit in enumerate(hits, start=1):
        if kept is not None and n not in kept:
            continue
        meta = hit.meta
        passage = redact_instructions(hit.text if kept is None else excerpt(hit.text, kept[n]))
        # An excerpt loses the heading a rule sits under, which often names what the rule is about;
        # a heading that only repeats the title costs prompt tokens and tells the model nothing.
        named = meta.section and meta.section.casefold() != meta.title.casefold()
        heading = f" — {meta.section}" if named and kept is not None else ""
        blocks.append(f"[{n}] {meta.title} ({meta.date or 'không rõ ngày'}, {meta.location}){heading}\n\"\"\"\n{passage}\n\"\"\"")
    return "\n\n".join(blocks)
