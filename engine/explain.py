"""One update explained: the chain rule for one neuron, weight or bias, with every number substituted.

    >>> terms = explain(trainer, ("weight", 1, 0, 0))     # w from h₁ to ŷ₁ (w5 in the 2-2-2 example)
    >>> terms["update"]["old"], terms["update"]["new"]

The update explained is the one a person is looking at (``update_view``):
  - at rest (no phase kept: after a reset, a new setup, or playing), the NEXT update: its batch (peeked, nothing
    random is consumed), forward and backward at the current weights, and what its step would make (a preview on
    copies, with the settings in force);
  - an update under way (forward or backward phases): its batch at the weights it started from; the sections
    the backward pass has not reached are marked pending;
  - an update done: everything at the weights it started from (the hidden δ use those weights, as the chain rule
    requires), the optimizer's state as the step found it, and old w → new w.

Sections (each a dict of plain floats and names; engine/names.py names everything):
  forward  net_j = Σ_i w_ij o_i + b_j with each term, and o_j = φ(net_j), for one example;
  backward δ_j: the loss's own output form, or φ′(net_j)·Σ_k w_jk δ_k with each product, for that example;
  gradient ∂E/∂w_ij = δ_j·o_i for that example, and the batch mean with its count (each product when ≤ 10);
  update   the optimizer's rule with its state (velocity, Adam's m, v, m̂, v̂, RMSProp's mean square, weight
           decay λw), old → new.
The numbers are the engine's own (the trace and gradients of ``Network``, the optimizers' arithmetic written
out term by term in the same order), so each one shown equals the frame's value to every digit.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import names
from .curve import Curve
from .network import Gradients, Network, Trace

Array = np.ndarray
Element = tuple  # ("neuron", l, j) with l = 0..L; ("weight", l, i, j) or ("bias", l, j) with l indexing weights[l]
SMALL_BATCH = 10  # up to this many examples, the gradient lists each one's product


@dataclass
class UpdateView:
    """The update a person looks at. ``before``: a copy of the network at the weights it started from; ``trace``
    and ``grads``: its batch's forward and backward there; ``after``: the weights it made (the trainer's own
    network when done, a preview copy at rest, None while under way)."""

    step: int
    status: str  # 'next', 'under way' or 'done'
    phase: dict[str, Any]
    batch: Array
    before: Network
    trace: Trace
    grads: Gradients
    reached: int  # δ is known for weight layers l ≥ reached (0: all; L: none yet)
    optimizer: dict[str, Any]  # {"name", "settings", "t", "eta", "state"} as the step finds it (Optimizer.snapshot)
    after: Network | None
    changes: dict[str, Array]


def update_view(trainer: Any) -> UpdateView:
    """The update shown now: the next one at rest, else the one the last phase belongs to."""
    phase = trainer.last_phase
    model = trainer.model
    L = model.n_layers
    before = model.copy()
    if phase is None:
        step, status, batch = trainer.step_count + 1, "next", trainer.peek_batch()
        shown = {"kind": "idle", "layer": None}
        opt = trainer.optimizer.snapshot()
        reached = 0
    else:
        step, batch = phase.step, phase.batch
        shown = {"kind": phase.kind, "layer": phase.layer}
        if phase.weights_before is not None:
            before.set_flat(phase.weights_before)
        if phase.kind == "update":
            status, opt, reached = "done", phase.optimizer_before, 0
        else:
            status, opt = "under way", trainer.optimizer.snapshot()
            reached = L if phase.kind == "forward" else phase.layer
    X, T = trainer.X_train[batch], trainer.T_train[batch]
    with np.errstate(all="ignore"):
        trace = before.forward(X)
        grads = before.backward(trace, T)
        if status == "done":
            after, changes = model, phase.changes
        elif status == "next":
            after = before.copy()
            preview = copy.deepcopy(trainer.optimizer)
            changes = preview.step(after, grads)
        else:
            after, changes = None, {}
    return UpdateView(step, status, shown, np.asarray(batch), before, trace, grads, reached, opt, after, changes)


def check_element(sizes: list[int], element: Element) -> Element:
    """The element as a tuple of ints after its kind; ValueError naming the field when it does not exist."""
    kind, *rest = element
    L = len(sizes) - 1
    want = {"neuron": 2, "weight": 3, "bias": 2}.get(kind)
    if want is None:
        raise ValueError(f"kind: expected 'neuron', 'weight' or 'bias', got {kind!r}")
    if len(rest) != want:
        raise ValueError(f"element: a {kind} needs {want} indices, got {len(rest)}")
    l, *ij = (int(k) for k in rest)
    top = L if kind == "neuron" else L - 1
    if not 0 <= l <= top:
        raise ValueError(f"layer: expected 0…{top} for a {kind}, got {l}")
    if kind == "weight":
        i, j = ij
        if not 0 <= i < sizes[l]:
            raise ValueError(f"i: layer {l} has {sizes[l]} neurons, got neuron index {i}")
        if not 0 <= j < sizes[l + 1]:
            raise ValueError(f"j: layer {l + 1} has {sizes[l + 1]} neurons, got neuron index {j}")
        return (kind, l, i, j)
    (j,) = ij
    n = sizes[l] if kind == "neuron" else sizes[l + 1]
    if not 0 <= j < n:
        raise ValueError(f"j: that layer has {n} neurons, got neuron index {j}")
    return (kind, l, j)


def explain(trainer: Any, element: Element, example: int | None = None) -> dict[str, Any]:
    """The terms of ``element`` for the update shown now (see the module's docstring), for training example
    ``example`` (None: the first of the batch). Plain floats, JSON-ready."""
    view = update_view(trainer)
    net = view.before
    sizes = net.sizes
    element = check_element(sizes, element)
    kind = element[0]
    if example is not None and not 0 <= example < trainer.n_train:
        raise ValueError(f"example: expected an index in 0…{trainer.n_train - 1}, got {example}")
    chosen = example is not None
    if example is None:
        example = int(view.batch[0])
    where = np.flatnonzero(view.batch == example)
    if where.size:
        p, trace, grads = int(where[0]), view.trace, view.grads
    else:  # not in this batch: its own numbers, at the same weights
        p = 0
        X, T = trainer.X_train[example : example + 1], trainer.T_train[example : example + 1]
        with np.errstate(all="ignore"):
            trace = net.forward(X)
            grads = net.backward(trace, T)
    target = trainer.T_train[example]
    out: dict[str, Any] = {
        "element": _element_dict(element),
        "name": _element_name(net, element),
        "update": view.step, "status": view.status, "phase": view.phase,
        "example": {"index": int(example), "chosen": chosen, "in_batch": bool(where.size)},
        "batch": {"count": int(len(view.batch)),
                  "indices": [int(k) for k in view.batch] if len(view.batch) <= SMALL_BATCH else None},
        "loss": _losses(trainer, view),
        "forward": None, "backward": None, "gradient": None, "rule": None,
    }
    curve = isinstance(net, Curve)
    with np.errstate(all="ignore"):
        if kind == "neuron":
            l, j = element[1], element[2]
            if l == 0:
                out["forward"] = {"input": True, "neuron": names.neuron_name(sizes, 0, j), "o": _f(trace.o[0][p, j])}
            elif not curve:
                out["forward"] = _forward(net, trace, p, l, j)
                out["backward"] = _backward(view, net, trace, grads, p, l, j, target)
            return out
        l = element[1]
        j = element[-1]
        if not curve:
            out["forward"] = _forward(net, trace, p, l + 1, j)
            out["backward"] = _backward(view, net, trace, grads, p, l + 1, j, target)
        out["gradient"] = _gradient(view, trace, grads, p, element, int(example))
        out["rule"] = _rule(view, element)
    return out


# -- the sections -----------------------------------------------------------------------------------------


def _f(x: Any) -> float:
    return float(x)


def _element_dict(element: Element) -> dict[str, Any]:
    if element[0] == "weight":
        return {"kind": "weight", "layer": element[1], "i": element[2], "j": element[3]}
    return {"kind": element[0], "layer": element[1], "j": element[2]}


def _element_name(net: Network, element: Element) -> dict[str, Any]:
    sizes = net.sizes
    kind = element[0]
    if kind == "neuron":
        return {"label": names.neuron_name(sizes, element[1], element[2]), "textbook": None}
    textbook = (getattr(net, "textbook", None) or {}).get(tuple(element))
    plain = names.weight_name(sizes, *element[1:]) if kind == "weight" else names.bias_name(sizes, *element[1:])
    return {"label": names.param_label(net, element), "textbook": textbook, "plain": plain}


def _losses(trainer: Any, view: UpdateView) -> dict[str, Any]:
    """E on the update's batch at the weights it started from, and after its step (done, or previewed)."""
    T = trainer.T_train[view.batch]
    before = view.before.mean_error(view.trace, T)
    after = None
    if view.after is not None:
        after = view.after.loss(trainer.X_train[view.batch], T)
    return {"before": before, "after": after}


def _forward(net: Network, trace: Trace, p: int, l: int, j: int) -> dict[str, Any]:
    """net_j = Σ_i w_ij o_i + b_j and o_j = φ(net_j) for neuron j of layer l ≥ 1, example p."""
    sizes = net.sizes
    w = net.weights[l - 1][:, j]
    o = trace.o[l - 1][p]
    terms = [{"from": names.neuron_name(sizes, l - 1, i), "w": _f(w[i]), "o": _f(o[i]), "product": _f(w[i] * o[i])}
             for i in range(sizes[l - 1])]
    return {
        "neuron": names.neuron_name(sizes, l, j), "terms": terms, "b": _f(net.biases[l - 1][j]),
        "net": _f(trace.net[l][p, j]), "activation": net.activations[l - 1].name, "o": _f(trace.o[l][p, j]),
    }


def _backward(view: UpdateView, net: Network, trace: Trace, grads: Gradients, p: int, l: int, j: int,
              target: Array) -> dict[str, Any]:
    """δ_j of neuron j of layer l ≥ 1, example p: the output's own form, or φ′(net_j) Σ_k w_jk δ_k."""
    sizes = net.sizes
    L = net.n_layers
    name = names.neuron_name(sizes, l, j)
    if l - 1 < view.reached:
        return {"neuron": name, "pending": True}
    phi = net.activations[l - 1]
    net_j, o_j = trace.net[l][p, j], trace.o[l][p, j]
    delta = _f(grads.delta[l - 1][p, j])
    if l == L:
        loss = net.loss_name
        out = {"neuron": name, "output": True, "loss": loss, "o": _f(o_j), "t": _f(target[j]), "delta": delta,
               "activation": phi.name}
        if loss == "mse":
            out["dphi"] = _f(phi.derivative(np.array([net_j]), np.array([o_j]))[0])
        return out
    dphi = _f(phi.derivative(np.array([net_j]), np.array([o_j]))[0])
    w = net.weights[l][j]  # w_jk: the weights out of j, as they were before the update
    d = grads.delta[l][p]
    terms = [{"to": names.neuron_name(sizes, l + 1, k), "w": _f(w[k]), "delta": _f(d[k]), "product": _f(w[k] * d[k])}
             for k in range(sizes[l + 1])]
    return {"neuron": name, "output": False, "activation": phi.name, "dphi": dphi, "terms": terms,
            "sum": math.fsum(t["product"] for t in terms), "delta": delta}


def _gradient(view: UpdateView, trace: Trace, grads: Gradients, p: int, element: Element,
              example: int) -> dict[str, Any]:
    """∂E/∂w_ij = δ_j o_i (or ∂E/∂b_j = δ_j) for the example, and the batch mean the update uses."""
    kind, l = element[0], element[1]
    j = element[-1]
    if l < view.reached:
        return {"pending": True}
    d = grads.delta[l][p, j]
    out: dict[str, Any] = {"delta": _f(d)}
    if isinstance(view.before, Curve):  # one parameter x whose gradient is f′(x) itself
        return {"curve": True, "x": _f(view.before.x), "value": _f(d), "count": len(view.batch),
                "mean": _f(view.grads.weights[0][0, 0])}
    if kind == "weight":
        i = element[2]
        o = trace.o[l][p, i]
        out.update(o=_f(o), value=_f(d * o), source=names.neuron_name(view.before.sizes, l, i))
        mean = view.grads.weights[l][i, j]
        pairs = [(view.grads.delta[l][q, j], view.trace.o[l][q, i]) for q in range(len(view.batch))]
    else:
        out["value"] = _f(d)
        mean = view.grads.biases[l][j]
        pairs = [(view.grads.delta[l][q, j], 1.0) for q in range(len(view.batch))]
    out["count"] = len(view.batch)
    out["mean"] = _f(mean)
    if len(view.batch) <= SMALL_BATCH:
        out["products"] = [{"example": int(k), "delta": _f(dq), "o": _f(oq), "product": _f(dq * oq)}
                           for k, (dq, oq) in zip(view.batch, pairs, strict=True)]
    return out


def _state_index(net: Network, element: Element) -> int:
    """Where the element sits in the optimizer's vectors (the order of ``net.params``)."""
    kind, l = element[0], element[1]
    offset = 0
    for m in range(net.n_layers):
        w, b = net.weights[m], net.biases[m]
        if m == l and kind == "weight":
            return offset + element[2] * w.shape[1] + element[3]
        offset += w.size
        if net.train_biases:
            if m == l:
                return offset + element[2]
            offset += b.size
    raise ValueError("element: biases are held fixed in this network; the optimizer does not move them")


def _rule(view: UpdateView, element: Element) -> dict[str, Any]:
    """The optimizer's step for this one parameter, term by term in the engine's own order (optimizers.py)."""
    net = view.before
    kind, l = element[0], element[1]
    old = net.weights[l][element[2], element[3]] if kind == "weight" else net.biases[l][element[2]]
    if l < view.reached:
        return {"pending": True, "old": _f(old)}
    if kind == "bias" and not net.train_biases:
        return {"fixed": True, "old": _f(old)}
    opt = view.optimizer
    name, s, t = opt["name"], opt["settings"], opt["t"] + 1
    k = _state_index(net, element)

    def state(key: str) -> float | None:
        v = opt["state"].get(key)
        return None if v is None else float(v[k])

    grads = view.grads
    grad = float(grads.weights[l][element[2], element[3]] if kind == "weight" else grads.biases[l][element[2]])
    lr, decay = opt.get("eta", s["lr"]), s.get("weight_decay", 0.0)  # the η in force (a schedule's η_t)
    g = grad
    out: dict[str, Any] = {"optimizer": name, "lr": lr, "grad": grad, "old": float(old), "t": t,
                           "status": view.status}
    if decay and kind == "weight":
        out["decay"] = {"lambda": decay, "term": decay * float(old)}
        g = grad + decay * float(old)
    out["g"] = g
    if name == "sgd":
        change = -lr * g
    elif name in ("momentum", "inertia"):
        alpha = s["momentum"]
        last = state("change")
        change = -lr * g
        if name == "inertia":
            change *= 1.0 - alpha
        out["momentum"] = {"alpha": alpha, "last": last if last is not None else 0.0, "first": last is None}
        if last is not None:
            change += alpha * last
    elif name == "nesterov":
        alpha = s["momentum"]
        prev = state("buf")
        buf = g if prev is None else alpha * prev + g
        out["nesterov"] = {"alpha": alpha, "buf_before": prev if prev is not None else 0.0, "buf": buf,
                           "first": prev is None}
        change = -lr * (g + alpha * buf)
    elif name == "adam":
        b1, b2, eps = s["beta1"], s["beta2"], s["eps"]
        m0, v0 = state("m") or 0.0, state("v") or 0.0
        m = b1 * m0 + (1.0 - b1) * g
        v = b2 * v0 + (1.0 - b2) * g * g
        m_hat = m / (1.0 - b1**t)
        v_hat = v / (1.0 - b2**t)
        change = -lr * m_hat / (math.sqrt(v_hat) + eps)
        out["adam"] = {"beta1": b1, "beta2": b2, "eps": eps, "m_before": m0, "v_before": v0, "m": m, "v": v,
                       "m_hat": m_hat, "v_hat": v_hat}
    elif name == "rmsprop":
        rho, eps = s["rho"], s["eps"]
        v0 = state("v") or 0.0
        v = rho * v0 + (1.0 - rho) * g * g
        change = -lr * g / (math.sqrt(v) + eps)
        out["rmsprop"] = {"rho": rho, "eps": eps, "v_before": v0, "v": v}
    else:
        raise ValueError(f"optimizer: no explanation written for {name!r}")
    out["change"] = change
    out["new"] = float(old) + change
    # The engine's own result, for the record: equal to the line above (tests check it).
    key = f"weights[{l}]" if kind == "weight" else f"biases[{l}]"
    engine = view.changes.get(key)
    if engine is not None:
        out["engine_change"] = float(engine[element[2], element[3]] if kind == "weight" else engine[element[2]])
    return out
