"""The stability hint and the schedules through a real server: λmax from the engine in the work pool, the limits
and the η in force in every frame, the `schedule` and `curvature` controls validated, and a diverged run's message
naming the limit it crossed."""

from __future__ import annotations

import numpy as np
import pytest

from engine.curvature import trainer_curvature
from engine.schedules import make_schedule
from server.build import build_trainer
from server.protocol import Config
from server.settings import Settings

CONFIG = {"sizes": [3, 2], "n_points": 40, "batch_size": 4, "seed": 3}


def measured_after(step: int):
    return lambda h: (h["stability"]["curvature"] or {}).get("step") == step and not h["stability"]["measuring"]


def test_lambda_max_and_the_limits_in_the_frame_are_the_engines(presenter):
    assert presenter.control({"type": "curvature"})["type"] == "ack"
    header, _ = presenter.frame_where(measured_after(0))
    stability = header["stability"]
    twin = build_trainer(Config(**CONFIG), Settings())
    truth = trainer_curvature(twin, tol=1e-12, max_iter=10_000).lambda_max
    found = stability["curvature"]
    # The page's estimate stops at a residual of 1e-3·λmax (engine/curvature.py): a Rayleigh quotient, so never
    # above the true λmax, and an eigenvalue lies within the residual of it.
    assert found["lambda_max"] <= truth * (1 + 1e-12)
    assert truth - found["lambda_max"] <= found["residual"]
    assert found["points"] == 20 and found["converged"]
    alpha = header["hyper"]["momentum"]
    gd, heavy = stability["limits"]
    assert gd["eta_max"] == pytest.approx(2 / found["lambda_max"], rel=1e-15)
    assert heavy["eta_max"] == pytest.approx(2 * (1 + alpha) / found["lambda_max"], rel=1e-15)
    assert stability["in_force"] == "heavy_ball"
    assert stability["eta"] == header["hyper"]["lr"] and stability["schedule"] == {"kind": "constant", "warmup": 0}
    assert stability["above"] is (stability["eta"] > heavy["eta_max"])
    assert "η in force 0.03 is below the limit of momentum (heavy ball)" in stability["note"]


def test_lambda_max_is_measured_again_after_the_weights_change(presenter):
    presenter.frame_where(measured_after(0))  # the first page's arrival measures the starting weights
    presenter.control({"type": "step"})
    header, _ = presenter.frame_where(measured_after(1))
    assert header["step"] == 1
    presenter.control({"type": "reset"})
    presenter.frame_where(measured_after(0))


def test_a_schedule_set_live_gives_the_eta_of_its_closed_form_and_the_engines_updates(live):
    session, token = live.create(**CONFIG, optimizer="sgd", hyper={"lr": 0.2})
    page = live.connect(session, token)
    try:
        reply = page.control({"type": "schedule", "kind": "step", "step_size": 2, "gamma": 0.5, "warmup": 1})
        assert reply["type"] == "ack"
        twin = build_trainer(Config(**CONFIG, optimizer="sgd", hyper={"lr": 0.2}), Settings())
        twin.optimizer.schedule = make_schedule("step", step_size=2, gamma=0.5, warmup=1)
        expected = [0.2, 0.2, 0.2, 0.1, 0.1, 0.05]  # warm-up 1/1, then ×0.5 every 2 updates
        for k, eta in enumerate(expected):
            header, _ = page.frame_where(lambda h, k=k: h["step"] == k)
            assert header["stability"]["eta"] == pytest.approx(eta, rel=1e-15)
            assert header["stability"]["schedule"] == {"kind": "step", "warmup": 1, "step_size": 2, "gamma": 0.5}
            page.control({"type": "step"})
            twin.step()
        _, arrays = page.frame_where(lambda h: h["step"] == len(expected))
        np.testing.assert_array_equal(arrays["weights.0"], twin.model.weights[0])
        assert page.welcome["config"]["schedule"]["kind"] == "constant"
        page.close()
        page = live.connect(session, token)  # a page that comes later is told the schedule in force
        assert page.welcome["config"]["schedule"] == {"kind": "step", "warmup": 1, "step_size": 2, "gamma": 0.5,
                                                      "period": None, "min_factor": None}
    finally:
        page.close()


@pytest.mark.parametrize("message,field", [
    ({"type": "schedule", "kind": "linear"}, "kind"),
    ({"type": "schedule", "kind": "step", "gamma": 2}, "gamma"),
    ({"type": "schedule", "kind": "cosine", "period": 0}, "period"),
    ({"type": "schedule", "kind": "cosine", "period": 1.5}, "period"),
    ({"type": "schedule", "kind": "step", "gamma": "0.5"}, "gamma"),
    ({"type": "schedule", "kind": "constant", "warmup": -3}, "warmup"),
    ({"type": "schedule", "kind": "constant", "extra": 1}, "extra"),
    ({"type": "curvature", "auto": "yes"}, "auto"),
])
def test_bad_schedule_and_curvature_messages_are_refused_naming_the_field(presenter, message, field):
    reply = presenter.control(message)
    assert reply["type"] == "error" and reply["field"] == field, reply
    assert presenter.control({"type": "step"})["type"] == "ack"  # the session goes on unharmed


def test_the_worked_examples_keep_a_constant_eta(presenter):
    presenter.control({"type": "schedule", "kind": "exponential", "gamma": 0.9})
    assert presenter.control({"type": "configure", "preset": "curve"})["type"] == "ack"
    reply = presenter.control({"type": "schedule", "kind": "cosine"})
    assert reply["type"] == "error" and reply["field"] == "kind" and "constant η" in reply["message"]
    # λmax of the preset, from the work pool: on a loaded machine its frame may come before that error.
    header, _ = presenter.frame_where(lambda h: h["stability"]["curvature"] is not None, read_past=True)
    assert header["stability"]["schedule"]["kind"] == "constant"
    assert header["stability"]["curvature"]["lambda_max"] == 120.0  # f''(4) of the curve x⁴ − 3x³ + 2
    assert header["stability"]["limits"][0]["eta_max"] == pytest.approx(2 / 120)


def test_a_diverged_run_names_the_limit_the_eta_in_force_crossed(live):
    # Linear units: past the limit the weights grow geometrically until they overflow (tanh would saturate).
    session, token = live.create(**CONFIG, optimizer="sgd", hyper={"lr": 0.01}, activations="linear")
    page = live.connect(session, token)
    try:
        header, _ = page.frame_where(measured_after(0))
        limit = header["stability"]["limits"][0]["eta_max"]
        assert page.control({"type": "set", "lr": min(100.0, 8 * limit)})["type"] == "ack"
        assert page.control({"type": "play_until", "update": 3000, "at_once": True})["type"] == "ack"
        header, _ = page.frame_where(lambda h: h["diverged"] is not None)
        assert "was above the stability limit of plain gradient descent, η < 2/λmax" in header["diverged"]
        assert header["stability"]["above"] is True
    finally:
        page.close()


def test_measuring_after_changes_can_be_turned_off_and_on(presenter):
    presenter.frame_where(measured_after(0))
    assert presenter.control({"type": "curvature", "auto": False})["type"] == "ack"  # measures now, then no more
    presenter.control({"type": "step"})
    presenter.control({"type": "step"})
    header, _ = presenter.frame_where(lambda h: h["step"] == 2)
    assert not header["stability"]["auto"] and header["stability"]["curvature"]["step"] == 0
    assert presenter.control({"type": "curvature", "auto": True})["type"] == "ack"
    header, _ = presenter.frame_where(measured_after(2))
    assert header["stability"]["auto"]
