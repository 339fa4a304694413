"""Stepping back: a bounded history of a trainer's updates, from which any kept update is restored exactly.

Storing every update's full state (weights, the optimizer's memory, the last change) would cost 4 vectors of
n_params floats an update: 175 KB for the largest network a session allows, 175 MB for 1,000 updates. So the
history keeps a *keyframe* every ``every`` updates, in preallocated float64 rings sized to a byte budget, and
reaches the updates between keyframes by replaying them: training is deterministic (the same weights,
optimizer state, batch order and random generator give the same update, bit for bit), so a restored keyframe
replayed u updates *is* the state u updates later.

A keyframe is taken before an update starts and holds everything that update reads:
  the weights, the optimizer's state vectors and step count t, the last change Δ (shown on the page),
  the epoch, the cursor in the epoch's order, the random generator's state before it drew that order
  (the order itself is drawn again from it, which leaves the generator exactly where it was), the last batch.
Beside the keyframes, a log of the settings in force for each update (optimizer hyperparameters and learning-rate
schedule at the moment the update applied them, the batch size that drew its batch), so that a replay uses the
settings of the time.

After stepping back, the updates ahead stay kept (the *redo branch*, up to ``head``): going forward replays
them. A new update that runs with other settings than the kept one starts a new branch: the kept updates
ahead are dropped (``forget_ahead``), and new updates follow the new settings.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .schedules import Schedule
    from .trainer import Trainer

Array = np.ndarray

DEPTH = 1000  # updates that can always be stepped back over
BUDGET_BYTES = 4 * 2**20  # the keyframe rings of one trainer, at most
LEAST_EVERY = 10  # a keyframe costs more than replaying a small network's update: at most 9 replayed to step back
MAX_STATE_VECTORS = 2  # Adam keeps two (m and v); momentum, Nesterov and RMSprop one; plain descent none

Settings = tuple[tuple[tuple[str, float], ...], int | None, "Schedule"]  # (hyperparameters, batch size, schedule)


def keyframe_bytes(n_params: int) -> int:
    """Bytes of one keyframe's vectors: the weights, the last change and up to two optimizer state vectors."""
    return 8 * n_params * (2 + MAX_STATE_VECTORS)


