"""The update rules against formulas written out here, step by step (and against PyTorch where installed)."""

import math

import numpy as np
import pytest

from engine import Gradients, Network, Trainer, make_dataset, make_optimizer

try:  # never a dependency: a second opinion where it happens to be installed
    import torch
except ImportError:
    torch = None

STEPS = 7


def small_network(train_biases: bool = True) -> Network:
    net = Network([3, 4, 2], activations="tanh", loss="mse", seed=5, train_biases=train_biases)
    rng = np.random.default_rng(6)
    for b in net.biases:
        b[:] = rng.normal(0.0, 0.3, b.shape)
    return net


def gradient_sequence(net: Network, steps: int = STEPS, seed: int = 11) -> list[Gradients]:
    """Made-up gradients, shaped like the parameters, so each rule is tested on its own."""
    rng = np.random.default_rng(seed)
    return [
        Gradients(
            delta=[], inputs=[],
            weights=[rng.normal(0.0, 1.0, w.shape) for w in net.weights],
            biases=[rng.normal(0.0, 1.0, b.shape) for b in net.biases],
        )
        for _ in range(steps)
    ]


def parameters(net: Network) -> list[tuple[np.ndarray, bool]]:
    """(array, is_weight) in the order weights[0], biases[0], weights[1], ..."""
    pairs = zip(net.weights, net.biases, strict=True)
    return [(a, is_weight) for w, b in pairs for a, is_weight in ((w, True), (b, False))]


def gradients_of(grads: Gradients) -> list[np.ndarray]:
    return [g for gw, gb in zip(grads.weights, grads.biases, strict=True) for g in (gw, gb)]


# -- the reference formulas, one step of one parameter -----------------------------------------------------


def reference_step(rule: str, hp: dict, w: np.ndarray, g: np.ndarray, state: dict, t: int) -> np.ndarray:
    """The new value of w. ``state`` is this parameter's memory; ``t`` counts steps from 1."""
    lr = hp["lr"]
    if rule == "sgd":
        return w - lr * g
    if rule == "momentum":  # classic: Δw(t+1) = −η g + α Δw(t)
        change = -lr * g + hp["momentum"] * state.get("change", 0.0)
        state["change"] = change
        return w + change
    if rule == "inertia":  # Δw(t+1) = (1 − α)(−η g) + α Δw(t)
        change = (1 - hp["momentum"]) * (-lr * g) + hp["momentum"] * state.get("change", 0.0)
        state["change"] = change
        return w + change
    if rule == "nesterov":  # torch.optim.SGD(momentum=μ, nesterov=True), dampening 0
        state["buf"] = g.copy() if t == 1 else hp["momentum"] * state["buf"] + g
        return w - lr * (g + hp["momentum"] * state["buf"])
    if rule == "adam":  # torch.optim.Adam, amsgrad off
        b1, b2 = hp["beta1"], hp["beta2"]
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        step_size = lr / (1 - b1**t)
        denom = np.sqrt(state["v"]) / math.sqrt(1 - b2**t) + hp["eps"]
        return w - step_size * state["m"] / denom
    if rule == "rmsprop":  # torch.optim.RMSprop(alpha=ρ), not centred, no momentum
        state["v"] = hp["rho"] * state.get("v", 0.0) + (1 - hp["rho"]) * g * g
        return w - lr * g / (np.sqrt(state["v"]) + hp["eps"])
    raise AssertionError(rule)


def reference_run(rule: str, schedule: list[dict], net: Network, grads: list[Gradients]) -> list[np.ndarray]:
    """Every parameter after len(schedule) steps; schedule[t] holds the hyperparameters of step t + 1."""
    values = [a.copy() for a, _ in parameters(net)]
    decays = [is_weight for _, is_weight in parameters(net)]
    states: list[dict] = [{} for _ in values]
    for t, (hp, step_grads) in enumerate(zip(schedule, grads, strict=True), start=1):
        for k, g in enumerate(gradients_of(step_grads)):
            if not net.train_biases and not decays[k]:
                continue
            if hp.get("weight_decay", 0.0) and decays[k]:
                g = g + hp["weight_decay"] * values[k]
            values[k] = reference_step(rule, hp, values[k], g, states[k], t)
    return values


