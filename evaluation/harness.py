"""`python app.py eval FILE --mode search|ask`: one JSON line per question, then a summary."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass

from chat import Assistant
from chat.ruling import verdict_of
from chat.shapes import shape_of
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
    clause_rank: int | None = None  # 1-based position of the deciding clause among the cited (or found) ones
    key_facts: float | None = None  # ask mode: share of the key facts stated
    verdict: str | None = None  # ask mode: the verdict the answer gives ("có", "không", "")

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
            "clause_rank": self.clause_rank,
            "key_facts": None if self.key_facts is None else round(self.key_facts, 3),
            "verdict": self.verdict,
            "result": self.result,
        }


def is_relevant(question: Question, text: str, source: str, by_document: bool) -> bool:
    """Relevant = holds the evidence; for BEIR-style sets, comes from the gold passage."""
    return source == question.document if by_document else question.is_evidence(text)


def covers_clause(cited: str, deciding: str) -> bool:
    """A cited clause decides the case when it is the deciding clause or one of its sub-points."""
    return bool(cited) and (cited == deciding or cited.startswith((f"{deciding}.", f"{deciding}(")))


def clause_rank(deciding: str | None, clauses: list[list[str]]) -> int | None:
    """Position (1-based) of the first cited/found item whose clauses include the deciding one."""
    if not deciding:
        return None
    return next((i for i, labels in enumerate(clauses, start=1) if any(covers_clause(label, deciding) for label in labels)), None)


def run_search(searcher: Searcher, questions: list[Question], k: int, mode: Mode = "hybrid", by_document: bool = False) -> Iterator[Row]:
    for question in questions:
        if not question.answerable:
            continue
        started = time.perf_counter()
        hits = searcher.search(question.question, k, mode=mode)
        seconds = time.perf_counter() - started
        rank = next(
            (i for i, hit in enumerate(hits, start=1) if is_relevant(question, hit.text, hit.meta.source, by_document)),
            None,
        )
        found_clauses = [[hit.meta.clause, *(name for _, name in hit.meta.openings())] for hit in hits]
        yield Row(question, {"hits": [hit.to_json() for hit in hits]}, seconds, rank=rank, clause_rank=clause_rank(question.clause, found_clauses))


def run_ask(assistant: Assistant, questions: list[Question], by_document: bool = False) -> Iterator[Row]:
    for question in questions:
        answer = assistant.ask(question.question)
        cited = any(is_relevant(question, c.text, c.source, by_document) for c in answer.citations)
        correct = (not answer.refused and question.is_correct(answer.answer) and cited) if question.answerable else answer.refused
        f1 = 0.0 if answer.refused else question.answer_f1(answer.answer)
        yield Row(
            question, answer.to_json(), answer.seconds, correct=correct, cited_evidence=cited, refused=answer.refused, f1=f1,
            clause_rank=clause_rank(question.clause, [[c.clause] for c in answer.citations]),
            key_facts=0.0 if answer.refused else question.key_fact_accuracy(answer.answer),
            verdict=(None if answer.refused else verdict_of(answer.answer)) if question.verdict else None,  # a refusal's "không" is no verdict
        )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def _clause_hits(rows: list[Row]) -> dict[str, float]:
    """clause-hit@1/@5 over the questions that name a deciding clause (none: no entries)."""
    judged = [row for row in rows if row.question.clause and row.question.answerable]
    if not judged:
        return {}
    return {
        "clause_hit@1": sum(1 for row in judged if row.clause_rank == 1) / len(judged),
        "clause_hit@5": sum(1 for row in judged if row.clause_rank and row.clause_rank <= 5) / len(judged),
    }


def summarise_search(rows: list[Row]) -> dict[str, float]:
    count = len(rows) or 1
    ranks = [row.rank for row in rows]
    return {
        **_clause_hits(rows),
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
    with_verdict = [row for row in answerable if row.question.verdict]
    extra: dict[str, float | None] = _clause_hits(rows)
    if any(row.question.key_facts for row in answerable):
        extra["key_fact_accuracy"] = sum(row.key_facts or 0.0 for row in answerable) / len(answerable)
    if with_verdict:
        extra["verdict_accuracy"] = sum(row.verdict == row.question.verdict for row in with_verdict) / len(with_verdict)
    return {
        **extra,
        "questions": len(rows),
        "answer_accuracy": sum(bool(row.correct) for row in answerable) / (len(answerable) or 1),
        "answer_f1": sum(row.f1 or 0.0 for row in answerable) / (len(answerable) or 1),
        "citation_accuracy": sum(bool(row.cited_evidence) for row in answerable) / (len(answerable) or 1),
        "refusal_accuracy": sum(bool(row.refused) for row in unanswerable) / len(unanswerable) if unanswerable else None,
        "false_refusals": sum(bool(row.refused) for row in answerable),
        "p50_s": statistics.median(row.seconds for row in rows) if rows else 0.0,
        "p95_s": _percentile([row.seconds for row in rows], 0.95),
    }


def shape_of_row(row: Row) -> str:
    """The answer form a question calls for: its label where the file gives one, else the classifier's."""
    return row.question.shape or shape_of(row.question.question).value


def _share(count: int, of: int) -> float | None:
    return count / of if of else None


def answer_quality(rows: list[Row]) -> dict[str, float | int | None]:
    """What a member meets, over ask-mode rows: answered right with the evidence cited, refused although the
    documents answer (false refusal), a near miss refused, answered with something else (wrong value), and for
    yes/no questions the verdict right or wrong (no verdict is neither)."""
    answerable = [row for row in rows if row.question.answerable]
    near_misses = [row for row in rows if not row.question.answerable]
    judged = [row for row in answerable if row.question.verdict]
    given = [row for row in judged if row.verdict]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "correct_cited": _share(sum(bool(row.correct) for row in answerable), len(answerable)),
        "false_refusals": _share(sum(bool(row.refused) for row in answerable), len(answerable)),
        "near_misses_refused": _share(sum(bool(row.refused) for row in near_misses), len(near_misses)),
        "wrong_value": _share(sum(not row.refused and not row.correct for row in answerable), len(answerable)),
        "verdict_right": _share(sum(row.verdict == row.question.verdict for row in judged), len(judged)),
        "verdict_wrong": _share(sum(row.verdict != row.question.verdict for row in given), len(judged)),
    }


def quality_by_shape(rows: list[Row]) -> dict[str, dict[str, float | int | None]]:
    """:func:`answer_quality` for each answer shape, then for all rows ("all")."""
    shapes: dict[str, list[Row]] = {}
    for row in rows:
        shapes.setdefault(shape_of_row(row), []).append(row)
    return {**{shape: answer_quality(group) for shape, group in sorted(shapes.items())}, "all": answer_quality(rows)}
