"""Activation functions phi, each with its derivative written beside it.

The derivative takes both the pre-activation ``net`` and the output ``o = phi(net)``:
for the logistic and tanh units phi' is cheapest from ``o`` (phi(1 - phi), 1 - phi^2),
for ReLU from ``net``. Arrays of any shape; everything float64.

The second derivative phi'' sits beside them for the curvature (engine/curvature.py, exact Hessian-vector
products): logistic phi'(1 - 2 phi), tanh -2 phi (1 - phi^2); the piecewise-linear units have none of their own
(0 away from their corner, where the curvature is undefined).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    name: str
    value: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]  # (net, o) -> phi'(net)
    elementwise: bool = True
    second_derivative: Callable[[Array, Array], Array] | None = None  # (net, o) -> phi''(net); softmax: None


def _sigmoid(net: Array) -> Array:
    # For net < -709 exp(-net) overflows to inf and 1/(1 + inf) = 0, within 1e-308 of the true value: only the
    # warning needs silencing. Elsewhere this one formula is accurate to an ulp or two, and several times
    # faster than splitting the array by sign.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-net))


def _tanh_derivative(net: Array, o: Array) -> Array:
    d = o * o
    return np.subtract(1.0, d, out=d)  # 1 - phi², one temporary fewer


def _sigmoid_second(net: Array, o: Array) -> Array:
    return o * (1.0 - o) * (1.0 - 2.0 * o)  # d/dnet of phi(1 - phi)


def _tanh_second(net: Array, o: Array) -> Array:
    return -2.0 * o * (1.0 - o * o)  # d/dnet of 1 - phi²


def _no_curvature(net: Array, o: Array) -> Array:
    return np.zeros_like(net, dtype=np.float64)


def _softmax(net: Array) -> Array:
    shifted = net - net.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_derivative(net: Array, o: Array) -> Array:
    raise ValueError("softmax has no elementwise derivative: use it only as the output of loss 'softmax_ce'")


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, lambda net, o: o * (1.0 - o), second_derivative=_sigmoid_second),
        Activation("tanh", np.tanh, _tanh_derivative, second_derivative=_tanh_second),
        Activation("relu", lambda net: np.maximum(net, 0.0), lambda net, o: (net > 0).astype(np.float64),
                   second_derivative=_no_curvature),
        Activation(
            "leaky_relu",
            lambda net: np.where(net > 0, net, LEAKY_SLOPE * net),
            lambda net, o: np.where(net > 0, 1.0, LEAKY_SLOPE),
            second_derivative=_no_curvature,
        ),
        Activation("linear", lambda net: net.astype(np.float64, copy=True), lambda net, o: np.ones_like(net),
                   second_derivative=_no_curvature),
        Activation("softmax", _softmax, _softmax_derivative, elementwise=False),
    )
}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"activations: unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}") from None
