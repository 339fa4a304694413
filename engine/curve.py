"""A "model" with one parameter x whose loss is a curve f(x): gradient descent at its simplest.

It looks to the optimizers and the trainer like a 1-1 network whose single weight is x (``weights[0][0, 0]``;
its bias is fixed at 0), so the same update rules and the same trainer drive it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from .network import Network, Trace

Array = np.ndarray


def quartic(x: Array) -> Array:
    """The worked example f(x) = x⁴ − 3x³ + 2, minimum at x = 9/4."""
    return x**4 - 3 * x**3 + 2


def quartic_derivative(x: Array) -> Array:
    return 4 * x**3 - 9 * x**2


def quartic_second_derivative(x: Array) -> Array:
    return 12 * x**2 - 18 * x  # the curvature: η < 2/f''(x) keeps descent from overshooting near x


class Curve(Network):
    def __init__(
        self,
        x0: float = 4.0,
        f: Callable[[Array], Array] = quartic,
        df: Callable[[Array], Array] = quartic_derivative,
        d2f: Callable[[Array], Array] = quartic_second_derivative,
    ) -> None:
        super().__init__([1, 1], activations="linear", loss="mse", train_biases=False)
        self.f, self.df, self.d2f = f, df, d2f
        self.weights[0][0, 0] = x0
        self.textbook, self.textbook_only = {("weight", 0, 0, 0): "x"}, True  # its one parameter's name

    @property
    def x(self) -> float:
        return float(self.weights[0][0, 0])

    def forward(self, X: Array) -> Trace:
        """X is ignored but for its batch size: the "output" is f(x) and the "net" is x itself."""
        x = np.full((len(X), 1), self.x)
        # A diverged run's x (η = 0.06 takes it past 1e77 in 8 updates) overflows x⁴ to inf: that is the answer,
        # and the trainer reports the divergence, the surface drops non-finite points, so no warning is due.
        with np.errstate(over="ignore", invalid="ignore"):
            fx = self.f(x)
        return Trace(net=[np.asarray(X, float), x], o=[np.asarray(X, float), fx])

    def backward_layers(self, trace: Trace, T: Array) -> Iterator[tuple[int, Array, Array, Array]]:
        with np.errstate(over="ignore", invalid="ignore"):  # as in forward: a diverged x's slope is inf or nan
            slope = self.df(trace.net[1])
        yield 0, slope, slope.mean(axis=0, keepdims=True), np.zeros(1)

    def errors(self, trace: Trace, T: Array) -> Array:
        return trace.o[1][:, 0]
