"""The worked examples of NOTATION.md, reproduced to their printed digits by the engine itself."""

import numpy as np
import pytest

from engine import Network, Trainer, make_optimizer, make_preset, quartic, quartic_derivative


def trainer_for(name: str, **overrides) -> Trainer:
    preset = make_preset(name)
    return Trainer(preset.model, overrides.get("optimizer", preset.optimizer), preset.data, preset.batch_size)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- the 2-2-2 example ------------------------------------------------------------------------------------


def test_the_222_example_loads_the_printed_weights_and_biases():
    net = make_preset("worked_222").model
    w1, w3, w2, w4 = net.weights[0].ravel()
    w5, w7, w6, w8 = net.weights[1].ravel()
    assert (w1, w2, w3, w4, w5, w6, w7, w8) == (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)
    assert list(net.biases[0]) == [0.35, 0.35] and list(net.biases[1]) == [0.60, 0.60]
    assert net.activation_names == ["sigmoid", "sigmoid"] and net.loss_name == "mse"
    assert net.train_biases is False


def test_the_222_example_has_total_error_0_298371109_before_training():
    trainer = trainer_for("worked_222")

    train_loss, _ = trainer.losses()

    assert train_loss == pytest.approx(0.298371109, abs=5e-10)
    assert trainer.history.rows[0, 0] == train_loss


def test_the_222_forward_pass_gives_the_well_known_hidden_and_output_values():
    phase = trainer_for("worked_222").next_phase()

    assert phase.kind == "forward"
    h1, h2 = phase.trace.o[1][0]
    o1, o2 = phase.trace.o[2][0]
    assert h1 == pytest.approx(0.593269992, abs=5e-10)
    assert h2 == pytest.approx(0.596884378, abs=5e-10)
    assert o1 == pytest.approx(0.75136507, abs=5e-9)
    assert o2 == pytest.approx(0.772928465, abs=5e-10)


def test_one_update_of_the_222_example_gives_w5_0_35891648_and_w1_0_149780716():
    trainer = trainer_for("worked_222")
    net = trainer.model

    trainer.step()

    assert net.weights[1][0, 0] == pytest.approx(0.35891648, abs=5e-9)
    assert net.weights[0][0, 0] == pytest.approx(0.149780716, abs=5e-10)
    assert list(net.biases[0]) == [0.35, 0.35] and list(net.biases[1]) == [0.60, 0.60]


def test_the_error_after_the_first_update_is_0_2910277737():
    trainer = trainer_for("worked_222")

    trainer.step()

    assert trainer.losses()[0] == pytest.approx(0.2910277737, abs=5e-11)


def test_the_engine_takes_hidden_deltas_from_the_output_weights_before_the_update():
    trainer = trainer_for("worked_222")
    w_out = trainer.model.weights[1].copy()

    phases = [trainer.next_phase() for _ in range(4)]

    assert [(p.kind, p.layer) for p in phases] == [
        ("forward", None), ("backward", 1), ("backward", 0), ("update", None)
    ]
    h, o = phases[0].trace.o[1][0], phases[0].trace.o[2][0]
    delta_out = (o - [0.01, 0.99]) * o * (1 - o)
    assert np.allclose(phases[1].delta[1][0], delta_out, rtol=1e-14, atol=0)
    assert np.allclose(phases[2].delta[0][0], (w_out @ delta_out) * h * (1 - h), rtol=1e-14, atol=0)


def test_hidden_deltas_from_the_already_updated_output_weights_give_the_often_quoted_0_291027924():
    # The variant, done by hand: update the output layer first, then backpropagate through the new weights.
    net = make_preset("worked_222").model
    eta = 0.5
    x, t = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    h = sigmoid(x @ net.weights[0] + net.biases[0])
    o = sigmoid(h @ net.weights[1] + net.biases[1])
    delta_out = (o - t) * o * (1 - o)
    net.weights[1] -= eta * np.outer(h, delta_out)
    delta_hidden = (net.weights[1] @ delta_out) * h * (1 - h)
    net.weights[0] -= eta * np.outer(x, delta_hidden)

    variant_error = net.loss(x[None], t[None])

    assert variant_error == pytest.approx(0.291027924, abs=5e-10)
    assert variant_error != pytest.approx(0.2910277737, abs=5e-11)
    assert net.weights[1][0, 0] == pytest.approx(0.35891648, abs=5e-9)  # same output weights either way


# -- gradient descent on a curve ---------------------------------------------------------------------------


