"""λmax and the limits on η (engine/curvature.py), against the dense Hessian made by finite differences of the
engine's exact gradient, on matrices whose eigenvalues are known, and against what descent actually does on a
bowl: just under the limit it settles, just over it it runs away."""

import warnings

import numpy as np
import pytest

from engine import Network, Trainer, make_optimizer, make_preset
from engine.curvature import (
    HessianProducts,
    curvature,
    divergence_note,
    limit_in_force,
    stability_limits,
    top_eigenvalue,
    trainer_curvature,
)
from engine.gradcheck import flat_gradient

EPS = 1e-5
# The dense Hessian by central differences of the exact gradient: truncation ~ EPS²·(third derivative) and
# rounding ~ 1e-16/EPS of the gradient's size: both below 1e-9 for these small networks; 1e-7 leaves room
# for another BLAS's order of sums.
FD_TOLERANCE = 1e-7


def dense_hessian(net: Network, X: np.ndarray, T: np.ndarray, weight_decay: float = 0.0) -> np.ndarray:
    """∂²E/∂θ² by central differences of backprop's gradient, over the trained parameters only."""
    theta, n = net.flat(), net.n_params
    H = np.zeros((n, n))
    for k in range(n):
        e = np.zeros(n)
        e[k] = EPS
        up, down = net.copy(), net.copy()
        up.set_flat(theta + e)
        down.set_flat(theta - e)
        H[:, k] = (flat_gradient(up, X, T) - flat_gradient(down, X, T)) / (2 * EPS)
    trained = HessianProducts(net, X, T).trained
    for l in range(net.n_layers):  # weight decay λ/2·Σw²: λ on the weights' diagonal
        start = net.flat_index("weight", l, 0, 0)
        H[np.arange(start, start + net.weights[l].size), np.arange(start, start + net.weights[l].size)] += weight_decay
    H = (H + H.T) / 2
    return H[np.ix_(trained, trained)], trained


def small_problem(sizes, activations, loss, seed=1, train_biases=True, n=20):
    net = Network(sizes, activations=activations, loss=loss, seed=seed, train_biases=train_biases)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    if loss == "softmax_ce":
        T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    elif loss == "bce":
        T = rng.integers(0, 2, (n, 1)).astype(float)
    else:
        T = rng.normal(size=(n, sizes[-1]))
    return net, X, T


PROBLEMS = [
    ([2, 3, 2], "tanh", "mse", True),
    ([2, 4, 1], "sigmoid", "bce", True),
    ([2, 4, 3], ["leaky_relu", "softmax"], "softmax_ce", True),
    ([2, 2, 2], "sigmoid", "mse", False),
    ([2, 3, 3, 1], ["tanh", "sigmoid", "linear"], "mse", True),
    ([3, 4, 2], ["relu", "tanh"], "mse", True),
]


@pytest.mark.parametrize("sizes,activations,loss,train_biases", PROBLEMS)
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_hessian_vector_products_equal_the_dense_hessian_from_differences_of_the_gradient(
    sizes, activations, loss, train_biases, weight_decay
):
    net, X, T = small_problem(sizes, activations, loss, train_biases=train_biases)
    H, trained = dense_hessian(net, X, T, weight_decay)
    products = HessianProducts(net, X, T, weight_decay)
    n = net.n_params
    Hv = np.column_stack([products(np.eye(n)[k]) for k in range(n)])
    assert np.all(Hv[~trained] == 0) and np.all(Hv[:, ~trained] == 0)  # a fixed bias is no variable
    Hv = Hv[np.ix_(trained, trained)]
    assert np.abs(Hv - H).max() <= FD_TOLERANCE * max(1.0, np.abs(H).max())
    assert np.abs(Hv - Hv.T).max() <= 1e-12 * max(1.0, np.abs(H).max())  # exact products are symmetric


@pytest.mark.parametrize("sizes,activations,loss,train_biases", PROBLEMS)
def test_lambda_max_is_the_largest_eigenvalue_of_the_dense_hessian(sizes, activations, loss, train_biases):
    net, X, T = small_problem(sizes, activations, loss, train_biases=train_biases)
    H, _ = dense_hessian(net, X, T)
    largest = np.linalg.eigvalsh(H).max()
    found = curvature(net, X, T, tol=1e-10, max_iter=20_000)
    assert found.converged
    assert found.lambda_max == pytest.approx(largest, rel=1e-6, abs=1e-9)
    # The stopping rule's promise: ρ ≤ λmax (a Rayleigh quotient) and an eigenvalue within the residual of it.
    eigenvalues = np.linalg.eigvalsh(H)
    assert np.min(np.abs(eigenvalues - found.lambda_max)) <= found.residual + FD_TOLERANCE


