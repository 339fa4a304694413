"""Bounded logs for long runs: the loss history and the parameter trajectory.

When a log is full it keeps every other row and from then on records only every second offer, so a run of
any length fits in fixed memory and still spans its whole history evenly (as a down-sampled plot would).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


class DecimatingLog:
    """Rows of ``width`` floats tagged with the update step they were taken at; at most ``capacity`` rows."""

    def __init__(self, capacity: int, width: int) -> None:
        if capacity < 2:
            raise ValueError(f"capacity: need at least 2 rows, got {capacity}")
        self.capacity = capacity
        self._steps = np.zeros(capacity, dtype=np.int64)
        self._seqs = np.zeros(capacity, dtype=np.int64)
        self._rows = np.zeros((capacity, width), dtype=np.float64)
        self.size = 0
        self.stride = 1  # record one offer in every `stride`
        self.offered = 0
        self.recorded = 0  # sequence number of the newest row, for "what is new since" queries

    def offer(self, step: int, row: Array, force: bool = False) -> bool:
        """Record the row if this offer falls on the stride (or ``force``); return whether it was kept."""
        keep = force or self.offered % self.stride == 0
        self.offered += 1
        if not keep:
            return False
        if self.size == self.capacity:
            self._halve()
        self._steps[self.size] = step
        self._rows[self.size] = row
        self.recorded += 1
        self._seqs[self.size] = self.recorded
        self.size += 1
        return True

    def _halve(self) -> None:
        keep = slice(0, self.size, 2)
        n = len(range(*keep.indices(self.size)))
        self._steps[:n] = self._steps[keep]
        self._seqs[:n] = self._seqs[keep]
        self._rows[:n] = self._rows[keep]
        self.size = n
        self.stride *= 2

    @property
    def steps(self) -> Array:
        return self._steps[: self.size]

    @property
    def rows(self) -> Array:
        return self._rows[: self.size]

    def since(self, seq: int) -> tuple[Array, Array]:
        """The rows recorded after sequence number ``seq`` that are still kept: (steps, rows)."""
        first = int(np.searchsorted(self._seqs[: self.size], seq, side="right"))
        return self._steps[first : self.size].copy(), self._rows[first : self.size].copy()

    def truncate_after(self, step: int) -> None:
        """Drop the rows taken after update ``step`` (after stepping back); their sequence numbers are not
        reused, so a reader that had them must start again from the whole log."""
        self.size = int(np.searchsorted(self._steps[: self.size], step, side="right"))

    def clear(self) -> None:
        self.size = self.offered = self.recorded = 0
        self.stride = 1
