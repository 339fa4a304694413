"""The session's side of the character RNN (``model: "rnn"``): building its trainer, what its frames and
data message carry, its loss surface's inputs, and its sample panel. Every number comes from the engine
(engine/rnn.py, engine/rnn_trainer.py); this only selects and packs. docs/protocol.md, "The recurrent model".
"""

from __future__ import annotations

import copy
import json
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.rnn import PARAMETERS
from engine.rnn_presets import rnn_trainer
from engine.rnn_trainer import RNNTrainer, TimePhase

from .protocol import Config, FieldError
from .wire import finite_or_none

if TYPE_CHECKING:
    from .session import Session

Array = np.ndarray

# Controls of the feed-forward network that have no recurrent counterpart yet.
NOT_FOR_RNN = {
    "back": "stepping back", "forward": "replaying", "seek": "the history scrubber", "select": "choosing an example",
    "gradcheck": "the gradient check", "explain": "the explainer",
}
# A surface's ParamRef names the RNN's parameters by layer: weights 0 W_xh, 1 W_hh, 2 W_hy; biases 0 b_h, 1 b_y.
WEIGHT_LAYERS = ("W_xh", "W_hh", "W_hy")
BIAS_LAYERS = ("b_h", "b_y")


def is_rnn(trainer: Any) -> bool:
    return isinstance(trainer, RNNTrainer)


def build_rnn_trainer(config: Config) -> RNNTrainer:
    r = config.rnn
    lr = config.hyper.lr
    try:
        trainer = rnn_trainer(r.text, r.pasted, r.hidden, r.window, r.clip, config.optimizer, lr, config.seed)
        for name, value in config.hyper.given().items():
            if name in trainer.optimizer.hyperparameters:
                setattr(trainer.optimizer, name, value)
        return trainer
    except ValueError as exc:
        text = str(exc)
        field = text.split(":")[0] if ":" in text else "rnn"
        field = {"text": "rnn.pasted" if r.text == "pasted" else "rnn.text", "window": "rnn.window",
                 "clip": "rnn.clip"}.get(field, field)
        raise FieldError(field, f"{field}: {text.split(': ', 1)[-1]}") from None


def check_control(kind: str) -> None:
    if kind in NOT_FOR_RNN:
        raise FieldError("type", f"type: {NOT_FOR_RNN[kind]} is not available for the recurrent network")


def param_ref(ref: Any) -> tuple:
    names = WEIGHT_LAYERS if ref.kind == "weight" else BIAS_LAYERS
    if ref.layer >= len(names):
        raise FieldError("params", f"params: the recurrent network has {ref.kind} layers 0..{len(names) - 1}")
    return (names[ref.layer], ref.i, ref.j) if ref.kind == "weight" else (names[ref.layer], ref.j)


def snapshot(trainer: RNNTrainer) -> RNNTrainer:
    """A frozen copy of what the surface reads (weights, carried state, position, path)."""
    frozen = copy.copy(trainer)
    frozen.model = trainer.model.copy()
    frozen.h = trainer.h.copy()
    frozen.trajectory = copy.deepcopy(trainer.trajectory)
    return frozen


def descent(trainer: RNNTrainer, directions: Array) -> Array:
    """−∇E of the next window, projected onto a slice's directions."""
    _, inputs, targets, h0 = trainer.peek_window()
    model = trainer.model
    with np.errstate(all="ignore"):
        grads = model.backward(model.forward_checked(inputs, targets, h0)).grads
    g = np.concatenate([grads[name].ravel() for name, _, _ in PARAMETERS])
    return -(directions @ g)


# -- what the page receives --------------------------------------------------------------------------------


def data_message(session: Session) -> str:
    trainer: RNNTrainer = session.trainer
    text = trainer.text
    return json.dumps({
        "type": "data", "model": "rnn", "dataset": text.name, "kind": "text", "classes": text.vocab_size,
        "domain": None, "preset": None, "config": session.config.model_dump(), "chars": list(text.chars),
        "text": text.text, "hidden": trainer.model.H, "window": trainer.window, "n_train": len(text.codes),
        "n_test": 0, "names": None, "train": None, "test": None,
    }, separators=(",", ":"))


