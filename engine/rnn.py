"""A vanilla recurrent network over characters, forward and backward through time, every number kept.

Column vectors, as in NOTATION.md's char-RNN section: W_xh is H × V, W_hh H × H, W_hy V × H.

    h_t = tanh(W_xh x_t + W_hh h_{t−1} + b_h)      y_t = W_hy h_t + b_y      p_t = softmax(y_t)
    E   = (1/T) Σ_t −log p_t[c_{t+1}]

Backward through time, from the last step to the first:

    δy_t   = (p_t − onehot(c_{t+1})) / T
    δh_t   = W_hyᵀ δy_t + W_hhᵀ δraw_{t+1}
    δraw_t = (1 − h_t²) ⊙ δh_t
    ∂E/∂W_hy = Σ_t δy_t h_tᵀ     ∂E/∂W_xh = Σ_t δraw_t x_tᵀ     ∂E/∂W_hh = Σ_t δraw_t h_{t−1}ᵀ

The tanh, the softmax and the cross-entropy are the MLP's own (activations.py, losses.py); the parameters live
in one vector, so the MLP's optimizers step this model unchanged (``params`` and ``trainable_vector``).
Characters are given as indices into the vocabulary; x_t is their one-hot vector.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .losses import get_loss
from .network import Param

Array = np.ndarray

TANH = get_activation("tanh")
SOFTMAX = get_activation("softmax")
CROSS_ENTROPY = get_loss("softmax_ce")

# The parameters in ``flat()`` order, with their shapes in terms of (H, V) and whether weight decay applies.
PARAMETERS = (("W_xh", "HV", True), ("W_hh", "HH", True), ("b_h", "H", False), ("W_hy", "VH", True),
              ("b_y", "V", False))


@dataclass
class RNNTrace:
    """Forward through time over T steps. Row t of each array is step t + 1 of the text (0-based rows).

    inputs (T,) and targets (T,): character indices c_t and c_{t+1}. x (T, V): one-hot inputs. h (T + 1, H):
    h[0] is the state carried in (h_0), h[t + 1] = h_t. y, p (T, V): scores and softmax confidences.
    """

    inputs: Array
    targets: Array
    x: Array
    h: Array
    y: Array
    p: Array
    onehot_targets: Array | None = None  # (T, V): onehot(c_{t+1}), the cross-entropy's targets

    @property
    def steps(self) -> int:
        return len(self.inputs)

    @property
    def h_last(self) -> Array:
        return self.h[-1]

    def errors(self) -> Array:
        """−log p_t[c_{t+1}] for each step, (T,): the losses module's cross-entropy on one-hot targets."""
        return CROSS_ENTROPY.errors(self.y, self.p, self.x_targets())

    def x_targets(self) -> Array:
        if self.onehot_targets is None:
            self.onehot_targets = np.eye(self.p.shape[1])[self.targets]
        return self.onehot_targets

    @property
    def loss(self) -> float:
        """E: the mean over the steps."""
        return float(self.errors().mean())


@dataclass
class StepBack:
    """What one step of backward through time adds, at step t (0-based row): δy_t, δh_t, δraw_t and the
    step's contributions to every gradient (∂E/∂W_hy gets δy_t h_tᵀ, and so on)."""

    t: int
    dy: Array
    dh: Array
    draw: Array
    contributions: dict[str, Array]


@dataclass
class RNNGradients:
    """Backward through time. dy (T, V), dh (T, H), draw (T, H): δy_t, δh_t, δraw_t per step; the gradients
    by parameter name (sums over the steps); dh0: ∂E/∂h_0 (what truncation throws away)."""

    dy: Array
    dh: Array
    draw: Array
    grads: dict[str, Array]
    dh0: Array
    trace: RNNTrace

    def contributions(self, t: int) -> dict[str, Array]:
        """Step t's share of each gradient; summed over t they give ``grads`` exactly (up to rounding)."""
        x, h = self.trace.x, self.trace.h
        return {
            "W_xh": np.outer(self.draw[t], x[t]),
            "W_hh": np.outer(self.draw[t], h[t]),
            "b_h": self.draw[t].copy(),
            "W_hy": np.outer(self.dy[t], h[t + 1]),
            "b_y": self.dy[t].copy(),
        }

    @property
    def norm(self) -> float:
        return math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in self.grads.values()))


