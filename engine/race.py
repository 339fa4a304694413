"""An optimizer race: two to four contestants trained in lockstep from the same starting weights on the same
batches, and one plane through weight space, with fixed directions, on which every contestant's path is drawn.

Each contestant is an ordinary ``Trainer`` (its own copy of the network, its own optimizer, the same data, batch
size and seed, so the same shuffled order): its numbers are those of that optimizer run alone, bit for bit. The
race only keeps them in step (whenever the race is looked at, every contestant running has made the same number of
updates) and owns the plane.

>>> race = Race(net, data, [make_optimizer("sgd", lr=0.1), make_optimizer("adam", lr=0.01)], batch_size=10)
>>> race.run(200)
>>> race.set_plane("random", seed=0)       # fixed until asked again
>>> s = race.surface(resolution=50)        # s.loss[j, i] at (s.alpha[i], s.beta[j]); s.paths[k]: contestant k
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .batched_loss import Progress, plane_losses
from .datasets import Dataset
from .directions import Plane, random_plane
from .grid import Span, axis_ranges, check_resolution, path_coordinates
from .landscape import trainer_path
from .network import Network
from .optimizers import Optimizer
from .trainer import Trainer

Array = np.ndarray
MIN_CONTESTANTS, MAX_CONTESTANTS = 2, 4
PLANES = ("random", "endpoints")
SYMBOLS = {"lr": "η", "momentum": "α", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "rho": "ρ", "weight_decay": "λ"}
# As the page's optimizer menu names them (static/js/learning.js).
TITLES = {"sgd": "gradient descent", "momentum": "momentum", "inertia": "momentum (inertia form)",
          "nesterov": "Nesterov momentum", "adam": "Adam", "rmsprop": "RMSprop"}


def contestant_name(optimizer: Optimizer) -> str:
    """Plain words for a contestant: 'momentum η=0.03 α=0.9' (weight decay only when it is on)."""
    settings = optimizer.settings()
    shown = [f"{SYMBOLS[k]}={v:g}" for k, v in settings.items() if k in ("lr", "momentum", "beta1", "rho")
             or (k == "weight_decay" and v)]
    return " ".join([TITLES.get(optimizer.name, optimizer.name), *shown])


@dataclass
class RaceSurface:
    """E over the race's plane. loss[j, i] at (alpha[i], beta[j]) (float32, as every surface); paths[k] (m, 2)
    contestant k's path on the plane (its start first), path_steps[k] their updates, path_distance[k] how far
    each point lies off the plane (parameter units); current (n, 2) where each contestant is now."""

    kind: str
    alpha: Array
    beta: Array
    loss: Array
    plane: Plane
    paths: list[Array]
    path_steps: list[Array]
    path_distance: list[Array]
    current: Array
    axis_labels: tuple[str, str]
    description: str


class Race:
    """Two to four trainers in lockstep. optimizers: one per contestant (the same rule may appear with other
    settings); the trainer options (record_every, history sizes, rewind_bytes) are every contestant's."""

    def __init__(
        self,
        model: Network,
        data: Dataset,
        optimizers: Sequence[Optimizer],
        batch_size: int | None = None,
        seed: int = 0,
        names: Sequence[str] | None = None,
        **trainer_options,
    ) -> None:
        if not MIN_CONTESTANTS <= len(optimizers) <= MAX_CONTESTANTS:
            raise ValueError(f"contestants: a race has {MIN_CONTESTANTS} to {MAX_CONTESTANTS} contestants, "
                             f"got {len(optimizers)}")
        if len({id(o) for o in optimizers}) != len(optimizers):
            raise ValueError("contestants: each contestant needs an optimizer of its own (one was given twice)")
        self.trainers = [Trainer(model.copy(), opt, data, batch_size, seed, **trainer_options) for opt in optimizers]
        self.names = list(names) if names is not None else [contestant_name(o) for o in optimizers]
        self.start = model.flat()  # every contestant's starting weights
        self.plane: Plane | None = None
        self.plane_kind: str | None = None
        self.plane_note = ""
        self.plane_axes = ("", "")

    # -- training in lockstep -----------------------------------------------------------------------------

    @property
    def step_count(self) -> int:
        """Updates done by the contestants still running (a diverged one stops where it diverged)."""
        return max(t.step_count for t in self.trainers)

    @property
    def running(self) -> list[Trainer]:
        return [t for t in self.trainers if t.diverged is None]

    @property
    def finished(self) -> bool:
        """Every contestant diverged: nothing can go on."""
        return not self.running

    @property
    def record_every(self) -> int | None:
        return self.trainers[0].record_every

    @record_every.setter
    def record_every(self, value: int | None) -> None:
        for t in self.trainers:
            t.record_every = value

    def step(self) -> int:
        """One update of every contestant still running, each kept as its 'update' phase (the network view
        shows it). Returns how many moved."""
        running = self.running
        for t in running:
            t.step()
        return len(running)

    def run(self, n: int) -> int:
        """n updates of every contestant still running; returns the updates done (fewer than n only when every
        contestant diverged). The contestants share nothing but the data, so each runs its n in turn: the same
        numbers as interleaving them update by update, and each keeps ``Trainer.run``'s reuse of the loss log's
        forward pass (full batch): interleaved, a race of 4 cost 1.3× its contestants run alone (bench/race.py, on a
        busy machine).
        Every call ends with all of them at the same update, which is all anyone sees."""
        return max((t.run(n) for t in self.running), default=0)

    def reset(self) -> None:
        """Every contestant back to the common start; the plane stays (it was fixed for this race)."""
        for t in self.trainers:
            t.reset()

    def record_losses(self) -> None:
        for t in self.trainers:
            t.record_losses()

    # -- the plane ----------------------------------------------------------------------------------------

    def set_plane(self, kind: str = "random", seed: int = 0, through: tuple[int, int] = (0, 1)) -> Plane:
        """Fix the plane every path is drawn on, until asked again. 'random': two seeded Gaussian directions,
        filter-normalised to the starting weights (Li et al., 2018); 'endpoints': the plane through the start
        and where contestants ``through`` are now (coordinates (1, 0) and (0, 1))."""
        net = self.trainers[0].model
        if kind == "random":
            plane = random_plane(net, seed, self.start)
            note = (f"A random plane through the common start (seed {seed}): two random directions, each rescaled "
                    "neuron by neuron to the size of the starting weights into that neuron (filter normalisation, "
                    "Li et al. 2018). Its directions stay fixed for the whole race. With many weights a random "
                    "plane is nearly at right angles to every path, so each path drawn is its shadow; the plane "
                    "through two contestants' weights holds those two exactly.")
            axes = ("d₁ (random direction)", "d₂ (random direction)")
        elif kind == "endpoints":
            a, b = through
            for field, k in (("through[0]", a), ("through[1]", b)):
                if not 0 <= k < len(self.trainers):
                    raise ValueError(f"{field}: expected a contestant 0..{len(self.trainers) - 1}, got {k}")
            if a == b:
                raise ValueError("through[1]: choose two different contestants")
            ends = [self.trainers[k].model.flat() for k in (a, b)]
            if not all(np.isfinite(e).all() for e in ends):
                raise ValueError("through: a chosen contestant diverged: its end point is not finite")
            directions = np.stack([e - self.start for e in ends])
            if np.linalg.matrix_rank(directions) < 2:
                raise ValueError("through: the two contestants have not moved apart from the start in two "
                                 "directions yet (train a few updates first)")
            plane = Plane(self.start.copy(), directions)
            note = (f"The plane through the common start (0, 0) and where {self.names[a]} (1, 0) and {self.names[b]} "
                    f"(0, 1) were at update {self.trainers[a].step_count}; fixed until asked again.")
            axes = (f"towards {self.names[a]}'s end", f"towards {self.names[b]}'s end")
        else:
            raise ValueError(f"plane: expected one of {PLANES}, got {kind!r}")
        self.plane, self.plane_kind, self.plane_note, self.plane_axes = plane, kind, note, axes
        return plane

    def paths(self) -> list[tuple[Array, Array]]:
        """Each contestant's path, oldest first: (steps (m,), flat weights (m, n_params))."""
        return [trainer_path(t) for t in self.trainers]

    def projected_paths(self, most: int | None = None) -> list[tuple[Array, Array]]:
        """Each contestant's path on the fixed plane: (steps (m,), coordinates (m, 2)); at most ``most`` of its
        recorded points, evenly spread, always its start and its current weights."""
        if self.plane is None:
            raise ValueError("plane: choose the race's plane first (set_plane)")
        out = []
        for steps, rows in self.paths():
            keep = evenly(len(steps), most) if most else slice(None)
            coords, steps, _ = path_coordinates(self.plane, rows[keep], steps[keep])
            out.append((steps, coords))
        return out

    def surface(self, resolution: int = 50, span: Span = None, margin: float = 0.25,
                chunk_bytes: int | None = None, progress: Progress | None = None) -> RaceSurface:
        """E over the fixed plane (set_plane first), with every contestant's path on it."""
        if self.plane is None:
            raise ValueError("plane: choose the race's plane first (set_plane)")
        t = self.trainers[0]
        return race_surface(t.model, t.X_train, t.T_train, self.plane, self.plane_kind or "random", self.paths(),
                            resolution=resolution, span=span, margin=margin, chunk_bytes=chunk_bytes,
                            progress=progress, labels=self.plane_axes, description=self.plane_note)


