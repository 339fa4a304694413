"""Where sessions are kept between restarts: one small interface (``Store``) and its SQLite implementation.

A stored session is a ``Record``: the setup (config), what the page shows beside it (speed, the surface asked
for), the engine's training state (``engine.snapshot.trainer_state``: weights, optimizer state, step, random
state, loss history, thinned trajectory), the presenter's secret *hashed* (SHA-256: the secret is 192 random
bits, so a plain hash cannot be reversed by guessing; the secret itself is never written), and when it was
created and last used.

SQLite (the standard library's sqlite3): one file, WAL mode (readers go on while a write commits), one
transaction per batch of saves, synchronous=NORMAL (a crashed process loses nothing committed; a power cut may
lose the last batch). The training state goes as one uncompressed .npz blob (float bytes barely compress):
arrays as .npy without pickle, the plain values as JSON inside it. Every method is blocking and thread-safe;
the server calls them from its one storage thread (``server/keeper.py``), never on the event loop.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

SCHEMA_VERSION = 1
DB_NAME = "sessions.db"


def default_db_path() -> Path:
    """$XDG_DATA_HOME/backprop-lab/sessions.db, else ~/.local/share/backprop-lab/sessions.db; without a home
    folder, backprop-lab-sessions.db in the working folder. Never inside the package."""
    data = os.environ.get("XDG_DATA_HOME")
    if data:
        return Path(data) / "backprop-lab" / DB_NAME
    home = Path.home() if "HOME" in os.environ else None
    if home is not None and home.is_dir():
        return home / ".local" / "share" / "backprop-lab" / DB_NAME
    return Path.cwd() / f"backprop-lab-{DB_NAME}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Record:
    id: str
    token_hash: str
    config: dict[str, Any]
    view: dict[str, Any]  # speed, surface request, status: what the page shows beside the training
    state: dict[str, Any]  # engine.snapshot.trainer_state
    created: float  # seconds since the epoch
    last_used: float

    @property
    def step(self) -> int:
        return int(self.state["step"])


class Store(Protocol):
    """What the server needs of a place to keep sessions. A second backend (Redis, for several server processes)
    implements the same methods."""

    def load(self, session_id: str) -> Record | None: ...

    def save(self, records: list[Record]) -> None:
        """Write these records, all or none."""
        ...

    def touch(self, session_id: str, when: float) -> None: ...

    def delete(self, session_id: str, reason: str) -> None:
        """Remove a session; ``gone`` remembers why, for whoever opens it later."""
        ...

    def gone(self, session_id: str) -> str | None:
        """Why a session that was kept is kept no longer (None: never known here)."""
        ...

    def evict(self, now: float, keep_seconds: float, max_sessions: int, spare: set[str]) -> list[str]:
        """Delete sessions unused for ``keep_seconds``, then the least recently used beyond ``max_sessions``
        (never those in ``spare``: in use now). Returns their ids."""
        ...

    def count(self) -> int: ...

    def close(self) -> None: ...


# -- the training state as one blob ----------------------------------------------------------------------


def encode_state(state: dict[str, Any]) -> bytes:
    """Arrays anywhere in ``state`` become .npy members of an .npz; the rest is JSON, with a reference in place
    of each array."""
    arrays: dict[str, np.ndarray] = {}

    def split(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            name = f"a{len(arrays)}"
            arrays[name] = value
            return {"__array__": name}
        if isinstance(value, dict):
            return {k: split(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [split(v) for v in value]
        if isinstance(value, np.integer | np.floating):
            return value.item()
        return value

    plain = json.dumps(split(state), separators=(",", ":"), allow_nan=True)
    buffer = io.BytesIO()
    np.savez(buffer, __json__=np.frombuffer(plain.encode(), dtype=np.uint8), **arrays)
    return buffer.getvalue()


def decode_state(blob: bytes) -> dict[str, Any]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    plain = json.loads(arrays.pop("__json__").tobytes().decode())

    def join(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"__array__"}:
                return arrays[value["__array__"]]
            return {k: join(v) for k, v in value.items()}
        if isinstance(value, list):
            return [join(v) for v in value]
        return value

    return join(plain)


# -- SQLite ------------------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    config TEXT NOT NULL,
    view TEXT NOT NULL,
    step INTEGER NOT NULL,
    state BLOB NOT NULL,
    created REAL NOT NULL,
    last_used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_last_use ON sessions (last_used);
CREATE TABLE IF NOT EXISTS gone (
    id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS gone_by_time ON gone (at);
"""
GONE_KEPT = 10_000  # remembered removals (for the plain message), newest kept


class SQLiteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
        except (OSError, sqlite3.Error) as exc:
            message = f"db: cannot keep sessions in {self.path} ({exc}); choose another file with --db"
            raise RuntimeError(message) from None
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA synchronous=NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise RuntimeError(f"db: {self.path} has schema version {version}; this server reads {SCHEMA_VERSION}")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def load(self, session_id: str) -> Record | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, token_hash, config, view, state, created, last_used FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
        if row is None:
            return None
        sid, token_hash, config, view, state, created, last_used = row
        return Record(sid, token_hash, json.loads(config), json.loads(view), decode_state(state), created, last_used)

    def save(self, records: list[Record]) -> None:
        rows = [
            (r.id, r.token_hash, json.dumps(r.config), json.dumps(r.view), r.step, encode_state(r.state),
             r.created, r.last_used)
            for r in records
        ]
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT INTO sessions (id, token_hash, config, view, step, state, created, last_used)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash,"
                    " config = excluded.config, view = excluded.view, step = excluded.step, state = excluded.state,"
                    " last_used = excluded.last_used",
                    rows,
                )
                self._db.executemany("DELETE FROM gone WHERE id = ?", [(r[0],) for r in rows])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def touch(self, session_id: str, when: float) -> None:
        with self._lock:
            self._db.execute("UPDATE sessions SET last_used = ? WHERE id = ?", (when, session_id))

    def delete(self, session_id: str, reason: str) -> None:
        with self._lock:
            self._delete([session_id], reason, time.time())

    def _delete(self, ids: list[str], reason: str, now: float) -> None:
        if not ids:
            return
        self._db.execute("BEGIN")
        self._db.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in ids])
        self._db.executemany("INSERT OR REPLACE INTO gone (id, reason, at) VALUES (?, ?, ?)",
                             [(i, reason, now) for i in ids])
        self._db.execute("DELETE FROM gone WHERE id NOT IN (SELECT id FROM gone ORDER BY at DESC LIMIT ?)",
                         (GONE_KEPT,))
        self._db.execute("COMMIT")

    def gone(self, session_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT reason FROM gone WHERE id = ?", (session_id,)).fetchone()
        return None if row is None else row[0]

    def evict(self, now: float, keep_seconds: float, max_sessions: int, spare: set[str]) -> list[str]:
        days = keep_seconds / 86400
        with self._lock:
            expired = [i for (i,) in self._db.execute(
                "SELECT id FROM sessions WHERE last_used < ?", (now - keep_seconds,)) if i not in spare]
            self._delete(expired, f"it was not used for {days:g} day{'s' if days != 1 else ''}", now)
            over = self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] - max_sessions
            oldest: list[str] = []
            if over > 0:
                for (i,) in self._db.execute("SELECT id FROM sessions ORDER BY last_used ASC"):
                    if len(oldest) == over:
                        break
                    if i not in spare:
                        oldest.append(i)
            self._delete(oldest, f"the server keeps at most {max_sessions} sessions and this one was the "
                                 "longest unused", now)
        return expired + oldest

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]

    def size_of(self, session_id: str) -> int:
        """Bytes of one stored session's row (its training state, setup and view)."""
        with self._lock:
            row = self._db.execute(
                "SELECT length(state) + length(config) + length(view) + length(token_hash) FROM sessions"
                " WHERE id = ?", (session_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