def engine_run(rule: str, schedule: list[dict], net: Network, grads: list[Gradients]) -> list[np.ndarray]:
    opt = make_optimizer(rule, **schedule[0])
    for hp, step_grads in zip(schedule, grads, strict=True):
        for name, value in hp.items():
            setattr(opt, name, value)
        opt.step(net, step_grads)
    return [a.copy() for a, _ in parameters(net)]


RULES = {
    "sgd": {"lr": 0.1},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "inertia": {"lr": 0.1, "momentum": 0.8},
    "nesterov": {"lr": 0.05, "momentum": 0.9},
    "adam": {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "rmsprop": {"lr": 0.01, "rho": 0.99, "eps": 1e-8},
}


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("rule", RULES)
def test_every_rule_follows_its_reference_formula_step_by_step(rule, weight_decay):
    schedule = [{**RULES[rule], "weight_decay": weight_decay}] * STEPS
    net = small_network()
    grads = gradient_sequence(net)

    expected = reference_run(rule, schedule, net, grads)
    got = engine_run(rule, schedule, net, grads)

    for e, g in zip(expected, got, strict=True):
        assert np.allclose(g, e, rtol=1e-13, atol=1e-15)


def torch_run(rule: str, hp: dict, net: Network, grads: list[Gradients]) -> list[np.ndarray]:
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a, _ in parameters(net)]
    weight_decay = hp.get("weight_decay", 0.0)
    is_weight = [w for _, w in parameters(net)]
    groups = [  # decay on the weights only, as the engine does
        {"params": [t for t, w in zip(tensors, is_weight, strict=True) if w], "weight_decay": weight_decay},
        {"params": [t for t, w in zip(tensors, is_weight, strict=True) if not w], "weight_decay": 0.0},
    ]
    make = {
        "sgd": lambda: torch.optim.SGD(groups, lr=hp["lr"]),
        "momentum": lambda: torch.optim.SGD(groups, lr=hp["lr"], momentum=hp["momentum"]),
        "nesterov": lambda: torch.optim.SGD(groups, lr=hp["lr"], momentum=hp["momentum"], nesterov=True),
        "adam": lambda: torch.optim.Adam(
            groups, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"]
        ),
        "rmsprop": lambda: torch.optim.RMSprop(groups, lr=hp["lr"], alpha=hp["rho"], eps=hp["eps"]),
    }
    opt = make[rule]()
    for step_grads in grads:
        for t, g in zip(tensors, gradients_of(step_grads), strict=True):
            t.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    return [t.detach().numpy() for t in tensors]


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("rule", [r for r in RULES if r != "inertia"])
def test_every_rule_that_pytorch_has_gives_pytorchs_numbers_when_pytorch_is_installed(rule, weight_decay):
    hp = {**RULES[rule], "weight_decay": weight_decay}
    net = small_network()
    grads = gradient_sequence(net)
    expected = reference_run(rule, [hp] * STEPS, net, grads)
    if torch is not None:
        expected = torch_run(rule, hp, net, grads)

    got = engine_run(rule, [hp] * STEPS, net, grads)

    for e, g in zip(expected, got, strict=True):
        assert np.allclose(g, e, rtol=1e-12, atol=1e-14)


# -- momentum and its forms --------------------------------------------------------------------------------


def train(optimizer_name: str, steps: int = 25, **hp) -> np.ndarray:
    data = make_dataset("xor", n=60, noise=0.1, seed=2)
    net = Network([2, 5, 1], "tanh", seed=3)
    trainer = Trainer(net, make_optimizer(optimizer_name, **hp), data, batch_size=8)
    trainer.run(steps)
    return trainer.model.flat()


def test_momentum_zero_is_plain_descent():
    assert np.array_equal(train("momentum", lr=0.2, momentum=0.0), train("sgd", lr=0.2))


def test_inertia_with_alpha_zero_is_plain_descent():
    assert np.array_equal(train("inertia", lr=0.2, momentum=0.0), train("sgd", lr=0.2))


@pytest.mark.parametrize("alpha", [0.3, 0.9, 0.99])
def test_the_inertia_form_equals_the_classic_form_with_eta_times_one_minus_alpha(alpha):
    eta = 0.5
    inertia = train("inertia", lr=eta, momentum=alpha)
    classic = train("momentum", lr=(1 - alpha) * eta, momentum=alpha)

    assert np.allclose(inertia, classic, rtol=1e-11, atol=1e-13)
    assert not np.allclose(inertia, train("momentum", lr=eta, momentum=alpha))


