"""Prompt texts live in prompts/ as plain files a non-programmer can edit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Prompts:
    system: str
    answer: str
    apply: str  # the reading of a case under quoted provisions (chat/ruling.py)
    condense: str
    refusal: str
    off_topic: str
    missing_document: str

    @classmethod
    def load(cls, folder: Path) -> Prompts:
        def read(name: str) -> str:
            return (folder / f"{name}.txt").read_text(encoding="utf-8").strip()

        return cls(read("system"), read("answer"), read("apply"), read("condense"), read("refusal"), read("off_topic"), read("missing_document"))
