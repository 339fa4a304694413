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


class Registry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions: dict[str, Session] = {}
        self.load = Load(settings)
        self.scheduler = Scheduler()

    def create(self, config: Config | None = None) -> Session:
        if len(self.sessions) >= self.settings.max_sessions:
            raise FieldError(
                "session", f"session: the server already runs {self.settings.max_sessions} sessions; try later"
            )
        session_id = secrets.token_urlsafe(12)
        session = Session(session_id, self.settings, config or Config(), self.load, self.scheduler)
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
