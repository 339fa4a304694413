"""Seeded toy data: 2-D classification and regression sets in the square [-1, 1]², with noise and a split.

Classification labels are class indices 0..K-1; ``Dataset.targets`` encodes them for the output the network
has (±1 for tanh, 0/1 for the logistic unit, one-hot for softmax). Regression targets are values in [-1, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
Rng = np.random.Generator


@dataclass
class Dataset:
    name: str
    kind: str  # "classification", "regression" or "given" (targets supplied as they are, for the presets)
    X_train: Array  # (n_train, n_inputs)
    y_train: Array  # labels (n_train,) or targets (n_train, n_outputs)
    X_test: Array
    y_test: Array
    n_classes: int = 0

    @property
    def n_inputs(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """Output neurons a network needs: K for more than two classes, else 1 (or the given targets' width)."""
        if self.kind == "classification":
            return self.n_classes if self.n_classes > 2 else 1
        return self.y_train.shape[1]

    def targets(self, encoding: str, split: str = "train") -> Array:
        """The targets T for ``split`` ('train' or 'test'): (n, n_outputs) floats."""
        y = self.y_train if split == "train" else self.y_test
        if self.kind != "classification":
            return y
        if encoding == "onehot":
            if self.n_classes < 2:
                raise ValueError("loss: a softmax output needs at least two classes")
            return np.eye(self.n_classes)[y]
        if self.n_classes > 2:
            raise ValueError(
                f"loss: {self.name!r} has {self.n_classes} classes; use loss 'softmax_ce' to tell them apart"
            )
        t = y.astype(np.float64)[:, None]
        return 2.0 * t - 1.0 if encoding == "pm1" else t

    @classmethod
    def given(cls, name: str, X: Array, T: Array) -> Dataset:
        """A fixed set of cases, all used for training (the worked examples)."""
        X, T = np.atleast_2d(np.asarray(X, float)), np.atleast_2d(np.asarray(T, float))
        return cls(name, "given", X, T, X[:0], T[:0])


def _circle(n: int, noise: float, rng: Rng) -> tuple[Array, Array]:
    # Half the points inside radius 0.5 (class 1), half in the ring 0.7..1 (class 0), as TF Playground.
    inside = n // 2
    r = np.concatenate([rng.uniform(0, 0.5, inside), rng.uniform(0.7, 1.0, n - inside)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    X += rng.uniform(-1, 1, X.shape) * noise * 0.5
    return X, (np.hypot(X[:, 0], X[:, 1]) < 0.6).astype(np.int64)


def _xor(n: int, noise: float, rng: Rng) -> tuple[Array, Array]:
    X = rng.uniform(-1, 1, (n, 2))
    X += np.sign(X) * 0.05  # a small gap between the quadrants
    y = (X[:, 0] * X[:, 1] >= 0).astype(np.int64)
    X += rng.uniform(-1, 1, X.shape) * noise * 0.5
    return X, y


def _gauss(n: int, noise: float, rng: Rng) -> tuple[Array, Array]:
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, 0.4, -0.4) * np.ones((n, 2))
    X = centres + rng.normal(0, 0.15 + 0.35 * noise, (n, 2))
    return X, y.astype(np.int64)


def _spiral_arms(n: int, noise: float, rng: Rng, arms: int) -> tuple[Array, Array]:
    y = np.arange(n) % arms
    t = rng.uniform(0, 1, n)
    r = 0.05 + 0.9 * t
    angle = 1.75 * 2 * np.pi * t + y * 2 * np.pi / arms
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    X += rng.normal(0, 1, X.shape) * noise * 0.1
    return X, y.astype(np.int64)


def _plane(n: int, noise: float, rng: Rng) -> tuple[Array, Array]:
    X = rng.uniform(-1, 1, (n, 2))
    t = (X[:, 0] + X[:, 1]) / 2
    return X, (t + rng.normal(0, 1, n) * noise * 0.2)[:, None]


def _multi_gauss(n: int, noise: float, rng: Rng) -> tuple[Array, Array]:
    X = rng.uniform(-1, 1, (n, 2))
    bumps = [(-0.6, 0.6, 1.0), (0.6, 0.6, -1.0), (-0.6, -0.6, -1.0), (0.6, -0.6, 1.0), (0.0, 0.0, 0.5)]
    t = sum(h * np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / (2 * 0.25**2)) for cx, cy, h in bumps)
    return X, (np.clip(t, -1, 1) + rng.normal(0, 1, n) * noise * 0.2)[:, None]


GENERATORS: dict[str, tuple[str, Callable[[int, float, Rng], tuple[Array, Array]], int]] = {
    "circle": ("classification", _circle, 2),
    "xor": ("classification", _xor, 2),
    "gauss": ("classification", _gauss, 2),
    "spiral": ("classification", lambda n, noise, rng: _spiral_arms(n, noise, rng, 2), 2),
    "spiral3": ("classification", lambda n, noise, rng: _spiral_arms(n, noise, rng, 3), 3),
    "plane": ("regression", _plane, 0),
    "multi_gauss": ("regression", _multi_gauss, 0),
}


def make_dataset(
    name: str, n: int = 500, noise: float = 0.0, test_fraction: float = 0.5, seed: int = 0
) -> Dataset:
    """``n`` points of the named set, shuffled with ``seed`` and split into train and test parts."""
    if name not in GENERATORS:
        raise ValueError(f"dataset: unknown dataset {name!r}; expected one of {sorted(GENERATORS)}")
    if not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n: need at least 2 points, got {n!r}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise: expected a level in [0, 1], got {noise!r}")
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction: expected a share in [0, 1), got {test_fraction!r}")
    kind, generate, n_classes = GENERATORS[name]
    rng = np.random.default_rng(seed)
    X, y = generate(int(n), float(noise), rng)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    n_test = min(int(round(len(X) * test_fraction)), len(X) - 1)
    n_train = len(X) - n_test
    return Dataset(name, kind, X[:n_train], y[:n_train], X[n_train:], y[n_train:], n_classes)
