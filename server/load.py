"""How busy the server is with pictures, so that frames never crowd out training and control messages.

Frames cost a fixed amount each (build, pack, send); with many pages at 60 frames/s they alone would fill the
event loop and every control message would queue behind them. So the frame interval stretches with the measured
cost times the number of pages, keeping frames to a share of the time (training takes what is left, in short
turns: scheduler.py). With few pages nothing stretches: 60 frames/s each.
"""

from __future__ import annotations

from .settings import Settings


class Load:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clients = 0  # connected pages
        self.frame_seconds = 2e-4  # measured cost of one frame (build + pack + send), moving average
        self.grid_seconds = 2e-4

    def measured_frame(self, seconds: float) -> None:
        self.frame_seconds += 0.05 * (seconds - self.frame_seconds)

    def measured_grid(self, seconds: float) -> None:
        self.grid_seconds += 0.05 * (seconds - self.grid_seconds)

    def frame_interval(self) -> float:
        s = self.settings
        return max(1.0 / s.display_hz, self.clients * self.frame_seconds / s.frame_share)

    def grid_interval(self) -> float:
        s = self.settings
        return max(1.0 / s.grid_hz, self.clients * self.grid_seconds / s.grid_share)
