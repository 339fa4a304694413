"""Backprop checked against centred finite differences, parameter by parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .batched_loss import Progress
from .network import Network

Array = np.ndarray


KINKED = ("relu", "leaky_relu")  # activations with a corner at net = 0
SMALLER_EPS = (1e-4, 1e-5, 1e-6)  # tried in turn while a stencil crosses a corner; 1e-6 still resolves 1e-5


@dataclass
class GradCheck:
    """backprop and numeric: (n_params,) in ``net.flat()`` order; relative_error, eps and on_kink likewise.

    eps: the step each parameter's difference used (smaller than asked where the stencil crossed a corner);
    on_kink: the parameters whose stencil crosses a corner even at the smallest step: a net sits on the
    ReLU's corner, where the derivative is one-sided, and no finite difference can check it. They are left
    out of ``max_relative_error`` and ``worst``, and counted in ``kinks``.
    """

    backprop: Array
    numeric: Array
    relative_error: Array
    eps: Array | None = None
    on_kink: Array | None = None

    @property
    def _checked(self) -> Array:
        errors = self.relative_error
        return errors if self.on_kink is None else np.where(self.on_kink, 0.0, errors)

    @property
    def max_relative_error(self) -> float:
        return float(self._checked.max(initial=0.0))

    @property
    def worst(self) -> int:
        return int(np.argmax(self._checked))

    @property
    def kinks(self) -> int:
        return 0 if self.on_kink is None else int(self.on_kink.sum())

    @property
    def shrunk(self) -> int:
        """Parameters checked with a smaller step than asked for, because a corner was in the way."""
        return 0 if self.eps is None or not self.eps.size else int((self.eps < self.eps.max()).sum())


def flat_gradient(net: Network, X: Array, T: Array) -> Array:
    grads = net.backward(net.forward(X), T)
    return np.concatenate([a.ravel() for pair in zip(grads.weights, grads.biases, strict=True) for a in pair])


def gradcheck(net: Network, X: Array, T: Array, eps: float = 1e-3, progress: Progress | None = None) -> GradCheck:
    """Compare dE/dθ from backprop with a centred finite difference for every parameter θ.

    The difference is the fourth-order centred stencil
    (8[E(θ+ε) − E(θ−ε)] − [E(θ+2ε) − E(θ−2ε)]) / 12ε: with ε = 1e-3 its truncation error (~ε⁴) and its
    rounding error (~1e-16/ε) both stay near 1e-13, so even gradients of 1e-5 are checked to 1e-7 relative.
    The plain two-point difference cannot do that in float64.
    A ReLU corner within the stencil's reach (some net of a ReLU or leaky ReLU layer changes sign between the
    stencil's points) spoils any finite difference: that is the corner's fault, not backprop's. Such a crossing
    is detected, and the parameter checked again with smaller steps (SMALLER_EPS) until its stencil stays on
    one side; if none does, it is marked ``on_kink``. The relative error is |a − b| / max(|a| + |b|, 1e-8).
    The network is left as it was, also when ``progress`` (told the share of parameters done) raises to stop
    the check early.
    """
    backprop = flat_gradient(net, X, T)
    theta = net.flat()
    probe = theta.copy()
    kinked = [l + 1 for l, name in enumerate(net.activation_names) if name in KINKED]  # their nets in a trace

    def sides(trace: Any) -> list[Array]:
        return [trace.net[l] > 0 for l in kinked]

    base = sides(net.forward(X)) if kinked else []

    def loss_at(k: int, h: float) -> tuple[float, bool]:
        """E with θ_k moved by h, and whether some corner lies between there and θ."""
        probe[k] = theta[k] + h
        net.set_flat(probe)
        if not kinked:
            return net.loss(X, T), False
        trace = net.forward(X)
        crossed = any((now != then).any() for now, then in zip(sides(trace), base, strict=True))
        return net.mean_error(trace, T), crossed

    def difference(k: int, h: float) -> tuple[float, bool]:
        (up, c1), (down, c2), (up2, c3), (down2, c4) = (loss_at(k, m * h) for m in (1, -1, 2, -2))
        probe[k] = theta[k]
        return (8 * (up - down) - (up2 - down2)) / (12 * h), c1 or c2 or c3 or c4

    numeric = np.empty_like(theta)
    steps = np.full_like(theta, eps)
    on_kink = np.zeros(theta.size, dtype=bool)
    try:
        for k in range(theta.size):
            if progress is not None:
                progress(k / theta.size)
            numeric[k], crossed = difference(k, eps)
            for smaller in (h for h in SMALLER_EPS if h < eps):
                if not crossed:
                    break
                numeric[k], crossed = difference(k, smaller)
                steps[k] = smaller
            on_kink[k] = crossed
    finally:
        net.set_flat(theta)
    scale = np.maximum(np.abs(backprop) + np.abs(numeric), 1e-8)
    return GradCheck(backprop, numeric, np.abs(backprop - numeric) / scale, steps, on_kink)
