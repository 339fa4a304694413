"""The names a student reads: x₁ for inputs, h₁ per hidden layer, ŷ for outputs, weights by their ends."""

from __future__ import annotations

import pytest

from engine import Network, make_preset
from engine.names import bias_name, flat_label, flat_ref, names_for, neuron_name, param_label, weight_name


def test_one_hidden_layer_names_inputs_hidden_and_the_single_output():
    sizes = [2, 3, 1]
    assert [neuron_name(sizes, 0, j) for j in range(2)] == ["x₁", "x₂"]
    assert [neuron_name(sizes, 1, j) for j in range(3)] == ["h₁", "h₂", "h₃"]
    assert neuron_name(sizes, 2, 0) == "ŷ"


def test_several_hidden_layers_carry_their_layer_and_several_outputs_their_number():
    sizes = [2, 4, 4, 3]
    assert neuron_name(sizes, 1, 0) == "h₁⁽¹⁾"
    assert neuron_name(sizes, 2, 3) == "h₄⁽²⁾"
    assert neuron_name(sizes, 3, 2) == "ŷ₃"
    assert weight_name(sizes, 1, 0, 3) == "w from h₁⁽¹⁾ to h₄⁽²⁾"
    assert bias_name(sizes, 2, 1) == "b of ŷ₂"


def test_a_neuron_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="neuron"):
        neuron_name([2, 3, 1], 1, 3)


def test_the_worked_222_example_leads_with_its_textbook_names():
    net = make_preset("worked_222").model
    assert param_label(net, ("weight", 0, 0, 0)) == "w1 (w from x₁ to h₁)"
    assert param_label(net, ("weight", 0, 1, 0)) == "w2 (w from x₂ to h₁)"
    assert param_label(net, ("weight", 1, 0, 0)) == "w5 (w from h₁ to ŷ₁)"
    assert param_label(net, ("weight", 1, 1, 1)) == "w8 (w from h₂ to ŷ₂)"
    assert param_label(net, ("bias", 0, 1)) == "b of h₂"
    names = names_for(net)
    assert names["textbook"]["w:1:0:1"] == "w7" and names["neurons"][2] == ["ŷ₁", "ŷ₂"]
    assert names["templates"]["weight"].format(i="h₁", j="ŷ₁") == "w from h₁ to ŷ₁"


def test_the_curve_calls_its_one_parameter_x():
    net = make_preset("curve").model
    assert flat_label(net, 0) == "x"


def test_flat_positions_name_the_parameter_flat_index_points_at():
    net = Network([3, 4, 2], seed=0)
    for k in range(net.n_params):
        ref = flat_ref(net, k)
        assert net.flat_index(*ref) == k
    with pytest.raises(ValueError, match="k: "):
        flat_ref(net, net.n_params)


def test_no_array_name_reaches_any_label():
    net = Network([2, 4, 4, 3], activations="tanh", loss="mse", seed=1)
    text = str(names_for(net)) + " ".join(flat_label(net, k) for k in range(net.n_params))
    assert "weights[" not in text and "biases[" not in text and "neuron 0" not in text
    assert all(flat_label(net, k).startswith(("w from", "b of")) for k in range(net.n_params))
