"""The references the benchmarks time the engine against must compute what the engine computes: a speed-up
over a loop that does other work would be no figure at all."""

from __future__ import annotations

import numpy as np
import pytest
from benchfiles import BENCH, load

from engine import Network, make_dataset
from engine.batched_loss import naive_losses


@pytest.mark.parametrize(("sizes", "activations", "loss"), [
    ([2, 8, 8, 1], "tanh", "mse"),  # the bench's own network
    ([2, 5, 2], "relu", "softmax_ce"),  # a softmax output and an activation that is not a ufunc
    ([2, 4, 1], "sigmoid", "bce"),
])
def test_the_float32_naive_loop_gives_the_engines_losses(sizes, activations, loss):
    landscape = load(BENCH / "landscape.py")
    data = make_dataset("circle" if sizes[-1] == 1 else "xor", n=200, noise=0.1, test_fraction=0.5, seed=3)
    net = Network(sizes, activations=activations, loss=loss, seed=4)
    X, T = data.X_train, data.targets(net.target_encoding)
    rng = np.random.default_rng(5)
    thetas = net.flat() + rng.normal(0.0, 0.5, (12, net.n_params))
    expected = naive_losses(net, X, T, thetas)
    got = landscape.naive_losses_f32(net, X, T, thetas)
    # float32 rounds inputs, weights and each product to 24 bits; through three layers and a mean over 100
    # examples of losses of order 1 that stays within a few units in the 6th digit.
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_the_rnn_bench_per_step_loop_gives_the_engines_gradients():
    rnn_bench = load(BENCH / "rnn.py")
    from engine.rnn import RNN

    rnn = RNN(6, 5, seed=2, scale=0.5)
    rng = np.random.default_rng(3)
    inputs, targets, h0 = rng.integers(0, 6, 9), rng.integers(0, 6, 9), rng.normal(0, 0.5, 5)
    trace = rnn.forward(inputs, targets, h0)
    expected = rnn.backward(trace).grads
    loss, grads, h_last = rnn_bench.loop_gradients(rnn, inputs, targets, h0)
    # The same float64 sums, step by step against matrix products: equal to a few ulps.
    assert loss == pytest.approx(trace.loss, rel=1e-12)
    np.testing.assert_allclose(h_last, trace.h_last, rtol=1e-13)
    for name, g in expected.items():
        np.testing.assert_allclose(grads[name], g, rtol=1e-10, atol=1e-15)
