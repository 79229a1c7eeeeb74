"""The passages as the model reads them: numbered, with provenance, fenced as data.

Prompt length is most of the time to the first token on a CPU, so a passage may
be cut to the sentences that bear on the question (``RAG_LLM_PASSAGE_SENTENCES``):
kept in their order, gaps marked "…", every kept sentence still a verbatim slice
the citation checks can find.
"""

from __future__ import annotations

from chat.injection import redact_instructions
from chat.sentences import split_sentences
from chat.support import coverage
from vectorstore import LexicalIndex, SearchHit


def focused_text(question: str, text: str, lexical: LexicalIndex, keep: int) -> str:
    """The ``keep`` sentences of ``text`` that cover most of the question, in order; all of it when keep is 0."""
    sentences = split_sentences(text)
    if keep <= 0 or len(sentences) <= keep:
        return text
    ranked = sorted(range(len(sentences)), key=lambda i: coverage(question, sentences[i].text, lexical), reverse=True)
    chosen = sorted(ranked[:keep])
    pieces, previous = [], -1
    for i in chosen:
        if i != previous + 1:
            pieces.append("…")
        pieces.append(sentences[i].text)
        previous = i
    if previous != len(sentences) - 1:
        pieces.append("…")
    return " ".join(pieces)


def format_context(question: str, hits: list[SearchHit], lexical: LexicalIndex, keep_sentences: int) -> str:
    blocks = []
    for n, hit in enumerate(hits, start=1):
        meta = hit.meta
        passage = redact_instructions(focused_text(question, hit.text, lexical, keep_sentences))
        blocks.append(f"[{n}] {meta.title} ({meta.date or 'không rõ ngày'}, {meta.location})\n\"\"\"\n{passage}\n\"\"\"")
    return "\n\n".join(blocks)
