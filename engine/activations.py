"""Activation functions phi, each with its derivative written beside it.

The derivative takes both the pre-activation ``net`` and the output ``o = phi(net)``:
for the logistic and tanh units phi' is cheapest from ``o`` (phi(1 - phi), 1 - phi^2),
for ReLU from ``net``. Arrays of any shape; everything float64.
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


def _sigmoid(net: Array) -> Array:
    # For net < -709 exp(-net) overflows to inf and 1/(1 + inf) = 0, within 1e-308 of the true value: only the
    # warning needs silencing. Elsewhere this one formula is accurate to an ulp or two, and several times
    # faster than splitting the array by sign.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-net))


def _tanh_derivative(net: Array, o: Array) -> Array:
    d = o * o
    return np.subtract(1.0, d, out=d)  # 1 - phi², one temporary fewer


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
        Activation("sigmoid", _sigmoid, lambda net, o: o * (1.0 - o)),
        Activation("tanh", np.tanh, _tanh_derivative),
        Activation("relu", lambda net: np.maximum(net, 0.0), lambda net, o: (net > 0).astype(np.float64)),
        Activation(
            "leaky_relu",
            lambda net: np.where(net > 0, net, LEAKY_SLOPE * net),
            lambda net, o: np.where(net > 0, 1.0, LEAKY_SLOPE),
        ),
        Activation("linear", lambda net: net.astype(np.float64, copy=True), lambda net, o: np.ones_like(net)),
        Activation("softmax", _softmax, _softmax_derivative, elementwise=False),
    )
}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"activations: unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}") from None
