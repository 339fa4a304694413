"""All live sessions, by id; creates them within the limit and reaps those left alone past the grace period."""

from __future__ import annotations

import asyncio
import secrets
import time

from .load import Load
from .protocol import Config, FieldError
from .scheduler import Scheduler
from .session import Session
from .settings import Settings
from .work import WorkPool


class Registry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions: dict[str, Session] = {}
        self.load = Load(settings)
        self.scheduler = Scheduler()
        self.work = WorkPool(settings)  # surfaces and gradient checks, all sessions together

    def create(self, config: Config | None = None, visitor: str | None = None) -> Session:
        """A new session; ``visitor``, the client's address, may hold only so many at once."""
        settings = self.settings
        if len(self.sessions) >= settings.max_sessions:
            raise FieldError("session", f"session: the server already runs {settings.max_sessions} sessions; try later")
        if visitor is not None and visitor not in settings.trusted_addresses:
            held = sum(1 for s in self.sessions.values() if s.visitor == visitor)
            if held >= settings.max_sessions_per_visitor:
                raise FieldError("visitor", f"visitor: you already have {held} sessions open, the most one "
                                            "computer may have; close some tabs, or wait for them to end")
        session_id = secrets.token_urlsafe(12)
        session = Session(session_id, self.settings, config or Config(), self.load, self.scheduler, self.work)
        session.visitor = visitor
        self.sessions[session_id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    def reap(self, now: float | None = None) -> list[str]:
        """Close the sessions nobody has been connected to for the grace period."""
        now = time.monotonic() if now is None else now
        gone = [
            sid for sid, s in self.sessions.items()
            if not s.clients and now - s.last_seen > self.settings.grace_seconds
        ]
        for sid in gone:
            self.sessions.pop(sid).close()
        return gone

    async def reap_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reap_every_seconds)
            self.reap()

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.sessions.clear()
        self.scheduler.close()
        self.work.close()
