"""The optimizer race: each contestant's numbers are those of its optimizer run alone, bit for bit; the batches
are the same for all, in the same order; the plane stays fixed until asked again; the surface is the engine's."""

import numpy as np
import pytest

from engine import Network, Trainer, make_dataset, make_optimizer
from engine.batched_loss import naive_losses
from engine.race import Race, contestant_name

CONTESTANTS = [("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.05, "momentum": 0.9}), ("adam", {"lr": 0.01}),
               ("momentum", {"lr": 0.05, "momentum": 0.5})]


def setup():
    data = make_dataset("circle", n=40, noise=0.1, test_fraction=0.25, seed=3)
    net = Network([2, 5, 4, 1], activations="tanh", loss="mse", seed=2)
    return net, data


def optimizers(n=4):
    return [make_optimizer(name, **hp) for name, hp in CONTESTANTS[:n]]


@pytest.mark.parametrize("batch_size", [5, None])
def test_every_contestant_matches_its_optimizer_run_alone_bit_for_bit(batch_size):
    net, data = setup()
    race = Race(net, data, optimizers(), batch_size=batch_size, seed=11)
    race.run(37)
    race.step()  # the page's Step goes through the phases: the same arithmetic
    for k, (name, hp) in enumerate(CONTESTANTS):
        alone = Trainer(net.copy(), make_optimizer(name, **hp), data, batch_size=batch_size, seed=11)
        alone.run(38)
        member = race.trainers[k]
        assert member.step_count == alone.step_count == 38
        assert member.model.flat().tobytes() == alone.model.flat().tobytes(), name
        assert member.losses() == alone.losses()  # train and test loss, exactly
        for key, vector in alone.optimizer.state.items():
            assert member.optimizer.state[key].tobytes() == vector.tobytes()


def test_contestants_start_from_the_same_weights_and_see_the_same_batches_in_the_same_order():
    net, data = setup()
    race = Race(net, data, optimizers(3), batch_size=7, seed=5)
    starts = {t.model.flat().tobytes() for t in race.trainers}
    assert starts == {net.flat().tobytes()}
    for _ in range(20):  # crosses several epochs: each reshuffle is the same for all
        race.run(1)
        batches = [t.last_batch.tolist() for t in race.trainers]
        assert all(b == batches[0] for b in batches)
        assert len({t.step_count for t in race.trainers}) == 1  # lockstep
    # And they did not all move alike: the race compares different rules.
    assert len({t.model.flat().tobytes() for t in race.trainers}) == 3


def test_a_diverged_contestant_stops_and_the_others_go_on():
    data = make_dataset("plane", n=40, noise=0.1, test_fraction=0.25, seed=3)  # a linear network: no saturation
    net = Network([2, 4, 1], activations="linear", loss="mse", seed=2)
    race = Race(net, data, [make_optimizer("sgd", lr=100.0), make_optimizer("sgd", lr=0.05)], batch_size=None)
    race.run(200)
    wild, calm = race.trainers
    assert wild.diverged is not None and calm.diverged is None
    assert calm.step_count == 200 and wild.step_count < 200
    assert race.step_count == 200 and not race.finished


def test_the_plane_stays_fixed_while_training_and_changes_only_when_asked():
    net, data = setup()
    race = Race(net, data, optimizers(2), batch_size=5)
    plane = race.set_plane("random", seed=4)
    origin, directions = plane.origin.copy(), plane.directions.copy()
    race.run(30)
    first = race.surface(resolution=12)
    race.run(30)
    second = race.surface(resolution=12)
    assert race.plane is plane
    assert first.plane.origin.tobytes() == second.plane.origin.tobytes() == origin.tobytes() == net.flat().tobytes()
    assert second.plane.directions.tobytes() == directions.tobytes()
    # The earlier part of every path keeps its coordinates: the plane did not move under it.
    for k in range(2):
        m = len(first.paths[k])
        # The same projection; solved for more points at once, LAPACK may round the last bit otherwise.
        np.testing.assert_allclose(second.paths[k][: m - 1], first.paths[k][: m - 1], rtol=1e-12, atol=1e-15)
        assert np.array_equal(second.paths[k][0], [0.0, 0.0])  # every path starts at the common start
    ends = race.set_plane("endpoints", through=(0, 1))
    assert ends is not plane and race.plane is ends
    np.testing.assert_array_equal(ends.directions[0], race.trainers[0].model.flat() - net.flat())
    race.run(10)
    assert race.plane is ends  # recomputed only when asked


def test_the_endpoint_plane_puts_the_two_contestants_at_its_unit_points():
    net, data = setup()
    race = Race(net, data, optimizers(3), batch_size=5)
    race.run(25)
    race.set_plane("endpoints", through=(2, 0))
    s = race.surface(resolution=10)
    # Least squares on a non-orthogonal basis: exact up to rounding of the 2 × 2 solve.
    np.testing.assert_allclose(s.current[2], [1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(s.current[0], [0.0, 1.0], atol=1e-9)
    assert s.path_distance[2][-1] < 1e-9 and s.path_distance[1][-1] > 0
    assert "Adam" in s.axis_labels[0] and "gradient descent" in s.axis_labels[1]


def test_the_surface_is_the_loss_at_each_grid_point_and_holds_every_path():
    net, data = setup()
    race = Race(net, data, optimizers(2), batch_size=5)
    race.run(40)
    race.set_plane("random", seed=1)
    s = race.surface(resolution=9)
    t = race.trainers[0]
    a, b = np.meshgrid(s.alpha, s.beta)
    thetas = race.plane.point(np.stack([a.ravel(), b.ravel()], axis=1))
    reference = naive_losses(t.model, t.X_train, t.T_train, thetas).reshape(9, 9)
    # The surface is float32 (a picture), computed in float32 chunks: equal to float32 precision.
    np.testing.assert_allclose(s.loss, reference, rtol=1e-4, atol=1e-6)
    for path in s.paths:
        assert s.alpha[0] <= path[:, 0].min() and path[:, 0].max() <= s.alpha[-1]
        assert s.beta[0] <= path[:, 1].min() and path[:, 1].max() <= s.beta[-1]
    assert [len(p) for p in s.paths] == [len(st) for st in s.path_steps]
    assert s.path_steps[0][0] == 0 and s.path_steps[0][-1] == 40


def test_plain_errors_name_the_field():
    net, data = setup()
    with pytest.raises(ValueError, match="contestants: a race has 2 to 4"):
        Race(net, data, optimizers(1))
    opt = make_optimizer("sgd", lr=0.1)
    with pytest.raises(ValueError, match="contestants: each contestant needs an optimizer of its own"):
        Race(net, data, [opt, opt])
    race = Race(net, data, optimizers(2))
    with pytest.raises(ValueError, match="plane: choose"):
        race.surface()
    with pytest.raises(ValueError, match="through: the two contestants have not moved"):
        race.set_plane("endpoints")
    with pytest.raises(ValueError, match=r"through\[1\]: expected a contestant 0..1"):
        race.set_plane("endpoints", through=(0, 3))
    with pytest.raises(ValueError, match="plane: expected one of"):
        race.set_plane("pca")


def test_contestants_are_named_in_plain_words():
    assert contestant_name(make_optimizer("momentum", lr=0.03, momentum=0.9)) == "momentum η=0.03 α=0.9"
    assert contestant_name(make_optimizer("adam", lr=0.01)) == "Adam η=0.01 β₁=0.9"
    assert contestant_name(make_optimizer("sgd", lr=0.1, weight_decay=0.01)) == "gradient descent η=0.1 λ=0.01"
