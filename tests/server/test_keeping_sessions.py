"""Sessions kept in SQLite: a restart keeps the class (same id, same step, the exact weights, paused), the
presenter's secret works from any device and only it can take over the presenter's connection, kept sessions
expire or make room with a plain message, and a fork starts exactly where its original is."""

from __future__ import annotations

import time

import httpx2 as httpx
import numpy as np
import pytest
from liveserver import LiveServer, stored_step
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from server.build import build_trainer
from server.protocol import Config
from server.settings import Settings
from server.storage import SQLiteStore, hash_token

CONFIG = {"sizes": [5, 4], "n_points": 200, "batch_size": 8, "seed": 11, "optimizer": "adam",
          "hyper": {"lr": 0.01}}


def engine_weights_after(steps: int, **config) -> np.ndarray:
    """The same run made straight by the engine: training is deterministic, so this is the exact answer."""
    twin = build_trainer(Config(**{**CONFIG, **config}), Settings())
    twin.run(steps)
    return twin.model.flat()


def weights_of(arrays: dict) -> np.ndarray:
    layers = len([k for k in arrays if k.startswith("weights.")])
    return np.concatenate([np.concatenate([arrays[f"weights.{l}"].ravel(), arrays[f"biases.{l}"]])
                           for l in range(layers)])


def wait_until(condition, timeout: float = 10.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_session_in_the_middle_of_training_survives_a_restart_exactly(tmp_path):
    db = tmp_path / "sessions.db"
    with LiveServer(Settings(db=str(db), save_every_seconds=0.2)) as live:
        session, token = live.create(**CONFIG)
        teacher = live.connect(session, token, client="teacher")
        student = live.connect(session, client="student")
        teacher.control({"type": "surface", "kind": "random", "seed": 4, "resolution": 12})
        teacher.control({"type": "speed", "updates_per_second": None})
        teacher.control({"type": "play"})
        student.expect("frame", timeout=10, playing=True)
        wait_until(lambda: httpx.get(f"{live.http}/api/sessions/{session}").json()["step"] >= 150, what="training")
        # Already on disk while it trains (written every 0.2 s), not only at shutdown.
        wait_until(lambda: stored_step(db, session) > 0, what="the first save")
        teacher.close()
        student.close()
    # Stopped while playing: the last state was written at shutdown. The secret itself is nowhere in the file.
    assert token.encode() not in db.read_bytes()
    step = stored_step(db, session)
    assert step >= 150
    kept = SQLiteStore(db)
    assert kept.load(session).token_hash == hash_token(token)
    kept.close()

    with LiveServer(Settings(db=str(db))) as live:
        assert httpx.get(f"{live.http}/api/sessions/{session}").json() | {"config": None} == {
            "session": session, "config": None, "playing": False, "viewers": 0, "step": step}
        student = live.connect(session, client="student")
        assert student.welcome["role"] == "viewer" and student.welcome["playing"] is False
        header, arrays = student.expect("frame")
        assert header["step"] == step and header["playing"] is False
        np.testing.assert_array_equal(weights_of(arrays), engine_weights_after(step))
        # The surface choice came back, computed again from the restored weights (before or after that frame).
        surfaces = [h for h in student.seen if h["type"] == "surface"] or [student.expect("surface", timeout=20)[0]]
        assert surfaces[0]["kind"] == "random" and surfaces[0]["step"] == step
        teacher = live.connect(session, token, client="teacher")
        assert teacher.welcome["role"] == "controller", "the teacher's page gets control back"
        reply = teacher.control({"type": "step"})
        assert reply["type"] == "ack"
        header, arrays = student.expect("frame", step=step + 1)
        np.testing.assert_array_equal(weights_of(arrays), engine_weights_after(step + 1))
        teacher.close()
        student.close()


def test_the_presenter_key_controls_from_a_second_device_and_a_copied_client_id_cuts_nobody_off(tmp_path):
    with LiveServer(Settings(db=str(tmp_path / "s.db"))) as live:
        session, token = live.create(**CONFIG)
        teacher = live.connect(session, token, client="c-teacher")
        impostor = live.connect(session, client="c-teacher")  # a viewer that reuses the teacher's client id
        assert impostor.welcome["role"] == "viewer" and impostor.welcome["client"] != "c-teacher"
        assert teacher.control({"type": "step"})["type"] == "ack", "the teacher is still connected and in control"
        assert impostor.control({"type": "step"})["type"] == "error"
        projector = live.connect(session, token, client="c-projector")  # the presenter link on another machine
        assert projector.welcome["role"] == "controller"
        assert projector.control({"type": "step"})["type"] == "ack"
        teacher.expect("frame", step=2)
        # The teacher's own page reconnecting (same id, with the secret) does replace its old socket.
        again = live.connect(session, token, client="c-teacher")
        assert again.welcome["role"] == "controller"
        assert httpx.get(f"{live.http}/api/sessions/{session}").json()["viewers"] == 1
        for page in (teacher, impostor, projector, again):
            page.close()


def missing(live: LiveServer, session: str) -> dict | None:
    """The 404 answer for a session, once it is removed (None while it is still kept)."""
    r = httpx.get(f"{live.http}/api/sessions/{session}")
    return r.json() if r.status_code == 404 else None


def test_beyond_the_cap_the_longest_unused_session_goes_with_a_plain_message(tmp_path):
    settings = Settings(db=str(tmp_path / "s.db"), grace_seconds=0, reap_every_seconds=0.05, max_stored_sessions=2)
    with LiveServer(settings) as live:
        first, _ = live.create(**CONFIG)
        time.sleep(0.01)  # distinct last-use times, oldest first
        second, _ = live.create(**CONFIG)
        third, _ = live.create(**CONFIG)
        gone = wait_until(lambda: missing(live, first), what="the cap to evict")
        assert gone["message"] == ("session: this session was removed because the server keeps at most 2 "
                                   "sessions and this one was the longest unused; start a new one")
        assert missing(live, second) is None and missing(live, third) is None
        with connect(f"ws://127.0.0.1:{live.port}/ws/{first}") as ws:
            assert "the longest unused" in ws.recv(timeout=5)
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)
            assert closed.value.rcvd.code == 4404 and "longest unused" in closed.value.rcvd.reason
        assert missing(live, "never-was")["message"].startswith("session: no such session")


