"""Training the character RNN one window at a time, as phases a person can stop at.

An update is one window of the text (truncated backpropagation through time): forward through the window's
T steps from the hidden state the previous window ended in, backward one time step at a time from the last,
then the optimizer's step (after clipping the gradients' norm). At the end of the text the next window starts
again from its beginning with h_0 = 0. The phases mirror the MLP's Trainer: ``next_phase``, ``step``, ``run``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from .chartext import CharText
from .history import DecimatingLog
from .optimizers import Optimizer
from .rnn import RNN, RNNGradients, RNNTrace, clip_by_norm
from .trainer import PhasedUpdates

Array = np.ndarray

MAX_WINDOW = 100
MAX_SAMPLE = 500


@dataclass
class TimePhase:
    """What one phase of an update leaves to look at.

    kind: 'forward', 'backward' or 'update'; t: for 'backward', the time step (0-based row) whose δ is new.
    dy (T, V), dh and draw (T, H): the δs of the steps reached so far, NaN for steps not reached yet.
    """

    kind: str
    step: int  # the update this phase belongs to (1 for the first)
    start: int  # where the window's first input sits in the text
    trace: RNNTrace
    loss: float
    t: int | None = None
    dy: Array | None = None
    dh: Array | None = None
    draw: Array | None = None
    contributions: dict[str, Array] = field(default_factory=dict)  # step t's share of each gradient
    grads: RNNGradients | None = None  # on 'update': the gradients the step used (after clipping)
    grad_norm: float = math.nan  # ‖g‖ before clipping
    clipped: bool = False
    changes: dict[str, Array] = field(default_factory=dict)


class RNNTrainer(PhasedUpdates):
    """Owns an RNN, its optimizer, the text and the logs. window: T, the steps per update; clip: the largest
    gradient norm (None: no clipping); seed: the sampler's generator."""

    batch_size = None  # one window per update: no batches to choose (read by code that serves both trainers)

    # What the loss history's two columns hold, in words (as the loss CSV names them).
    history_columns = ("window loss", "mean window loss over the last pass")

    def __init__(self, model: RNN, optimizer: Optimizer, text: CharText, window: int = 25,
                 clip: float | None = 5.0, seed: int = 0, history_size: int = 2000,
                 trajectory_size: int = 2000) -> None:
        if text.vocab_size != model.V:
            raise ValueError(f"vocab_size: the text has {text.vocab_size} characters, the network {model.V}")
        if isinstance(window, bool) or not isinstance(window, int | np.integer) or not 1 <= window <= MAX_WINDOW:
            raise ValueError(f"window: expected a whole number of time steps in 1..{MAX_WINDOW}, got {window!r}")
        if len(text.codes) < 2:
            raise ValueError("text: needs at least 2 characters")
        self.model, self.optimizer, self.text = model, optimizer, text
        self.window = int(min(window, len(text.codes) - 1))
        self.clip = check_clip(clip)
        self._windows_per_pass = max(1, (len(text.codes) - 1) // self.window)
        self.seed = seed
        self.history = DecimatingLog(history_size, 2)  # rows: (window loss, loss averaged over the last pass)
        self.trajectory = DecimatingLog(trajectory_size, model.n_params)
        self._initial = model.flat()
        self.reset()

    def reset(self) -> None:
        """Back to the starting weights, the text's beginning, h = 0 and empty logs."""
        self.model.set_flat(self._initial)
        self.optimizer.reset()
        self.step_count = 0
        self.position = 0
        self.passes = 0
        self.h = np.zeros(self.model.H)
        self._phases: Iterator[TimePhase] | None = None
        self.last_phase: TimePhase | None = None
        self.last_changes: dict[str, Array] = {}
        self.diverged: str | None = None
        self._recent: list[float] = []
        self.history.clear()
        self.trajectory.clear()
        self.trajectory.offer(0, self._initial)

    # -- windows -----------------------------------------------------------------------------------------

    @property
    def windows_per_pass(self) -> int:
        return self._windows_per_pass

    def peek_window(self) -> tuple[int, Array, Array, Array]:
        """(start, inputs, targets, h_0) of the next update's window, nothing consumed."""
        codes, T = self.text.codes, self.window
        start, h0 = self.position, self.h
        if start + T + 1 > len(codes):  # the text ends: start again from its beginning, with a fresh state
            start, h0 = 0, np.zeros(self.model.H)
        return start, codes[start : start + T], codes[start + 1 : start + T + 1], h0

    def _take_window(self) -> tuple[int, Array, Array, Array]:
        start, inputs, targets, h0 = self.peek_window()
        if start == 0 and self.step_count > 0:
            self.passes += 1
        self.position = start + self.window
        return start, inputs, targets, h0

    # -- phases ------------------------------------------------------------------------------------------

    def _update_phases(self) -> Iterator[TimePhase]:
        model, step = self.model, self.step_count + 1
        start, inputs, targets, h0 = self._take_window()
        trace = model.forward_checked(inputs, targets, h0)
        loss = trace.loss
        T = trace.steps
        dy, dh, draw = np.full((T, model.V), np.nan), np.full((T, model.H), np.nan), np.full((T, model.H), np.nan)
        yield TimePhase("forward", step, start, trace, loss, None, dy.copy(), dh.copy(), draw.copy())
        steps = []
        for back in model.backward_steps(trace):
            steps.append(back)
            dy[back.t], dh[back.t], draw[back.t] = back.dy, back.dh, back.draw
            yield TimePhase("backward", step, start, trace, loss, back.t, dy.copy(), dh.copy(), draw.copy(),
                            back.contributions)
        grads = model.gradients_from_steps(trace, steps)
        yield self._apply(grads, trace, loss, start, step)

    def _apply(self, grads: RNNGradients, trace: RNNTrace, loss: float, start: int, step: int) -> TimePhase:
        norm = clip_by_norm(grads, self.clip)
        changes = self.optimizer.step(self.model, grads)
        self.h = trace.h_last.copy()  # carried into the next window (truncation: no δ flows back across)
        self.step_count = step
        self.last_changes = changes
        self._after_update(loss)
        return TimePhase("update", step, start, trace, loss, None, grads.dy, grads.dh, grads.draw, {}, grads,
                         norm, self.clip is not None and norm > self.clip, changes)

    def run(self, n: int) -> int:
        """n whole updates, no phases kept (finishing any update under way first); fewer only on divergence."""
        done = 0
        if self._phases is not None and n > 0:
            self.step()
            done = 1
        model = self.model
        with np.errstate(all="ignore"):
            while done < n and self.diverged is None:
                start, inputs, targets, h0 = self._take_window()
                trace = model.forward_checked(inputs, targets, h0)
                self._apply(model.backward(trace), trace, trace.loss, start, self.step_count + 1)
                done += 1
        self.last_phase = None
        return done

    # -- logs --------------------------------------------------------------------------------------------

    def _after_update(self, loss: float) -> None:
        params = self.model.flat()
        if not (math.isfinite(loss) and np.isfinite(params).all()):
            self.diverged = (
                f"Training diverged at update {self.step_count}: the loss or a weight is no longer a finite "
                "number. Reset and try a smaller learning rate or a smaller clip."
            )
        self.trajectory.offer(self.step_count, params)
        self._recent.append(loss)
        if len(self._recent) > self.windows_per_pass:
            del self._recent[0]
        self.history.offer(self.step_count, np.array([loss, float(np.mean(self._recent))]),
                           force=self.diverged is not None)

    def record_losses(self) -> None:
        """Nothing to add: every update is logged as it happens (the feed-forward Trainer logs at its own pace
        while playing, and a person stepping or a run that stops calls this to log the update it stopped at)."""

    def losses(self) -> tuple[float, float]:
        """The loss of the next window with the weights as they are now, and the mean of the last pass's
        window losses (NaN before the first update)."""
        _, inputs, targets, h0 = self.peek_window()
        with np.errstate(all="ignore"):
            now = self.model.loss(inputs, targets, h0)
        return now, float(np.mean(self._recent)) if self._recent else math.nan

    # -- sampling ----------------------------------------------------------------------------------------

    def sample(self, n: int = 200, temperature: float = 1.0, seed: int | None = None, first: str | None = None
               ) -> str:
        """n characters from the network as it is now, after ``first`` (default the text's first character),
        from a fresh state h_0 = 0. The generator is seeded (default: the trainer's seed and step), so the
        same weights, temperature and seed give the same text."""
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= MAX_SAMPLE:
            raise ValueError(f"length: expected a whole number of characters in 1..{MAX_SAMPLE}, got {n!r}")
        rng = np.random.default_rng(self.seed + self.step_count if seed is None else seed)
        start = self.text.codes[0] if first is None else self.text.encode(first)[0]
        with np.errstate(all="ignore"):
            codes = self.model.sample(int(start), int(n), rng, temperature)
        return self.text.chars[int(start)] + self.text.decode(codes)


def check_clip(clip: float | None) -> float | None:
    if clip is None:
        return None
    if isinstance(clip, bool) or not isinstance(clip, int | float) or not (math.isfinite(clip) and clip > 0):
        raise ValueError(f"clip: expected a gradient norm > 0 (or none), got {clip!r}")
    return float(clip)
