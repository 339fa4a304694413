"""The session file: a whole session as one versioned JSON document (docs/session-file.md), and back.

It holds the setup (the config), the data (every point, so drawn or uploaded data travels with it), the
training state of ``engine.snapshot.trainer_state`` (weights, optimizer state and settings, step, epoch, the
random generator's state and the place in the shuffled order, the loss log and the path) and the view (speed,
surface). Importing it into a session gives the same next update, bit for bit: arrays are written by
``engine.plainstate`` as ``{"dtype", "shape", "values"}``, float64 numbers in Python's shortest round-trip repr.

A file is checked before anything changes: its shape by pydantic (errors name the field, e.g.
``training.order``), then that it fits the setup it names, on a throwaway trainer that is restored and trained
one update; only then is the session rebuilt from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine import DATASETS, OPTIMIZERS, Dataset, make_dataset, make_preset
from engine.optimizers import check_hyperparameter
from engine.owndata import MAX_CLASSES, MAX_ROWS, dataset_from_state
from engine.plainstate import array_of, plain
from engine.snapshot import restore_trainer_state

from .build import build_trainer, engine_error
from .keeper import adopt, training_state, view_of
from .protocol import Config, Coordinate, FieldError, OptimizerName, plain_error

if TYPE_CHECKING:
    from .session import Session
    from .settings import Settings

FORMAT = "backprop-lab-session"
VERSION = 1
EXPORT_TRAJECTORY_BYTES = 200_000  # the path in a file: thinned evenly to this (every weight at each point)
MAX_ARRAY = 4_000_000  # values in one array of a file (the largest network's path at full length is 1.1 M)


# -- writing ---------------------------------------------------------------------------------------------


def export(session: Session) -> dict[str, Any]:
    """What the session's file holds, taken now (copies: training may go on while ``dumps`` writes it)."""
    state = training_state(session, EXPORT_TRAJECTORY_BYTES)
    if state is None:
        raise FieldError("model", "model: the recurrent network cannot be saved to a file yet")
    data, planar = session.trainer.data, session.domain is not None
    parts = {"train": (data.X_train, data.y_train), "test": (data.X_test, data.y_test)}
    return {"format": FORMAT, "version": VERSION, "setup": session.config.model_dump(),
            "data": {"name": data.name, "kind": data.kind, "classes": data.n_classes,
                     **{part: {"x": X, "y": y.reshape(-1)} if planar else None for part, (X, y) in parts.items()}},
            "training": {k: v for k, v in state.items() if k != "own_data"}, "view": view_of(session)}


def dumps(document: dict[str, Any]) -> bytes:
    """The file's text (off the event loop for a large session: about 0.5 s for the largest): the data's points
    as plain lists of numbers, the training state's arrays as engine.plainstate writes them."""
    data = {k: {"x": v["x"].tolist(), "y": v["y"].tolist()} if isinstance(v, dict) else v
            for k, v in document["data"].items()}
    plain_document = {**document, "data": data, "training": plain(document["training"])}
    return json.dumps(plain_document, separators=(",", ":"), allow_nan=False).encode()


# -- the file's shape --------------------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


Number = float | int | Literal["NaN", "Infinity", "-Infinity"]
# JSON has no tuples: pairs are lists of two (strict validation would not take a list for a tuple).
Point = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]
Span = Annotated[list[int], Field(min_length=2, max_length=2)]
Layout = Annotated[list[Annotated[list[str | list[int]], Field(min_length=2, max_length=2)]], Field(max_length=64)]


class Array(Strict):
    dtype: Literal["f8", "i8"]
    shape: Annotated[list[Annotated[int, Field(ge=0, le=MAX_ARRAY)]], Field(max_length=3)]
    values: Annotated[list[Number], Field(max_length=MAX_ARRAY)]

    def array(self, where: str) -> np.ndarray:
        try:
            return array_of(self.dtype, self.shape, self.values)
        except ValueError as exc:
            raise FieldError(f"{where}.values", f"{where}.{exc}") from None


class Log(Strict):
    steps: Array
    seqs: Array
    rows: Array
    stride: Annotated[int, Field(ge=1, le=2**40)]
    offered: Annotated[int, Field(ge=0, le=2**53)]
    recorded: Annotated[int, Field(ge=0, le=2**53)]


class OptimizerState(Strict):
    name: OptimizerName
    settings: dict[str, float | int]
    t: Annotated[int, Field(ge=0, le=2**53)]
    layout: Layout
    spans: Annotated[list[Span], Field(max_length=64)]
    keys: Annotated[list[Literal["change", "buf", "m", "v"]], Field(max_length=2)]
    # The learning-rate schedule's settings (engine/schedules.py checks them when the state is restored).
    schedule: Annotated[dict[str, float | int | str | None], Field(max_length=16)] | None = None


