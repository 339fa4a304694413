"""Training one update at a time, as phases a person can stop at, or many updates at full speed.

An update is: forward (the batch through every layer), backward (one layer at a time, output layer first),
update (the optimizer's step). ``next_phase()`` runs one of them and returns a ``Phase`` holding plain arrays;
``step()`` finishes the update in progress; ``run(n)`` runs n updates keeping only the logs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .curvature import Curvature, divergence_note
from .datasets import Dataset
from .history import DecimatingLog
from .network import Gradients, Network, Trace
from .optimizers import Optimizer
from .rewind import BUDGET_BYTES as REWIND_BYTES
from .rewind import Rewind

Array = np.ndarray


class DivergedError(RuntimeError):
    """Training produced a non-finite number; the trainer refuses to go on until it is reset."""


@dataclass
class Phase:
    """What one phase of an update leaves to look at. Arrays are per example of the batch.

    kind: 'forward', 'backward' or 'update'; layer: for 'backward', the weight layer l whose delta is new.
    delta[l] is None for layers the backward pass has not reached yet.
    """

    kind: str
    step: int  # the update this phase belongs to (1 for the first update)
    batch: Array  # indices into the training set
    trace: Trace
    batch_loss: float
    layer: int | None = None
    delta: list[Array | None] = field(default_factory=list)
    grad_weights: list[Array | None] = field(default_factory=list)
    grad_biases: list[Array | None] = field(default_factory=list)
    changes: dict[str, Array] = field(default_factory=dict)  # Δ per parameter name, after 'update'
    # The flat weights the update started from (its forward and backward passes used them), and the optimizer as
    # the step found it: {"name", "settings", "t", "state": {name: vector copy}}; the latter on 'update' only.
    weights_before: Array | None = None
    optimizer_before: dict | None = None

    def neurons(self, k: int | None = None) -> dict[str, Any]:
        """Per-neuron net, o and delta of batch position ``k`` (None: the mean over the batch), each kind's layers
        one after another in one vector: net and o of every layer of neurons (0 is the input), delta of the
        layers the backward pass has reached, listed in ``reached`` (delta[l] belongs to the neurons weights[l]
        feeds). One vector a kind, not one a layer: a frame takes them so, and the per-layer arrays' overhead
        cost more than the sums themselves (bench/server.py)."""

        def pick(arrays: list[Array]) -> Array:
            if k is not None:
                return np.concatenate([a[k] for a in arrays])
            # add.reduce then divide is what ndarray.mean does inside (the same bits) without its bookkeeping.
            # Layer by layer: numpy sums a one-column array in another order than a column of a wider one.
            return np.concatenate([np.add.reduce(a, axis=0) for a in arrays]) / arrays[0].shape[0]

        reached = tuple(l for l, d in enumerate(self.delta) if d is not None)
        return {
            "net": pick(self.trace.net),
            "o": pick(self.trace.o),
            "delta": pick([self.delta[l] for l in reached]) if reached else np.empty(0),
            "reached": reached,
        }


class PhasedUpdates:
    """An update as a generator of phases, run one phase at a time or whole: what the feed-forward Trainer and
    the char-RNN's share. A subclass sets ``_phases = None``, ``last_phase``, ``diverged`` and yields its
    phases from ``_update_phases()``, the last one of kind 'update'."""

    def next_phase(self) -> Any:  # each trainer's own phase type
        """Run the next phase of the current update (starting a new update if none is under way)."""
        self._check_alive()
        if self._phases is None:
            self._phases = self._update_phases()
        with np.errstate(all="ignore"):
            phase = next(self._phases)
        if phase.kind == "update":
            self._phases = None
        self.last_phase = phase
        return phase

    @property
    def in_update(self) -> bool:
        return self._phases is not None

    def step(self) -> Any:
        """Finish the update under way, or run one whole update; return its 'update' phase."""
        phase = self.next_phase()
        while phase.kind != "update":
            phase = self.next_phase()
        return phase

    def rest(self) -> None:
        """Let go of the update last shown, unless one is under way: at rest, what is shown is the next update
        (its batch, at the weights now), as after a reset. Stopping a run does this, so a pause previews the
        step that comes next."""
        if self._phases is None:
            self.last_phase = None

    def _check_alive(self) -> None:
        if self.diverged is not None:
            raise DivergedError(self.diverged)


class Trainer(PhasedUpdates):
    """Owns a model, its optimizer, the data and the logs of a training run.

    batch_size: 1 (stochastic), k (mini-batches of k, reshuffled each epoch with ``seed``) or None (full batch).
    record_every: record train and test loss every this many updates (None: once per epoch).
    """

    def __init__(
        self,
        model: Network,
        optimizer: Optimizer,
        data: Dataset,
        batch_size: int | None = None,
        seed: int = 0,
        record_every: int | None = None,
        history_size: int = 2000,
        trajectory_size: int = 2000,
        rewind_bytes: int = REWIND_BYTES,
    ) -> None:
        self.model = model
        self.optimizer = optimizer
        self.data = data
        encoding = getattr(model, "target_encoding", "pm1")
        self.X_train, self.T_train = data.X_train, data.targets(encoding, "train")
        self.X_test, self.T_test = data.X_test, data.targets(encoding, "test")
        if self.X_train.shape[1] != model.sizes[0]:
            raise ValueError(f"sizes: the data has {self.X_train.shape[1]} inputs, the network {model.sizes[0]}")
        if self.T_train.shape[1] != model.sizes[-1]:
            raise ValueError(
                f"sizes: the data needs {self.T_train.shape[1]} outputs, the network has {model.sizes[-1]}"
            )
        self.seed = seed
        self.batch_size = batch_size
        self.record_every = record_every
        self.history = DecimatingLog(history_size, 2)  # rows: (train loss, test loss)
        self.trajectory = DecimatingLog(trajectory_size, model.n_params)
        # The kept updates, for stepping back (see engine/rewind.py), in at most rewind_bytes of keyframes.
        self.rewind = Rewind(model.n_params, budget=rewind_bytes)
        self._initial = model.flat()
        self.reset()

    # -- state --------------------------------------------------------------------------------------------

    @property
    def history_columns(self) -> tuple[str, str | None]:
        """What the loss history's two columns hold, in words (None: not measured, as without a test set)."""
        return ("training loss", "test loss" if len(self.X_test) else None)

    @property
    def n_train(self) -> int:
        return len(self.X_train)

    @property
    def batch_size(self) -> int | None:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        # Takes effect at the next batch drawn; the epoch's order is kept.
        if value is not None and not (isinstance(value, int | np.integer) and 1 <= value):
            raise ValueError(f"batch_size: expected a whole number ≥ 1 or None (full batch), got {value!r}")
        self._batch_asked = value  # kept: new data of another size clamps it again (set_data)
        self._batch_size = None if value is None or value >= self.n_train else int(value)

    @property
    def updates_per_epoch(self) -> int:
        return 1 if self._batch_size is None else math.ceil(self.n_train / self._batch_size)

    def reset(self) -> None:
        """Back to the starting weights, the first epoch and empty logs; the same run can be replayed exactly."""
        self.model.set_flat(self._initial)
        self.optimizer.reset()
        self._rng = np.random.default_rng(self.seed)
        self.step_count = 0
        self.epoch = 0
        self._order_state = self._rng.bit_generator.state  # what drew the order: the history redraws it
        self._order = self._rng.permutation(self.n_train)
        self._cursor = 0
        self.last_batch = np.arange(min(self._batch_size or self.n_train, self.n_train))
        self._phases: Iterator[Phase] | None = None
        self.last_phase: Phase | None = None
        self.last_changes: dict[str, Array] = {}
        self.diverged: str | None = None
        # The newest λmax estimate (engine/curvature.py), set by whoever measures it: a diverged run's message
        # then says which stability limit the η in force crossed.
        self.curvature: Curvature | None = None
        self.history.clear()
        self.trajectory.clear()
        self.rewind.clear()
        self.trajectory.offer(0, self._initial)  # the path starts where training starts
        self._record(force=True)

    def set_data(self, data: Dataset) -> None:
        """Train on ``data`` from the next update on (a point drawn, moved or removed), keeping the weights, the
        optimizer's state, the update count and the epoch count. An update whose phases are under way is
        abandoned (its batch came from the old data); the current epoch starts again with a fresh order drawn
        over the new training set; the batch size asked for is clamped to it again. The kept updates for stepping
        back are dropped (they were made on other data): stepping back reaches this point and no further. The
        loss log gets a point at once, so the jump the new data makes is seen."""
        encoding = getattr(self.model, "target_encoding", "pm1")
        X_train, T_train = data.X_train, data.targets(encoding, "train")
        if X_train.shape[1] != self.model.sizes[0] or T_train.shape[1] != self.model.sizes[-1]:
            raise ValueError(f"data: {X_train.shape[1]} inputs and {T_train.shape[1]} outputs; the network has "
                             f"{self.model.sizes[0]} and {self.model.sizes[-1]}")
        if len(X_train) == 0:
            raise ValueError("data: the training set needs at least one point")
        if self.in_update:
            self.seek(self.step_count)
        self.data = data
        self.X_train, self.T_train = X_train, T_train
        self.X_test, self.T_test = data.X_test, data.targets(encoding, "test")
        self.batch_size = self._batch_asked
        self._order_state = self._rng.bit_generator.state
        self._order = self._rng.permutation(self.n_train)
        self._cursor = 0
        self.last_batch = np.arange(min(self._batch_size or self.n_train, self.n_train))
        self.last_phase = None
        self.rewind.clear()
        self.rewind.head = self.step_count
        self._record(force=True)

    # -- batches ------------------------------------------------------------------------------------------

    def _next_batch(self) -> Array:
        self.last_batch = self._draw_batch()
        return self.last_batch

    def _draw_batch(self) -> Array:
        if self._batch_size is None:
            self.epoch += 1
            return np.arange(self.n_train)
        batch = self._order[self._cursor : self._cursor + self._batch_size]
        self._cursor += len(batch)
        if self._cursor >= self.n_train:
            self.epoch += 1
            self._order_state = self._rng.bit_generator.state
            self._order = self._rng.permutation(self.n_train)
            self._cursor = 0
        return batch

    def peek_batch(self) -> Array:
        """The indices the next update will draw, without drawing them (nothing random is consumed)."""
        if self._phases is not None and self.last_phase is not None:
            return self.last_phase.batch  # an update is under way: its batch is drawn
        if self._batch_size is None:
            return np.arange(self.n_train)
        return self._order[self._cursor : self._cursor + self._batch_size].copy()

    @property
    def at_epoch_end(self) -> bool:
        """Whether the last batch drawn finished an epoch (every batch does, in full-batch mode)."""
        return self._batch_size is None or self._cursor == 0

    @property
    def updates_to_epoch_end(self) -> int:
        if self._batch_size is None:
            return 1
        return math.ceil((self.n_train - self._cursor) / self._batch_size)

    @property
    def epoch_progress(self) -> float:
        """Epochs completed, with the fraction of the current one."""
        return self.epoch + (self._cursor / self.n_train if self._batch_size is not None else 0.0)

    # -- phases -------------------------------------------------------------------------------------------

    def _update_phases(self) -> Iterator[Phase]:
        # Runs under next_phase's np.errstate: a context held across a yield would be left in another
        # context (another asyncio task, say) than the one it was entered in, which NumPy refuses.
        model = self.model
        step = self.step_count + 1
        self.rewind.before_update(self)
        batch_size = self._batch_size
        batch = self._next_batch()
        before = model.flat()
        X, T = self.X_train[batch], self.T_train[batch]
        trace = model.forward(X)
        batch_loss = model.mean_error(trace, T)
        L = model.n_layers
        phase = Phase("forward", step, batch, trace, batch_loss, None, [None] * L, [None] * L, [None] * L, {}, before)
        yield phase
        for l, delta, gw, gb in model.backward_layers(trace, T):
            phase = Phase(
                "backward", step, batch, trace, batch_loss, l,
                phase.delta.copy(), phase.grad_weights.copy(), phase.grad_biases.copy(), {}, before,
            )
            phase.delta[l], phase.grad_weights[l], phase.grad_biases[l] = delta, gw, gb
            yield phase
        grads = Gradients(phase.delta, phase.grad_weights, phase.grad_biases, trace.o[:-1])  # type: ignore[arg-type]
        self.rewind.commit(self, batch_size)
        opt = self.optimizer
        optimizer_before = opt.snapshot()
        changes = opt.step(model, grads)
        self.step_count = step
        self.last_changes = changes
        self.rewind.after_update(self)
        self._after_update(batch_loss)
        update = Phase(
            "update", step, batch, trace, batch_loss, None,
            phase.delta, phase.grad_weights, phase.grad_biases, changes, before, optimizer_before,
        )
        yield update

    def run(self, n: int) -> int:
        """Run n whole updates with no snapshots (finishing any update under way first). Returns updates done;
        fewer than n only when training diverged. The last update is kept as ``last_phase``, as ``step`` keeps
        its own: its forward and backward pass, at the weights it started from, and the change it made. That
        is what a frame shows while playing, without a pass of its own (issue 8)."""
        done, shown = 0, None
        if self._phases is not None and n > 0:
            shown = self.step()
            done = 1
        model, optimizer, rewind = self.model, self.optimizer, self.rewind
        recorded: tuple[Trace, float] | None = None
        with np.errstate(all="ignore"):
            while done < n and self.diverged is None:
                kept = done == n - 1
                if kept:
                    before, optimizer_before = model.flat(), optimizer.snapshot()
                rewind.before_update(self)
                batch_size = self._batch_size
                batch = self._next_batch()
                if self._batch_size is None:
                    # The whole set in order: no copy. And when the last update logged the training loss, that
                    # forward pass already ran at these very weights (nothing else runs inside this loop).
                    X, T = self.X_train, self.T_train
                    if recorded is not None:
                        trace, batch_loss = recorded
                    else:
                        trace = model.forward(X)
                        batch_loss = model.mean_error(trace, T)
                else:
                    X, T = self.X_train[batch], self.T_train[batch]
                    trace = model.forward(X)
                    batch_loss = model.mean_error(trace, T)
                grads = model.backward(trace, T)
                rewind.commit(self, batch_size)
                self.last_changes = changes = optimizer.step(model, grads)
                self.step_count += 1
                rewind.after_update(self)
                done += 1
                recorded = self._after_update(batch_loss)
                if kept:
                    shown = Phase("update", self.step_count, batch, trace, batch_loss, None, grads.delta,
                                  grads.weights, grads.biases, changes, before, optimizer_before)
        self.last_phase = shown if done == n else None  # cut short by divergence: no update is shown whole
        return done

    # -- stepping back and forward ---------------------------------------------------------------------

    @property
    def history_range(self) -> tuple[int, int]:
        """(first, last): the updates that can be returned to; last > step_count after stepping back."""
        return self.rewind.first, self.rewind.head

    def back(self, k: int = 1) -> None:
        """Return to the state after update step_count − k, exactly (an update under way is abandoned first,
        and counts as the first of the k). The loss log and the trajectory drop what came after it."""
        if not (isinstance(k, int | np.integer) and k >= 1):
            raise ValueError(f"steps: expected a whole number ≥ 1, got {k!r}")
        target = self.step_count - int(k) + (1 if self.in_update else 0)
        if target < self.rewind.first:
            most = self.step_count - self.rewind.first + (1 if self.in_update else 0)
            raise ValueError(
                f"steps: can go back at most {most:,} update{'s' if most != 1 else ''} from here (the history "
                f"goes back to update {self.rewind.first:,}); got {k:,}"
            )
        self.seek(target)

    def forward(self, k: int = 1) -> Phase:
        """Replay the next k kept updates (after stepping back); returns the last one's 'update' phase. With
        the settings unchanged this is the same computation as the first time, so the same numbers, bit for
        bit."""
        ahead = self.rewind.head - self.step_count
        if not (isinstance(k, int | np.integer) and 1 <= k <= max(ahead, 0)):
            raise ValueError(
                f"steps: {ahead:,} kept update{'s' if ahead != 1 else ''} ahead to replay, got {k!r}"
                if ahead > 0 else "steps: there is no kept update ahead to replay (step back first)"
            )
        self.run(int(k) - 1)
        return self.step()

    def seek(self, step: int) -> None:
        """Go to the state after update ``step``: back (restored) or forward (replayed)."""
        if not isinstance(step, int | np.integer):
            raise ValueError(f"step: expected a whole number, got {step!r}")
        self.rewind.check_reachable(int(step))
        if step > self.step_count:
            self.forward(int(step) - self.step_count)
            return
        if step == self.step_count and not self.in_update:
            return
        self.rewind.restore(self, int(step))
        self.history.truncate_after(self.step_count)
        self.trajectory.truncate_after(self.step_count)
        self.record_losses()

    def _restore_position(
        self, step: int, epoch: int, cursor: int, order_state: dict, last_batch: Array, changes: dict[str, Array]
    ) -> None:
        """Called by the history with a keyframe's place in the data; the order is drawn again from the random
        generator's state before it was drawn, which leaves the generator where it was."""
        self.step_count, self.epoch, self._cursor = step, epoch, cursor
        self._rng = np.random.default_rng()
        self._rng.bit_generator.state = order_state
        self._order_state = order_state
        self._order = self._rng.permutation(self.n_train)
        self.last_batch, self.last_changes = last_batch, changes
        self._phases, self.last_phase, self.diverged = None, None, None

    def _silent_update(self) -> None:
        """One update with no logs and no history: the arithmetic of ``step`` and ``run``, for replays."""
        batch = self._next_batch()
        X, T = self.X_train[batch], self.T_train[batch]
        model = self.model
        trace = model.forward(X)
        self.last_changes = self.optimizer.step(model, model.backward(trace, T))
        self.step_count += 1

    # -- logs and divergence ------------------------------------------------------------------------------

    def _after_update(self, batch_loss: float) -> tuple[Trace, float] | None:
        """Check for divergence and log; returns the training set's trace and loss when it logged them."""
        params = self.model.flat()
        # A finite sum means every parameter is finite (inf and NaN propagate); only if not, look closer.
        finite = math.isfinite(float(np.add.reduce(params))) or bool(np.isfinite(params).all())
        if not (math.isfinite(batch_loss) and finite):
            self.diverged = (
                f"Training diverged at update {self.step_count}: the loss or a weight became "
                f"{'infinite' if np.isinf(params).any() or math.isinf(batch_loss) else 'not a number'}. "
                "Step back to before it diverged (or reset) and try a smaller learning rate."
            )
            if self.curvature is not None:
                opt = self.optimizer
                note = divergence_note(self.curvature, opt.eta, opt.name, getattr(opt, "momentum", 0.0))
                self.diverged += " " + note
        self.trajectory.offer(self.step_count, params)
        due = self.at_epoch_end if self.record_every is None else self.step_count % self.record_every == 0
        if due or self.diverged:
            return self._record(force=self.diverged is not None)
        return None

    def _record(self, force: bool = False) -> tuple[Trace, float]:
        # Keeps the training set's forward pass for run() to reuse.
        trace, train, test = self._measure()
        self.history.offer(self.step_count, np.array([train, test]), force=force)
        return trace, train

    def _measure(self) -> tuple[Trace, float, float]:
        """The training set's forward pass, and train and test loss now (test is NaN without a test set)."""
        with np.errstate(all="ignore"):
            trace = self.model.forward(self.X_train)
            train = self.model.mean_error(trace, self.T_train)
            test = self.model.loss(self.X_test, self.T_test) if len(self.X_test) else math.nan
        return trace, train, test

    # -- looking closer -----------------------------------------------------------------------------------

    def example(self, k: int) -> tuple[Trace, Gradients]:
        """Forward and backward of training example ``k`` alone, with the weights as they are now."""
        if not 0 <= k < self.n_train:
            raise ValueError(f"example: expected an index in 0..{self.n_train - 1}, got {k}")
        X, T = self.X_train[k : k + 1], self.T_train[k : k + 1]
        with np.errstate(all="ignore"):
            trace = self.model.forward(X)
            return trace, self.model.backward(trace, T)

    def record_losses(self) -> None:
        """Log train and test loss at this update if the log does not have it yet: for a person stepping one
        update at a time, who should see each point (playing, the log keeps its own pace)."""
        if self.history.size == 0 or self.history.steps[-1] != self.step_count:
            self._record(force=True)

    def losses(self) -> tuple[float, float]:
        """Train and test loss now (test is NaN without a test set)."""
        _, train, test = self._measure()
        return train, test