def plan(n_params: int, depth: int = DEPTH, budget: int = BUDGET_BYTES, least_every: int = LEAST_EVERY
         ) -> tuple[int, int]:
    """(keyframes kept, updates between keyframes) so that at least ``depth`` updates stay reachable within
    ``budget`` bytes: with c keyframes ``every`` apart, the oldest is at least (c − 2)·every ≥ depth back."""
    capacity = max(3, min(depth + 2, budget // keyframe_bytes(n_params)))
    every = max(math.ceil(depth / (capacity - 2)), min(least_every, depth))
    return math.ceil(depth / every) + 2, every


class Rewind:
    def __init__(
        self, n_params: int, depth: int = DEPTH, budget: int = BUDGET_BYTES, least_every: int = LEAST_EVERY
    ) -> None:
        if depth < 1:
            raise ValueError(f"depth: expected at least 1 update, got {depth}")
        self.n_params = n_params
        self.depth = depth
        self.capacity, self.every = plan(n_params, depth, budget, least_every)
        self._theta = np.empty((self.capacity, n_params))
        self._change = np.empty((self.capacity, n_params))
        self._state = np.empty((self.capacity, MAX_STATE_VECTORS, n_params))
        self._meta: list[dict[str, Any] | None] = [None] * self.capacity
        self.clear()

    @property
    def nbytes(self) -> int:
        return self._theta.nbytes + self._change.nbytes + self._state.nbytes

    def clear(self) -> None:
        self._start = 0  # ring slot of the oldest keyframe
        self._count = 0
        self._steps: list[int] = []  # keyframe steps, oldest first (a mirror of the ring's order)
        self._settings: list[tuple[int, Settings]] = []  # (first update's step, settings), in step order
        self.head = 0  # the last update that can be reached (beyond the current one after stepping back)
        self._applied: Settings | None = None  # the settings a restore or replay last put in force

    # -- what can be reached --------------------------------------------------------------------------

    @property
    def first(self) -> int:
        """The oldest update that can be restored."""
        return self._steps[0] if self._steps else self.head

    # -- called by the trainer as it trains -----------------------------------------------------------

    def before_update(self, trainer: Trainer) -> None:
        """An update is about to draw its batch: on the kept branch, follow the settings it was made with
        (unless they were changed since stepping back: then the branch goes); take a keyframe if one is due."""
        s = trainer.step_count
        if self.head > s:
            if _settings_of(trainer) == self._applied:
                self._applied = self.settings_at(s)
                self._apply_settings(trainer, self._applied)
            else:
                self.forget_ahead(s)
        k = bisect.bisect_right(self._steps, s)
        if k and (self._steps[k - 1] == s or s - self._steps[k - 1] < self.every):
            return
        if k < len(self._steps):  # keyframes ahead of a point that had none: a branch of its own
            self._drop_keyframes_after(s)
        self._capture(trainer)

    def commit(self, trainer: Trainer, batch_size: int | None) -> None:
        """The update at ``trainer.step_count`` applies its change now, with these settings."""
        s = trainer.step_count
        optimizer = trainer.optimizer
        settings: Settings = (tuple(optimizer.settings().items()), batch_size, optimizer.schedule)
        if self.head <= s and self._settings and self._settings[-1][1] == settings:
            return  # the usual case while training on: the settings logged last are still in force
        if self.head > s and self.settings_at(s) != settings:
            self.forget_ahead(s)
        if self.settings_at(s) != settings:
            self._settings = [e for e in self._settings if e[0] < s]
            self._settings.append((s, settings))

    def after_update(self, trainer: Trainer) -> None:
        self.head = max(self.head, trainer.step_count)

    def forget_ahead(self, step: int) -> None:
        """Drop the kept updates after ``step`` (the redo branch): new updates will not replay them."""
        self.head = step
        self._drop_keyframes_after(step)
        self._settings = [e for e in self._settings if e[0] <= step]

    # -- restoring ------------------------------------------------------------------------------------

    def settings_at(self, step: int) -> Settings | None:
        """The settings in force for the update that starts at ``step`` (the last ones logged by then)."""
        k = bisect.bisect_right(self._settings, step, key=lambda e: e[0])
        return self._settings[k - 1][1] if k else None

    def check_reachable(self, target: int, field: str = "step") -> None:
        if target < self.first:
            kept = f"the last {self.head - self.first:,} updates are kept"
            raise ValueError(f"{field}: the history goes back to update {self.first:,} ({kept}); got {target:,}")
        if target > self.head:
            raise ValueError(
                f"{field}: only updates up to {self.head:,} have been made and can be replayed; got {target:,}"
            )

    def restore(self, trainer: Trainer, target: int) -> None:
        """Put the trainer in the state it had after update ``target`` (its keyframe, then a silent replay)."""
        self.check_reachable(target)
        k = bisect.bisect_right(self._steps, target) - 1
        self._load(trainer, (self._start + k) % self.capacity)
        with np.errstate(all="ignore"):
            while trainer.step_count < target:
                self._apply_settings(trainer, self.settings_at(trainer.step_count))
                trainer._silent_update()
        self._applied = self.settings_at(target)
        self._apply_settings(trainer, self._applied)

    # -- the ring -------------------------------------------------------------------------------------

    def _capture(self, trainer: Trainer) -> None:
        if self._count == self.capacity:  # the oldest goes; the settings it needed go with it
            self._start = (self._start + 1) % self.capacity
            self._count -= 1
            self._steps.pop(0)
            oldest = self._steps[0]
            keep = max(bisect.bisect_right(self._settings, oldest, key=lambda e: e[0]) - 1, 0)
            del self._settings[:keep]
        slot = (self._start + self._count) % self.capacity
        model, optimizer = trainer.model, trainer.optimizer
        self._theta[slot] = model.flat()
        changes = trainer.last_changes
        change_layout = tuple((name, a.shape) for name, a in changes.items())
        if changes:
            flat = np.concatenate([a.ravel() for a in changes.values()])
            self._change[slot, : flat.size] = flat
        keys = tuple(optimizer.state)
        if len(keys) > MAX_STATE_VECTORS:
            raise ValueError(f"optimizer: keeps {len(keys)} state vectors; the history holds {MAX_STATE_VECTORS}")
        sizes = []
        for i, key in enumerate(keys):
            vector = optimizer.state[key]
            self._state[slot, i, : vector.size] = vector
            sizes.append(vector.size)
        self._meta[slot] = {
            "step": trainer.step_count, "epoch": trainer.epoch, "cursor": trainer._cursor,
            "order_state": trainer._order_state,
            "last_batch": trainer.last_batch.copy(), "change_layout": change_layout,
            "t": optimizer.t, "state": tuple(zip(keys, sizes, strict=True)),
            "layout": (optimizer._layout, list(optimizer._layout_spans)),
        }
        self._count += 1
        self._steps.append(trainer.step_count)

    def _load(self, trainer: Trainer, slot: int) -> None:
        meta = self._meta[slot]
        assert meta is not None
        model, optimizer = trainer.model, trainer.optimizer
        model.set_flat(self._theta[slot])
        offset, changes = 0, {}
        for name, shape in meta["change_layout"]:
            size = math.prod(shape)
            changes[name] = self._change[slot, offset : offset + size].reshape(shape).copy()
            offset += size
        optimizer.state = {key: self._state[slot, i, :size].copy() for i, (key, size) in enumerate(meta["state"])}
        optimizer.t = meta["t"]
        optimizer._layout, spans = meta["layout"]
        optimizer._layout_spans = list(spans)
        trainer._restore_position(
            meta["step"], meta["epoch"], meta["cursor"], meta["order_state"], meta["last_batch"].copy(), changes
        )

    def _drop_keyframes_after(self, step: int) -> None:
        keep = bisect.bisect_right(self._steps, step)
        del self._steps[keep:]
        self._count = keep

    @staticmethod
    def _apply_settings(trainer: Trainer, settings: Settings | None) -> None:
        if settings is None:
            return
        hyper, batch_size, schedule = settings
        for name, value in hyper:
            setattr(trainer.optimizer, name, value)
        trainer.optimizer.schedule = schedule
        trainer.batch_size = batch_size


def _settings_of(trainer: Trainer) -> Settings:
    optimizer = trainer.optimizer
    return tuple(optimizer.settings().items()), trainer.batch_size, optimizer.schedule
