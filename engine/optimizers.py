"""Update rules, one interface for all: ``opt.step(model, grads)`` changes the parameters in place and returns
the change Δw it made to each, by parameter name.

Hyperparameters are plain attributes (``opt.lr``, ``opt.momentum``, ...) and may change between steps: the next
step uses them. Each rule follows its reference exactly:
  sgd       Δw = −η ∇E
  momentum  Δw(t+1) = −η ∇E + α Δw(t)              (PyTorch SGD(momentum=α) while η is constant)
  inertia   Δw(t+1) = (1 − α)(−η ∇E) + α Δw(t)     (the form on Wikipedia's backpropagation page)
  nesterov  b = α b + ∇E;  Δw = −η (∇E + α b)        (PyTorch SGD(momentum=α, nesterov=True))
  adam      torch.optim.Adam, bias-corrected moments
  rmsprop   torch.optim.RMSprop: v = ρ v + (1 − ρ) ∇E²;  Δw = −η ∇E / (√v + ε)
L2 weight decay adds λ w to the gradient of the weights (not the biases) before the rule, as PyTorch does.
η in the rules is the η in force, ``opt.eta``: the η set (``opt.lr``) times the schedule's factor at this step
(engine/schedules.py; constant unless ``opt.schedule`` says otherwise), as a torch scheduler sets a group's lr.

Every rule is elementwise, so a step runs on all the parameters at once, laid end to end in one vector (the
network's own parameter vector when it has one): the same numbers as parameter by parameter, in a handful of
NumPy calls instead of a handful per parameter. ``state`` holds the rule's memory as such vectors.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import accumulate
from typing import Any, Protocol

import numpy as np

from .network import Param
from .schedules import CONSTANT, Schedule

Array = np.ndarray


class Model(Protocol):
    def params(self, grads: Any) -> list[Param]: ...


class Optimizer:
    name = "sgd"
    hyperparameters: tuple[str, ...] = ("lr", "weight_decay")

    def __init__(self, lr: float = 0.1, weight_decay: float = 0.0) -> None:
        self.lr = lr
        self.weight_decay = weight_decay
        self.schedule: Schedule = CONSTANT
        self.eta = lr  # the η in force at the step being taken (set by step)
        self.state: dict[str, Array] = {}  # e.g. "change": the last Δ of every parameter, end to end
        self.t = 0  # steps taken, for Adam's bias correction
        self._layout: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (name, shape) of each parameter in order
        self._layout_spans: list[tuple[int, int]] = []

    def eta_at(self, t: int) -> float:
        """The η in force for the step after t steps: the η set times the schedule's factor."""
        return self.schedule.eta(self.lr, t)

    @property
    def next_eta(self) -> float:
        """The η the next step will use."""
        return self.eta_at(self.t)

    def snapshot(self) -> dict[str, Any]:
        """The optimizer as a step finds it: {"name", "settings", "t", "eta" (the η that step uses), "state"}."""
        return {"name": self.name, "settings": self.settings(), "t": self.t, "eta": self.next_eta,
                "state": {k: v.copy() for k, v in self.state.items()}}

    def step(self, model: Model, grads: Any) -> dict[str, Array]:
        self.eta = self.next_eta
        self.t += 1
        params = model.params(grads)
        spans = self._spans(params)
        live = model.trainable_vector() if hasattr(model, "trainable_vector") else None
        value = live if live is not None else np.concatenate([p.value.ravel() for p in params])
        g = np.concatenate([p.grad.ravel() for p in params])
        if self.weight_decay:
            for p, (start, end) in zip(params, spans, strict=True):
                if p.decays:
                    g[start:end] += self.weight_decay * value[start:end]
        change = self.change(g, self.state)
        value += change
        if live is None:
            for p, (start, end) in zip(params, spans, strict=True):
                p.value[...] = value[start:end].reshape(p.value.shape)
        return {p.name: change[a:b].reshape(p.value.shape) for p, (a, b) in zip(params, spans, strict=True)}

    def _spans(self, params: list[Param]) -> list[tuple[int, int]]:
        """(start, end) of each parameter in the vectors. When the set of parameters changes (biases switched
        to training, say), each keeps its memory and newcomers start from zero."""
        layout = tuple((p.name, p.value.shape) for p in params)
        if layout == self._layout:
            return self._layout_spans
        ends = list(accumulate(p.value.size for p in params))
        spans = [(end - p.value.size, end) for p, end in zip(params, ends, strict=True)]
        before = dict(zip(self._layout, self._layout_spans, strict=True))  # (name, shape) -> span
        for key, vector in self.state.items():
            moved = np.zeros(ends[-1] if ends else 0)
            for part, (start, end) in zip(layout, spans, strict=True):
                if part in before:
                    moved[start:end] = vector[slice(*before[part])]
            self.state[key] = moved
        self._layout, self._layout_spans = layout, spans
        return spans

    def change(self, g: Array, state: dict[str, Array]) -> Array:
        """The change Δ of every parameter, given the gradient g of all of them (one vector)."""
        return -self.eta * g

    def reset(self) -> None:
        self.state.clear()
        self.t = 0
        self._layout, self._layout_spans = (), []

    def settings(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in self.hyperparameters}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.settings().items())
        return f"{type(self).__name__}({args})"


