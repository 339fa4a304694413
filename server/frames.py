"""What a frame carries, read off the trainer: the engine computed every number; this only selects and packs.

A frame describes the update (or phase) just done: its forward pass and deltas were computed with the weights
before the update (sent too, as ``weights_before``), its changes Δw made the weights the frame shows. While
playing, that is the newest update of the slice trained (engine: ``Trainer.run`` keeps it). At rest (no phase
kept: after a reset, a new setup or a pause) it shows the next update's forward and backward pass at the current
weights, on the batch that update will draw.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from engine import Phase, Trainer

from .wire import Arrays, Parts, finite_or_none

Array = np.ndarray


def current_view(trainer: Trainer, example: int | None) -> tuple[Phase, int | None]:
    """The phase to show and where the selected example sits in it (None: the batch mean).

    Which weights the numbers belong to (docs/protocol.md, "Before and after"): after a phase, a step, or
    updates played, the forward values, δ and gradients are those of the update that phase belongs to (the
    newest, when playing), at the weights it started from. At rest (after a reset, a new setup or a pause, when
    no phase is kept) they are the NEXT update's: its batch (peeked, nothing random consumed) at the current
    weights, so the gradient shown is the one the next step uses. A selected example is always shown with its
    own numbers: when it is not in the batch, it goes through the same weights on its own (the header's
    ``selection_in_batch`` says so).
    """
    phase = trainer.last_phase
    if phase is not None:
        if example is None:
            return phase, None
        where = np.flatnonzero(phase.batch == example)
        if where.size:
            return phase, int(where[0])
        return _example_alone(trainer, phase, example), 0
    batch = trainer.peek_batch()
    with np.errstate(all="ignore"):
        trace = trainer.model.forward(trainer.X_train[batch])
        batch_loss = trainer.model.mean_error(trace, trainer.T_train[batch])  # E of the next batch, as ever
        if example is not None:
            batch = np.array([example])
            trace, grads = trainer.example(example)
        else:
            grads = trainer.model.backward(trace, trainer.T_train[batch])
    kind = "update" if trainer.step_count else "idle"
    view = Phase(kind, trainer.step_count, batch, trace, batch_loss, None, grads.delta, grads.weights,
                 grads.biases, trainer.last_changes)
    return view, (0 if example is not None else None)


def _example_alone(trainer: Trainer, phase: Phase, example: int) -> Phase:
    """One example outside the phase's batch, through the weights that update started from; δ only for the
    layers the backward pass has reached."""
    net = trainer.model.copy()
    if phase.weights_before is not None:
        net.set_flat(phase.weights_before)
    X, T = trainer.X_train[example : example + 1], trainer.T_train[example : example + 1]
    with np.errstate(all="ignore"):
        trace = net.forward(X)
        grads = net.backward(trace, T)

    def reached(arrays: list) -> list:
        return [a if done is not None else None for a, done in zip(arrays, phase.delta, strict=True)]

    return Phase(phase.kind, phase.step, np.array([example]), trace, phase.batch_loss, phase.layer,
                 reached(grads.delta), reached(grads.weights), reached(grads.biases), phase.changes,
                 phase.weights_before, phase.optimizer_before)


def shown_update(trainer: Trainer) -> dict[str, Any]:
    """Which update the frame's forward values, δ and gradients belong to, and how far it is."""
    phase = trainer.last_phase
    if phase is None:
        return {"update": trainer.step_count + 1, "status": "next"}
    return {"update": phase.step, "status": "done" if phase.kind == "update" else "under way"}


def selection_in_batch(trainer: Trainer, selection: int | None) -> bool:
    if selection is None:
        return True
    batch = trainer.last_phase.batch if trainer.last_phase is not None else trainer.peek_batch()
    return bool(np.any(batch == selection))


