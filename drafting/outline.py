"""Build an outline for a kind of speech, each section backed by verbatim excerpts.

Quotes are exact slices of retrieved chunks (checked when made), never
paraphrased inside quotation marks. Connecting prose, when an LLM is
configured, is labelled as paraphrase and its figures are checked against
the section's excerpts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chat.citations import unsupported_figures
from chat.injection import is_instruction
from chat.llm import ChatBackend
from chat.sentences import is_title_line, split_sentences
from chat.support import coverage
from settings import Settings
from vectorstore import Index, SearchFilters, SearchHit

MIN_QUOTE = 40
TARGET_QUOTE = 120
MAX_QUOTE = 600


@dataclass
class Excerpt:
    quote: str
    id: str
    title: str
    date: str | None
    source: str
    page: int | None
    paragraph: int | None
    organisation: str
    number: str
    start: int
    end: int
    chunk_start: int = 0  # offset of the chunk in its document's text

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def document_span(self) -> tuple[str, int, int]:
        return (self.source, self.chunk_start + self.start, self.chunk_start + self.end)

    @property
    def reference(self) -> str:
        where = f"tr. {self.page}" if self.page else f"đoạn {self.paragraph}"
        parts = [self.title, self.date or "không rõ ngày", self.organisation, where]
        return ", ".join(part for part in parts if part)


@dataclass
class Section:
    title: str
    query: str
    text: str = ""
    excerpts: list[Excerpt] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "text": self.text,
            "excerpts": [excerpt.to_json() for excerpt in self.excerpts],
            "flags": self.flags,
        }


@dataclass
class Draft:
    kind: str
    kind_label: str
    topic: str
    organisation: str
    sections: list[Section]

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "topic": self.topic,
            "organisation": self.organisation,
            "sections": [section.to_json() for section in self.sections],
        }

    def excerpts(self) -> list[Excerpt]:
        return [excerpt for section in self.sections for excerpt in section.excerpts]

    @classmethod
    def from_json(cls, data: dict) -> Draft:
        """The outline back from :meth:`to_json` (a stored draft, exported later)."""
        sections = [
            Section(item["title"], "", item.get("text", ""), [Excerpt(**excerpt) for excerpt in item["excerpts"]], list(item.get("flags", [])))
            for item in data["sections"]
        ]
        return cls(data["kind"], data["kind_label"], data["topic"], data.get("organisation", ""), sections)


class SpeechKinds:
    """The kinds of speech and their conventional sections, from prompts/draft_kinds.json."""

    def __init__(self, prompts_dir: Path) -> None:
        self.kinds: dict[str, dict] = json.loads((prompts_dir / "draft_kinds.json").read_text(encoding="utf-8"))

    def label(self, kind: str) -> str:
        return self.kinds[kind]["label"]

    def sections(self, kind: str) -> list[Section]:
        if kind not in self.kinds:
            raise KeyError(f"không có loại bài '{kind}' (có: {', '.join(self.kinds)})")
        return [Section(item["title"], item["query"]) for item in self.kinds[kind]["sections"]]


def _excerpt(hit: SearchHit, start: int, end: int) -> Excerpt:
    meta = hit.meta
    quote = hit.text[start:end]
    assert quote and quote in hit.text  # a quote is a slice of its chunk, by construction
    return Excerpt(
        quote=quote,
        id=hit.id,
        title=meta.title,
        date=meta.date or None,
        source=meta.source,
        page=meta.page or None,
        paragraph=meta.paragraph,
        organisation=meta.organisation,
        number=meta.number,
        start=start,
        end=end,
        chunk_start=meta.start,
    )


def _is_subtitle(sentence: str) -> bool:
    """A short line that ends no sentence ("Củng cố niềm tin – tạo lực phát triển mới")."""
    return len(sentence) < 100 and not sentence.rstrip().endswith((".", "!", "?", "…", ";", "”", '"', ")"))


def _overlaps(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


class Drafter:
    def __init__(self, settings: Settings, index: Index, backend: ChatBackend) -> None:
        self.settings = settings
        self.index = index
        self.backend = backend
        self.kinds = SpeechKinds(settings.prompts_dir)
        self.section_prompt = (settings.prompts_dir / "draft_section.txt").read_text(encoding="utf-8")

    def draft(
        self, topic: str, kind: str, per_section: int = 2, filters: SearchFilters | None = None, organisation: str = ""
    ) -> Draft:
        sections = self.kinds.sections(kind)
        draft = Draft(kind, self.kinds.label(kind), topic, organisation, sections)
        used: list[tuple[str, int, int]] = []
        for section in sections:
            section.excerpts = self._excerpts(topic, section, per_section, filters, used)
            self._write_prose(draft, section)
        return draft

    def more(self, draft: Draft, section_index: int, count: int = 2, filters: SearchFilters | None = None) -> None:
        """Add excerpts to one section, none that the draft already holds."""
        section = draft.sections[section_index]
        used = [excerpt.document_span for excerpt in draft.excerpts()]
        section.excerpts += self._excerpts(draft.topic, section, count, filters, used)

    def _excerpts(
        self, topic: str, section: Section, count: int, filters: SearchFilters | None, used: list[tuple[str, int, int]]
    ) -> list[Excerpt]:
        query = f"{topic}. {section.query}"
        hits = self.index.searcher.search(query, 8, filters)
        candidates = []
        for rank, hit in enumerate(hits):
            sentences = [
                s for s in split_sentences(hit.text) if not (is_title_line(s.text) or _is_subtitle(s.text) or is_instruction(s.text))
            ]
            for position, sentence in enumerate(sentences):
                end = sentence.end
                # Extend a short sentence with the next one of the same paragraph, so a quote can stand on its own.
                if end - sentence.start < TARGET_QUOTE and position + 1 < len(sentences):
                    following = sentences[position + 1]
                    if "\n" not in hit.text[end : following.start]:
                        end = following.end
                if not MIN_QUOTE <= end - sentence.start <= MAX_QUOTE:
                    continue
                text = hit.text[sentence.start : end]
                score = coverage(topic, text, self.index.searcher) + coverage(section.query, text, self.index.searcher)
                candidates.append((score - 0.03 * rank, hit, sentence.start, end))
        candidates.sort(key=lambda item: item[0], reverse=True)
        chosen: list[Excerpt] = []
        chunks_taken: set[str] = set()
        for _, hit, start, end in candidates:
            if len(chosen) == count:
                break
            excerpt = _excerpt(hit, start, end)
            if hit.id in chunks_taken or any(_overlaps(excerpt.document_span, span) for span in used):
                continue  # overlapping chunks repeat text: the same words are never quoted twice
            chosen.append(excerpt)
            used.append(excerpt.document_span)
            chunks_taken.add(hit.id)
        return chosen

    def _write_prose(self, draft: Draft, section: Section) -> None:
        """LLM paraphrase around the quotes, with figures checked; nothing in extractive mode."""
        if not section.excerpts:
            return
        excerpts = "\n".join(f"- “{excerpt.quote}”" for excerpt in section.excerpts)
        prompt = self.section_prompt.format(kind=draft.kind_label.lower(), topic=draft.topic, section=section.title, excerpts=excerpts)
        with self.backend.queue.turn():
            section.text = self.backend.generate(prompt, 200) or ""
        if not section.text:
            return
        support = " ".join(excerpt.quote for excerpt in section.excerpts) + " " + draft.topic
        section.flags += [
            f"Số liệu “{figure}” trong lời dẫn không có trong các trích dẫn"
            for figure in unsupported_figures(section.text, support)
        ]
