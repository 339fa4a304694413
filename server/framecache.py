"""A session's frame, packed once per display tick, the same bytes for every page that follows it.

Training moves the state hundreds of times a second; a page takes at most a frame per tick. So the newest
frame is packed when a page first asks for it and kept for the rest of the display tick it was packed in
(a control message asks for a fresh one at once), and three hundred pages cost one pack, not three hundred.

The loss points ride along numbered: a frame carries the points recorded with sequence numbers in
(loss_from, loss_to] of history generation g (the loss log's own numbers, engine/history.py). A page that
holds every point up to loss_from takes the frame as it is; one that missed frames gets a `loss` message
first with the points in (its seq, loss_from], shared by every page that missed the same ones. See
docs/protocol.md.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .wire import Arrays, Parts, pack

if TYPE_CHECKING:
    from .clients import Client
    from .session import Session


@dataclass(frozen=True)
class Packed:
    version: int  # the session's version it shows
    generation: int  # the loss history's generation (a reset or a new setup starts a new one)
    loss_from: int
    loss_to: int
    data: bytes
    at: float  # when it was packed (time.monotonic)


def loss_arrays(steps: np.ndarray, rows: np.ndarray) -> Arrays:
    """The points as one array in three parts, ``loss_steps``, ``loss_train`` and ``loss_test`` (wire.py)."""
    return {"loss": ("f8", np.concatenate([steps, rows[:, 0], rows[:, 1]], dtype=np.float64), loss_parts(len(steps)))}


@functools.lru_cache(maxsize=256)
def loss_parts(count: int) -> Parts:
    return tuple((name, (count,)) for name in ("loss_steps", "loss_train", "loss_test"))


class FrameCache:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.packed: Packed | None = None
        self.must_show = 0  # a frame older than this version may not be reused (a control just changed it)
        self.packs = 0  # frames packed, for measurement and tests
        self._catch_ups: dict[tuple[int, int, int], bytes] = {}  # for the newest frame only

    def newest(self) -> Packed:
        s, p = self.session, self.packed
        generation = s.history_generation
        same_tick = p is not None and tick_slot(p.at, s) == tick_slot(time.monotonic(), s)
        if p is not None and p.generation == generation and (
            p.version == s.version or (p.version >= self.must_show and same_tick)
        ):
            return p
        history = s.trainer.history
        loss_from = p.loss_to if p is not None and p.generation == generation else 0
        steps, rows = history.since(loss_from)
        header, arrays = s.frame_base()
        # loss_from 0: these points are the history from its start (a reset, a new setup, a step back).
        numbers = {"seq": s.version, "loss_generation": generation, "loss_from": loss_from,
                   "loss_to": history.recorded, "loss_restart": loss_from == 0}
        data = pack({**header, **numbers}, {**arrays, **loss_arrays(steps, rows)})
        self.packed = Packed(s.version, generation, loss_from, history.recorded, data, time.monotonic())
        self.packs += 1
        self._catch_ups.clear()
        return self.packed

    def messages_for(self, client: Client) -> list[bytes]:
        """What to send this page now: nothing if it has the newest frame, else the frame, preceded by a
        `loss` message when the page misses points from before the frame's."""
        return frame_messages(client, self.newest(), self._catch_up)

    def newer_at(self) -> float | None:
        """When a frame newer than the one kept may be packed, if the session has moved on; else None."""
        p = self.packed
        if p is None or p.version == self.session.version:
            return None
        return (tick_slot(p.at, self.session) + 1) / self.session.settings.display_hz

    def _catch_up(self, p: Packed, start: int) -> bytes:
        key = (p.generation, start, p.loss_from)
        if key not in self._catch_ups:
            history = self.session.trainer.history
            steps, rows = history.since(start)
            # The points after loss_from (the frame's own, and any recorded since) are not this message's.
            keep = len(steps) - len(history.since(p.loss_from)[0])
            self._catch_ups[key] = loss_message(p, start, steps[:keep], rows[:keep])
        return self._catch_ups[key]


def frame_messages(client: Client, p: Packed, catch_up: Callable[[Packed, int], bytes | None]) -> list[bytes]:
    """What a page is sent for the frame ``p`` (a session's own, or one relayed: server/mirror.py): nothing if it
    has it, else the frame, preceded by ``catch_up(p, start)``, the `loss` message with the points after
    ``start`` that the page misses from before the frame's (None: they are not at hand yet; nothing now)."""
    if client.frame_sent is p:
        return []
    start = client.loss_seq if client.loss_generation == p.generation else 0
    messages = []
    if start != p.loss_from:
        catching_up = catch_up(p, start)
        if catching_up is None:
            return []
        messages.append(catching_up)
    client.frame_sent, client.loss_generation, client.loss_seq = p, p.generation, p.loss_to
    messages.append(p.data)
    return messages


def loss_message(p: Packed, start: int, steps: np.ndarray, rows: np.ndarray) -> bytes:
    """The `loss` message with the points in (start, p.loss_from]; from the history's start when start is 0."""
    header = {"type": "loss", "loss_generation": p.generation, "loss_from": start, "loss_to": p.loss_from,
              "loss_restart": start == 0}
    return pack(header, loss_arrays(steps, rows))


def tick_slot(moment: float, session: Session) -> int:
    """The display tick a moment falls in. A frame is shared for the rest of its tick, not for a tick from its
    packing: a page that wakes once a tick always finds its next frame in a new slot, where "a tick since the
    pack" made it wait for the pack's own lateness too, and pages got 56 frames/s instead of 60 (issue 8)."""
    return int(moment * session.settings.display_hz)
