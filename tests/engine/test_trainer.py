"""The trainer: observable phases, batch modes, determinism, reset, divergence and bounded logs."""

import warnings

import numpy as np
import pytest

from engine import DivergedError, Network, Trainer, make_dataset, make_optimizer


def make_trainer(
    batch_size: int | None = 4,
    seed: int = 0,
    net_seed: int = 1,
    n: int = 30,
    optimizer: str = "momentum",
    sizes: tuple[int, ...] = (2, 4, 3, 1),
    **kwargs,
) -> Trainer:
    data = make_dataset("circle", n=n, noise=0.1, test_fraction=0.2, seed=7)
    net = Network(list(sizes), activations="tanh", loss="mse", seed=net_seed)
    hp = {"lr": 0.1, "momentum": 0.9} if optimizer == "momentum" else {"lr": 0.1}
    return Trainer(net, make_optimizer(optimizer, **hp), data, batch_size=batch_size, seed=seed, **kwargs)


def state(trainer: Trainer) -> tuple:
    return (
        trainer.model.flat().tobytes(), trainer.step_count, trainer.epoch, trainer.epoch_progress,
        trainer.history.steps.tobytes(), trainer.history.rows.tobytes(), trainer.trajectory.rows.tobytes(),
    )


# -- phases ------------------------------------------------------------------------------------------------


def test_an_update_walks_forward_then_backward_from_the_output_layer_down_then_update():
    trainer = make_trainer()

    phases = []
    while not phases or phases[-1].kind != "update":
        phases.append(trainer.next_phase())

    assert [(p.kind, p.layer) for p in phases] == [
        ("forward", None), ("backward", 2), ("backward", 1), ("backward", 0), ("update", None)
    ]
    assert {p.step for p in phases} == {1}
    assert ["".join("d" if d is not None else "." for d in p.delta) for p in phases] == [
        "...", "..d", ".dd", "ddd", "ddd"
    ]


def test_the_weights_change_only_in_the_update_phase():
    trainer = make_trainer()
    start = trainer.model.flat()

    for expected_kind in ["forward", "backward", "backward", "backward"]:
        assert trainer.next_phase().kind == expected_kind
        assert np.array_equal(trainer.model.flat(), start) and trainer.step_count == 0 and trainer.in_update
    update = trainer.next_phase()

    assert update.kind == "update" and trainer.step_count == 1 and not trainer.in_update
    assert not np.array_equal(trainer.model.flat(), start)
    assert sorted(update.changes) == [f"{kind}[{l}]" for kind in ("biases", "weights") for l in range(3)]
    assert np.allclose(trainer.model.flat() - start, np.concatenate(
        [update.changes[f"{k}[{l}]"].ravel() for l in range(3) for k in ("weights", "biases")]
    ), rtol=1e-12, atol=1e-15)


def test_the_backward_phases_hold_the_same_numbers_as_a_whole_backward_pass():
    trainer = make_trainer()
    net = trainer.model.copy()

    forward = trainer.next_phase()
    update = trainer.step()

    X, T = trainer.X_train[forward.batch], trainer.T_train[forward.batch]
    grads = net.backward(net.forward(X), T)
    for l in range(net.n_layers):
        assert np.array_equal(update.delta[l], grads.delta[l])
        assert np.array_equal(update.grad_weights[l], grads.weights[l])
        assert np.array_equal(update.grad_biases[l], grads.biases[l])
    assert update.batch_loss == net.loss(X, T)


def test_step_after_a_partial_update_finishes_that_update():
    partial, whole = make_trainer(), make_trainer()

    partial.next_phase()
    partial.next_phase()
    update = partial.step()
    whole.step()

    assert update.kind == "update" and update.step == 1 and partial.step_count == 1
    assert state(partial) == state(whole)


def test_runs_in_pieces_equal_one_run_even_when_the_weights_are_edited_between_them():
    pieces, whole = make_trainer(batch_size=None), make_trainer(batch_size=None)

    pieces.run(4)
    pieces.model.weights[0][0, 0] += 0.5  # a run must not reuse a forward pass from before this edit
    pieces.run(4)
    whole.run(4)
    whole.model.weights[0][0, 0] += 0.5
    for _ in range(4):
        whole.step()

    assert state(pieces) == state(whole)


def test_run_after_a_partial_update_finishes_it_first_and_counts_it():
    partial, whole = make_trainer(), make_trainer()

    partial.next_phase()
    done = partial.run(5)
    whole.run(5)

    assert done == 5 and state(partial) == state(whole)