class Training(BaseModel):
    """engine.snapshot.trainer_state, as plain values. Optimizer state vectors are extra members
    "optimizer.<key>" (one per ``optimizer.keys``)."""

    model_config = ConfigDict(extra="allow", strict=True)
    version: int
    n_params: Annotated[int, Field(ge=1, le=MAX_ARRAY)]
    weights: Array
    initial: Array
    step: Annotated[int, Field(ge=0, le=2**53)]
    epoch: Annotated[int, Field(ge=0, le=2**53)]
    cursor: Annotated[int, Field(ge=0, le=MAX_ROWS)]
    order: Array
    rng: dict[str, Any]
    batch_size: Annotated[int, Field(ge=1, le=MAX_ROWS)] | None
    last_batch: Array
    changes_layout: Layout
    changes: Array
    diverged: Annotated[str, Field(max_length=500)] | None
    optimizer: OptimizerState
    history: Log
    trajectory: Log
    order_state: dict[str, Any]


class Part(Strict):
    x: Annotated[list[Point], Field(max_length=MAX_ROWS)]
    y: Annotated[list[Coordinate], Field(max_length=MAX_ROWS)]


class Data(Strict):
    name: Annotated[str, Field(max_length=40)]
    kind: Literal["classification", "regression", "given"]
    classes: Annotated[int, Field(ge=0, le=MAX_CLASSES)]
    train: Part | None
    test: Part | None


class SessionFile(Strict):
    format: Literal["backprop-lab-session"]
    version: int
    setup: Config
    data: Data
    training: Training
    view: dict[str, Any] = Field(default_factory=dict)


# -- reading -----------------------------------------------------------------------------------------------


