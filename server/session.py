"""A session owns one trainer, its state on the page, and the pages that watch it.

While it plays, the scheduler gives it short slices of training in turn with the other sessions. Work that
takes longer (a loss surface, a gradient check) runs in the shared work pool (work.py) on a copy of the network,
as a job of the page that asked, so that page's next messages are read meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
from typing import Any

import numpy as np

from engine import Dataset, DivergedError, GradCheck, Trainer, gradcheck, make_preset
from engine.decision import data_domain, decision_grid
from engine.names import flat_label, names_for
from engine.snapshot import trainer_state

from . import owndata, recurrent
from . import protocol as p
from .build import build_trainer, engine_error, refuse_unknown_settings
from .clients import Client
from .explainer import Explainer, element_of, still_there
from .fitting import fit_loss
from .framecache import FrameCache
from .frames import current_view, frame_arrays, frame_header
from .lessonplace import LessonPlace
from .load import Load
from .poll import Poll
from .protocol import Config, FieldError
from .race import RaceState
from .scheduler import Scheduler
from .settings import Settings
from .stability import Stability
from .storage import hash_token
from .surfaces import SurfaceState
from .wire import finite_or_none, pack
from .work import Cancelled, OverBudget, WorkPool, over_budget_error

SLOW_UPDATES_PER_SECOND = 100
KEEP = object()  # reconfigure: keep the own data in use
JOBS = ("surface", "gradcheck", "curvature")  # controls that compute for long: each a job of the page that asked
MAX_UNTIL = 100_000  # updates one play_until may ask for (at_once: AT_ONCE_UNTIL, run before the reply)
AT_ONCE_UNTIL = 2_000


class Session:
    def __init__(
        self, session_id: str, settings: Settings, config: Config, load: Load, scheduler: Scheduler,
        work: WorkPool | None = None,
    ) -> None:
        self.id = session_id
        # The presenter's secret: given to its creator once; only its hash is kept (and stored).
        self.token: str | None = secrets.token_urlsafe(24)
        self.token_hash = hash_token(self.token)
        self.created = self.last_used = time.time()  # wall clock: kept across restarts, for expiry
        self.before_update: dict[str, Any] | None = None  # the training state an update under way started from
        self.settings = settings
        self.clients: dict[str, Client] = {}
        self.last_seen = time.monotonic()
        self.load = load
        self.scheduler = scheduler
        self.work = work or WorkPool(settings)  # the registry shares one pool among all sessions
        self.visitor: str | None = None  # the address that created it (sessions per visitor are capped)
        self._unwatched: asyncio.TimerHandle | None = None
        self._seconds_per_update = 1e-4  # learnt as it trains, to size its slices
        self._owed, self._owed_at = 0.0, 0.0  # updates due at a set speed, and since when
        self.version = 0  # bumps whenever what a frame shows changes
        self.grid_version = 0
        self.data_version = 0
        self.surface_version = 0
        self.history_generation = 0  # bumps when the loss history starts again (reset, new setup)
        self.playing = False
        self.speed: float | None = None  # updates per second; None: as fast as it goes
        self.selection: int | None = None
        self.explainer = Explainer()  # the element it is open on, the same for every page
        self.poll = Poll(self)  # the question open to every page, and their answers
        self.lesson = LessonPlace(self)  # where the presenter is in a lesson, shown on every viewer page
        self.stop_at: tuple[int | None, float | None] | None = None  # play_until: (update, loss below)
        self._frame_cache: tuple[int, dict[str, Any], dict[str, Any]] | None = None
        self._grid_cache: tuple[int, bytes | None] | None = None
        self.surface = SurfaceState(self)
        self.stability = Stability(self)  # λmax and the limits on η; the schedule control
        self.frames = FrameCache(self)
        self.race = RaceState(self)  # an optimizer race, when one runs: its trainers, its plane (server/race.py)
        self.status: str | None = None
        self.config = config
        self.own_optimizer = False  # a worked example trained with another optimizer than its own
        self.own_data: Dataset | None = None  # points drawn or uploaded (server/owndata.py); None: the config's set
        self.data_edit = False  # the last data message follows a drawn edit (the page keeps its surface)
        self.trainer = self._build(config)

    # -- configuration ------------------------------------------------------------------------------------

    def _build(self, config: Config, own_optimizer: bool = False, data: Dataset | None = None) -> Trainer:
        if config.preset is not None:
            config.schedule = p.ScheduleSettings()  # the worked examples keep a constant η
        if config.model == "rnn":  # the character RNN: its own trainer, no input plane to map
            self.domain = None
            trainer = recurrent.build_rnn_trainer(config)
            trainer.optimizer.schedule = config.schedule.engine()
            return trainer  # type: ignore[return-value]
        trainer = build_trainer(config, self.settings, own_optimizer, data)
        trainer.optimizer.schedule = config.schedule.engine()
        if config.preset is not None and not own_optimizer:  # the preset decides its optimizer; show it
            opt = trainer.optimizer
            config.optimizer = opt.name  # type: ignore[assignment]
            config.hyper = p.Hyper(**opt.settings())
            config.batch_size = trainer.batch_size
        # A map of the output over the input plane, for the 2-D data sets; the worked examples' few given
        # cases have no such plane worth showing.
        planar = trainer.X_train.shape[1] == 2 and trainer.data.kind != "given"
        self.domain = data_domain(trainer.X_train, trainer.X_test) if planar else None
        return trainer

    def reconfigure(self, config: Config, own_optimizer: bool = False, own_data: Any = KEEP) -> None:
        data = self.own_data if own_data is KEEP else own_data
        trainer = self._build(config, own_optimizer, data)  # raises before anything changes
        self.own_optimizer, self.own_data, self.data_edit = own_optimizer, data, False
        self.pause()
        self.race.end()  # a new setup ends a race
        self.config, self.trainer = config, trainer
        self.history_generation += 1
        self.selection = None
        self.explainer.element = None if recurrent.is_rnn(trainer) else \
            still_there(self.explainer.element, trainer.model.sizes)
        self.status = None
        self.surface.clear()
        self.data_version += 1
        self.changed()

    def data_changed(self, edit: bool = False) -> None:
        """The points changed under the same network: every page gets the data message again, and the loss
        history from its start (the page drops what it holds when new data comes)."""
        self.data_edit = edit
        self.data_version += 1
        self.history_generation += 1
        self.changed()

    def controlled_by(self, token: str | None) -> bool:
        return token is not None and secrets.compare_digest(hash_token(token), self.token_hash)

    # -- what changed, and who to tell --------------------------------------------------------------------

    def changed(self, grid: bool = True) -> None:
        self.version += 1
        if grid:  # the weights (and so the map and the surface) may have changed
            self.grid_version += 1
            self.surface.note_change()
            self.race.note_change()
        self.stability.note_change(weights=grid)
        for client in self.clients.values():
            client.notify()

    @property
    def viewers(self) -> int:
        """Pages following without control."""
        return sum(c.viewer_count for c in self.clients.values())

    def broadcast(self, message: dict[str, Any]) -> None:
        for client in self.clients.values():
            client.send_json(message)

    def announce(self, message: str | None) -> None:
        self.status = message
        self.broadcast({"type": "status", "playing": self.playing, "message": message})

    # -- controls -----------------------------------------------------------------------------------------

    async def handle(self, client: Client, raw: str) -> None:
        """Validate and carry out one control message; reply ack or error to the sender only."""
        try:
            message = p.parse_control(raw)
            if message.type == "hello":
                raise FieldError("type", "type: 'hello' is only the first message of a connection")
            if message.type == "answer":  # any page may answer; it changes no frame, so no page is hurried
                self.poll.answer(client, message)
                client.send_json({"type": "ack", "id": message.id, "of": message.type, "seq": self.version})
                return
            if not client.controls:
                raise FieldError("type", "type: viewers cannot control this session; only its presenter can")
        except FieldError as exc:
            msg_id, kind = p.reply_tags(raw)  # only a valid id and a known type are repeated
            client.send_json(p.error_reply(msg_id, kind, exc))
            return
        if message.type not in JOBS:
            await self._carry_out(client, message)
            return
        previous = client.jobs.get(message.type)
        if previous is not None:  # the page asked again: the older answer is no longer wanted
            previous.cancel()
        client.jobs[message.type] = asyncio.get_running_loop().create_task(self._carry_out(client, message))

    async def _carry_out(self, client: Client, message: Any) -> None:
        msg_id, kind = message.id, message.type
        try:
            await self._apply(message, client)
            self.frames.must_show = shown = self.version  # the next frame shows what this message did
            for page in self.clients.values():
                page.hurry()
        except FieldError as exc:
            client.send_json(p.error_reply(msg_id, kind, exc))
            return
        except asyncio.CancelledError:  # replaced by a newer request, or the page or the server went
            replaced = FieldError("replaced", f"replaced: this {kind} was stopped: a newer one replaced it")
            client.send_json(p.error_reply(msg_id, kind, replaced))
            raise
        # Its seq: the first frame with a seq this high shows what it did. Through Redis a frame packed before it
        # may still arrive after this reply (frames and replies travel apart), so the number, not the order, says.
        client.send_json({"type": "ack", "id": msg_id, "of": kind, "seq": shown})

    async def _apply(self, m: Any, client: Client) -> None:
        kind = m.type
        if recurrent.is_rnn(self.trainer):
            recurrent.check_control(kind)
        self.race.check_control(kind)
        if kind == "configure":
            own_data = owndata.through_configure(self, m)
            config, note = fit_loss(self._merged(m), chose_dataset=m.dataset is not None and m.loss is None,
                                    data=own_data)
            # Inside a worked example, another optimizer or its settings keep the example and are used in it.
            chose_optimizer = m.optimizer is not None or m.hyper is not None
            own = config.preset is not None and (chose_optimizer or (m.preset is None and self.own_optimizer))
            self.reconfigure(config, own, own_data=own_data)
            if note:
                self.announce(note)
            await self.open_preset_view()
        elif kind == "reset":
            self.pause()
            if self.race.race is not None:
                self.race.reset()  # every contestant back to the common start
            else:
                self.trainer.reset()
            self.history_generation += 1
            self.status = None
            self.surface.reset_path()
            self.changed()
        elif kind == "regenerate":
            config = self.config.model_copy(update={"seed": secrets.randbelow(2**31)})
            if config.preset is not None:
                raise FieldError("type", "type: a worked example has fixed starting weights; use reset")
            self.reconfigure(config)
        elif kind == "play":
            self.play()
        elif kind == "pause":
            self.pause()
        elif kind == "speed":
            self.speed = m.updates_per_second
            self.changed(grid=False)
        elif kind == "step":
            self.pause()
            self.poll.before_update()
            if self.race.race is not None:
                self.race.step()
            else:
                self._guard(self.trainer.step)
            self.poll.after_update()
        elif kind == "phase":
            self.pause()
            self.poll.before_update()
            if not self.trainer.in_update and not recurrent.is_rnn(self.trainer):  # what storage and a fork keep
                # while the update's phases go on (the recurrent trainer is not kept yet)
                self.before_update = trainer_state(self.trainer, self.settings.stored_trajectory_bytes)
            self._guard(self.trainer.next_phase)
            self.poll.after_update()
        elif kind == "ask":
            self.poll.ask(m)
        elif kind == "lesson":
            self.lesson.follow(m)
        elif kind == "reveal":
            self.poll.reveal()
            self.changed(grid=False)
        elif kind == "play_until":
            self._play_until(m)
        elif kind in ("back", "forward", "seek"):
            self.pause()
            self._move_in_history(m)
        elif kind == "set":
            self._set(m)
        elif kind == "select":
            if m.example is not None and m.example >= self.trainer.n_train:
                raise FieldError(
                    "example", f"example: expected an index in 0..{self.trainer.n_train - 1}, got {m.example}"
                )
            self.selection = m.example
            self.changed(grid=False)
        elif kind == "surface":
            await self.surface.request(m)
        elif kind == "schedule":
            self.stability.set_schedule(m)
        elif kind == "curvature":
            await self.stability.request(m)
        elif kind == "gradcheck":
            await self._gradcheck(client, m.id)
        elif kind == "sample":
            if not recurrent.is_rnn(self.trainer):
                raise FieldError("type", "type: the sample panel belongs to the recurrent network (model 'rnn')")
            update = {"temperature": m.temperature} | ({} if m.length is None else {"sample_length": m.length})
            self.config.rnn = self.config.rnn.model_copy(update=update)
            self.changed(grid=False)
        elif kind.startswith("race_"):
            self.race.control(m)
        elif kind in owndata.EDITS:
            owndata.edit(self, m)
        elif kind == "explain":
            self.explainer.element = element_of(m, self.trainer.model.sizes)
            self.changed(grid=False)

    async def open_preset_view(self) -> None:
        """A worked example opens on the loss-surface slice it is about (the curve; the two weights)."""
        if self.config.preset is None:
            return
        view = make_preset(self.config.preset).view
        if not view:
            return
        params = [p.ParamRef(kind=kind, layer=layer, i=i, j=j) for kind, layer, i, j in view.get("params", [])]
        request = p.SurfaceRequest(type="surface", kind=view["kind"], params=params, span=view.get("span"))
        await self.surface.request(request)

    def _merged(self, m: p.Configure) -> Config:
        update = m.model_dump(exclude_none=True, exclude={"type", "id", "batch_size", "preset", "hyper"})
        if m.batch_size != "keep":
            update["batch_size"] = m.batch_size
        if m.preset is not None:
            update["preset"] = None if m.preset == "none" else m.preset
        elif set(update) - {"optimizer", "batch_size"}:
            update["preset"] = None  # changing the model or the data leaves the worked example
        if m.hyper is not None:
            update["hyper"] = self.config.hyper.model_copy(update=m.hyper.given())
        return Config.model_validate({**self.config.model_dump(), **update})

    def _set(self, m: p.Set) -> None:
        optimizer = self.trainer.optimizer
        given = p.Hyper.model_validate(m.model_dump(exclude={"type", "id", "batch_size"})).given()
        refuse_unknown_settings(optimizer.name, given)
        kept = (optimizer.settings(), self.trainer.batch_size)
        decay = getattr(optimizer, "weight_decay", 0.0)
        if m.batch_size != "keep" and recurrent.is_rnn(self.trainer):
            raise FieldError("batch_size", "batch_size: the recurrent network trains on one window at a time")
        if m.batch_size != "keep":
            try:
                self.trainer.batch_size = m.batch_size
            except ValueError as exc:
                raise engine_error(exc) from None
            self.config.batch_size = m.batch_size
        for name, value in given.items():
            setattr(optimizer, name, value)
        self.config.hyper = self.config.hyper.model_copy(update=given)
        if self._settings_changed(kept):
            self.forget_ahead()
        self.stability.settings_changed(decay)
        self.changed(grid=False)

    def forget_ahead(self) -> None:
        """The settings changed: after stepping back, the kept updates ahead (made with the old ones) go, and new
        updates use the new settings."""
        rewind = getattr(self.trainer, "rewind", None)  # the recurrent trainer keeps no history to step back in
        if rewind is not None and rewind.head > self.trainer.step_count:
            rewind.forget_ahead(self.trainer.step_count)
            self.announce("Settings changed after stepping back: the updates ahead were dropped, and new updates "
                          "use the new settings.")

    def _settings_changed(self, kept: tuple[dict[str, float], int | None]) -> bool:
        return kept != (self.trainer.optimizer.settings(), self.trainer.batch_size)

    def _move_in_history(self, m: p.Back | p.Forward | p.Seek) -> None:
        """Back (restored), forward (replayed) or to an update (the scrubber). Going back drops the loss points
        after it, so every page gets the loss history again from its start; the settings of that time come
        back with the weights."""
        trainer = self.trainer
        was_diverged = trainer.diverged
        before = trainer.step_count
        try:
            if m.type == "back":
                trainer.back(m.steps)
            elif m.type == "forward":
                trainer.forward(m.steps)
            else:
                trainer.seek(m.step)
        except ValueError as exc:
            raise engine_error(exc) from None
        if trainer.step_count <= before:
            self.history_generation += 1
        trainer.record_losses()
        self._sync_config()
        if was_diverged and not trainer.diverged and self.status == was_diverged:
            self.status = None
        if trainer.diverged:
            self.announce(trainer.diverged)
        self.changed()

    def _sync_config(self) -> None:
        """The settings in force, into the config: after stepping back (or replaying) they are the ones of
        that time."""
        trainer = self.trainer
        self.config.hyper = self.config.hyper.model_copy(update=trainer.optimizer.settings())
        self.config.batch_size = getattr(trainer, "batch_size", None)
        self.config.schedule = p.ScheduleSettings(**trainer.optimizer.schedule.settings())

    def _guard(self, action: Any) -> None:
        try:
            phase = action()
        except DivergedError as exc:
            raise FieldError("type", f"type: cannot go on: {exc} (step back or reset)") from None
        if phase.kind == "update":
            self.trainer.record_losses()
        self._sync_config()
        if self.trainer.diverged:
            self.announce(self.trainer.diverged)
        self.changed()

    async def _gradcheck(self, client: Client, msg_id: Any) -> None:
        trainer = self.trainer
        net = trainer.model.copy()
        batch = trainer.last_batch[:64]
        X, T = trainer.X_train[batch], trainer.T_train[batch]
        try:
            result = await self.work.run(gradcheck, net, X, T)
        except OverBudget as exc:
            raise over_budget_error(exc, "gradient check") from None
        except Cancelled:
            raise FieldError("type", "type: the gradient check was stopped: the server is stopping") from None
        k = result.worst
        client.send_json({
            "type": "gradcheck", "id": msg_id, "parameters": int(result.backprop.size), "examples": len(batch),
            "max_relative_error": finite_or_none(result.max_relative_error),
            "worst": {"name": flat_label(net, k), "backprop": finite_or_none(float(result.backprop[k])),
                      "numeric": finite_or_none(float(result.numeric[k]))},
            "kinks": result.kinks, "shrunk": result.shrunk, "note": gradcheck_note(result),
        })

    def _play_until(self, m: p.PlayUntil) -> None:
        if m.update is None and m.loss_below is None:
            raise FieldError("update", "update: say until which update (or give loss_below)")
        start = self.trainer.step_count
        if m.update is not None and m.update <= start:
            raise FieldError("update", f"update: already at update {start}; expected a later one")
        cap = AT_ONCE_UNTIL if m.at_once else MAX_UNTIL
        last = min(m.update if m.update is not None else start + cap, start + cap)
        self.pause()
        if self.poll.question is not None and not self.poll.revealed:
            self.poll.reveal()  # the question was about the first of these updates: its answer, then the run
        if not m.at_once:
            self.stop_at = (last, m.loss_below)
            self.play()
            return
        trainer = self.trainer
        while trainer.step_count < last and not trainer.diverged:
            trainer.run(last - trainer.step_count if m.loss_below is None else 1)
            if m.loss_below is not None and trainer.losses()[0] < m.loss_below:
                break
        trainer.record_losses()
        self._sync_config()
        if trainer.diverged:
            self.announce(trainer.diverged)
        self.changed()

    def _reached_stop(self) -> bool:
        """play_until: the update asked for, or the loss below the bound (checked after each slice)."""
        update, loss_below = self.stop_at or (None, None)
        if update is not None and self.trainer.step_count >= update:
            return True
        return loss_below is not None and self.trainer.losses()[0] < loss_below

    # -- the play loop ------------------------------------------------------------------------------------

    def play(self) -> None:
        race = self.race.race
        if race is not None and race.finished:
            raise FieldError("type", "type: cannot play: every contestant diverged (reset the race or stop it)")
        if self.trainer.diverged and race is None:
            raise FieldError("type", f"type: cannot play: {self.trainer.diverged}")
        if self.playing:
            return
        self.playing = True
        self._owed, self._owed_at = 0.0, time.monotonic()
        self.scheduler.add(self)
        self.broadcast({"type": "status", "playing": True, "message": self.status})
        self.changed(grid=False)

    def pause(self) -> None:
        self.stop_at = None
        if not self.playing:
            return
        self.playing = False
        self.scheduler.remove(self)
        self.trainer.rest()  # paused, the frame previews the next update, as at rest (docs/protocol.md)
        self.broadcast({"type": "status", "playing": False, "message": self.status})
        self.changed(grid=False)

    def train_slice(self, seconds: float) -> float:
        """Train for about ``seconds`` (at least one update), as the speed allows. Returns 0 if it trained,
        else the seconds until its next update is due. Called by the scheduler."""
        trainer, settings = self.trainer, self.settings
        n = max(1, int(seconds / self._seconds_per_update))
        if self.speed is not None:
            now = time.monotonic()
            # Owed updates accrue with time; a backlog is capped so a stall is not made up in a burst.
            self._owed = min(self._owed + (now - self._owed_at) * self.speed, self.speed / settings.display_hz * 4 + 1)
            self._owed_at = now
            if self._owed < 1:
                return (1 - self._owed) / self.speed
            n = min(n, int(self._owed))
        if settings.grid_every_epoch:
            n = min(n, trainer.updates_to_epoch_end)
        if self.stop_at is not None:
            if self.stop_at[0] is not None:
                n = max(1, min(n, self.stop_at[0] - trainer.step_count))
            if self.stop_at[1] is not None:
                n = 1  # the loss is checked after every update
        # Slowly, a loss point for every update costs nothing and keeps the curve moving; at full speed, one an
        # epoch (a pass over all the data per update would cost more than the update).
        runner = self.race.race or trainer  # a race trains every contestant, in lockstep
        runner.record_every = 1 if self.speed is not None and self.speed <= SLOW_UPDATES_PER_SECOND else None
        # Updates kept ahead (after stepping back) are replayed with their own settings. Asked before the run:
        # after it the head is never behind, and every slice took itself for a replay (3 % of the server's time
        # in a needless config copy, py-spy with one page playing).
        replaying = not recurrent.is_rnn(trainer) and trainer.rewind.head > trainer.step_count
        started = time.perf_counter()
        done = runner.run(n)
        if settings.grid_every_epoch and self.domain is not None and trainer.at_epoch_end:
            decision_grid(trainer.model, self.domain, settings.grid_resolution)  # as TF Playground, every epoch
        if done:
            self._seconds_per_update += 0.2 * ((time.perf_counter() - started) / done - self._seconds_per_update)
        if self.speed is not None:
            self._owed -= done
        if replaying:
            self._sync_config()
        self.changed()
        if self.race.race is not None and self.race.race.finished:
            self.status = "Every contestant diverged. Reset the race (the same start) and try smaller learning rates."
            self.pause()
        elif trainer.diverged and self.race.race is None:
            self.status = trainer.diverged
            self.pause()  # tells every page, with the message
        elif self.stop_at is not None and self._reached_stop():
            trainer.record_losses()
            self.pause()
        return 0.0

    # -- messages -----------------------------------------------------------------------------------------

    def data_message(self) -> str:
        if recurrent.is_rnn(self.trainer):
            return recurrent.data_message(self)
        trainer, data = self.trainer, self.trainer.data
        labels = data.kind == "classification"

        def part(X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
            return {"x": X.tolist(), "y": (y.tolist() if labels else y[:, 0].tolist())}  # exact, as trained on

        return json.dumps({
            "type": "data", "dataset": data.name, "kind": data.kind, "classes": data.n_classes, "edit": self.data_edit,
            "domain": self.domain, "preset": self.config.preset, "config": self.config.model_dump(),
            "n_train": trainer.n_train, "n_test": len(trainer.X_test), "names": names_for(trainer.model),
            "train": part(trainer.X_train, data.y_train) if self.domain else None,
            "test": part(trainer.X_test, data.y_test) if self.domain else None,
        }, separators=(",", ":"))

    def frame_base(self) -> tuple[dict[str, Any], dict[str, Any]]:
        stale = self._frame_cache is None or self._frame_cache[0] != self.version
        if stale and recurrent.is_rnn(self.trainer):
            header, arrays = recurrent.frame(self)
            header.update(playing=self.playing, speed=self.speed, status=self.status, session=self.id,
                          viewers=self.viewers, history={"first": self.trainer.step_count,
                                                         "last": self.trainer.step_count}, explain=None,
                          stability=self.stability.report())
            arrays.update(self.surface.overlay())
            self._frame_cache = (self.version, header, arrays)
        elif stale:
            view, position = current_view(self.trainer, self.selection)
            header = frame_header(self.trainer, view, position, self.selection, exact_losses=not self.playing)
            first, last = self.trainer.history_range
            header.update(playing=self.playing, speed=self.speed, status=self.status, session=self.id,
                          viewers=self.viewers, history={"first": first, "last": last},
                          stability=self.stability.report())
            header["explain"] = self.explainer.terms(self.trainer, self.selection, self.playing, self.speed)
            header["race"] = self.race.header(exact=not self.playing)
            arrays = frame_arrays(self.trainer, view, position)
            arrays.update(self.surface.overlay())
            self._frame_cache = (self.version, header, arrays)
        return self._frame_cache[1], self._frame_cache[2]

    def grid_message(self) -> bytes | None:
        if self.domain is None:
            return None
        if self._grid_cache is None or self._grid_cache[0] != self.grid_version:
            net = self.trainer.model
            values = decision_grid(net, self.domain, self.settings.grid_resolution)
            if values.ndim == 3 and values.shape[2] == 2:  # two-class softmax: one map, class 1's probability
                values = values[..., 1]
            header = {
                "type": "grid", "step": self.trainer.step_count, "resolution": self.settings.grid_resolution,
                "domain": list(self.domain), "classes": self.trainer.data.n_classes,
                "output_range": output_range(self.trainer),
            }
            self._grid_cache = (self.grid_version, pack(header, {"values": ("f4", values)}))
        return self._grid_cache[1]

    def surface_message(self) -> bytes | None:
        return self.surface.message()

    # -- lifetime -----------------------------------------------------------------------------------------

    def watchers_changed(self) -> None:
        """A page came or went. Once the last has gone (and none came back within a short grace, as a reload
        does), nobody watches: stop training and any surface being kept fresh."""
        if self._unwatched is not None:
            self._unwatched.cancel()
            self._unwatched = None
        if not self.clients:
            self._unwatched = asyncio.get_running_loop().call_later(
                self.settings.unwatched_pause_seconds, self._pause_if_unwatched
            )

    def _pause_if_unwatched(self) -> None:
        self._unwatched = None
        if not self.clients:
            self.pause()
            self.surface.cancel()
            self.race.cancel()
            self.stability.cancel()

    def close(self) -> None:
        if self._unwatched is not None:
            self._unwatched.cancel()
        self.pause()
        self.surface.cancel()
        self.race.cancel()
        self.stability.cancel()
        for client in self.clients.values():
            client.closed = True
            client.wake.set()


def gradcheck_note(result: GradCheck) -> str | None:
    """What the check did about ReLU corners, in plain words (None when no corner was near)."""
    notes = []
    if result.shrunk:
        n = result.shrunk
        notes.append(f"For {n} parameter{'s' if n != 1 else ''} a ReLU's corner lay within the finite "
                     "difference's step, so they were checked again with a smaller step.")
    if result.kinks:
        n = result.kinks
        notes.append(f"{n} parameter{'s were' if n != 1 else ' was'} left out: an input sits on the ReLU's corner "
                     "there, where the derivative is one-sided, so no finite difference can check it.")
    return " ".join(notes) or None


def output_range(trainer: Trainer) -> list[float]:
    out = trainer.model.activation_names[-1]
    if out == "tanh":
        return [-1.0, 1.0]
    if out in ("sigmoid", "softmax"):
        return [0.0, 1.0]
    t = trainer.T_train
    low, high = float(t.min()), float(t.max())
    return [low, high] if math.isfinite(low) and high > low else [-1.0, 1.0]

