"""The loss landscape: slices that are exact, and honest about what they show."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Network, Trainer, make_dataset, make_optimizer, make_preset, quartic
from engine.batched_loss import naive_losses, plane_losses
from engine.directions import Plane, filter_normalise, layer_views, pca_plane, random_plane
from engine.landscape import (
    parameter_surface,
    pca_surface,
    random_surface,
    surface_for,
    trainer_path,
)
from engine.profile import curve_profile, parameter_profile, profile_for

# float32 surfaces of losses of order 1: a few units in the 7th digit
ATOL, RTOL = 1e-5, 1e-5


def trained(sizes=(2, 4, 3, 1), activations="tanh", loss="mse", dataset="circle", steps=30, **options):
    data = make_dataset(dataset, n=120, noise=0.1, test_fraction=0.5, seed=1)
    net = Network(list(sizes), activations=activations, loss=loss, seed=2)
    trainer = Trainer(net, make_optimizer("sgd", lr=0.2), data, **options)
    trainer.run(steps)
    return trainer


def net_loss_at(net: Network, X, T, theta) -> float:
    saved = net.flat()
    net.set_flat(theta)
    try:
        return net.loss(X, T)
    finally:
        net.set_flat(saved)


NETWORKS = [
    ((2, 4, 3, 1), "tanh", "mse", "circle"),
    ((2, 5, 1), "sigmoid", "bce", "xor"),
    ((2, 6, 4, 1), ["relu", "relu", "linear"], "mse", "plane"),
    ((2, 5, 3), "tanh", "softmax_ce", "spiral3"),
    ((2, 3, 1), ["leaky_relu", "linear"], "mse", "multi_gauss"),
]


# -- every grid value is net.loss ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["parameters", "random", "pca"])
@pytest.mark.parametrize("sizes, activations, loss, dataset", NETWORKS)
def test_a_grid_value_equals_net_loss_with_those_weights_set(kind, sizes, activations, loss, dataset):
    trainer = trained(sizes, activations, loss, dataset)
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    options = {"p1": ("weight", 0, 1, 0), "p2": ("bias", 0, 2)} if kind == "parameters" else {}
    surface = surface_for(trainer, kind, resolution=9, **options)
    assert surface.loss.shape == (9, 9) and surface.loss.dtype == np.float32
    for i, j in [(0, 0), (8, 0), (2, 7), (5, 3), (8, 8)]:  # i along alpha, j along beta
        theta = surface.plane.point([surface.alpha[i], surface.beta[j]])
        assert surface.loss[j, i] == pytest.approx(net_loss_at(net, X, T, theta), rel=RTOL, abs=ATOL)


@pytest.mark.parametrize("sizes, activations, loss, dataset", NETWORKS)
def test_a_slice_through_any_one_layer_equals_net_loss(sizes, activations, loss, dataset):
    trainer = trained(sizes, activations, loss, dataset)
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    for layer in range(net.n_layers):  # only the layers from the moved one on are recomputed
        p1, p2 = ("weight", layer, 0, 0), ("bias", layer, net.sizes[layer + 1] - 1)
        surface = parameter_surface(net, X, T, p1, p2, resolution=4, span=1.5)
        for i, j in [(0, 3), (2, 1)]:
            theta = surface.plane.point([surface.alpha[i], surface.beta[j]])
            assert surface.loss[j, i] == pytest.approx(net_loss_at(net, X, T, theta), rel=RTOL, abs=ATOL)


@settings(max_examples=25, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    activation=st.sampled_from(["tanh", "sigmoid", "relu", "leaky_relu", "linear"]),
    seed=st.integers(0, 1000),
    coords=st.lists(st.tuples(st.floats(-2, 2), st.floats(-2, 2)), min_size=1, max_size=5),
)
def test_batched_losses_equal_the_naive_loop_for_any_network_and_plane(hidden, activation, seed, coords):
    net = Network([2, *hidden, 1], activations=activation, loss="mse", seed=seed)
    rng = np.random.default_rng(seed)
    X, T = rng.uniform(-1, 1, (17, 2)), rng.uniform(-1, 1, (17, 1))
    plane = Plane(net.flat(), rng.normal(0, 0.5, (2, net.n_params)))
    loss, _ = plane_losses(net, X, T, plane, np.array(coords), chunk_bytes=17 * 8 * 4 * 2)  # 2-point chunks
    expected = naive_losses(net, X, T, plane.point(np.array(coords)))
    np.testing.assert_allclose(loss, expected, rtol=1e-4, atol=1e-5)


def test_the_chunk_size_does_not_change_the_values():
    trainer = trained()
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    one_by_one = random_surface(net, X, T, resolution=7, chunk_bytes=1)
    default = random_surface(net, X, T, resolution=7)
    # Not bit for bit: OpenBLAS picks its float32 kernel by CPU and by matrix shape, and a chunk of another
    # size is another shape, so a value may differ in its last bits (1 ulp seen: 0.4207320213 vs 0.4207319915).
    # 1e-5 is a few dozen float32 ulps; a point computed in the wrong chunk or place is off by far more.
    np.testing.assert_allclose(one_by_one.loss, default.loss, rtol=1e-5, atol=0)
    assert not np.allclose(one_by_one.loss, one_by_one.loss.T, rtol=1e-5, atol=0), "the check can tell points apart"


def test_a_surface_leaves_the_network_as_it_was():
    trainer = trained()
    before = trainer.model.flat()
    for kind in ("parameters", "random", "pca"):
        surface_for(trainer, kind, resolution=5)
    np.testing.assert_array_equal(trainer.model.flat(), before)


# -- two chosen parameters -----------------------------------------------------------------------------


def test_the_two_weight_slice_puts_the_current_weights_exactly_at_the_current_point():
    trainer = trained()
    net = trainer.model
    surface = surface_for(trainer, "parameters", p1=("weight", 1, 2, 0), p2=("bias", 1, 1), resolution=5)
    assert surface.current.tolist() == [net.weights[1][2, 0], net.biases[1][1]]
    np.testing.assert_array_equal(surface.plane.point(surface.current), net.flat())
    assert surface.current_loss == net.loss(trainer.X_train, trainer.T_train)
    np.testing.assert_array_equal(surface.project(net.flat()), surface.current)


def test_the_projected_path_of_a_two_weight_slice_is_the_recorded_values_of_those_weights():
    trainer = trained(steps=40)
    net = trainer.model
    surface = surface_for(trainer, "parameters", p1=("weight", 0, 0, 2), p2=("weight", 2, 1, 0))
    steps, rows = trainer_path(trainer)
    columns = [net.flat_index("weight", 0, 0, 2), net.flat_index("weight", 2, 1, 0)]
    np.testing.assert_array_equal(surface.path, rows[:, columns])
    np.testing.assert_array_equal(surface.path_steps, steps)
    assert surface.path_steps[0] == 0 and surface.path_steps[-1] == trainer.step_count


def test_the_two_weight_slice_says_it_moves_with_the_other_weights():
    trainer = trained()
    surface = surface_for(trainer, "parameters", resolution=5)
    assert "moves as the other weights move" in surface.caveat
    assert surface.axis_labels[0] == "w from x₁ to h₁⁽¹⁾"


def test_a_span_derived_from_the_path_holds_the_path_and_the_current_point_with_a_margin():
    trainer = trained(steps=60)
    surface = surface_for(trainer, "pca", resolution=5, margin=0.25)
    for axis, values in enumerate((surface.alpha, surface.beta)):
        low, high = surface.path[:, axis].min(), surface.path[:, axis].max()
        assert values[0] <= low - 0.25 * (high - low) + 1e-12
        assert values[-1] >= high + 0.25 * (high - low) - 1e-12
        assert values[0] <= surface.current[axis] <= values[-1]


def test_a_numeric_span_is_a_half_width_around_the_current_point():
    trainer = trained()
    surface = surface_for(trainer, "parameters", span=0.5, resolution=5)
    ends = [surface.alpha[0], surface.alpha[-1]]
    np.testing.assert_allclose(ends, surface.current[0] + np.array([-0.5, 0.5]))
    np.testing.assert_allclose(surface.beta[2], surface.current[1])


# -- the worked example of one linear neuron: the surface is the whole truth ---------------------------


def linear_neuron_surface(cases: int):
    preset = make_preset(f"linear_neuron_{cases}")
    net, data = preset.model, preset.data
    span = [(-2.0, 3.0), (-3.0, 2.0)]
    surface = parameter_surface(
        net, data.X_train, data.y_train, ("weight", 0, 0, 0), ("weight", 0, 1, 0), span=span, resolution=51
    )
    w1, w2 = np.meshgrid(surface.alpha, surface.beta)  # (B, A), as the loss
    return surface, w1, w2


def test_one_case_gives_the_parabolic_trough_half_w1_plus_w2_squared():
    surface, w1, w2 = linear_neuron_surface(1)
    np.testing.assert_allclose(surface.loss, 0.5 * (w1 + w2) ** 2, rtol=RTOL, atol=ATOL)
    floor = np.isclose(w1 + w2, 0.0)
    assert floor.sum() > 10 and np.allclose(surface.loss[floor], 0.0, atol=ATOL)  # the floor is a whole line


def test_two_cases_give_a_bowl_with_one_minimum():
    surface, w1, w2 = linear_neuron_surface(2)
    # E = mean of 1/2 (w1 + w2 - 0)^2 and 1/2 (w1 - 1)^2: a bowl whose bottom is w1 = 1, w2 = -1.
    np.testing.assert_allclose(surface.loss, 0.25 * ((w1 + w2) ** 2 + (w1 - 1) ** 2), rtol=RTOL, atol=ATOL)
    j, i = np.unravel_index(np.argmin(surface.loss), surface.loss.shape)
    assert (surface.alpha[i], surface.beta[j]) == pytest.approx((1.0, -1.0))
    assert surface.accuracy is None  # regression targets


# -- random, filter-normalised planes ------------------------------------------------------------------


@pytest.mark.parametrize("bias", ["zero", "filter"])
def test_filter_normalisation_gives_each_filter_the_norm_of_the_weights_filter(bias):
    net = trained(sizes=(2, 6, 4, 3), dataset="spiral3", loss="softmax_ce").model
    theta = net.flat()
    direction = filter_normalise(net, np.random.default_rng(5).standard_normal(theta.size), theta, bias)
    for (d_w, d_b), (w, b) in zip(layer_views(net, direction), layer_views(net, theta), strict=True):
        if bias == "zero":
            np.testing.assert_allclose(np.linalg.norm(d_w, axis=0), np.linalg.norm(w, axis=0))
            assert not d_b.any()
        else:
            filter_norm = np.hypot(np.linalg.norm(d_w, axis=0), d_b)  # (column, bias) as one vector
            np.testing.assert_allclose(filter_norm, np.hypot(np.linalg.norm(w, axis=0), b))


def test_untrained_biases_get_no_direction_and_zero_filters_stay_zero():
    preset = make_preset("worked_222")  # biases held fixed
    net = preset.model
    net.weights[1][:, 0] = 0.0
    plane = random_plane(net, seed=3, bias="filter")
    for d in plane.directions:
        (_, b0), (w1, b1) = layer_views(net, d)
        assert not b0.any() and not b1.any()
        assert not w1[:, 0].any()


def test_a_random_plane_is_seeded_and_centred_on_the_weights():
    trainer = trained()
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    a, b = random_surface(net, X, T, seed=7, resolution=5), random_surface(net, X, T, seed=7, resolution=5)
    np.testing.assert_array_equal(a.plane.directions, b.plane.directions)
    other = random_surface(net, X, T, seed=8, resolution=5)
    assert not np.array_equal(a.plane.directions, other.plane.directions)
    np.testing.assert_allclose(a.current, [0.0, 0.0], atol=1e-12)
    assert (a.alpha[0], a.alpha[-1]) == (-1.0, 1.0)  # Li et al.'s span


def test_points_project_back_to_their_coordinates_on_any_plane():
    trainer = trained()
    surface = surface_for(trainer, "random", resolution=5)
    coords = np.array([[0.3, -0.2], [1.5, 0.25]])
    np.testing.assert_allclose(surface.project(surface.plane.point(coords)), coords, atol=1e-12)
    np.testing.assert_allclose(surface.plane.distance(surface.plane.point(coords)), 0.0, atol=1e-12)


# -- the plane of the trajectory -----------------------------------------------------------------------


def test_pca_explained_variance_lies_between_0_and_1():
    path = np.random.default_rng(0).standard_normal((30, 12)).cumsum(axis=0)
    _, shares = pca_plane(path)
    assert np.all((shares >= 0) & (shares <= 1)) and 0 < shares.sum() < 1
    assert shares[0] >= shares[1]


def test_pca_of_a_trajectory_in_a_plane_explains_all_of_it():
    rng = np.random.default_rng(1)
    origin, u, v = rng.standard_normal((3, 20))
    a, b = rng.standard_normal((2, 15))
    path = origin + a[:, None] * u + b[:, None] * v
    plane, shares = pca_plane(path)
    assert shares.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(plane.point(plane.project(path)), path, atol=1e-10)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)


def test_pca_of_a_straight_path_completes_the_plane_with_an_orthogonal_direction():
    rng = np.random.default_rng(2)
    start, step = rng.standard_normal((2, 9))
    plane, shares = pca_plane(start + np.arange(6)[:, None] * step)
    np.testing.assert_allclose(shares, [1.0, 0.0])
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)


def test_the_pca_surface_is_centred_on_the_current_weights_with_the_path_on_it():
    trainer = trained(steps=50)
    surface = surface_for(trainer, "pca", resolution=5)
    np.testing.assert_allclose(surface.current, [0.0, 0.0], atol=1e-12)
    assert surface.path.shape == (len(surface.path_steps), 2)
    assert 0 <= surface.explained.sum() <= 1 + 1e-12
    assert f"{surface.explained.sum():.0%}" in surface.description


def test_the_path_includes_the_current_weights_when_the_log_skipped_them():
    trainer = trained(steps=11, trajectory_size=4)  # the log keeps one update in every few
    steps, rows = trainer_path(trainer)
    assert steps[-1] == 11 and np.array_equal(rows[-1], trainer.model.flat())
    assert np.all(np.diff(steps) > 0)


def test_a_diverged_run_has_no_surface_but_keeps_its_finite_path():
    trainer = trained(steps=5)
    trainer.model.weights[0][0, 0] = np.inf  # as a too large learning rate would leave it
    trainer.run(1)
    assert trainer.diverged
    steps, rows = trainer_path(trainer)
    assert np.isfinite(rows).all() and steps.tolist() == [0, 1, 2, 3, 4, 5]
    for kind in ("parameters", "random", "pca"):
        with pytest.raises(ValueError, match="^weights:"):
            surface_for(trainer, kind, resolution=3)


# -- accuracy ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes, activations, loss, dataset", NETWORKS)
def test_accuracy_is_the_share_classed_right_for_classification_and_absent_for_regression(
    sizes, activations, loss, dataset
):
    trainer = trained(sizes, activations, loss, dataset)
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    surface = surface_for(trainer, "random", resolution=3)
    if trainer.data.kind == "regression":
        assert surface.accuracy is None
        return
    theta = surface.plane.point([surface.alpha[2], surface.beta[0]])
    saved = net.flat()
    net.set_flat(theta)
    o = net.predict(X)
    net.set_flat(saved)
    if T.shape[1] > 1:
        right = o.argmax(axis=1) == T.argmax(axis=1)
    else:
        threshold = 0.5 if net.target_encoding == "01" else 0.0
        right = (o[:, 0] > threshold) == (T[:, 0] > threshold)
    assert surface.accuracy[0, 2] == pytest.approx(right.mean(), abs=1e-6)


# -- one parameter -------------------------------------------------------------------------------------


def test_the_curve_profile_is_f_with_the_descent_iterates_on_it():
    preset = make_preset("curve")
    trainer = Trainer(preset.model, preset.optimizer, preset.data)
    trainer.run(2)
    profile = profile_for(trainer, span=[(-1.5, 4.5)])
    np.testing.assert_array_equal(profile.loss, quartic(profile.x))
    np.testing.assert_allclose(profile.path, [4.0, 3.888, 3.888 - 0.001 * (4 * 3.888**3 - 9 * 3.888**2)])
    np.testing.assert_array_equal(profile.path_loss, quartic(profile.path))
    assert profile.kind == "curve" and profile.current == trainer.model.x
    assert curve_profile(trainer.model, span=[(-1.5, 4.5)]).loss.tolist() == profile.loss.tolist()


@pytest.mark.filterwarnings("error")  # overflow past the last finite iterate is expected, not warned about
def test_a_diverged_curve_run_gives_non_finite_losses_on_its_profile_without_warnings():
    preset = make_preset("curve")
    trainer = Trainer(preset.model, make_optimizer("sgd", lr=0.06), preset.data, batch_size=preset.batch_size)
    while not trainer.diverged:  # the learning-rate lesson's last step: diverges at update 8
        trainer.step()
    profile = profile_for(trainer, span=[(-3.0, 6.5)])
    assert np.isfinite(profile.loss).all()  # the curve itself, on the screen's span
    assert np.isfinite(profile.path_loss[:7]).all() and not np.isfinite(profile.path_loss[7:]).any()
    np.testing.assert_array_equal(profile.path_loss[:7], quartic(profile.path[:7]))


def test_a_one_weight_profile_is_net_loss_along_that_weight():
    trainer = trained(steps=20)
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    steps, rows = trainer_path(trainer)
    profile = parameter_profile(net, X, T, ("weight", 1, 3, 2), resolution=11, path=rows, steps=steps)
    k = net.flat_index("weight", 1, 3, 2)
    np.testing.assert_array_equal(profile.path, rows[:, k])
    for x, loss in zip(profile.x, profile.loss, strict=True):
        theta = net.flat()
        theta[k] = x
        assert loss == pytest.approx(net_loss_at(net, X, T, theta), rel=1e-12, abs=1e-12)
    assert profile.current == net.weights[1][3, 2]
    assert "moves as the other weights move" in profile.caveat


# -- errors name the argument --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, name",
    [
        ({"p1": ("weight", 5, 0, 0)}, "p1"),
        ({"p1": ("weight", 0, 2, 0)}, "p1"),
        ({"p2": ("bias", 0, 9)}, "p2"),
        ({"p2": ("bias", 0)}, "p2"),
        ({"p1": ("neuron", 0, 0)}, "p1"),
        ({"p1": "weight"}, "p1"),
        ({"p1": ("weight", 0, 0, 1), "p2": ("weight", 0, 0, 1)}, "p2"),
        ({"resolution": 1}, "resolution"),
        ({"resolution": 1000}, "resolution"),
        ({"resolution": 2.5}, "resolution"),
        ({"resolution": True}, "resolution"),
        ({"span": -1.0}, "span"),
        ({"span": [(1.0, 0.0), (0.0, 1.0)]}, "span"),
        ({"span": [(0.0, 1.0)]}, "span"),
        ({"span": "wide"}, "span"),
    ],
)
def test_bad_parameter_slice_options_raise_value_errors_naming_the_argument(options, name):
    trainer = trained(steps=3)
    with pytest.raises(ValueError, match=f"^{name}:"):
        surface_for(trainer, "parameters", **options)


def test_other_bad_arguments_raise_value_errors_naming_them():
    trainer = trained(steps=3)
    net, X, T = trainer.model, trainer.X_train, trainer.T_train
    cases = [
        (lambda: surface_for(trainer, "hills"), "kind"),
        (lambda: random_surface(net, X, T, bias="some"), "bias"),
        (lambda: random_surface(net, X, T, origin=np.zeros(3)), "origin"),
        (lambda: random_surface(net, X, T, origin=np.zeros(net.n_params)), "origin"),
        (lambda: pca_surface(net, X, T, net.flat()[None]), "trajectory"),
        (lambda: pca_surface(net, X, T, np.stack([net.flat()] * 3)), "trajectory"),
        (lambda: parameter_profile(net, X, T, ("bias", 2, 4)), "param"),
        (lambda: parameter_profile(net, X, T, resolution=0), "resolution"),
        (lambda: parameter_profile(net, X, T, path=np.zeros((3, net.n_params)), steps=[1, 2]), "steps"),
        (lambda: random_surface(net, X, T, resolution=5).project(np.zeros(4)), "thetas"),
        (lambda: plane_losses(net, X, T * 0.3, random_plane(net), [[0, 0]], accuracy=True), "accuracy"),
    ]
    for call, name in cases:
        with pytest.raises(ValueError, match=f"^{name}:"):
            call()
