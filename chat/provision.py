"""A rule or a value read off quoted provisions, for a question that is not a case.

"Người vào Đảng phải đủ bao nhiêu tuổi?" is answered by the clause, not by the
board's case form: no "Như vậy" applied to a case nobody described and no
"Đối chiếu số liệu" of numbers nobody gave (chat/ruling.py keeps that form for
real cases). The clause is quoted verbatim, as in the case form; the model adds
one plain sentence — the value first for a fact, a summary after the quote for a
rule — and that sentence is checked like a case reading: its numbers must be the
clause's (read as Vietnamese writes them, so "12" is "mười hai"), it may bring no
facts of its own, it may not loop or stop mid-sentence, and a yes/no verdict must
follow from the clause and have the clause's sign. A sentence that fails is left
out and the quote stands alone, with a note.
"""

from __future__ import annotations

import re

from chat.citations import strip_markers, unsupported_figures
from chat.degenerate import problems
from chat.extractive import expected_type, has_type
from chat.ruling import Ground, is_yes_no, markers, quoted, status_contrast, unbacked_words, verdict_follows, verdict_of
from chat.sentences import split_sentences
from chat.shapes import Shape

SUMMARY_LABEL = "Tóm lại:"


def _plain(line: str) -> str:
    """A line of the model's sentence without markers and without the case form's words, which a small model
    copies from habit: no "Như vậy," (there is no case to apply) and no "Đối chiếu số liệu" (no numbers were given);
    a numbered item ("1. …") becomes a bullet, so its number is not checked as a figure of the clause."""
    text = " ".join(strip_markers(line).split())
    text = re.sub(r"^(?:\d{1,2}[.)]|[a-zđ][.)])\s+", "- ", text)  # a numbered item is a bullet: its number is no figure
    text = re.sub(r"^(?:[-*•]\s*)?Như vậy,?\s*", lambda m: "- " if m.group(0).lstrip()[:1] in "-*•" else "", text)
    kept = [s.text for s in split_sentences(text) if not s.text.lower().startswith("đối chiếu số liệu")]
    text = " ".join(kept).rstrip(" .")
    return text[:1].upper() + text[1:]


def checked_summary(question: str, shape: Shape, grounds: list[Ground], written: str) -> tuple[str, list[str]]:
    """The model's sentence as it may be shown, and what was wrong with it. A question about probationary members
    next to a rule for full members (chat/ruling.status_contrast) is settled by the clause's words: that reading
    stands in for a sentence that may not be shown, and replaces one whose verdict is the opposite. Otherwise a
    sentence that may not be shown leaves "" (the quote alone). A rule question's own numbers are no case, so no
    comparison settles it here."""
    summary, flags = _checked(question, shape, grounds, written)
    if not (settled := status_contrast(question, grounds)):
        return summary, flags
    settled = settled[:1].upper() + settled[1:].rstrip(".")
    if not summary:
        return settled, flags
    if verdict_of(summary) not in ("", verdict_of(settled)):
        return settled, [*flags, "Kết luận của mô hình ngược với nguyên văn điều khoản nên đã được thay."]
    return summary, flags


def _checked(question: str, shape: Shape, grounds: list[Ground], written: str) -> tuple[str, list[str]]:
    lines = [_plain(line) for line in written.splitlines()]
    lines = [line for line in lines if line]
    summary = "\n".join(lines) if shape is Shape.LIST else " ".join(lines)
    if not summary:
        return "", []
    quotes = [ground.quote for ground in grounds]
    backing = f"{' '.join(quotes)} {question}"
    if foreign := unsupported_figures(summary, backing):
        return "", [f"Câu tóm tắt của mô hình nêu số liệu {', '.join(f'“{f}”' for f in foreign)} không có trong điều khoản "
                    "trích dẫn nên đã bị bỏ."]
    if foreign := unbacked_words(summary, backing):
        return "", [f"Câu tóm tắt của mô hình nêu nội dung không có trong điều khoản trích dẫn ({', '.join(foreign[:4])}) nên đã bị bỏ."]
    if notes := problems(written, question, quotes):
        return "", notes
    if is_yes_no(question) and verdict_of(summary) and not verdict_follows(question, grounds, []):
        return "", ["Mô hình đưa ra kết luận mà điều khoản chưa đủ căn cứ; chỉ hiển thị nguyên văn điều khoản."]
    kind = expected_type(question)
    if shape is Shape.FACT and kind and kind != "person" and not has_type(summary, kind, question):
        return "", ["Câu trả lời của mô hình chưa nêu thông tin được hỏi; hiển thị nguyên văn điều khoản."]
    return summary, []


def assemble(shape: Shape, grounds: list[Ground], summary: str) -> str:
    """A fact leads with its value, then the quote; a rule quotes first, then sums up (a list, item by item);
    with no sentence that passed, the quote alone."""
    if not summary:
        return quoted(grounds)
    cited = [f"{line} {markers(grounds)}." for line in summary.splitlines()]
    if shape is Shape.FACT:
        return f"{cited[0]}\n\n{quoted(grounds)}"
    if shape is Shape.LIST:
        return "\n".join([quoted(grounds), "", SUMMARY_LABEL, *cited])
    return f"{quoted(grounds)}\n\n{SUMMARY_LABEL} {' '.join(cited)}"
