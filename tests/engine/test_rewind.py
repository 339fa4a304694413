"""Stepping back: restoring a kept update is exact, replaying forward is exact, memory stays bounded.

Exact means bit for bit (``array_equal``, no tolerance): a replay is the same computation on the same numbers in
the same process, so it must give the same bits; any difference would be a missing piece of state.
"""

import numpy as np
import pytest

from engine import Network, Trainer, make_dataset, make_optimizer
from engine.rewind import BUDGET_BYTES, DEPTH, Rewind, keyframe_bytes, plan
from server.settings import Settings

OPTIMIZERS = [
    ("sgd", {"lr": 0.1}),
    ("momentum", {"lr": 0.05, "momentum": 0.9}),
    ("nesterov", {"lr": 0.05, "momentum": 0.9}),
    ("adam", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01}),
]


def make_trainer(optimizer="adam", hyper=None, batch_size=7, sizes=(2, 8, 6, 1), rewind=None) -> Trainer:
    data = make_dataset("spiral", n=120, noise=0.1, test_fraction=0.25, seed=1)
    net = Network(list(sizes), activations="tanh", seed=3)
    trainer = Trainer(net, make_optimizer(optimizer, **(hyper or {"lr": 0.01})), data, batch_size=batch_size, seed=4)
    if rewind is not None:  # a history with keyframes several updates apart, so that replays are exercised
        trainer.rewind = rewind
        trainer.reset()
    return trainer


def everything(trainer: Trainer) -> tuple:
    """The whole state an update reads, as bytes."""
    opt = trainer.optimizer
    return (
        trainer.model.flat().tobytes(), trainer.step_count, trainer.epoch, trainer._cursor,
        trainer._order.tobytes(), repr(trainer._rng.bit_generator.state), opt.t,
        tuple((k, v.tobytes()) for k, v in opt.state.items()), tuple(opt.settings().items()), trainer.batch_size,
        tuple((k, v.tobytes()) for k, v in trainer.last_changes.items()), trainer.last_batch.tobytes(),
    )


