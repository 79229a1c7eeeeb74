"""Answers with no LLM: the most relevant sentences of the passages, quoted and cited.

Fast, and it never says anything the documents do not: every word of the
answer is a verbatim sentence of a retrieved chunk.
"""

from __future__ import annotations

from chat.sentences import split_sentences
from chat.support import coverage
from vectorstore import LexicalIndex, SearchHit

MAX_SENTENCES = 2


def extractive_answer(question: str, hits: list[SearchHit], lexical: LexicalIndex) -> str:
    """Best sentences as "sentence [n]" lines; empty when no sentence covers the question."""
    scored = []
    for n, hit in enumerate(hits, start=1):
        rank_bonus = 0.02 * (len(hits) - n)  # retrieval order breaks ties
        for sentence in split_sentences(hit.text):
            if len(sentence.text) < 15:
                continue
            scored.append((coverage(question, sentence.text, lexical) + rank_bonus, n, sentence.text))
    scored.sort(key=lambda item: item[0], reverse=True)
    if not scored or scored[0][0] < 0.3:
        return ""
    best = scored[0][0]
    chosen = [item for item in scored[:MAX_SENTENCES] if item[0] >= 0.85 * best]
    return " ".join(f"{text} [{n}]" for _, n, text in chosen)
