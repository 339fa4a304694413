"""The network: shapes, the forward and backward maths in NOTATION.md's terms, parameters, and errors."""

import numpy as np
import pytest

from engine import ACTIVATIONS, LOSSES, Network, get_activation, make_preset


def batch(net: Network, n: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (n, net.sizes[0]))
    if net.loss_name == "softmax_ce":
        return X, np.eye(net.sizes[-1])[rng.integers(0, net.sizes[-1], n)]
    if net.loss_name == "bce":
        return X, rng.integers(0, 2, (n, net.sizes[-1])).astype(float)
    return X, rng.normal(0.0, 1.0, (n, net.sizes[-1]))


# -- shapes ------------------------------------------------------------------------------------------------


def test_weights_and_biases_are_shaped_layer_to_layer():
    net = Network([2, 8, 8, 1], activations=["tanh", "tanh", "tanh"], loss="mse", seed=0)

    assert [w.shape for w in net.weights] == [(2, 8), (8, 8), (8, 1)]
    assert [b.shape for b in net.biases] == [(8,), (8,), (1,)]
    assert all(a.dtype == np.float64 for a in [*net.weights, *net.biases])
    assert net.n_layers == 3 and net.n_params == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1


def test_the_forward_trace_keeps_net_and_o_for_every_layer_with_the_inputs_as_layer_0():
    net = Network([3, 4, 2], seed=1)
    X, _ = batch(net, 6)

    trace = net.forward(X)

    assert [a.shape for a in trace.net] == [a.shape for a in trace.o] == [(6, 3), (6, 4), (6, 2)]
    assert np.array_equal(trace.o[0], X) and trace.output is trace.o[-1]
    for l in (1, 2):
        assert np.allclose(trace.net[l], trace.o[l - 1] @ net.weights[l - 1] + net.biases[l - 1], rtol=1e-15)
        assert np.array_equal(trace.o[l], np.tanh(trace.net[l]))


def test_the_backward_pass_gives_deltas_per_example_and_gradients_shaped_like_the_parameters():
    net = Network([3, 4, 2], seed=1)
    X, T = batch(net, 6)

    grads = net.backward(net.forward(X), T)

    assert [d.shape for d in grads.delta] == [(6, 4), (6, 2)]
    assert [g.shape for g in grads.weights] == [w.shape for w in net.weights]
    assert [g.shape for g in grads.biases] == [b.shape for b in net.biases]


def test_backward_follows_the_delta_rule_of_notation_md():
    net = Network([3, 4, 2], activations="sigmoid", seed=2)
    X, T = batch(net, 5)
    trace = net.forward(X)

    grads = net.backward(trace, T)

    h, o = trace.o[1], trace.o[2]
    delta_out = (o - T) * o * (1 - o)  # (o_j − t_j) phi'(net_j)
    delta_hidden = (delta_out @ net.weights[1].T) * h * (1 - h)  # phi'(net_j) sum_l w_jl delta_l
    assert np.allclose(grads.delta[1], delta_out, rtol=1e-14, atol=0)
    assert np.allclose(grads.delta[0], delta_hidden, rtol=1e-14, atol=0)
    assert np.allclose(grads.weights[1], h.T @ delta_out / 5, rtol=1e-14, atol=0)  # mean of delta_j o_i
    assert np.allclose(grads.biases[0], delta_hidden.mean(axis=0), rtol=1e-14, atol=0)


def test_backward_layers_yields_the_output_layer_first():
    net = Network([2, 3, 3, 1], seed=0)
    X, T = batch(net)

    assert [l for l, *_ in net.backward_layers(net.forward(X), T)] == [2, 1, 0]


# -- activations and losses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_each_activations_derivative_matches_its_slope(name):
    phi = get_activation(name)
    net = np.array([-3.0, -1.2, -0.3, 0.2, 0.9, 2.5])
    h = 1e-6

    slope = (phi.value(net + h) - phi.value(net - h)) / (2 * h)

    assert np.allclose(phi.derivative(net, phi.value(net)), slope, rtol=1e-8, atol=1e-10)


def test_the_logistic_unit_is_accurate_and_never_overflows_far_from_zero():
    sigmoid = get_activation("sigmoid").value
    with np.errstate(over="raise", invalid="raise"):  # underflow to 0 is the right answer
        out = sigmoid(np.array([-800.0, -30.0, 0.0, 30.0, 800.0]))

    assert out[2] == 0.5 and out[4] == 1.0 and out[0] == 0.0
    assert out[1] == pytest.approx(np.exp(-30.0) / (1 + np.exp(-30.0)), rel=1e-15)
    assert sigmoid(np.array([1.7]))[0] == pytest.approx(1 / (1 + np.exp(-1.7)), rel=1e-15)


