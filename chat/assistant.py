"""The question-answering chain: condense → retrieve → check support → generate → check citations.

Built on LangChain prompt templates so the texts in prompts/ stay editable; the
generation step is one of the backends in chat/llm.py or the extractive mode.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from chat import provision, ruling
from chat.citations import CheckedAnswer, Citation, check_answer, strip_markers
from chat.context import format_context
from chat.degenerate import problems
from chat.event_value import candidates, pick
from chat.extractive import expected_type, extractive_answer, has_type
from chat.focus import answers_the_focus, given_values
from chat.llm import ChatBackend
from chat.prompts import Prompts
from chat.queue import Queued, Ticket
from chat.referents import referent_missed, unnamed_in
from chat.ruling import Ground, find_grounds
from chat.shapes import Shape, shape_of
from chat.shared_answers import PENDING, SharedAnswers
from chat.support import coverage, focus_is_grounded, is_supported, question_terms
from chat.validity import named_documents, superseded_notes
from ingest.normalize import index_form
from settings import Settings
from vectorstore import Index, SearchHit

REFUSAL_MARKERS = ("không đề cập", "không có thông tin", "không được đề cập", "không nêu", "không có trong tài liệu")
_CONDENSE_LABEL = re.compile(r"^(?:Câu hỏi (?:tiếp theo|độc lập)|Câu hỏi|Hỏi)\s*:\s*", re.IGNORECASE)
FOLLOW_UP_CUES = ("còn ", "thì sao", "vậy còn", "thế còn", "đó", "này", "ấy", "họ", "người đó", "trước đó")


Searched = dict[str, list[SearchHit]]  # the passages found for a query, by query, while a question is answered


@dataclass
class Turn:
    question: str
    answer: str


@dataclass
class Preview:
    """What is known before the model writes, shown at once: the best verbatim sentences, checked and cited."""

    answer: str
    citations: list[Citation]
    kept: bool = False  # the head of the final answer (the board's form): what the model writes goes below it


@dataclass
class Written:
    """What the model wrote for one question, and when its first piece came (each question has its own)."""

    pieces: list[str] = field(default_factory=list)
    first_at: float | None = None

    def add(self, piece: str) -> None:
        if self.first_at is None:
            self.first_at = time.perf_counter()
        self.pieces.append(piece)

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def since(self, started: float) -> float | None:
        return None if self.first_at is None else self.first_at - started


@dataclass
class Answer:
    question: str
    standalone_question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    dropped_markers: list[int] = field(default_factory=list)
    repaired_markers: list[tuple[int, int]] = field(default_factory=list)
    closest: list[SearchHit] = field(default_factory=list)
    backend: str = "extractive"
    seconds: float = 0.0
    first_token_seconds: float | None = None
    audit_id: int | None = None  # the audit row of this answer, once recorded (feedback refers to it)
    shape: str = ""  # the form the answer took (chat/shapes.py): "fact", "rule", "case", "list"

    def to_json(self) -> dict:
        return {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [citation.to_json() for citation in self.citations],
            "flags": self.flags,
            "dropped_markers": self.dropped_markers,
            "repaired_markers": self.repaired_markers,
            "standalone_question": self.standalone_question,
            "closest": [hit.to_json() for hit in self.closest],
            "backend": self.backend,
            "seconds": round(self.seconds, 3),
            "id": self.audit_id,
            "shape": self.shape,
        }


def _preview(verbatim: str, hits: list[SearchHit], question: str) -> Preview:
    early = check_answer(verbatim, hits, question)
    return Preview(early.answer, early.citations)


NOT_SHARED = SharedAnswers(0)


class Assistant:
    def __init__(self, settings: Settings, index: Index, backend: ChatBackend, answers: SharedAnswers = NOT_SHARED) -> None:
        self.settings = settings
        self.index = index
        self.backend = backend
        self.answers = answers
        self.prompts = Prompts.load(settings.prompts_dir)
        self.answer_prompt = ChatPromptTemplate.from_messages(
            [("system", self.prompts.system), ("human", self.prompts.answer)]
        )
        self.apply_prompt = ChatPromptTemplate.from_messages([("system", self.prompts.system), ("human", self.prompts.apply)])
        self.provision_prompt = ChatPromptTemplate.from_messages([("system", self.prompts.system), ("human", self.prompts.provision)])
        self.condense_prompt = PromptTemplate.from_template(self.prompts.condense)

    def warm(self) -> None:
        """Have the model read the system prompt before the first question (the server calls it at start)."""
        with self.backend.queue.join():
            self.backend.warm(self._messages(self.answer_prompt, context="", question="", form="")[0]["content"])

    # --- steps -------------------------------------------------------------------
    def condense(self, question: str, history: list[Turn]) -> str:
        """A follow-up ("Còn nhiệm kỳ trước thì sao?") rewritten to stand alone, outside a question's stream
        (nobody watches its place in line or its preview)."""
        ticket = self.backend.queue.join()
        try:
            steps = self._condensed(question, history, ticket)
            while True:
                next(steps)
        except StopIteration as done:
            return done.value[0]
        finally:
            ticket.leave()

    def _condensed(self, question: str, history: list[Turn], ticket: Ticket) -> Generator[Queued | Preview, None, tuple[str, Searched]]:
        """The follow-up rewritten in the question's own turn of the model; until then, its place in line and
        the verbatim sentences for it read with the previous question (what the rewrite most often falls back
        to), so a follow-up shows something useful as soon as a first question does. Also the searches made
        on the way, so the answer does not repeat one."""
        if not history:
            return question, {}
        lowered = question.lower()
        if not any(cue in lowered for cue in FOLLOW_UP_CUES) and len(question.split()) > 6:
            return question, {}
        joined = f"{history[-1].question} {question}"  # the previous question gives the context
        searched = {joined: (yield from self._early_preview(joined))}
        transcript = "\n".join(f"Hỏi: {turn.question}\nĐáp: {turn.answer[:300]}" for turn in history[-3:])
        yield from self._wait_for(ticket)
        rewritten = self.backend.generate(self.condense_prompt.format(history=transcript, question=question), 96)
        if rewritten is None:  # a backend without free text
            return joined, searched
        return self._rewrite_or(joined, question, rewritten), searched

    def _early_preview(self, question: str) -> Generator[Preview, None, list[SearchHit]]:
        """The verbatim sentences for ``question``, when its passages support it; the passages."""
        hits = self.index.searcher.search(question, self.settings.answer_k)
        if is_supported(question, hits, self.index.searcher, self.settings.min_similarity, self.settings.min_coverage):
            verbatim = extractive_answer(question, hits, self.index.searcher)
            if verbatim:
                yield _preview(verbatim, hits, question)
        return hits

    @staticmethod
    def _rewrite_or(joined: str, question: str, rewritten: str) -> str:
        """The model's rewrite, unless it failed at it: a small model sometimes echoes the prompt's label
        ("Câu hỏi tiếp theo: …"), returns the follow-up unchanged or the previous question instead, or answers
        instead of rewriting. Then the follow-up joined to the previous question stands in for it."""
        line = next((line for line in rewritten.splitlines() if line.strip()), "")
        line = _CONDENSE_LABEL.sub("", line).strip(' "“”')
        said, asked = question_terms(line)[0], question_terms(question)[0]
        if not line or not said - asked or not asked <= said or len(line) > len(joined) + 40:
            return joined
        return line

    def _refusal(self, question: str, standalone: str, hits: list[SearchHit], started: float, off_topic: bool) -> Answer:
        text = self.prompts.off_topic if off_topic else self.prompts.refusal
        return Answer(question, standalone, text, True, closest=hits[:3], backend=self.backend.name, seconds=time.perf_counter() - started)

    # --- the chain -----------------------------------------------------------------
    def stream(self, question: str, history: list[Turn] | None = None) -> Iterator[str | Preview | Queued | Answer]:
        """Yields a :class:`Preview` (verbatim sentences) when there is one, the place in the model's line
        (:class:`Queued`) while others are answered, the text pieces as they are generated, then the checked
        :class:`Answer`."""
        started = time.perf_counter()
        # A place in the model's line from the moment of asking: shown at once, kept while the passages are found.
        ticket = self.backend.queue.join()
        try:
            place = ticket.place()
            if place.position:
                yield place
            standalone, searched = yield from self._condensed(question, history or [], ticket)
            yield from self._answered(question, standalone, ticket, started, searched)
        finally:
            ticket.leave()

    def _answered(self, question: str, standalone: str, ticket: Ticket, started: float, searched: Searched) -> Iterator[str | Preview | Queued | Answer]:
        named = named_documents(standalone, self.index.searcher)
        # A replaced document is looked up in its replacement (named documents rank first).
        query = standalone + "".join(f" ({r.by.number})" for r in named.redirects)
        hits = searched[query] if query in searched else self.index.searcher.search(query, self.settings.answer_k)
        if named.missing:
            text = self.prompts.missing_document.format(documents=", ".join(named.missing))
            yield Answer(question, standalone, text, True, closest=hits[:3], backend=self.backend.name, seconds=time.perf_counter() - started)
            return
        if not is_supported(standalone, hits, self.index.searcher, self.settings.min_similarity, self.settings.min_coverage):
            off_topic = not hits or max((h.similarity or 0.0) for h in hits) < self.settings.min_similarity
            yield self._refusal(question, standalone, hits, started, off_topic)
            return
        shape = shape_of(standalone)
        grounds = find_grounds(standalone, hits, self.index.searcher)
        if grounds and shape is Shape.CASE:
            checked = yield from self._ruling(standalone, grounds, ticket, started)
        elif grounds:
            checked = yield from self._provision(standalone, shape, grounds, ticket, started)
        else:
            checked = yield from self._free_answer(standalone, shape, hits, ticket, started)
        if checked is None or not self._grounded(standalone, checked, grounds, hits):
            yield self._refusal(question, standalone, hits, started, off_topic=False)
            return
        validity = [r.note for r in named.redirects] + superseded_notes([c.number for c in checked.citations], self.index.searcher)
        yield Answer(
            question,
            standalone,
            checked.answer,
            False,
            checked.citations,
            validity + checked.flags,
            checked.dropped_markers,
            checked.repaired_markers,
            backend=self.backend.name,
            seconds=time.perf_counter() - started,
            first_token_seconds=checked.first_token_seconds,
            shape=shape.value,
        )

    @staticmethod
    def _wait_for(ticket: Ticket) -> Iterator[Queued]:
        """Others are being answered: say where this question stands, every second, until its turn."""
        timeout = 0.0
        while not ticket.wait(timeout):
            yield ticket.place()
            timeout = 1.0

    def _in_turn(self, ticket: Ticket, messages: list[dict], passages: list[SearchHit], write: Callable[[list[dict]], Iterator[str]]) -> Iterator[str | Queued]:
        """The model's pieces for ``messages``, written in this question's turn; its place in line until then.
        The model goes to the next question as soon as this one is written (the checks need no model). A prompt
        another member's question already produced from the same ``passages`` takes no turn: its text is shared
        (chat/shared_answers.py)."""
        key = self.answers.key(self.backend.name, messages, [hit.id for hit in passages])
        shared = self.answers.recall(key, ticket, timeout=1.0)
        while shared is PENDING:  # being written for another member: wait for that, told its place every second
            ticket.follow()
            writer = self.answers.writer(key)
            yield (writer or ticket).place()
            shared = self.answers.recall(key, ticket, timeout=1.0)
        ticket.follow(False)  # its own turn counts again if it has to be written after all
        if isinstance(shared, str):
            ticket.leave()
            yield shared
            return
        try:
            yield from self._wait_for(ticket)
            pieces = []
            for piece in write(messages):
                pieces.append(piece)
                yield piece
            ticket.leave()
            self.answers.keep(key, "".join(pieces))
        finally:
            self.answers.abandon(key)

    @staticmethod
    def _kept(events: Iterator[str | Queued], written: Written) -> Iterator[str | Queued]:
        """Pass events on, keeping the text pieces and when the first one came."""
        for event in events:
            if isinstance(event, str):
                written.add(event)
            yield event

    def _ruling(self, standalone: str, grounds: list[Ground], ticket: Ticket, started: float) -> Generator[str | Preview | Queued, None, CheckedAnswer]:
        """The board's form: căn cứ and verbatim words at once, then the model's "Như vậy, …", checked."""
        cited = ruling.citations(grounds)
        yield Preview(ruling.head(standalone, grounds), cited, kept=True)
        messages = self._messages(self.apply_prompt, grounds="\n".join(g.line() for g in grounds),
                                  comparison=ruling.comparison(standalone, grounds), question=standalone)
        written = Written()
        read = lambda m: self.backend.reading(m, self.settings.llm_max_tokens)  # noqa: E731
        yield from self._kept(self._in_turn(ticket, messages, [g.hit for g in grounds], read), written)
        reading, flags = ruling.checked_reading(standalone, grounds, written.text)
        return CheckedAnswer(ruling.assemble(standalone, grounds, reading), cited, flags, [],
                             first_token_seconds=written.since(started))

    def _provision(self, standalone: str, shape: Shape, grounds: list[Ground], ticket: Ticket, started: float) -> Generator[str | Preview | Queued, None, CheckedAnswer]:
        """A rule or a value of quoted provisions, for a question that is not a case: căn cứ and the verbatim
        words at once, then the model's one plain sentence, checked (chat/provision.py)."""
        cited = ruling.citations(grounds)
        yield Preview(ruling.quoted(grounds), cited, kept=shape is not Shape.FACT)
        messages = self._messages(self.provision_prompt, grounds="\n".join(g.line() for g in grounds), question=standalone,
                                  form=self.prompts.forms[shape.value])
        written = Written()
        read = lambda m: self.backend.reading(m, self.settings.llm_max_tokens)  # noqa: E731
        yield from self._kept(self._in_turn(ticket, messages, [g.hit for g in grounds], read), written)
        summary, flags = provision.checked_summary(standalone, shape, grounds, written.text)
        return CheckedAnswer(provision.assemble(shape, grounds, summary), cited, flags, [], first_token_seconds=written.since(started))

    def _free_answer(self, standalone: str, shape: Shape, hits: list[SearchHit], ticket: Ticket, started: float) -> Generator[str | Preview | Queued, None, CheckedAnswer | None]:
        """An answer in the model's words with [n] markers, checked; the verbatim sentences meanwhile."""
        verbatim = extractive_answer(standalone, hits, self.index.searcher)
        if verbatim:
            yield _preview(verbatim, hits, standalone)
        context = format_context(standalone, hits, self.index.searcher, self.settings.llm_context_chars)
        messages = self._messages(self.answer_prompt, context=context, question=standalone, form=self.prompts.forms[shape.value])
        written = Written()
        write = lambda m: self.backend.answer(m, standalone, hits, self.index.searcher, self.settings.llm_max_tokens)  # noqa: E731
        yield from self._kept(self._in_turn(ticket, messages, hits, write), written)
        raw = written.text.strip()
        if not raw or any(marker in raw.lower() for marker in REFUSAL_MARKERS):
            return None
        checked = check_answer(raw, hits, standalone)
        wrong = [] if verbatim == raw else self._wrong_in(standalone, checked, raw, hits)
        if wrong:
            # The model missed what was asked, took another value of its sentence, looped or stopped mid-way:
            # the verbatim sentences are the honest answer (they must pass the same grounding checks, or the
            # question is refused); with none, the sentences it cited.
            grounds = verbatim or " ".join(f"{c.quote} [{c.n}]" for c in checked.citations)
            if not grounds:
                return None
            checked = check_answer(grounds, hits, standalone)
            checked.flags[:0] = wrong
        elif shape is Shape.FACT and checked.citations and verbatim != raw:
            first = checked.citations[0]
            checked.answer = f"{checked.answer}\n\n> “{first.quote}” [{first.n}]"
        checked.first_token_seconds = written.since(started)
        return checked

    def _wrong_in(self, question: str, checked: CheckedAnswer, raw: str, hits: list[SearchHit]) -> list[str]:
        """Why the model's answer may not be shown (one note each), or nothing."""
        if notes := problems(raw, question, [citation.quote for citation in checked.citations]):
            return notes
        if not self._answers_what_was_asked(question, checked) or not self._grounded(question, checked, [], hits):
            return ["Câu trả lời của mô hình chưa nêu đúng thông tin được hỏi; hiển thị câu trích nguyên văn."]
        if other := self._other_value(question, checked):
            return [f"Câu được trích có nhiều {other}; mô hình có thể đã lấy nhầm nên hiển thị câu trích nguyên văn."]
        return []

    @staticmethod
    def _other_value(question: str, checked: CheckedAnswer) -> str:
        """The kind of value ("ngày tháng", "tên người", "mốc năm") when the answer gives one that its cited
        sentence does not tie to the asked event, while the sentence holds several (the plan's date for the
        congress's); "" when it gives the one chat/event_value.py picks, or none."""
        kind = expected_type(question)
        names = {"date": "ngày tháng", "person": "tên người", "year": "mốc năm"}
        if kind not in names:
            return ""
        for value in given_values(checked.answer, question, kind):
            for citation in checked.citations:
                sentence = index_form(citation.quote)
                if value not in sentence or len(candidates(sentence, kind)) < 2:
                    continue
                picked = pick(question, sentence, kind)
                if picked is None or picked.value not in index_form(checked.answer):
                    return names[kind]
        return ""

    def _messages(self, prompt: ChatPromptTemplate, **values: str) -> list[dict]:
        return [
            {"role": "system" if message.type == "system" else "user", "content": message.content}
            for message in prompt.format_messages(**values)
        ]

    def _grounded(self, question: str, checked: CheckedAnswer, grounds: list[Ground], hits: list[SearchHit]) -> bool:
        """Something backs the answer, its cited documents' passages name the places, units and people the
        question names (a member's case aside), its cited sentences speak of the office asked about (not only a Phó or Tổng
        of it, nor another congress: chat/referents.py), it counts nothing no cited passage names, and the person, number or
        date it gives answers the question's focus. In the board's form the quoted provisions are the answer,
        so one of them, read under the heading it sits in (which names what a terse rule is about), must also
        speak of what was asked (a rule next to the question is not its answer)."""
        passages = [citation.text for citation in checked.citations]
        weights = self.index.searcher  # IDF over the reader's scope
        case = shape_of(question) is Shape.CASE  # a member's own story names their own places and offices
        # An article names its place once, in its lead: the passages found of the cited documents count too.
        sources = {citation.source for citation in checked.citations}
        cited = [f"{c.title}\n{c.text}" for c in checked.citations]
        return (
            bool(checked.citations)
            and (case or grounds or not unnamed_in(question, cited, [hit.text for hit in hits if hit.meta.source in sources]))
            and (case or not referent_missed(question, [c.quote for c in checked.citations], expected_type(question) == "person"))
            and focus_is_grounded(question, passages)
            and answers_the_focus(question, " ".join(g.quote for g in grounds) or checked.answer,
                                  [(c.title, c.text) for c in checked.citations], weights, self.settings.min_focus_coverage)
            and (not grounds or max(coverage(question, f"{g.quote}\n{g.hit.meta.section}", weights) for g in grounds)
                 >= self.settings.min_quote_coverage)
        )

    @staticmethod
    def _answers_what_was_asked(question: str, checked: CheckedAnswer) -> bool:
        if checked.flags:
            return False
        kind = expected_type(question)
        # Markers are not figures: "[1]" must not pass for the count that was asked.
        return kind in ("", "person") or has_type(strip_markers(checked.answer), kind, question)

    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        *_, final = self.stream(question, history)
        assert isinstance(final, Answer)
        return final
