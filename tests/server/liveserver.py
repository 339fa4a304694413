"""A real uvicorn server on a loopback port, and a small synchronous WebSocket client to talk to it.

Shared by the server tests, the browser tests and bench/server.py."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import uvicorn
from websockets.sync.client import ClientConnection, connect

from server import Settings, create_app
from server.__main__ import uvicorn_options
from server.wire import unpack


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stored_step(db: Path, session: str) -> int:
    """The step the file holds for the session, read as another process would (read-only; -1: not yet)."""
    if not db.exists():
        return -1
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as raw:
        row = raw.execute("SELECT step FROM sessions WHERE id = ?", (session,)).fetchone()
    return -1 if row is None else row[0]


class LiveServer:
    def __init__(self, settings: Settings, port: int | None = None) -> None:
        self.port = port or free_port()  # a given port: the same server started again
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                **uvicorn_options(settings))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def create(self, **config: Any) -> tuple[str, str]:
        r = httpx.post(f"{self.http}/api/sessions", json={"config": config})
        assert r.status_code == 201, r.text
        return r.json()["session"], r.json()["token"]

    def connect(self, session: str, token: str | None = None, client: str | None = None,
                origin: str | None = None) -> Page:
        return open_page(self.port, session, token, client, origin)


def open_page(port: int, session: str, token: str | None = None, client: str | None = None,
              origin: str | None = None) -> Page:
    """A page on the server at this loopback port, past its hello and welcome."""
    stack = contextlib.ExitStack()
    ws = stack.enter_context(connect(f"ws://127.0.0.1:{port}/ws/{session}", origin=origin))  # type: ignore
    page = Page(ws, stack)
    page.send({"type": "hello", "token": token, "client": client})
    page.welcome = page.expect("welcome")
    return page


def matches(header: dict[str, Any], fields: dict[str, Any]) -> bool:
    """Whether a message's header has these fields with these values."""
    return all(header.get(k) == v for k, v in fields.items())


class Page:
    """What a browser page does, synchronously: send control messages, read replies and frames."""

    def __init__(self, ws: ClientConnection, stack: contextlib.ExitStack) -> None:
        self.ws = ws
        self._stack = stack
        self.welcome: dict[str, Any] = {}
        self.seen: list[dict[str, Any]] = []
        # The loss curve's steps as the page gathers them (static/js/connection.js): from every frame and `loss`
        # message received, whichever helper read it, started afresh when one says the history restarts.
        self.loss_steps: list[float] = []
        self._frames_before_reply: deque[tuple[dict[str, Any], dict[str, Any]]] = deque(maxlen=64)
        self._id = 0

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def recv(self, timeout: float = 5.0) -> tuple[dict[str, Any], dict[str, Any]]:
        raw = self.ws.recv(timeout=timeout)
        if isinstance(raw, bytes):
            header, arrays = unpack(raw)
        else:
            header, arrays = json.loads(raw), {}
        self.seen.append(header)
        if header["type"] in ("frame", "loss") and "loss_steps" in arrays:
            if header.get("loss_restart"):
                self.loss_steps = []
            self.loss_steps += arrays["loss_steps"].tolist()
        return header, arrays

    def until(self, done: Callable[[], bool], timeout: float = 5.0) -> None:
        """Read messages until ``done()`` holds."""
        deadline = time.monotonic() + timeout
        while not done():
            self.recv(max(0.01, deadline - time.monotonic()))

    def expect(self, kind: str, timeout: float = 5.0, **match: Any) -> Any:
        """The next message of this type (whose fields equal ``match``), skipping others."""
        deadline = time.monotonic() + timeout
        while True:
            header, arrays = self.recv(max(0.01, deadline - time.monotonic()))
            if header["type"] == kind and matches(header, match):
                return (header, arrays) if arrays or header["type"] in ("frame", "grid", "surface") else header

    def control(self, message: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Send one control message and return its reply (ack or error)."""
        self._id += 1
        self.send({**message, "id": self._id})
        self._frames_before_reply.clear()
        deadline = time.monotonic() + timeout
        while True:
            header, arrays = self.recv(max(0.01, deadline - time.monotonic()))
            if header["type"] in ("ack", "error") and header.get("id") == self._id:
                return header
            if header["type"] == "frame":
                self._frames_before_reply.append((header, arrays))

    def frame_where(self, test: Callable[[dict[str, Any]], bool], timeout: float = 30.0, *,
                    read_past: bool = False) -> tuple[dict, dict]:
        """The next frame whose header passes ``test``. ``read_past``: or one of those read past while awaiting
        the last reply (control() keeps them): work in the background may finish before that reply is read."""
        for header, arrays in self._frames_before_reply if read_past else ():
            if test(header):
                return header, arrays
        deadline = time.monotonic() + timeout
        while True:
            header, arrays = self.expect("frame", max(0.01, deadline - time.monotonic()))
            if test(header):
                return header, arrays

    def frame_after(self, reply: dict[str, Any], timeout: float = 5.0, **match: Any) -> tuple[dict, dict]:
        """The first frame that shows what the control replied to did: its seq is at least the ack's (through
        Redis a frame packed before the control may still arrive after the reply, and the control's own frame may
        arrive before it: control() keeps the frames it read past)."""
        for header, arrays in self._frames_before_reply:
            if header["seq"] >= reply.get("seq", 0) and matches(header, match):
                return header, arrays
        deadline = time.monotonic() + timeout
        while True:
            header, arrays = self.expect("frame", max(0.01, deadline - time.monotonic()), **match)
            if header["seq"] >= reply.get("seq", 0):
                return header, arrays

    def close(self) -> None:
        self._stack.close()
