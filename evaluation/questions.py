"""Question files in the format of shared/eval/dev_questions.jsonl."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from chat.citations import strip_markers
from ingest.normalize import index_form


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: list[str] = field(default_factory=list)
    document: str | None = None
    evidence: str | None = None
    answerable: bool = True
    clause: str | None = None  # the provision that decides a case question: "20.2.1", "10.6.2(đ)"
    key_facts: list[str] = field(default_factory=list)  # every one must be in a complete answer
    verdict: str = ""  # "có" / "không" for yes-no questions, else ""
    shape: str = ""  # the answer form the question calls for, when labelled ("fact", "rule", "case", "list")
    split: str = ""  # "tune" (gates and prompts may be tuned on it) or "held" (only reported)

    def is_evidence(self, chunk_text: str) -> bool:
        """A chunk is relevant when it holds the evidence (both in index spelling)."""
        return bool(self.evidence) and index_form(self.evidence) in index_form(chunk_text)

    def is_correct(self, answer: str) -> bool:
        """An expected answer occurs in the answer as whole tokens ("2" does not count inside "2022"),
        ignoring case, punctuation and citation markers, as SQuAD-style scorers do."""
        given = f" {normalise_answer(answer)} "
        return any(f" {expected} " in given for expected in map(normalise_answer, self.answers) if expected)

    def key_fact_accuracy(self, answer: str) -> float:
        """Share of the key facts the answer states (whole tokens, as ``is_correct``): an answer
        that gives the deadline but not who acts is half right. Without key facts, ``is_correct``."""
        if not self.key_facts:
            return float(self.is_correct(answer))
        given = f" {normalise_answer(answer)} "
        facts = [fact for fact in map(normalise_answer, self.key_facts) if fact]
        return sum(f" {fact} " in given for fact in facts) / len(facts) if facts else 0.0

    def answer_f1(self, answer: str) -> float:
        """Best token F1 against the expected answers: partial credit for a paraphrase."""
        given = normalise_answer(answer).split()
        return max((_token_f1(given, normalise_answer(expected).split()) for expected in self.answers), default=0.0)


def normalise_answer(text: str) -> str:
    """Lower-case index form, citation markers and punctuation gone, single spaces."""
    text = index_form(strip_markers(text)).lower()
    return " ".join("".join(char if char.isalnum() else " " for char in text).split())


def _token_f1(given: list[str], expected: list[str]) -> float:
    common = sum((Counter(given) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(given), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        questions.append(
            Question(
                id=str(raw.get("id", number)),
                question=raw["question"],
                answers=list(raw.get("answers") or []),
                document=raw.get("document"),
                evidence=raw.get("evidence"),
                answerable=bool(raw.get("answerable", True)),
                clause=raw.get("clause") or None,
                key_facts=list(raw.get("key_facts") or []),
                verdict=raw.get("verdict") or "",
                shape=raw.get("shape") or "",
                split=raw.get("split") or "",
            )
        )
    return questions