@pytest.mark.parametrize("optimizer, hyper", OPTIMIZERS)
@pytest.mark.parametrize("batch_size", [None, 1, 7])
@pytest.mark.parametrize("every", [1, 5, 10])
def test_back_k_then_forward_k_is_bit_identical_to_never_going_back(optimizer, hyper, batch_size, every):
    n_params = 2 * 8 + 8 + 8 * 6 + 6 + 6 + 1
    rewind = Rewind(n_params, depth=200, budget=keyframe_bytes(n_params) * (200 // every + 2), least_every=1)
    assert rewind.every == every
    straight = make_trainer(optimizer, hyper, batch_size, rewind=rewind)
    straight.run(150)
    reached = everything(straight)

    twisty = make_trainer(optimizer, hyper, batch_size,
                          rewind=Rewind(n_params, depth=200, budget=rewind.nbytes, least_every=1))
    twisty.run(70)
    for _ in range(3):  # the phase path and the fast path both leave keyframes
        twisty.next_phase()
        twisty.step()
    twisty.run(77)
    assert everything(twisty) == reached

    twisty.back(1)
    twisty.forward(1)
    assert everything(twisty) == reached
    twisty.back(123)
    assert twisty.step_count == 27
    twisty.forward(123)
    assert everything(twisty) == reached
    twisty.seek(40)
    twisty.run(110)  # a new step after stepping back just recomputes: the same numbers as a replay
    assert everything(twisty) == reached
    straight.run(20)
    twisty.run(20)
    assert everything(twisty) == everything(straight)


def test_a_restored_update_is_the_state_it_had_then():
    trainer = make_trainer("momentum", {"lr": 0.05, "momentum": 0.9}, batch_size=9)
    states = [everything(trainer)]
    for _ in range(40):
        trainer.step()
        states.append(everything(trainer))
    for target in (39, 12, 0, 25, 40):
        trainer.seek(target)
        assert everything(trainer) == states[target], target


def test_stepping_back_drops_the_loss_log_and_trajectory_after_that_update():
    trainer = make_trainer(batch_size=None)
    trainer.record_every = 1
    trainer.run(30)
    trainer.back(12)
    assert trainer.step_count == 18
    assert trainer.history.steps[-1] == 18
    assert (np.diff(trainer.history.steps) > 0).all()
    assert trainer.trajectory.steps.max() <= 18
    assert trainer.history_range == (0, 30)
    trainer.forward(12)
    assert trainer.history.steps[-1] == 30


def test_changed_settings_after_stepping_back_start_a_new_branch_with_those_settings():
    trainer = make_trainer("sgd", {"lr": 0.1}, batch_size=None)
    trainer.run(20)
    trainer.back(10)
    assert trainer.history_range == (0, 20)
    trainer.optimizer.lr = 0.05
    trainer.step()
    assert trainer.history_range == (0, 11)  # the kept updates ahead were for η = 0.1: dropped
    with pytest.raises(ValueError, match="steps: there is no kept update ahead"):
        trainer.forward(1)

    fresh = make_trainer("sgd", {"lr": 0.1}, batch_size=None)
    fresh.run(10)
    fresh.optimizer.lr = 0.05
    fresh.step()
    assert everything(trainer) == everything(fresh)


def test_stepping_back_over_a_settings_change_restores_the_settings_of_the_time_and_replays_them():
    trainer = make_trainer("adam", {"lr": 0.01}, batch_size=5)
    straight = make_trainer("adam", {"lr": 0.01}, batch_size=5)
    for t in (trainer, straight):
        t.run(15)
        t.optimizer.lr = 0.003
        t.batch_size = 11
        t.run(15)
    trainer.seek(10)
    assert trainer.optimizer.lr == 0.01 and trainer.batch_size == 5
    trainer.seek(30)
    assert everything(trainer) == everything(straight)


def test_a_phase_under_way_is_abandoned_by_the_first_step_back_and_phases_work_after_it():
    trainer = make_trainer(batch_size=4)
    trainer.run(5)
    at_five = everything(trainer)
    trainer.next_phase()
    trainer.next_phase()
    trainer.back(1)
    assert not trainer.in_update and everything(trainer) == at_five
    trainer.back(2)
    kinds = [trainer.next_phase().kind for _ in range(trainer.model.n_layers + 2)]
    assert kinds == ["forward", "backward", "backward", "backward", "update"]
    assert trainer.step_count == 4


def test_a_diverged_run_can_step_back_to_before_it_diverged():
    data = make_dataset("circle", n=40, noise=0.1, test_fraction=0.0, seed=1)
    net = Network([2, 1], activations="linear", seed=3)
    trainer = Trainer(net, make_optimizer("sgd", lr=50.0), data, batch_size=None)
    trainer.run(2000)
    assert trainer.diverged
    trainer.back(trainer.step_count - 1)
    assert trainer.diverged is None and np.isfinite(trainer.model.flat()).all()


def test_out_of_range_steps_are_refused_with_the_range_in_the_message():
    trainer = make_trainer(batch_size=None)
    trainer.rewind = Rewind(trainer.model.n_params, depth=10, budget=keyframe_bytes(trainer.model.n_params) * 12,
                            least_every=1)
    trainer.reset()
    trainer.run(40)
    first, last = trainer.history_range
    assert last == 40 and 0 < first <= 30  # at least the depth asked for, not everything
    with pytest.raises(ValueError, match=rf"step: the history goes back to update {first}"):
        trainer.seek(first - 1)
    with pytest.raises(ValueError, match="step: only updates up to 40"):
        trainer.seek(41)
    with pytest.raises(ValueError, match="steps: expected a whole number"):
        trainer.back(0)
    trainer.seek(first)
    assert trainer.step_count == first


def test_memory_is_bounded_for_the_largest_network_a_session_allows_and_keeps_a_thousand_updates():
    settings = Settings()
    sizes = [2, *[settings.max_neurons] * settings.max_hidden_layers, 3]  # three spirals: three outputs
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    capacity, every = plan(n_params)
    rewind = Rewind(n_params)
    assert rewind.nbytes <= BUDGET_BYTES
    assert (capacity - 2) * every >= DEPTH
    small = Rewind(37)  # the default 2-4-4-1: a keyframe every 10 updates, 102 of them, 118 KB
    assert small.every == 10 and small.nbytes == 102 * keyframe_bytes(37)

    data = make_dataset("spiral3", n=60, noise=0.1, test_fraction=0.0, seed=1)
    net = Network(sizes, activations="relu", loss="softmax_ce", seed=2)
    trainer = Trainer(net, make_optimizer("adam", lr=0.001), data, batch_size=10, seed=3)
    trainer.run(DEPTH + 3 * every)
    first, last = trainer.history_range
    assert last - first >= DEPTH
    reached = everything(trainer)
    trainer.seek(first)
    trainer.seek(last)
    assert everything(trainer) == reached
