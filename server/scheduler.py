"""One task trains every playing session, in turns, a few milliseconds at a time.

Between turns it yields the event loop, so a control message or a due frame waits at most one short turn
however many sessions play (one task per session would make each wait for all of them); round robin keeps
the sessions' shares equal, and a session held to a slow speed costs nothing while it waits for its next update.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

TURN_SECONDS = 2e-3  # training per turn of the event loop, all sessions together
# With many sessions, each gets at most an eighth of a turn (always at least one update). A session's picture
# moves only when it trains: with a quarter, 50 playing sessions were each trained about 30 times a second, and
# their pages got no more frames than that, however cheap frames were (half their wakes found nothing new). With
# an eighth, alternating with a quarter over 4 rounds: 25.5 -> 30.8 frames/s a page at 50 sessions (training
# -30 % there, as frames take more of the loop); 10 sessions kept 59.5 frames/s (training -6 %).
SHARES_PER_TURN = 8
IDLE_SECONDS = 5e-3  # longest nap when every playing session waits for its speed


class Trains(Protocol):
    def train_slice(self, seconds: float) -> float:
        """Train for about ``seconds``; return 0 if it did, else how long until it has an update due."""
        ...


class Scheduler:
    def __init__(self) -> None:
        self.playing: list[Trains] = []
        self._next = 0
        self._task: asyncio.Task[None] | None = None
        self._work = asyncio.Event()

    def add(self, session: Trains) -> None:
        if session not in self.playing:
            self.playing.append(session)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        self._work.set()

    def remove(self, session: Trains) -> None:
        if session in self.playing:
            index = self.playing.index(session)
            self.playing.remove(session)
            if index < self._next:
                self._next -= 1

    async def _run(self) -> None:
        while True:
            if not self.playing:
                self._work.clear()
                await self._work.wait()
                continue
            wait = self._turn()
            # Always yield; nap when every session waits for its speed, so a slow session never spins the loop.
            await asyncio.sleep(min(wait, IDLE_SECONDS) if wait > 0 else 0)

    def _turn(self) -> float:
        """Give sessions their slices, round robin, for one turn. Returns 0 if anyone trained, else the
        shortest wait until someone has an update due."""
        end = time.perf_counter() + TURN_SECONDS
        share = TURN_SECONDS / min(len(self.playing), SHARES_PER_TURN)
        shortest_wait = float("inf")
        trained = False
        for _ in range(len(self.playing)):
            if not self.playing or time.perf_counter() >= end:
                break
            self._next %= len(self.playing)
            session = self.playing[self._next]
            self._next += 1
            wait = session.train_slice(min(share, max(0.0, end - time.perf_counter())))
            if wait == 0:
                trained = True
            else:
                shortest_wait = min(shortest_wait, wait)
        return 0.0 if trained else shortest_wait

    def close(self) -> None:
        self.playing.clear()
        if self._task is not None:
            self._task.cancel()
            self._task = None
