"""A trainer's state taken out and put back: the run goes on bit for bit as if it had never stopped."""

import io
import json

import numpy as np
import pytest

from engine import Network, Trainer, make_dataset, make_optimizer
from engine.snapshot import restore_trainer_state, trainer_state

HYPER = {"sgd": {"lr": 0.1}, "momentum": {"lr": 0.1, "momentum": 0.9}, "nesterov": {"lr": 0.05, "momentum": 0.9},
         "adam": {"lr": 0.01}, "rmsprop": {"lr": 0.01}, "inertia": {"lr": 0.1, "momentum": 0.5}}


def make_trainer(optimizer: str = "momentum", batch_size: int | None = 4, **kwargs) -> Trainer:
    data = make_dataset("circle", n=30, noise=0.1, test_fraction=0.2, seed=7)
    net = Network([2, 4, 3, 1], activations="tanh", loss="mse", seed=1)
    return Trainer(net, make_optimizer(optimizer, **HYPER[optimizer]), data, batch_size=batch_size, seed=5, **kwargs)


def through_plain_storage(state: dict) -> dict:
    """What a store does: arrays as .npy bytes (no pickle), everything else as JSON text."""
    arrays = {}

    def split(value, path):
        if isinstance(value, np.ndarray):
            buffer = io.BytesIO()
            np.save(buffer, value, allow_pickle=False)
            arrays[path] = buffer.getvalue()
            return {"__array__": path}
        if isinstance(value, dict):
            return {k: split(v, f"{path}.{k}") for k, v in value.items()}
        return value

    text = json.dumps(split(state, "state"))

    def join(value):
        if isinstance(value, dict) and "__array__" in value:
            return np.load(io.BytesIO(arrays[value["__array__"]]), allow_pickle=False)
        if isinstance(value, dict):
            return {k: join(v) for k, v in value.items()}
        return value

    return join(json.loads(text))


def as_bytes(arrays: dict) -> dict:
    return {k: v.tobytes() for k, v in arrays.items()}


def same_run(a: Trainer, b: Trainer) -> None:
    assert a.model.flat().tobytes() == b.model.flat().tobytes()
    assert a.step_count == b.step_count and a.epoch == b.epoch and a.epoch_progress == b.epoch_progress
    assert a.optimizer.t == b.optimizer.t
    assert as_bytes(a.optimizer.state) == as_bytes(b.optimizer.state)
    assert a.last_batch.tolist() == b.last_batch.tolist()
    assert as_bytes(a.last_changes) == as_bytes(b.last_changes)
    assert a.history.steps.tolist() == b.history.steps.tolist()
    assert a.history.rows.tobytes() == b.history.rows.tobytes()


@pytest.mark.parametrize("optimizer", sorted(HYPER))
@pytest.mark.parametrize("batch_size", [1, 4, None])
def test_save_restore_then_train_gives_the_same_weights_bit_for_bit(optimizer, batch_size):
    uninterrupted = make_trainer(optimizer, batch_size)
    uninterrupted.run(13)  # mid-epoch for mini-batches (8 updates an epoch of 30 examples in 4s)
    state = through_plain_storage(trainer_state(uninterrupted))

    restored = make_trainer(optimizer, batch_size)
    restore_trainer_state(restored, state)
    same_run(restored, uninterrupted)
    uninterrupted.run(21)  # across epoch ends: the shuffled order comes from the restored generator
    restored.run(21)
    same_run(restored, uninterrupted)
    # Stepping by hand and by phases gives the same as well.
    for t in (uninterrupted, restored):
        t.step()
        t.next_phase()
        t.step()
    same_run(restored, uninterrupted)


def test_live_setting_changes_and_reset_survive_the_round_trip():
    a = make_trainer("adam")
    a.run(5)
    a.optimizer.lr = 0.003
    a.batch_size = 7
    a.run(4)
    b = make_trainer("adam")
    restore_trainer_state(b, through_plain_storage(trainer_state(a)))
    assert b.optimizer.lr == 0.003 and b.batch_size == 7
    a.run(10)
    b.run(10)
    same_run(a, b)
    a.reset()
    b.reset()  # the starting weights came along: reset goes back to the same start
    same_run(a, b)


def test_a_stored_trajectory_is_thinned_to_its_budget_and_records_on_evenly():
    a = make_trainer(trajectory_size=64)
    a.run(200)
    row_bytes = 8 * a.model.n_params
    state = trainer_state(a, trajectory_bytes=10 * row_bytes)
    kept = state["trajectory"]["steps"]
    assert 5 <= len(kept) <= 10
    assert np.all(np.diff(np.diff(kept)) == 0), "evenly spaced, as the log itself thins"
    b = make_trainer(trajectory_size=64)
    restore_trainer_state(b, state)
    every = state["trajectory"]["stride"] // a.trajectory.stride
    assert every > 1 and b.trajectory.stride == state["trajectory"]["stride"]
    assert b.trajectory.rows.tobytes() == a.trajectory.rows[::every].tobytes()
    b.run(100)
    new = b.trajectory.steps[b.trajectory.steps > 200]
    assert len(new) and np.all(np.diff(new) == b.trajectory.stride), "new rows at the thinned log's pace"


def test_an_update_under_way_is_refused_and_a_state_for_another_setup_does_not_fit():
    a = make_trainer()
    a.next_phase()
    with pytest.raises(ValueError, match="under way"):
        trainer_state(a)
    a.step()
    state = trainer_state(a)
    with pytest.raises(ValueError, match="optimizer"):
        restore_trainer_state(make_trainer("adam"), state)
    data = make_dataset("circle", n=30, noise=0.1, test_fraction=0.2, seed=7)
    bigger = Trainer(Network([2, 5, 1], seed=1), make_optimizer("momentum"), data)
    with pytest.raises(ValueError, match="parameters"):
        restore_trainer_state(bigger, state)


def test_a_restored_run_steps_back_from_where_it_was_restored_bit_for_bit():
    a = make_trainer("momentum")
    a.run(13)
    b = make_trainer("momentum")
    restore_trainer_state(b, through_plain_storage(trainer_state(a)))
    assert b.history_range == (13, 13), "nothing before the restore can be returned to"
    a.run(9)
    b.run(9)
    a.back(4)
    b.back(4)
    same_run(a, b)
    assert b.history_range == (13, 22)
    a.forward(2)
    b.forward(2)
    same_run(a, b)
    with pytest.raises(ValueError, match="back to update 13"):
        b.seek(12)
