"""The owner's side of pages on other workers (several processes through Redis, docs/scaling.md).

A session with pages elsewhere gets one more client, its *fan-out*: the ordinary sender (server/clients.py)
whose socket is the session's Redis channel, so a frame, map or surface is packed once and published once per
tick whatever the number of pages and workers. Each remote page is a ``RemotePage`` in the session's clients:
it counts as a viewer (or is the presenter), gets its own replies and the session's broadcasts, addressed to
it on the same channel (one channel: a reply is never overtaken by the frame that follows it).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from .clients import Client

Publish = Callable[[bytes], Awaitable["asyncio.Future[None] | None"]]


IN_FLIGHT = 4  # messages of one fan-out on their way to Redis at once


class ChannelSocket:
    """Looks like a WebSocket to the sender; publishes instead. A few messages in flight (a round trip to Redis
    through a busy event loop takes longer than a display tick); with more, the sender waits, as for a slow
    socket, so stale frames never queue up."""

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._in_flight: deque[asyncio.Future[None]] = deque()

    async def _send(self, data: bytes) -> None:
        while self._in_flight and self._in_flight[0].done():
            self._in_flight.popleft()
        if len(self._in_flight) >= IN_FLIGHT:
            await self._in_flight.popleft()
        done = await self._publish(data)
        if done is not None:
            self._in_flight.append(done)

    async def send_text(self, text: str) -> None:
        await self._send(b"t" + text.encode())

    async def send_bytes(self, data: bytes) -> None:
        await self._send(b"b" + data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        return None


class Fanout(Client):
    """The session's frames, pictures and data for every worker's pages, published once."""

    def __init__(self, publish: Publish, max_outbox: int) -> None:
        super().__init__(ChannelSocket(publish), "fanout", "fanout", max_outbox)  # type: ignore[arg-type]
        self.task: asyncio.Task[None] | None = None  # its sender

    @property
    def viewer_count(self) -> int:
        return 0  # the pages it serves are counted by their RemotePages

    def send_text(self, text: str) -> None:
        return None  # replies and broadcasts reach each remote page through its RemotePage

    def start_over(self) -> None:
        """A page joined somewhere: publish everything afresh (the data, the surface, the map, and the frame
        preceded by the whole loss history), so its worker can serve it from the next tick."""
        self.frame_sent = None
        self.loss_generation = self.data_version = self.surface_version = self.grid_version = -1
        self.hurry()


class RemotePage(Client):
    """A page on another worker: its replies and the broadcasts it must see go out addressed to it. Its key
    among the session's clients, and its address, is "<worker>/<page's id>": a page elsewhere never replaces a
    local one, and only its own worker delivers what is addressed to it."""

    def __init__(self, key: str, role: str, send: Callable[[bytes], None]) -> None:
        super().__init__(None, key, role)  # type: ignore[arg-type]
        self.address = key.encode()
        self._send = send
        self.seen = time.monotonic()  # its worker last said it is still there (server/cluster.py drops it after)

    def send_text(self, text: str) -> None:
        if not self.closed:
            self._send(b"@" + self.address + b"\n" + text.encode())