class RNN:
    """A character RNN with V inputs and outputs and H hidden units, float64 throughout.

    >>> rnn = RNN(vocab_size=4, hidden_size=8, seed=0)
    >>> trace = rnn.forward([0, 1, 2, 2], [1, 2, 2, 3])
    >>> grads = rnn.backward(trace)
    """

    kind = "rnn"

    def __init__(self, vocab_size: int, hidden_size: int, seed: int = 0, scale: float = 0.1,
                 train_biases: bool = True) -> None:
        for name, n in (("vocab_size", vocab_size), ("hidden_size", hidden_size)):
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
                raise ValueError(f"{name}: expected a whole number ≥ 1, got {n!r}")
        if vocab_size < 2:
            raise ValueError("vocab_size: a softmax over fewer than 2 characters is always 1; need at least 2")
        self.V, self.H = int(vocab_size), int(hidden_size)
        self.seed = seed
        self.train_biases = train_biases
        self._theta = np.zeros(sum(self._size(shape) for _, shape, _ in PARAMETERS))
        self._views: dict[str, Array] = {}
        offset = 0
        for name, shape, _ in PARAMETERS:
            size = self._size(shape)
            self._views[name] = self._theta[offset : offset + size].reshape(self._shape(shape))
            offset += size
        # Small Gaussian weights, zero biases (as Karpathy's min-char-rnn): tanh starts near its linear part.
        rng = np.random.default_rng(seed)
        for name, shape, decays in PARAMETERS:
            if decays:
                self._views[name][...] = rng.normal(0.0, scale, self._shape(shape))

    def _shape(self, code: str) -> tuple[int, ...]:
        return tuple(self.H if c == "H" else self.V for c in code)

    def _size(self, code: str) -> int:
        return int(np.prod(self._shape(code)))

    # -- the parameters, by name -------------------------------------------------------------------------

    @property
    def W_xh(self) -> Array:
        return self._views["W_xh"]

    @property
    def W_hh(self) -> Array:
        return self._views["W_hh"]

    @property
    def b_h(self) -> Array:
        return self._views["b_h"]

    @property
    def W_hy(self) -> Array:
        return self._views["W_hy"]

    @property
    def b_y(self) -> Array:
        return self._views["b_y"]

    def param(self, name: str) -> Array:
        try:
            return self._views[name]
        except KeyError:
            raise ValueError(f"parameter: expected one of {[p[0] for p in PARAMETERS]}, got {name!r}") from None

    # -- forward and backward through time, side by side -------------------------------------------------

    def forward(self, inputs, targets, h0: Array | None = None) -> RNNTrace:
        """inputs, targets: character indices (T,) each; h0: the state carried in (default zeros)."""
        inputs, targets = self._check_chars(inputs, "inputs"), self._check_chars(targets, "targets")
        if inputs.shape != targets.shape:
            raise ValueError(f"targets: expected one per input ({len(inputs)}), got {len(targets)}")
        return self.forward_checked(inputs, targets, None if h0 is None else self._check_state(h0))

    def forward_checked(self, inputs: Array, targets: Array, h0: Array | None) -> RNNTrace:
        """``forward`` for inputs already checked (int64 indices in range, h0 of shape (H,)): the trainer's."""
        T = len(inputs)
        h = np.empty((T + 1, self.H))
        h[0] = 0.0 if h0 is None else h0
        # W_xh x_t with x_t one-hot is column c_t of W_xh: all steps' input terms in one gather.
        raw = self.W_xh[:, inputs].T + self.b_h
        W_hh_T = self.W_hh.T
        for t in range(T):
            h[t + 1] = TANH.value(raw[t] + h[t] @ W_hh_T)
        y = h[1:] @ self.W_hy.T + self.b_y
        eye = np.eye(self.V)
        return RNNTrace(inputs, targets, eye[inputs], h, y, SOFTMAX.value(y), eye[targets])

    def backward_steps(self, trace: RNNTrace) -> Iterator[StepBack]:
        """δ through time, one step at a time from the last: yields each step's δy, δh, δraw and its
        contributions to the gradients. The weights are those of the forward pass (none changes meanwhile)."""
        T = trace.steps
        dy_all = CROSS_ENTROPY.output_delta(trace.y, trace.p, trace.x_targets(), SOFTMAX) / T
        draw_next = np.zeros(self.H)
        for t in range(T - 1, -1, -1):
            dy = dy_all[t]
            dh = self.W_hy.T @ dy + self.W_hh.T @ draw_next
            draw = TANH.derivative(None, trace.h[t + 1]) * dh
            contributions = {
                "W_xh": np.outer(draw, trace.x[t]),
                "W_hh": np.outer(draw, trace.h[t]),
                "b_h": draw,
                "W_hy": np.outer(dy, trace.h[t + 1]),
                "b_y": dy,
            }
            yield StepBack(t, dy, dh, draw, contributions)
            draw_next = draw

    def backward(self, trace: RNNTrace) -> RNNGradients:
        """The whole backward pass. The sums over the steps are taken as matrix products (the same sums)."""
        T = trace.steps
        dy = CROSS_ENTROPY.output_delta(trace.y, trace.p, trace.x_targets(), SOFTMAX) / T
        from_output = dy @ self.W_hy  # row t: (W_hyᵀ δy_t)ᵀ
        dh, draw = np.empty((T, self.H)), np.empty((T, self.H))
        draw_next = np.zeros(self.H)
        one_minus_h2 = TANH.derivative(None, trace.h[1:])
        W_hh = self.W_hh
        for t in range(T - 1, -1, -1):
            dh[t] = from_output[t] + draw_next @ W_hh
            draw[t] = draw_next = one_minus_h2[t] * dh[t]
        return self._gradients(trace, dy, dh, draw)

    def gradients_from_steps(self, trace: RNNTrace, steps: list[StepBack]) -> RNNGradients:
        """The gradients of a backward pass run step by step (``backward_steps``): the sums of the
        per-step contributions."""
        order = sorted(steps, key=lambda s: s.t)
        if [s.t for s in order] != list(range(trace.steps)):
            raise ValueError("steps: the backward pass has not reached every time step yet")
        dy = np.array([s.dy for s in order])
        dh = np.array([s.dh for s in order])
        draw = np.array([s.draw for s in order])
        return self._gradients(trace, dy, dh, draw)

    def _gradients(self, trace: RNNTrace, dy: Array, dh: Array, draw: Array) -> RNNGradients:
        grads = {
            "W_xh": draw.T @ trace.x,
            "W_hh": draw.T @ trace.h[:-1],
            "b_h": draw.sum(axis=0),
            "W_hy": dy.T @ trace.h[1:],
            "b_y": dy.sum(axis=0),
        }
        dh0 = draw[0] @ self.W_hh if len(draw) else np.zeros(self.H)
        return RNNGradients(dy, dh, draw, grads, dh0, trace)

    def loss(self, inputs, targets, h0: Array | None = None) -> float:
        return self.forward(inputs, targets, h0).loss

    # -- sampling ----------------------------------------------------------------------------------------

    def sample(self, first: int, n: int, rng: np.random.Generator, temperature: float = 1.0,
               h0: Array | None = None) -> Array:
        """n characters drawn one after another from p = softmax(y / τ), starting after character ``first``
        with state h0. τ → 0 picks the most likely character (τ = 0 exactly: argmax), large τ spreads the
        choice. ``rng`` is passed in so a seeded run draws the same text."""
        if not isinstance(rng, np.random.Generator):
            raise ValueError("rng: pass a numpy Generator (np.random.default_rng(seed))")
        if not (np.isfinite(temperature) and temperature >= 0):
            raise ValueError(f"temperature: expected a number ≥ 0, got {temperature!r}")
        first = int(self._check_chars([first], "first")[0])
        h = np.zeros(self.H) if h0 is None else self._check_state(h0).copy()
        out = np.empty(int(n), dtype=np.int64)
        c = first
        for k in range(int(n)):
            h = TANH.value(self.W_xh[:, c] + self.W_hh @ h + self.b_h)
            y = self.W_hy @ h + self.b_y
            if temperature == 0:
                c = int(np.argmax(y))
            else:
                # Inverse of the cumulative distribution at a uniform draw: what rng.choice(p=p) does, without
                # its checks, which cost more than the step itself.
                cumulative = np.cumsum(SOFTMAX.value(y / temperature))
                c = min(int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right")), self.V - 1)
            out[k] = c
        return out

    # -- parameters, as the optimizers and the landscape see them ----------------------------------------

    def params(self, grads: RNNGradients) -> list[Param]:
        return [Param(name, self._views[name], grads.grads[name], decays) for name, _, decays in PARAMETERS
                if decays or self.train_biases]

    def trainable_vector(self) -> Array | None:
        return self._theta if self.train_biases else None

    def flat(self) -> Array:
        """W_xh, W_hh, b_h, W_hy, b_y end to end (row-major)."""
        return self._theta.copy()

    def set_flat(self, vector: Array) -> None:
        vector = np.asarray(vector, dtype=np.float64)
        if vector.shape != self._theta.shape:
            raise ValueError(f"vector: expected shape {self._theta.shape}, got {vector.shape}")
        self._theta[...] = vector

    @property
    def n_params(self) -> int:
        return self._theta.size

    def flat_index(self, name: str, i: int, j: int | None = None) -> int:
        """Position in ``flat()`` of W[i, j] (a matrix) or b[i] (a bias), 0-based."""
        offset = 0
        for pname, shape, _ in PARAMETERS:
            dims = self._shape(shape)
            if pname == name:
                index = (i,) if len(dims) == 1 else (i, j)
                if j is not None and len(dims) == 1 or any(
                    k is None or not (0 <= k < n) for k, n in zip(index, dims, strict=True)
                ):
                    raise ValueError(f"index: {name} is {' × '.join(map(str, dims))}; no entry {index}")
                return offset + int(np.ravel_multi_index(index, dims))
            offset += self._size(shape)
        raise ValueError(f"parameter: expected one of {[p[0] for p in PARAMETERS]}, got {name!r}")

    def unpack(self, thetas: Array) -> dict[str, Array]:
        """Flat vectors (m, n_params) -> each parameter stacked, (m, *shape): views, no copies."""
        thetas = np.asarray(thetas, dtype=np.float64)
        out, offset = {}, 0
        for name, shape, _ in PARAMETERS:
            size = self._size(shape)
            out[name] = thetas[:, offset : offset + size].reshape(len(thetas), *self._shape(shape))
            offset += size
        return out

    def copy(self) -> RNN:
        twin = RNN(self.V, self.H, self.seed, train_biases=self.train_biases)
        twin.set_flat(self._theta)
        return twin

    # -- checks ------------------------------------------------------------------------------------------

    def _check_chars(self, chars, name: str) -> Array:
        chars = np.asarray(chars)
        if chars.ndim != 1 or chars.dtype.kind not in "iu" and chars.size:
            raise ValueError(f"{name}: expected a sequence of character indices, got shape {chars.shape}")
        chars = chars.astype(np.int64)
        if chars.size and (chars.min() < 0 or chars.max() >= self.V):
            raise ValueError(f"{name}: character indices must be in 0..{self.V - 1}")
        return chars

    def _check_state(self, h0) -> Array:
        h0 = np.asarray(h0, dtype=np.float64)
        if h0.shape != (self.H,):
            raise ValueError(f"h0: expected a hidden state of shape ({self.H},), got {h0.shape}")
        return h0


def clip_by_norm(grads: RNNGradients, max_norm: float | None) -> float:
    """Scale every gradient by max_norm / ‖g‖ when the norm ‖g‖ of all of them together exceeds max_norm
    (as torch.nn.utils.clip_grad_norm_); returns ‖g‖ before clipping. None: no clipping."""
    norm = grads.norm
    if max_norm is not None and norm > max_norm:
        scale = max_norm / norm
        for g in grads.grads.values():
            g *= scale
    return norm
