"""The recurrent loss over a plane through weight space: many weight sets run forward through time at once.

A chunk of c points unrolls as stacked products, h_t = tanh(W_xh[:, c_t] + W_hh h_{t−1} + b_h) with W_hh
(c, H, H) and h (c, H): one loop over the T time steps, none over the points. The slice a student asks for is
two chosen recurrent weights (W_hh[i, j], W_hh[k, l]); any parameter of the RNN may be chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .directions import Plane
from .grid import Span, axis_ranges, check_resolution, current_point, path_coordinates
from .names import subscript
from .rnn import CROSS_ENTROPY, PARAMETERS, RNN, SOFTMAX, TANH

if TYPE_CHECKING:
    from .landscape import Surface
    from .rnn_trainer import RNNTrainer

Array = np.ndarray

CHUNK_BYTES = 4 << 20  # the chunk's stacked parameters: a few MB, so a 64-unit network's chunk fits in cache
RNNParamRef = tuple  # ("W_hh", i, j) or ("b_h", i): a parameter's name and 0-based index


def naive_losses(model: RNN, inputs: Array, targets: Array, h0: Array | None, thetas: Array) -> Array:
    """The reference: ``set_flat`` and ``loss`` for each row of thetas, one after another."""
    saved = model.flat()
    try:
        out = np.empty(len(thetas))
        for k, theta in enumerate(thetas):
            model.set_flat(theta)
            out[k] = model.loss(inputs, targets, h0)
    finally:
        model.set_flat(saved)
    return out


def batched_losses(model: RNN, inputs: Array, targets: Array, h0: Array | None, thetas: Array) -> Array:
    """E over the window for every row of thetas (m, n_params) at once -> (m,) float64."""
    inputs, targets = np.asarray(inputs, dtype=np.int64), np.asarray(targets, dtype=np.int64)
    W = model.unpack(thetas)
    m, H = len(thetas), model.H
    h = np.zeros((m, H)) if h0 is None else np.broadcast_to(np.asarray(h0, dtype=np.float64), (m, H)).copy()
    onehot = np.eye(model.V)[targets]
    total = np.zeros(m)
    for c, target in zip(inputs, onehot, strict=True):
        raw = W["W_xh"][:, :, c] + W["b_h"]
        raw += np.matmul(W["W_hh"], h[:, :, None])[:, :, 0]
        h = TANH.value(raw)
        y = np.matmul(W["W_hy"], h[:, :, None])[:, :, 0] + W["b_y"]
        total += CROSS_ENTROPY.errors(y, SOFTMAX.value(y), np.broadcast_to(target, y.shape))
    return total / max(len(inputs), 1)


def plane_losses(model: RNN, inputs: Array, targets: Array, h0: Array | None, plane: Plane, coords: Array,
                 chunk_bytes: int = CHUNK_BYTES, progress: Callable[[float], None] | None = None) -> Array:
    """E at each point of the plane, coords (m, k) -> (m,), in chunks of points whose stacked weights take
    about ``chunk_bytes``. progress: called before each chunk with the share done (it may raise to stop the
    work), as batched_loss.plane_losses does."""
    coords = np.atleast_2d(np.asarray(coords, dtype=np.float64))
    chunk = max(1, chunk_bytes // (8 * model.n_params))
    out = np.empty(len(coords))
    for start in range(0, len(coords), chunk):
        if progress is not None:
            progress(start / len(coords))
        points = plane.point(coords[start : start + chunk])
        out[start : start + chunk] = batched_losses(model, inputs, targets, h0, points)
    return out


def parameter_index(model: RNN, ref: RNNParamRef, name: str = "param") -> int:
    if not isinstance(ref, list | tuple) or not ref or not all(isinstance(k, int) for k in ref[1:]):
        raise ValueError(f"{name}: expected a parameter and its indices, e.g. ('W_hh', 0, 1), got {ref!r}")
    try:
        return model.flat_index(ref[0], *ref[1:])
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name}: {e}") from None


def parameter_label(ref: RNNParamRef) -> str:
    """'W_hh[1, 2]: h₂ (t−1) → h₁': the entry, 1-based as the page numbers h₁, h₂, …, and the connection it is
    (matrices act on column vectors, NOTATION.md: W[i, j] carries unit j into unit i)."""
    name, *index = ref
    entry = f"{name}[{', '.join(str(k + 1) for k in index)}]"
    h, x, y = ((lambda k, unit=unit: unit + subscript(k + 1)) for unit in "hxy")
    ends = {"W_hh": lambda i, j: f"{h(j)} (t−1) → {h(i)}", "W_xh": lambda i, j: f"{x(j)} → {h(i)}",
            "W_hy": lambda i, j: f"{h(j)} → {y(i)}",
            "b_h": lambda i: f"bias of {h(i)}", "b_y": lambda i: f"bias of {y(i)}"}
    return f"{entry}: {ends[name](*index)}" if name in ends else entry


def default_parameters(model: RNN) -> tuple[RNNParamRef, RNNParamRef]:
    """Two recurrent weights: h₁'s self-connection and the weight from h₂ into h₁ (or h₁'s bias with H = 1)."""
    if model.H >= 2:
        return ("W_hh", 0, 0), ("W_hh", 0, 1)
    return ("W_hh", 0, 0), ("b_h", 0)


def rnn_surface(trainer: RNNTrainer, p1: RNNParamRef | None = None, p2: RNNParamRef | None = None, *,
                resolution: int = 50, span: Span = None, margin: float = 0.25,
                progress: Callable[[float], None] | None = None) -> Surface:
    """E over two chosen parameters of the trainer's RNN (default two recurrent weights), every other held at
    its current value, on the window the next update trains on (from the state carried into it)."""
    from .landscape import Surface, trainer_path

    model = trainer.model
    if p1 is None or p2 is None:
        first, second = default_parameters(model)
        p1, p2 = p1 or first, p2 or second
    indices = (parameter_index(model, p1, "p1"), parameter_index(model, p2, "p2"))
    if indices[0] == indices[1]:
        raise ValueError("p2: choose two different weights (the same one was chosen twice)")
    origin = model.flat()
    origin[list(indices)] = 0.0
    directions = np.zeros((2, origin.size))
    directions[[0, 1], indices] = 1.0
    plane = Plane(origin, directions, indices)
    resolution = check_resolution(resolution)
    steps, rows = trainer_path(trainer)
    coords, steps, distance = path_coordinates(plane, rows, steps)
    current = current_point(plane, model)
    (a_lo, a_hi), (b_lo, b_hi) = axis_ranges(span, current, coords, margin, 0.5)
    alpha, beta = np.linspace(a_lo, a_hi, resolution), np.linspace(b_lo, b_hi, resolution)
    grid = np.stack(np.meshgrid(alpha, beta), axis=-1).reshape(-1, 2)
    start, inputs, targets, h0 = trainer.peek_window()
    loss = plane_losses(model, inputs, targets, h0, plane, grid, progress=progress).reshape(resolution, resolution)
    labels = (parameter_label(p1), parameter_label(p2))
    window = trainer.text.decode(inputs)
    texts = (
        f"E over {labels[0]} (across) and {labels[1]} (up) on the window the next update trains on "
        f"({window!r}, from the hidden state carried into it); every other weight and bias held at its "
        "current value.",
        f"The slice moves as the other {model.n_params - 2} parameters move, and with the window: an old point "
        "of the path need not sit on this surface.",
    )
    return Surface("parameters", alpha, beta, loss.astype(np.float32), None, plane, coords, steps, distance,
                   current, model.loss(inputs, targets, h0), labels, texts[0], texts[1])


PARAMETER_NAMES = tuple(p[0] for p in PARAMETERS)
