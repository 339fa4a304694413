"""A picture computed off the training path and kept fresh while training: the loss surface (surfaces.py) and a
race's plane (race.py). It is recomputed at most once per refresh interval and one at a time; a change that comes
too soon, or while one is computed, is picked up when that one is over."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Refresher:
    """``refresh()`` computes and shows the picture; ``wanted()`` says whether one is shown at all."""

    def __init__(self, interval: Callable[[], float], refresh: Callable[[], Awaitable[None]],
                 wanted: Callable[[], bool]) -> None:
        self.interval, self.refresh, self.wanted = interval, refresh, wanted
        self.done_at = 0.0  # when the picture shown was computed; 0: a refresh is due at once
        self.stale = False  # something changed since the computation shown (or under way) began
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def note_change(self) -> None:
        if not self.wanted():
            return
        self.stale = True
        if self.running or self._timer is not None:
            return  # the computation under way, or the one due, picks the change up
        loop = asyncio.get_running_loop()
        wait = self.done_at + self.interval() - time.monotonic()
        if wait > 0:
            self._timer = loop.call_later(wait, self._due)
            return
        self.stale = False  # what changes from here on is newer than the state about to be computed
        self._task = loop.create_task(self._run())

    def _due(self) -> None:
        self._timer = None
        if self.stale:
            self.note_change()

    async def _run(self) -> None:
        await self.refresh()
        if self._task is asyncio.current_task():
            self._task = None  # done: the next change may start a refresh
        if self.stale:  # it changed while the picture was computed
            self.note_change()

    def cancel(self) -> None:
        """Stop the computation under way and the refresh that is due."""
        for pending in (self._task, self._timer):
            if pending is not None:
                pending.cancel()
        self._task, self._timer = None, None