def test_a_session_unused_for_longer_than_it_is_kept_expires_with_a_plain_message(tmp_path):
    settings = Settings(db=str(tmp_path / "s.db"), grace_seconds=0, reap_every_seconds=0.05,
                        keep_days=1 / 86400)  # one second
    with LiveServer(settings) as live:
        session, _ = live.create(**CONFIG)
        gone = wait_until(lambda: missing(live, session), what="expiry")
        assert gone["message"].startswith("session: this session was removed because it was not used for ")
        assert gone["message"].endswith(" days; start a new one")


def test_an_unwatched_session_is_unloaded_but_not_lost(tmp_path):
    settings = Settings(db=str(tmp_path / "s.db"), grace_seconds=0, reap_every_seconds=0.05)
    with LiveServer(settings) as live:
        session, token = live.create(**CONFIG)
        teacher = live.connect(session, token)
        teacher.frame_after(teacher.control({"type": "step"}), step=1)
        teacher.close()
        registry = live.app.state.registry
        wait_until(lambda: session not in registry.sessions, what="the unload")
        back = live.connect(session, token)
        assert back.welcome["role"] == "controller"
        header, arrays = back.expect("frame")
        assert header["step"] == 1
        np.testing.assert_array_equal(weights_of(arrays), engine_weights_after(1))
        back.close()


