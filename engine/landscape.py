"""The loss landscape: E over a 2-D (or 1-D) slice of weight space, with the training path drawn on it.

>>> s = parameter_surface(net, X, T, ("weight", 0, 0, 0), ("weight", 0, 1, 0), resolution=50, path=rows)
>>> s.loss[j, i]          # E at (s.alpha[i], s.beta[j]); rows are beta, as an image's rows are y
>>> s.project(net.flat()) # where new weights fall on the slice

The planes are in ``directions.py``, the batched evaluation in ``batched_loss.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .batched_loss import Progress, plane_losses
from .directions import ParamRef, Plane, parameter_label, parameter_plane, pca_plane, random_plane
from .grid import Span, axis_ranges, check_resolution, current_point, path_coordinates
from .network import Network

if TYPE_CHECKING:
    from .trainer import Trainer

Array = np.ndarray


@dataclass
class Surface:
    """E over a plane. alpha (A,), beta (B,): the grid's coordinates; loss (B, A) float32 with loss[j, i] at
    (alpha[i], beta[j]); accuracy likewise, or None for regression targets. path (k, 2): the trajectory's
    coordinates, path_steps (k,) their update numbers, path_distance (k,) how far each lies off the plane in
    parameter units (0 for a parameter slice's own coordinates). current (2,): the current weights' point."""

    kind: str  # 'parameters', 'random' or 'pca'
    alpha: Array
    beta: Array
    loss: Array
    accuracy: Array | None
    plane: Plane
    path: Array
    path_steps: Array
    path_distance: Array
    current: Array
    current_loss: float  # net.loss at the current weights, float64
    axis_labels: tuple[str, str]
    description: str  # what the slice is, in plain words
    caveat: str  # what it does not show, in plain words
    explained: Array | None = None  # (2,) for 'pca': each component's share of the path's movement

    def project(self, thetas: Array) -> Array:
        """Flat parameter vectors (m, n_params) or (n_params,) -> coordinates (m, 2) or (2,)."""
        return self.plane.project(thetas)


def _surface(
    kind: str,
    net: Network,
    X: Array,
    T: Array,
    plane: Plane,
    labels: tuple[str, str],
    texts: tuple[str, str],
    *,
    resolution: int,
    span: Span,
    path: Array | None,
    steps: Array | None,
    margin: float,
    minimum: float,
    chunk_bytes: int | None,
    progress: Progress | None,
    explained: Array | None = None,
) -> Surface:
    """E over ``plane`` on the grid the caller asked for; ``minimum``: the least half-width of a span
    derived from the path."""
    resolution = check_resolution(resolution)
    coords, steps, distance = path_coordinates(plane, path, steps)
    current = current_point(plane, net)
    (a_lo, a_hi), (b_lo, b_hi) = axis_ranges(span, current, coords, margin, minimum)
    alpha, beta = np.linspace(a_lo, a_hi, resolution), np.linspace(b_lo, b_hi, resolution)
    grid = np.stack(np.meshgrid(alpha, beta), axis=-1).reshape(-1, 2)  # alpha runs fastest
    loss, acc = plane_losses(net, X, T, plane, grid, chunk_bytes=chunk_bytes, progress=progress)
    shape = (resolution, resolution)
    return Surface(
        kind, alpha, beta, loss.reshape(shape), None if acc is None else acc.reshape(shape), plane,
        coords, steps, distance, current, net.loss(X, T), labels, texts[0], texts[1], explained,
    )


# -- the slices -----------------------------------------------------------------------------------------


def parameter_surface(
    net: Network,
    X: Array,
    T: Array,
    p1: ParamRef,
    p2: ParamRef,
    *,
    resolution: int = 50,
    span: Span = None,
    path: Array | None = None,
    steps: Array | None = None,
    margin: float = 0.25,
    chunk_bytes: int | None = None,
    progress: Progress | None = None,
) -> Surface:
    """E over two chosen parameters, ("weight", l, i, j) or ("bias", l, j), every other at its current value.
    The axes are the parameters' own values. Default span: the path's extent, half-width at least 0.5."""
    plane = parameter_plane(net, (p1, p2), ("p1", "p2"))
    labels = (parameter_label(net, p1), parameter_label(net, p2))
    texts = (
        f"E over {labels[0]} (across) and {labels[1]} (up); every other weight and bias held at its current "
        "value. The path is those two parameters' values during training, drawn exactly.",
        f"This slice moves as the other weights move: it shows E for the other {net.n_params - 2} "
        "parameters' values now, not those the path's earlier points had, so an old point need not sit on "
        "this surface.",
    )
    return _surface(
        "parameters", net, X, T, plane, labels, texts, minimum=0.5,
        resolution=resolution, span=span, path=path, steps=steps, margin=margin, chunk_bytes=chunk_bytes,
        progress=progress,
    )


def random_surface(
    net: Network,
    X: Array,
    T: Array,
    *,
    seed: int = 0,
    origin: Array | None = None,
    bias: str = "zero",
    resolution: int = 50,
    span: Span = 1.0,
    path: Array | None = None,
    steps: Array | None = None,
    margin: float = 0.25,
    chunk_bytes: int | None = None,
    progress: Progress | None = None,
) -> Surface:
    """E on a seeded random plane through ``origin`` (default: the current weights), filter-normalised.
    Coordinates are in units of each neuron's incoming weights' norm; the default span is ±1 (Li et al.)."""
    plane = random_plane(net, seed, origin, bias)
    biases = "every bias held fixed" if bias == "zero" else "each bias rescaled with its neuron's weights"
    texts = (
        f"E on a random plane through the {'current' if origin is None else 'given'} weights: two random "
        f"directions (seed {seed}), each rescaled neuron by neuron to the size of the weights into that "
        f"neuron (filter normalisation, Li et al. 2018), {biases}. Coordinate 1 changes every neuron's "
        "weights by their own size.",
        "The plane is centred on the weights and moves with them. With many weights a random plane is "
        "nearly at right angles to the path, so the drawn path is only its shadow on the plane: the real "
        "path runs mostly off it.",
    )
    labels = ("d₁ (random direction)", "d₂ (random direction)")
    return _surface(
        "random", net, X, T, plane, labels, texts, minimum=0.5,
        resolution=resolution, span=span, path=path, steps=steps, margin=margin, chunk_bytes=chunk_bytes,
        progress=progress,
    )


def pca_surface(
    net: Network,
    X: Array,
    T: Array,
    path: Array,
    *,
    steps: Array | None = None,
    resolution: int = 50,
    span: Span = None,
    margin: float = 0.25,
    seed: int = 0,
    chunk_bytes: int | None = None,
    progress: Progress | None = None,
) -> Surface:
    """E on the plane of the path's first two principal components, centred on the path's last point
    (pass the current weights last). Coordinates are distances in parameter space along unit directions."""
    plane, explained = pca_plane(path, seed)
    texts = (
        "E on the plane of the two directions the training path moved along most (principal components of "
        f"the recorded weights, relative to the last point); together they hold {explained.sum():.0%} of its "
        f"movement ({explained[0]:.0%} and {explained[1]:.0%}).",
        "The plane is refitted to the path as training goes on; points of the path that lie off the plane "
        "are drawn where they fall on it (their shadow).",
    )
    labels = ("d₁ (1st principal component)", "d₂ (2nd principal component)")
    return _surface(
        "pca", net, X, T, plane, labels, texts, minimum=0.0, explained=explained,
        resolution=resolution, span=span, path=path, steps=steps, margin=margin, chunk_bytes=chunk_bytes,
        progress=progress,
    )


# -- from a trainer -------------------------------------------------------------------------------------

KINDS = ("parameters", "random", "pca")


def trainer_path(trainer: Trainer) -> tuple[Array, Array]:
    """The path of the run, oldest first: steps (k,) and flat weights (k, n_params), from the starting weights
    (step 0) to the current ones; points that are not finite (a diverged run's last) are left out."""
    steps, rows = trainer.trajectory.steps, trainer.trajectory.rows
    # End on the current weights: the log keeps one update in every stride, so it may not hold them.
    # A diverged run's last rows are not finite: they have no place on any drawing.
    keep = (steps < trainer.step_count) & np.isfinite(rows).all(axis=1)
    steps, rows = steps[keep], rows[keep]
    current = trainer.model.flat()
    if np.isfinite(current).all():
        steps, rows = np.append(steps, trainer.step_count), np.vstack([rows, current])
    return steps, rows


def surface_for(trainer: Trainer, kind: str = "parameters", **options) -> Surface:
    """A surface of the trainer's model over its training set, with its path. kind: 'parameters' (options
    p1, p2; default the first two weights), 'random' or 'pca' (needs two distinct recorded points)."""
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    if getattr(trainer.model, "kind", None) == "rnn":  # the recurrent loss, unrolled over the next window
        from .rnn_landscape import rnn_surface

        if kind != "parameters":
            raise ValueError("kind: the recurrent network's surface is over two chosen weights ('parameters')")
        return rnn_surface(trainer, options.pop("p1", None), options.pop("p2", None), **options)
    steps, rows = trainer_path(trainer)
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    if kind == "pca":
        return pca_surface(net, X, T, rows, steps=steps, **options)
    if kind == "random":
        return random_surface(net, X, T, path=rows, steps=steps, **options)
    p1, p2 = options.pop("p1", None), options.pop("p2", None)
    if p1 is None or p2 is None:
        first, second = default_parameters(net)
        p1, p2 = p1 or first, p2 or second
    return parameter_surface(net, X, T, p1, p2, path=rows, steps=steps, **options)


def default_parameters(net: Network) -> tuple[ParamRef, ParamRef]:
    """Two weights into the first neuron of layer 1 (or its one weight and its bias)."""
    if net.sizes[0] >= 2:
        return ("weight", 0, 0, 0), ("weight", 0, 1, 0)
    return ("weight", 0, 0, 0), ("bias", 0, 0)
