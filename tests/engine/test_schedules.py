"""Learning-rate schedules (engine/schedules.py): each against its closed form, and the η the optimizers use."""

import math

import numpy as np
import pytest

from engine import Trainer, make_dataset, make_optimizer
from engine.network import Network
from engine.schedules import CONSTANT, make_schedule
from engine.snapshot import restore_trainer_state, trainer_state


def closed_form(kind: str, t: int, **s) -> float:
    w = s.get("warmup", 0)
    if t < w:
        return (t + 1) / w
    t -= w
    if kind == "step":
        return s["gamma"] ** (t // s["step_size"])
    if kind == "exponential":
        return s["gamma"] ** t
    if kind == "cosine":
        m, T = s["min_factor"], s["period"]
        return m + (1 - m) * (1 + math.cos(math.pi * min(t, T) / T)) / 2
    return 1.0


CASES = [
    ("constant", {}),
    ("constant", {"warmup": 10}),
    ("step", {"step_size": 7, "gamma": 0.5}),
    ("exponential", {"gamma": 0.97}),
    ("cosine", {"period": 40, "min_factor": 0.1}),
    ("cosine", {"period": 25, "min_factor": 0.0, "warmup": 5}),
    ("step", {"step_size": 3, "gamma": 0.8, "warmup": 4}),
]


@pytest.mark.parametrize("kind,settings", CASES)
def test_each_schedule_follows_its_closed_form(kind, settings):
    schedule = make_schedule(kind, **settings)
    for t in range(120):
        assert schedule.eta(0.3, t) == pytest.approx(0.3 * closed_form(kind, t, **settings), rel=1e-15)


def test_cosine_ends_at_eta_min_and_stays_there():
    schedule = make_schedule("cosine", period=10, min_factor=0.2)
    assert schedule.factor(0) == 1.0
    assert schedule.factor(10) == pytest.approx(0.2) and schedule.factor(500) == pytest.approx(0.2)


def test_constant_is_the_eta_set_exactly():
    assert CONSTANT.eta(0.123456789, 10_000) == 0.123456789


@pytest.mark.parametrize("kind,settings,field", [
    ("linear", {}, "kind"), ("step", {"gamma": 1.5}, "gamma"), ("step", {"step_size": 0}, "step_size"),
    ("cosine", {"period": 2.5}, "period"), ("cosine", {"min_factor": float("nan")}, "min_factor"),
    ("constant", {"warmup": -1}, "warmup"), ("constant", {"beta": 1}, "beta"), ("step", {"gamma": True}, "gamma"),
])
def test_bad_settings_are_refused_naming_the_field(kind, settings, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        make_schedule(kind, **settings)


def test_settings_of_another_kind_are_dropped_so_equal_schedules_compare_equal():
    assert make_schedule("cosine", period=10, gamma=0.3) == make_schedule("cosine", period=10)
    assert make_schedule("exponential").gamma == 0.99  # a gentle default, not the step decay's halving


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam", "rmsprop", "inertia"])
def test_an_optimizer_with_a_schedule_takes_the_steps_of_eta_t(optimizer):
    """The run with a schedule against one whose η is set by hand before every update to the closed form."""
    data = make_dataset("circle", n=60, noise=0.1, seed=0)
    schedule = make_schedule("cosine", period=30, min_factor=0.1, warmup=5)
    runs = []
    for by_hand in (False, True):
        net = Network([2, 4, 1], activations="tanh", seed=2)
        opt = make_optimizer(optimizer, lr=0.05)
        if not by_hand:
            opt.schedule = schedule
        trainer = Trainer(net, opt, data, batch_size=10, seed=3)
        for t in range(40):
            if by_hand:
                opt.lr = 0.05 * closed_form("cosine", t, period=30, min_factor=0.1, warmup=5)
            else:
                assert opt.next_eta == pytest.approx(0.05 * schedule.factor(t), rel=1e-15)
            trainer.step()
        runs.append(net.flat())
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-13, atol=1e-15)


def test_stepping_back_and_a_snapshot_keep_the_schedule():
    data = make_dataset("circle", n=60, noise=0.1, seed=0)
    net = Network([2, 4, 1], activations="tanh", seed=2)
    opt = make_optimizer("momentum", lr=0.1, momentum=0.5)
    trainer = Trainer(net, opt, data, batch_size=10, seed=3)
    trainer.run(10)
    opt.schedule = make_schedule("step", step_size=5, gamma=0.5)
    trainer.run(20)
    after_30 = net.flat()
    trainer.seek(5)
    assert opt.schedule == CONSTANT  # the schedule of that time came back
    trainer.forward(25)
    assert opt.schedule.kind == "step"
    np.testing.assert_array_equal(net.flat(), after_30)  # replayed with the schedule of each update, bit for bit
    state = trainer_state(trainer)
    twin = Trainer(Network([2, 4, 1], activations="tanh", seed=2), make_optimizer("momentum", lr=0.1, momentum=0.5),
                   data, batch_size=10, seed=3)
    restore_trainer_state(twin, state)
    assert twin.optimizer.schedule == opt.schedule
    trainer.run(7)
    twin.run(7)
    np.testing.assert_array_equal(twin.model.flat(), net.flat())


def test_a_state_kept_before_schedules_restores_with_a_constant_eta():
    data = make_dataset("circle", n=60, noise=0.1, seed=0)
    trainer = Trainer(Network([2, 3, 1], seed=1), make_optimizer("sgd", lr=0.1), data)
    state = trainer_state(trainer)
    del state["optimizer"]["schedule"]
    trainer.optimizer.schedule = make_schedule("exponential")
    restore_trainer_state(trainer, state)
    assert trainer.optimizer.schedule == CONSTANT
