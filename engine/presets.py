"""The worked examples of NOTATION.md, ready to train: a model, its data, its optimizer and batch size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .curve import Curve
from .datasets import Dataset
from .network import Network
from .optimizers import Optimizer, make_optimizer


@dataclass
class Preset:
    name: str
    title: str
    model: Network
    data: Dataset
    optimizer: Optimizer
    batch_size: int | None = None
    notes: dict[str, float] = field(default_factory=dict)
    # The loss-surface slice the example is about: {"kind": "curve"} or {"kind": "weights", "params": [p, q]}
    # with p, q as directions.ParamRef tuples ("weight", l, i, j).
    view: dict[str, Any] = field(default_factory=dict)


def worked_222() -> Preset:
    """The 2-2-2 logistic network with inputs (0.05, 0.10) and targets (0.01, 0.99), eta 0.5, biases fixed."""
    net = Network([2, 2, 2], activations="sigmoid", loss="mse", train_biases=False)
    net.weights[0][:] = [[0.15, 0.25], [0.20, 0.30]]  # w1 (x1→h1), w3 (x1→h2); w2 (x2→h1), w4 (x2→h2)
    net.weights[1][:] = [[0.40, 0.50], [0.45, 0.55]]  # w5 (h1→o1), w7 (h1→o2); w6 (h2→o1), w8 (h2→o2)
    net.biases[0][:] = 0.35
    net.biases[1][:] = 0.60
    # The textbook's names: w1 x1→h1, w2 x2→h1, w3 x1→h2, w4 x2→h2, w5 h1→o1, w6 h2→o1, w7 h1→o2, w8 h2→o2.
    net.textbook = {
        ("weight", 0, 0, 0): "w1", ("weight", 0, 1, 0): "w2", ("weight", 0, 0, 1): "w3", ("weight", 0, 1, 1): "w4",
        ("weight", 1, 0, 0): "w5", ("weight", 1, 1, 0): "w6", ("weight", 1, 0, 1): "w7", ("weight", 1, 1, 1): "w8",
    }
    data = Dataset.given("worked_222", [[0.05, 0.10]], [[0.01, 0.99]])
    # The surface over w1 (x1→h1) and w5 (h1→o1): a hidden and an output weight, both changed by the first update.
    view = {"kind": "weights", "params": [("weight", 0, 0, 0), ("weight", 1, 0, 0)]}
    return Preset("worked_222", "2-2-2 worked example (logistic units)", net, data, make_optimizer("sgd", lr=0.5),
                  view=view)


def linear_neuron(cases: int = 1) -> Preset:
    """One linear neuron y = w1 x1 + w2 x2 (no bias). One case (1, 1) → 0 gives a trough; two give a bowl."""
    if cases not in (1, 2):
        raise ValueError(f"cases: expected 1 or 2, got {cases!r}")
    net = Network([2, 1], activations="linear", loss="mse", train_biases=False)
    net.weights[0][:] = [[1.5], [1.0]]
    net.textbook = {("weight", 0, 0, 0): "w1", ("weight", 0, 1, 0): "w2"}  # y = w1 x1 + w2 x2
    X, T = [[1.0, 1.0], [1.0, 0.0]][:cases], [[0.0], [1.0]][:cases]
    data = Dataset.given(f"linear_neuron_{cases}", X, T)
    title = "One linear neuron, " + ("one case: a trough" if cases == 1 else "two cases: a bowl")
    # E over (w1, w2), wide enough to show the trough's floor w1 + w2 = 0 or the bowl's minimum (1, −1).
    span = [(-1.0, 2.5), (-2.0, 2.0)] if cases == 1 else [(-0.5, 2.5), (-2.0, 1.5)]
    view = {"kind": "weights", "params": [("weight", 0, 0, 0), ("weight", 0, 1, 0)], "span": span}
    return Preset(f"linear_neuron_{cases}", title, net, data, make_optimizer("sgd", lr=0.1), view=view)


def curve() -> Preset:
    """Descent on f(x) = x⁴ − 3x³ + 2 from x = 4 with step 0.001."""
    return Preset(
        "curve",
        "Gradient descent on the curve f(x) = x⁴ − 3x³ + 2",
        Curve(x0=4.0),
        Dataset.given("curve", [[0.0]], [[0.0]]),
        make_optimizer("sgd", lr=0.001),
        notes={"minimum": 9 / 4},
        view={"kind": "curve", "span": [(0.5, 4.25)]},  # the start x = 4 and the minimum 9/4 on one screen
    )


PRESETS = {
    "worked_222": worked_222,
    "linear_neuron_1": lambda: linear_neuron(1),
    "linear_neuron_2": lambda: linear_neuron(2),
    "curve": curve,
}


def make_preset(name: str) -> Preset:
    try:
        return PRESETS[name]()
    except KeyError:
        raise ValueError(f"preset: unknown preset {name!r}; expected one of {sorted(PRESETS)}") from None


