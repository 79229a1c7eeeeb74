"""Prompt texts live in prompts/ as plain files a non-programmer can edit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Prompts:
    system: str
    answer: str
    apply: str  # the reading of a case under quoted provisions (chat/ruling.py)
    provision: str  # a rule or a value read off quoted provisions, not a case (chat/provision.py)
    forms: dict[str, str]  # what each answer shape asks the model to write (chat/shapes.py), by shape
    condense: str
    refusal: str
    off_topic: str
    missing_document: str

    @classmethod
    def load(cls, folder: Path) -> Prompts:
        def read(name: str) -> str:
            path = folder / (name if "." in name else f"{name}.txt")
            return path.read_text(encoding="utf-8").strip()

        forms = json.loads(read("forms.json"))
        return cls(read("system"), read("answer"), read("apply"), read("provision"), forms, read("condense"), read("refusal"),
                   read("off_topic"), read("missing_document"))
