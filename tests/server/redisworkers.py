"""Two or three real workers (each a process of its own) against a real redis-server: shared by the tests of
several workers (tests/server/test_redis_workers.py) and the page's (tests/browser/test_page_workers.py)."""

from __future__ import annotations

import itertools
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import redis
from liveserver import Page, open_page

from server.redisstore import Keys

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from serverproc import RedisServer, ServerProcess  # noqa: E402, F401  (RedisServer: for the tests)

# Short leases keep the takeover tests short; the default (5 s, renewed every 1.5 s) is the same mechanism.
FAST = {"lease_seconds": 2.0, "renew_every_seconds": 0.5}
CONFIG = {"sizes": [3, 2], "n_points": 40, "batch_size": 4, "seed": 3}


class Worker(ServerProcess):
    """One worker process; ``worker``: its id (what leases hold), from its health check."""

    def __init__(self, url: str, **settings: Any) -> None:
        super().__init__(redis=url, **{**FAST, **settings})
        self.worker = httpx.get(f"{self.http}/api/health", timeout=10).json()["worker"]

    def connect(self, session: str, token: str | None = None, client: str | None = None) -> Page:
        return open_page(self.port, session, token, client)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def owner_of(url: str, session: str) -> str | None:
    client = redis.Redis.from_url(url)
    try:
        holder = client.get(Keys().lease(session))
        return None if holder is None else holder.decode()
    finally:
        client.close()


def wait_for(what: str, ready: Any, timeout: float = 30.0) -> Any:
    """Poll a state another process changes (Redis's keys), until it holds."""
    deadline = time.monotonic() + timeout
    while not (value := ready()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


class TwoWorkers:
    """What the single-process tests call `live`: sessions created on one worker; the presenter's page on the
    worker that does not own the session, viewers in turn on the owner and the other."""

    def __init__(self, url: str, a: Worker, b: Worker) -> None:
        self.url, self.workers = url, {a.worker: a, b.worker: b}
        self.http = a.http
        self._turn = itertools.count()

    def create(self, **config: Any) -> tuple[str, str]:
        r = httpx.post(f"{self.http}/api/sessions", json={"config": config}, timeout=30)
        assert r.status_code == 201, r.text
        return r.json()["session"], r.json()["token"]

    def owner_and_other(self, session: str) -> tuple[Worker, Worker]:
        owner = wait_for("the session's lease", lambda: owner_of(self.url, session))
        other = next(w for w in self.workers.values() if w.worker != owner)
        return self.workers[owner], other

    def connect(self, session: str, token: str | None = None, client: str | None = None) -> Page:
        owner, other = self.owner_and_other(session)
        worker = other if token is not None or next(self._turn) % 2 == 0 else owner
        return worker.connect(session, token, client)


