"""Sessions kept in Redis, for several server processes (docs/scaling.md): the ``Store`` interface of
server/storage.py, plus the per-session lease that says which worker trains a session.

Keys (all under one prefix, ``backprop-lab:`` by default, so one Redis may serve other things too):

    backprop-lab:session:<id>   hash: token_hash, config, view (JSON), step, state (the .npz blob of storage.py),
                                created, last_used; it expires keep_days after its last use, as SQLite's rows are
                                evicted after keep_days
    backprop-lab:sessions       sorted set: id -> last use (for the cap on kept sessions, and eviction)
    backprop-lab:gone:<id>      why a session was removed (expires after GONE_DAYS)
    backprop-lab:lease:<id>     the worker that trains the session now; expires lease_seconds after its last renewal
    backprop-lab:alive, :load   heartbeats: each worker's last beat (Redis's clock) and how many sessions it holds
    backprop-lab:worker:<id>    channel: controls and hand-overs for one worker
    backprop-lab:out:<id>       channel: one session's frames, pictures and replies, published once by its owner

Saves are fenced by the lease (one Lua script per session, all in one MULTI): a worker writes a session only
while it holds its lease, or while nobody does; so a worker cut off from Redis whose lease passed to another
cannot overwrite the newer owner's state when it comes back. Blocking, like SQLiteStore: the keeper calls it
from its storage thread.
"""

from __future__ import annotations

import json
import logging

import redis

from .storage import Record, decode_state, encode_state

log = logging.getLogger("backprop_lab.storage")
PREFIX = "backprop-lab"
GONE_DAYS = 30  # how long "why was it removed" is remembered

# KEYS: lease, session, sessions, gone. ARGV: owner, expire-at (ms), id, the record's fields.
SAVE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'token_hash', ARGV[4], 'config', ARGV[5], 'view', ARGV[6], 'step', ARGV[7],
           'state', ARGV[8], 'created', ARGV[9], 'last_used', ARGV[10])
redis.call('PEXPIREAT', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[10], ARGV[3])
redis.call('DEL', KEYS[4])
return 1
"""
# Renew the lease if it is ours, take it again if it lapsed (a Redis restart, a long pause): 1; another's: 0.
RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Keys:
    def __init__(self, prefix: str = PREFIX) -> None:
        self.prefix = prefix
        self.sessions = f"{prefix}:sessions"
        # Heartbeats (server/cluster.py): worker id -> Redis's clock at its last beat; -> its sessions.
        self.alive = f"{prefix}:alive"
        self.load = f"{prefix}:load"

    def session(self, session_id: str) -> str:
        return f"{self.prefix}:session:{session_id}"

    def gone(self, session_id: str) -> str:
        return f"{self.prefix}:gone:{session_id}"

    def lease(self, session_id: str) -> str:
        return f"{self.prefix}:lease:{session_id}"

    def worker(self, worker_id: str) -> str:
        """The channel on which a worker hears forwarded controls and hand-overs."""
        return f"{self.prefix}:worker:{worker_id}"

    def out(self, session_id: str) -> str:
        """The channel on which a session's owner publishes its frames, pictures and replies."""
        return f"{self.prefix}:out:{session_id}"


def connect(url: str) -> redis.Redis:
    # Timeouts: a worker that loses Redis must find out in seconds, not hang a thread on a dead socket.
    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


