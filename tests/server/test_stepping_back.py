"""Stepping back and forward through a real server: exact weights, the loss history cut back, viewers following,
errors that name the field and say how far the history reaches."""

from __future__ import annotations

import numpy as np

from server.build import build_trainer
from server.protocol import Config
from server.settings import Settings

CONFIG = {"sizes": [3, 2], "n_points": 40, "batch_size": 4, "seed": 3}


def twin_after(n: int):
    trainer = build_trainer(Config(**CONFIG), Settings())
    for _ in range(n):
        trainer.step()
    return trainer


def frame_at(page, step):
    return page.expect("frame", step=step)


def test_back_then_forward_gives_the_engines_weights_bit_for_bit_and_cuts_the_loss_history(live, presenter):
    viewer = live.connect(presenter.session, client="viewer")
    for _ in range(6):
        presenter.control({"type": "step"})
    header, _ = frame_at(presenter, 6)
    assert header["history"] == {"first": 0, "last": 6}

    before_back = len(presenter.seen)
    assert presenter.control({"type": "back", "steps": 4})["type"] == "ack"
    header, arrays = frame_at(presenter, 2)
    twin = twin_after(2)
    for l in range(3):
        np.testing.assert_array_equal(arrays[f"weights.{l}"], twin.model.weights[l])
    assert header["history"] == {"first": 0, "last": 6}
    # The points after 2 are gone: the loss history restarts, on this frame or on the `loss` message before it
    # (which carries the points of a frame this page skipped: the viewer took the first frame at 2, and a
    # stability hint measured after the step back made another).
    since = presenter.seen[before_back:]
    assert any(h["type"] in ("frame", "loss") and h.get("loss_restart") for h in since), since
    assert arrays["loss_steps"].size == 0 or arrays["loss_steps"].max() == 2
    # The viewer follows (its frames at update 2 on the way up had nothing kept ahead).
    _, viewer_arrays = viewer.expect("frame", step=2, history={"first": 0, "last": 6})
    np.testing.assert_array_equal(viewer_arrays["weights.0"], arrays["weights.0"])

    assert presenter.control({"type": "forward", "steps": 3})["type"] == "ack"
    assert presenter.control({"type": "step"})["type"] == "ack"  # → replays the kept update too
    header, arrays = frame_at(presenter, 6)
    twin = twin_after(6)
    for l in range(3):
        np.testing.assert_array_equal(arrays[f"weights.{l}"], twin.model.weights[l])
        np.testing.assert_array_equal(arrays[f"biases.{l}"], twin.model.biases[l])

    assert presenter.control({"type": "seek", "step": 1})["type"] == "ack"
    _, arrays = frame_at(presenter, 1)
    np.testing.assert_array_equal(arrays["weights.1"], twin_after(1).model.weights[1])
    viewer.close()


def test_seeking_outside_the_history_says_how_far_it_reaches(presenter):
    for _ in range(3):
        presenter.control({"type": "step"})
    error = presenter.control({"type": "seek", "step": 9})
    assert error["type"] == "error" and error["field"] == "step"
    assert "only updates up to 3" in error["message"]
    error = presenter.control({"type": "back", "steps": 5})
    assert error["type"] == "error" and error["field"] == "steps"
    assert "at most 3 updates" in error["message"] and "goes back to update 0" in error["message"]
    error = presenter.control({"type": "forward"})
    assert error["type"] == "error" and error["field"] == "steps" and "no kept update ahead" in error["message"]
    error = presenter.control({"type": "seek", "step": -1})
    assert error["type"] == "error" and error["field"] == "step"
    presenter.control({"type": "step"})
    frame_at(presenter, 4)  # the session goes on unharmed


def test_changing_a_setting_after_stepping_back_drops_the_updates_ahead_and_says_so(presenter):
    for _ in range(5):
        presenter.control({"type": "step"})
    presenter.control({"type": "back", "steps": 3})
    presenter.expect("frame", step=2, history={"first": 0, "last": 5})  # frames from the way up had last = 2
    presenter.control({"type": "set", "lr": 0.2})
    said = [m["message"] for m in presenter.seen if m["type"] == "status" and m["message"]]  # before the ack
    assert any("updates ahead were dropped" in m for m in said)
    header, _ = presenter.expect("frame", step=2)
    while header["history"]["last"] != 2:
        header, _ = presenter.expect("frame", step=2)
    presenter.control({"type": "step"})
    header, arrays = frame_at(presenter, 3)
    twin = twin_after(2)
    twin.optimizer.lr = 0.2
    twin.step()
    np.testing.assert_array_equal(arrays["weights.0"], twin.model.weights[0])
    assert header["hyper"]["lr"] == 0.2


ISSUE_CASE = {"dataset": "spiral3", "sizes": [10, 6], "activations": ["relu", "sigmoid", "softmax"],
              "loss": "softmax_ce", "seed": 5, "data_seed": 6, "optimizer": "adam", "hyper": {"lr": 0.01},
              "batch_size": None}


def test_the_gradient_check_of_the_issues_relu_network_agrees_and_explains_the_corners(live):
    session, token = live.create(**ISSUE_CASE)
    page = live.connect(session, token, client="presenter")
    for _ in range(3):
        page.control({"type": "step"})
    page.send({"type": "gradcheck", "id": "g"})
    result = page.expect("gradcheck")
    assert result["max_relative_error"] < 1e-6
    assert result["shrunk"] > 0 and result["kinks"] == 0
    assert "ReLU's corner" in result["note"] and "smaller step" in result["note"]
    page.close()


def test_the_trajectory_plane_chosen_at_update_0_waits_for_the_path_then_draws(presenter):
    reply = presenter.control({"type": "surface", "kind": "trajectory", "resolution": 12})
    assert reply["type"] == "ack", reply
    header, _ = presenter.expect("surface")
    assert header["waiting"] is True and "after the next update" in header["description"]
    presenter.control({"type": "step"})
    header, arrays = presenter.expect("surface", timeout=10)
    assert not header.get("waiting") and header["kind"] == "trajectory"
    assert arrays["loss"].shape == (12, 12) and arrays["path"].shape == (2, 2)
    presenter.control({"type": "back", "steps": 1})  # back at update 0: waiting again, in words
    header, _ = presenter.expect("surface", timeout=10)
    assert header["waiting"] is True
