"""The explainer over a real WebSocket: opened by the presenter, the same for every viewer, validated field by
field; and every frame says which weights its numbers belong to."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import Trainer, make_preset
from engine.explain import explain
from server.build import build_trainer
from server.protocol import Config
from server.settings import Settings

CONFIG = {"sizes": [3, 2], "n_points": 40, "batch_size": 4, "seed": 3}


def engine_twin(**changes) -> Trainer:
    return build_trainer(Config(**{**CONFIG, **changes}), Settings())


def worked_222() -> Trainer:
    preset = make_preset("worked_222")
    return Trainer(preset.model, preset.optimizer, preset.data, batch_size=preset.batch_size)


def test_the_presenter_opens_the_explainer_and_a_viewer_sees_the_same_terms(live, presenter):
    viewer = live.connect(presenter.session, None, client="student")
    try:
        reply = presenter.control({"type": "explain", "element": {"kind": "weight", "layer": 1, "i": 2, "j": 0}})
        assert reply["type"] == "ack"
        header, _ = presenter.expect("frame", timeout=5)
        while header["explain"] is None:
            header, _ = presenter.expect("frame", timeout=5)
        seen, _ = viewer.expect("frame", timeout=5)
        while seen["explain"] is None:
            seen, _ = viewer.expect("frame", timeout=5)
        assert seen["explain"] == header["explain"]
        twin = engine_twin()
        assert header["explain"] == explain(twin, ("weight", 1, 2, 0))
        assert header["explain"]["name"]["label"] == "w from h₃⁽¹⁾ to h₁⁽²⁾"
        # It follows the session: a step explains that update, to every page.
        presenter.control({"type": "step"})
        header, _ = presenter.expect("frame", step=1)
        twin.step()
        assert header["explain"]["status"] == "done"
        assert header["explain"] == explain(twin, ("weight", 1, 2, 0))
        seen, _ = viewer.expect("frame", step=1)
        assert seen["explain"] == header["explain"]
        assert viewer.control({"type": "explain", "element": None})["field"] == "type", "viewers only follow"
        presenter.control({"type": "explain", "element": None})
        header, _ = presenter.expect("frame")
        assert header["explain"] is None
    finally:
        viewer.close()


@pytest.mark.parametrize("element, field", [
    ({"kind": "neuron", "layer": 1, "j": 3}, "element.j"),
    ({"kind": "neuron", "layer": 4, "j": 0}, "element.layer"),
    ({"kind": "weight", "layer": 0, "j": 0}, "element.i"),
    ({"kind": "weight", "layer": 0, "i": 2, "j": 0}, "element.i"),
    ({"kind": "bias", "layer": 0, "i": 1, "j": 0}, "element.i"),
    ({"kind": "edge", "layer": 0, "j": 0}, "element.kind"),
    ({"kind": "neuron", "layer": -1, "j": 0}, "element.layer"),
])
def test_an_element_that_is_not_there_is_refused_naming_its_field(presenter, element, field):
    reply = presenter.control({"type": "explain", "element": element})
    assert reply["type"] == "error" and reply["field"] == field, reply
    assert reply["message"].startswith(f"{field}: ")
    assert "[" not in reply["message"], "no array names"
    assert presenter.control({"type": "step"})["type"] == "ack", "the session goes on"


def test_the_222_example_reads_before_and_after_on_one_frame(live):
    session, token = live.create(preset="worked_222")
    page = live.connect(session, token)
    try:
        page.control({"type": "explain", "element": {"kind": "weight", "layer": 1, "i": 0, "j": 0}})
        header, arrays = page.expect("frame")
        while header["explain"] is None:
            header, arrays = page.expect("frame")
        assert header["shown"] == {"update": 1, "status": "next"}
        assert f"{header['batch_loss']:.9f}" == "0.298371109"
        page.control({"type": "step"})
        header, arrays = page.expect("frame", step=1)
        assert header["shown"] == {"update": 1, "status": "done"}
        assert f"{header['batch_loss']:.9f}" == "0.298371109"  # E at the weights the update started from
        assert f"{header['train_loss']:.10f}" == "0.2910277737"  # E after it
        assert arrays["weights_before.1"][0, 0] == 0.40
        assert f"{arrays['weights.1'][0, 0]:.8f}" == "0.35891648"
        terms = header["explain"]
        assert terms["rule"]["old"] == arrays["weights_before.1"][0, 0]
        assert terms["rule"]["new"] == arrays["weights.1"][0, 0]
        assert terms["gradient"]["mean"] == arrays["grad_weights.1"][0, 0]
        assert terms["loss"] == {"before": header["batch_loss"], "after": header["train_loss"]}
        assert terms["forward"]["o"] == arrays["o.2"][0]
        data = next(m for m in page.seen if m["type"] == "data")
        assert data["names"]["textbook"]["w:1:0:0"] == "w5"
    finally:
        page.close()


def test_at_rest_the_frame_shows_the_gradient_the_next_step_uses(presenter):
    presenter.control({"type": "reset"})
    header, rest = presenter.expect("frame")
    assert header["shown"] == {"update": 1, "status": "next"}
    assert presenter.control({"type": "step"})["type"] == "ack"
    header, done = presenter.expect("frame", step=1)
    assert header["shown"] == {"update": 1, "status": "done"}
    for l in range(3):
        np.testing.assert_array_equal(rest[f"grad_weights.{l}"], done[f"grad_weights.{l}"])
    np.testing.assert_array_equal(rest["weights.0"], done["weights_before.0"])


def test_an_example_outside_the_batch_keeps_its_own_numbers_after_a_step(presenter):
    twin = engine_twin()
    update = twin.step()
    outside = next(k for k in range(twin.n_train) if k not in update.batch)
    presenter.control({"type": "select", "example": outside})
    header, arrays = presenter.frame_after(presenter.control({"type": "step"}), step=1)
    assert header["selection"] == outside and header["selection_in_batch"] is False
    start = engine_twin()
    trace, grads = start.example(outside)  # at the weights the update started from
    np.testing.assert_array_equal(arrays["o.3"], trace.o[3][0])
    np.testing.assert_array_equal(arrays["delta.0"], grads.delta[0][0])
    np.testing.assert_array_equal(arrays["weights.0"], twin.model.weights[0])


def test_the_data_message_sends_the_inputs_exactly_and_the_names(live):
    session, token = live.create(dataset="circle", n_points=40, sizes=[3], seed=1)
    page = live.connect(session, token)
    try:
        data = page.expect("data")
        twin = build_trainer(Config(dataset="circle", n_points=40, sizes=[3], seed=1), Settings())
        assert data["train"]["x"] == twin.X_train.tolist()
        assert data["names"]["neurons"] == [["x₁", "x₂"], ["h₁", "h₂", "h₃"], ["ŷ"]]
    finally:
        page.close()


def test_at_full_speed_the_explainer_waits_and_says_so(presenter):
    presenter.control({"type": "explain", "element": {"kind": "neuron", "layer": 2, "j": 1}})
    presenter.control({"type": "play"})
    header, _ = presenter.expect("frame", playing=True)
    assert header["explain"]["element"] is None and "as fast as it goes" in header["explain"]["error"]
    presenter.control({"type": "speed", "updates_per_second": 5})
    header, _ = presenter.expect("frame", speed=5)
    assert header["explain"]["element"] == {"kind": "neuron", "layer": 2, "j": 1}, "at a set speed it follows"
    presenter.control({"type": "pause"})


def test_a_new_setup_keeps_the_explainer_on_an_element_it_still_has(presenter):
    presenter.control({"type": "explain", "element": {"kind": "neuron", "layer": 1, "j": 2}})
    assert presenter.control({"type": "configure", "noise": 0.3})["type"] == "ack"
    header, _ = presenter.expect("frame")
    while header["explain"] is None or header["explain"].get("element") is None:
        header, _ = presenter.expect("frame")
    assert header["explain"]["element"] == {"kind": "neuron", "layer": 1, "j": 2}
    assert presenter.control({"type": "configure", "sizes": [2]})["type"] == "ack"  # h₃ is gone
    header, _ = presenter.expect("frame", sizes=[2, 2, 1])
    assert header["explain"] is None


def test_while_playing_the_terms_are_rewritten_a_few_times_a_second_and_exactly_when_paused(presenter):
    presenter.control({"type": "explain", "element": {"kind": "weight", "layer": 1, "i": 0, "j": 1}})
    presenter.control({"type": "speed", "updates_per_second": 1000})
    presenter.control({"type": "play"})
    started, seen, steps = time.monotonic(), set(), set()
    while time.monotonic() - started < 1.5:
        header, _ = presenter.expect("frame")
        if header["playing"] and header["explain"] is not None:
            seen.add(header["explain"]["update"])
            steps.add(header["step"])
    # At most one set of terms per 0.25 s (and the first): a bound that only loosens under load.
    assert len(seen) <= 1.5 / 0.25 + 2, (len(seen), len(steps))
    presenter.control({"type": "pause"})
    header, _ = presenter.expect("frame", playing=False)
    while header["explain"]["update"] != header["step"] + 1:  # paused: the next update, at once
        header, _ = presenter.expect("frame", playing=False)
    assert header["explain"]["status"] == "next"