def frame_arrays(trainer: Trainer, view: Phase, position: int | None) -> Arrays:
    """The frame's numbers as seven flat arrays whose parts are the per-layer arrays of docs/protocol.md
    (``weights.l`` is a part of ``trajectory``, ``delta.l`` of ``delta``...): packing costs per array, and
    thirty-six small ones cost more than the numbers in them (wire.py)."""
    model = trainer.model
    sizes, every = tuple(model.sizes), tuple(range(model.n_layers))
    neurons = view.neurons(position)
    arrays: Arrays = {
        "trajectory": ("f8", model.flat(), param_parts(sizes, every, "")),
        "net": ("f8", neurons["net"], neuron_parts(sizes, "net")),
        "o": ("f8", neurons["o"], neuron_parts(sizes, "o")),
    }
    reached = neurons["reached"]
    if reached:
        arrays["delta"] = ("f8", neurons["delta"], delta_parts(sizes, reached))
        if position is None:
            grads = [g for l in reached for g in (view.grad_weights[l].ravel(), view.grad_biases[l])]
        else:  # one example's dE/dw_ij = delta_j o_i
            deltas = [view.delta[l][position] for l in reached]
            grads = [g for l, d in zip(reached, deltas, strict=True)
                     for g in (np.outer(view.trace.o[l][position], d).ravel(), d)]
        arrays["grad_params"] = ("f8", np.concatenate(grads), param_parts(sizes, reached, "grad_"))
    if view.kind == "update" and view.weights_before is not None:  # old → new: the weights it started from
        arrays["params_before"] = ("f8", view.weights_before, param_parts(sizes, every, "", "_before"))
    changes = view.changes if view.kind == "update" else trainer.last_changes
    change = []
    for l in every:
        for kind, like in (("weights", model.weights[l]), ("biases", model.biases[l])):
            kept = changes.get(f"{kind}[{l}]")
            # Zeros where no change is kept (before the first update; biases not trained).
            change.append(np.zeros(like.size) if kept is None else kept.ravel())
    arrays["change_params"] = ("f8", np.concatenate(change), param_parts(sizes, every, "change_"))
    return arrays


@functools.lru_cache(maxsize=256)
def param_parts(sizes: tuple[int, ...], layers: tuple[int, ...], prefix: str, suffix: str = "") -> Parts:
    """The parts of a flat parameter vector in ``Network.flat()`` order (weights.0, biases.0, weights.1, ...),
    for these weight layers, named e.g. ``grad_weights.l`` (prefix "grad_")."""
    return tuple(part for l in layers for part in (
        (f"{prefix}weights{suffix}.{l}", (sizes[l], sizes[l + 1])), (f"{prefix}biases{suffix}.{l}", (sizes[l + 1],))))


@functools.lru_cache(maxsize=256)
def neuron_parts(sizes: tuple[int, ...], kind: str) -> Parts:
    """The parts of a per-neuron vector of every layer of neurons: ``net.0`` (the input), ``net.1``..."""
    return tuple((f"{kind}.{l}", (n,)) for l, n in enumerate(sizes))


@functools.lru_cache(maxsize=256)
def delta_parts(sizes: tuple[int, ...], reached: tuple[int, ...]) -> Parts:
    """The parts of the δ vector: ``delta.l`` for each weight layer l reached, of the neurons it feeds."""
    return tuple((f"delta.{l}", (sizes[l + 1],)) for l in reached)


def latest_losses(trainer: Trainer, exact: bool) -> tuple[float, float, int]:
    """Train and test loss, and the update they were measured after: computed now (exact), or the newest
    recorded point (while playing fast, where a full pass over the data for every frame would cost more than the
    training it reports on)."""
    if exact or not trainer.history.size:
        return *trainer.losses(), trainer.step_count
    train, test = trainer.history.rows[-1]
    return float(train), float(test), int(trainer.history.steps[-1])


def frame_header(
    trainer: Trainer, view: Phase, position: int | None, selection: int | None, exact_losses: bool = True
) -> dict[str, Any]:
    model, optimizer = trainer.model, trainer.optimizer
    train_loss, test_loss, losses_step = latest_losses(trainer, exact_losses)
    return {
        "type": "frame",
        "step": trainer.step_count,
        "epoch": trainer.epoch_progress,
        "phase": {"kind": view.kind, "layer": view.layer},
        "in_update": trainer.in_update,
        "optimizer": optimizer.name,
        "hyper": optimizer.settings(),
        "batch_size": trainer.batch_size,
        "batch": view.batch.tolist() if len(view.batch) <= 64 else None,
        "batch_count": len(view.batch),
        "selection": selection,
        "selection_in_batch": selection_in_batch(trainer, selection),
        "shown": shown_update(trainer),
        "batch_loss": finite_or_none(view.batch_loss),
        "train_loss": finite_or_none(train_loss),
        "test_loss": finite_or_none(test_loss),
        "losses_step": losses_step,
        "diverged": trainer.diverged,
        "sizes": model.sizes,
        "activations": model.activation_names,
    }