@pytest.mark.parametrize(
    ("batch_size", "record_every"), [(None, None), (None, 3), (1, None), (4, None), (7, 2)]
)
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_run_n_equals_n_step_calls_bit_for_bit(batch_size, record_every, optimizer):
    fast = make_trainer(batch_size, optimizer=optimizer, record_every=record_every)
    slow = make_trainer(batch_size, optimizer=optimizer, record_every=record_every)

    assert fast.run(37) == 37
    for _ in range(37):
        last = slow.step()

    assert state(fast) == state(slow)
    for name, change in fast.last_changes.items():
        assert np.array_equal(change, slow.last_changes[name])
    # What a frame shows while playing: the run's last update, as the step that made it would show it.
    assert_same_phase(fast.last_phase, last)


def assert_same_phase(kept, stepped) -> None:
    assert (kept.kind, kept.step, kept.layer, kept.batch_loss) == (stepped.kind, stepped.step, stepped.layer,
                                                                   stepped.batch_loss)
    assert np.array_equal(kept.batch, stepped.batch)
    assert np.array_equal(kept.weights_before, stepped.weights_before)
    for kept_arrays, stepped_arrays in [
        (kept.trace.net, stepped.trace.net), (kept.trace.o, stepped.trace.o), (kept.delta, stepped.delta),
        (kept.grad_weights, stepped.grad_weights), (kept.grad_biases, stepped.grad_biases),
    ]:
        assert len(kept_arrays) == len(stepped_arrays)
        assert all(np.array_equal(a, b) for a, b in zip(kept_arrays, stepped_arrays, strict=True))
    assert kept.changes.keys() == stepped.changes.keys()
    assert all(np.array_equal(kept.changes[k], stepped.changes[k]) for k in kept.changes)
    before, after = kept.optimizer_before, stepped.optimizer_before
    assert {k: v for k, v in before.items() if k != "state"} == {k: v for k, v in after.items() if k != "state"}
    assert all(np.array_equal(before["state"][k], after["state"][k]) for k in after["state"])


def test_a_run_shows_its_last_update_until_the_trainer_rests():
    trainer = make_trainer()
    trainer.run(6)
    shown = trainer.last_phase
    assert shown.kind == "update" and shown.step == 6 and not trainer.in_update
    weights, biases = trainer.model.unflat(shown.weights_before)
    for l in range(trainer.model.n_layers):  # old + Δw = new, as the frame's old → new says
        np.testing.assert_allclose(weights[l] + shown.changes[f"weights[{l}]"], trainer.model.weights[l], rtol=0,
                                   atol=1e-15)  # w + Δw is how the optimizer moved them; 1 ulp of rounding
        np.testing.assert_allclose(biases[l] + shown.changes[f"biases[{l}]"], trainer.model.biases[l], rtol=0,
                                   atol=1e-15)
    trainer.rest()
    assert trainer.last_phase is None  # at rest: the next update is what is shown

    trainer.next_phase()  # an update under way is not let go of
    trainer.rest()
    assert trainer.last_phase is not None and trainer.in_update


def test_a_run_cut_short_by_divergence_shows_no_update():
    trainer = diverging_trainer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = trainer.run(1000)
    assert done < 1000 and trainer.last_phase is None


# -- batch modes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 2, 3, 4, 5, 7, 23])
def test_mini_batches_cover_every_example_once_per_epoch(batch_size):
    trainer = make_trainer(batch_size)
    n = trainer.n_train
    assert n == 24

    orders = []
    for epoch in range(3):
        batches = [trainer.step().batch for _ in range(trainer.updates_per_epoch)]
        assert trainer.epoch == epoch + 1 and trainer.epoch_progress == epoch + 1
        assert all(len(b) == batch_size for b in batches[:-1]) and 1 <= len(batches[-1]) <= batch_size
        seen = np.concatenate(batches)
        assert sorted(seen) == list(range(n))
        orders.append(seen)

    assert trainer.updates_per_epoch == -(-n // batch_size)
    if batch_size < n:
        assert not np.array_equal(orders[0], orders[1])  # reshuffled each epoch


def test_stochastic_learning_takes_one_example_per_update():
    trainer = make_trainer(batch_size=1)

    phase = trainer.step()

    assert len(phase.batch) == 1 and trainer.updates_per_epoch == trainer.n_train
    assert trainer.epoch_progress == pytest.approx(1 / trainer.n_train)


@pytest.mark.parametrize("batch_size", [None, 24, 100])
def test_full_batch_learning_takes_every_example_in_order_each_update(batch_size):
    trainer = make_trainer(batch_size)

    phases = [trainer.step() for _ in range(3)]

    assert trainer.batch_size is None and trainer.updates_per_epoch == 1 and trainer.epoch == 3
    assert all(list(p.batch) == list(range(trainer.n_train)) for p in phases)


def test_a_new_batch_size_takes_effect_at_the_next_batch():
    trainer = make_trainer(batch_size=4)
    trainer.step()

    trainer.batch_size = 5
    phase = trainer.step()

    assert len(phase.batch) == 5 and trainer.epoch_progress == pytest.approx(9 / 24)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "4"])