def current_phase(trainer: RNNTrainer) -> TimePhase:
    """The phase to show: the last one run, or at rest the next window's forward and backward at the current
    weights (what the next update will use)."""
    if trainer.last_phase is not None:
        return trainer.last_phase
    start, inputs, targets, h0 = trainer.peek_window()
    model = trainer.model
    with np.errstate(all="ignore"):
        trace = model.forward_checked(inputs, targets, h0)
        grads = model.backward(trace)
    kind = "update" if trainer.step_count else "idle"
    return TimePhase(kind, trainer.step_count, start, trace, trace.loss, None, grads.dy, grads.dh, grads.draw,
                     {}, grads, grads.norm, False, trainer.last_changes)


SAMPLE_EVERY_SECONDS = 0.5  # while playing: a sample costs milliseconds, a frame must not


def sample_text(session: Session) -> tuple[str, int]:
    """The sample panel's text and the update whose weights made it: made again when the weights, τ or the length
    changed, but while playing at most every SAMPLE_EVERY_SECONDS."""
    trainer: RNNTrainer = session.trainer
    r = session.config.rnn
    key = (id(trainer), trainer.step_count, r.temperature, r.sample_length, session.config.seed)
    kept = getattr(session, "_rnn_sample", None)
    now = time.monotonic()
    if kept is not None and (kept[0] == key or (session.playing and kept[0][0] == key[0]
                                                  and kept[0][2:] == key[2:] and now - kept[3] < SAMPLE_EVERY_SECONDS)):
        return kept[1], kept[2]
    text = trainer.sample(r.sample_length, r.temperature, seed=session.config.seed)
    session._rnn_sample = (key, text, trainer.step_count, now)  # type: ignore[attr-defined]
    return text, trainer.step_count


def frame(session: Session) -> tuple[dict[str, Any], dict[str, tuple[str, Array]]]:
    trainer: RNNTrainer = session.trainer
    view = current_phase(trainer)
    model = trainer.model
    r = session.config.rnn
    now, pass_mean = trainer.losses() if not session.playing or not trainer.history.size else \
        tuple(float(v) for v in trainer.history.rows[-1])
    sample, sample_step = sample_text(session)
    header = {
        "type": "frame", "model": "rnn", "step": trainer.step_count, "epoch": trainer.passes,
        "phase": {"kind": view.kind, "layer": None, "t": view.t}, "in_update": trainer.in_update,
        "optimizer": trainer.optimizer.name, "hyper": trainer.optimizer.settings(), "batch_size": None,
        "batch": None, "batch_count": view.trace.steps, "selection": None, "selection_in_batch": True,
        "shown": {"update": view.step if trainer.last_phase is not None else trainer.step_count + 1,
                  "status": "next" if trainer.last_phase is None else
                  ("done" if view.kind == "update" else "under way")},
        "batch_loss": finite_or_none(view.loss), "train_loss": finite_or_none(now),
        "test_loss": finite_or_none(pass_mean), "diverged": trainer.diverged, "sizes": [model.V, model.H, model.V],
        "activations": ["tanh", "softmax"],
        "rnn": {
            "start": view.start, "inputs": view.trace.inputs.tolist(), "targets": view.trace.targets.tolist(),
            "window": trainer.window, "clip": trainer.clip, "grad_norm": finite_or_none(float(view.grad_norm)),
            "clipped": view.clipped, "passes": trainer.passes, "temperature": r.temperature,
            "sample": sample, "sample_step": sample_step,
            "step_losses": [finite_or_none(float(e)) for e in view.trace.errors()],
        },
    }
    arrays: dict[str, tuple[str, Array]] = {
        "rnn_h": ("f8", view.trace.h), "rnn_y": ("f8", view.trace.y), "rnn_p": ("f8", view.trace.p),
        "rnn_dy": ("f8", view.dy), "rnn_dh": ("f8", view.dh), "rnn_draw": ("f8", view.draw),
    }
    for name, _, _ in PARAMETERS:
        arrays[f"rnn_{name}"] = ("f8", model.param(name))
    arrays["trajectory"] = ("f8", model.flat())
    return header, arrays
