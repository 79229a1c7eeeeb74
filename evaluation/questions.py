"""Question files in the format of shared/eval/dev_questions.jsonl."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.normalize import index_form


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: list[str] = field(default_factory=list)
    document: str | None = None
    evidence: str | None = None
    answerable: bool = True

    def is_evidence(self, chunk_text: str) -> bool:
        """A chunk is relevant when it holds the evidence (both in index spelling)."""
        return bool(self.evidence) and index_form(self.evidence) in index_form(chunk_text)

    def is_correct(self, answer: str) -> bool:
        """An expected answer occurs as a whole token: "2" does not count inside "2022"."""
        folded = index_form(answer).lower()
        return any(
            re.search(rf"(?<!\w){re.escape(index_form(expected).lower())}(?!\w)", folded) for expected in self.answers
        )


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
            )
        )
    return questions
