"""One connected page: its role, what it has been sent, and the single task that writes to its socket.

Only the client's own sender writes to its WebSocket, so replies, frames and pictures never interleave; and a
slow page only ever delays itself: it skips to the newest frame when it catches up. Replies do queue, so their
queue is bounded: a page that lets it fill is not reading, and is dropped rather than buffered for.

The sender sleeps until its next frame is due and only then listens for news: training changes the session
hundreds of times a second, and waking every page at each change cost more than the frames themselves with
300 pages on one session (py-spy, bench/server.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from .protocol import FieldError, error_reply, parse_control, reply_tags

if TYPE_CHECKING:
    from .load import Load
    from .session import Session

# A write of a frame's few kilobytes takes tens of microseconds; a send that took longer waited for a slow
# reader's buffer to drain (while other tasks ran), which is no cost of the server's.
WAITED_SECONDS = 1e-3
log = logging.getLogger("backprop_lab")


class Client:
    def __init__(self, websocket: WebSocket, client_id: str, role: str, max_outbox: int = 64) -> None:
        self.websocket = websocket
        self.id = client_id
        self.role = role
        self.outbox: deque[str] = deque()
        self.max_outbox = max_outbox
        self.jobs: dict[str, asyncio.Task[None]] = {}  # long controls computing for this page (session.py)
        self.wake = asyncio.Event()  # something to send: a reply, or newer state when one is due
        self.wants_news = True  # a frame is due: a change to the session should wake the sender
        self.closed = False
        # What this page has already been sent.
        self.frame_sent: object = None  # the shared packed frame (server/framecache.py) it was sent last
        self.loss_seq = 0  # the loss points it has, up to this sequence number, of history generation:
        self.loss_generation = -1
        self.grid_version = -1
        self.race_key: object = None  # the race message it was sent last (server/race.py)
        self.surface_version = -1
        self.data_version = -1
        self.urgent = False
        self.hidden = False  # the page said it is hidden: it is sent replies and status, no pictures
        self.load: Load | None = None  # its session's, while its sender runs: a hidden page takes no frame time

    @property
    def controls(self) -> bool:
        return self.role == "controller"

    @property
    def viewer_count(self) -> int:
        """How many following pages this client stands for (server/remote.py's fan-out stands for none)."""
        return 0 if self.controls else 1

    def send_json(self, message: dict[str, Any]) -> None:
        self.send_text(json.dumps(message, separators=(",", ":"), allow_nan=False))

    def send_text(self, text: str) -> None:
        """A reply already in JSON (one relayed from another worker, server/mirror.py)."""
        if self.closed:
            return
        if len(self.outbox) >= self.max_outbox:
            self.drop(f"not reading: {self.max_outbox} replies waiting")
            return
        self.outbox.append(text)
        self.wake.set()

    def notify(self) -> None:
        """The session changed: worth waking for only when a frame is due (otherwise its timer wakes it)."""
        if self.wants_news:
            self.wake.set()

    def drop(self, reason: str) -> None:
        """Close the socket with a reason (code 1008) and send nothing more; its pending replies are freed."""
        log.warning("dropped page %s: %s", self.id, reason)
        self.closed = True
        self.outbox.clear()
        self.wake.set()
        asyncio.get_running_loop().create_task(self._close(reason))

    async def _close(self, reason: str) -> None:
        # The protocol gives a closing handshake a timeout of its own, then drops the connection.
        with contextlib.suppress(Exception):
            await self.websocket.close(code=1008, reason=reason)

    def set_visibility(self, raw: str) -> None:
        """A `visibility` message. Hidden (another tab, a minimised window), a page draws nothing, yet each frame,
        map and surface sent to it would cost the server its packing and sending and the page its decoding, sixty
        times a second: a class of hidden pages kept a core busy for nothing. So a hidden page is sent replies
        and status only; shown again, it gets the newest of each at once, with the loss points it missed."""
        try:
            message = parse_control(raw)
        except FieldError as exc:
            msg_id, kind = reply_tags(raw)
            self.send_json(error_reply(msg_id, kind, exc))
            return
        if self.load is not None and message.hidden != self.hidden:
            self.load.hidden += 1 if message.hidden else -1
        self.hidden = message.hidden
        if not self.hidden:
            self.hurry()
        self.send_json({"type": "ack", "id": message.id, "of": "visibility", "seq": None})

    def hurry(self) -> None:
        """A control changed the session: its next frame may go at the display tick, not the stretched one."""
        self.urgent = True
        self.wake.set()

    def start_sender(self, session: Session) -> asyncio.Task[None]:
        """run_sender as a task whose failure is logged: a sender that died silently left its page frozen with
        its socket open (it happened: a page on another worker, whose session lacked what the sender asked)."""
        self.load = session.load
        task = asyncio.get_running_loop().create_task(self.run_sender(session))
        task.add_done_callback(_log_failure)
        return task

    async def run_sender(self, session: Session) -> None:
        """Send replies as they come, and at most one frame per display tick, always the newest."""
        load = session.load
        tick = 1.0 / session.settings.display_hz
        last_frame = next_grid = 0.0
        ws = self.websocket
        loop = asyncio.get_running_loop()
        frame_timer: asyncio.TimerHandle | None = None
        grid_timer: asyncio.TimerHandle | None = None

        def wake_at(timer: asyncio.TimerHandle | None, when: float) -> asyncio.TimerHandle:
            # Always a new timer: one that already fired (asyncio may run it a hair before its time) must not
            # be taken for one still pending. The sender wakes only when something is due, so this is rare.
            if timer is not None:
                timer.cancel()
            return loop.call_at(when, self.wake.set)

        try:
            while not self.closed:
                await self.wake.wait()
                self.wake.clear()
                while self.outbox:
                    await ws.send_text(self.outbox.popleft())
                if self.hidden:  # nothing is drawn: the pictures wait until the page is shown (set_visibility)
                    self.wants_news = False
                    continue
                now = time.monotonic()
                next_frame = last_frame + (tick if self.urgent else load.frame_interval())
                if now < next_frame:  # too soon for the next picture: come back then (or for a reply)
                    self.wants_news = False
                    frame_timer = wake_at(frame_timer, next_frame)
                    continue
                self.wants_news = True  # from now on any change is worth sending at once
                if self.data_version != session.data_version:
                    self.data_version = session.data_version
                    await ws.send_text(session.data_message())
                # A new surface goes before the frame whose current point is drawn on it.
                if self.surface_version != session.surface_version:
                    self.surface_version = session.surface_version
                    surface = session.surface_message()
                    if surface is not None:
                        await ws.send_bytes(surface)
                started = time.thread_time()
                messages = session.frames.messages_for(self)  # a loss catch-up if it missed points, then the frame
                if messages:
                    cost = time.thread_time() - started
                    for message in messages:
                        sent, cpu = time.monotonic(), time.thread_time()
                        await ws.send_bytes(message)
                        if time.monotonic() - sent < WAITED_SECONDS:
                            cost += time.thread_time() - cpu
                    load.measured_frame(cost)
                    self.urgent = False
                    self.wants_news = False
                    # Keep to the display's rhythm: a frame late by less than a tick does not push the next back.
                    last_frame = next_frame if now - next_frame < tick else now
                    frame_timer = wake_at(frame_timer, last_frame + load.frame_interval())
                elif (newer := session.frames.newer_at()) is not None:  # kept for this tick; newer after it
                    frame_timer = wake_at(frame_timer, newer)
                race_key = session.race.key()  # a race's curves and paths go at the map's pace
                if self.grid_version != session.grid_version or self.race_key != race_key:
                    if now >= next_grid:
                        started = time.thread_time()
                        if self.grid_version != session.grid_version:
                            self.grid_version = session.grid_version
                            grid = session.grid_message()
                            if grid is not None:
                                await ws.send_bytes(grid)
                        if self.race_key != race_key:
                            self.race_key = race_key
                            race = session.race.message()
                            if race is not None:
                                await ws.send_bytes(race)
                        load.measured_grid(time.thread_time() - started)
                        next_grid = now + load.grid_interval()
                    else:  # a newer map is due at next_grid: come back for it then
                        grid_timer = wake_at(grid_timer, next_grid)
        finally:
            for timer in (frame_timer, grid_timer):
                if timer is not None:
                    timer.cancel()
            if self.hidden and self.load is not None:  # it leaves: no longer one of the session's hidden pages
                self.load.hidden -= 1
            self.load = None  # set_visibility counts through self.load alone: nothing is counted after this


def _log_failure(task: asyncio.Task[None]) -> None:
    # A page that went away ends its sender too: that is no failure.
    if not task.cancelled() and not isinstance(task.exception(), (type(None), WebSocketDisconnect, OSError)):
        log.error("a page's sender failed; the page gets nothing more until it reconnects", exc_info=task.exception())