def test_a_bad_batch_size_is_refused_by_name(bad):
    with pytest.raises(ValueError, match=r"^batch_size: "):
        make_trainer(batch_size=bad)


# -- determinism and reset ---------------------------------------------------------------------------------


def test_the_same_seed_and_calls_give_bit_identical_weights():
    a, b = make_trainer(batch_size=3, seed=4), make_trainer(batch_size=3, seed=4)

    for trainer in (a, b):
        trainer.run(10)
        trainer.next_phase()
        trainer.step()
        trainer.optimizer.lr = 0.05
        trainer.run(17)

    assert state(a) == state(b)


def test_a_different_shuffling_seed_gives_different_weights():
    a, b = make_trainer(batch_size=3, seed=4), make_trainer(batch_size=3, seed=5)

    a.run(10)
    b.run(10)

    assert not np.array_equal(a.model.flat(), b.model.flat())


def test_a_different_network_seed_gives_different_starting_weights():
    assert not np.array_equal(make_trainer(net_seed=1).model.flat(), make_trainer(net_seed=2).model.flat())
    assert np.array_equal(make_trainer(net_seed=1).model.flat(), make_trainer(net_seed=1).model.flat())


def test_reset_restores_the_initial_weights_and_replays_identically():
    trainer = make_trainer(batch_size=5)
    initial = trainer.model.flat()
    fresh = state(trainer)
    trainer.run(12)
    first_run = state(trainer)
    trainer.next_phase()

    trainer.reset()

    assert np.array_equal(trainer.model.flat(), initial)
    assert state(trainer) == fresh and not trainer.in_update and trainer.last_phase is None
    trainer.run(12)
    assert state(trainer) == first_run


def test_reset_after_the_weights_were_edited_by_hand_still_returns_to_the_start():
    trainer = make_trainer()
    initial = trainer.model.flat()

    trainer.model.weights[0][:] = 9.0
    trainer.reset()

    assert np.array_equal(trainer.model.flat(), initial)


# -- divergence --------------------------------------------------------------------------------------------


def diverging_trainer() -> Trainer:
    data = make_dataset("plane", n=40, seed=3)
    net = Network([2, 6, 1], activations="linear", loss="mse", seed=3)
    return Trainer(net, make_optimizer("sgd", lr=100.0), data, batch_size=None)


def test_a_huge_learning_rate_sets_diverged_with_a_message_and_does_not_crash():
    trainer = diverging_trainer()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings leak out either
        done = trainer.run(1000)

    assert done < 1000 and done == trainer.step_count
    assert trainer.diverged is not None
    assert "diverged" in trainer.diverged and "learning rate" in trainer.diverged
    assert trainer.history.steps[-1] == trainer.step_count  # the fatal update is logged


def test_after_divergence_the_next_step_raises_until_reset():
    trainer = diverging_trainer()
    trainer.run(1000)

    with pytest.raises(DivergedError, match="diverged"):
        trainer.step()
    with pytest.raises(DivergedError):
        trainer.next_phase()
    assert trainer.run(5) == 0

    trainer.reset()
    assert trainer.diverged is None and trainer.step().kind == "update"


def test_divergence_in_step_mode_is_caught_at_the_update():
    trainer = diverging_trainer()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        while trainer.diverged is None:
            trainer.step()

    with pytest.raises(DivergedError):
        trainer.step()


# -- logs --------------------------------------------------------------------------------------------------


def test_history_and_trajectory_stay_bounded_over_a_long_run():
    trainer = make_trainer(batch_size=None, record_every=1, history_size=16, trajectory_size=10)

    trainer.run(1000)

    assert trainer.history.size <= 16 and trainer.trajectory.size <= 10
    # Both still span the whole run from its start, evenly, their newest row at most one stride old.
    for log in (trainer.history, trainer.trajectory):
        assert log.steps[0] == 0 and log.steps[-1] > 1000 - log.stride
        assert set(np.diff(log.steps)) == {log.stride}
    assert trainer.trajectory.rows.shape == (trainer.trajectory.size, trainer.model.n_params)


def test_the_history_logs_train_and_test_loss_once_per_epoch_by_default():
    trainer = make_trainer(batch_size=6)

    trainer.run(12)

    assert list(trainer.history.steps) == [0, 4, 8, 12]
    assert tuple(trainer.history.rows[-1]) == trainer.losses()


def test_the_history_logs_every_so_many_updates_when_asked():
    trainer = make_trainer(batch_size=6, record_every=3)

    trainer.run(10)

    assert list(trainer.history.steps) == [0, 3, 6, 9]


