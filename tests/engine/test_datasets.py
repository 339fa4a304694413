"""Seeded toy data: determinism, shapes, the split, noise, classes, target encodings and errors."""

import numpy as np
import pytest

from engine import DATASETS, Dataset, make_dataset

CLASSIFICATION = ["circle", "xor", "gauss", "spiral", "spiral3"]
REGRESSION = ["plane", "multi_gauss"]


def test_every_generator_is_listed():
    assert sorted(DATASETS) == sorted(CLASSIFICATION + REGRESSION)


@pytest.mark.parametrize("name", CLASSIFICATION + REGRESSION)
def test_the_same_seed_gives_the_same_points_and_another_seed_other_points(name):
    a = make_dataset(name, n=50, noise=0.3, seed=4)
    b = make_dataset(name, n=50, noise=0.3, seed=4)
    c = make_dataset(name, n=50, noise=0.3, seed=5)

    for part in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(a, part), getattr(b, part))
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("name", CLASSIFICATION + REGRESSION)
@pytest.mark.parametrize(
    ("n", "test_fraction", "n_test"), [(100, 0.3, 30), (101, 0.5, 50), (7, 0.0, 0), (2, 0.9, 1)]
)
def test_points_are_split_by_the_test_fraction(name, n, test_fraction, n_test):
    data = make_dataset(name, n=n, test_fraction=test_fraction, seed=1)

    assert data.X_train.shape == (n - n_test, 2) and data.X_test.shape == (n_test, 2)
    assert len(data.y_train) == n - n_test and len(data.y_test) == n_test
    assert data.X_train.dtype == np.float64 and data.n_inputs == 2


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_labels_are_class_indices_and_every_class_appears(name):
    data = make_dataset(name, n=90, noise=0.2, seed=3)
    labels = np.concatenate([data.y_train, data.y_test])

    assert data.kind == "classification" and data.y_train.ndim == 1
    assert sorted(set(labels)) == list(range(data.n_classes))
    assert data.n_classes == (3 if name == "spiral3" else 2)
    assert data.n_outputs == (3 if name == "spiral3" else 1)


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_targets_are_one_column(name):
    data = make_dataset(name, n=60, seed=3)

    assert data.kind == "regression" and data.n_classes == 0 and data.n_outputs == 1
    assert data.y_train.shape == (len(data.X_train), 1)
    assert np.array_equal(data.targets("pm1"), data.y_train)
    assert np.array_equal(data.targets("01"), data.y_train)


@pytest.mark.parametrize("name", CLASSIFICATION + REGRESSION)
def test_without_noise_points_stay_near_the_square(name):
    data = make_dataset(name, n=400, noise=0.0, seed=2)

    assert np.abs(data.X_train).max() <= 1.05 + 3 * 0.15 * (name == "gauss")


def test_the_shuffle_mixes_the_classes():
    data = make_dataset("gauss", n=200, seed=0)
    assert 0 < np.mean(data.y_train[:20]) < 1


# -- what noise does -------------------------------------------------------------------------------------


def test_without_noise_the_circle_is_one_disc_inside_one_ring():
    data = make_dataset("circle", n=200, noise=0.0, test_fraction=0.0, seed=1)
    r = np.hypot(*data.X_train.T)

    disc, ring = r[data.y_train == 1], r[data.y_train == 0]
    assert np.all(disc < 0.5) and np.all((ring >= 0.7) & (ring <= 1))
    assert np.sum(data.y_train == 1) == 100


def test_without_noise_xor_labels_are_the_sign_of_x1_times_x2_with_a_gap_at_the_axes():
    data = make_dataset("xor", n=200, noise=0.0, seed=1)

    assert np.all(np.abs(data.X_train) >= 0.05)
    assert np.array_equal(data.y_train, (data.X_train[:, 0] * data.X_train[:, 1] > 0).astype(int))


def test_without_noise_the_plane_is_exact_and_noise_scatters_it():
    exact = make_dataset("plane", n=300, noise=0.0, seed=1)
    noisy = make_dataset("plane", n=300, noise=1.0, seed=1)

    assert np.allclose(exact.y_train[:, 0], exact.X_train.sum(axis=1) / 2, rtol=0, atol=1e-15)
    residual = noisy.y_train[:, 0] - noisy.X_train.sum(axis=1) / 2
    assert 0.15 < residual.std() < 0.25  # noise level 1 adds N(0, 0.2²)


@pytest.mark.parametrize("name", ["gauss", "spiral", "spiral3", "multi_gauss"])
def test_more_noise_scatters_the_points_more(name):
    def spread(noise: float) -> float:
        data = make_dataset(name, n=400, noise=noise, seed=9)
        if data.kind == "regression":
            clean = make_dataset(name, n=400, noise=0.0, seed=9)
            return float(np.std(data.y_train - clean.y_train))
        per_class = [data.X_train[data.y_train == c] for c in range(data.n_classes)]
        return float(np.mean([np.linalg.norm(p - p.mean(axis=0), axis=1).mean() for p in per_class]))

    quiet, loud = spread(0.0), spread(1.0)

    assert loud > quiet


# -- target encodings ------------------------------------------------------------------------------------


def test_two_classes_encode_as_plus_minus_one_or_zero_one_or_one_hot():
    data = make_dataset("xor", n=40, seed=0)
    y = data.y_train

    assert np.array_equal(data.targets("pm1"), np.where(y == 1, 1.0, -1.0)[:, None])
    assert np.array_equal(data.targets("01"), y[:, None].astype(float))
    assert np.array_equal(data.targets("onehot"), np.column_stack([y == 0, y == 1]).astype(float))
    assert data.targets("01", "test").shape == (len(data.y_test), 1)


def test_three_classes_encode_one_hot_and_refuse_a_single_output():
    data = make_dataset("spiral3", n=30, seed=0)

    onehot = data.targets("onehot")

    assert onehot.shape == (len(data.y_train), 3) and np.array_equal(onehot.argmax(axis=1), data.y_train)
    assert np.array_equal(onehot.sum(axis=1), np.ones(len(onehot)))
    with pytest.raises(ValueError, match=r"^loss: 'spiral3' has 3 classes"):
        data.targets("pm1")


def test_given_cases_are_used_as_they_are():
    data = Dataset.given("pair", [[1.0, 1.0], [1.0, 0.0]], [[0.0], [1.0]])

    assert data.kind == "given" and data.n_outputs == 1 and len(data.X_test) == 0
    assert np.array_equal(data.targets("onehot"), [[0.0], [1.0]])


# -- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [({"name": "moons"}, "dataset"), ({"n": 1}, "n"), ({"n": 10.5}, "n"), ({"noise": -0.1}, "noise"),
     ({"noise": 1.5}, "noise"), ({"test_fraction": 1.0}, "test_fraction"),
     ({"test_fraction": -0.2}, "test_fraction")],
)
def test_bad_arguments_are_refused_by_name(kwargs, argument):
    with pytest.raises(ValueError, match=rf"^{argument}: "):
        make_dataset(**{"name": "circle", **kwargs})
