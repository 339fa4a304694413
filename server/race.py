"""The optimizer race in a session (engine/race.py does the training and the plane; this only drives it).

While a race runs, the session's trainer is the contestant in focus, so the network, the decision map, the
numbers and the explainer show that one, unchanged; Step, Play, Pause and Reset move every contestant together.
Frames carry every contestant's step and losses (``race`` in the header); a ``race`` message, at the decision
map's pace, carries every contestant's loss curve and path on the fixed plane, and the loss over that plane,
computed off the training path in the work pool (work.py's threads and CPU budget) and refreshed as the paths grow.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from engine import make_optimizer
from engine.curve import Curve
from engine.race import Race, evenly, race_surface

from . import protocol as p
from . import recurrent
from .build import build_trainer, refuse_unknown_settings
from .frames import latest_losses
from .protocol import FieldError
from .refresh import Refresher
from .wire import finite_or_none, pack
from .work import Cancelled, OverBudget, over_budget_error

if TYPE_CHECKING:
    from .session import Session

MOST_POINTS = 400  # loss points and path points per contestant in a race message
# Controls that would move one contestant without the others (or step back, which the race does not keep).
NOT_IN_A_RACE = ("phase", "back", "forward", "seek", "set", "schedule", "play_until")


class RaceState:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.race: Race | None = None
        self.focus = 0
        self.resolution = 40
        self.plane_seed = 0
        self.surface: Any = None  # engine.race.RaceSurface, once computed
        self.problem: str | None = None  # why the surface is not drawn, in plain words
        self.version = 0  # bumps when the plane or its surface changes
        # The loss over the plane, kept fresh while the paths move (server/refresh.py).
        self.refresher = Refresher(lambda: session.settings.surface_refresh_seconds, self._compute,
                                   lambda: self.race is not None)
        self._packed: tuple[tuple[int, int], bytes] | None = None

    # -- controls -----------------------------------------------------------------------------------------

    def check_control(self, kind: str) -> None:
        if self.race is not None and kind in NOT_IN_A_RACE:
            raise FieldError("type", f"type: '{kind}' is not part of a race (the contestants move together: step, "
                                     "play, pause, reset); stop the race first")

    def control(self, m: Any) -> None:
        if m.type == "race_start":
            self.start(m)
            return
        if self.race is None:
            raise FieldError("type", "type: no race is running; start one first (race_start)")
        if m.type == "race_focus":
            self.set_focus(m.contestant)
        elif m.type == "race_plane":
            self.set_plane(m)
        elif m.type == "race_stop":
            self.end()
            self.session.history_generation += 1  # the loss chart shows the one run again, from its start
            self.session.changed()

    def start(self, m: p.RaceStart) -> None:
        s = self.session
        if recurrent.is_rnn(s.trainer):
            raise FieldError("type", "type: a race compares optimizers on the feed-forward network, not the char-RNN")
        if m.resolution > s.settings.max_surface_resolution:
            raise FieldError("resolution", f"resolution: at most {s.settings.max_surface_resolution} points a "
                                           f"side, got {m.resolution}")
        optimizers = [contestant_optimizer(k, c) for k, c in enumerate(m.contestants)]
        # The setup's starting weights, and its data (your own points, when the session has them).
        base = build_trainer(s.config, s.settings, s.own_optimizer, s.own_data)
        if isinstance(base.model, Curve):
            raise FieldError("type", "type: the curve has one parameter: there is no plane to race on")
        n = len(optimizers)
        # The session's budgets shared among the contestants: a race costs no more memory than one run.
        race = Race(base.model, base.data, optimizers, batch_size=base.batch_size, seed=base.seed,
                    trajectory_size=max(16, base.trajectory.capacity // n),
                    rewind_bytes=s.settings.rewind_bytes // n)
        try:
            race.set_plane("random", seed=m.seed)
        except ValueError as exc:
            raise FieldError("seed", f"seed: {str(exc).split(': ', 1)[-1]}") from None
        s.pause()
        self.end()
        s.surface.clear()  # the slice chosen before was of the run the race replaces
        self.race, self.resolution, self.plane_seed = race, m.resolution, m.seed
        if s.config.preset is not None:
            s.own_optimizer = True  # a worked example trained with the contestant's optimizer
        self._show(0)
        s.changed()
        self._plane_changed()

    def set_focus(self, k: int) -> None:
        race = self.race
        assert race is not None
        if k >= len(race.trainers):
            raise FieldError("contestant", f"contestant: this race has {len(race.trainers)} contestants "
                                           f"(0..{len(race.trainers) - 1}), got {k}")
        self._show(k)
        self.session.changed()

    def set_plane(self, m: p.RacePlane) -> None:
        race = self.race
        assert race is not None
        n = len(race.trainers)
        for field, k in (("through[0]", m.through[0]), ("through[1]", m.through[1])):
            if m.plane == "endpoints" and k >= n:
                raise FieldError(field, f"{field}: this race has {n} contestants (0..{n - 1}), got {k}")
        try:
            race.set_plane(m.plane, seed=m.seed, through=m.through)
        except ValueError as exc:
            field, _, reason = str(exc).partition(": ")
            raise FieldError(field, f"{field}: {reason}") from None
        self.plane_seed = m.seed
        self.surface = None
        self._plane_changed()
        self.session.changed(grid=False)

    def _show(self, k: int) -> None:
        """The contestant the session's views show: its trainer becomes the session's, its settings the config's."""
        s, race = self.session, self.race
        assert race is not None
        trainer = race.trainers[k]
        self.focus = k
        s.trainer = trainer
        s.config.optimizer = trainer.optimizer.name  # type: ignore[assignment]
        s.config.hyper = s.config.hyper.model_copy(update=trainer.optimizer.settings())
        s.history_generation += 1  # another run's loss log: numbered afresh for the pages

    def end(self) -> None:
        """Forget the race (the session keeps the contestant in focus as its one run)."""
        self.cancel()
        self.race, self.surface, self.problem = None, None, None
        self._packed = None

    # -- training -----------------------------------------------------------------------------------------

    def step(self) -> None:
        race = self.race
        assert race is not None
        s = self.session
        if race.finished:
            raise FieldError("type", "type: cannot go on: every contestant diverged (reset the race or stop it)")
        race.step()
        race.record_losses()
        s.changed()

    def reset(self) -> None:
        assert self.race is not None
        self.race.reset()  # the plane stays: it was fixed for this race
        self.refresher.done_at = 0.0

    # -- what the pages are sent --------------------------------------------------------------------------

    def header(self, exact: bool) -> dict[str, Any] | None:
        """Every contestant's step and losses, for the frame (exact when paused, as the frame's own)."""
        race = self.race
        if race is None:
            return None
        contestants = []
        for name, t in zip(race.names, race.trainers, strict=True):
            train, test, _ = latest_losses(t, exact)
            contestants.append({"name": name, "optimizer": t.optimizer.name, "hyper": t.optimizer.settings(),
                                "step": t.step_count, "train_loss": finite_or_none(train),
                                "test_loss": finite_or_none(test), "diverged": t.diverged})
        return {"focus": self.focus, "step": race.step_count, "contestants": contestants, "plane": self._plane()}

    def _plane(self) -> dict[str, Any]:
        race = self.race
        assert race is not None
        return {"kind": race.plane_kind, "seed": self.plane_seed, "description": race.plane_note,
                "axes": list(race.plane_axes), "problem": self.problem,
                "computing": self.refresher.running}

    def key(self) -> tuple[int, int] | None:
        """What a page's race message must match to be current (None: no race)."""
        return None if self.race is None else (self.session.grid_version, self.version)

    def message(self) -> bytes | None:
        """The race message: every contestant's loss curve and path on the plane, and the plane's surface."""
        race, key = self.race, self.key()
        if race is None or key is None:
            return None
        if self._packed is not None and self._packed[0] == key:
            return self._packed[1]
        arrays: dict[str, tuple[str, np.ndarray]] = {}
        for k, ((steps, coords), t) in enumerate(zip(race.projected_paths(MOST_POINTS), race.trainers, strict=True)):
            log = t.history
            keep = evenly(log.size, MOST_POINTS)
            arrays[f"loss_steps.{k}"] = ("f8", log.steps[keep].astype(np.float64))
            arrays[f"loss_train.{k}"] = ("f8", log.rows[keep, 0])
            arrays[f"loss_test.{k}"] = ("f8", log.rows[keep, 1])
            arrays[f"path.{k}"] = ("f8", coords)
            arrays[f"path_steps.{k}"] = ("f8", steps.astype(np.float64))
        header = {"type": "race", "step": race.step_count, "focus": self.focus, "names": race.names,
                  "plane": self._plane(), "surface": None}
        if self.surface is not None:
            header["surface"] = {"step": int(max(st[-1] for st in self.surface.path_steps if len(st)))}
            arrays.update(alpha=("f8", self.surface.alpha), beta=("f8", self.surface.beta),
                          loss=("f4", self.surface.loss))
        self._packed = (key, pack(header, arrays))
        return self._packed[1]

    # -- the surface, off the training path ---------------------------------------------------------------

    def _plane_changed(self) -> None:
        self.version += 1
        self.cancel()
        self.refresher.done_at = 0.0
        self.note_change()

    def note_change(self) -> None:
        """The paths moved: recompute the loss over the plane (its directions fixed, its extent holding every
        path), at most once per refresh interval and one at a time."""
        self.refresher.note_change()

    async def _compute(self) -> None:
        race = self.race
        if race is None:
            return
        t = race.trainers[0]
        # Copies taken now: training goes on while the pool computes.
        args = (t.model.copy(), t.X_train, t.T_train, race.plane, race.plane_kind, race.paths())
        options = {"resolution": self.resolution, "labels": race.plane_axes, "description": race.plane_note}
        problem, surface = None, None
        try:
            surface = await self.session.work.run(race_surface, *args, **options)
        except OverBudget as exc:
            problem = over_budget_error(exc, "race surface", self.resolution).message
        except FieldError as exc:  # the pool is full: try again at the next refresh
            problem = exc.message
            self.refresher.stale = True
        except (Cancelled, ValueError) as exc:  # the server stops; or every path is not finite
            problem = str(exc) or "the surface was stopped"
        if self.race is not race:
            return
        self.refresher.done_at = time.monotonic()
        self.problem = None if surface is not None else problem.split(": ", 1)[-1]
        if surface is not None:
            self.surface = surface
        self.version += 1
        self.session.changed(grid=False)

    def cancel(self) -> None:
        """Stop the surface being computed, and the refresh that is due."""
        self.refresher.cancel()


def contestant_optimizer(k: int, c: p.Contestant) -> Any:
    """The contestant's optimizer, its settings checked as the ordinary ones are; errors name the field."""
    given = c.hyper.given() if c.hyper is not None else {}
    refuse_unknown_settings(c.optimizer, given, prefix=f"contestants[{k}].hyper.")
    try:
        return make_optimizer(c.optimizer, **given)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        raise FieldError(f"contestants[{k}].hyper.{field}", f"contestants[{k}].hyper.{field}: {reason}") from None
