"""The recurrent model through a real server: configure it, step through its phases, the numbers on the wire,
live η, the sample panel, the surface over two recurrent weights, and plain errors."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2 as httpx
import numpy as np
import pytest
from liveserver import stored_step

from engine.chartext import MAX_PASTED_CHARS
from engine.rnn_presets import rnn_trainer
from engine.rnn_trainer import MAX_WINDOW


@pytest.fixture
def rnn_page(live):
    session, token = live.create(model="rnn", optimizer="sgd", hyper={"lr": 0.5}, rnn={"text": "hello"})
    page = live.connect(session, token, client="presenter")
    yield page
    page.close()


def test_hello_frames_carry_the_engines_numbers_phase_by_phase(rnn_page):
    data = rnn_page.expect("data")
    assert data["model"] == "rnn" and data["chars"] == ["h", "e", "l", "o"]
    twin = rnn_trainer("hello", optimizer="sgd", lr=0.5)
    kinds = []
    for _ in range(6):
        header, arrays = rnn_page.frame_after(rnn_page.control({"type": "phase"}))
        phase = twin.next_phase()
        kinds.append((header["phase"]["kind"], header["phase"]["t"]))
        np.testing.assert_array_equal(arrays["rnn_h"], phase.trace.h)
        np.testing.assert_array_equal(arrays["rnn_p"], phase.trace.p)
        np.testing.assert_array_equal(arrays["rnn_dh"], phase.dh)  # NaN where backward has not reached yet
        np.testing.assert_array_equal(arrays["rnn_W_hh"], twin.model.W_hh)
    assert kinds == [("forward", None), ("backward", 3), ("backward", 2), ("backward", 1), ("backward", 0),
                     ("update", None)]
    assert header["rnn"]["inputs"] == [0, 1, 2, 2] and header["rnn"]["targets"] == [1, 2, 2, 3]
    assert header["batch_loss"] == pytest.approx(1.0569527507161585, rel=1e-15)  # the hand-worked E
    assert header["step"] == 1


def test_live_learning_rate_and_the_sample_panel(rnn_page):
    rnn_page.frame_after(rnn_page.control({"type": "step"}), step=1)
    assert rnn_page.control({"type": "set", "lr": 0.1})["type"] == "ack"
    header, arrays = rnn_page.frame_after(rnn_page.control({"type": "step"}), step=2)
    assert header["hyper"]["lr"] == 0.1
    twin = rnn_trainer("hello", optimizer="sgd", lr=0.5)
    twin.step()
    twin.optimizer.lr = 0.1
    twin.step()
    np.testing.assert_array_equal(arrays["rnn_W_xh"], twin.model.W_xh)
    assert header["rnn"]["sample"] == twin.sample(200, 1.0, seed=0)
    assert rnn_page.control({"type": "sample", "temperature": 0.0, "length": 30})["type"] == "ack"
    header, _ = _frame_with(rnn_page, temperature=0.0)
    assert header["rnn"]["sample"] == twin.sample(30, 0.0, seed=0)


def test_play_until_runs_the_recurrent_model_and_stops_where_asked(rnn_page):
    # A lesson catching up (at once) and a played stop (checked after each slice) on the char-RNN: both paths
    # once called the feed-forward trainer's record_losses, which the RNN does not need (it logs every update).
    assert rnn_page.control({"type": "play_until", "update": 5, "at_once": True})["type"] == "ack"
    header, arrays = rnn_page.expect("frame", step=5)
    twin = rnn_trainer("hello", optimizer="sgd", lr=0.5)
    twin.run(5)  # the same path the server takes for a run at once (run and step differ in the loss's last bit)
    np.testing.assert_array_equal(arrays["rnn_W_hh"], twin.model.W_hh)
    assert header["playing"] is False
    assert rnn_page.control({"type": "play_until", "update": 40})["type"] == "ack"
    header, _ = rnn_page.expect("frame", timeout=30, playing=False, step=40)
    assert header["diverged"] is None


def _frame_with(page, **rnn):
    for _ in range(50):
        header, arrays = page.expect("frame")
        if all(header["rnn"].get(k) == v for k, v in rnn.items()):
            return header, arrays
    raise AssertionError(f"no frame with {rnn}")


def test_surface_over_two_recurrent_weights(rnn_page):
    reply = rnn_page.control({"type": "surface", "kind": "weights", "resolution": 12, "params": [
        {"kind": "weight", "layer": 1, "i": 2, "j": 2}, {"kind": "weight", "layer": 1, "i": 2, "j": 1}]})
    assert reply["type"] == "ack"
    header, arrays = rnn_page.expect("surface")
    assert header["axes"] == ["W_hh[3, 3]: h₃ (t−1) → h₃", "W_hh[3, 2]: h₂ (t−1) → h₃"]
    assert arrays["loss"].shape == (12, 12)
    twin = rnn_trainer("hello")
    assert header["current_loss"] == pytest.approx(twin.model.loss([0, 1, 2, 2], [1, 2, 2, 3]), rel=1e-15)
    bad = rnn_page.control({"type": "surface", "kind": "weights", "params": [
        {"kind": "weight", "layer": 5, "i": 0, "j": 0}, {"kind": "weight", "layer": 1, "i": 0, "j": 0}]})
    assert bad["type"] == "error" and bad["field"] == "params"


def test_configuring_texts_and_plain_errors(rnn_page):
    pasted = {"text": "pasted", "pasted": "ab" * (MAX_PASTED_CHARS // 2 + 1)}
    too_long = rnn_page.control({"type": "configure", "model": "rnn", "rnn": pasted})
    assert too_long["type"] == "error" and too_long["field"] == "rnn.pasted"
    one_char = rnn_page.control({"type": "configure", "model": "rnn", "rnn": {"text": "pasted", "pasted": "aaaa"}})
    assert one_char["type"] == "error" and "2 different characters" in one_char["message"]
    window = rnn_page.control({"type": "configure", "model": "rnn", "rnn": {"window": MAX_WINDOW + 1}})
    assert window["type"] == "error" and window["field"] == "rnn.window"
    back = rnn_page.control({"type": "back"})
    assert back["type"] == "error" and "not available for the recurrent network" in back["message"]
    ok = rnn_page.control({"type": "configure", "model": "rnn",
                           "rnn": {"text": "pasted", "pasted": "to be or not to be", "hidden": 5, "window": 6}})
    assert ok["type"] == "ack"
    data = rnn_page.expect("data", dataset="pasted")
    assert data["chars"] == list(dict.fromkeys("to be or not to be")) and data["hidden"] == 5
    assert rnn_page.control({"type": "play"})["type"] == "ack"
    header, _ = rnn_page.expect("frame", timeout=10.0, playing=True)
    assert rnn_page.control({"type": "pause"})["type"] == "ack"
    shipped = rnn_page.control({"type": "configure", "model": "rnn", "rnn": {"text": "gettysburg"}})
    assert shipped["type"] == "ack"
    header, arrays = rnn_page.expect("frame", timeout=10.0)
    while header.get("model") != "rnn" or arrays["rnn_p"].shape[1] != 36:
        header, arrays = rnn_page.expect("frame", timeout=10.0)
    assert arrays["rnn_h"].shape == (26, 32)
    back_to_mlp = rnn_page.control({"type": "configure", "model": "mlp"})
    assert back_to_mlp["type"] == "ack"



def test_a_recurrent_session_is_not_kept_and_harms_no_saving_beside_it(live):
    """Storage keeps the feed-forward trainer's state; a char-RNN session is not kept yet. Its phases still go,
    a fork says so plainly, and a feed-forward session that changes beside it is still written to the db."""
    rnn, rnn_token = live.create(model="rnn", rnn={"text": "hello"})
    rnn_page = live.connect(rnn, rnn_token, client="rnn")
    mlp, mlp_token = live.create()
    other = live.connect(mlp, mlp_token, client="mlp")
    for _ in range(3):
        rnn_page.frame_after(rnn_page.control({"type": "phase"}))
    refused = httpx.post(f"{live.http}/api/sessions/{rnn}/fork")
    assert refused.status_code == 422 and refused.json()["field"] == "model", refused.text
    other.frame_after(other.control({"type": "step"}), step=1)
    db = Path(live.app.state.settings.db)
    deadline = time.monotonic() + 20  # the periodic save runs every second
    while stored_step(db, mlp) != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stored_step(db, mlp) == 1, "the feed-forward session was not written beside a recurrent one"
    assert stored_step(db, rnn) == -1
    rnn_page.close()
    other.close()
