"""Server settings: every limit a user can hit is here, with a default a classroom needs."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Settings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    # Origins besides the page's own that may open the WebSocket ("*" for any).
    allowed_origins: list[str] = Field(default_factory=list)
    grace_seconds: float = 600.0  # a session with no connection lives this long before it is reaped
    reap_every_seconds: float = 30.0
    max_sessions: int = 200
    max_hidden_layers: int = 6
    max_neurons: int = 32  # per layer
    max_points: int = 5000
    max_surface_resolution: int = 100
    grid_resolution: int = 40  # the decision map's cells per side
    display_hz: float = 60.0  # frames per second to each client, at most
    grid_hz: float = 10.0  # decision maps per second to each client, at most
    surface_refresh_seconds: float = 1.0  # while training, a shown surface is recomputed this often
    # Shares of the event loop's time for pictures (see server/load.py); training takes what is left.
    frame_share: float = 0.5  # frames to every page (50 pages at 30 frames/s need about half: load.py)
    grid_share: float = 0.1  # decision maps to every page
    grid_every_epoch: bool = False  # compute the decision grid at every epoch end (as TF Playground does)
