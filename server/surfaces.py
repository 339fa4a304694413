"""The loss surface a session shows: asked for by a page, computed by the engine in the work pool (work.py,
within a CPU budget) on a copy of the network, refreshed while training moves the weights, and the current point
overlaid on every frame. A newer request stops an older one still computing."""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from engine import landscape
from engine.gradcheck import flat_gradient
from engine.profile import Profile, profile_for

from . import recurrent
from .protocol import FieldError, SurfaceRequest
from .refresh import Refresher
from .wire import finite_or_none, pack
from .work import Cancelled, OverBudget, over_budget_error

if TYPE_CHECKING:
    from .session import Session

Array = np.ndarray
KIND_TO_ENGINE = {"weights": "parameters", "random": "random", "trajectory": "pca"}  # 2-D; 'line', 'curve' 1-D


def param_ref(ref: Any) -> tuple:
    return ("weight", ref.layer, ref.i, ref.j) if ref.kind == "weight" else ("bias", ref.layer, ref.j)


class SurfaceState:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.request_msg: SurfaceRequest | None = None
        self.surface: Any = None
        self.message_bytes: bytes | None = None
        self.version = 0
        self._asking: asyncio.Task[Any] | None = None  # the request being computed
        # Kept fresh while training (server/refresh.py): the page's request, computed again.
        self.refresher = Refresher(lambda: session.settings.surface_refresh_seconds,
                                   self._refresh, lambda: self.request_msg is not None)

    # -- asked by the page --------------------------------------------------------------------------------

    async def request(self, m: SurfaceRequest) -> None:
        settings = self.session.settings
        if m.kind == "none":
            self.clear()
            self.session.changed(grid=False)
            return
        if m.resolution > settings.max_surface_resolution:
            raise FieldError(
                "resolution",
                f"resolution: at most {settings.max_surface_resolution} points a side, got {m.resolution}",
            )
        options = self._options(m)
        self.cancel()  # a newer request replaces one still computing
        if not self._drawable(m):
            self._publish_waiting(m)
            self.request_msg = m
            return
        # Computed now so that errors in the request (a weight that does not exist) reach the asker. In a task of
        # its own, so that a newer request stops this computation and not whatever awaits it.
        computing = asyncio.get_running_loop().create_task(self._compute(m, options))
        self._asking = computing
        try:
            surface = await computing
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():  # the asker itself was stopped
                raise
            raise FieldError("replaced", "replaced: this surface was stopped: a newer one replaced it") from None
        finally:
            if self._asking is computing:
                self._asking = None
        self._publish(m, surface)
        self.request_msg = m

    def _drawable(self, m: SurfaceRequest) -> bool:
        """The trajectory plane needs a path of two points: at update 0 it waits for the next update."""
        return m.kind != "trajectory" or self.session.trainer.trajectory.size >= 2

    def _publish_waiting(self, m: SurfaceRequest) -> None:
        self.surface = None
        header = {
            "type": "surface", "step": self.session.trainer.step_count, "kind": m.kind, "waiting": True,
            "description": "The trajectory plane is the plane of the path the weights take, so it needs a path: "
                           "it is drawn after the next update (press Step or Play).",
            "caveat": None, "axes": [], "current": [], "current_loss": None, "explained_variance": None,
        }
        self.message_bytes = pack(header, {})
        self.version += 1
        self.session.surface_version = self.version
        self.session.changed(grid=False)

    def _options(self, m: SurfaceRequest) -> dict[str, Any]:
        options: dict[str, Any] = {"resolution": m.resolution}
        if m.span is not None:
            options["span"] = m.span
        rnn = recurrent.is_rnn(self.session.trainer)
        if rnn and m.kind != "weights":
            raise FieldError("kind", "kind: the recurrent network's surface is over two chosen weights ('weights')")
        if m.kind == "weights":
            if len(m.params) != 2:
                raise FieldError("params", f"params: a two-weight slice needs two parameters, got {len(m.params)}")
            ref = recurrent.param_ref if rnn else param_ref
            options["p1"], options["p2"] = (ref(r) for r in m.params)
        elif m.kind == "line":
            if len(m.params) != 1:
                raise FieldError("params", f"params: a one-weight slice needs one parameter, got {len(m.params)}")
            options["param"] = param_ref(m.params[0])
        elif m.kind == "random":
            options["seed"] = m.seed
        elif m.kind == "curve":
            if self.session.config.preset != "curve":
                raise FieldError("kind", "kind: the curve slice belongs to the worked example of descent on a "
                                         "curve; choose that example first")
            options["param"] = ("weight", 0, 0, 0)  # the curve's one parameter x
        return options

    async def _compute(self, m: SurfaceRequest, options: dict[str, Any]) -> Any:
        trainer = self.session.trainer
        # A frozen copy: the thread must not see the weights change under it while training goes on.
        snapshot = recurrent.snapshot(trainer) if recurrent.is_rnn(trainer) else _Snapshot(trainer)
        work = self.session.work
        try:
            if m.kind in ("line", "curve"):
                return await work.run(profile_for, snapshot, **options)
            return await work.run(landscape.surface_for, snapshot, KIND_TO_ENGINE[m.kind], **options)
        except OverBudget as exc:
            raise over_budget_error(exc, "surface", m.resolution if m.kind not in ("line", "curve") else None) from None
        except Cancelled:
            raise FieldError("type", "type: the surface was stopped: the server is stopping") from None
        except ValueError as exc:
            # The engine says "p2: index: weights[0] has shape ..."; the page knows the field as params[1].
            names = re.match(r"((?:\w+: )+)(.*)", str(exc))
            first, reason = (names.group(1).split(":")[0], names.group(2)) if names else ("params", str(exc))
            field = {"p1": "params[0]", "p2": "params[1]", "param": "params[0]", "trajectory": "kind"}.get(first, first)
            raise FieldError(field, f"{field}: {reason}") from None

    def _publish(self, m: SurfaceRequest, surface: Any) -> None:
        self.surface = surface
        self.refresher.done_at = time.monotonic()
        header = {
            "type": "surface", "step": self.session.trainer.step_count, "kind": m.kind,
            "description": surface.description, "caveat": surface.caveat,
            "current": [float(c) for c in np.atleast_1d(surface.current)],
            "current_loss": finite_or_none(float(surface.current_loss)),
            "params": [ref.model_dump(exclude_none=True) for ref in m.params],  # the slice's weights, if chosen
        }
        if isinstance(surface, Profile):  # one parameter: a curve, drawn with its iterates on it
            header.update(axes=[surface.axis_label], explained_variance=None)
            arrays = {"alpha": ("f8", surface.x), "beta": ("f8", np.zeros(0)), "loss": ("f4", surface.loss[None, :]),
                      "path": ("f8", surface.path), "path_loss": ("f8", surface.path_loss)}
        else:
            explained = None if surface.explained is None else [float(e) for e in surface.explained]
            header.update(axes=list(surface.axis_labels), explained_variance=explained)
            arrays = {"alpha": ("f8", surface.alpha), "beta": ("f8", surface.beta), "loss": ("f4", surface.loss),
                      "path": ("f8", surface.path)}
        arrays["path_steps"] = ("f8", surface.path_steps)
        self.message_bytes = pack(header, arrays)
        self.version += 1
        self.session.surface_version = self.version
        self.session.changed(grid=False)

    # -- kept fresh while training ------------------------------------------------------------------------

    def note_change(self) -> None:
        """The weights moved: refresh the surface (at most once per refresh interval, one at a time)."""
        self.refresher.note_change()

    async def _refresh(self) -> None:
        m = self.request_msg
        if m is None:
            return
        if not self._drawable(m):  # stepped back or reset to update 0: wait again for the path
            if self.surface is not None:
                self._publish_waiting(m)
            return
        try:
            surface = await self._compute(m, self._options(m))
        except FieldError:
            return  # e.g. the weights moved to NaN; the divergence message says so
        if self.request_msg is m:
            self._publish(m, surface)

    def overlay(self) -> dict[str, tuple[str, Array]]:
        """The current point on the shown slice, and −∇E projected onto its axes: −∂E/∂c for each coordinate c
        of the drawing, so the arrow crosses the contours at right angles."""
        if self.surface is None:
            return {}
        trainer = self.session.trainer
        theta = trainer.model.flat()
        if recurrent.is_rnn(trainer):
            point = self.surface.project(theta)
            descent = recurrent.descent(trainer, self.surface.plane.directions)
            return {"surface_point": ("f8", point), "surface_descent": ("f8", descent)}
        with np.errstate(all="ignore"):
            g = flat_gradient(trainer.model, trainer.X_train, trainer.T_train)
            point = self.surface.project(theta)
            descent = -(self.surface.plane.directions @ g)
        return {"surface_point": ("f8", np.atleast_1d(point)), "surface_descent": ("f8", np.atleast_1d(descent))}

    def message(self) -> bytes | None:
        return self.message_bytes

    def reset_path(self) -> None:
        if self.request_msg is not None:
            self.cancel()
            self.refresher.done_at = 0.0
            self.note_change()

    def clear(self) -> None:
        self.cancel()
        self.request_msg = None
        self.surface = None
        self.message_bytes = None
        self.version += 1
        self.session.surface_version = self.version

    def cancel(self) -> None:
        """Stop computing: the request being answered (its asker gets an error), a refresh, a due refresh."""
        if self._asking is not None:
            self._asking.cancel()
        self._asking = None
        self.refresher.cancel()


class _Snapshot:
    """What ``landscape.surface_for`` reads of a trainer, copied at one instant."""

    def __init__(self, trainer: Any) -> None:
        self.model = trainer.model.copy()
        self.X_train, self.T_train = trainer.X_train, trainer.T_train
        self.step_count = trainer.step_count
        self.trajectory = _Log(trainer.trajectory.steps.copy(), trainer.trajectory.rows.copy())


class _Log:
    def __init__(self, steps: Array, rows: Array) -> None:
        self.steps, self.rows = steps, rows
