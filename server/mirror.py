"""Another worker's session, as this worker's pages see it (several processes through Redis, docs/scaling.md).

The owner publishes a session's frames, pictures and replies once on its channel (server/remote.py); every
worker with pages on that session keeps the newest of each here, and its pages are served by the same sender as
a local session's (server/clients.py: bounded outbox, at most one frame per display tick, always the newest, so
a slow page only delays itself). Controls go the other way, to the owner, with the SHA-256 of the page's secret
as proof (the secret stays on this worker).

Loss points ride on frames in numbered runs (server/framecache.py). The owner's stream is one unbroken chain
from a full history (it starts one whenever a page joins anywhere), so a mirror keeps the runs since then and
builds a page's catch-up from them, as the owner's frame cache does from the engine's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .clients import Client
from .framecache import Packed, frame_messages, loss_message
from .storage import hash_token
from .wire import unpack

if TYPE_CHECKING:
    from fastapi import WebSocket

    from .load import Load
    from .protocol import Hello
    from .settings import Settings

MAX_MIRRORED_POINTS = 8192  # beyond this the owner is asked for its (thinned) history afresh
MOVED = 1012  # close code "service restart": the page reconnects, and finds the session where it is now


@dataclass(frozen=True)
class Run:
    """Loss points with sequence numbers in (start, end] of one history generation."""
    start: int
    end: int
    steps: np.ndarray
    rows: np.ndarray  # (n, 2): train, test


class MirrorFrames:
    """The mirror's answer to FrameCache: the newest frame as published, and catch-ups from the runs kept."""

    def __init__(self, ask_history: Callable[[], None]) -> None:
        self.ask_history = ask_history
        self.packed: Packed | None = None
        self.generation: int | None = None
        self.runs: list[Run] = []
        self.whole = False  # the runs start at the history's beginning
        self._catch_ups: dict[tuple[int, int, int], bytes] = {}

    def add(self, header: dict[str, Any], arrays: dict[str, np.ndarray], data: bytes | None) -> None:
        """A published frame (``data``: its bytes) or loss catch-up (None): keep its points, and the frame."""
        generation, start, end = header["loss_generation"], header["loss_from"], header["loss_to"]
        if start == 0 or generation != self.generation:  # a history from its beginning (or a gap before one)
            self.generation, self.runs, self.whole = generation, [], start == 0
        elif self.runs and self.runs[-1].end != start:  # missed points: ask for the whole history again
            self.runs, self.whole = [], False
        if self.whole and end > start:
            rows = np.column_stack([arrays["loss_train"], arrays["loss_test"]])
            self.runs.append(Run(start, end, arrays["loss_steps"].copy(), rows))
            if sum(len(r.steps) for r in self.runs) > MAX_MIRRORED_POINTS:
                self.runs, self.whole = [], False
        if not self.whole:
            self.ask_history()
        if data is not None:
            self.packed = Packed(header["seq"], generation, start, end, data, time.monotonic())
            self._catch_ups.clear()

    def messages_for(self, client: Client) -> list[bytes]:
        return [] if self.packed is None else frame_messages(client, self.packed, self._catch_up)

    def newer_at(self) -> float | None:
        return None  # a newer frame wakes the pages when it arrives

    def _catch_up(self, p: Packed, start: int) -> bytes | None:
        if not self.whole:
            return None  # the whole history is on its way
        if not any(r.start == start for r in self.runs):
            start = 0  # not at a run's edge: the page gets the whole history again
        key = (p.generation, start, p.loss_from)
        if key not in self._catch_ups:
            runs = [r for r in self.runs if r.start >= start and r.end <= p.loss_from]
            steps = np.concatenate([r.steps for r in runs]) if runs else np.zeros(0)
            rows = np.concatenate([r.rows for r in runs]) if runs else np.zeros((0, 2))
            self._catch_ups[key] = loss_message(p, start, steps, rows)
        return self._catch_ups[key]


class MirroredRace:
    """The owner's newest race message (server/race.py), as ``Client.run_sender`` asks a session's race for it:
    a key that changes with each one that arrives, and its bytes. A race that ends sends none; the frames
    say so (their ``race`` is null), and then the mirror forgets it too."""

    def __init__(self) -> None:
        self.version = 0
        self._message: bytes | None = None

    def received(self, message: bytes) -> None:
        self.version += 1
        self._message = message

    def ended(self) -> None:
        self._message = None  # a page that joins later gets no race message of a race that is over

    def key(self) -> int | None:
        return None if self._message is None else self.version

    def message(self) -> bytes | None:
        return self._message