def test_momentum_remembers_the_last_change():
    net = small_network()
    grads = gradient_sequence(net, steps=2)
    opt = make_optimizer("momentum", lr=0.1, momentum=0.9)

    first = opt.step(net, grads[0])
    second = opt.step(net, grads[1])

    assert np.allclose(first["weights[0]"], -0.1 * grads[0].weights[0], rtol=1e-15, atol=0)
    expected = -0.1 * grads[1].weights[0] + 0.9 * first["weights[0]"]
    assert np.allclose(second["weights[0]"], expected, rtol=1e-15, atol=0)


# -- hyperparameters that change between steps -------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES)
def test_a_learning_rate_changed_between_steps_takes_effect_at_the_next_step(rule):
    base = RULES[rule]
    faster, slower = {**base, "lr": base["lr"] * 3}, {**base, "lr": base["lr"] / 2}
    schedule = [base, base, faster, faster, slower]
    net = small_network()
    grads = gradient_sequence(net, steps=len(schedule))

    expected = reference_run(rule, schedule, net, grads)
    got = engine_run(rule, schedule, net, grads)

    for e, g in zip(expected, got, strict=True):
        assert np.allclose(g, e, rtol=1e-13, atol=1e-15)
    unchanged = reference_run(rule, [base] * len(schedule), small_network(), grads)
    assert not np.allclose(got[0], unchanged[0])


@pytest.mark.parametrize(
    ("rule", "name", "value"),
    [("momentum", "momentum", 0.2), ("inertia", "momentum", 0.5), ("nesterov", "momentum", 0.1),
     ("adam", "beta1", 0.5), ("adam", "beta2", 0.9), ("rmsprop", "rho", 0.5), ("sgd", "weight_decay", 0.1)],
)
def test_other_hyperparameters_changed_between_steps_take_effect_at_the_next_step(rule, name, value):
    base = RULES[rule]
    schedule = [base, base, {**base, name: value}, {**base, name: value}]
    net = small_network()
    grads = gradient_sequence(net, steps=len(schedule))

    expected = reference_run(rule, schedule, net, grads)
    got = engine_run(rule, schedule, net, grads)

    for e, g in zip(expected, got, strict=True):
        assert np.allclose(g, e, rtol=1e-13, atol=1e-15)


# -- weight decay and fixed biases -------------------------------------------------------------------------


def test_weight_decay_applies_to_weights_not_biases():
    net = small_network()
    before = [a.copy() for a, _ in parameters(net)]
    zero = Gradients(delta=[], inputs=[], weights=[np.zeros_like(w) for w in net.weights],
                     biases=[np.zeros_like(b) for b in net.biases])
    opt = make_optimizer("sgd", lr=0.1, weight_decay=0.5)

    opt.step(net, zero)

    for (after, is_weight), b in zip(parameters(net), before, strict=True):
        expected = b * (1 - 0.1 * 0.5) if is_weight else b
        assert np.allclose(after, expected, rtol=1e-15, atol=0)


def test_fixed_biases_stay_fixed_while_their_gradients_are_still_computed():
    data = make_dataset("gauss", n=40, seed=1)
    net = Network([2, 3, 1], "tanh", seed=1, train_biases=False)
    net.biases[0][:] = [0.1, -0.2, 0.3]
    trainer = Trainer(net, make_optimizer("adam", lr=0.05, weight_decay=0.1), data, batch_size=10)
    weights_before = [w.copy() for w in net.weights]

    update = trainer.step()
    trainer.run(20)

    assert list(net.biases[0]) == [0.1, -0.2, 0.3] and list(net.biases[1]) == [0.0]
    assert all(np.abs(g).max() > 0 for g in update.grad_biases)
    assert sorted(update.changes) == ["weights[0]", "weights[1]"]
    assert not any(np.array_equal(w, b) for w, b in zip(net.weights, weights_before, strict=True))