def test_a_negative_eigenvalue_larger_in_magnitude_does_not_fool_the_power_iteration():
    net = Network([1, 2, 1], activations="tanh", loss="mse", seed=1)
    rng = np.random.default_rng(1)
    net.set_flat(rng.normal(scale=2.0, size=net.n_params))
    X, T = rng.normal(size=(8, 1)), rng.normal(size=(8, 1)) * 2
    eigenvalues = np.linalg.eigvalsh(dense_hessian(net, X, T)[0])
    assert -eigenvalues.min() > 1.5 * eigenvalues.max() > 0  # the premise: a saddle curving down more than up
    found = curvature(net, X, T, tol=1e-10, max_iter=20_000)
    assert found.shifted
    assert found.lambda_max == pytest.approx(eigenvalues.max(), rel=1e-6)


@pytest.mark.parametrize("diagonal,largest", [
    ([-10.0, 3.0, 1.0], 3.0),  # the largest in magnitude is negative
    ([5.0, -5.0, 1.0], 5.0),  # +λ and −λ tie: plain power iteration never settles
    ([-1.0, -2.0, -0.5], -0.5),  # curving down everywhere: λmax < 0
    ([0.0, 0.0, 0.0], 0.0),
    ([4.0, 1.0, -3.0], 4.0),
])
def test_top_eigenvalue_of_matrices_with_known_eigenvalues(diagonal, largest):
    rotation = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))[0]
    H = rotation @ np.diag(diagonal) @ rotation.T
    found = top_eigenvalue(lambda v: H @ v, 3, tol=1e-12, max_iter=5000)
    assert found.lambda_max == pytest.approx(largest, abs=1e-9)


def test_the_iteration_cap_is_reported_and_the_estimate_stays_below_lambda_max():
    eigenvalues = np.array([1.0, 0.999, 0.5, 0.1])  # a tiny gap: slow to settle
    found = top_eigenvalue(lambda v: eigenvalues * v, 4, tol=1e-12, max_iter=5)
    assert not found.converged and found.products == 10  # 5 plain, then 5 shifted (in case a negative one led)
    assert found.lambda_max <= 1.0 + 1e-15
    assert np.min(np.abs(eigenvalues - found.lambda_max)) <= found.residual


def test_a_warm_start_needs_fewer_products_and_finds_an_eigenvalue_that_grew():
    net, X, T = small_problem([2, 6, 1], "tanh", "mse", n=50)
    first = curvature(net, X, T, tol=1e-8, max_iter=5000)
    again = curvature(net, X, T, start=first.vector, tol=1e-8, max_iter=5000)
    assert again.products < first.products
    assert again.lambda_max == pytest.approx(first.lambda_max, rel=1e-7)
    # Another eigenvector as the start (the loss has changed shape since): the true λmax still takes over.
    stale = np.linalg.eigh(dense_hessian(net, X, T)[0])[1][:, 0]
    assert curvature(net, X, T, start=stale, tol=1e-8, max_iter=5000).lambda_max == pytest.approx(
        first.lambda_max, rel=1e-6)


def test_the_curve_example_has_its_second_derivative_as_lambda_max():
    preset = make_preset("curve")
    found = curvature(preset.model, preset.data.X_train, np.zeros((1, 1)))
    assert found.lambda_max == 12 * 4.0**2 - 18 * 4.0  # f''(4) = 120
    assert stability_limits(found.lambda_max, "sgd")[0].eta_max == pytest.approx(2 / 120)


def test_the_222_example_curvature_is_over_its_weights_only():
    preset = make_preset("worked_222")
    trainer = Trainer(preset.model, preset.optimizer, preset.data)
    found = trainer_curvature(trainer, tol=1e-10, max_iter=5000)
    H, trained = dense_hessian(preset.model, trainer.X_train, trainer.T_train)
    assert trained.sum() == 8  # w1…w8; the biases are held fixed
    assert found.lambda_max == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-6)
    assert found.step == 0 and found.points == 1


