"""Long computations (loss surfaces, gradient checks): a bounded pool, a CPU budget, and cancellation.

A surface at the largest size costs seconds of CPU, so one visitor could otherwise keep every core busy and hold
up shutdown. Here each request runs in a small shared thread pool (a few at once, a few more waiting, the rest
refused as busy), and the engine reports its progress between chunks to a ``Ticket`` that stops it by raising:
when its CPU budget is spent, when the page that asked has gone or asked again, or when the server stops.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .protocol import FieldError
from .settings import Settings

T = TypeVar("T")


class Cancelled(Exception):
    """The result is no longer wanted (its page left, a newer request replaced it, or the server stops)."""


class OverBudget(Exception):
    def __init__(self, seconds: float, done: float) -> None:
        super().__init__(f"more than {seconds:g} s of computing")
        self.seconds, self.done = seconds, done  # the budget, and the share of the work done when it ran out


class Ticket:
    """Handed to the engine as its ``progress`` callback; raises to stop the work."""

    def __init__(self, budget_seconds: float) -> None:
        self.budget = budget_seconds
        self.cancelled = threading.Event()
        self.started: float | None = None
        self.spent = 0.0  # CPU seconds the work took, once it is done

    def __call__(self, done: float) -> None:
        if self.cancelled.is_set():
            raise Cancelled
        # CPU time of this thread only: a busy machine slows the work but does not spend its budget.
        if self.started is None:
            self.started = time.thread_time()
        elif time.thread_time() - self.started > self.budget:
            raise OverBudget(self.budget, done)


class WorkPool:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._executor = ThreadPoolExecutor(settings.work_threads, thread_name_prefix="backprop-work")
        self._tickets: set[Ticket] = set()
        self._background: set[Ticket] = set()  # work nobody waits for (a stability hint kept fresh)
        self._background_after = 0.0  # when background work may start again (time.monotonic), by its share

    @property
    def busy(self) -> int:
        """Requests running or waiting."""
        return len(self._tickets)

    @property
    def idle(self) -> bool:
        """Nothing running or waiting, background work included."""
        return not self._tickets and not self._background

    @property
    def background_due(self) -> bool:
        """Whether background work that keeps something fresh while sessions play may start now: the pool is
        idle, and the last background work's rest is over. So that work, all sessions together, takes at most
        ``background_share`` of one core: its thread holds the interpreter while it computes, and ten playing
        sessions of the largest network, each keeping a hint fresh every 2 s, kept it busy 17-22 % of a core,
        taken from their frames and training. (A person's own step, paused, is measured at once: see
        stability.py.)"""
        return self.idle and time.monotonic() >= self._background_after

    def background_wait(self) -> float:
        """Seconds until background work may start: its share's rest, or a while if pages' work runs."""
        if not self.idle:
            return self.settings.curvature_refresh_seconds
        return max(0.0, self._background_after - time.monotonic())

    async def run(self, fn: Callable[..., T], *args: Any, background: bool = False, **kwargs: Any) -> T:
        """``fn(*args, progress=ticket, **kwargs)`` in the pool. Raises FieldError when the pool is full;
        Cancelled or OverBudget from the work; cancelling the awaiting task stops the work at its next chunk.
        ``background``: work no page waits for gives way: it starts only on an idle pool (one at a time) and is
        not counted in ``busy``, so what a page asks for is never refused because of it."""
        settings = self.settings
        if background and not self.idle:
            raise FieldError("type", "type: the server is busy computing surfaces and checks; measured later")
        if self.busy >= settings.work_threads + settings.max_queued_work:
            raise FieldError("type", "type: the server is busy computing other surfaces and checks; try again "
                                     "in a moment")
        ticket = Ticket(settings.work_seconds)
        tickets = self._background if background else self._tickets

        def work() -> T:
            ticket(0.0)  # cancelled while it waited for a thread: do not start; else start the CPU clock
            try:
                return fn(*args, progress=ticket, **kwargs)
            finally:
                ticket.spent = time.thread_time() - (ticket.started or time.thread_time())

        tickets.add(ticket)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work)
        finally:
            ticket.cancelled.set()  # if the awaiting task was cancelled, the thread stops at its next chunk
            tickets.discard(ticket)
            if background:  # rest in proportion: spent s of CPU, then (1 − share) / share × s of none
                share = settings.background_share
                self._background_after = time.monotonic() + ticket.spent * (1 - share) / share

    def close(self) -> None:
        """Stop everything at its next chunk; never wait for it (shutdown must not)."""
        for ticket in self._tickets | self._background:
            ticket.cancelled.set()
        self._executor.shutdown(wait=False, cancel_futures=True)


def over_budget_error(exc: OverBudget, what: str, resolution: int | None = None) -> FieldError:
    """Plain words for a request that ran out of budget; for a surface, the resolution that would fit."""
    if resolution is None:
        return FieldError("type", f"type: the {what} would take more than {exc.seconds:g} s of computing, "
                                  "the most one request may take; try a smaller network or fewer examples")
    # Cost grows with the number of grid points (the resolution squared) at the rate this one went.
    fits = int(resolution * max(exc.done, 0.0) ** 0.5 * 0.9)
    advice = f"choose a resolution of at most {fits}" if fits >= 10 else "choose a smaller network or fewer points"
    return FieldError("resolution", f"resolution: a {resolution} × {resolution} {what} of this network would "
                                    f"take more than {exc.seconds:g} s of computing, the most one request may take; "
                                    f"{advice}")
