"""The true answer to a prediction about the update shown now (engine/explain.py's ``update_view``): what the next
update will do at rest, or what the update under way or just done does. Nothing here changes the trainer.

    >>> answer(trainer, "loss")                              # 'down', 'up' or 'same': E on its batch, after vs before
    >>> answer(trainer, "sign", ("weight", 1, 0, 0))         # '+', '-' or '0': the sign of Δw5
    >>> answer(trainer, "number", ("neuron", 1, 0), "delta") # δ of h₁, for the batch's first example

Quantities of a number: ``delta`` (a neuron's δ, first example of the batch, as the explainer shows it),
``gradient`` (∂E/∂w or ∂E/∂b, the batch mean the update uses), ``change`` (Δw), ``new`` (w after the update),
``loss_after`` (E on the batch after the update).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from .explain import Element, check_element, update_view

QUANTITIES = ("delta", "gradient", "change", "new", "loss_after")


def answer(trainer: Any, kind: str, element: Element | None = None, quantity: str | None = None) -> Any:
    """The true answer: a choice ('down'/'up'/'same', '-'/'0'/'+') or a float. ValueError naming the field."""
    view = update_view(trainer)
    after = view.after
    with np.errstate(all="ignore"):
        if after is None:  # an update under way: its step, previewed on copies with the settings in force
            after = view.before.copy()
            copy.deepcopy(trainer.optimizer).step(after, view.grads)
        X, T = trainer.X_train[view.batch], trainer.T_train[view.batch]
        if kind == "loss" or quantity == "loss_after":
            before_loss = view.before.mean_error(view.trace, T)
            after_loss = after.loss(X, T)
            if quantity == "loss_after":
                return float(after_loss)
            return "down" if after_loss < before_loss else "up" if after_loss > before_loss else "same"
        if element is None:
            raise ValueError("element: this question is about one element; name it")
        element = check_element(view.before.sizes, element)
        if kind == "sign":
            if element[0] == "neuron":
                raise ValueError("element.kind: a sign question is about a weight or a bias")
            change = _param(after, element) - _param(view.before, element)
            return "+" if change > 0 else "-" if change < 0 else "0"
        if kind != "number":
            raise ValueError(f"kind: expected 'loss', 'sign' or 'number', got {kind!r}")
        if quantity == "delta":
            if element[0] != "neuron" or element[1] == 0:
                raise ValueError("element: δ belongs to a neuron of layer 1 or later")
            return float(view.grads.delta[element[1] - 1][0, element[2]])
        if element[0] == "neuron":
            raise ValueError(f"quantity: {quantity!r} belongs to a weight or a bias, not a neuron")
        if quantity == "gradient":
            grads, l = view.grads, element[1]
            g = grads.weights[l][element[2], element[3]] if element[0] == "weight" else grads.biases[l][element[2]]
            return float(g)
        if quantity == "change":
            return _param(after, element) - _param(view.before, element)
        if quantity == "new":
            return _param(after, element)
        raise ValueError(f"quantity: expected one of {', '.join(QUANTITIES)}, got {quantity!r}")


def _param(net: Any, element: Element) -> float:
    l = element[1]
    return float(net.weights[l][element[2], element[3]] if element[0] == "weight" else net.biases[l][element[2]])
