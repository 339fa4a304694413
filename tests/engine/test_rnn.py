"""The character RNN: the hand-worked "hello" pass, finite differences, truncated windows, clipping, sampling,
the texts, and the recurrent loss surface against one forward pass per point."""

import math

import numpy as np
import pytest

from engine import make_optimizer
from engine.chartext import MAX_PASTED_CHARS, CharText, check_pasted, load_text
from engine.landscape import surface_for
from engine.rnn import RNN, clip_by_norm
from engine.rnn_landscape import batched_losses, naive_losses
from engine.rnn_presets import hello_rnn, rnn_trainer
from engine.rnn_trainer import RNNTrainer


def random_case(V, H, T, seed):
    rng = np.random.default_rng(seed)
    rnn = RNN(V, H, seed=seed, scale=0.5)
    rnn.b_h[...] = rng.normal(0, 0.3, H)
    rnn.b_y[...] = rng.normal(0, 0.3, V)
    return rnn, rng.integers(0, V, T), rng.integers(0, V, T), rng.normal(0, 0.5, H)


# -- the "hello" example, by hand ------------------------------------------------------------------------


def test_hello_first_forward_pass_matches_the_hand_computation():
    """Inputs h, e, l, l; targets e, l, l, o; vocabulary (h, e, l, o); weights as stated in rnn_presets.

    t=1, x = h: raw = W_xh[:, h] = (0.5, 0, 0)                     h₁ = (tanh 0.5, 0, 0) = (0.462117, 0, 0)
    t=2, x = e: raw = (0, 0.5, 0) + W_hh h₁ = (0, 0.5 + 0.5·0.462117, 0) = (0, 0.731059, 0)
                h₂ = (0, tanh 0.731059, 0) = (0, 0.623713, 0)
    t=3, x = l: raw = (0, 0, 0.5 + 0.5·0.623713) = (0, 0, 0.811856)  h₃ = (0, 0, 0.670613)
    t=4, x = l: raw = (0, 0, 0.5 + 0.5·0.670613) = (0, 0, 0.835306)  h₄ = (0, 0, 0.683315)
    Scores y = W_hy h (rows h, e, l, o): y₁ = (0, 0.462117, 0, 0), y₂ = (0, 0, 0.623713, 0),
    y₃ = (0, 0, 0.670613, 0.670613), y₄ = (0, 0, 0.683315, 0.683315).
    p[target] = e^{y[target]} / Σ e^{y}, the other scores being 0 (e⁰ = 1):
    p₁[e] = e^0.462117 / (3 + e^0.462117) = 1.587431 / 4.587431 = 0.346039
    p₂[l] = e^0.623713 / (3 + e^0.623713) = 1.865843 / 4.865843 = 0.383457
    p₃[l] = e^0.670613 / (2 + 2 e^0.670613) = 0.330820,  p₄[o] = e^0.683315 / (2 + 2 e^0.683315) = 0.332239
    E = (−ln 0.346039 − ln 0.383457 − ln 0.330820 − ln 0.332239) / 4
      = (1.061204 + 0.958528 + 1.106181 + 1.101901) / 4 = 1.056953
    """
    tanh, exp, log = math.tanh, math.exp, math.log
    h1 = tanh(0.5)
    h2 = tanh(0.5 + 0.5 * h1)
    h3 = tanh(0.5 + 0.5 * h2)
    h4 = tanh(0.5 + 0.5 * h3)
    assert (round(h1, 6), round(h2, 6), round(h3, 6), round(h4, 6)) == (0.462117, 0.623713, 0.670613, 0.683315)
    p1_e = exp(h1) / (3 + exp(h1))
    p2_l = exp(h2) / (3 + exp(h2))
    p3_l = exp(h3) / (2 + 2 * exp(h3))
    p4_o = exp(h4) / (2 + 2 * exp(h4))
    assert [round(p, 6) for p in (p1_e, p2_l, p3_l, p4_o)] == [0.346039, 0.383457, 0.330820, 0.332239]
    E = (-log(p1_e) - log(p2_l) - log(p3_l) - log(p4_o)) / 4
    assert round(E, 6) == 1.056953

    text = load_text("hello")
    assert text.chars == ("h", "e", "l", "o")
    rnn = hello_rnn()
    trace = rnn.forward(text.codes[:-1], text.codes[1:])
    np.testing.assert_allclose(trace.h[1:], [[h1, 0, 0], [0, h2, 0], [0, 0, h3], [0, 0, h4]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(trace.y, [[0, h1, 0, 0], [0, 0, h2, 0], [0, 0, h3, h3], [0, 0, h4, h4]], atol=1e-15)
    targets = [1, 2, 2, 3]
    np.testing.assert_allclose(trace.p[np.arange(4), targets], [p1_e, p2_l, p3_l, p4_o], rtol=1e-14)
    assert trace.loss == pytest.approx(E, rel=1e-14)


def test_hello_training_raises_the_correct_letters():
    trainer = rnn_trainer("hello")
    first = trainer.step().trace.p[np.arange(4), [1, 2, 2, 3]]
    trainer.run(200)
    after = trainer.model.forward(trainer.text.codes[:-1], trainer.text.codes[1:]).p[np.arange(4), [1, 2, 2, 3]]
    assert (after > first).all() and (after > 0.9).all()


# -- backward through time -------------------------------------------------------------------------------


@pytest.mark.parametrize("V,H,T", [(2, 1, 1), (4, 3, 5), (7, 5, 12)])
def test_gradients_match_finite_differences(V, H, T):
    rnn, inputs, targets, h0 = random_case(V, H, T, seed=V * 100 + T)
    grads = rnn.backward(rnn.forward(inputs, targets, h0))
    backprop = np.concatenate([grads.grads[name].ravel() for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")])
    theta, eps = rnn.flat(), 1e-6
    numeric = np.empty_like(theta)
    for k in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[k] += eps
        minus[k] -= eps
        rnn.set_flat(plus)
        e_plus = rnn.loss(inputs, targets, h0)
        rnn.set_flat(minus)
        numeric[k] = (e_plus - rnn.loss(inputs, targets, h0)) / (2 * eps)
    rnn.set_flat(theta)
    # Centred differences: truncation error ~eps² ≈ 1e-12 and rounding ~1e-16/eps ≈ 1e-10 per entry.
    np.testing.assert_allclose(backprop, numeric, rtol=1e-6, atol=1e-8)


def test_step_by_step_backward_equals_the_whole_and_its_contributions_sum_to_the_gradients():
    rnn, inputs, targets, h0 = random_case(5, 4, 6, seed=3)
    trace = rnn.forward(inputs, targets, h0)
    steps = list(rnn.backward_steps(trace))
    assert [s.t for s in steps] == [5, 4, 3, 2, 1, 0]  # from the last time step to the first
    whole = rnn.backward(trace)
    by_steps = rnn.gradients_from_steps(trace, steps)
    for name, g in whole.grads.items():
        # Sums in another order (matrix product against a loop): equal up to a few ulps.
        np.testing.assert_allclose(by_steps.grads[name], g, rtol=1e-12, atol=1e-16)
        summed = sum(s.contributions[name] for s in steps)
        np.testing.assert_allclose(summed, g, rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(sum(whole.contributions(t)[name] for t in range(6)), g, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(by_steps.dh, whole.dh, rtol=1e-12, atol=1e-16)
    # δy_t = (p_t − onehot)/T, and δraw = (1 − h²) ⊙ δh
    np.testing.assert_allclose(whole.dy, (trace.p - np.eye(5)[targets]) / 6, rtol=1e-15)
    np.testing.assert_allclose(whole.draw, (1 - trace.h[1:] ** 2) * whole.dh, rtol=1e-15)


def test_clipping_scales_the_whole_gradient_to_the_norm():
    rnn, inputs, targets, h0 = random_case(4, 3, 5, seed=1)
    grads = rnn.backward(rnn.forward(inputs, targets, h0))
    before = {k: v.copy() for k, v in grads.grads.items()}
    norm = clip_by_norm(grads, 0.01)
    assert norm > 0.01 and grads.norm == pytest.approx(0.01, rel=1e-12)
    for k, v in grads.grads.items():
        np.testing.assert_allclose(v, before[k] * 0.01 / norm, rtol=1e-14)
    assert clip_by_norm(grads, 10.0) == pytest.approx(0.01) and grads.norm == pytest.approx(0.01)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop"])
def test_the_shared_optimizers_step_the_rnn(optimizer):
    rnn, inputs, targets, h0 = random_case(4, 3, 5, seed=2)
    opt = make_optimizer(optimizer, lr=0.05)
    before = rnn.loss(inputs, targets, h0)
    for _ in range(30):
        opt.step(rnn, rnn.backward(rnn.forward(inputs, targets, h0)))
    assert rnn.loss(inputs, targets, h0) < before


# -- truncated windows -----------------------------------------------------------------------------------


def test_windows_carry_the_hidden_state_and_restart_at_the_end_of_the_text():
    text = CharText.from_text("t", "abcabcabcab")  # 11 characters: windows of 3 at 0, 3, 6, then 0 again
    trainer = RNNTrainer(RNN(3, 4, seed=1), make_optimizer("sgd", lr=0.1), text, window=3, clip=None)
    starts, carried = [], []
    for _ in range(4):
        start, _, _, h0 = trainer.peek_window()
        carried.append(h0.copy())
        phase = trainer.step()
        starts.append(phase.start)
        np.testing.assert_array_equal(phase.trace.h[0], carried[-1])
        assert len(phase.trace.inputs) == 3
        if len(starts) < 4:
            np.testing.assert_array_equal(trainer.h, phase.trace.h[-1])
    assert starts == [0, 3, 6, 0]
    assert not carried[0].any() and carried[1].any() and not carried[3].any()


def test_phases_go_forward_then_back_one_step_at_a_time_then_update():
    trainer = rnn_trainer("gettysburg", hidden_size=8, window=5)
    kinds = [(p.kind, p.t) for p in (trainer.next_phase() for _ in range(7))]
    assert kinds == [("forward", None)] + [("backward", t) for t in (4, 3, 2, 1, 0)] + [("update", None)]
    phase = trainer.last_phase
    assert phase.changes and np.isfinite(phase.dh).all() and not trainer.in_update


def test_phases_and_run_give_the_same_weights():
    a, b = rnn_trainer("gettysburg", hidden_size=6, window=7), rnn_trainer("gettysburg", hidden_size=6, window=7)
    for _ in range(5):
        a.step()
    b.run(5)
    # The same sums by a loop and by matrix products: equal to rounding, then amplified a little by Adam.
    np.testing.assert_allclose(a.model.flat(), b.model.flat(), rtol=1e-9, atol=1e-12)
    assert a.step_count == b.step_count == 5 and a.position == b.position


def test_the_window_loss_falls_on_the_shipped_text():
    trainer = rnn_trainer("gettysburg", hidden_size=32, window=25)
    trainer.run(trainer.windows_per_pass)
    first_pass = trainer.history.rows[-1, 1]
    trainer.run(5 * trainer.windows_per_pass)
    assert trainer.history.rows[-1, 1] < first_pass < math.log(trainer.model.V) + 0.2


# -- sampling --------------------------------------------------------------------------------------------


def test_sampling_is_seeded_and_temperature_spreads_the_choice():
    trainer = rnn_trainer("gettysburg", hidden_size=32, window=25)
    trainer.run(3 * trainer.windows_per_pass)
    assert trainer.sample(100, 1.0, seed=5) == trainer.sample(100, 1.0, seed=5)
    cold = trainer.sample(300, 0.0, seed=1)
    assert cold == trainer.sample(300, 0.0, seed=2)  # τ = 0 picks the most likely: no randomness left
    hot = trainer.sample(300, 5.0, seed=1)
    assert len(set(hot)) > len(set(cold))  # a high temperature garbles: more distinct characters
    with pytest.raises(ValueError, match="temperature"):
        trainer.sample(10, -1.0)
    with pytest.raises(ValueError, match="length"):
        trainer.sample(10_000)


def test_sample_with_tiny_temperature_is_the_argmax():
    trainer = rnn_trainer("hello")
    trainer.run(50)  # the stated weights tie 'l' and 'o' after an 'l'; training breaks the tie
    rnn, rng = trainer.model, np.random.default_rng(0)
    np.testing.assert_array_equal(rnn.sample(0, 6, rng, 1e-9), rnn.sample(0, 6, rng, 0.0))


# -- texts -----------------------------------------------------------------------------------------------


def test_texts_and_their_plain_errors():
    shipped = load_text("gettysburg")
    assert 1000 < len(shipped.text) < 5000 and shipped.decode(shipped.codes) == shipped.text
    assert load_text("pasted", "abab").chars == ("a", "b")
    with pytest.raises(ValueError, match=f"at most {MAX_PASTED_CHARS:,} characters"):
        check_pasted("ab" * (MAX_PASTED_CHARS // 2 + 1))
    with pytest.raises(ValueError, match="2 different characters"):
        check_pasted("aaaa")
    with pytest.raises(ValueError, match="at least 2 characters"):
        check_pasted("a")
    with pytest.raises(ValueError, match="text: expected one of"):
        load_text("moby")
    with pytest.raises(ValueError, match="window"):
        RNNTrainer(RNN(2, 2), make_optimizer("sgd"), load_text("pasted", "abab"), window=0)


# -- the loss surface ------------------------------------------------------------------------------------


def test_batched_recurrent_loss_matches_one_forward_pass_per_weight_set():
    rnn, inputs, targets, h0 = random_case(6, 5, 9, seed=4)
    thetas = rnn.flat() + np.random.default_rng(0).normal(0, 0.3, (40, rnn.n_params))
    # Stacked products sum in the same order as the single pass's; allow a few ulps for BLAS's kernels.
    np.testing.assert_allclose(batched_losses(rnn, inputs, targets, h0, thetas),
                               naive_losses(rnn, inputs, targets, h0, thetas), rtol=1e-12)


def test_surface_over_two_recurrent_weights():
    trainer = rnn_trainer("hello")
    trainer.run(20)
    s = surface_for(trainer, resolution=9)
    assert s.axis_labels == ("W_hh[1, 1]: h₁ (t−1) → h₁", "W_hh[1, 2]: h₂ (t−1) → h₁") and s.loss.shape == (9, 9)
    start, inputs, targets, h0 = trainer.peek_window()
    i, j = 3, 6
    theta = trainer.model.flat()
    theta[list(s.plane.indices)] = (s.alpha[i], s.beta[j])
    probe = trainer.model.copy()
    probe.set_flat(theta)
    assert s.loss[j, i] == pytest.approx(probe.loss(inputs, targets, h0), rel=1e-6)  # stored as float32
    np.testing.assert_allclose(s.current, trainer.model.W_hh[0, :2])
    with pytest.raises(ValueError, match="p1"):
        surface_for(trainer, p1=("W_zz", 0, 0))
