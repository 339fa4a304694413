"""How busy the server is with pictures, so that frames never crowd out training and control messages.

Frames cost a fixed amount each (build, pack, send); with many pages at 60 frames/s they alone would fill the
event loop and every control message would queue behind them. So the frame interval stretches with the measured
cost times the number of pages, keeping frames to a share of the time (training takes what is left, in short
turns: scheduler.py). With few pages nothing stretches: 60 frames/s each.

The cost is CPU time (clients.py measures it), not wall time: wall time across a send counted whatever else ran
meanwhile, a slow reader's drain and, on a busy machine, other processes' turns, and stretched frames for
that. Measured with py-spy and thread_time on 2 cores: a frame for a session's own page cost about 0.3 ms
(a forward and backward pass on the next batch, selecting, packing, writing; a playing frame now shows the
update just made, whose pass the training already did); a frame that pages of one session share costs the
others only the write. Fifty pages at 30 frames/s thus need about half of the loop: hence a
half share for frames (training slows when many pages watch; frames do not).
"""

from __future__ import annotations

import time

from .settings import Settings


class MeanCost:
    """The mean CPU cost of one frame (or map), over windows of about a second.

    Not a moving average of single costs: those are heavy-tailed (of 300 viewers' frames in a tick one packs
    the frame, 600 µs, and the others only write it, 30-60 µs), and an average with weight 0.05 swung with
    each pack from 80 to 560 µs while the mean stayed near 60: viewers got 4 to 30 frames/s from run to run
    (bench/server.py). A window's mean weighs every frame alike."""

    WINDOW_SECONDS = 1.0

    def __init__(self, guess: float) -> None:
        self.seconds = guess
        self._sum, self._count, self._since = 0.0, 0, time.monotonic()

    def add(self, seconds: float) -> None:
        self._sum += seconds
        self._count += 1
        now = time.monotonic()
        if now - self._since >= self.WINDOW_SECONDS:
            # Half the old value: a window of few frames (a slow page) does not swing the estimate alone.
            self.seconds = 0.5 * self.seconds + 0.5 * self._sum / self._count
            self._sum, self._count, self._since = 0.0, 0, now


class Load:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clients = 0  # connected pages
        self.hidden = 0  # of those, the pages hidden in the background: sent no pictures, they cost none
        self.frames = MeanCost(2e-4)  # CPU of one frame to one page (build + pack + send; build and pack shared)
        self.grids = MeanCost(2e-4)

    def measured_frame(self, seconds: float) -> None:
        self.frames.add(seconds)

    def measured_grid(self, seconds: float) -> None:
        self.grids.add(seconds)

    @property
    def watching(self) -> int:
        """The pages that are sent pictures."""
        return self.clients - self.hidden

    def frame_interval(self) -> float:
        s = self.settings
        return max(1.0 / s.display_hz, self.watching * self.frames.seconds / s.frame_share)

    def grid_interval(self) -> float:
        s = self.settings
        return max(1.0 / s.grid_hz, self.watching * self.grids.seconds / s.grid_share)
