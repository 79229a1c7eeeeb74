"""`python app.py eval FILE --mode search|ask`: one JSON line per question, then a summary."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass

from chat import Assistant
from evaluation.questions import Question
from vectorstore import Searcher
from vectorstore.search import Mode


@dataclass
class Row:
    question: Question
    result: dict
    seconds: float
    rank: int | None = None  # 1-based rank of the first evidence chunk (search mode)
    correct: bool | None = None  # ask mode
    cited_evidence: bool | None = None
    f1: float | None = None  # ask mode: token F1 against the expected answers
    refused: bool | None = None

    def to_json(self) -> dict:
        return {
            "id": self.question.id,
            "question": self.question.question,
            "answerable": self.question.answerable,
            "seconds": round(self.seconds, 3),
            "rank": self.rank,
            "correct": self.correct,
            "cited_evidence": self.cited_evidence,
            "f1": None if self.f1 is None else round(self.f1, 3),
            "refused": self.refused,
            "result": self.result,
        }


def is_relevant(question: Question, text: str, source: str, by_document: bool) -> bool:
    """Relevant = holds the evidence; for BEIR-style sets, comes from the gold passage."""
    return source == question.document if by_document else question.is_evidence(text)


def run_search(searcher: Searcher, questions: list[Question], k: int, mode: Mode = "hybrid", by_document: bool = False) -> Iterator[Row]:
    for question in questions:
        if not question.answerable:
            continue
        started = time.perf_counter()
        hits = searcher.search(question.question, k, mode=mode)
        seconds = time.perf_counter() - started
        rank = next(
            (i for i, hit in enumerate(hits, start=1) if is_relevant(question, hit.text, hit.metadata.get("source", ""), by_document)),
            None,
        )
        yield Row(question, {"hits": [hit.to_json() for hit in hits]}, seconds, rank=rank)


def run_ask(assistant: Assistant, questions: list[Question], by_document: bool = False) -> Iterator[Row]:
    for question in questions:
        answer = assistant.ask(question.question)
        cited = any(is_relevant(question, c.text, c.source, by_document) for c in answer.citations)
        correct = (not answer.refused and question.is_correct(answer.answer) and cited) if question.answerable else answer.refused
        f1 = 0.0 if answer.refused else question.answer_f1(answer.answer)
        yield Row(question, answer.to_json(), answer.seconds, correct=correct, cited_evidence=cited, refused=answer.refused, f1=f1)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def summarise_search(rows: list[Row]) -> dict[str, float]:
    count = len(rows) or 1
    ranks = [row.rank for row in rows]
    return {
        "questions": len(rows),
        "recall@1": sum(1 for r in ranks if r and r <= 1) / count,
        "recall@5": sum(1 for r in ranks if r and r <= 5) / count,
        "recall@10": sum(1 for r in ranks if r and r <= 10) / count,
        "mrr@10": sum(1 / r for r in ranks if r and r <= 10) / count,
        "ndcg@10": sum(1 / math.log2(r + 1) for r in ranks if r and r <= 10) / count,
        "p50_s": statistics.median(row.seconds for row in rows) if rows else 0.0,
        "p95_s": _percentile([row.seconds for row in rows], 0.95),
    }


def summarise_ask(rows: list[Row]) -> dict[str, float | None]:
    answerable = [row for row in rows if row.question.answerable]
    unanswerable = [row for row in rows if not row.question.answerable]
    return {
        "questions": len(rows),
        "answer_accuracy": sum(bool(row.correct) for row in answerable) / (len(answerable) or 1),
        "answer_f1": sum(row.f1 or 0.0 for row in answerable) / (len(answerable) or 1),
        "citation_accuracy": sum(bool(row.cited_evidence) for row in answerable) / (len(answerable) or 1),
        "refusal_accuracy": sum(bool(row.refused) for row in unanswerable) / len(unanswerable) if unanswerable else None,
        "false_refusals": sum(bool(row.refused) for row in answerable),
        "p50_s": statistics.median(row.seconds for row in rows) if rows else 0.0,
        "p95_s": _percentile([row.seconds for row in rows], 0.95),
    }
