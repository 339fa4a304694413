"""One packed frame per tick for every page of a session, and loss points that stay exact when a page misses
frames (server/framecache.py, docs/protocol.md)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from liveserver import LiveServer, Page

from server import Settings
from server.clients import Client
from server.load import Load
from server.protocol import Config
from server.scheduler import Scheduler
from server.session import Session
from server.wire import unpack, unpack_header


def raw_frames_until(page: Page, done: Any, timeout: float = 20.0) -> list[bytes]:
    """Every binary message the page gets until ``done(header)`` holds for a frame; returns them raw."""
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    while True:
        raw = page.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(raw, bytes):
            got.append(raw)
            header = unpack_header(raw)
            if header["type"] == "frame" and done(header):
                return got


def loss_points(messages: list[bytes]) -> tuple[list[float], list[float]]:
    """The loss points a page gathers, in arrival order, from `loss` messages and frames alike."""
    steps: list[float] = []
    train: list[float] = []
    for raw in messages:
        header, arrays = unpack(raw)
        if header["type"] in ("loss", "frame"):
            steps += arrays["loss_steps"].tolist()
            train += arrays["loss_train"].tolist()
    return steps, train


def test_every_viewer_receives_the_very_same_bytes_of_a_frame(live: LiveServer):
    session, token = live.create(sizes=[3, 2], n_points=40, batch_size=4, seed=3)
    presenter = live.connect(session, token)
    viewers = [live.connect(session) for _ in range(4)]
    presenter.control({"type": "play"})
    raw_frames_until(presenter, lambda h: h["step"] >= 20)
    reply = presenter.control({"type": "pause"})
    assert reply["type"] == "ack"
    last = [raw_frames_until(v, lambda h: not h["playing"] and h["step"] >= 20)[-1] for v in viewers]
    assert all(raw == last[0] for raw in last), "one frame packed for every viewer, byte for byte"
    for page in (presenter, *viewers):
        page.close()


def test_a_viewer_that_joins_late_gets_every_loss_point_exactly_once(live: LiveServer):
    session, token = live.create(sizes=[3, 2], n_points=40, batch_size=4, seed=3)
    presenter = live.connect(session, token)
    presenter.control({"type": "speed", "updates_per_second": 60})  # slow: a loss point for every update
    presenter.control({"type": "play"})
    seen = raw_frames_until(presenter, lambda h: h["step"] >= 15)
    viewer = live.connect(session)
    later = raw_frames_until(viewer, lambda h: h["step"] >= 30)
    presenter.control({"type": "pause"})
    seen += raw_frames_until(presenter, lambda h: not h["playing"])
    later += raw_frames_until(viewer, lambda h: not h["playing"])
    kinds = [unpack_header(raw)["type"] for raw in later]
    assert "loss" in kinds, "the points recorded before it joined came as a catch-up message"
    assert kinds.index("loss") < kinds.index("frame"), "and before its first frame"
    steps, train = loss_points(later)
    final = unpack_header(later[-1])
    # The log starts with the starting weights' point (step 0), then one per update.
    assert steps == list(range(final["step"] + 1)), "every update's point, once, in order"
    assert final["loss_to"] == len(steps), "numbered as the session's loss log numbers them"
    # The same numbers the presenter got (those it read here; control replies were read in between), bit for bit.
    p_steps, p_train = loss_points(seen)
    assert len(p_steps) >= 10 and dict(zip(p_steps, p_train, strict=True)).items() <= dict(zip(steps, train,
                                                                                                strict=True)).items()
    presenter.close()
    viewer.close()


def test_a_page_that_misses_frames_catches_up_on_the_exact_points_they_carried():
    # In process, to choose exactly which packed frames each page takes; the session and its engine are real.
    settings = Settings()
    session = Session("s", settings, Config(sizes=[3], n_points=40, batch_size=4, seed=1), Load(settings),
                      Scheduler())
    session.trainer.record_every = 1
    eager = Client(None, "eager", "viewer")  # type: ignore[arg-type]  # takes every frame
    slow = Client(None, "slow", "viewer")  # type: ignore[arg-type]  # takes one in five
    got: dict[str, list[bytes]] = {"eager": [], "slow": []}
    for k in range(1, 41):
        session.trainer.run(1)
        session.changed()
        session.frames.must_show = session.version  # as after a control: a fresh frame, not the tick's
        got["eager"] += session.frames.messages_for(eager)
        if k % 5 == 0:
            got["slow"] += session.frames.messages_for(slow)
    assert session.frames.packs == 40
    kinds = [unpack_header(m)["type"] for m in got["slow"]]
    assert kinds == ["loss", "frame"] * 8, "a catch-up before each frame it takes"
    steps, train = loss_points(got["slow"])
    assert steps == list(range(41))  # the starting point, then every update's
    np.testing.assert_array_equal(train, session.trainer.history.rows[:, 0])  # the log's own numbers, exactly
    assert loss_points(got["eager"]) == (steps, train)
    # Pages that missed the same frames share the catch-up's bytes too.
    twin = Client(None, "twin", "viewer")  # type: ignore[arg-type]
    twin.frame_sent, twin.loss_generation, twin.loss_seq = slow.frame_sent, slow.loss_generation, slow.loss_seq
    for _ in range(3):
        session.trainer.run(1)
        session.changed()
        session.frames.must_show = session.version
        session.frames.messages_for(eager)
    assert session.frames.messages_for(slow) == session.frames.messages_for(twin)


def test_after_a_reset_the_history_comes_again_from_its_start(presenter: Page):
    for _ in range(3):
        presenter.control({"type": "step"})
    presenter.expect("frame", step=3)
    presenter.control({"type": "reset"})
    header, arrays = presenter.expect("frame", step=0)
    assert header["loss_from"] == 0 and arrays["loss_steps"].tolist() == [0.0]  # the starting point again
    presenter.control({"type": "step"})
    header, arrays = presenter.expect("frame", step=1)
    assert arrays["loss_steps"].tolist() == [1.0] and header["loss_generation"] > 0 and header["loss_from"] == 1
