"""Backprop checked against centred finite differences, parameter by parameter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network

Array = np.ndarray


@dataclass
class GradCheck:
    """backprop and numeric: (n_params,) in ``net.flat()`` order; relative_error likewise."""

    backprop: Array
    numeric: Array
    relative_error: Array

    @property
    def max_relative_error(self) -> float:
        return float(self.relative_error.max(initial=0.0))

    @property
    def worst(self) -> int:
        return int(np.argmax(self.relative_error))


def flat_gradient(net: Network, X: Array, T: Array) -> Array:
    grads = net.backward(net.forward(X), T)
    return np.concatenate([a.ravel() for pair in zip(grads.weights, grads.biases, strict=True) for a in pair])


def gradcheck(net: Network, X: Array, T: Array, eps: float = 1e-3) -> GradCheck:
    """Compare dE/dθ from backprop with a centred finite difference for every parameter θ.

    The difference is the fourth-order centred stencil
    (8[E(θ+ε) − E(θ−ε)] − [E(θ+2ε) − E(θ−2ε)]) / 12ε: with ε = 1e-3 its truncation error (~ε⁴) and its
    rounding error (~1e-16/ε) both stay near 1e-13, so even gradients of 1e-5 are checked to 1e-7 relative.
    The plain two-point difference cannot do that in float64. A ReLU kink within 2ε of a net spoils any
    finite difference; that is the kink's fault, not backprop's.
    The relative error is |a − b| / max(|a| + |b|, 1e-8). The network is left as it was.
    """
    backprop = flat_gradient(net, X, T)
    theta = net.flat()
    probe = theta.copy()

    def loss_at(k: int, h: float) -> float:
        probe[k] = theta[k] + h
        net.set_flat(probe)
        return net.loss(X, T)

    numeric = np.empty_like(theta)
    try:
        for k in range(theta.size):
            near = loss_at(k, eps) - loss_at(k, -eps)
            far = loss_at(k, 2 * eps) - loss_at(k, -2 * eps)
            probe[k] = theta[k]
            numeric[k] = (8 * near - far) / (12 * eps)
    finally:
        net.set_flat(theta)
    scale = np.maximum(np.abs(backprop) + np.abs(numeric), 1e-8)
    return GradCheck(backprop, numeric, np.abs(backprop - numeric) / scale)