class RedisStore:
    def __init__(self, url: str, owner: str, lease_seconds: float, keep_days: float, prefix: str = PREFIX) -> None:
        self.owner = owner  # this worker's id: what its leases hold
        self.lease_ms = int(lease_seconds * 1000)
        self.keep_ms = int(keep_days * 86400 * 1000)
        self.keys = Keys(prefix)
        self._redis = connect(url)
        self._save = self._redis.register_script(SAVE)
        self._release = self._redis.register_script(RELEASE)

    def load(self, session_id: str) -> Record | None:
        row = self._redis.hgetall(self.keys.session(session_id))
        if not row:
            return None
        text = {k.decode(): v for k, v in row.items()}
        return Record(session_id, text["token_hash"].decode(), json.loads(text["config"]), json.loads(text["view"]),
                      decode_state(text["state"]), float(text["created"]), float(text["last_used"]))

    def save(self, records: list[Record]) -> None:
        """All in one transaction; a session whose lease another worker holds is left as that worker wrote it."""
        k = self.keys
        pipe = self._redis.pipeline(transaction=True)
        for r in records:
            expire_at = int(r.last_used * 1000) + self.keep_ms
            self._save(keys=[k.lease(r.id), k.session(r.id), k.sessions, k.gone(r.id)],
                       args=[self.owner, expire_at, r.id, r.token_hash, json.dumps(r.config), json.dumps(r.view),
                             r.step, encode_state(r.state), repr(r.created), repr(r.last_used)], client=pipe)
        for r, written in zip(records, pipe.execute(), strict=True):
            if not written:
                log.warning("session %s is trained by another worker now: not overwritten", r.id)

    def touch(self, session_id: str, when: float) -> None:
        key = self.keys.session(session_id)
        if self._redis.exists(key):
            pipe = self._redis.pipeline(transaction=True)
            pipe.hset(key, "last_used", repr(when))
            pipe.pexpireat(key, int(when * 1000) + self.keep_ms)
            pipe.zadd(self.keys.sessions, {session_id: when})
            pipe.execute()

    def delete(self, session_id: str, reason: str) -> None:
        self._delete([session_id], reason)

    def _delete(self, ids: list[str], reason: str) -> None:
        if not ids:
            return
        pipe = self._redis.pipeline(transaction=True)
        for i in ids:
            pipe.delete(self.keys.session(i))
            pipe.zrem(self.keys.sessions, i)
            pipe.set(self.keys.gone(i), reason, ex=GONE_DAYS * 86400)
        pipe.execute()

    def gone(self, session_id: str) -> str | None:
        reason = self._redis.get(self.keys.gone(session_id))
        return None if reason is None else reason.decode()

    def _leased(self, ids: list[str]) -> set[str]:
        """Those of ``ids`` some worker trains now (never evicted: they are in use)."""
        if not ids:
            return set()
        held = self._redis.mget([self.keys.lease(i) for i in ids])
        return {i for i, h in zip(ids, held, strict=True) if h is not None}

    def evict(self, now: float, keep_seconds: float, max_sessions: int, spare: set[str]) -> list[str]:
        days = keep_seconds / 86400
        old = [i.decode() for i in self._redis.zrangebyscore(self.keys.sessions, "-inf", now - keep_seconds)]
        leased = self._leased(old)
        expired = [i for i in old if i not in spare and i not in leased]
        self._delete(expired, f"it was not used for {days:g} day{'s' if days != 1 else ''}")
        over = self.count() - max_sessions
        oldest: list[str] = []
        if over > 0:
            candidates = [i.decode() for i in self._redis.zrange(self.keys.sessions, 0, over + len(spare) + 100)]
            leased = self._leased(candidates)
            oldest = [i for i in candidates if i not in spare and i not in leased][:over]
            self._delete(oldest, f"the server keeps at most {max_sessions} sessions and this one was the "
                                 "longest unused")
        return expired + oldest

    def count(self) -> int:
        return int(self._redis.zcard(self.keys.sessions))

    def release(self, session_id: str) -> None:
        """Give up the lease (a session unloaded, or the worker stopping): another worker may take it at once."""
        self._release(keys=[self.keys.lease(session_id)], args=[self.owner])

    def close(self) -> None:
        self._redis.close()


def stored_step(url: str, session_id: str, prefix: str = PREFIX) -> int:
    """The step Redis holds for a session, read from outside (-1: not yet)."""
    client = connect(url)
    try:
        step = client.hget(Keys(prefix).session(session_id), "step")
        return -1 if step is None else int(step)
    finally:
        client.close()

