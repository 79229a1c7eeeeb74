"""An OpenAI-compatible chat endpoint: Open WebUI, bots and the `openai` client use the assistant as a model.

``model`` is "all" or a collection the caller may read. The answer keeps its [n] markers;
the citations travel in an extra ``citations`` field of the message (and of the final
stream chunk), and refusals are marked with ``refused``. Streaming sends the checked
answer in pieces, then the citations, then ``[DONE]``: text is sent only once it has
passed the citation checks, so nothing shown is taken back.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from access import AccessError
from chat import Answer, Turn
from server import schemas
from server.api import ERRORS, answer_json
from server.auth import Caller
from services import Services

OWNER = "tro-ly-tai-lieu-dang"


def _text(content: str | list | None) -> str:
    """Message content as text (OpenAI allows a list of parts)."""
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def split_conversation(messages: list[schemas.ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message is the question; earlier user/assistant pairs are the history."""
    turns: list[Turn] = []
    pending: str | None = None
    question = ""
    for message in messages:
        if message.role == "user":
            if pending is not None:
                turns.append(Turn(pending, ""))
            pending = _text(message.content)
        elif message.role == "assistant" and pending is not None:
            turns.append(Turn(pending, _text(message.content)))
            pending = None
    if pending is None:
        raise AccessError("Tin nhắn cuối cùng phải là câu hỏi của người dùng (role: user).", 422, "no_question")
    question = pending
    return question, turns


def completion(answer: Answer, model: str, created: int) -> dict:
    data = answer_json(answer)
    return {
        "id": f"chatcmpl-{answer.audit_id}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": data["answer"], "citations": data["citations"], "refused": data["refused"]},
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": data["citations"],
        "refused": data["refused"],
    }


def _pieces(text: str) -> list[str]:
    """The answer in word-sized pieces, spaces kept, so clients render it as it arrives."""
    return re.findall(r"\S+\s*|\s+", text)


def stream_chunks(answer_events: Iterator[str | Answer], model: str, created: int) -> Iterator[str]:
    answer = None
    for event in answer_events:  # generation and checks run to the end before text is sent
        if isinstance(event, Answer):
            answer = event
    assert answer is not None
    data = answer_json(answer)
    base = {"id": f"chatcmpl-{answer.audit_id}", "object": "chat.completion.chunk", "created": created, "model": model}

    def event(delta: dict, finish: str | None = None, **extra) -> str:
        body = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in _pieces(data["answer"]):
        yield event({"content": piece})
    yield event({"citations": data["citations"], "refused": data["refused"]}, "stop", citations=data["citations"], refused=data["refused"])
    yield "data: [DONE]\n\n"


def build_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1", responses=ERRORS)

    @router.get("/models", summary="Các 'mô hình': 'all' và từng bộ tài liệu bạn được đọc")
    def models(principal: Caller) -> dict:
        names = ["all", *services.accounts.readable(principal)]
        return {"object": "list", "data": [{"id": name, "object": "model", "created": 0, "owned_by": OWNER} for name in names]}

    @router.post("/chat/completions", summary="Hỏi đáp theo chuẩn OpenAI, câu trả lời kèm `citations`")
    def chat_completions(body: schemas.ChatCompletionRequest, principal: Caller):
        question, history = split_conversation(body.messages)
        workspace = services.acting_as(principal, "api", None if body.model == "all" else body.model)
        created = int(time.time())
        if body.stream:
            return StreamingResponse(stream_chunks(workspace.stream(question, history), body.model, created), media_type="text/event-stream")
        return completion(workspace.ask(question, history), body.model, created)

    @router.post("/embeddings", summary="Vectơ nhúng theo chuẩn OpenAI, bằng mô hình nhúng của máy chủ này")
    def embeddings(body: schemas.EmbeddingRequest, principal: Caller) -> dict:
        """Another installation can embed a big archive through this server (RAG_EMBEDDING_BACKEND=openai).
        Texts are embedded as sent: the client adds the model's prompts, as it would for any server."""
        texts = [body.input] if isinstance(body.input, str) else body.input
        model, vectors = services.acting_as(principal, "api").embed(texts)
        words = sum(len(text.split()) for text in texts)
        return {
            "object": "list",
            "model": model,
            "data": [{"object": "embedding", "index": i, "embedding": vector} for i, vector in enumerate(vectors)],
            "usage": {"prompt_tokens": words, "total_tokens": words},
        }

    return router