def test_softmax_is_a_distribution_even_for_huge_nets():
    softmax = get_activation("softmax").value

    out = softmax(np.array([[1000.0, 1001.0, 999.0], [0.0, 0.0, 0.0]]))

    assert np.allclose(out.sum(axis=1), 1.0, rtol=1e-15) and np.allclose(out[1], 1 / 3, rtol=1e-15)
    assert np.argmax(out[0]) == 1


def test_mse_is_one_half_the_squared_distance_averaged_over_the_batch():
    net = Network([2, 3, 2], seed=0)
    X, T = batch(net, 4)

    y = net.predict(X)

    assert net.loss(X, T) == pytest.approx(np.mean(0.5 * np.sum((y - T) ** 2, axis=1)), rel=1e-15)


def test_bce_is_the_binary_cross_entropy_of_the_logistic_output():
    net = Network([2, 3, 1], activations="tanh", loss="bce", seed=0)
    X, T = batch(net, 6)

    o = net.predict(X)

    assert net.loss(X, T) == pytest.approx(-np.mean(T * np.log(o) + (1 - T) * np.log(1 - o)), rel=1e-12)


def test_softmax_ce_is_minus_the_log_of_the_probability_of_the_right_class():
    net = Network([2, 3, 4], activations="relu", loss="softmax_ce", seed=0)
    X, T = batch(net, 6)

    o = net.predict(X)

    assert net.loss(X, T) == pytest.approx(-np.mean(np.log(o[T == 1])), rel=1e-12)


@pytest.mark.parametrize("loss", ["bce", "softmax_ce"])
def test_cross_entropy_output_delta_is_o_minus_t(loss):
    net = Network([2, 3, 1 if loss == "bce" else 3], loss=loss, seed=0)
    X, T = batch(net)
    trace = net.forward(X)

    assert np.array_equal(net.backward(trace, T).delta[-1], trace.output - T)


def test_bce_stays_finite_for_a_saturated_output():
    net = Network([1, 1], activations="linear", loss="bce")
    net.weights[0][:] = 1.0

    assert net.loss([[800.0]], [[0.0]]) == pytest.approx(800.0)
    assert net.loss([[800.0]], [[1.0]]) == 0.0


def test_the_registries_name_every_activation_and_loss():
    assert sorted(ACTIVATIONS) == ["leaky_relu", "linear", "relu", "sigmoid", "softmax", "tanh"]
    assert sorted(LOSSES) == ["bce", "mse", "softmax_ce"]


@pytest.mark.parametrize(
    ("activations", "loss", "encoding"),
    [("tanh", "mse", "pm1"), ("linear", "mse", "pm1"), ("sigmoid", "mse", "01"), ("tanh", "bce", "01"),
     ("tanh", "softmax_ce", "onehot")],
)
def test_the_target_encoding_follows_the_output_unit(activations, loss, encoding):
    assert Network([2, 3, 2], activations=activations, loss=loss).target_encoding == encoding


def test_one_activation_per_layer_may_be_given():
    net = Network([2, 3, 3, 1], activations=["relu", "tanh", "linear"])

    assert net.activation_names == ["relu", "tanh", "linear"]


# -- parameters --------------------------------------------------------------------------------------------


def test_weights_are_assignable_in_place_so_examples_load_exactly():
    net = Network([2, 2, 2], activations="sigmoid")

    net.weights[0][:] = [[0.15, 0.25], [0.20, 0.30]]

    assert net.weights[0][0, 1] == 0.25 and net.weights[0].dtype == np.float64


def test_flat_and_set_flat_round_trip_in_the_documented_order():
    net = Network([2, 3, 1], seed=4)
    flat = net.flat()

    assert np.array_equal(flat, np.concatenate([net.weights[0].ravel(), net.biases[0], net.weights[1].ravel(),
                                                net.biases[1]]))
    twin = Network([2, 3, 1], seed=5)
    twin.set_flat(flat)
    assert np.array_equal(twin.flat(), flat)

    weights, biases = twin.unflat(flat)  # views of the vector, shaped like the parameters
    for mine, theirs in zip((*net.weights, *net.biases), (*weights, *biases), strict=True):
        assert theirs.shape == mine.shape and np.array_equal(theirs, mine) and np.shares_memory(theirs, flat)


def test_flat_index_points_at_the_named_weight_or_bias():
    net = Network([2, 3, 2], seed=4)
    flat = net.flat()

    assert flat[net.flat_index("weight", 1, 2, 1)] == net.weights[1][2, 1]
    assert flat[net.flat_index("bias", 0, 2)] == net.biases[0][2]
    assert flat[net.flat_index("weight", 0, 1, 0)] == net.weights[0][1, 0]


