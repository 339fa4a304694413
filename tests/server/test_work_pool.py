"""The work pool's share for background work: after each piece, it rests in proportion to the CPU it took, and
nothing a page asks for waits for that rest."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.settings import Settings
from server.work import WorkPool


def burn(seconds: float, progress) -> float:
    """CPU time, not sleep: the share is of a core's time."""
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        progress(0.5)
    return time.thread_time() - start


def test_background_work_keeps_to_its_share_of_a_core():
    async def main() -> None:
        pool = WorkPool(Settings(background_share=0.1))
        try:
            assert pool.background_due and pool.background_wait() == 0.0
            spent = await pool.run(burn, 0.05, background=True)
            # Spent s of CPU, it rests 9 s for each (share 0.1); a little of that has passed since it finished.
            wait = pool.background_wait()
            assert not pool.background_due
            assert 0.2 < wait <= 9 * spent + 0.05, (wait, spent)
            await pool.run(burn, 0.001)  # what a page asks for does not wait for the rest
            await asyncio.sleep(pool.background_wait())
            assert pool.background_due
            await pool.run(burn, 0.001, background=True)
        finally:
            pool.close()

    # A thread of its own: the browser tests' event loop may be running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, main()).result()


def test_the_share_is_a_fraction_of_a_core():
    with pytest.raises(ValueError):
        Settings(background_share=0)
    with pytest.raises(ValueError):
        Settings(background_share=1.5)
