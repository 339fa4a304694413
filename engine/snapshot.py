"""A trainer's whole training state as plain data, and back: for keeping a run across a restart, or for starting
a second run from where another one is (a student exploring on their own from the presenter's state).

``trainer_state(trainer)`` returns a dict of NumPy arrays and plain values (numbers, strings, lists, dicts),
so any store can keep it (the server writes the arrays as .npy and the rest as JSON). It holds everything the
next update reads, so that ``restore_trainer_state`` on a trainer built from the same setup (same network
shape, optimizer, data) continues bit for bit as the original would have:

  the weights (and the starting weights, for reset), the optimizer's settings and learning-rate schedule, its
  state vectors and step
  count t (with their layout), the update count and epoch, the random generator's state and the position in
  the epoch's shuffled order, the last batch and the last change Δw (shown on the page), the divergence
  message, the loss history and the parameter trajectory (thinned to a size budget: see ``log_state``).
  Not the kept updates for stepping back (engine/rewind.py, up to 4 MB): a restored run steps back as far as the
  point it was restored at, and further as it trains on.

It does not hold the data (rebuilt from the setup) or an update whose phases are under way (a generator cannot
be kept): ``trainer_state`` refuses then; take the state before the update starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .history import DecimatingLog
from .schedules import make_schedule

if TYPE_CHECKING:
    from .trainer import Trainer

Array = np.ndarray
VERSION = 1


def trainer_state(trainer: Trainer, trajectory_bytes: int | None = None) -> dict[str, Any]:
    """The trainer's state as arrays and plain values (see the module's docstring). ``trajectory_bytes`` caps
    the trajectory's rows (None: all of them)."""
    if trainer.in_update:
        raise ValueError("trainer: an update is under way; take the state before it starts or after it ends")
    model, optimizer = trainer.model, trainer.optimizer
    changes = trainer.last_changes
    state: dict[str, Any] = {
        "version": VERSION,
        "n_params": model.n_params,
        "weights": model.flat(),
        "initial": trainer._initial.copy(),
        "step": trainer.step_count,
        "epoch": trainer.epoch,
        "cursor": trainer._cursor,
        "order": trainer._order.copy(),
        "rng": trainer._rng.bit_generator.state,
        "batch_size": trainer.batch_size,
        "last_batch": np.asarray(trainer.last_batch).copy(),
        "changes_layout": [[name, list(a.shape)] for name, a in changes.items()],
        "changes": np.concatenate([a.ravel() for a in changes.values()]) if changes else np.zeros(0),
        "diverged": trainer.diverged,
        "optimizer": {
            "name": optimizer.name,
            "settings": optimizer.settings(),
            "schedule": optimizer.schedule.settings(),
            "t": optimizer.t,
            "layout": [[name, list(shape)] for name, shape in optimizer._layout],
            "spans": [list(span) for span in optimizer._layout_spans],
            "keys": list(optimizer.state),
        },
        "history": log_state(trainer.history),
        "trajectory": log_state(trainer.trajectory, trajectory_bytes),
    }
    for key, vector in optimizer.state.items():
        state[f"optimizer.{key}"] = vector.copy()
    state["order_state"] = trainer._order_state  # what drew the order: stepping back draws it again
    return state


