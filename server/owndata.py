"""Your own data in a session: points drawn on the decision map, and a CSV file uploaded.

A drawn edit (``add_point``, ``move_point``, ``remove_point``) changes the data the trainer trains on at its next
update and keeps the weights (engine ``Trainer.set_data``: the epoch starts again in a fresh order, stepping back
stops at the edit). An upload is a new setup on those points: a new network from the seed, step 0, the loss fitted
to the data (three classes need softmax, targets need squared error) as when a data set is chosen.
The session keeps the set in ``session.own_data`` (None: the config's built-in set), and storage, a fork and a
session file keep it with the training state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine import Dataset
from engine.decision import data_domain
from engine.owndata import add_point, all_points, move_point, own_dataset, parse_csv, remove_point

from . import recurrent
from .build import engine_error
from .fitting import fit_loss
from .protocol import Configure, FieldError

if TYPE_CHECKING:
    from .session import Session

EDITS = ("add_point", "move_point", "remove_point")
KINDS = ("auto", "classification", "regression")
CHOSE_BUILT_IN = ("dataset", "noise", "n_points", "data_seed", "preset")  # configure fields that leave own data


def edit(session: Session, m: Any) -> None:
    """Carry out one drawn edit on the session's data (a built-in set becomes own data at its first edit)."""
    trainer = session.trainer
    if recurrent.is_rnn(trainer) or session.domain is None:
        raise FieldError("type", "type: only a data set of points in the plane can be drawn on (a worked example "
                                 "brings its own cases; choose a data set first)")
    if session.race.race is not None:
        raise FieldError("type", "type: the points cannot change during a race (its contestants train on the same "
                                 "data); stop the race first")
    data = trainer.data
    try:
        if m.type == "add_point":
            edited = add_point(data, m.x, _value_of(m, data))
        elif m.type == "move_point":
            edited = move_point(data, m.index, m.x)
        else:
            edited = remove_point(data, m.index)
        trainer.set_data(edited)
    except ValueError as exc:
        raise engine_error(exc) from None
    session.own_data = edited
    session.domain = data_domain(edited.X_train, edited.X_test)
    if session.selection is not None and session.selection >= trainer.n_train:
        session.selection = None
    session.data_changed(edit=True)


def _value_of(m: Any, data: Dataset) -> float:
    if data.kind == "classification":
        if m.label is None:
            raise FieldError("label", f"label: say which class the new point has (0 to {data.n_classes - 1})")
        return m.label
    if m.target is None:
        raise FieldError("target", "target: say the new point's target value (a number)")
    return m.target


def upload(session: Session, raw: bytes, kind: str) -> str | None:
    """A CSV file's points as the session's data: a new setup (returns the note when the loss had to change)."""
    if kind not in KINDS:
        raise FieldError("kind", f"kind: expected one of {', '.join(KINDS)}, got {kind[:40]!r}")
    if recurrent.is_rnn(session.trainer):
        raise FieldError("model", "model: the recurrent network reads a text; go back to the feed-forward network "
                                  "to load points")
    try:
        points = parse_csv(raw, kind)
    except ValueError as exc:  # the reason names the line and the column; the field is the file
        text = str(exc)
        raise FieldError("file", text if text.startswith("file: ") else f"file: {text}") from None
    config = session.config.model_copy(update={"preset": None})
    try:
        data = own_dataset(points, config.test_fraction, config.data_seed)
    except ValueError as exc:
        raise engine_error(exc) from None
    config, note = fit_loss(config, chose_dataset=True, data=data)
    session.reconfigure(config, own_data=data)
    return note


def through_configure(session: Session, m: Configure) -> Dataset | None:
    """The own data a new setup keeps: none when a built-in set (or a worked example) was chosen; split again
    when the test share changed; else the same points."""
    own = session.own_data
    if own is None or any(getattr(m, name) is not None for name in CHOSE_BUILT_IN):
        return None
    if m.test_fraction is not None and m.test_fraction != session.config.test_fraction:
        try:
            return own_dataset(all_points(own), m.test_fraction, session.config.data_seed)
        except ValueError as exc:
            raise engine_error(exc) from None
    return own