class Mirror:
    """What ``Client.run_sender`` needs of a session (versions, messages, frames, load, settings), fed from the
    owner's channel; and the pages of this worker that follow it."""

    def __init__(self, session_id: str, owner: str, worker: str, settings: Settings, load: Load,
                 to_owner: Callable[[str, dict[str, Any]], Awaitable[None]]) -> None:
        self.id = session_id
        self.owner = owner  # the worker id that held the lease when this mirror began
        self.worker = worker  # this worker's id: replies addressed "<it>/<page>" are for its pages
        self.settings = settings
        self.load = load
        self._to_owner = to_owner
        self.pages: dict[str, Client] = {}
        # -1, as a new page's: nothing is sent before the owner's first message arrives.
        self.data_version = self.surface_version = self.grid_version = -1
        self._data: str | None = None
        self._surface: bytes | None = None
        self._grid: bytes | None = None
        self.playing = False
        self.status: str | None = None
        self.frames = MirrorFrames(self._ask_history)
        self.race = MirroredRace()
        self._asked = False
        self.unused_since = time.monotonic()  # when its last page left (it stops listening after a while)

    # -- from the owner ---------------------------------------------------------------------------------

    def receive(self, message: bytes) -> None:
        """One message from the owner's channel: b'@' worker '/' page '\\n' reply, b't' data message, b'b' binary."""
        kind, body = message[:1], message[1:]
        if kind == b"@":
            address, _, text = body.partition(b"\n")
            worker, _, client_id = address.decode().partition("/")
            page = self.pages.get(client_id) if worker == self.worker else None
            if page is not None:
                reply = text.decode()
                if reply.startswith('{"type":"welcome"'):  # the owner decided this page's role
                    page.role = json.loads(reply)["role"]
                page.send_text(reply)
            return
        if kind == b"t":
            if body.decode() != self._data:
                self._data = body.decode()
                self.data_version += 1
        elif kind == b"b":
            header, arrays = unpack(body)
            if header["type"] == "grid":
                self._grid, self.grid_version = body, self.grid_version + 1
            elif header["type"] == "surface":
                self._surface, self.surface_version = body, self.surface_version + 1
            elif header["type"] == "race":
                self.race.received(body)
            elif header["type"] in ("frame", "loss"):
                is_frame = header["type"] == "frame"
                if is_frame:
                    self.playing, self.status = bool(header.get("playing")), header.get("status")
                    if header.get("race") is None:
                        self.race.ended()
                    self._asked = False
                self.frames.add(header, arrays, body if is_frame else None)
        for page in self.pages.values():
            page.notify()

    def _ask_history(self) -> None:
        if not self._asked:
            self._asked = True
            asyncio.get_running_loop().create_task(self._to_owner(self.owner, {"op": "resync", "session": self.id}))

    # -- what the sender asks -----------------------------------------------------------------------------

    def data_message(self) -> str:
        return self._data or ""

    def surface_message(self) -> bytes | None:
        return self._surface

    def grid_message(self) -> bytes | None:
        return self._grid

    # -- this worker's pages ------------------------------------------------------------------------------

    async def serve(self, websocket: WebSocket, hello: Hello, settings: Settings) -> None:
        """One page, from its hello to its leaving: the owner decides its role and welcomes it."""
        from .ws import read_controls  # ws.py imports this module

        client_id = hello.client or secrets.token_urlsafe(8)
        previous = self.pages.get(client_id)
        if previous is not None and previous.controls and hello.token is None:  # a copied id cuts nobody off
            client_id, previous = secrets.token_urlsafe(8), None
        if previous is not None:  # the same page reconnecting: the new socket replaces the old
            previous.closed = True
            previous.wake.set()
        client = Client(websocket, client_id, "viewer", settings.max_outbox)
        proof = None if hello.token is None else hash_token(hello.token)  # the secret itself stays here
        self.pages[client_id] = client
        self.load.clients += 1
        await self._to_owner(self.owner, {"op": "join", "session": self.id, "client": client_id, "proof": proof,
                                          "hello": hello.id})
        sender = client.start_sender(self)  # type: ignore[arg-type]

        async def forward(page: Client, text: str) -> None:
            await self._to_owner(self.owner, {"op": "control", "session": self.id, "client": page.id,
                                              "proof": proof, "text": text})

        try:
            await read_controls(websocket, client, settings, forward)
        finally:
            client.closed = True
            client.wake.set()
            sender.cancel()
            self.load.clients -= 1
            if self.pages.get(client_id) is client:
                del self.pages[client_id]
                with contextlib.suppress(Exception):  # Redis may be gone: the owner's lease check tidies up
                    await self._to_owner(self.owner, {"op": "leave", "session": self.id, "client": client_id})
            if not self.pages:
                self.unused_since = time.monotonic()

    def say(self, message: str | None) -> None:
        """A status line on this worker's pages only (this worker lost Redis, or found it again)."""
        for page in self.pages.values():
            page.send_json({"type": "status", "playing": self.playing, "message": message or self.status})

    def moved(self, reason: str) -> None:
        """The owner changed (or died): every page reconnects, and finds the session where it is now."""
        for page in list(self.pages.values()):
            page.closed = True
            page.wake.set()
            asyncio.get_running_loop().create_task(close_moved(page.websocket, reason))


async def close_moved(websocket: WebSocket, reason: str) -> None:
    with contextlib.suppress(Exception):
        await websocket.close(code=MOVED, reason=reason[:120])
