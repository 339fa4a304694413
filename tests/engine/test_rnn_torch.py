"""The character RNN against PyTorch's own RNN cell (torch.nn.RNN, tanh, float64) with the same weights, over
truncated windows with the hidden state carried between them, clipping and the optimizer's updates.

`make test` installs PyTorch's CPU build from this machine's disk; where it is absent this test skips saying so.
"""

import numpy as np
import pytest

from engine import make_optimizer
from engine.chartext import CharText
from engine.rnn import RNN
from engine.rnn_trainer import RNNTrainer

torch = pytest.importorskip("torch", reason="PyTorch is not installed (make test installs torch==2.13.0+cpu)")

TOLERANCE = 1e-9  # both in float64; the same sums in other orders differ by rounding, ~1e-15 relative


def torch_twin(rnn: RNN):
    cell = torch.nn.RNN(rnn.V, rnn.H, nonlinearity="tanh", bias=True, dtype=torch.float64)
    out = torch.nn.Linear(rnn.H, rnn.V, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih_l0.copy_(torch.from_numpy(rnn.W_xh))
        cell.weight_hh_l0.copy_(torch.from_numpy(rnn.W_hh))
        cell.bias_ih_l0.copy_(torch.from_numpy(rnn.b_h))
        cell.bias_hh_l0.zero_()  # torch has two hidden biases; b_h is their sum
        out.weight.copy_(torch.from_numpy(rnn.W_hy))
        out.bias.copy_(torch.from_numpy(rnn.b_y))
    cell.bias_hh_l0.requires_grad_(False)
    named = {"W_xh": cell.weight_ih_l0, "W_hh": cell.weight_hh_l0, "b_h": cell.bias_ih_l0,
             "W_hy": out.weight, "b_y": out.bias}
    return cell, out, named


@pytest.mark.parametrize(
    "V,H,length,window,clip,optimizer",
    [(4, 3, 5, 4, None, "sgd"), (5, 8, 40, 7, 0.5, "sgd"), (7, 16, 61, 12, None, "adam"),
     (12, 6, 90, 25, 0.05, "momentum"), (3, 2, 17, 1, 1.0, "sgd")],
)
def test_windows_match_torch_rnn(V, H, length, window, clip, optimizer):
    rng = np.random.default_rng(V * 1000 + window)
    codes = np.concatenate([np.arange(V), rng.integers(0, V, length - V)])  # every character appears
    text = CharText.from_text("t", "".join(chr(97 + c) for c in codes))
    rnn = RNN(V, H, seed=window, scale=0.6)
    rnn.b_h[...] = rng.normal(0, 0.3, H)
    rnn.b_y[...] = rng.normal(0, 0.3, V)
    trainer = RNNTrainer(rnn, make_optimizer(optimizer, lr=0.1), text, window=window, clip=clip)
    cell, out, named = torch_twin(rnn)
    torch_opt = {"sgd": lambda p: torch.optim.SGD(p, lr=0.1),
                 "momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
                 "adam": lambda p: torch.optim.Adam(p, lr=0.1)}[optimizer](list(named.values()))
    h = torch.zeros(1, H, dtype=torch.float64)
    windows = 2 * trainer.windows_per_pass + 1  # past the end of the text, where the state starts again at 0
    for _ in range(windows):
        start, inputs, targets, _ = trainer.peek_window()
        if start == 0:
            h = torch.zeros(1, H, dtype=torch.float64)
        phase = trainer.step()
        x = torch.nn.functional.one_hot(torch.from_numpy(inputs), V).to(torch.float64)
        hs, h_last = cell(x, h)
        logits = out(hs)
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(targets))
        torch_opt.zero_grad()
        loss.backward()
        norm = torch.sqrt(sum((p.grad**2).sum() for p in named.values()))
        if clip is not None and norm > clip:  # the formula of clip_grad_norm_ without its + 1e-6
            for p in named.values():
                p.grad *= clip / norm
        torch_opt.step()
        h = h_last.detach()  # truncation: the state goes on, its gradient does not

        assert phase.loss == pytest.approx(loss.item(), rel=TOLERANCE)
        np.testing.assert_allclose(phase.trace.h[1:], hs.detach().numpy(), rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(phase.trace.p, torch.softmax(logits, -1).detach().numpy(), atol=TOLERANCE)
        assert phase.grad_norm == pytest.approx(norm.item(), rel=TOLERANCE)
        for name, p in named.items():
            np.testing.assert_allclose(phase.grads.grads[name], p.grad.numpy(), rtol=0, atol=TOLERANCE)
            np.testing.assert_allclose(rnn.param(name), p.detach().numpy(), rtol=0, atol=TOLERANCE)
    assert trainer.step_count == windows