def restore_trainer_state(trainer: Trainer, state: dict[str, Any]) -> None:
    """Put ``state`` (from ``trainer_state``) into a trainer built from the same setup. Raises ValueError when
    it does not fit (another network shape or optimizer), leaving the trainer as it was."""
    model, optimizer = trainer.model, trainer.optimizer
    if state.get("version") != VERSION:
        raise ValueError(f"state: version {state.get('version')!r} is not one this engine reads ({VERSION})")
    if int(state["n_params"]) != model.n_params:
        raise ValueError(f"state: holds {state['n_params']} parameters, the network has {model.n_params}")
    saved = state["optimizer"]
    if saved["name"] != optimizer.name:
        raise ValueError(f"state: made with the {saved['name']} optimizer, not {optimizer.name}")
    if len(state["order"]) != trainer.n_train:
        raise ValueError(f"state: an order of {len(state['order'])} examples, the data has {trainer.n_train}")

    schedule = make_schedule(**saved.get("schedule", {}))  # a state kept before schedules existed: constant

    model.set_flat(np.asarray(state["weights"], dtype=np.float64))
    trainer._initial = np.asarray(state["initial"], dtype=np.float64).copy()
    for name, value in saved["settings"].items():
        setattr(optimizer, name, float(value))
    optimizer.schedule = schedule
    optimizer.t = int(saved["t"])
    optimizer.state = {key: np.asarray(state[f"optimizer.{key}"], dtype=np.float64).copy() for key in saved["keys"]}
    optimizer._layout = tuple((name, tuple(shape)) for name, shape in saved["layout"])
    optimizer._layout_spans = [tuple(span) for span in saved["spans"]]  # type: ignore[misc]

    trainer.batch_size = state["batch_size"]
    trainer.step_count = int(state["step"])
    trainer.epoch = int(state["epoch"])
    trainer._cursor = int(state["cursor"])
    trainer._order = np.asarray(state["order"], dtype=np.int64).copy()
    rng = np.random.default_rng()
    rng.bit_generator.state = state["rng"]
    trainer._rng = rng
    trainer._order_state = state["order_state"]
    trainer.last_batch = np.asarray(state["last_batch"], dtype=np.int64).copy()
    flat, offset, changes = np.asarray(state["changes"], dtype=np.float64), 0, {}
    for name, shape in state["changes_layout"]:
        size = int(np.prod(shape, dtype=np.int64))
        changes[name] = flat[offset : offset + size].reshape(shape).copy()
        offset += size
    trainer.last_changes = changes
    trainer.diverged = state["diverged"]
    trainer._phases, trainer.last_phase = None, None
    restore_log(trainer.history, state["history"])
    restore_log(trainer.trajectory, state["trajectory"])
    # Stepping back reaches no further than this point: the kept updates before it are not part of the state.
    trainer.rewind.clear()
    trainer.rewind.head = trainer.step_count


def log_state(log: DecimatingLog, max_bytes: int | None = None) -> dict[str, Any]:
    """A decimating log's rows and counters. Over ``max_bytes`` of rows it is thinned as the log itself thins
    when full (every other row kept, the stride doubled), so it goes on recording evenly after a restore."""
    row_bytes = max(1, log._rows.shape[1] * log._rows.itemsize)
    limit = log.capacity if max_bytes is None else max(2, min(log.capacity, max_bytes // row_bytes))
    every, n = 1, log.size
    while n > limit:  # halving k times keeps every 2**k-th row: pick those, copy only them
        every, n = every * 2, (n + 1) // 2
    pick = slice(0, log.size, every)
    return {"steps": log._steps[pick].copy(), "seqs": log._seqs[pick].copy(), "rows": log._rows[pick].copy(),
            "stride": log.stride * every, "offered": log.offered, "recorded": log.recorded}


def restore_log(log: DecimatingLog, state: dict[str, Any]) -> None:
    steps, seqs, rows = (np.asarray(state[k]) for k in ("steps", "seqs", "rows"))
    if rows.ndim != 2 or rows.shape[1] != log._rows.shape[1]:
        raise ValueError(f"state: log rows of shape {rows.shape}, the log takes rows of {log._rows.shape[1]}")
    stride = int(state["stride"])
    while len(steps) > log.capacity:  # a smaller log than the one saved: thin as it would have
        steps, seqs, rows = steps[::2], seqs[::2], rows[::2]
        stride *= 2
    n = len(steps)
    log._steps[:n], log._seqs[:n], log._rows[:n] = steps, seqs, rows
    log.size, log.stride = n, stride
    log.offered, log.recorded = int(state["offered"]), int(state["recorded"])