class Momentum(Optimizer):
    name = "momentum"
    hyperparameters = ("lr", "momentum", "weight_decay")

    def __init__(self, lr: float = 0.1, momentum: float = 0.9, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.momentum = momentum

    def change(self, g: Array, state: dict[str, Array]) -> Array:
        change = -self.eta * g
        last = state.get("change")
        if last is not None:
            change += self.momentum * last
        state["change"] = change
        return change


class Inertia(Momentum):
    name = "inertia"

    def change(self, g: Array, state: dict[str, Array]) -> Array:
        change = -self.eta * g
        change *= 1.0 - self.momentum
        last = state.get("change")
        if last is not None:
            change += self.momentum * last
        state["change"] = change
        return change


class Nesterov(Momentum):
    name = "nesterov"

    def change(self, g: Array, state: dict[str, Array]) -> Array:
        buf = state.get("buf")
        buf = g.copy() if buf is None else self.momentum * buf + g
        state["buf"] = buf
        return -self.eta * (g + self.momentum * buf)


class Adam(Optimizer):
    name = "adam"
    hyperparameters = ("lr", "beta1", "beta2", "eps", "weight_decay")

    def __init__(
        self, lr: float = 0.01, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0
    ) -> None:
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def change(self, g: Array, state: dict[str, Array]) -> Array:
        m = state["m"] = self.beta1 * state.get("m", 0.0) + (1.0 - self.beta1) * g
        v = state["v"] = self.beta2 * state.get("v", 0.0) + (1.0 - self.beta2) * g * g
        m_hat = m / (1.0 - self.beta1**self.t)
        v_hat = v / (1.0 - self.beta2**self.t)
        return -self.eta * m_hat / (np.sqrt(v_hat) + self.eps)


class RMSprop(Optimizer):
    name = "rmsprop"
    hyperparameters = ("lr", "rho", "eps", "weight_decay")

    def __init__(self, lr: float = 0.01, rho: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.rho, self.eps = rho, eps

    def change(self, g: Array, state: dict[str, Array]) -> Array:
        v = state["v"] = self.rho * state.get("v", 0.0) + (1.0 - self.rho) * g * g
        return -self.eta * g / (np.sqrt(v) + self.eps)


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    cls.name: cls for cls in (Optimizer, Momentum, Inertia, Nesterov, Adam, RMSprop)
}

# Ranges a user may set; the server and the page read them from here.
LIMITS: dict[str, tuple[float, float]] = {
    "lr": (0.0, 100.0),
    "momentum": (0.0, 0.9999),
    "beta1": (0.0, 0.9999),
    "beta2": (0.0, 0.999999),
    "eps": (1e-12, 1.0),
    "rho": (0.0, 0.9999),
    "weight_decay": (0.0, 10.0),
}


def check_hyperparameter(name: str, value: float) -> float:
    low, high = LIMITS[name]
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name}: expected a number in [{low:g}, {high:g}], got {value!r}")
    if name == "lr" and value == 0.0:
        raise ValueError("lr: the learning rate must be greater than 0")
    return value


def make_optimizer(name: str, **hyperparameters: float) -> Optimizer:
    """``make_optimizer("momentum", lr=0.1, momentum=0.9)``; unknown names raise ValueError naming them."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"optimizer: unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}") from None
    unknown = set(hyperparameters) - set(cls.hyperparameters)
    if unknown:
        raise ValueError(
            f"{sorted(unknown)[0]}: not a setting of {name!r}; it takes {', '.join(cls.hyperparameters)}"
        )
    return cls(**{k: check_hyperparameter(k, v) for k, v in hyperparameters.items()})
