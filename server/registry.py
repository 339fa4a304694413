"""All sessions, by id: the live ones in memory, and (with storage) every kept one, loaded when someone asks.

Creates sessions within the limit, forks one into a private copy, and unloads those left alone past the grace
period (with storage they stay kept and come back at the next connection; without it they end).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from typing import TYPE_CHECKING, Any

from engine.snapshot import trainer_state

from . import recurrent
from .keeper import Keeper, adopt, config_of, training_state, view_of
from .load import Load
from .protocol import Config, FieldError
from .scheduler import Scheduler
from .session import Session
from .settings import Settings
from .storage import SQLiteStore, Store

if TYPE_CHECKING:
    from .cluster import Cluster
    from .mirror import Mirror
from .work import WorkPool

NO_SUCH_SESSION = "session: no such session (it may have ended); start a new one"


class Registry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions: dict[str, Session] = {}
        self.load = Load(settings)
        self.scheduler = Scheduler()
        self.work = WorkPool(settings)  # surfaces and gradient checks, all sessions together
        self.instance = secrets.token_urlsafe(6)  # new at every start: a page that sees it change knows of a restart
        self.keeper = Keeper(self._store(), settings) if settings.db or settings.redis else None
        self.cluster: Cluster | None = None  # with Redis: this worker among the others (set by create_app)
        self._loading: dict[str, asyncio.Future[Session | None]] = {}

    def _store(self) -> Store:
        settings = self.settings
        if settings.redis:  # several workers (docs/scaling.md); redis is an optional extra, imported only here
            from .redisstore import RedisStore
            return RedisStore(settings.redis, self.instance, settings.lease_seconds, settings.keep_days)
        assert settings.db
        return SQLiteStore(settings.db)

    def _room(self) -> None:
        """Make room for one more session in memory: unload the longest-unwatched one if storage keeps it."""
        if len(self.sessions) < self.settings.max_sessions:
            return
        idle = [s for s in self.sessions.values() if not s.clients]
        if self.keeper is not None and idle:
            self._unload(min(idle, key=lambda s: s.last_seen))
            return
        raise FieldError(
            "session", f"session: the server already runs {self.settings.max_sessions} sessions; try later"
        )

    def _check_visitor(self, visitor: str | None) -> None:
        """``visitor``, the client's address, may hold only so many sessions at once."""
        settings = self.settings
        if visitor is not None and visitor not in settings.trusted_addresses:
            held = sum(1 for s in self.sessions.values() if s.visitor == visitor)
            if held >= settings.max_sessions_per_visitor:
                raise FieldError("visitor", f"visitor: you already have {held} sessions open, the most one "
                                            "computer may have; close some tabs, or wait for them to end")

    def create(self, config: Config | None = None, visitor: str | None = None) -> Session:
        self._check_visitor(visitor)
        self._room()
        session_id = secrets.token_urlsafe(12)
        session = Session(session_id, self.settings, config or Config(), self.load, self.scheduler, self.work)
        session.visitor = visitor
        self.sessions[session_id] = session
        return session

    def fork(self, original: Session, visitor: str | None = None) -> Session:
        """A private session that starts where ``original`` is now: its setup, training state (weights,
        optimizer state, step, random state, logs), speed and surface choice; paused, with its own secret."""
        if recurrent.is_rnn(original.trainer):
            raise FieldError("model", "model: the recurrent network cannot be copied to explore on your own yet; "
                                        "set up your own char-RNN instead")
        state = training_state(original, self.settings.stored_trajectory_bytes)
        if state is None:
            state = trainer_state(original.trainer)
        return self._fork_from(original.config.model_copy(deep=True), state, view_of(original), visitor)

    def _fork_from(self, config: Config, state: dict[str, Any], view: dict[str, Any], visitor: str | None) -> Session:
        fork = self.create(config, visitor)
        try:
            # Not the class's lesson place: the copy is the student's own, and no presenter moves it.
            adopt(fork, state, view | {"lesson": None})
        except ValueError:
            self.sessions.pop(fork.id).close()
            raise
        return fork

    async def settle(self, session: Session) -> None:
        """A new session: with Redis, kept at once and trained by the least-loaded worker (maybe not this one)."""
        if self.cluster is not None:
            await self.cluster.place(session)

    async def fork_kept(self, session_id: str, visitor: str | None = None) -> Session | None:
        """A fork of a session another worker trains: from its last stored state (at most a second old)."""
        record = await self.keeper.load(session_id) if self.keeper is not None else None
        if record is None:
            return None
        return self._fork_from(config_of(record), record.state, record.view, visitor)

    def get(self, session_id: str) -> Session | None:
        """A session in memory (see ``open`` for one that may be kept in storage)."""
        return self.sessions.get(session_id)

    async def open(self, session_id: str) -> Session | Mirror | None:
        """The session with this id: in memory, or read back from storage (same id, same step, paused); with
        Redis, a mirror of it when another worker trains it."""
        session = self.sessions.get(session_id)
        if session is not None or self.keeper is None:
            return session
        if self.cluster is not None:
            owner = await self.cluster.claim(session_id)
            if owner != self.cluster.id:
                return await self.cluster.mirror(session_id, owner)
            session = await self.load_kept(session_id)
            if session is None:
                await self.cluster.release(session_id)
            return session
        return await self.load_kept(session_id)

    async def load_kept(self, session_id: str) -> Session | None:
        """A kept session, read back into memory (once, however many pages ask at the same time)."""
        session = self.sessions.get(session_id)
        if session is not None or self.keeper is None:
            return session
        waiting = self._loading.get(session_id)
        if waiting is not None:  # two pages of one session reconnecting at once: one load
            return await asyncio.shield(waiting)
        future: asyncio.Future[Session | None] = asyncio.get_running_loop().create_future()
        self._loading[session_id] = future
        try:
            session = await self._restore(session_id)
            future.set_result(session)
            return session
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            del self._loading[session_id]

    async def _restore(self, session_id: str) -> Session | None:
        assert self.keeper is not None
        record = await self.keeper.load(session_id)
        if record is None or session_id in self.sessions:
            return self.sessions.get(session_id)
        self._room()
        try:
            session = Session(session_id, self.settings, config_of(record), self.load, self.scheduler, self.work)
            adopt(session, record.state, record.view)
        except (ValueError, FieldError) as exc:  # kept by another version of the engine, or damaged
            await self.keeper.delete(session_id, f"it could not be read back ({exc})")
            return None
        session.token, session.token_hash = None, record.token_hash
        session.created, session.last_used = record.created, record.last_used
        self.sessions[session_id] = session
        self.keeper.mark_saved(session)
        return session

    async def why_missing(self, session_id: str) -> str:
        """A plain message for an id that opens nothing: removed (and why), or never known."""
        reason = await self.keeper.gone(session_id) if self.keeper is not None else None
        if reason is None:
            return NO_SUCH_SESSION
        return f"session: this session was removed because {reason}; start a new one"

    # -- lifetime -------------------------------------------------------------------------------------

    def _unload(self, session: Session) -> None:
        """Out of memory; with storage it stays kept (written now if ``reap`` has not just written it)."""
        self.sessions.pop(session.id, None)
        session.close()
        if self.keeper is not None:
            self.keeper.save_now([session])  # only when it changed since its last save
            self._release(session.id)

    def _release(self, session_id: str) -> None:
        """With Redis: give up the lease, so the next page, on any worker, opens it at once."""
        if self.cluster is not None and self.keeper is not None:
            with contextlib.suppress(Exception):  # Redis gone: the lease lapses by itself
                self.keeper.store.release(session_id)  # type: ignore[attr-defined]

    async def reap(self, now: float | None = None) -> list[str]:
        """Unload the sessions nobody has been connected to for the grace period (saved first, with storage);
        with storage, also delete the kept sessions past their time or beyond the cap."""
        now = time.monotonic() if now is None else now
        idle = [s for s in self.sessions.values() if not s.clients and now - s.last_seen > self.settings.grace_seconds]
        for session in idle:
            session.pause()
        if self.keeper is not None:
            await self.keeper.save(idle)
        for session in idle:
            if not session.clients:  # nobody came back while it was written
                self._unload(session)
        if self.keeper is not None:
            for session_id in await self.keeper.evict(spare=set(self.sessions)):
                self.sessions.pop(session_id, None)
        return [s.id for s in idle]

    async def reap_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reap_every_seconds)
            await self.reap()

    async def keep_forever(self) -> None:
        """Write changed sessions every few seconds (nothing to do without storage)."""
        if self.keeper is not None:
            await self.keeper.save_forever(lambda: list(self.sessions.values()))

    def close(self) -> None:
        """Stop every session; with storage, write what changed first (paused: they come back paused)."""
        for session in self.sessions.values():
            session.close()
        if self.keeper is not None:
            with contextlib.suppress(Exception) if self.cluster is not None else contextlib.nullcontext():
                self.keeper.save_now(list(self.sessions.values()))  # (with Redis gone, what it could not write is lost)
            for session_id in self.sessions:
                self._release(session_id)
            self.keeper.close()
        self.sessions.clear()
        self.scheduler.close()
        self.work.close()
