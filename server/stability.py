"""A session's stability hint and learning-rate schedule.

λmax, the largest eigenvalue of the loss's Hessian (engine/curvature.py), is measured in the shared work pool
(work.py: a CPU budget, cancellation) on a copy of the network, off the training path: when the weights jump or
change (at most every ``curvature_refresh_seconds`` while playing), when weight decay changes, and when a page
asks (``curvature``). From the newest λmax and the settings in force each frame carries the limits on η, the
η in force (a schedule's η_t), and a plain-words line, in ``stability`` (docs/protocol.md), validated here.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.curvature import ADAPTIVE, Curvature, curvature, limit_in_force, stability_limits

from . import recurrent
from .build import engine_error
from .protocol import CurvatureRequest, FieldError, ScheduleMessage, ScheduleSettings
from .work import Cancelled, OverBudget, over_budget_error

if TYPE_CHECKING:
    from .session import Session


class Busy(Exception):
    """The pool is computing what pages asked for: a background estimate waits its turn."""


class Report(BaseModel):
    """What goes to the page: checked to be finite and of the right shape before it is sent."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class CurvatureReport(Report):
    lambda_max: float
    residual: float  # an eigenvalue of H lies within this of lambda_max
    converged: bool
    products: int  # Hessian-vector products used
    shifted: bool  # a negative eigenvalue was larger in magnitude: λmax came from the shifted run
    step: int  # measured at the weights after this update
    points: int  # training examples E was taken over
    weight_decay: float
    seconds: float  # the measurement's time in the work pool


class LimitReport(Report):
    rule: Literal["gd", "heavy_ball", "nesterov", "inertia"]
    label: str
    formula: str
    eta_max: float | None  # None: λmax ≤ 0, no limit


class StabilityReport(Report):
    eta: float  # the η in force for the next update
    eta_set: float  # the η set (the schedule multiplies it)
    schedule: dict[str, float | int | str]  # kind, warmup and the kind's settings (as the `schedule` control)
    schedule_text: str
    curvature: CurvatureReport | None
    limits: list[LimitReport]
    in_force: str | None  # the rule of the optimizer in use (None for Adam and RMSprop)
    above: bool | None  # the η in force is above the limit in force
    note: str  # plain words
    measuring: bool
    auto: bool
    error: str | None


