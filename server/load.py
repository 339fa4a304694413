"""How busy the server is with pictures, so that frames never crowd out training and control messages.

Frames cost a fixed amount each (build, pack, send); with many pages at 60 frames/s they alone would fill the
event loop and every control message would queue behind them. So the frame interval stretches with the measured
cost times the number of pages, keeping frames to a share of the time (training takes what is left, in short
turns: scheduler.py). With few pages nothing stretches: 60 frames/s each.

The cost is CPU time (clients.py measures it), not wall time: wall time across a send counted whatever else ran
meanwhile, a slow reader's drain and, on a busy machine, other processes' turns, and stretched frames for
that. Measured with py-spy and thread_time on 2 cores: a frame for a session's own page costs about 0.3 ms
(a forward and backward pass on the last batch, selecting, packing, writing); a frame that pages of one session
share costs the others only the write. Fifty pages at 30 frames/s thus need about half of the loop: hence a
half share for frames (training slows when many pages watch; frames do not).
"""

from __future__ import annotations

from .settings import Settings


class Load:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clients = 0  # connected pages
        self.frame_seconds = 2e-4  # measured CPU cost of one frame (build + pack + send), moving average
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