# -- the limits: formulas, and what descent does on a bowl -------------------------------------------------

def bowl_trainer(optimizer: str, lr: float, momentum: float | None = None) -> tuple[Trainer, float]:
    """The two-case linear neuron: E is exactly quadratic, so λmax is the same everywhere."""
    preset = make_preset("linear_neuron_2")
    settings = {"lr": lr} | ({} if momentum is None else {"momentum": momentum})
    trainer = Trainer(preset.model, make_optimizer(optimizer, **settings), preset.data)
    return trainer, trainer_curvature(trainer, tol=1e-12, max_iter=5000).lambda_max


@pytest.mark.parametrize("optimizer,momentum", [("sgd", None), ("momentum", 0.9), ("momentum", 0.5),
                                                ("nesterov", 0.9), ("inertia", 0.6)])
def test_descent_on_a_bowl_settles_just_below_the_limit_and_runs_away_just_above(optimizer, momentum):
    _, lam = bowl_trainer("sgd", 0.1)
    limit = limit_in_force(lam, optimizer, momentum or 0.0)
    assert limit is not None and limit.eta_max is not None
    for factor, settles in ((0.97, True), (1.03, False)):
        trainer, _ = bowl_trainer(optimizer, limit.eta_max * factor, momentum)
        start = trainer.losses()[0]
        trainer.run(3000)
        loss = trainer.losses()[0]
        if settles:
            assert loss < 1e-6 * start, (optimizer, factor)
        else:
            assert trainer.diverged or loss > start, (optimizer, factor)


def test_the_limits_shown_for_each_optimizer():
    assert [x.rule for x in stability_limits(4.0, "sgd")] == ["gd"]
    gd, heavy = stability_limits(4.0, "momentum", 0.9)
    assert (gd.eta_max, heavy.eta_max) == (0.5, pytest.approx(0.95))
    assert heavy.formula == "η < 2(1 + α)/λmax"
    assert stability_limits(4.0, "nesterov", 0.5)[1].eta_max == pytest.approx(2 * 1.5 / 2 / 4)
    assert stability_limits(4.0, "inertia", 0.5)[1].eta_max == pytest.approx(2 * 1.5 / 0.5 / 4)
    assert stability_limits(4.0, "adam") == [] and limit_in_force(4.0, "rmsprop") is None
    assert stability_limits(-1.0, "sgd")[0].eta_max is None  # no upward curvature: no limit


def test_a_diverged_run_says_which_limit_the_eta_in_force_crossed():
    trainer, lam = bowl_trainer("momentum", 1.0, 0.9)
    trainer.curvature = trainer_curvature(trainer)
    trainer.optimizer.lr = 2.2 * (1 + 0.9) / lam
    trainer.run(5000)
    assert trainer.diverged is not None
    assert "was above the stability limit of momentum (heavy ball), η < 2(1 + α)/λmax" in trainer.diverged
    assert f"λmax = {trainer.curvature.lambda_max:.4g}, measured after update 0" in trainer.diverged


def test_the_divergence_note_for_an_eta_below_the_limit_and_for_adam():
    _, lam = bowl_trainer("sgd", 0.1)
    found = trainer_curvature(bowl_trainer("sgd", 0.1)[0])
    below = divergence_note(found, 0.5 / lam, "sgd")
    assert "was below the stability limit of plain gradient descent" in below and "curvature grew" in below
    assert "sets no limit on its η" in divergence_note(found, 1.0, "adam")


def test_non_finite_weights_have_no_curvature():
    net, X, T = small_problem([2, 3, 1], "tanh", "mse")
    net.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="weights: "):
        curvature(net, X, T)



@pytest.mark.parametrize("scale", [1e80, 1e150])
def test_weights_that_ran_away_have_their_curvature_refused_in_words_without_numpys_warnings(scale):
    # A diverging run's stability hint asks for λmax at huge but finite weights: E's second derivatives
    # overflow float64. The page gets the reason; the server's log gets no "overflow encountered" noise.
    net, X, T = small_problem([2, 3, 1], "relu", "mse")
    for w in net.weights:
        w *= scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning fails the test
        with pytest.raises(ValueError, match="weights: the curvature at these weights is too large to measure"):
            curvature(net, X, T)
