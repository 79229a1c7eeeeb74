"""The audit trail and the users' own chat history.

The application only ever inserts audit rows; the retention purge is the one
deletion. History rows belong to their user, who may delete them (that deletion
is itself audited, and the audit keeps its own record of the question).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from access.models import AuditEvent, ChatTurn, Feedback, StoredDraft
from access.principal import AccessError, Principal

CSV_COLUMNS = ("id", "at", "user", "action", "channel", "question", "answer", "chunk_ids", "documents", "latency_ms", "detail")


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None
    action: str | None = None
    document: str | None = None  # substring of a source
    since: date | None = None
    until: date | None = None


class AuditLog:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def record(
        self,
        user: str,
        action: str,
        *,
        channel: str = "",
        question: str = "",
        answer: str = "",
        chunk_ids: Iterable[str] = (),
        documents: Iterable[str] = (),
        latency_ms: int | None = None,
        **detail: object,
    ) -> int:
        with self.sessions.begin() as session:
            event = AuditEvent(
                user=user,
                action=action,
                channel=channel,
                question=question,
                answer=answer,
                chunk_ids=" ".join(chunk_ids),
                documents="; ".join(dict.fromkeys(documents)),
                latency_ms=latency_ms,
                detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else "",
            )
            session.add(event)
            session.flush()
            return event.id

    def events(self, where: AuditFilter | None = None, limit: int = 1000) -> list[AuditEvent]:
        where = where or AuditFilter()
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if where.user:
            query = query.where(AuditEvent.user == where.user)
        if where.action:
            query = query.where(AuditEvent.action == where.action)
        if where.document:
            query = query.where(AuditEvent.documents.contains(where.document))
        if where.since:
            query = query.where(AuditEvent.at >= datetime.combine(where.since, datetime.min.time(), UTC))
        if where.until:
            query = query.where(AuditEvent.at < datetime.combine(where.until + timedelta(days=1), datetime.min.time(), UTC))
        with self.sessions() as session:
            return list(session.scalars(query))

    def event(self, event_id: int) -> AuditEvent:
        with self.sessions() as session:
            found = session.get(AuditEvent, event_id)
        if found is None:
            raise AccessError("Không tìm thấy bản ghi nhật ký này.", 404, "not_found")
        return found

    def to_csv(self, events: list[AuditEvent]) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for event in events:
            writer.writerow([getattr(event, column) for column in CSV_COLUMNS])
        return out.getvalue()

    def purge(self, retention_days: int) -> int:
        """Delete rows older than the retention period (the only deletion of audit rows)."""
        cutoff = datetime.now(UTC) - timedelta(days=retention_days)
        with self.sessions.begin() as session:
            return session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)).rowcount or 0

    # --- drafts and feedback -------------------------------------------------------------
    def save_draft(self, principal: Principal, body: dict) -> int:
        with self.sessions.begin() as session:
            draft = StoredDraft(user=principal.name, body=json.dumps(body, ensure_ascii=False))
            session.add(draft)
            session.flush()
            return draft.id

    def draft(self, principal: Principal, draft_id: int) -> dict:
        with self.sessions() as session:
            return json.loads(self._own_draft(session, principal, draft_id).body)

    def update_draft(self, principal: Principal, draft_id: int, body: dict) -> None:
        """Keep an edited outline; only its owner may (the web page holds just the id, never the outline)."""
        with self.sessions.begin() as session:
            self._own_draft(session, principal, draft_id).body = json.dumps(body, ensure_ascii=False)

    @staticmethod
    def _own_draft(session: Session, principal: Principal, draft_id: int) -> StoredDraft:
        """The principal's own draft; anyone else's is 'not found', never 'forbidden'."""
        draft = session.get(StoredDraft, draft_id)
        if draft is None or draft.user != principal.name:
            raise AccessError("Không tìm thấy dàn ý này.", 404, "not_found")
        return draft

    def add_feedback(self, principal: Principal, answer_id: int, helpful: bool, reason: str, comment: str) -> int:
        """Feedback on one of the principal's own answers (by the answer's audit id)."""
        with self.sessions.begin() as session:
            event = session.get(AuditEvent, answer_id)
            if event is None or event.user != principal.name or event.action != "ask":
                raise AccessError("Không tìm thấy câu trả lời này.", 404, "not_found")
            feedback = Feedback(audit_id=answer_id, user=principal.name, helpful=helpful, reason=reason, comment=comment)
            session.add(feedback)
            session.flush()
            return feedback.id

    def negative_feedback(self) -> list[tuple[Feedback, AuditEvent]]:
        """Every 👎 with the question, answer and cited chunks it was given on (newest first)."""
        query = (
            select(Feedback, AuditEvent).join(AuditEvent, AuditEvent.id == Feedback.audit_id)
            .where(Feedback.helpful.is_(False)).order_by(Feedback.id.desc())
        )
        with self.sessions() as session:
            return [(feedback, event) for feedback, event in session.execute(query)]

    def negative_feedback_rows(self) -> list[dict]:
        """Each 👎 as a flat record: what was asked, answered and cited, and what the member said."""
        return [
            {"feedback_id": feedback.id, "at": feedback.at.isoformat(), "user": feedback.user, "reason": feedback.reason,
             "comment": feedback.comment, "answer_id": event.id, "question": event.question, "answer": event.answer,
             "chunk_ids": event.chunk_ids, "documents": event.documents}
            for feedback, event in self.negative_feedback()
        ]

    @staticmethod
    def feedback_csv(rows: list[dict]) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["feedback_id"])
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    @staticmethod
    def feedback_questions(rows: list[dict]) -> str:
        """A JSONL question file for `app.py eval --mode ask`: real failures become regression questions.

        The expected answer is not known yet; the reviewer fills ``answers``/``evidence`` in."""
        lines = [
            json.dumps({"id": f"gop-y-{row['feedback_id']}", "question": row["question"], "answers": [], "evidence": None,
                        "answerable": True, "feedback": {"reason": row["reason"], "comment": row["comment"],
                                                         "previous_answer": row["answer"], "cited": row["chunk_ids"]}},
                       ensure_ascii=False)
            for row in rows
        ]
        return "\n".join(lines) + ("\n" if lines else "")

    # --- the user's own history ------------------------------------------------------
    def remember(self, principal: Principal, question: str, answer: str, citations: list[dict]) -> int:
        with self.sessions.begin() as session:
            turn = ChatTurn(
                user_id=principal.id, user=principal.name, question=question, answer=answer,
                citations=json.dumps(citations, ensure_ascii=False),
            )
            session.add(turn)
            session.flush()
            return turn.id

    def history(self, principal: Principal, limit: int = 200) -> list[ChatTurn]:
        query = select(ChatTurn).where(ChatTurn.user == principal.name).order_by(ChatTurn.id.desc()).limit(limit)
        with self.sessions() as session:
            return list(session.scalars(query))

    def turn(self, principal: Principal, turn_id: int) -> ChatTurn:
        """One of the user's own turns; another user's id is answered as not found, never as forbidden."""
        with self.sessions() as session:
            turn = session.get(ChatTurn, turn_id)
        if turn is None or turn.user != principal.name:
            raise AccessError("Không tìm thấy mục lịch sử này.", 404, "not_found")
        return turn

    def forget(self, principal: Principal, turn_id: int | None = None, channel: str = "") -> int:
        """Delete one of the user's turns, or all of them; audited."""
        with self.sessions.begin() as session:
            query = delete(ChatTurn).where(ChatTurn.user == principal.name)
            if turn_id is not None:
                self.turn(principal, turn_id)
                query = query.where(ChatTurn.id == turn_id)
            removed = session.execute(query).rowcount or 0
        self.record(principal.name, "history_delete", channel=channel, turn=turn_id or "all", removed=removed)
        return removed