@pytest.mark.parametrize("stored", [False, True])
def test_a_fork_makes_the_same_next_update_as_its_original(tmp_path, stored):
    with LiveServer(Settings(db=str(tmp_path / "s.db") if stored else None)) as live:
        session, token = live.create(**CONFIG)
        teacher = live.connect(session, token)
        for _ in range(7):
            teacher.control({"type": "step"})
        teacher.control({"type": "phase"})  # an update under way: the fork starts at its beginning
        student = live.connect(session)
        r = httpx.post(f"{live.http}/api/sessions/{session}/fork")
        assert r.status_code == 201, r.text
        fork = r.json()
        assert fork["session"] != session and fork["forked_from"] == session and fork["step"] == 7
        mine = live.connect(fork["session"], fork["token"])
        assert mine.welcome["role"] == "controller"
        assert student.control({"type": "step"})["type"] == "error", "still a viewer of the original"
        header, arrays = mine.frame_after(mine.control({"type": "step"}), step=8)
        teacher.control({"type": "step"})  # finishes the update under way
        _, original = teacher.expect("frame", step=8)
        np.testing.assert_array_equal(weights_of(arrays), weights_of(original))
        np.testing.assert_array_equal(weights_of(arrays), engine_weights_after(8))
        assert httpx.get(f"{live.http}/api/sessions/{session}").json()["step"] == 8
        missing = httpx.post(f"{live.http}/api/sessions/nope/fork")
        assert missing.status_code == 404 and missing.json()["field"] == "session"
        # Another site's page may not fork sessions (and so fill the server), as it may not create them.
        foreign = httpx.post(f"{live.http}/api/sessions/{session}/fork", headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403 and foreign.json()["field"] == "origin"
        for page in (teacher, student, mine):
            page.close()


def test_a_full_server_brings_a_kept_session_back_once_an_unwatched_one_can_make_room(tmp_path):
    db = str(tmp_path / "s.db")
    with LiveServer(Settings(db=db)) as live:
        kept, kept_token = live.create(**CONFIG)
    with LiveServer(Settings(db=db, max_sessions=1)) as live:
        watched, token = live.create(**CONFIG)
        teacher = live.connect(watched, token)
        r = httpx.get(f"{live.http}/api/sessions/{kept}")
        assert r.status_code == 503 and r.json()["field"] == "session"
        with connect(f"ws://127.0.0.1:{live.port}/ws/{kept}") as ws:
            assert "already runs 1 sessions" in ws.recv(timeout=5)
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)
            assert closed.value.rcvd.code == 1013, "try again later: the page reconnects by itself"
        teacher.close()
        wait_until(lambda: httpx.get(f"{live.http}/api/sessions/{watched}").json()["viewers"] == 0 and
                   not live.app.state.registry.sessions[watched].clients, what="the teacher to leave")
        back = live.connect(kept, kept_token)  # the unwatched session is written and unloaded to make room
        assert back.welcome["role"] == "controller"
        assert set(live.app.state.registry.sessions) == {kept}
        back.close()
        assert stored_step(tmp_path / "s.db", watched) == 0, "the unloaded session is kept, not lost"


def test_a_storage_file_that_cannot_be_opened_says_so_and_how_to_choose_another(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(RuntimeError, match="cannot keep sessions in .*choose another file with --db"):
        SQLiteStore(blocker / "sessions.db")


def test_a_worked_example_comes_back_with_its_own_slice_of_the_surface(tmp_path):
    """Its slice has a (low, high) range per axis: kept as JSON arrays, read back as the pages' messages are."""
    db = str(tmp_path / "s.db")
    with LiveServer(Settings(db=db)) as live:
        session, token = live.create(preset="linear_neuron_2")
        teacher = live.connect(session, token, client="teacher")
        assert teacher.control({"type": "step"})["type"] == "ack"
        teacher.close()
    with LiveServer(Settings(db=db)) as live:
        student = live.connect(session, client="student")
        assert student.welcome["role"] == "viewer"
        header, arrays = student.expect("surface", timeout=20)
        assert header["kind"] == "weights" and header["step"] == 1
        assert (arrays["alpha"][0], arrays["alpha"][-1]) == (-0.5, 2.5)
        student.close()