def test_a_copy_is_independent_of_the_original():
    net = Network([2, 3, 1], seed=4)
    twin = net.copy()

    twin.weights[0][:] = 0.0

    assert not np.array_equal(net.weights[0], twin.weights[0])
    assert twin.activation_names == net.activation_names and twin.loss_name == net.loss_name


def test_mean_error_is_exactly_the_mean_of_the_per_example_errors():
    net = Network([2, 5, 3], seed=2)
    X, T = batch(net, 37)
    trace = net.forward(X)

    assert net.mean_error(trace, T) == float(net.errors(trace, T).mean()) == net.loss(X, T)


def test_the_same_seed_gives_the_same_initial_weights_and_biases_start_at_zero():
    a, b = Network([2, 5, 1], seed=3), Network([2, 5, 1], seed=3)

    assert np.array_equal(a.flat(), b.flat())
    assert all(not b.any() for b in a.biases)
    assert not np.array_equal(a.flat(), Network([2, 5, 1], seed=4).flat())


def test_presets_are_fresh_each_time():
    first = make_preset("worked_222")
    first.model.weights[0][:] = 0.0

    assert make_preset("worked_222").model.weights[0][0, 0] == 0.15


# -- errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[], [2], [2, 0, 1], [2, -1], [2, 2.5, 1], [2, "3", 1]])
def test_bad_sizes_are_refused_by_name(sizes):
    with pytest.raises(ValueError, match=r"^sizes: "):
        Network(sizes)


@pytest.mark.parametrize(
    ("activations", "loss", "message"),
    [("swish", "mse", "unknown activation 'swish'"),
     (["tanh"], "mse", "need one per layer"),
     (["tanh", "tanh", "tanh"], "mse", "need one per layer"),
     (["tanh", "tanh"], "bce", "needs a sigmoid output layer"),
     (["softmax", "softmax"], "softmax_ce", "only be the output"),
     ("softmax", "mse", "only be the output"),
     (["tanh", "softmax"], "mse", "needs loss 'softmax_ce'")],
)
def test_bad_activations_are_refused_by_name(activations, loss, message):
    with pytest.raises(ValueError, match=rf"^activations: .*{message}"):
        Network([2, 3, 2], activations=activations, loss=loss)


def test_an_unknown_loss_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^loss: unknown loss 'hinge'"):
        Network([2, 1], loss="hinge")


def test_an_unknown_preset_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^preset: unknown preset 'xor_222'"):
        make_preset("xor_222")


@pytest.mark.parametrize("X", [np.zeros((4, 3)), np.zeros(2), np.zeros((1, 2, 1))])
def test_inputs_of_the_wrong_shape_are_refused_by_name(X):
    with pytest.raises(ValueError, match=r"^X: expected shape \(batch, 2\)"):
        Network([2, 3, 1]).forward(X)


@pytest.mark.parametrize("T", [np.zeros((4, 2)), np.zeros((3, 1)), np.zeros(4)])
def test_targets_of_the_wrong_shape_are_refused_by_name(T):
    net = Network([2, 3, 1])
    trace = net.forward(np.zeros((4, 2)))

    with pytest.raises(ValueError, match=r"^T: expected shape \(4, 1\)"):
        net.backward(trace, T)
    with pytest.raises(ValueError, match=r"^T: "):
        net.loss(np.zeros((4, 2)), T)


def test_a_flat_vector_of_the_wrong_length_is_refused_by_name():
    net = Network([2, 3, 1])
    with pytest.raises(ValueError, match=r"^vector: expected shape \(13,\)"):
        net.set_flat(np.zeros(12))
    with pytest.raises(ValueError, match=r"^vector: expected shape \(13,\)"):
        net.unflat(np.zeros(14))


@pytest.mark.parametrize(
    ("args", "argument"),
    [(("weight", 2, 0, 0), "layer"), (("weight", 0, 2, 0), "index"), (("weight", 0, 0), "index"),
     (("bias", 1, 1), "index"), (("gain", 0, 0), "kind")],
)
def test_a_bad_parameter_position_is_refused_by_name(args, argument):
    with pytest.raises(ValueError, match=rf"^{argument}: "):
        Network([2, 3, 1]).flat_index(*args)


def test_a_softmax_output_needs_a_neuron_per_class():
    with pytest.raises(ValueError, match="^sizes: a softmax output"):
        Network([2, 3, 1], activations="tanh", loss="softmax_ce")


def test_flat_name_is_the_inverse_of_flat_index():
    net = Network([2, 3, 1], seed=0)
    for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                assert net.flat_name(net.flat_index("weight", l, i, j)) == f"weights[{l}][{i}, {j}]"
        for j in range(b.size):
            assert net.flat_name(net.flat_index("bias", l, j)) == f"biases[{l}][{j}]"
    with pytest.raises(ValueError, match="^k: "):
        net.flat_name(net.n_params)
