"""The optimizer race over a real uvicorn and a real WebSocket client: started with contestants, every frame
carries each contestant's step and losses (the engine's own numbers, exactly), the race message carries every
curve and path on the fixed plane and its loss surface, the focus switches the network shown, viewers see it,
and bad race messages get errors naming the field while the session goes on."""

from __future__ import annotations

import numpy as np
import pytest
from liveserver import matches

from engine import Trainer, make_optimizer
from server.build import build_trainer
from server.protocol import Config
from server.settings import Settings

CONFIG = {"sizes": [3, 2], "n_points": 40, "batch_size": 4, "seed": 3}
CONTESTANTS = [
    {"optimizer": "sgd", "hyper": {"lr": 0.1}},
    {"optimizer": "momentum", "hyper": {"lr": 0.05, "momentum": 0.9}},
    {"optimizer": "adam", "hyper": {"lr": 0.01}},
]


def twin(contestant: dict, updates: int) -> Trainer:
    """The contestant's optimizer run alone, straight from the engine, on the session's setup."""
    base = build_trainer(Config(**CONFIG), Settings())
    alone = Trainer(base.model.copy(), make_optimizer(contestant["optimizer"], **contestant["hyper"]), base.data,
                    batch_size=base.batch_size, seed=base.seed)
    alone.run(updates)
    return alone


def start(page, contestants=CONTESTANTS, **fields):
    reply = page.control({"type": "race_start", "contestants": contestants, **fields})
    assert reply["type"] == "ack", reply
    return reply


def race_message(page, timeout=30.0, **match):
    """The next race message (header, arrays) whose header matches; the surface may take a moment."""
    while True:
        header, arrays = page.expect("race", timeout)
        if matches(header, match):
            return header, arrays


def test_a_race_frame_carries_every_contestants_exact_numbers(presenter):
    start(presenter)
    for _ in range(5):
        assert presenter.control({"type": "step"})["type"] == "ack"
    header, arrays = presenter.expect("frame", step=5)
    race = header["race"]
    assert race["focus"] == 0 and race["step"] == 5 and len(race["contestants"]) == 3
    for contestant, shown in zip(CONTESTANTS, race["contestants"], strict=True):
        alone = twin(contestant, 5)
        assert shown["step"] == 5 and shown["optimizer"] == contestant["optimizer"]
        train, test = alone.losses()
        assert shown["train_loss"] == train and shown["test_loss"] == test  # paused: exact, float64
    # The network drawn is the contestant in focus, bit for bit.
    alone = twin(CONTESTANTS[0], 5)
    for l in range(alone.model.n_layers):
        np.testing.assert_array_equal(arrays[f"weights.{l}"], alone.model.weights[l])
    assert header["optimizer"] == "sgd"
    assert race["contestants"][1]["name"] == "momentum η=0.05 α=0.9"


def test_the_race_message_carries_every_curve_path_and_the_fixed_planes_surface(presenter):
    start(presenter, resolution=12)
    for _ in range(3):
        presenter.control({"type": "step"})
    header, arrays = race_message(presenter, step=3)
    assert header["names"][2] == "Adam η=0.01 β₁=0.9"
    for k in range(3):
        path = arrays[f"path.{k}"]
        assert path.shape == (4, 2) and arrays[f"path_steps.{k}"].tolist() == [0, 1, 2, 3]
        np.testing.assert_array_equal(path[0], [0.0, 0.0])  # every path starts at the common start
        assert arrays[f"loss_steps.{k}"][-1] == 3
        assert arrays[f"loss_train.{k}"][-1] == twin(CONTESTANTS[k], 3).losses()[0]
    assert len({arrays[f"path.{k}"][-1].tobytes() for k in range(3)}) == 3  # they went different ways
    # The surface comes from the work pool once computed (it refreshes as the paths grow).
    while header["surface"] is None:
        header, arrays = race_message(presenter, timeout=60)
    assert arrays["loss"].shape == (12, 12) and np.isfinite(arrays["loss"]).all()
    assert header["plane"]["kind"] == "random" and header["plane"]["axes"][0] == "d₁ (random direction)"


def test_play_trains_every_contestant_in_lockstep_and_focus_switches_the_network(presenter):
    start(presenter, contestants=CONTESTANTS[:2])
    presenter.control({"type": "speed", "updates_per_second": 200})
    presenter.control({"type": "play"})
    while presenter.expect("frame")[0]["race"]["step"] < 15:
        pass
    presenter.control({"type": "pause"})
    header, _ = presenter.expect("frame", playing=False)
    steps = {c["step"] for c in header["race"]["contestants"]}
    assert len(steps) == 1  # lockstep
    n = steps.pop()
    assert presenter.control({"type": "race_focus", "contestant": 1})["type"] == "ack"
    header, arrays = presenter.expect("frame", optimizer="momentum")
    assert header["race"]["focus"] == 1 and header["step"] == n
    alone = twin(CONTESTANTS[1], n)
    np.testing.assert_array_equal(arrays["weights.0"], alone.model.weights[0])


