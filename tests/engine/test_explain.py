"""The explainer's terms equal an independent recomputation, the worked example's textbook figures, and the
numbers the trainer itself used; the update explained is the one a person looks at."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import Network, Trainer, make_dataset, make_optimizer, make_preset
from engine.explain import explain

# Sums of products may be added in another order by BLAS than term by term here: a few ulps apart.
SUM_TOLERANCE = dict(rel=1e-13, abs=1e-15)


def worked_222() -> Trainer:
    preset = make_preset("worked_222")
    return Trainer(preset.model, preset.optimizer, preset.data, batch_size=preset.batch_size)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_the_222_example_reads_before_and_after_its_first_update():
    trainer = worked_222()
    at_rest = explain(trainer, ("weight", 1, 0, 0))
    assert at_rest["status"] == "next" and at_rest["update"] == 1
    assert at_rest["name"]["textbook"] == "w5"
    assert f"{at_rest['loss']['before']:.9f}" == "0.298371109"
    assert f"{at_rest['rule']['new']:.8f}" == "0.35891648"  # the preview: what Step will make
    trainer.step()
    done = explain(trainer, ("weight", 1, 0, 0))
    assert done["status"] == "done"
    assert done["rule"]["old"] == 0.40
    assert f"{done['rule']['new']:.8f}" == "0.35891648"
    assert done["rule"]["new"] == trainer.model.weights[1][0, 0]
    assert f"{done['loss']['before']:.9f}" == "0.298371109"
    assert f"{done['loss']['after']:.10f}" == "0.2910277737"
    w1 = explain(trainer, ("weight", 0, 0, 0))
    assert f"{w1['rule']['new']:.9f}" == "0.149780716"


def test_the_hidden_delta_of_h1_matches_a_hand_computation_with_the_weights_before_the_update():
    trainer = worked_222()
    trainer.step()  # w5, w7 have moved; the δ of this update must use 0.40 and 0.50
    x1, x2, t1, t2 = 0.05, 0.10, 0.01, 0.99
    h1 = sigmoid(0.15 * x1 + 0.20 * x2 + 0.35)
    h2 = sigmoid(0.25 * x1 + 0.30 * x2 + 0.35)
    o1 = sigmoid(0.40 * h1 + 0.45 * h2 + 0.60)
    o2 = sigmoid(0.50 * h1 + 0.55 * h2 + 0.60)
    d1, d2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
    d_h1 = (0.40 * d1 + 0.50 * d2) * h1 * (1 - h1)
    back = explain(trainer, ("neuron", 1, 0))["backward"]
    assert back["output"] is False
    assert [t["w"] for t in back["terms"]] == [0.40, 0.50]
    assert [t["to"] for t in back["terms"]] == ["ŷ₁", "ŷ₂"]
    assert back["delta"] == pytest.approx(d_h1, rel=1e-14)
    assert back["dphi"] * back["sum"] == pytest.approx(back["delta"], rel=1e-14)
    out = explain(trainer, ("neuron", 2, 0))["backward"]
    assert out["output"] and out["loss"] == "mse"
    assert out["delta"] == pytest.approx(d1, rel=1e-14)
    assert (out["o"] - out["t"]) * out["dphi"] == out["delta"]


def independent_forward(weights, biases, x, phis):
    """A forward pass written apart from the engine: lists of per-layer (net, o) for one example."""
    o, layers = np.asarray(x, float), [(None, np.asarray(x, float))]
    for w, b, phi in zip(weights, biases, phis, strict=True):
        net = np.array([sum(w[i, j] * o[i] for i in range(len(o))) + b[j] for j in range(w.shape[1])])
        o = np.tanh(net) if phi == "tanh" else 1 / (1 + np.exp(-net))
        layers.append((net, o))
    return layers


@pytest.mark.parametrize("optimizer, hyper", [
    ("sgd", {"lr": 0.3}),
    ("momentum", {"lr": 0.1, "momentum": 0.9}),
    ("inertia", {"lr": 0.1, "momentum": 0.5}),
    ("nesterov", {"lr": 0.1, "momentum": 0.8, "weight_decay": 0.01}),
    ("adam", {"lr": 0.05, "weight_decay": 0.02}),
    ("rmsprop", {"lr": 0.01}),
])
def test_every_term_equals_an_independent_recomputation_and_the_step_the_engine_took(optimizer, hyper):
    data = make_dataset("xor", n=40, noise=0.1, seed=2)
    net = Network([2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=4)
    trainer = Trainer(net, make_optimizer(optimizer, **hyper), data, batch_size=4, seed=1)
    trainer.run(3)  # the optimizer has a state to show
    trainer.rest()  # paused: the explainer previews the next update
    weights_before = [w.copy() for w in net.weights]
    biases_before = [b.copy() for b in net.biases]
    predicted = {ref: explain(trainer, ref)["rule"]["new"] for ref in [("weight", 0, 1, 2), ("bias", 1, 0)]}
    trainer.step()
    assert predicted[("weight", 0, 1, 2)] == net.weights[0][1, 2], "at rest the preview is the step taken"
    assert predicted[("bias", 1, 0)] == net.biases[1][0]
    batch = trainer.last_phase.batch
    for k in range(len(batch)):
        example = int(batch[k])
        layers = independent_forward(weights_before, biases_before, trainer.X_train[example], ["tanh", "sigmoid"])
        for l in range(2):
            for i in range(net.sizes[l]):
                for j in range(net.sizes[l + 1]):
                    terms = explain(trainer, ("weight", l, i, j), example)
                    fwd = terms["forward"]
                    assert fwd["net"] == pytest.approx(layers[l + 1][0][j], **SUM_TOLERANCE)
                    assert fwd["o"] == pytest.approx(layers[l + 1][1][j], **SUM_TOLERANCE)
                    for term, i2 in zip(fwd["terms"], range(net.sizes[l]), strict=True):
                        assert term["w"] == weights_before[l][i2, j]
                        assert term["product"] == term["w"] * term["o"]
                    assert math.fsum([t["product"] for t in fwd["terms"]] + [fwd["b"]]) == pytest.approx(
                        fwd["net"], **SUM_TOLERANCE)
                    grad = terms["gradient"]
                    assert grad["value"] == grad["delta"] * grad["o"]
                    assert grad["o"] == pytest.approx(layers[l][1][i], **SUM_TOLERANCE)
                    assert grad["count"] == 4 and len(grad["products"]) == 4
                    assert grad["mean"] == pytest.approx(
                        math.fsum(p["product"] for p in grad["products"]) / 4, **SUM_TOLERANCE)
                    rule = terms["rule"]
                    assert rule["grad"] == trainer.last_phase.grad_weights[l][i, j] == grad["mean"]
                    assert rule["old"] == weights_before[l][i, j]
                    assert rule["change"] == rule["engine_change"], "written out in the engine's own order"
                    assert rule["new"] == net.weights[l][i, j]
                    if hyper.get("weight_decay"):
                        assert rule["decay"]["term"] == hyper["weight_decay"] * rule["old"]
                        assert rule["g"] == rule["grad"] + rule["decay"]["term"]
    bias = explain(trainer, ("bias", 0, 2))["rule"]
    assert "decay" not in bias and bias["new"] == net.biases[0][2]


def test_adam_shows_its_moments_and_their_bias_corrections():
    data = make_dataset("circle", n=30, seed=0)
    net = Network([2, 2, 1], activations="tanh", loss="mse", seed=0)
    trainer = Trainer(net, make_optimizer("adam", lr=0.01), data, batch_size=None)
    trainer.step()
    trainer.step()
    rule = explain(trainer, ("weight", 1, 1, 0))["rule"]
    adam = rule["adam"]
    assert rule["t"] == 2
    assert adam["m"] == 0.9 * adam["m_before"] + (1 - 0.9) * rule["g"]
    assert adam["m_hat"] == adam["m"] / (1 - 0.9**2)
    assert adam["v_hat"] == adam["v"] / (1 - 0.999**2)
    assert adam["m"] == trainer.optimizer.state["m"][net.flat_index("weight", 1, 1, 0)]


def test_at_rest_the_gradient_shown_is_the_one_the_next_update_uses():
    data = make_dataset("circle", n=50, seed=3)
    net = Network([2, 3, 1], activations="tanh", loss="mse", seed=2)
    trainer = Trainer(net, make_optimizer("sgd", lr=0.1), data, batch_size=5, seed=7)
    trainer.run(4)
    trainer.rest()
    shown = explain(trainer, ("weight", 0, 0, 1))
    peeked = trainer.peek_batch().copy()
    assert shown["batch"]["indices"] == peeked.tolist()
    update = trainer.step()
    assert np.array_equal(update.batch, peeked), "peeking consumed nothing"
    assert shown["gradient"]["mean"] == update.grad_weights[0][0, 1]


def test_phases_under_way_leave_what_the_backward_pass_has_not_reached_pending():
    trainer = worked_222()
    trainer.next_phase()  # forward
    terms = explain(trainer, ("weight", 0, 0, 0))
    assert terms["status"] == "under way"
    assert terms["backward"]["pending"] and terms["gradient"]["pending"] and terms["rule"]["pending"]
    trainer.next_phase()  # δ of the outputs
    assert "pending" not in explain(trainer, ("neuron", 2, 1))["backward"]
    assert explain(trainer, ("neuron", 1, 1))["backward"]["pending"]


def test_an_example_outside_the_batch_shows_its_own_numbers_at_the_weights_the_update_started_from():
    data = make_dataset("circle", n=40, seed=3)
    net = Network([2, 3, 1], activations="tanh", loss="mse", seed=2)
    trainer = Trainer(net, make_optimizer("sgd", lr=0.5), data, batch_size=4, seed=7)
    before = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    update = trainer.step()
    outside = next(k for k in range(trainer.n_train) if k not in update.batch)
    terms = explain(trainer, ("neuron", 2, 0), outside)
    assert terms["example"] == {"index": outside, "chosen": True, "in_batch": False}
    layers = independent_forward(*before, trainer.X_train[outside], ["tanh", "tanh"])
    assert terms["forward"]["o"] == pytest.approx(layers[2][1][0], **SUM_TOLERANCE)


def test_unknown_elements_are_refused_naming_the_index():
    trainer = worked_222()
    with pytest.raises(ValueError, match="^j: "):
        explain(trainer, ("neuron", 1, 2))
    with pytest.raises(ValueError, match="^layer: "):
        explain(trainer, ("weight", 2, 0, 0))
    with pytest.raises(ValueError, match="^kind: "):
        explain(trainer, ("edge", 0, 0))
