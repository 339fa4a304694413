"""What a frame carries, read off the trainer: the engine computed every number; this only selects and packs.

A frame describes the update (or phase) just done: its forward pass and deltas were computed with the weights
before the update, its changes Δw made the weights the frame shows. While playing at full speed no phase is
kept, so the frame shows the current weights' forward and backward pass on the last batch instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import Phase, Trainer

from .wire import finite_or_none

Array = np.ndarray


def current_view(trainer: Trainer, example: int | None) -> tuple[Phase, int | None]:
    """The phase to show and where the selected example sits in its batch (None: the batch mean).

    After a phase or a step that is the phase itself; a selected example outside its batch is shown as the
    batch mean (the header says so). While playing fast it is a fresh forward/backward with the current
    weights (not applied) on the selected example, or on the last batch.
    """
    phase = trainer.last_phase
    if phase is not None:
        if example is None:
            return phase, None
        where = np.flatnonzero(phase.batch == example)
        return phase, (int(where[0]) if where.size else None)
    if example is not None:
        batch = np.array([example])
        trace, grads = trainer.example(example)
    else:
        batch = trainer.last_batch
        with np.errstate(all="ignore"):
            trace = trainer.model.forward(trainer.X_train[batch])
            grads = trainer.model.backward(trace, trainer.T_train[batch])
    with np.errstate(all="ignore"):
        batch_loss = float(trainer.model.errors(trace, trainer.T_train[batch]).mean())
    kind = "update" if trainer.step_count else "idle"
    view = Phase(kind, trainer.step_count, batch, trace, batch_loss, None, grads.delta, grads.weights,
                 grads.biases, trainer.last_changes)
    return view, (0 if example is not None else None)


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
    changes = view.changes if view.kind == "update" else trainer.last_changes
    for l in range(model.n_layers):
        arrays[f"change_weights.{l}"] = ("f8", changes.get(f"weights[{l}]", np.zeros_like(model.weights[l])))
        arrays[f"change_biases.{l}"] = ("f8", changes.get(f"biases[{l}]", np.zeros_like(model.biases[l])))
    arrays["trajectory"] = ("f8", model.flat())
    return arrays


def latest_losses(trainer: Trainer, exact: bool) -> tuple[float, float]:
    """Train and test loss: computed now (exact), or the newest recorded point (while playing fast, where a
    full pass over the data for every frame would cost more than the training it reports on)."""
    if exact or not trainer.history.size:
        return trainer.losses()
    train, test = trainer.history.rows[-1]
    return float(train), float(test)


def frame_header(
    trainer: Trainer, view: Phase, position: int | None, selection: int | None, exact_losses: bool = True
) -> dict[str, Any]:
    model, optimizer = trainer.model, trainer.optimizer
    train_loss, test_loss = latest_losses(trainer, exact_losses)
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
        "selection_in_batch": selection is None or position is not None,
        "batch_loss": finite_or_none(view.batch_loss),
        "train_loss": finite_or_none(train_loss),
        "test_loss": finite_or_none(test_loss),
        "diverged": trainer.diverged,
        "sizes": model.sizes,
        "activations": model.activation_names,
    }
