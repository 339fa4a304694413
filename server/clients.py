"""One connected page: its role, what it has been sent, and the single task that writes to its socket.

Only the client's own sender writes to its WebSocket, so replies, frames and pictures never interleave; and a
slow page only ever delays itself: it skips to the newest frame when it catches up.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket

if TYPE_CHECKING:
    from .session import Session


class Client:
    def __init__(self, websocket: WebSocket, client_id: str, role: str) -> None:
        self.websocket = websocket
        self.id = client_id
        self.role = role
        self.outbox: deque[str] = deque()
        self.wake = asyncio.Event()  # something to send: a reply, or newer state
        self.closed = False
        # What this page has already been sent.
        self.frame_version = -1
        self.loss_seq = 0
        self.loss_generation = 0
        self.grid_version = -1
        self.surface_version = -1
        self.data_version = -1
        self.urgent = False

    @property
    def controls(self) -> bool:
        return self.role == "controller"

    def send_json(self, message: dict[str, Any]) -> None:
        self.outbox.append(json.dumps(message, separators=(",", ":"), allow_nan=False))
        self.wake.set()

    def hurry(self) -> None:
        """A control changed the session: its next frame may go at the display tick, not the stretched one."""
        self.urgent = True
        self.wake.set()

    async def run_sender(self, session: Session) -> None:
        """Send replies as they come, and at most one frame per display tick, always the newest."""
        load = session.load
        tick = 1.0 / session.settings.display_hz
        last_frame = next_grid = 0.0
        ws = self.websocket
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle | None = None
        while not self.closed:
            await self.wake.wait()
            self.wake.clear()
            while self.outbox:
                await ws.send_text(self.outbox.popleft())
            now = time.monotonic()
            next_frame = last_frame + (tick if self.urgent else load.frame_interval())
            if now < next_frame:  # too soon for the next picture: come back then (or for a reply)
                if timer is None or timer.when() != next_frame:
                    timer = loop.call_at(next_frame, self.wake.set)
                continue
            if self.data_version != session.data_version:
                self.data_version = session.data_version
                await ws.send_text(session.data_message())
            # A new surface goes before the frame whose current point is drawn on it.
            if self.surface_version != session.surface_version:
                self.surface_version = session.surface_version
                surface = session.surface_message()
                if surface is not None:
                    await ws.send_bytes(surface)
            if self.frame_version != session.version:
                self.frame_version = session.version
                started = time.monotonic()
                await ws.send_bytes(session.frame_for(self))
                load.measured_frame(time.monotonic() - started)
                self.urgent = False
                # Keep to the display's rhythm: a frame late by less than a tick does not push the next back.
                last_frame = next_frame if now - next_frame < tick else now
            if self.grid_version != session.grid_version:
                if now >= next_grid:
                    started = time.monotonic()
                    self.grid_version = session.grid_version
                    grid = session.grid_message()
                    if grid is not None:
                        await ws.send_bytes(grid)
                    load.measured_grid(time.monotonic() - started)
                    next_grid = now + load.grid_interval()
                else:  # a newer map is due at next_grid: come back for it then
                    timer = loop.call_at(next_grid, self.wake.set)
