"""Saving many sessions never holds the event loop for long (server/keeper.py): the snapshots are taken in
turns of a few milliseconds, and frames and control messages go between them; and saving keeps to its share of
the server's time, so that with many sessions playing it comes less often."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import server.keeper as keeper_module
from server import Settings
from server.keeper import SNAPSHOT_TURN_SECONDS, Keeper, save_interval
from server.load import Load
from server.protocol import Config
from server.scheduler import Scheduler
from server.session import Session
from server.storage import SQLiteStore


def burn(seconds: float) -> None:
    """Take ``seconds`` of this thread's processor time (what a snapshot costs), whatever else runs."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_snapshots_of_many_sessions_are_taken_in_short_turns_and_all_written(tmp_path, monkeypatch):
    settings = Settings(db=str(tmp_path / "kept.db"))
    store = SQLiteStore(settings.db)
    keeper = Keeper(store, settings)
    sessions = [Session(f"s{k}", settings, Config(sizes=[3], n_points=40, seed=k), Load(settings), Scheduler())
                for k in range(20)]
    taking = keeper_module.training_state

    def slow_state(session, trajectory_bytes):  # a session with a long trajectory: 3 ms to copy
        burn(3e-3)
        return taking(session, trajectory_bytes)

    monkeypatch.setattr(keeper_module, "training_state", slow_state)

    async def save_while_ticking() -> list[float]:
        # The loop's own processor time between its turns: on a loaded machine wall time also counts the
        # turns other processes took meanwhile (a 200 ms gap beside two CPU-bound processes), which no code of
        # ours can shorten.
        gaps: list[float] = []
        saving = asyncio.get_running_loop().create_task(keeper.save(sessions))
        last = time.thread_time()
        while not saving.done():
            await asyncio.sleep(0)
            now = time.thread_time()
            gaps.append(now - last)
            last = now
        await saving
        return gaps

    # A thread of its own: after a browser test, pytest's own thread already runs an event loop.
    with ThreadPoolExecutor(1) as thread:
        gaps = thread.submit(asyncio.run, save_while_ticking()).result()
    try:
        # 60 ms of snapshots in all, but the loop turned between them: no turn much longer than one turn's
        # budget (the snapshot that ends a turn may run past it), with a few milliseconds for the rest.
        assert len(gaps) >= 10
        assert max(gaps) < SNAPSHOT_TURN_SECONDS + 3e-3 + 5e-3, max(gaps)
        assert keeper.saves == 20 and all(store.load(s.id) is not None for s in sessions)
        assert not any(keeper.dirty(s) for s in sessions)
    finally:
        keeper.close()


def test_the_interval_between_saves_stretches_to_keep_saving_to_its_share():
    settings = Settings(save_every_seconds=1.0, storage_share=0.02)
    assert save_interval(0.0, settings) == 1.0  # nothing to save, or a few sessions: every second
    assert save_interval(0.015, settings) == 1.0
    assert save_interval(0.05, settings) == 2.5  # 50 playing sessions at about 1 ms each


def test_many_playing_sessions_are_saved_less_often_and_each_save_writes_them_all(tmp_path, monkeypatch):
    settings = Settings(db=str(tmp_path / "kept.db"), save_every_seconds=0.05, storage_share=0.1)
    store = SQLiteStore(settings.db)
    keeper = Keeper(store, settings)
    sessions = [Session(f"s{k}", settings, Config(sizes=[3], n_points=40, seed=k), Load(settings), Scheduler())
                for k in range(20)]
    taking = keeper_module.training_state

    def slow_state(session, trajectory_bytes):  # 2 ms a snapshot: a save of 40 ms or more, 0.4 s apart or more
        burn(2e-3)
        return taking(session, trajectory_bytes)

    monkeypatch.setattr(keeper_module, "training_state", slow_state)

    async def save_while_playing() -> list[tuple[float, int]]:
        saves: list[tuple[float, int]] = []  # (when, records written so far) at each new save
        saving = asyncio.get_running_loop().create_task(keeper.save_forever(lambda: sessions))
        end = time.perf_counter() + 2.0
        while time.perf_counter() < end:
            for session in sessions:  # every session trains on
                session.changed()
            if keeper.saves and (not saves or keeper.saves != saves[-1][1]):
                saves.append((time.perf_counter(), keeper.saves))
            await asyncio.sleep(0.005)
        saving.cancel()
        return saves

    with ThreadPoolExecutor(1) as thread:
        saves = thread.submit(asyncio.run, save_while_playing()).result()
    try:
        assert [count % 20 for _, count in saves] == [0] * len(saves), "every save writes all 20"
        # Each wait is at least what the save before it took (40 ms of snapshots, and the write) over the
        # share: 0.4 s, not the 50 ms that would have made about 40 saves in 2 s.
        assert 2 <= len(saves) <= 5, saves
        gaps = [b - a for (a, _), (b, _) in zip(saves, saves[1:], strict=False)]
        assert min(gaps) >= 0.9 * 40e-3 / 0.1, gaps
    finally:
        keeper.close()
