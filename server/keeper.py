"""Keeps the live sessions in a ``Store`` without slowing training: the bridge between sessions and storage.

Every ``save_every_seconds`` (less often when many sessions play: ``save_interval``) the sessions whose state
changed since their last save are snapshotted on the event loop (copies of a few vectors: the engine's
``trainer_state``) and written by the one storage thread in one transaction, while training goes on; the next
batch waits for the previous one, so at most one is in flight. A crash loses at most the last interval. On
shutdown everything left is written before the server exits.

A session asked for that is not in memory (after a restart, or unloaded when nobody watched it) is read back in
the storage thread and rebuilt: the same id, the same step, the exact same weights, paused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from engine.owndata import dataset_from_state, dataset_state
from engine.snapshot import restore_trainer_state, trainer_state

from . import recurrent
from .protocol import Config, SurfaceRequest
from .storage import Record, Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from .session import Session
    from .settings import Settings

log = logging.getLogger("backprop_lab.storage")
T = TypeVar("T")


def training_state(session: Session, trajectory_bytes: int) -> dict[str, Any] | None:
    """The session's training state now; during an update's phases, the state before that update began
    (an update half done cannot be kept: it starts again from its forward phase). Own data (drawn or
    uploaded) goes with it under "own_data": it cannot be made again from the setup."""
    if recurrent.is_rnn(session.trainer):  # engine/snapshot.py keeps the feed-forward trainer's state only
        return None
    state = session.before_update if session.trainer.in_update else trainer_state(session.trainer, trajectory_bytes)
    if state is not None and session.own_data is not None:
        state = {**state, "own_data": dataset_state(session.own_data)}
    return state


def view_of(session: Session) -> dict[str, Any]:
    request = session.surface.request_msg
    return {"speed": session.speed, "status": session.status,
            "surface": None if request is None else request.model_dump(exclude={"id"}),
            "lesson": session.lesson.kept()}


def adopt(session: Session, state: dict[str, Any], view: dict[str, Any]) -> None:
    """Put a training state and what the page showed beside it into a freshly built, paused session."""
    if state.get("own_data") is not None:  # the network was built for the config's data set: build it for these
        session.reconfigure(session.config, own_data=dataset_from_state(state["own_data"]))
    restore_trainer_state(session.trainer, state)
    session.speed = view.get("speed")
    session.status = view.get("status")
    if view.get("surface") is not None:
        # Read as JSON, as it was stored and as pages send it: strict validation takes a JSON array for a span's
        # (low, high) pair, not a Python list (a worked example's slice could not be read back).
        stored = json.dumps({**view["surface"], "type": "surface"})
        session.surface.request_msg = SurfaceRequest.model_validate_json(stored)
        session.surface.note_change()  # computed again from the restored weights, in the background
    session.lesson.restore(view.get("lesson"))
    session.changed()


SNAPSHOT_TURN_SECONDS = 2e-3  # snapshots taken in one turn of the event loop, at most (at least one)


def save_interval(spent: float, settings: Settings) -> float:
    """Seconds until the next save, after one that took ``spent`` (snapshots and write). Each playing session
    costs about a millisecond a save (its state encoded, a trajectory of up to 1 MB most of it, and written).
    Saved every second, 50 playing sessions got 30.6–31.8 frames/s and a p99 control → frame of 49–55 ms;
    keeping saves to ``storage_share`` of the server's time, 32.5–34.4 and 33–45 ms (without storage: 30–37,
    31–34; interleaved, 3 rounds). So saves come every ``save_every_seconds`` with few sessions, less often
    with many."""
    return max(settings.save_every_seconds, spent / settings.storage_share)


class Keeper:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="backprop-lab-storage")
        self._saved: dict[str, tuple[int, float]] = {}  # id -> (session version, last use) when last written
        self.saves = 0  # records written, for measurement
        self.save_seconds = 0.0  # time spent writing them (in the storage thread)
        self.snapshot_seconds = 0.0  # time spent taking snapshots (on the event loop)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    # -- saving ---------------------------------------------------------------------------------------

    def dirty(self, session: Session) -> bool:
        return self._saved.get(session.id) != (session.version, session.last_used)

    def records(self, sessions: list[Session]) -> list[tuple[Record, tuple[int, float]]]:
        started = time.perf_counter()
        out = []
        for session in sessions:
            if not self.dirty(session):
                continue
            try:
                state = training_state(session, self.settings.stored_trajectory_bytes)
            except Exception:  # one session that cannot be kept must not stop the others being kept
                log.exception("could not take session %s's state; the others are saved", session.id)
                continue
            if state is None:
                continue
            record = Record(session.id, session.token_hash, session.config.model_dump(), view_of(session), state,
                            session.created, session.last_used)
            out.append((record, (session.version, session.last_used)))
        self.snapshot_seconds += time.perf_counter() - started
        return out

    def _write(self, records: list[Record]) -> None:
        started = time.perf_counter()
        self.store.save(records)
        self.save_seconds += time.perf_counter() - started
        self.saves += len(records)

    async def save(self, sessions: list[Session]) -> None:
        # Snapshots in turns of a few milliseconds, yielding between: 50 playing sessions' snapshots, taken at
        # once, held the event loop 4 to 19 ms every second (growing with their trajectories), and every
        # frame and control waited behind them.
        batch, waiting = [], list(sessions)  # records() passes over those unchanged since their last save
        while waiting:
            end = time.perf_counter() + SNAPSHOT_TURN_SECONDS
            while waiting and time.perf_counter() < end:
                batch += self.records([waiting.pop()])
            if waiting:
                await asyncio.sleep(0)
        if not batch:
            return
        await self._in_thread(self._write, [r for r, _ in batch])
        for record, version in batch:
            self._saved[record.id] = version

    def save_now(self, sessions: list[Session]) -> None:
        """Write what changed, blocking (at shutdown, when the event loop is about to stop)."""
        batch = self.records(sessions)
        if batch:
            self._thread.submit(self._write, [r for r, _ in batch]).result()
            for record, version in batch:
                self._saved[record.id] = version

    async def save_forever(self, sessions: Callable[[], list[Session]]) -> None:
        wait = self.settings.save_every_seconds
        while True:
            await asyncio.sleep(wait)
            spent = self.snapshot_seconds + self.save_seconds
            try:
                await self.save(sessions())
            except Exception:  # a full disk, say: keep training, try again at the next interval
                log.exception("could not save the sessions; will try again")
            wait = save_interval(self.snapshot_seconds + self.save_seconds - spent, self.settings)

    def forget(self, session_id: str) -> None:
        self._saved.pop(session_id, None)

    # -- loading and removing -------------------------------------------------------------------------

    async def load(self, session_id: str) -> Record | None:
        return await self._in_thread(self.store.load, session_id)

    def mark_saved(self, session: Session) -> None:
        """A session just rebuilt from its record needs no write until it changes."""
        self._saved[session.id] = (session.version, session.last_used)

    async def gone(self, session_id: str) -> str | None:
        return await self._in_thread(self.store.gone, session_id)

    async def delete(self, session_id: str, reason: str) -> None:
        self.forget(session_id)
        await self._in_thread(self.store.delete, session_id, reason)

    async def evict(self, spare: set[str]) -> list[str]:
        settings = self.settings
        gone = await self._in_thread(self.store.evict, time.time(), settings.keep_days * 86400,
                                     settings.max_stored_sessions, spare)
        for session_id in gone:
            self.forget(session_id)
        return gone

    def close(self) -> None:
        self._thread.submit(self.store.close).result()
        self._thread.shutdown(wait=True)


def config_of(record: Record) -> Config:
    return Config.model_validate(record.config)
