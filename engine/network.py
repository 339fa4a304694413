"""A multilayer perceptron whose forward and backward passes keep every number a student may ask for.

Layers are numbered 0 (inputs) to L (outputs), as in NOTATION.md. ``weights[l][i, j]`` is w_ij, from neuron i
of layer l to neuron j of layer l+1; ``biases[l][j]`` is the bias of neuron j of layer l+1.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .activations import Activation, get_activation
from .losses import Loss, get_loss

Array = np.ndarray


@dataclass
class Trace:
    """The forward pass. ``net[l]`` and ``o[l]``: (batch, sizes[l]) for l = 0..L; layer 0 passes X through."""

    net: list[Array]
    o: list[Array]

    @property
    def output(self) -> Array:
        return self.o[-1]


@dataclass
class Gradients:
    """The backward pass. ``delta[l]``: (batch, sizes[l+1]), dE/dnet per example, for the layer ``weights[l]``
    feeds. ``weights[l]`` and ``biases[l]``: dE/dw and dE/db shaped like the parameters, means over the batch."""

    delta: list[Array]
    weights: list[Array]
    biases: list[Array]
    inputs: list[Array]  # o of the layer below each weight matrix, kept to give per-example gradients

    def for_example(self, k: int) -> tuple[list[Array], list[Array]]:
        """dE/dw and dE/db of example ``k`` alone: delta_j o_i and delta_j."""
        weights = [np.outer(o[k], d[k]) for o, d in zip(self.inputs, self.delta, strict=True)]
        return weights, [d[k].copy() for d in self.delta]


class Param(NamedTuple):
    """One parameter array as an optimizer sees it: updated in place, its gradient beside it."""

    name: str
    value: Array
    grad: Array
    decays: bool  # whether L2 weight decay applies (weights yes, biases no)


def _layer_activations(activations: str | Sequence[str], n_layers: int, loss: Loss) -> list[Activation]:
    if isinstance(activations, str):
        names = [activations] * n_layers
        # One name means "the hidden units"; a loss that needs its own output unit gets it.
        if loss.output_activation is not None:
            names[-1] = loss.output_activation
    else:
        names = list(activations)
        if len(names) != n_layers:
            raise ValueError(
                f"activations: need one per layer after the inputs ({n_layers}), got {len(names)}"
            )
    if loss.output_activation is not None and names[-1] != loss.output_activation:
        raise ValueError(
            f"activations: the loss ({loss.description}) needs a {loss.output_activation} output layer, "
            f"got {names[-1]}"
        )
    if "softmax" in names[:-1]:
        raise ValueError("activations: 'softmax' may only be the output layer's activation")
    if names[-1] == "softmax" and loss.name != "softmax_ce":
        raise ValueError("activations: a 'softmax' output needs loss 'softmax_ce'")
    return [get_activation(name) for name in names]


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes: need at least an input and an output layer, got {sizes}")
    if any(not isinstance(n, int | np.integer) or n < 1 for n in sizes):
        raise ValueError(f"sizes: every layer needs a whole number of neurons ≥ 1, got {sizes}")
    return [int(n) for n in sizes]


class Network:
    """A fully connected network trained by backpropagation, float64 throughout.

    >>> net = Network([2, 8, 8, 1], activations="tanh", loss="mse", seed=0)
    >>> trace = net.forward(X)           # X: (batch, 2)
    >>> grads = net.backward(trace, T)   # T: (batch, 1)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activations: str | Sequence[str] = "tanh",
        loss: str = "mse",
        seed: int = 0,
        train_biases: bool = True,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        self.loss_fn = get_loss(loss)
        self.activations = _layer_activations(activations, len(self.sizes) - 1, self.loss_fn)
        if self.activations[-1].name == "softmax" and self.sizes[-1] < 2:
            raise ValueError("sizes: a softmax output needs a neuron per class (at least 2); one output is always 1")
        self.train_biases = train_biases
        self.seed = seed
        rng = np.random.default_rng(seed)
        weights = []
        for n_in, n_out, phi in zip(self.sizes[:-1], self.sizes[1:], self.activations, strict=True):
            if phi.name in ("relu", "leaky_relu"):
                w = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))  # He: keeps ReLU signals alive
            else:
                limit = np.sqrt(6.0 / (n_in + n_out))  # Glorot: keeps tanh/logistic out of saturation
                w = rng.uniform(-limit, limit, size=(n_in, n_out))
            weights.append(w)
        self._adopt(weights, [np.zeros(n_out) for n_out in self.sizes[1:]])

    def _adopt(self, weights: Sequence[Array], biases: Sequence[Array]) -> None:
        """Hold every weight and bias in one vector, in ``flat()`` order; ``weights[l]`` and ``biases[l]`` are
        views of it (assignable in place as before), so an optimizer can update all in a few operations."""
        pairs = zip(weights, biases, strict=True)
        theta = np.concatenate([np.ravel(a) for pair in pairs for a in pair])
        self._theta = theta.astype(np.float64, copy=False)
        self.weights: list[Array] = []
        self.biases: list[Array] = []
        self._param_names = [(f"weights[{l}]", f"biases[{l}]") for l in range(len(weights))]
        offset = 0
        for w, b in zip(weights, biases, strict=True):
            self.weights.append(self._theta[offset : offset + np.size(w)].reshape(np.shape(w)))
            offset += np.size(w)
            self.biases.append(self._theta[offset : offset + np.size(b)])
            offset += np.size(b)

    @property
    def n_layers(self) -> int:
        """L, the number of layers after the inputs (= the number of weight matrices)."""
        return len(self.weights)

    @property
    def activation_names(self) -> list[str]:
        return [phi.name for phi in self.activations]

    @property
    def loss_name(self) -> str:
        return self.loss_fn.name

    @property
    def target_encoding(self) -> str:
        """How class labels become targets for this output: 'onehot', '01' (logistic) or 'pm1' (tanh, linear)."""
        out = self.activations[-1].name
        if out == "softmax":
            return "onehot"
        return "01" if out in ("sigmoid", "relu", "leaky_relu") else "pm1"

    # -- forward and backward, side by side ---------------------------------------------------------------

    def forward(self, X: Array) -> Trace:
        """X: (batch, sizes[0]) -> the trace of net and o for every layer."""
        o = self._check_inputs(X)
        trace = Trace(net=[o], o=[o])
        for w, b, phi in zip(self.weights, self.biases, self.activations, strict=True):
            net = o @ w
            net += b
            o = phi.value(net)
            trace.net.append(net)
            trace.o.append(o)
        return trace

    def backward_layers(self, trace: Trace, T: Array) -> Iterator[tuple[int, Array, Array, Array]]:
        """Yield (l, delta[l], dE/dw[l], dE/db[l]) from the output layer down to the first hidden layer.

        Each hidden delta uses the weights as they are now (before any update), as the chain rule requires.
        """
        T = self._check_targets(T, trace.output)
        batch = T.shape[0]
        L = self.n_layers
        # Batch means as products with a row of 1/batch: a BLAS call, several times faster than mean(axis=0).
        mean_row = np.full(batch, 1.0 / batch)
        delta = self.loss_fn.output_delta(trace.net[L], trace.o[L], T, self.activations[-1])
        for l in range(L - 1, -1, -1):
            grad_w = trace.o[l].T @ delta
            grad_w /= batch
            yield l, delta, grad_w, mean_row @ delta
            if l > 0:
                phi = self.activations[l - 1]
                w_t = np.ascontiguousarray(self.weights[l].T)  # BLAS takes a C-ordered W^T twice as fast
                # With one neuron above it is an outer product: broadcasting beats matmul's k = 1 path.
                delta = delta @ w_t if delta.shape[1] > 1 else delta * w_t
                delta *= phi.derivative(trace.net[l], trace.o[l])

    def backward(self, trace: Trace, T: Array) -> Gradients:
        L = self.n_layers
        delta: list[Array] = [np.empty(0)] * L
        gw: list[Array] = [np.empty(0)] * L
        gb: list[Array] = [np.empty(0)] * L
        for l, d, w, b in self.backward_layers(trace, T):
            delta[l], gw[l], gb[l] = d, w, b
        return Gradients(delta=delta, weights=gw, biases=gb, inputs=trace.o[:-1])

    def errors(self, trace: Trace, T: Array) -> Array:
        """Per-example E of a forward pass, shape (batch,)."""
        T = self._check_targets(T, trace.output)
        return self.loss_fn.errors(trace.net[-1], trace.o[-1], T)

    def mean_error(self, trace: Trace, T: Array) -> float:
        """E of a forward pass: the mean over the batch of the per-example error."""
        errors = self.errors(trace, T)
        return float(np.add.reduce(errors)) / errors.size  # np.mean's own sum and division, less overhead

    def loss(self, X: Array, T: Array) -> float:
        """E: the mean over the batch of the per-example error."""
        return self.mean_error(self.forward(X), T)

    def predict(self, X: Array) -> Array:
        return self.forward(X).output

    # -- parameters, as the optimizers and the landscape see them ----------------------------------------

    def params(self, grads: Gradients) -> list[Param]:
        """The trainable parameters with their gradients (biases only when ``train_biases``)."""
        out = []
        for l, (w_name, b_name) in enumerate(self._param_names):
            out.append(Param(w_name, self.weights[l], grads.weights[l], True))
            if self.train_biases:
                out.append(Param(b_name, self.biases[l], grads.biases[l], False))
        return out

    def trainable_vector(self) -> Array | None:
        """The vector every parameter lives in, in ``params()`` order, when all of them are trained and none
        has been replaced by another array (``net.weights[l] = ...``); else None."""
        return self._theta if self.train_biases and self._intact() else None

    def _intact(self) -> bool:
        theta = self._theta
        pairs = zip(self.weights, self.biases, strict=True)
        return all(w.base is theta and b.base is theta for w, b in pairs)

    def flat(self) -> Array:
        """Every weight and bias in one vector: weights[0], biases[0], weights[1], ... (row-major)."""
        if self._intact():
            return self._theta.copy()
        return np.concatenate([a.ravel() for pair in zip(self.weights, self.biases, strict=True) for a in pair])

    def set_flat(self, vector: Array) -> None:
        weights, biases = self.unflat(vector)
        for mine, theirs in zip((*self.weights, *self.biases), (*weights, *biases), strict=True):
            mine[...] = theirs

    def unflat(self, vector: Array) -> tuple[list[Array], list[Array]]:
        """``flat()``'s inverse: the weights and the biases in ``vector``, as views shaped like this network's."""
        vector = np.asarray(vector, dtype=np.float64)
        if vector.shape != (self.n_params,):
            raise ValueError(f"vector: expected shape ({self.n_params},), got {vector.shape}")
        weights, biases, offset = [], [], 0
        for w, b in zip(self.weights, self.biases, strict=True):
            weights.append(vector[offset : offset + w.size].reshape(w.shape))
            offset += w.size
            biases.append(vector[offset : offset + b.size].reshape(b.shape))
            offset += b.size
        return weights, biases

    @property
    def n_params(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases, strict=True))

    def flat_index(self, kind: str, l: int, i: int, j: int | None = None) -> int:
        """Position in ``flat()`` of weights[l][i, j] (kind 'weight') or biases[l][i] (kind 'bias')."""
        if not 0 <= l < self.n_layers:
            raise ValueError(f"layer: this network has {self.n_layers} layers of weights; there is no layer {l + 1}")
        offset = sum(w.size + b.size for w, b in zip(self.weights[:l], self.biases[:l], strict=True))
        n_in, n_out = self.weights[l].shape
        if kind == "weight":
            if j is None or not (0 <= i < n_in and 0 <= j < n_out):
                raise ValueError(f"index: no such weight: layer {l} has {n_in} neurons and layer {l + 1} has {n_out}")
            return offset + i * n_out + j
        if kind == "bias":
            if not 0 <= i < n_out:
                raise ValueError(f"index: no such bias: layer {l + 1} has {n_out} neurons")
            return offset + n_in * n_out + i
        raise ValueError(f"kind: expected 'weight' or 'bias', got {kind!r}")

    def flat_name(self, k: int) -> str:
        """The inverse of ``flat_index``: 'weights[l][i, j]' or 'biases[l][j]' for position k of ``flat()``."""
        for l, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if k < w.size:
                i, j = divmod(k, w.shape[1])
                return f"weights[{l}][{i}, {j}]"
            k -= w.size
            if k < b.size:
                return f"biases[{l}][{k}]"
            k -= b.size
        raise ValueError(f"k: expected a position in 0..{self.n_params - 1}")

    def copy(self) -> Network:
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin._adopt(self.weights, self.biases)  # a vector of its own
        return twin

    # -- input checks -------------------------------------------------------------------------------------

    def _check_inputs(self, X: Array) -> Array:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X: expected shape (batch, {self.sizes[0]}), got {X.shape}")
        return X

    def _check_targets(self, T: Array, output: Array) -> Array:
        T = np.asarray(T, dtype=np.float64)
        if T.shape != output.shape:
            raise ValueError(f"T: expected shape {output.shape} like the output, got {T.shape}")
        return T
