"""The explainer a session shows: which element it is open on (session state, the same for every page), and
its terms for the frame, computed by the engine (engine/explain.py) once per change of what a frame shows."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from engine import Trainer
from engine.explain import check_element, explain

from .protocol import Explain, FieldError


def element_of(m: Explain, sizes: list[int]) -> tuple | None:
    """The element an ``explain`` message names, checked against this network; FieldError naming the field."""
    e = m.element
    if e is None:
        return None
    if e.kind == "weight" and e.i is None:
        raise FieldError("element.i", "element.i: a weight needs i, the neuron it comes from")
    if e.kind != "weight" and e.i is not None:
        raise FieldError("element.i", f"element.i: a {e.kind} is named by its layer and j only")
    ref = (e.kind, e.layer, e.i, e.j) if e.kind == "weight" else (e.kind, e.layer, e.j)
    try:
        return check_element(sizes, ref)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        raise FieldError(f"element.{field}", f"element.{field}: {reason}") from None


PLAYING_INTERVAL = 0.25  # seconds: while playing, the terms are rewritten at most this often


class Explainer:
    """The element the explainer is open on (or None), and its terms for the frames. While playing the terms are
    rewritten at most every PLAYING_INTERVAL (each set is self-consistent: it names its own update), so a
    large network's frames do not pay for terms nobody can read at that pace; paused, every change shows."""

    def __init__(self) -> None:
        self.element: tuple | None = None
        self._cache: tuple[Any, float, dict[str, Any] | None] | None = None

    def terms(self, trainer: Trainer, selection: int | None, playing: bool, speed: float | None
              ) -> dict[str, Any] | None:
        if self.element is None:
            return None
        key = (self.element, selection, playing and speed is None)
        now = time.monotonic()
        if playing and self._cache is not None and self._cache[0] == key and now - self._cache[1] < PLAYING_INTERVAL:
            return self._cache[2]
        terms = explanation(trainer, self.element, selection, full_speed=playing and speed is None)
        self._cache = (key, now, terms)
        return terms


def still_there(element: tuple | None, sizes: list[int]) -> tuple | None:
    """After a new setup the explainer stays open on the same element if the new network has it."""
    if element is None:
        return None
    try:
        return check_element(sizes, element)
    except ValueError:
        return None


FULL_SPEED = ("Playing as fast as it goes: the explainer follows again when paused, or at a set speed "
              "(one update a second is a good pace to read it).")


def explanation(trainer: Trainer, element: tuple, selection: int | None, full_speed: bool = False
                ) -> dict[str, Any] | None:
    """The terms for the frame header (JSON: a non-finite number becomes null, shown as "—"). At full speed
    they would change every frame, unread, at up to twice a frame's cost (bench/explain.py): they wait."""
    if full_speed:
        return {"element": None, "error": FULL_SPEED}
    try:
        with np.errstate(all="ignore"):
            return _finite(explain(trainer, element, selection))
    except ValueError as exc:  # e.g. a diverged run's state; the page says so in words
        return {"element": None, "error": str(exc).partition(": ")[2] or str(exc)}


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
