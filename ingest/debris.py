"""Remove the web-page debris that scraped articles carry.

Copied news pages bring image placeholders ("1 - Copy"), photo file names
("2022-12-27-tong-ket- 2"), share buttons ("E-mail Print"), view counters and
"related news" tails. They pollute embeddings and look absurd when quoted.
"""

from __future__ import annotations

import re

_DEBRIS_LINES = [
    r"\d+\s*-\s*Copy(\s*\(\d+\))?",  # image placeholders: "1 - Copy"
    r"E-?mail\s*Print",
    r"(In|Print)\s+bài\s+viết|Print|In bài",
    r"[\d.,]+\s*(Views?|lượt xem)",
    r"Lượt xem:?\s*[\d.,]+",
    r"Comments are closed\.?",
    r"Hình ảnh cùng sự kiện:?",
    r"Dưới đây là một số hình ảnh.*:",
    r"Chia sẻ:?|Share:?|Tweet|Like",
    r"[|,·•/\\]+",  # separators left by tag and breadcrumb lists
    r"[_\-=*~.]{3,}",  # horizontal rules
    r"[\w.-]+\.(jpe?g|png|gif|webp)",  # photo file names
    r"[a-z0-9]+(?:[-_][a-z0-9]+){2,}-?\s*\d*",  # slug-like captions: "2022-12-27-tong-ket- 2"
]
_DEBRIS = re.compile(r"^(?:" + "|".join(_DEBRIS_LINES) + r")$", re.IGNORECASE)
_INLINE_DEBRIS = re.compile(r"\s*(Lượt xem:?\s*[\d.,]+|In bài viết|E-mail Print)\s*", re.IGNORECASE)
# Everything after one of these lines is a list of links to other articles.
_TAIL_MARKERS = re.compile(
    r"^(Đọc thêm cùng chuyên mục|Các tin liên quan|Tin liên quan|Tin cùng chuyên mục|"
    r"Bài viết liên quan|Tin khác|Các tin khác|Tags?)\s*:?$",
    re.IGNORECASE,
)
# A drop cap split from its word: "V" / "ề Lãnh đạo ..."
_DROP_CAP = re.compile(r"^([A-ZĐ])\n(\w)", re.MULTILINE)


def strip_debris(text: str) -> str:
    """Drop debris lines and link tails; keep every line of real content."""
    text = _DROP_CAP.sub(lambda m: m.group(1) + m.group(2) if m.group(2).islower() else m.group(0), text)
    kept: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if _TAIL_MARKERS.match(stripped):
            break
        if stripped and _DEBRIS.match(stripped):
            continue
        kept.append(_INLINE_DEBRIS.sub(" ", line).strip() if stripped else line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