def test_a_viewer_sees_the_race(live, presenter):
    start(presenter, contestants=CONTESTANTS[:2])
    presenter.control({"type": "step"})
    viewer = live.connect(presenter.session)
    try:
        header, _ = viewer.expect("frame", step=1)
        assert [c["name"] for c in header["race"]["contestants"]] == ["gradient descent η=0.1", "momentum η=0.05 α=0.9"]
        header, arrays = race_message(viewer)
        assert set(header["names"]) == {"gradient descent η=0.1", "momentum η=0.05 α=0.9"} and "path.1" in arrays
        reply = viewer.control({"type": "race_focus", "contestant": 1})
        assert reply["type"] == "error" and reply["field"] == "type"
    finally:
        viewer.close()


@pytest.mark.parametrize(("message", "field"), [
    ({"type": "race_start", "contestants": CONTESTANTS[:1]}, "contestants"),
    ({"type": "race_start", "contestants": CONTESTANTS * 2}, "contestants"),
    ({"type": "race_start", "contestants": [CONTESTANTS[0], {"optimizer": "sgd", "hyper": {"lr": -1}}]},
     "contestants[1].hyper.lr"),
    ({"type": "race_start", "contestants": [{"optimizer": "adam", "hyper": {"momentum": 0.9}}, CONTESTANTS[0]]},
     "contestants[0].hyper.momentum"),
    ({"type": "race_start", "contestants": [CONTESTANTS[0], {"optimizer": "newton"}]}, "contestants[1].optimizer"),
    ({"type": "race_start", "contestants": CONTESTANTS[:2], "resolution": 1000}, "resolution"),
    ({"type": "race_start", "contestants": CONTESTANTS[:2], "surprise": 1}, "surprise"),
    ({"type": "race_focus", "contestant": 0}, "type"),  # no race yet
    ({"type": "race_stop"}, "type"),
])
def test_bad_race_messages_name_the_field_and_the_session_goes_on(presenter, message, field):
    reply = presenter.control(message)
    assert reply["type"] == "error" and reply["field"] == field, reply
    assert presenter.control({"type": "step"})["type"] == "ack"
    header, _ = presenter.expect("frame", step=1)
    assert header["race"] is None


def test_in_a_race_controls_that_would_move_one_contestant_are_refused(presenter):
    start(presenter, contestants=CONTESTANTS[:2])
    for message, field in [
        ({"type": "phase"}, "type"), ({"type": "set", "lr": 0.5}, "type"), ({"type": "back"}, "type"),
        ({"type": "schedule", "kind": "cosine", "period": 100}, "type"),  # would change one contestant's η
        ({"type": "race_focus", "contestant": 2}, "contestant"),
        ({"type": "race_plane", "plane": "endpoints", "through": [0, 1]}, "through"),  # nobody moved yet
        ({"type": "race_plane", "plane": "endpoints", "through": [0, 3]}, "through[1]"),
        ({"type": "race_plane", "plane": "endpoints", "through": [1, 1]}, "through[1]"),
    ]:
        reply = presenter.control(message)
        assert reply["type"] == "error" and reply["field"] == field, (message, reply)
    for _ in range(3):
        presenter.control({"type": "step"})
    assert presenter.control({"type": "race_plane", "plane": "endpoints", "through": [1, 0]})["type"] == "ack"
    header, _ = presenter.expect("frame")
    assert header["race"]["plane"]["kind"] == "endpoints"
    assert presenter.control({"type": "reset"})["type"] == "ack"
    header, _ = presenter.expect("frame", step=0)
    assert [c["step"] for c in header["race"]["contestants"]] == [0, 0]
    assert header["race"]["plane"]["kind"] == "endpoints"  # the plane stays fixed for the race


def test_stopping_the_race_goes_on_with_the_contestant_in_focus(presenter):
    start(presenter, contestants=CONTESTANTS[:2])
    presenter.control({"type": "step"})
    presenter.control({"type": "race_focus", "contestant": 1})
    assert presenter.control({"type": "race_stop"})["type"] == "ack"
    header, _ = presenter.expect("frame", race=None)
    assert header["optimizer"] == "momentum" and header["step"] == 1
    assert presenter.control({"type": "step"})["type"] == "ack"
    _, arrays = presenter.expect("frame", step=2)
    np.testing.assert_array_equal(arrays["weights.0"], twin(CONTESTANTS[1], 2).model.weights[0])
    assert presenter.control({"type": "phase"})["type"] == "ack"  # the one run's controls are back
