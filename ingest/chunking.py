"""Structure-aware chunking with stable ids and exact source positions.

Chunks break first at the structure Party documents use (numbered points
"1.1.2.", "Điều 5", "Một là,", list items), then at paragraphs and sentences.
Each chunk is a verbatim slice of the cleaned document, so its offsets map back
to a page and a paragraph, and a quote found in it is a quote of the document.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

CHUNKER_VERSION = "1"

_STRUCTURE_SEPARATORS = [
    r"\n(?=(?:Chương|CHƯƠNG|Mục|MỤC)\s+[IVXLC\d]+)",
    r"\n(?=Điều\s+\d+[.:])",
    r"\n(?=\d+\.\s)",  # "1. Điều 1 (Khoản 2): ..."
    r"\n(?=\d+\.\d+\.\s)",  # "1.1. Về tuổi đời"
    r"\n(?=(?:Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười)\s+là[,:])",
    r"\n\n",
    r"\n(?=\d+\.\d+\.\d+\.\s)",
    r"\n(?=[a-zđ]\)\s)",
    r"\n",
    r"(?<=[.!?…;])\s+",
    r"(?<=,)\s+",
    r"\s+",
]
_NUMBERED_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.\s|Điều\s+\d+|Chương\s+[IVXLC\d]+)")
# Short lines of a news page that are no sub-heading: a posting time ("09:47 AM 06/08/2013", "13/01/2024"), a
# byline ("Tin: …; Ảnh: …"), the site's stamp of who posted it and when ("Quản trị viên 16/09/2022 Tin tức - sự
# kiện", "Cập nhật: …") or a line wholly in brackets ("(UET-News)"). As a section they would head every passage below
# them, and the model, reading "— Tin: Nguyễn Phương Nhung" over a passage, may take the reporter for a person the
# passage speaks of.
_NOT_HEADING = re.compile(
    r"^[\d\s/:.,\-–]*(?:AM|PM|SA|CH)?[\d\s/:.,\-–]*$"
    r"|^(?:Tin|Ảnh|Bài|Nguồn|Tin và ảnh|Tin, ảnh|Bài và ảnh|Bài, ảnh)\s*:"
    r"|^(?:Quản trị viên|Người đăng|Đăng bởi|Đăng lúc|Ngày đăng|Cập nhật|Lượt xem|Tác giả)\b.*(?::|\d{1,2}/\d{1,2}/\d{2,4})"
    r"|^\([^()]*\)$",
    re.IGNORECASE,
)


def _is_heading_line(line: str) -> bool:
    """A numbered point, or a short line that ends no sentence (a news sub-heading)."""
    if not line or len(line) > 160:
        return False
    if _NUMBERED_HEADING.match(line):
        return True
    return len(line) <= 120 and not line.endswith((".", ",", ";", ":", "…")) and not _NOT_HEADING.match(line)


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage and where it sits in its document."""

    id: str
    index: int
    text: str
    start: int
    end: int
    page: int | None
    page_end: int | None
    paragraph: int
    section: str


def content_hash(text: str, chunk_size: int, chunk_overlap: int) -> str:
    """Identity of a document's content *as chunked*: same text, same settings, same ids."""
    key = f"{CHUNKER_VERSION}:{chunk_size}:{chunk_overlap}\n{text}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=_STRUCTURE_SEPARATORS,
        is_separator_regex=True,
        keep_separator="start",
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        add_start_index=True,
        strip_whitespace=True,
    )


def _headings(text: str) -> tuple[list[int], list[str]]:
    """Offsets and texts of heading-like lines, for each chunk's section label."""
    offsets, titles, position = [], [], 0
    for line in text.split("\n"):
        if _is_heading_line(line.strip()):
            offsets.append(position)
            titles.append(line.strip())
        position += len(line) + 1
    return offsets, titles


def chunk_text(
    text: str,
    page_starts: list[tuple[int, int | None]],
    doc_hash: str,
    chunk_size: int,
    chunk_overlap: int,
) -> list[Chunk]:
    """Split ``text``; ``page_starts`` lists (offset, page number) in order."""
    documents = _splitter(chunk_size, chunk_overlap).create_documents([text])
    page_offsets = [offset for offset, _ in page_starts]
    paragraph_offsets = [match.end() for match in re.finditer(r"\n+", text)]
    heading_offsets, heading_titles = _headings(text)

    def page_at(offset: int) -> int | None:
        return page_starts[max(bisect.bisect_right(page_offsets, offset) - 1, 0)][1] if page_starts else None

    chunks = []
    for index, document in enumerate(documents):
        start = document.metadata["start_index"]
        body = document.page_content
        if text[start : start + len(body)] != body:  # the splitter searched from the wrong place
            start = text.find(body)
        end = start + len(body)
        heading = bisect.bisect_right(heading_offsets, start) - 1
        chunks.append(
            Chunk(
                id=f"{doc_hash[:16]}-{index:04d}",
                index=index,
                text=body,
                start=start,
                end=end,
                page=page_at(start),
                page_end=page_at(max(end - 1, start)),
                paragraph=bisect.bisect_right(paragraph_offsets, start) + 1,
                section=heading_titles[heading] if heading >= 0 else "",
            )
        )
    return chunks
