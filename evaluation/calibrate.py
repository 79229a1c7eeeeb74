"""`python -m evaluation.calibrate FILE… --json calibration.json`: the refusal gates tuned on one split, reported on the other.

The gates (``min_similarity``, ``min_coverage``, ``min_focus_coverage``, ``min_quote_coverage``) decide whether a
question is refused. Tuned on one kind of question they buy near-miss refusals with false refusals on another, so
they are swept here over a mixed set (news factoids, rules, cases, near misses) one at a time around the current
value, on the questions marked ``"split": "tune"`` only. A value is taken only if it refuses at least as many near
misses without raising false refusals (ties keep the current value); then both splits are reported side by side
with the chosen values. The answers are the extractive backend's: the gates stand before and around generation,
and a sweep with the LLM would take hours on two cores.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from chat import Assistant
from chat.llm import ExtractiveBackend
from evaluation.bench import machine
from evaluation.harness import answer_quality, run_ask
from evaluation.questions import Question, load_questions
from settings import Settings, get_settings
from vectorstore import Index, make_embedder, open_index

GATES = {
    "min_similarity": (0.3, 0.35, 0.4, 0.45),
    "min_coverage": (0.2, 0.25, 0.3, 0.35),
    "min_focus_coverage": (0.2, 0.25, 0.3, 0.35, 0.4),
    "min_quote_coverage": (0.2, 0.25, 0.3, 0.35, 0.4),
}


def rates(settings: Settings, index: Index, questions: list[Question]) -> dict:
    """False refusals and near misses refused, with the given gates."""
    assistant = Assistant(settings.model_copy(update={"llm_backend": "extractive"}), index, ExtractiveBackend())
    return answer_quality(list(run_ask(assistant, questions)))


def better(candidate: dict, current: dict) -> bool:
    """More near misses refused and no more false refusals."""
    return (candidate["false_refusals"] or 0) <= (current["false_refusals"] or 0) and (
        (candidate["near_misses_refused"] or 0) > (current["near_misses_refused"] or 0))


def calibrate(settings: Settings, index: Index, questions: list[Question]) -> dict:
    tune = [question for question in questions if question.split != "held"]
    held = [question for question in questions if question.split == "held"]
    before = {"tune": rates(settings, index, tune), "held": rates(settings, index, held)}
    chosen, sweeps = settings, {}
    current = before["tune"]
    for gate, values in GATES.items():
        sweeps[gate] = []
        for value in values:
            if value == getattr(chosen, gate):
                sweeps[gate].append({"value": value, **current})
                continue
            candidate_settings = chosen.model_copy(update={gate: value})
            candidate = rates(candidate_settings, index, tune)
            sweeps[gate].append({"value": value, **candidate})
            if better(candidate, current):
                chosen, current = candidate_settings, candidate
    after = {"tune": current, "held": rates(chosen, index, held)}
    return {
        "machine": machine(),
        "questions": {"tune": len(tune), "held": len(held)},
        "gates_before": {gate: getattr(settings, gate) for gate in GATES},
        "gates_chosen": {gate: getattr(chosen, gate) for gate in GATES},
        "before": before,
        "after": after,
        "sweeps": sweeps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()
    settings = get_settings()
    index = open_index(settings, make_embedder(settings))
    questions = [question for path in args.files for question in load_questions(path)]
    report = calibrate(settings, index, questions)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({key: report[key] for key in ("gates_before", "gates_chosen", "before", "after")}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
