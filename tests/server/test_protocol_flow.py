"""The server against a real uvicorn and a real WebSocket client: the numbers, the controls, the phases."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Trainer
from server.build import build_trainer
from server.protocol import Config
from server.settings import Settings

CONFIG = {"sizes": [3, 2], "n_points": 40, "batch_size": 4, "seed": 3}


def engine_twin(**changes) -> Trainer:
    """The same run, built straight from the engine."""
    return build_trainer(Config(**{**CONFIG, **changes}), Settings())


def test_a_step_frame_holds_exactly_the_engines_numbers(presenter):
    presenter.expect("frame")  # the first frame, from before the step
    reply = presenter.control({"type": "step"})
    assert reply["type"] == "ack"
    header, arrays = presenter.frame_after(reply, step=1)
    assert header["seq"] >= reply["seq"] > 0  # the ack says which frame shows the step
    twin = engine_twin()
    phase = twin.step()
    assert header["phase"] == {"kind": "update", "layer": None}
    for l in range(twin.model.n_layers):
        np.testing.assert_array_equal(arrays[f"weights.{l}"], twin.model.weights[l])
        np.testing.assert_array_equal(arrays[f"biases.{l}"], twin.model.biases[l])
        np.testing.assert_array_equal(arrays[f"delta.{l}"], phase.delta[l].mean(axis=0))
        np.testing.assert_array_equal(arrays[f"grad_weights.{l}"], phase.grad_weights[l])
        np.testing.assert_array_equal(arrays[f"change_weights.{l}"], phase.changes[f"weights[{l}]"])
    for l in range(twin.model.n_layers + 1):
        np.testing.assert_array_equal(arrays[f"o.{l}"], phase.trace.o[l].mean(axis=0))
        np.testing.assert_array_equal(arrays[f"net.{l}"], phase.trace.net[l].mean(axis=0))
    assert header["batch"] == phase.batch.tolist()
    assert header["batch_loss"] == phase.batch_loss


def test_setting_the_learning_rate_changes_the_very_next_update_by_the_expected_amount(presenter):
    presenter.frame_after(presenter.control({"type": "step"}), step=1)
    _, before = presenter.frame_after(presenter.control({"type": "step"}), step=2)
    assert presenter.control({"type": "set", "lr": 0.5})["type"] == "ack"
    header, after = presenter.frame_after(presenter.control({"type": "step"}), step=3)
    assert header["hyper"]["lr"] == 0.5
    alpha = header["hyper"]["momentum"]
    for l in range(3):
        # Classic momentum: Δw(t+1) = −η ∇E + α Δw(t), with the new η and the gradient of this update.
        expected = -0.5 * after[f"grad_weights.{l}"] + alpha * before[f"change_weights.{l}"]
        np.testing.assert_allclose(after[f"change_weights.{l}"], expected, rtol=1e-12, atol=1e-15)
    twin = engine_twin()
    twin.step(), twin.step()
    twin.optimizer.lr = 0.5
    twin.step()
    np.testing.assert_array_equal(after["weights.0"], twin.model.weights[0])


def test_phase_stepping_walks_forward_then_backward_layer_by_layer_then_update(presenter):
    _, start = presenter.expect("frame")
    seen = []
    for _ in range(5):
        header, arrays = presenter.frame_after(presenter.control({"type": "phase"}))
        deltas = sorted(k for k in arrays if k.startswith("delta."))  # the layers' δ (the flat "delta" holds them)
        seen.append((header["phase"]["kind"], header["phase"]["layer"], deltas))
        if header["phase"]["kind"] != "update":
            np.testing.assert_array_equal(arrays["weights.0"], start["weights.0"])  # nothing applied yet
    assert seen == [
        ("forward", None, []),
        ("backward", 2, ["delta.2"]),
        ("backward", 1, ["delta.1", "delta.2"]),
        ("backward", 0, ["delta.0", "delta.1", "delta.2"]),
        ("update", None, ["delta.0", "delta.1", "delta.2"]),
    ]
    assert not np.array_equal(arrays["weights.0"], start["weights.0"])
    assert header["step"] == 1


def test_a_step_in_the_middle_of_the_phases_finishes_that_update(presenter):
    presenter.control({"type": "phase"})
    presenter.control({"type": "phase"})
    header, arrays = presenter.frame_after(presenter.control({"type": "step"}), step=1)
    assert header["phase"]["kind"] == "update"
    twin = engine_twin()
    twin.step()
    np.testing.assert_array_equal(arrays["weights.1"], twin.model.weights[1])


def test_the_selected_example_shows_its_own_numbers(live):
    session, token = live.create(**{**CONFIG, "batch_size": None})
    page = live.connect(session, token)
    page.control({"type": "select", "example": 5})
    header, arrays = page.frame_after(page.control({"type": "step"}), step=1)
    twin = engine_twin(batch_size=None)
    phase = twin.step()
    assert header["selection"] == 5 and header["selection_in_batch"]
    np.testing.assert_array_equal(arrays["net.0"], twin.X_train[5])
    for l in range(3):
        np.testing.assert_array_equal(arrays[f"delta.{l}"], phase.delta[l][5])
        # One example's dE/dw_ij = δ_j o_i.
        np.testing.assert_array_equal(arrays[f"grad_weights.{l}"], np.outer(phase.trace.o[l][5], phase.delta[l][5]))
    page.close()


def test_the_worked_example_reaches_its_published_weights_over_the_wire(live):
    session, token = live.create(preset="worked_222")
    page = live.connect(session, token)
    header, arrays = page.frame_after(page.control({"type": "step"}), step=1)
    assert round(float(arrays["weights.1"][0, 0]), 8) == 0.35891648
    assert round(float(arrays["weights.0"][0, 0]), 9) == 0.149780716
    assert header["hyper"]["lr"] == 0.5 and header["optimizer"] == "sgd"
    assert round(header["train_loss"], 10) == 0.2910277737
    page.close()


def test_play_trains_and_pause_stops(presenter):
    presenter.control({"type": "play"})
    header, _ = presenter.expect("frame")
    while header["step"] < 50:
        header, _ = presenter.expect("frame")
    presenter.control({"type": "pause"})
    header, _ = presenter.expect("frame", playing=False)
    frozen = header["step"]
    presenter.control({"type": "select", "example": 0})  # any change makes a new frame
    header, _ = presenter.expect("frame", selection=0)
    assert header["step"] == frozen


def test_a_playing_frame_shows_the_update_just_made_whole_and_a_pause_the_next(live):
    sgd = {"optimizer": "sgd", "hyper": {"lr": 0.5}}
    session, token = live.create(**CONFIG, **sgd)
    presenter = live.connect(session, token)
    try:
        presenter.control({"type": "play"})
        header, arrays = presenter.expect("frame", playing=True)
        while header["step"] < 20:
            header, arrays = presenter.expect("frame", playing=True)
        step = header["step"]
        assert header["shown"] == {"update": step, "status": "done"}
        twin = engine_twin(**sgd)
        twin.run(step)  # slices of any length make the same updates as one run (tests/engine/test_trainer.py)
        shown = twin.last_phase
        before_w, before_b = twin.model.unflat(shown.weights_before)
        for l in range(twin.model.n_layers):
            # The gradient and the change of one and the same update: Δw = −η ∂E/∂w (plain SGD, η = 0.5: exact).
            np.testing.assert_array_equal(arrays[f"change_weights.{l}"], -0.5 * arrays[f"grad_weights.{l}"])
            np.testing.assert_array_equal(arrays[f"grad_weights.{l}"], shown.grad_weights[l])
            mean_delta = np.add.reduce(shown.delta[l], axis=0) / len(shown.batch)
            np.testing.assert_array_equal(arrays[f"delta.{l}"], mean_delta)
            np.testing.assert_array_equal(arrays[f"weights_before.{l}"], before_w[l])
            np.testing.assert_array_equal(arrays[f"biases_before.{l}"], before_b[l])
            np.testing.assert_array_equal(arrays[f"weights.{l}"], twin.model.weights[l])
        assert header["batch"] == shown.batch.tolist() and header["batch_loss"] == shown.batch_loss
        # Playing, the losses are the newest point logged (once an epoch), and the frame says which it is.
        logged = int(np.flatnonzero(twin.history.steps == header["losses_step"])[0])
        assert header["losses_step"] <= step and header["train_loss"] == twin.history.rows[logged, 0]

        presenter.control({"type": "pause"})
        header, arrays = presenter.expect("frame", playing=False)
        assert header["shown"] == {"update": header["step"] + 1, "status": "next"}  # paused: the coming step
        assert header["losses_step"] == header["step"]  # and the losses exact, now
        assert "weights_before.0" not in arrays
    finally:
        presenter.close()


def test_play_sends_new_loss_points_and_a_decision_grid(presenter):
    presenter.control({"type": "play"})
    steps: list[float] = []
    while len(steps) < 5:
        header, arrays = presenter.expect("frame")
        steps += arrays["loss_steps"].tolist()
        assert len(arrays["loss_train"]) == len(arrays["loss_steps"])
    presenter.control({"type": "pause"})
    assert steps == sorted(steps) and len(set(steps)) == len(steps)  # each point sent once, in order
    grid, arrays = presenter.expect("grid")
    r = grid["resolution"]
    assert arrays["values"].shape == (r, r) and arrays["values"].dtype == np.float32
    assert np.all(np.abs(arrays["values"]) <= 1)  # a tanh output


@pytest.mark.parametrize("kind", ["reset", "regenerate"])
def test_reset_keeps_the_starting_weights_and_regenerate_draws_new_ones(presenter, kind):
    _, start = presenter.expect("frame")
    presenter.frame_after(presenter.control({"type": "step"}), step=1)
    header, arrays = presenter.frame_after(presenter.control({"type": kind}), step=0)
    same = np.array_equal(arrays["weights.0"], start["weights.0"])
    assert same if kind == "reset" else not same


def test_configure_rebuilds_the_network_and_sends_the_new_data(presenter):
    reply = presenter.control({"type": "configure", "dataset": "spiral3", "loss": "softmax_ce", "sizes": [5]})
    assert reply["type"] == "ack", reply
    data = presenter.expect("data")
    assert data["classes"] == 3 and data["config"]["sizes"] == [5]
    header, arrays = presenter.expect("frame")
    assert header["sizes"] == [2, 5, 3] and header["activations"] == ["tanh", "softmax"]
    grid, values = presenter.expect("grid")
    assert values["values"].shape[-1] == 3


def test_gradcheck_agrees_with_backprop(presenter):
    presenter.send({"type": "gradcheck", "id": "g"})
    result = presenter.expect("gradcheck")
    assert result["id"] == "g" and result["parameters"] == 2 * 3 + 3 + 3 * 2 + 2 + 2 * 1 + 1
    assert result["max_relative_error"] < 1e-6


WEIGHTS = [{"kind": "weight", "layer": 0, "i": 0, "j": 1}, {"kind": "bias", "layer": 1, "j": 0}]


def test_a_two_weight_surface_carries_the_path_and_every_frame_the_exact_current_point(presenter):
    for _ in range(3):
        presenter.control({"type": "step"})
    reply = presenter.control({"type": "surface", "kind": "weights", "params": WEIGHTS, "resolution": 20})
    assert reply["type"] == "ack", reply
    header, arrays = presenter.expect("surface")
    assert header["kind"] == "weights" and "moves as the other weights move" in header["caveat"] + header["description"]
    assert arrays["loss"].shape == (20, 20) and arrays["path"].shape == (4, 2)
    frame, values = presenter.expect("frame")
    w, b = values["weights.0"][0, 1], values["biases.1"][0]
    np.testing.assert_array_equal(values["surface_point"], [w, b])
    np.testing.assert_array_equal(arrays["path"][-1], [w, b])  # the path ends at the current weights
    twin = engine_twin()
    path = [(twin.model.weights[0][0, 1], twin.model.biases[1][0])]
    for _ in range(3):
        twin.step()
        path.append((twin.model.weights[0][0, 1], twin.model.biases[1][0]))
    np.testing.assert_array_equal(arrays["path"], path)
    # −∇E on the slice is minus the two parameters' gradients over the training set.
    grads = twin.model.backward(twin.model.forward(twin.X_train), twin.T_train)
    np.testing.assert_allclose(values["surface_descent"], [-grads.weights[0][0, 1], -grads.biases[1][0]], rtol=1e-12)


@pytest.mark.parametrize("kind", ["random", "trajectory"])
def test_the_random_and_trajectory_planes_are_drawn_through_the_current_weights(presenter, kind):
    for _ in range(4):
        presenter.control({"type": "step"})
    assert presenter.control({"type": "surface", "kind": kind, "resolution": 15, "seed": 2})["type"] == "ack"
    header, arrays = presenter.expect("surface")
    assert arrays["loss"].shape == (15, 15) and np.isfinite(arrays["loss"]).all()
    if kind == "trajectory":
        assert 0 <= sum(header["explained_variance"]) <= 1 + 1e-12
    frame, values = presenter.expect("frame")
    np.testing.assert_allclose(values["surface_point"], header["current"], atol=1e-9)


def test_the_curve_example_shows_the_curve_with_its_iterates(live):
    session, token = live.create(preset="curve")
    page = live.connect(session, token)
    page.control({"type": "step"}), page.control({"type": "step"})
    assert page.control({"type": "surface", "kind": "curve", "resolution": 50})["type"] == "ack"
    header, arrays = page.expect("surface")
    x, f = arrays["alpha"], arrays["loss"][0]
    np.testing.assert_allclose(f, x**4 - 3 * x**3 + 2, rtol=1e-6, atol=1e-4)  # float32 on the wire
    np.testing.assert_allclose(arrays["path"], [4.0, 3.888, 3.788956403712], rtol=1e-12)
    frame, values = page.expect("frame")
    np.testing.assert_allclose(values["surface_descent"], [-(4 * 3.788956403712**3 - 9 * 3.788956403712**2)])
    page.close()


def test_softmax_on_two_classes_gets_a_neuron_per_class_and_one_map(presenter):
    assert presenter.control({"type": "configure", "loss": "softmax_ce"})["type"] == "ack"
    header, _ = presenter.expect("frame", sizes=[2, 3, 2, 2])
    grid, arrays = presenter.expect("grid")
    assert arrays["values"].ndim == 2 and grid["output_range"] == [0.0, 1.0]
    assert np.all((arrays["values"] >= 0) & (arrays["values"] <= 1))


def test_cross_entropy_on_regression_targets_is_refused_plainly(presenter):
    error = presenter.control({"type": "configure", "dataset": "plane", "loss": "bce"})
    assert error["field"] == "loss" and "Use squared error" in error["message"] and "'mse'" not in error["message"]


def test_play_in_the_middle_of_an_update_finishes_it_and_trains_on(presenter):
    presenter.control({"type": "phase"})
    presenter.control({"type": "phase"})
    presenter.control({"type": "play"})
    header, _ = presenter.expect("frame")
    while header["step"] < 20:
        header, _ = presenter.expect("frame")
        assert header["playing"]
    presenter.control({"type": "pause"})


def test_each_stepped_update_adds_a_loss_point_and_a_reset_sends_the_history_again(presenter):
    # The points as the page gathers them, from frames and `loss` messages alike: through Redis, the frame of a
    # step may come before its reply, or a page that missed one gets its points in a `loss` message.
    presenter.expect("frame", step=0)
    for n in (1, 2, 3):
        presenter.control({"type": "step"})
        presenter.until(lambda n=n: presenter.loss_steps[-1:] == [n])
    assert presenter.loss_steps == [0, 1, 2, 3]
    presenter.control({"type": "reset"})
    presenter.until(lambda: presenter.loss_steps == [0])  # the new history from its start, though it had 4


def test_frames_count_the_viewers(live):
    session, token = live.create()
    presenter = live.connect(session, token)
    viewer = live.connect(session)
    header, _ = presenter.expect("frame", viewers=1)
    viewer.close()
    header, _ = presenter.expect("frame", viewers=0)
    presenter.close()


def test_a_shown_surface_catches_up_with_steps_taken_right_after_it(presenter):
    presenter.control({"type": "step"})
    presenter.control({"type": "surface", "kind": "weights", "params": WEIGHTS, "resolution": 12})
    first, _ = presenter.expect("surface")
    for _ in range(3):  # sooner than the refresh interval
        presenter.control({"type": "step"})
    _, frame = presenter.expect("frame", step=4)
    header, arrays = presenter.expect("surface", timeout=5)
    assert header["step"] == 4 and len(arrays["path"]) == 5
    np.testing.assert_array_equal(arrays["path"][-1], frame["surface_point"])
    with pytest.raises(TimeoutError):  # and then it rests: nothing moved
        presenter.expect("surface", timeout=1.5)


def test_at_a_slow_speed_every_update_adds_a_loss_point(presenter):
    presenter.control({"type": "speed", "updates_per_second": 50})
    presenter.control({"type": "play"})
    steps: list[float] = []
    while len(steps) < 6:
        _, arrays = presenter.expect("frame")
        steps += arrays["loss_steps"].tolist()
    presenter.control({"type": "pause"})
    # Batch 4 of 20 points: an epoch is 5 updates, yet each one is logged (point 0 came before play).
    assert steps[:6] == [1, 2, 3, 4, 5, 6]
