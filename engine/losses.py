"""Loss functions E, each with its output delta (dE/dnet of the output layer) beside it.

Per-example errors are summed over the outputs; a batch's E is the mean over its examples
(NOTATION.md). ``output_delta`` returns the per-example delta, shape (batch, n_out);
the 1/batch of the mean is applied where the gradients are averaged.

``output_delta_r`` is the output delta's derivative along a direction of the weights, R{delta} (Pearlmutter's
R-operator), given R{net} of the output layer: what engine/curvature.py needs for exact Hessian-vector products.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import Activation

Array = np.ndarray


def _softplus(z: Array) -> Array:
    return np.logaddexp(0.0, z)


def _mse_errors(net: Array, o: Array, t: Array) -> Array:
    d = o - t
    d *= d
    if d.shape[1] == 1:
        return 0.5 * d[:, 0]
    return d @ np.full(d.shape[1], 0.5)  # half the row sums in one BLAS call: np.sum(axis=1) loops over rows


def _mse_delta(net: Array, o: Array, t: Array, phi: Activation) -> Array:
    return (o - t) * phi.derivative(net, o)


def _bce_errors(net: Array, o: Array, t: Array) -> Array:
    # -[t log o + (1-t) log(1-o)] with o = sigmoid(net), written in net so it never takes log(0).
    return np.sum(t * _softplus(-net) + (1.0 - t) * _softplus(net), axis=1)


def _softmax_ce_errors(net: Array, o: Array, t: Array) -> Array:
    shifted = net - net.max(axis=1, keepdims=True)
    log_o = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(t * log_o, axis=1)


def _mse_delta_r(net: Array, o: Array, t: Array, phi: Activation, r_net: Array) -> Array:
    # R{(o - t) phi'(net)} = phi'(net)^2 R{net} + (o - t) phi''(net) R{net}
    assert phi.second_derivative is not None
    d1 = phi.derivative(net, o)
    return (d1 * d1 + (o - t) * phi.second_derivative(net, o)) * r_net


def _cross_entropy_delta(net: Array, o: Array, t: Array, phi: Activation) -> Array:
    # With the matching output unit the phi' and the 1/o(1-o) cancel: delta = o - t.
    return o - t


def _cross_entropy_delta_r(net: Array, o: Array, t: Array, phi: Activation, r_net: Array) -> Array:
    # R{o - t} = R{o}: phi'(net) R{net} for a logistic output; for softmax o_j (R{net_j} - sum_k o_k R{net_k}).
    if phi.name == "softmax":
        return o * (r_net - np.sum(o * r_net, axis=1, keepdims=True))
    return phi.derivative(net, o) * r_net


@dataclass(frozen=True)
class Loss:
    name: str
    errors: Callable[[Array, Array, Array], Array]  # (net, o, t) -> per-example E, shape (batch,)
    output_delta: Callable[[Array, Array, Array, Activation], Array]
    output_activation: str | None  # the output unit this loss requires, if any
    description: str
    output_delta_r: Callable[[Array, Array, Array, Activation, Array], Array]  # (net, o, t, phi, R{net}) -> R{δ}


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", _mse_errors, _mse_delta, None, "squared error 1/2·||y−t||², averaged over the batch",
             _mse_delta_r),
        Loss("bce", _bce_errors, _cross_entropy_delta, "sigmoid", "binary cross-entropy on a sigmoid output",
             _cross_entropy_delta_r),
        Loss("softmax_ce", _softmax_ce_errors, _cross_entropy_delta, "softmax", "cross-entropy on a softmax output",
             _cross_entropy_delta_r),
    )
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"loss: unknown loss {name!r}; expected one of {sorted(LOSSES)}") from None
