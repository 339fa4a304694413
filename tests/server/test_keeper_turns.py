"""Saving many sessions never holds the event loop for long (server/keeper.py): the snapshots are taken in
turns of a few milliseconds, and frames and control messages go between them."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import server.keeper as keeper_module
from server import Settings
from server.keeper import SNAPSHOT_TURN_SECONDS, Keeper
from server.load import Load
from server.protocol import Config
from server.scheduler import Scheduler
from server.session import Session
from server.storage import SQLiteStore


def test_snapshots_of_many_sessions_are_taken_in_short_turns_and_all_written(tmp_path, monkeypatch):
    settings = Settings(db=str(tmp_path / "kept.db"))
    store = SQLiteStore(settings.db)
    keeper = Keeper(store, settings)
    sessions = [Session(f"s{k}", settings, Config(sizes=[3], n_points=40, seed=k), Load(settings), Scheduler())
                for k in range(20)]
    taking = keeper_module.training_state

    def slow_state(session, trajectory_bytes):  # a session with a long trajectory: 3 ms to copy
        time.sleep(3e-3)
        return taking(session, trajectory_bytes)

    monkeypatch.setattr(keeper_module, "training_state", slow_state)

    async def save_while_ticking() -> list[float]:
        gaps: list[float] = []
        saving = asyncio.get_running_loop().create_task(keeper.save(sessions))
        last = time.perf_counter()
        while not saving.done():
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
        await saving
        return gaps

    # A thread of its own: after a browser test, pytest's own thread already runs an event loop.
    with ThreadPoolExecutor(1) as thread:
        gaps = thread.submit(asyncio.run, save_while_ticking()).result()
    try:
        # 60 ms of snapshots in all, but the loop turned between them: no wait much longer than one turn (the
        # snapshot that ends a turn may run past it), with a loaded machine's slack.
        assert len(gaps) >= 10
        assert max(gaps) < SNAPSHOT_TURN_SECONDS + 3e-3 + 0.025
        assert keeper.saves == 20 and all(store.load(s.id) is not None for s in sessions)
        assert not any(keeper.dirty(s) for s in sessions)
    finally:
        keeper.close()