def race_surface(
    net: Network,
    X: Array,
    T: Array,
    plane: Plane,
    kind: str,
    paths: Sequence[tuple[Array, Array]],
    *,
    resolution: int = 50,
    span: Span = None,
    margin: float = 0.25,
    chunk_bytes: int | None = None,
    progress: Progress | None = None,
    labels: tuple[str, str] = ("d₁", "d₂"),
    description: str = "",
) -> RaceSurface:
    """E on ``plane`` over a grid that holds every path (span None) or the span asked for, around the plane's
    origin; paths: (steps, rows) per contestant. Only ``net``'s shape and functions are used, not its weights."""
    resolution = check_resolution(resolution)
    projected = [path_coordinates(plane, rows, steps) for steps, rows in paths]
    coords = [c for c, _, _ in projected]
    currents = np.array([c[-1] if len(c) else (np.nan, np.nan) for c in coords])
    points = np.vstack(coords) if coords else np.zeros((0, 2))
    minimum = 0.2 if kind == "random" else 0.25  # the least half-width: a few steps still show the bowl around
    (a_lo, a_hi), (b_lo, b_hi) = axis_ranges(span, np.zeros(2), points, margin, minimum)
    alpha, beta = np.linspace(a_lo, a_hi, resolution), np.linspace(b_lo, b_hi, resolution)
    grid = np.stack(np.meshgrid(alpha, beta), axis=-1).reshape(-1, 2)  # alpha runs fastest
    loss, _ = plane_losses(net, X, T, plane, grid, accuracy=False, chunk_bytes=chunk_bytes, progress=progress)
    return RaceSurface(kind, alpha, beta, loss.reshape(resolution, resolution), plane, coords,
                       [s for _, s, _ in projected], [d for _, _, d in projected], currents, labels, description)


def evenly(n: int, most: int) -> Array:
    """Indices of at most ``most`` (≥ 2) of n items, evenly spread, always the first and the last."""
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(np.int64))
