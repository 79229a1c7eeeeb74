"""Members asking at the same moment, each in a web chat of their own, from a process of their own.

`python -m evaluation.web_members URL PREFIX QUESTIONS_JSON` prints the timings of :func:`evaluation.bench._at_once` as
JSON. Browsers are other machines; clients in the server's own process would parse the event streams under its
interpreter lock and slow the model's decoding loop down (measured: the last of eight answers 7-8 % later).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

from gradio_client import Client

from evaluation.bench import _at_once
from web.ui import NOT_READY, QUEUE_MARK


def ask_in_web_chats(url: str, prefix: str, questions: list[str]) -> dict[str, float]:
    clients = [Client(url, verbose=False) for _ in questions]  # each opens its page before the moment they ask

    def watch(index: int, question: str) -> Iterator[str]:
        job, text = clients[index].submit(question, [], api_name="/chat"), ""
        for history, *_ in job:
            text = str(history[-1]["content"]) if history else ""
            if text.strip("… \n"):  # more than the placeholder bubble: the preview, a queue line, or text
                yield "seen"
            if text.split(QUEUE_MARK)[0].strip("… \n"):  # something besides the queue line
                yield "useful"
        job.result()  # raises what the server raised
        if not text or text.startswith(NOT_READY.partition("{")[0]):
            raise RuntimeError(text or "no answer")
        yield from ("seen", "useful", "done")

    return _at_once(questions, watch, prefix)  # the clients' heartbeat threads end with the process


if __name__ == "__main__":
    url, prefix, questions = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    print(json.dumps(ask_in_web_chats(url, prefix, questions)))