class Stability:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.found: Curvature | None = None
        self._of: Any = None  # the trainer the estimate belongs to
        self.auto = True  # measure after changes (the page's checkbox; `curvature` with `auto`)
        self.error: str | None = None
        self.stale = False
        self.measured_at = -1e9
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._reported: tuple[tuple, dict[str, Any]] | None = None  # (what it depends on, the report)

    # -- when to measure ----------------------------------------------------------------------------------

    def note_change(self, weights: bool = True) -> None:
        """Something changed (``weights``: the weights may have): measure again when due. Without a change of
        the weights, only a session with no estimate yet (and no failed attempt) is measured: a new page."""
        if not weights and (self._current() is not None or self.error is not None):
            return
        if not self.auto or recurrent.is_rnn(self.session.trainer):
            return
        self.stale = True
        self._schedule()

    def settings_changed(self, before: float) -> None:
        """After ``set``: weight decay is part of the curvature the optimizer sees."""
        if getattr(self.session.trainer.optimizer, "weight_decay", 0.0) != before:
            self.note_change()

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving (a session built outside the server): nothing to schedule on
            return
        if (self._task is not None and not self._task.done()) or self._timer is not None:
            return
        session = self.session
        if not session.clients:  # nobody watches: measured when a page comes (it changes the frame)
            return
        wait = self.measured_at + session.settings.curvature_refresh_seconds - time.monotonic()
        if wait > 0 and session.playing:
            self._timer = loop.call_later(wait, self._timer_done)
            return
        self.stale = False  # what changes from here on is newer than the copy about to be taken
        self._task = loop.create_task(self._refresh())

    def _timer_done(self) -> None:
        self._timer = None
        if self.stale:
            self._schedule()

    async def _refresh(self) -> None:
        session = self.session
        try:
            await self._measure(background=True)
        except Busy:  # surfaces and checks asked for go first, and background work keeps to its share
            self.stale, self._task = True, None
            self._timer = asyncio.get_running_loop().call_later(session.work.background_wait(), self._timer_done)
            return
        except FieldError as exc:
            self.error = exc.message.split(": ", 1)[-1]
            session.changed(grid=False)
        self._task = None
        if self.stale:
            self._schedule()

    async def _measure(self, background: bool = False) -> None:
        """λmax now, on a copy of the weights; FieldError in plain words when it cannot be had (``background``:
        kept fresh, nobody waits: it gives way to work pages asked for, and raises Busy then)."""
        session = self.session
        trainer = session.trainer
        if recurrent.is_rnn(trainer):
            raise FieldError("type", "type: the stability hint is for the feed-forward network only")
        if trainer.diverged:
            raise FieldError("type", "type: the weights are not finite (training diverged); step back or reset")
        # Kept fresh while playing, it keeps to the pool's share for background work; after a person's own
        # change, paused, it is measured at once (a few at most a second, and one frame shows both).
        if background and not (session.work.background_due if session.playing else session.work.idle):
            raise Busy  # before the copy: a refused estimate copies nothing
        net, step, weight_decay = trainer.model.copy(), trainer.step_count, trainer.optimizer.weight_decay
        current = self._current()
        start = current.vector if current is not None else None  # a warm start: a few products suffice
        try:
            found = await session.work.run(curvature, net, trainer.X_train, trainer.T_train, weight_decay, start,
                                           background=background)
        except OverBudget as exc:
            # Too costly for this network and data to repeat after every change: only when asked from now on.
            self.auto = False
            raise over_budget_error(exc, "curvature estimate") from None
        except Cancelled:
            raise FieldError("type", "type: the curvature estimate was stopped: the server is stopping") from None
        except ValueError as exc:
            raise engine_error(exc) from None
        finally:
            self.measured_at = time.monotonic()
        found.step = step
        if session.trainer is trainer:
            self.found, self._of, self.error = found, trainer, None
            trainer.curvature = found  # a divergence from here on says which limit it crossed
            session.changed(grid=False)

    def _current(self) -> Curvature | None:
        return self.found if self._of is self.session.trainer else None

    async def request(self, m: CurvatureRequest) -> None:
        """The `curvature` control: measure now (answered when done), and turn measuring after changes on/off."""
        if m.auto is not None:
            self.auto = m.auto
            self.session.changed(grid=False)
        self.cancel()
        me = asyncio.current_task()
        self._task = me  # type: ignore[assignment]  # no automatic one starts while this runs; a newer stops it
        try:
            await self._measure()
        finally:
            if self._task is me:
                self._task = None

    def cancel(self) -> None:
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
        self._task = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- the schedule -------------------------------------------------------------------------------------

    def set_schedule(self, m: ScheduleMessage) -> None:
        """The `schedule` control, live like `set`: the next update's η follows it."""
        session = self.session
        if session.config.preset is not None:
            raise FieldError("kind", "kind: the worked examples keep a constant η (their numbers are the "
                                     "textbook's); leave the example to use a schedule")
        try:
            schedule = m.engine()
        except ValueError as exc:
            raise engine_error(exc) from None
        optimizer = session.trainer.optimizer
        changed = schedule != optimizer.schedule
        optimizer.schedule = schedule
        session.config.schedule = ScheduleSettings(**schedule.settings())
        if changed:
            session.forget_ahead()
        session.changed(grid=False)

    # -- what frames carry --------------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        trainer = self.session.trainer
        opt = trainer.optimizer
        found = self._current()
        momentum = float(getattr(opt, "momentum", 0.0))
        eta = float(opt.next_eta)
        measuring = self._task is not None and not self._task.done()
        # Every frame carries the report, and it changes far less often than frames go out: built (and
        # validated) again only when something it says may have changed. Building it cost a playing frame
        # about a tenth of its time (cProfile of Session.frame_base).
        key = (found, trainer, opt.schedule, opt.name, momentum, eta, float(opt.lr), measuring, self.auto,
               self.error)
        if self._reported is not None and all(map(_same, key, self._reported[0])):
            return self._reported[1]
        self._reported = (key, self._build_report(trainer, opt, found, momentum, eta, measuring))
        return self._reported[1]

    def _build_report(self, trainer: Any, opt: Any, found: Curvature | None, momentum: float, eta: float,
                      measuring: bool) -> dict[str, Any]:
        limits = stability_limits(found.lambda_max, opt.name, momentum) if found is not None else []
        limit = limit_in_force(found.lambda_max, opt.name, momentum) if found is not None else None
        above = None if limit is None or limit.eta_max is None else eta > limit.eta_max
        report = StabilityReport(
            eta=eta, eta_set=float(opt.lr), schedule=opt.schedule.settings(), schedule_text=opt.schedule.describe(),
            curvature=None if found is None else CurvatureReport(
                lambda_max=found.lambda_max, residual=found.residual, converged=found.converged,
                products=found.products, shifted=found.shifted, step=found.step or 0, points=found.points,
                weight_decay=found.weight_decay, seconds=found.seconds),
            limits=[LimitReport(rule=x.rule, label=x.label, formula=x.formula, eta_max=x.eta_max) for x in limits],
            in_force=None if limit is None else limit.rule, above=above,
            note=self._note(trainer, found, eta, limit, above), measuring=measuring, auto=self.auto,
            error=self.error,
        )
        return report.model_dump()

    def _note(self, trainer: Any, found: Curvature | None, eta: float, limit: Any, above: bool | None) -> str:
        if recurrent.is_rnn(trainer):
            return "The stability hint is for the feed-forward network."
        if found is None:
            return "Measuring the curvature…" if self.auto else "Curvature not measured: press “Measure λmax”."
        lam = f"λmax = {found.lambda_max:.3g}"
        if trainer.optimizer.name in ADAPTIVE:
            return (f"{lam}. Adam and RMSprop divide each step by a running size of the gradient, so 2/λmax does "
                    "not limit their η.")
        if limit.eta_max is None:
            return f"{lam}: the loss curves upward in no direction here, so the curvature sets no limit on η."
        where = "above" if above else "below"
        verdict = ("a bowl this curved would make the steps grow: expect the loss to jump or diverge" if above
                   else "stable on a bowl this curved")
        return (f"η in force {eta:.3g} is {where} the limit of {limit.label}, {limit.formula} = "
                f"{limit.eta_max:.3g} ({lam}): {verdict}.")


def _same(a: Any, b: Any) -> bool:
    """The same object, or an equal plain value (a new estimate or schedule is a new object)."""
    return a is b or (type(a) in (int, float, str, bool) and a == b)