def test_descent_on_the_curve_starts_from_x_4_with_slope_112():
    trainer = trainer_for("curve")

    phases = [trainer.next_phase(), trainer.next_phase()]

    assert trainer.model.x == 4.0
    assert phases[1].grad_weights[0][0, 0] == 112.0
    assert quartic_derivative(4.0) == 112.0 and quartic(4.0) == 66.0
    assert phases[0].batch_loss == 66.0


def test_descent_on_the_curve_gives_x1_3_888_and_x2_about_3_789():
    trainer = trainer_for("curve")

    trainer.step()
    x1 = trainer.model.x
    trainer.step()
    x2 = trainer.model.x

    assert x1 == pytest.approx(3.888, abs=1e-12)
    assert x2 == pytest.approx(3.888 - 0.001 * (4 * 3.888**3 - 9 * 3.888**2), abs=1e-12)
    assert x2 == pytest.approx(3.788956403712, abs=1e-12)
    assert round(x2, 3) == 3.789


def test_descent_on_the_curve_converges_to_the_minimum_at_9_over_4():
    trainer = trainer_for("curve")

    trainer.run(3000)

    assert trainer.model.x == pytest.approx(9 / 4, abs=1e-9)
    assert trainer.losses()[0] == pytest.approx(quartic(9 / 4), abs=1e-12)
    assert make_preset("curve").notes["minimum"] == 9 / 4


def test_a_copy_of_the_curve_is_still_the_curve():
    curve = make_preset("curve").model

    twin = curve.copy()
    twin.weights[0][0, 0] = 9 / 4

    assert type(twin) is type(curve) and curve.x == 4.0
    assert twin.loss([[0.0]], [[0.0]]) == quartic(9 / 4)


def test_the_curve_takes_the_same_optimizers_as_a_network():
    trainer = trainer_for("curve", optimizer=make_optimizer("momentum", lr=0.001, momentum=0.5))

    trainer.step()
    trainer.step()

    x1 = 4.0 - 0.001 * 112.0
    assert trainer.model.x == pytest.approx(x1 - 0.001 * quartic_derivative(x1) + 0.5 * (x1 - 4.0), abs=1e-12)


# -- one linear neuron -------------------------------------------------------------------------------------


def error_surface(net: Network, X, T, w1s, w2s) -> np.ndarray:
    surface = np.empty((len(w1s), len(w2s)))
    for a, w1 in enumerate(w1s):
        for b, w2 in enumerate(w2s):
            net.weights[0][:, 0] = w1, w2
            surface[a, b] = net.loss(X, T)
    return surface


def test_one_linear_neuron_with_one_case_has_the_trough_one_half_w1_plus_w2_squared():
    preset = make_preset("linear_neuron_1")
    grid = np.linspace(-2, 2, 9)
    W1, W2 = np.meshgrid(grid, grid, indexing="ij")

    surface = error_surface(preset.model, preset.data.X_train, preset.data.y_train, grid, grid)

    assert np.allclose(surface, 0.5 * (W1 + W2) ** 2, rtol=1e-14, atol=1e-15)
    assert np.all(surface[W1 + W2 == 0] == 0.0)  # the floor is the whole line w1 + w2 = 0


def test_one_linear_neuron_with_one_case_slides_straight_down_into_the_trough():
    trainer = trainer_for("linear_neuron_1")
    w1, w2 = trainer.model.weights[0][:, 0]

    trainer.run(500)

    # The gradient (w1 + w2)(1, 1) never changes w1 - w2: descent stops at the nearest point of the floor.
    end = trainer.model.weights[0][:, 0]
    assert end == pytest.approx([(w1 - w2) / 2, (w2 - w1) / 2], abs=1e-12)
    assert trainer.losses()[0] < 1e-20


def test_a_second_case_turns_the_trough_into_a_bowl_with_one_minimum():
    preset = make_preset("linear_neuron_2")
    grid = np.linspace(-2, 2, 9)
    W1, W2 = np.meshgrid(grid, grid, indexing="ij")

    surface = error_surface(preset.model, preset.data.X_train, preset.data.y_train, grid, grid)

    # Cases (1, 1) -> 0 and (1, 0) -> 1; E is the mean of the two squared errors.
    assert np.allclose(surface, 0.25 * ((W1 + W2) ** 2 + (W1 - 1) ** 2), rtol=1e-14, atol=1e-15)
    low = np.unravel_index(np.argmin(surface), surface.shape)
    assert (grid[low[0]], grid[low[1]]) == (1.0, -1.0) and np.sum(surface == surface.min()) == 1


def test_descent_on_the_bowl_finds_its_minimum_at_1_and_minus_1():
    trainer = trainer_for("linear_neuron_2")

    trainer.run(5000)

    assert trainer.model.weights[0][:, 0] == pytest.approx([1.0, -1.0], abs=1e-9)