def read(raw: bytes) -> SessionFile:
    """The file checked for its shape; FieldError naming the field when it is not a session file."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise FieldError("file", "file: not UTF-8 text; a session file is JSON saved by Backprop Lab") from None
    except (ValueError, RecursionError) as exc:
        raise FieldError("file", f"file: not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FieldError("format", f"format: not a Backprop Lab session file (expected \"format\": \"{FORMAT}\")")
    if document.get("version") != VERSION:
        raise FieldError("version", f"version: this server reads session files of version {VERSION}, got "
                                    f"{str(document.get('version'))[:20]}")
    try:
        return SessionFile.model_validate(document)
    except ValidationError as exc:
        error = plain_error(exc)
        raise FieldError(error.field, error.message) from None


def own_data_of(file: SessionFile) -> Dataset | None:
    """The file's points as own data, or None when they are the setup's built-in set (or a worked example's)."""
    data, setup = file.data, file.setup
    if setup.preset is not None or setup.model != "mlp":
        return None
    if data.train is None or data.test is None or data.kind == "given":
        raise FieldError("data.train", "data.train: the points are missing (a data set of points in the plane)")
    try:
        own = dataset_from_state({"kind": data.kind, "classes": data.classes,
                                  "X_train": data.train.x, "y_train": data.train.y,
                                  "X_test": data.test.x, "y_test": data.test.y})
    except ValueError as exc:
        raise engine_error(exc, "data.") from None
    if data.name in DATASETS:
        built = make_dataset(setup.dataset, n=setup.n_points, noise=setup.noise, test_fraction=setup.test_fraction,
                             seed=setup.data_seed)
        if all(np.array_equal(getattr(built, k), getattr(own, k)) for k in ("X_train", "y_train", "X_test",
                                                                            "y_test")):
            return None  # the setup makes these very points again
    return own


def training_state_of(file: SessionFile) -> dict[str, Any]:
    t = file.training
    if t.version != 1:
        raise FieldError("training.version", f"training.version: this server reads version 1, got {t.version}")
    state: dict[str, Any] = t.model_dump()
    for name in ("weights", "initial", "order", "last_batch", "changes"):
        state[name] = getattr(t, name).array(f"training.{name}")
    for log in ("history", "trajectory"):
        block = getattr(t, log)
        state[log] = {"steps": block.steps.array(f"training.{log}.steps"),
                      "seqs": block.seqs.array(f"training.{log}.seqs"),
                      "rows": block.rows.array(f"training.{log}.rows"),
                      "stride": block.stride, "offered": block.offered, "recorded": block.recorded}
    for key in t.optimizer.keys:
        name = f"optimizer.{key}"
        extra = (t.model_extra or {}).get(name)
        if extra is None:
            raise FieldError(f"training.{name}", f"training.{name}: is required (optimizer.keys names it)")
        try:
            state[name] = Array.model_validate(extra).array(f"training.{name}")
        except ValidationError as exc:
            error = plain_error(exc)
            raise FieldError(f"training.{name}.{error.field}", f"training.{name}.{error.message}") from None
    takes = OPTIMIZERS[t.optimizer.name].hyperparameters  # type: ignore[attr-defined]
    for name, value in t.optimizer.settings.items():
        if name not in takes:
            raise FieldError(f"training.optimizer.settings.{name}", f"training.optimizer.settings.{name}: not a "
                             f"setting of {t.optimizer.name}; it takes {', '.join(takes)}")
        try:
            check_hyperparameter(name, value)
        except ValueError as exc:
            raise FieldError(f"training.optimizer.settings.{name}", f"training.optimizer.settings.{exc}") from None
    return state


def check_fits(state: dict[str, Any], trainer: Any) -> None:
    """What the trainer would index with, checked against the setup: bad indices would fail later, mid-training."""
    n, n_train = trainer.model.n_params, trainer.n_train
    for name in ("weights", "initial"):
        if state[name].shape != (n,):
            raise FieldError(f"training.{name}", f"training.{name}: {state[name].size} values; the network of this "
                                                 f"setup has {n} parameters")
    order = state["order"]
    if order.shape != (n_train,) or not np.array_equal(np.sort(order), np.arange(n_train)):
        raise FieldError("training.order", f"training.order: expected an order of the {n_train} training points")
    if state["cursor"] >= max(n_train, 1):
        raise FieldError("training.cursor", f"training.cursor: expected 0..{n_train - 1}, got {state['cursor']}")
    batch = state["last_batch"]
    if batch.ndim != 1 or (batch.size and (batch.min() < 0 or batch.max() >= n_train)):
        raise FieldError("training.last_batch", f"training.last_batch: indices must be 0..{n_train - 1}")
    for key in state["optimizer"]["keys"]:
        if state[f"optimizer.{key}"].ndim != 1 or state[f"optimizer.{key}"].size > n:
            raise FieldError(f"training.optimizer.{key}", f"training.optimizer.{key}: at most {n} values in a row")
    if state["trajectory"]["rows"].ndim != 2 or state["trajectory"]["rows"].shape[1] != n:
        raise FieldError("training.trajectory.rows", f"training.trajectory.rows: rows of {n} weights expected")


def checked(file: SessionFile, settings: Settings) -> tuple[Dataset | None, dict[str, Any], bool]:
    """(own data, training state, own optimizer) once the file is known to fit: restored into a throwaway
    trainer built from its setup, which then trains one update."""
    config, own = file.setup, own_data_of(file)
    if config.model != "mlp":
        raise FieldError("setup.model", "setup.model: only the feed-forward network is kept in session files")
    state = training_state_of(file)
    own_optimizer = config.preset is not None and \
        state["optimizer"]["name"] != make_preset(config.preset).optimizer.name
    try:
        trial = build_trainer(config.model_copy(deep=True), settings, own_optimizer, own)
    except FieldError as exc:
        raise FieldError(f"setup.{exc.field}", f"setup.{exc.message}") from None
    check_fits(state, trial)
    try:
        np.random.default_rng().bit_generator.state = state["order_state"]  # read again when stepping back
        restore_trainer_state(trial, state)
        if trial.diverged is None:
            with np.errstate(all="ignore"):
                trial.step()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
        raise FieldError("training", f"training: it does not fit the setup ({str(exc)[:120]})") from None
    if trial.diverged is None:  # the names and shapes the trainer would file its numbers under
        for field, kept, made in (
            ("optimizer.layout", state["optimizer"]["layout"], [[n, list(s)] for n, s in trial.optimizer._layout]),
            ("changes_layout", state["changes_layout"], [[n, list(a.shape)] for n, a in trial.last_changes.items()]),
        ):
            if kept and [[n, list(s)] for n, s in kept] != made:
                raise FieldError(f"training.{field}", f"training.{field}: does not match the network of the setup")
    return own, state, own_optimizer


@dataclass
class Opened:
    """A file read and checked, ready to put into a session."""

    setup: Config
    own_data: Dataset | None
    state: dict[str, Any]
    own_optimizer: bool
    view: dict[str, Any]


def prepare(raw: bytes, settings: Settings) -> Opened:
    """Read and check a file (off the event loop: it needs no session, and the largest takes about a second)."""
    file = read(raw)
    own, state, own_optimizer = checked(file, settings)
    speed, status = file.view.get("speed"), file.view.get("status")
    if speed is not None and not (isinstance(speed, int | float) and not isinstance(speed, bool)
                                  and 1 <= speed <= 10000):
        raise FieldError("view.speed", "view.speed: expected updates per second in 1 … 10000, or null")
    if status is not None and not (isinstance(status, str) and len(status) <= 500):
        raise FieldError("view.status", "view.status: expected a message of at most 500 characters, or null")
    return Opened(file.setup, own, state, own_optimizer, {"speed": speed, "status": status})


def install(session: Session, opened: Opened) -> None:
    """Make the session what a checked file holds (a refused file never gets here, so it changes nothing)."""
    session.reconfigure(opened.setup.model_copy(deep=True), opened.own_optimizer, own_data=opened.own_data)
    try:
        adopt(session, opened.state, opened.view)  # the speed and status shown; the surface is chosen anew
    except ValueError as exc:  # cannot happen after checked(); said plainly all the same
        raise FieldError("training", f"training: {exc}") from None
