"""What a frame carries, read off the trainer: the engine computed every number; this only selects and packs.

A frame describes the update (or phase) just done: its forward pass and deltas were computed with the weights
before the update (sent too, as ``weights_before``), its changes Δw made the weights the frame shows. While
playing, that is the newest update of the slice trained (engine: ``Trainer.run`` keeps it). At rest (no phase
kept: after a reset, a new setup or a pause) it shows the next update's forward and backward pass at the current
weights, on the batch that update will draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import Phase, Trainer

from .wire import finite_or_none

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


def frame_arrays(trainer: Trainer, view: Phase, position: int | None) -> dict[str, tuple[str, Array]]:
    model = trainer.model
    arrays: dict[str, tuple[str, Array]] = {}
    for l in range(model.n_layers):
        arrays[f"weights.{l}"] = ("f8", model.weights[l])
        arrays[f"biases.{l}"] = ("f8", model.biases[l])
    neurons = view.neurons(position)
    for l, (net, o) in enumerate(zip(neurons["net"], neurons["o"], strict=True)):
        arrays[f"net.{l}"] = ("f8", net)
        arrays[f"o.{l}"] = ("f8", o)
    for l, delta in enumerate(neurons["delta"]):
        if delta is None:
            continue
        arrays[f"delta.{l}"] = ("f8", delta)
        if position is None:
            arrays[f"grad_weights.{l}"] = ("f8", view.grad_weights[l])
            arrays[f"grad_biases.{l}"] = ("f8", view.grad_biases[l])
        else:  # one example's dE/dw_ij = delta_j o_i
            arrays[f"grad_weights.{l}"] = ("f8", np.outer(view.trace.o[l][position], delta))
            arrays[f"grad_biases.{l}"] = ("f8", delta)
    if view.kind == "update" and view.weights_before is not None:  # old → new: the weights it started from
        weights, biases = model.unflat(view.weights_before)
        for l in range(model.n_layers):
            arrays[f"weights_before.{l}"] = ("f8", weights[l])
            arrays[f"biases_before.{l}"] = ("f8", biases[l])
    changes = view.changes if view.kind == "update" else trainer.last_changes
    for l in range(model.n_layers):
        change_w, change_b = changes.get(f"weights[{l}]"), changes.get(f"biases[{l}]")
        # Zeros only where no change is kept (before the first update): not made, and dropped, every frame.
        arrays[f"change_weights.{l}"] = ("f8", np.zeros_like(model.weights[l]) if change_w is None else change_w)
        arrays[f"change_biases.{l}"] = ("f8", np.zeros_like(model.biases[l]) if change_b is None else change_b)
    arrays["trajectory"] = ("f8", model.flat())
    return arrays


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
