"""One parameter's slice: E along a single weight or bias, with the descent iterates on the curve.

For the curve-descent example (``Curve``, f(x) = x⁴ − 3x³ + 2) the slice along its one weight x is f itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .batched_loss import Progress, plane_losses
from .curve import Curve
from .directions import ParamRef, Plane, parameter_label, parameter_plane
from .grid import Span, axis_ranges, check_resolution, current_point, path_coordinates
from .landscape import trainer_path
from .network import Network

if TYPE_CHECKING:
    from .trainer import Trainer

Array = np.ndarray


@dataclass
class Profile:
    """E along one parameter. x (n,): its values; loss (n,) float64. path (k,): the iterates' values,
    path_loss (k,) E on this slice there (the descent iterates drawn on the curve), path_steps (k,)."""

    kind: str  # 'curve' or 'parameter'
    x: Array
    loss: Array
    plane: Plane
    path: Array
    path_loss: Array
    path_steps: Array
    current: float
    current_loss: float
    axis_label: str
    description: str
    caveat: str

    def project(self, thetas: Array) -> Array:
        """Flat parameter vectors (m, n_params) or (n_params,) -> the parameter's values, (m,) or ()."""
        return self.plane.project(thetas)[..., 0]


def parameter_profile(
    net: Network,
    X: Array,
    T: Array,
    param: ParamRef = ("weight", 0, 0, 0),
    *,
    resolution: int = 201,
    span: Span = None,
    path: Array | None = None,
    steps: Array | None = None,
    margin: float = 0.25,
    progress: Progress | None = None,
) -> Profile:
    """E along one parameter, every other at its current value; float64. For a ``Curve`` model this is f."""
    plane = parameter_plane(net, (param,), ("param",))
    resolution = check_resolution(resolution)
    coords, steps, _ = path_coordinates(plane, path, steps)
    current = current_point(plane, net)
    ((lo, hi),) = axis_ranges(span, current, coords, margin, 0.5)
    x = np.linspace(lo, hi, resolution)
    loss, _ = plane_losses(net, X, T, plane, x[:, None], np.float64, accuracy=False, progress=progress)
    path_loss, _ = plane_losses(net, X, T, plane, coords, np.float64, accuracy=False)
    if isinstance(net, Curve):
        label = "x"
        texts = (
            "f(x) = E, the curve itself, with the descent iterates x_k on it.",
            "Nothing else moves: the curve is the whole truth.",
        )
    else:
        label = parameter_label(net, param)
        texts = (
            f"E along {label}, every other weight and bias held at its current value; the iterates are drawn "
            "at that parameter's values during training, on this curve.",
            "This slice moves as the other weights move: an old iterate's own loss was measured with the "
            "other weights as they were then, so the curve under it has changed since.",
        )
    kind = "curve" if isinstance(net, Curve) else "parameter"
    return Profile(
        kind, x, loss, plane, coords[:, 0], path_loss, steps, float(current[0]), net.loss(X, T), label, *texts
    )


def curve_profile(model: Curve, **options) -> Profile:
    """The curve-descent example: f over x, with the iterates (``path`` rows are flat (x, bias) vectors)."""
    return parameter_profile(model, np.zeros((1, 1)), np.zeros((1, 1)), ("weight", 0, 0, 0), **options)


def profile_for(trainer: Trainer, param: ParamRef = ("weight", 0, 0, 0), **options) -> Profile:
    """E along one parameter of the trainer's model (for the curve preset: f over x), with its iterates."""
    steps, rows = trainer_path(trainer)
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    return parameter_profile(net, X, T, param, path=rows, steps=steps, **options)
