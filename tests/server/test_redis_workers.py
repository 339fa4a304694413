"""Several server processes through one Redis (docs/scaling.md), all real: Debian's redis-server on a free
loopback port, and two or three `backprop-lab` workers, each a process of its own, against it.

The single-process suite's exact-numbers, shared-frames and visibility tests run here again (imported below),
with the presenter's page on the worker that does NOT train the session (every control is forwarded through
Redis) and the viewers taking turns between that worker and the owner (their frames come through Redis or not)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import numpy as np
import pytest
import redis
from liveserver import Page, free_port
from redisworkers import CONFIG, FAST, RedisServer, TwoWorkers, Worker, owner_of, wait_for
from test_protocol_flow import (  # noqa: F401  (collected again here, through Redis)
    engine_twin,
    test_a_step_frame_holds_exactly_the_engines_numbers,
    test_a_two_weight_surface_carries_the_path_and_every_frame_the_exact_current_point,
    test_configure_rebuilds_the_network_and_sends_the_new_data,
    test_each_stepped_update_adds_a_loss_point_and_a_reset_sends_the_history_again,
    test_frames_count_the_viewers,
    test_gradcheck_agrees_with_backprop,
    test_phase_stepping_walks_forward_then_backward_layer_by_layer_then_update,
    test_play_sends_new_loss_points_and_a_decision_grid,
    test_setting_the_learning_rate_changes_the_very_next_update_by_the_expected_amount,
)
from test_race_flow import CONTESTANTS, race_message, start
from test_shared_frames import (  # noqa: F401
    test_a_viewer_that_joins_late_gets_every_loss_point_exactly_once,
    test_after_a_reset_the_history_comes_again_from_its_start,
    test_every_viewer_receives_the_very_same_bytes_of_a_frame,
)
from test_visibility import (  # noqa: F401
    test_a_hidden_page_gets_no_pictures_and_the_newest_with_every_loss_point_once_shown,
    test_a_malformed_visibility_gets_an_error_naming_the_field_and_changes_nothing,
)
from websockets.exceptions import ConnectionClosed

from server.cluster import REDIS_LOST
from server.redisstore import stored_step


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def live(redis_url: str) -> Iterator[TwoWorkers]:
    a, b = Worker(redis_url), Worker(redis_url)
    yield TwoWorkers(redis_url, a, b)
    a.stop()
    b.stop()


@pytest.fixture
def presenter(live: TwoWorkers) -> Iterator[Page]:
    session, token = live.create(**CONFIG)
    page = live.connect(session, token, client="presenter")
    page.session, page.token = session, token  # type: ignore[attr-defined]
    yield page
    page.close()


def test_new_sessions_go_to_the_least_loaded_worker(live: TwoWorkers):
    owners = [live.owner_and_other(live.create(**CONFIG)[0])[0].worker for _ in range(6)]
    counts = sorted(owners.count(w) for w in live.workers)
    assert counts[0] >= 2, f"both workers train new sessions: {counts}"


def test_viewers_on_both_workers_see_what_the_presenter_does_through_the_other(live: TwoWorkers):
    session, token = live.create(**CONFIG)
    owner, other = live.owner_and_other(session)
    presenter = other.connect(session, token)
    assert presenter.welcome["role"] == "controller"
    assert presenter.welcome["server"] == owner.worker  # welcomed by the worker that trains it
    near, far = owner.connect(session), other.connect(session)
    assert near.welcome["role"] == far.welcome["role"] == "viewer"
    twin = engine_twin()
    for step in range(1, 4):
        reply = presenter.control({"type": "step"})
        assert reply["type"] == "ack"
        twin.step()
        _, mine = presenter.frame_after(reply, step=step)
        for page in (near, far):
            _, theirs = page.expect("frame", step=step)
            for name in ("weights.0", "weights.1", "grad_weights.0", "delta.1"):
                np.testing.assert_array_equal(theirs[name], mine[name])
        np.testing.assert_array_equal(mine["weights.0"], twin.model.weights[0])
    # A viewer's control, forwarded like the presenter's, is refused by the owner with its reason.
    refused = far.control({"type": "step"})
    assert refused["type"] == "error" and "viewers cannot control" in refused["message"]
    for page in (presenter, near, far):
        page.close()


def test_a_race_reaches_pages_on_both_workers(live: TwoWorkers):
    """The race message (curves and paths) is published once and served by every worker: a page on the other
    worker (whose sender asks its mirror's race for it) gets the same numbers as one on the owner."""
    session, token = live.create(**CONFIG)
    owner, other = live.owner_and_other(session)
    presenter = other.connect(session, token)
    near, far = owner.connect(session), other.connect(session)
    start(presenter, contestants=CONTESTANTS[:2])
    for _ in range(3):
        presenter.frame_after(presenter.control({"type": "step"}))
    (near_header, near_arrays), (far_header, far_arrays) = race_message(near, step=3), race_message(far, step=3)
    assert far_header["names"] == near_header["names"]
    for name in ("loss_steps.0", "loss_train.0", "loss_train.1"):
        np.testing.assert_array_equal(far_arrays[name], near_arrays[name])
    header, _ = far.expect("frame", step=3)
    assert [c["step"] for c in header["race"]["contestants"]] == [3, 3]
    for page in (presenter, near, far):
        page.close()


def test_the_secret_never_travels_through_redis(live: TwoWorkers):
    """Every message published while a presenter on one worker controls a session trained on the other."""
    session, token = live.create(**CONFIG)
    owner, other = live.owner_and_other(session)
    listener = redis.Redis.from_url(live.url).pubsub()
    listener.psubscribe("backprop-lab:*")
    presenter = other.connect(session, token)
    presenter.frame_after(presenter.control({"type": "step"}), step=1)
    presenter.close()
    published = []
    while (message := listener.get_message(timeout=0.5)) is not None:
        published.append(message["data"] if isinstance(message["data"], bytes) else b"")
    listener.close()
    assert any(b'"op":"control"' in m for m in published), "the controls went through Redis"
    assert not any(token.encode() in m for m in published)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[RedisServer, Worker, Worker]]:
    """A Redis with its persistence on, and two workers of their own (the tests below kill or cut them off)."""
    server = RedisServer(tmp_path, persist=True)
    a, b = Worker(server.url), Worker(server.url)
    yield server, a, b
    for process in (a, b):
        if process.proc.poll() is None:
            process.stop()
    server.stop()


