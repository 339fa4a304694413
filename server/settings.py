"""Server settings: every limit a user can hit is here, with a default a classroom needs."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Settings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    # Origins besides the page's own that may open the WebSocket or create sessions ("*" for any).
    allowed_origins: list[str] = Field(default_factory=list)
    # Host names the server answers to besides those that follow from `host` (see server/guard.py): a foreign
    # Host header is refused, so a web page cannot reach this server through a rebound DNS name. "*": any.
    allowed_hosts: list[str] = Field(default_factory=list)
    # Where sessions are kept across restarts (a SQLite file); None keeps them in memory only (tests, benchmarks).
    # `backprop-lab` and `make serve` use server.storage.default_db_path() unless --db says otherwise.
    db: str | None = None
    keep_days: float = 7.0  # a stored session unused this long is deleted
    max_stored_sessions: int = 1000  # beyond this, the longest unused stored session is deleted
    save_every_seconds: float = 1.0  # changed sessions are written this often (a crash loses at most this)...
    storage_share: float = Field(default=0.02, gt=0, le=1)  # ...or less often, so saving takes at most this share
    stored_trajectory_bytes: int = 1_000_000  # the parameter trajectory kept per stored session, at most
    # A session with no connection stays in memory this long; then it is unloaded (stored sessions come back
    # from storage at the next connection; without storage it is gone).
    grace_seconds: float = 600.0
    reap_every_seconds: float = 30.0
    max_sessions: int = 200
    max_sessions_per_visitor: int = 20  # sessions one client address may hold at once...
    trusted_addresses: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])  # ...except these
    unwatched_pause_seconds: float = 5.0  # a playing session whose last page left pauses after this long
    max_hidden_layers: int = 6
    max_neurons: int = 32  # per layer
    max_points: int = 5000
    max_surface_resolution: int = 100
    grid_resolution: int = 40  # the decision map's cells per side
    display_hz: float = 60.0  # frames per second to each client, at most
    grid_hz: float = 10.0  # decision maps per second to each client, at most
    surface_refresh_seconds: float = 1.0  # while training, a shown surface is recomputed this often
    curvature_refresh_seconds: float = 2.0  # while training, λmax (the stability hint) is measured this often
    # Shares of the event loop's time for pictures (see server/load.py); training takes what is left.
    frame_share: float = 0.5  # frames to every page (50 pages at 30 frames/s need about half: load.py)
    grid_share: float = 0.1  # decision maps to every page
    grid_every_epoch: bool = False  # compute the decision grid at every epoch end (as TF Playground does)
    # -- budgets: what one visitor may cost the server (server/guard.py, server/work.py) ---------------------
    max_message_bytes: int = 16_384  # a control message longer than this gets an error reply
    max_frame_bytes: int = 1_048_576  # a WebSocket message longer than this closes the socket (code 1009)
    max_body_bytes: int = 16_384  # POST /api/sessions bodies
    max_csv_bytes: int = 1_048_576  # a CSV of your own points (5,000 rows of three long numbers fit in 0.4 MB)
    max_session_file_bytes: int = 8 * 2**20  # a session file (the largest network's is about 1.5 MB)
    max_outbox: int = 64  # replies waiting for a page that does not read; one more and it is dropped
    # A session's two big arrays, each within its budget so that a session at the largest size stays under 5 MB
    # after any amount of training (tests/server/test_budgets.py): the recorded training path (drawn on the loss
    # surface) and the keyframes for stepping back (engine/rewind.py: ≥ 1,000 updates stay reachable whatever
    # the budget; a smaller one only spaces keyframes further apart, so a step back replays more updates).
    trajectory_bytes: int = 2_000_000
    rewind_bytes: int = 2 * 2**20
    work_seconds: float = 5.0  # CPU seconds one surface or gradient check may take
    work_threads: int = 2  # surfaces and gradient checks computed at once, all sessions together
    max_queued_work: int = 4  # more waiting than this, and a request is refused as 'busy'
    # Of one core, at most, for work no page waits for (stability hints kept fresh), all sessions together.
    background_share: float = Field(default=0.05, gt=0, le=1)
    # -- several server processes through Redis (docs/scaling.md) -------------------------------------------
    # redis://HOST:PORT/DB: sessions are kept in Redis (not `db`) and trained by whichever worker holds a
    # session's lease; None: one process with SQLite (nothing else needed).
    redis: str | None = None
    lease_seconds: float = 5.0  # a dead owner's sessions are taken over this long after its last renewal
    renew_every_seconds: float = 1.5  # the owner renews its leases (and says it is alive) this often
    redis_outbox: int = 10_000  # messages waiting to be published to Redis; beyond this, frames are dropped