def test_step_returns_the_change_it_made_to_each_parameter():
    net = small_network()
    before = {f"{kind}[{l}]": a.copy() for l in range(net.n_layers) for kind, a in
              (("weights", net.weights[l]), ("biases", net.biases[l]))}
    opt = make_optimizer("adam", lr=0.01)

    changes = opt.step(net, gradient_sequence(net, steps=1)[0])

    assert sorted(changes) == sorted(before)
    for l in range(net.n_layers):
        for kind, now in (("weights", net.weights[l]), ("biases", net.biases[l])):
            name = f"{kind}[{l}]"
            assert np.allclose(now, before[name] + changes[name], rtol=1e-15, atol=0)


def test_reset_forgets_the_state_so_the_next_step_is_a_first_step_again():
    net = small_network()
    grads = gradient_sequence(net, steps=3)
    opt = make_optimizer("adam", lr=0.01)
    first = opt.step(net, grads[0])
    opt.step(net, grads[1])

    opt.reset()
    again = opt.step(net, grads[0])

    assert opt.t == 1
    for name in first:
        assert np.array_equal(again[name], first[name])


def test_settings_list_every_hyperparameter_with_its_value():
    opt = make_optimizer("adam", lr=0.02, beta2=0.99)

    assert opt.settings() == {"lr": 0.02, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.0}
    assert repr(opt) == "Adam(lr=0.02, beta1=0.9, beta2=0.99, eps=1e-08, weight_decay=0)"


# -- errors ------------------------------------------------------------------------------------------------


def test_an_unknown_optimizer_name_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^optimizer: unknown optimizer 'adagrad'"):
        make_optimizer("adagrad")


def test_a_setting_the_rule_does_not_take_is_refused_by_its_name():
    with pytest.raises(ValueError, match=r"^momentum: not a setting of 'sgd'"):
        make_optimizer("sgd", momentum=0.9)


@pytest.mark.parametrize(
    ("name", "value"),
    [("lr", 0.0), ("lr", -0.1), ("lr", math.nan), ("lr", math.inf), ("lr", 101.0),
     ("momentum", 1.0), ("momentum", -0.1), ("beta1", 1.0), ("beta2", 1.5), ("eps", 0.0), ("rho", 1.0),
     ("weight_decay", -1.0)],
)
def test_a_hyperparameter_out_of_range_is_refused_by_its_name(name, value):
    takes_it = {"momentum": "momentum", "beta1": "adam", "beta2": "adam", "eps": "adam", "rho": "rmsprop"}
    rule = takes_it.get(name, "sgd")
    with pytest.raises(ValueError, match=rf"^{name}: "):
        make_optimizer(rule, **{name: value})


# -- the parameters an optimizer updates -------------------------------------------------------------------


def test_weights_assigned_in_place_are_what_the_next_step_updates():
    net = small_network()
    grads = gradient_sequence(net, steps=1)
    opt = make_optimizer("sgd", lr=0.1)

    net.weights[0][:] = 0.5
    opt.step(net, grads[0])

    assert np.allclose(net.weights[0], 0.5 - 0.1 * grads[0].weights[0], rtol=1e-15, atol=0)


@pytest.mark.parametrize("rule", RULES)
def test_a_weight_array_replaced_by_another_is_updated_in_place_all_the_same(rule):
    schedule = [{**RULES[rule], "weight_decay": 0.01}] * STEPS
    net, twin = small_network(), small_network()
    grads = gradient_sequence(net)
    replacement = net.weights[1].copy()
    net.weights[1] = replacement  # no longer part of the network's own parameter vector

    got = engine_run(rule, schedule, net, grads)
    expected = engine_run(rule, schedule, twin, grads)

    assert net.weights[1] is replacement
    for e, g in zip(expected, got, strict=True):
        assert np.array_equal(g, e)


def test_switching_bias_training_on_keeps_the_weights_momentum_and_starts_the_biases_afresh():
    net = small_network(train_biases=False)
    grads = gradient_sequence(net, steps=2)
    opt = make_optimizer("momentum", lr=0.1, momentum=0.9)
    first = opt.step(net, grads[0])

    net.train_biases = True
    second = opt.step(net, grads[1])

    assert sorted(first) == ["weights[0]", "weights[1]"]
    for l in range(2):
        expected = -0.1 * grads[1].weights[l] + 0.9 * first[f"weights[{l}]"]
        assert np.allclose(second[f"weights[{l}]"], expected, rtol=1e-15, atol=0)
        assert np.allclose(second[f"biases[{l}]"], -0.1 * grads[1].biases[l], rtol=1e-15, atol=0)
