"""A real server on a free loopback port inside this process: what the web bench and the tests talk to."""

from __future__ import annotations

import logging
import socket
import threading
import time

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, seconds: float) -> bool:
    """Poll until the URL answers 200: a server just started in a thread or a process is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)  # not up yet, or up but not ready (an error status): ask again shortly
    return False


class ServerThread:
    """uvicorn serving an ASGI app on 127.0.0.1 in a daemon thread, for the length of a ``with`` block."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        # A page left open keeps its event stream: without a bound, shutdown waits for it until the join gives up.
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        if not wait_for_http(self.url + "healthz", 60):
            raise RuntimeError("server did not start")
        return self

    def __exit__(self, *_exc) -> None:
        # The event streams pages keep open (Gradio's heartbeat) never end by themselves: uvicorn cuts them after the
        # grace period and logs each cut as an error with its traceback, which it is not here.
        uvicorn_errors = logging.getLogger("uvicorn.error")
        level = uvicorn_errors.level
        uvicorn_errors.setLevel(logging.CRITICAL)
        try:
            self.server.should_exit = True
            self.thread.join(timeout=30)
        finally:
            uvicorn_errors.setLevel(level)