def test_a_killed_owner_s_session_goes_on_at_its_last_stored_step_on_another_worker(fresh):
    server, a, b = fresh
    two = TwoWorkers(server.url, a, b)
    session, token = two.create(**CONFIG)
    owner, other = two.owner_and_other(session)
    presenter = other.connect(session, token)
    viewer = owner.connect(session)
    for step in range(1, 6):
        presenter.frame_after(presenter.control({"type": "step"}), step=step)
    wait_for("step 5 to be stored", lambda: stored_step(server.url, session) == 5)
    owner.kill()
    killed_at = time.monotonic()
    # The pages reconnect: the presenter's worker closes its socket (code 1012) once the lease has lapsed.
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            presenter.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    assert time.monotonic() - killed_at >= FAST["lease_seconds"] - FAST["renew_every_seconds"], "after the lease"
    presenter = other.connect(session, token)
    assert presenter.welcome["role"] == "controller" and presenter.welcome["server"] == other.worker
    _, arrays = presenter.expect("frame", step=5)  # at the last stored step
    viewer = other.connect(session)  # the viewer's worker is gone: it comes back through another
    reply = presenter.control({"type": "step"})
    header, after = presenter.frame_after(reply, step=6)
    twin = engine_twin()
    for _ in range(6):
        twin.step()
    np.testing.assert_array_equal(after["weights.0"], twin.model.weights[0])  # the same run, exactly
    _, seen = viewer.expect("frame", step=6)
    np.testing.assert_array_equal(seen["weights.1"], twin.model.weights[1])
    assert owner_of(server.url, session) == other.worker
    viewer.close()
    # A worker with only viewers dies: the owner stops counting its pages once it no longer says they are there.
    third = Worker(server.url)
    third.connect(session)
    presenter.expect("frame", viewers=1)
    third.kill()
    presenter.expect("frame", timeout=30, viewers=0)
    presenter.close()


def test_a_worker_that_loses_redis_says_so_and_goes_on_and_a_restart_loses_nothing_stored(fresh):
    server, a, b = fresh
    two = TwoWorkers(server.url, a, b)
    untouched, _ = two.create(**CONFIG)  # kept at step 0 and never written again: only persistence keeps it
    wait_for("the untouched session to be stored", lambda: stored_step(server.url, untouched) == 0)
    session, token = two.create(**CONFIG)
    owner, _ = two.owner_and_other(session)
    presenter = owner.connect(session, token)
    for step in range(1, 4):
        presenter.frame_after(presenter.control({"type": "step"}), step=step)
    wait_for("step 3 to be stored", lambda: stored_step(server.url, session) == 3)
    server.stop()
    assert presenter.expect("status", timeout=30)["message"] == REDIS_LOST
    reply = presenter.control({"type": "step"})  # it keeps serving the session it holds
    assert reply["type"] == "ack"
    header, _ = presenter.frame_after(reply, step=4)
    assert header["status"] == REDIS_LOST
    server.start()  # the same folder: its append-only file
    assert stored_step(server.url, untouched) == 0, "what was stored survived the restart"
    assert stored_step(server.url, session) >= 3  # (the owner may already have written step 4 again)
    assert presenter.expect("status", timeout=30)["message"] is None, "and the page hears Redis is back"
    wait_for("step 4 to be stored", lambda: stored_step(server.url, session) == 4)
    presenter.close()


def test_workers_share_one_port_and_each_answers_on_its_own(tmp_path: Path):
    server = RedisServer(tmp_path)
    port = free_port()
    while any(not _free(port + k) for k in range(3)):
        port = free_port()
    parent = subprocess.Popen([sys.executable, "-m", "server", "--workers", "2", "--redis", server.url,
                               "--port", str(port)])
    try:
        ids = [wait_for(f"worker on port {port + 1 + i}", lambda i=i: _health(port + 1 + i), timeout=120)
               for i in range(2)]
        assert ids[0] != ids[1]
        seen = {wait_for("the shared port", lambda: _health(port)) for _ in range(40)}
        assert seen <= set(ids)
    finally:
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(60) == 0
        server.stop()
    for k in range(3):
        assert _free(port + k), "every worker stopped with the parent"


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _health(port: int) -> str | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()["worker"]
    except httpx.TransportError:
        return None