def test_the_trajectory_holds_the_starting_parameters_then_those_after_each_update():
    trainer = make_trainer()
    start = trainer.model.flat()

    trainer.run(3)

    assert list(trainer.trajectory.steps) == [0, 1, 2, 3]
    assert np.array_equal(trainer.trajectory.rows[0], start)
    assert np.array_equal(trainer.trajectory.rows[-1], trainer.model.flat())


def test_since_gives_only_what_was_recorded_after_a_sequence_number():
    trainer = make_trainer(batch_size=None, record_every=1)
    trainer.run(5)
    seen = trainer.history.recorded

    trainer.run(3)
    steps, rows = trainer.history.since(seen)

    assert list(steps) == [6, 7, 8]
    assert np.array_equal(rows, trainer.history.rows[-3:])


def test_without_a_test_set_the_test_loss_is_nan():
    data = make_dataset("gauss", n=20, test_fraction=0.0, seed=1)
    trainer = Trainer(Network([2, 2, 1], seed=0), make_optimizer("sgd", lr=0.1), data)

    train_loss, test_loss = trainer.losses()

    assert np.isfinite(train_loss) and np.isnan(test_loss)


# -- looking closer ----------------------------------------------------------------------------------------


def test_a_phases_neurons_for_one_example_match_that_example_alone():
    trainer = make_trainer(batch_size=5)
    net = trainer.model.copy()

    update = trainer.step()

    for k, index in enumerate(update.batch):
        trace = net.forward(trainer.X_train[index : index + 1])
        grads = net.backward(trace, trainer.T_train[index : index + 1])
        neurons = update.neurons(k)
        # Each kind's layers one after another: net and o of every layer of neurons, δ of every layer reached.
        assert np.allclose(neurons["net"], np.concatenate([a[0] for a in trace.net]), rtol=1e-13, atol=1e-15)
        assert np.allclose(neurons["o"], np.concatenate([a[0] for a in trace.o]), rtol=1e-13, atol=1e-15)
        assert neurons["reached"] == (0, 1, 2)
        assert np.allclose(neurons["delta"], np.concatenate([d[0] for d in grads.delta]), rtol=1e-12, atol=1e-15)


def test_a_phases_neurons_without_an_example_are_the_batch_means():
    trainer = make_trainer(batch_size=5)

    forward = trainer.next_phase()
    neurons = forward.neurons()

    # The same bits as each layer's own mean: the page's numbers agree with any other mean of the same layer.
    assert np.array_equal(neurons["o"], np.concatenate([o.mean(axis=0) for o in forward.trace.o]))
    assert np.array_equal(neurons["net"], np.concatenate([n.mean(axis=0) for n in forward.trace.net]))
    assert neurons["reached"] == () and neurons["delta"].size == 0

    backward = trainer.next_phase()  # the output layer's δ only
    neurons = backward.neurons()
    assert neurons["reached"] == (2,)
    assert np.array_equal(neurons["delta"], backward.delta[2].mean(axis=0))


def test_per_example_gradients_match_that_example_alone_and_average_to_the_batch_gradient():
    trainer = make_trainer(batch_size=None)
    net = trainer.model
    X, T = trainer.X_train[:6], trainer.T_train[:6]
    grads = net.backward(net.forward(X), T)

    per_example = [grads.for_example(k) for k in range(6)]

    for k, (gw, gb) in enumerate(per_example):
        alone = net.backward(net.forward(X[k : k + 1]), T[k : k + 1])
        for l in range(net.n_layers):
            assert np.allclose(gw[l], alone.weights[l], rtol=1e-12, atol=1e-15)
            assert np.allclose(gb[l], alone.biases[l], rtol=1e-12, atol=1e-15)
    for l in range(net.n_layers):
        assert np.allclose(np.mean([gw[l] for gw, _ in per_example], axis=0), grads.weights[l], rtol=1e-12)
        assert np.allclose(np.mean([gb[l] for _, gb in per_example], axis=0), grads.biases[l], rtol=1e-12)


def test_example_gives_the_forward_and_backward_of_one_training_case():
    trainer = make_trainer()

    trace, grads = trainer.example(3)

    assert trace.o[0].shape == (1, 2) and np.array_equal(trace.o[0][0], trainer.X_train[3])
    assert [d.shape for d in grads.delta] == [(1, 4), (1, 3), (1, 1)]
    with pytest.raises(ValueError, match=r"^example: "):
        trainer.example(trainer.n_train)


# -- errors ------------------------------------------------------------------------------------------------


def test_data_with_the_wrong_number_of_inputs_or_outputs_is_refused_by_name():
    data = make_dataset("circle", n=20, seed=0)
    with pytest.raises(ValueError, match=r"^sizes: the data has 2 inputs, the network 3"):
        Trainer(Network([3, 1]), make_optimizer("sgd"), data)
    with pytest.raises(ValueError, match=r"^sizes: the data needs 1 outputs, the network has 2"):
        Trainer(Network([2, 2]), make_optimizer("sgd"), data)
