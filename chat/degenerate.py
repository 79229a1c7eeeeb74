"""Model text that must not reach a member as the answer, caught in code.

A 1.5B model at greedy decoding sometimes loops (the same sentence four times in a
numbered list), stops mid-sentence at the token limit, or opens with a verdict
("Đúng.", "Được.") that the cited provision contradicts. Each is a property of the
text that code can see, so each is checked here rather than hoped away in the
prompt; the caller then shows the verbatim grounds with a note instead.
"""

from __future__ import annotations

import re

from chat.citations import strip_markers
from chat.polarity import asks_about_negation, is_negative, without_tag
from chat.ruling import is_yes_no
from chat.sentences import split_sentences
from ingest.normalize import index_form

MIN_REPEATED_WORDS = 4
NEAR_DUPLICATE = 0.8  # word-set overlap above which two sentences say the same thing

_LIST_ITEM = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)]|[a-zđ][.)])\s+", re.IGNORECASE)
_COMPLETE_END = re.compile(r"[.!?…:;”\"»)\]]$")
# A text that stops on one of these stopped before its object: "… theo quy định của".
_DANGLING = frozenset({
    "và", "hoặc", "của", "là", "các", "những", "theo", "được", "cho", "với", "để", "do", "tại", "về", "từ", "đến",
    "trong", "khi", "thì", "mà", "nếu", "như", "có", "phải", "bởi", "vì", "gồm", "số",
})
_VERDICT_OPENING = re.compile(
    # "Câu trả lời: Có." opens with the verdict too
    r"^\s*(?:(?:câu trả lời|trả lời)(?: là)?\s*:?\s*)?(?:\*\*)?"
    r"(?P<word>đúng|sai|có|không|được|chưa|phải|không được|không phải|không đúng)(?:\*\*)?\s*(?:[.,!:;—–-]|$)",
    re.IGNORECASE,
)
_NEGATIVE_VERDICTS = frozenset({"sai", "không", "chưa", "không được", "không phải", "không đúng"})


def _said(text: str) -> str:
    """A sentence as compared for repetition: no markers, numbering, case or punctuation."""
    text = _LIST_ITEM.sub("", strip_markers(index_form(text))).lower()
    return " ".join("".join(char if char.isalnum() else " " for char in text).split())


def _parts(text: str) -> list[str]:
    """The answer's sentences, list items counted as sentences of their own."""
    return [part.text for line in text.splitlines() for part in split_sentences(line)]


def repeated_parts(text: str) -> list[str]:
    """Sentences or list items the text says twice or more (the same words, or nearly: a loop changes a
    number or a marker, not the sentence). Short ones ("Có.") do not count: a list may repeat a label."""
    seen: list[tuple[str, set[str]]] = []
    repeated: list[str] = []
    for part in _parts(text):
        said = _said(part)
        words = set(said.split())
        if len(said.split()) < MIN_REPEATED_WORDS:
            continue
        for earlier, earlier_words in seen:
            overlap = len(words & earlier_words) / len(words | earlier_words)
            if said == earlier or overlap >= NEAR_DUPLICATE:
                repeated.append(part.strip())
                break
        else:
            seen.append((said, words))
    return repeated


def is_cut_off(text: str) -> bool:
    """The text stops mid-sentence: on a word that needs an object, a comma, or an open bracket or quote —
    what writing up to the token limit leaves. A last list item with no full stop is complete."""
    body = strip_markers(text).rstrip()
    if not body:
        return False
    if body.count("“") > body.count("”") or body.count("(") > body.count(")"):
        return True
    if body[-1] in ",-–(":
        return True
    if _COMPLETE_END.search(body):
        return False
    words = re.findall(r"\w+", body.lower())
    return bool(words) and words[-1] in _DANGLING


def opening_verdict(answer: str) -> str:
    """"có" or "không" when the answer opens with a bare verdict word ("Đúng.", "Không, …"), else ""."""
    match = _VERDICT_OPENING.match(strip_markers(index_form(answer)))
    if not match:
        return ""
    return "không" if match.group("word").lower() in _NEGATIVE_VERDICTS else "có"


def verdict_against_grounds(answer: str, question: str, grounds: list[str]) -> bool:
    """A verdict word the grounds do not support.

    Outside a yes/no question a bare "Đúng." answers nothing that was asked. For a yes/no question the
    verdict's sign must agree with the cited sentences': asked "Đảng viên có được … không?", "Được." next
    to provisions that all forbid is the model's, not the documents' (asked "… không được … phải không?",
    the signs flip together)."""
    verdict = opening_verdict(answer)
    if not verdict:
        return False
    if not is_yes_no(question):
        return True
    if not grounds:
        return True
    asked_negative = asks_about_negation(question, " ".join(grounds))
    forbidding = [is_negative(ground, without_tag(question)) for ground in grounds]
    if verdict == "có":
        return all(negative != asked_negative for negative in forbidding)
    return all(negative == asked_negative for negative in forbidding)


def problems(answer: str, question: str, grounds: list[str]) -> list[str]:
    """What is wrong with the text as an answer, one Vietnamese note each; empty when nothing is."""
    notes = []
    if repeated := repeated_parts(answer):
        notes.append(f"Câu trả lời của mô hình lặp lại cùng một ý (“{repeated[0][:80]}”) nên không được hiển thị.")
    if is_cut_off(answer):
        notes.append("Câu trả lời của mô hình bị ngắt giữa câu nên không được hiển thị.")
    if verdict_against_grounds(answer, question, grounds):
        notes.append("Mô hình đưa ra kết luận (có/không) mà đoạn trích dẫn không ủng hộ nên không được hiển thị.")
    return notes
