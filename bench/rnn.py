"""Updates per second of the character RNN (engine/rnn.py through RNNTrainer.run) against a plain per-step
Python loop measured in the same run: min-char-rnn's way, a one-hot column vector and a dict entry per step,
each step's gradient contributions added one by one, then the same optimizer step.

Two cases: the "hello" RNN (4 letters, 8 hidden units, windows of 4) and a 40-character vocabulary with 64
hidden units over windows of 25. Rounds are interleaved so a busy machine slows both alike.

    .venv/bin/python bench/rnn.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import make_optimizer  # noqa: E402
from engine.chartext import CharText  # noqa: E402
from engine.rnn import RNN, RNNGradients, RNNTrace  # noqa: E402
from engine.rnn_trainer import RNNTrainer  # noqa: E402


def loop_gradients(rnn: RNN, inputs, targets, hprev):
    """The baseline's forward and backward: one step at a time with column vectors, as min-char-rnn."""
    Wxh, Whh, Why, bh, by = rnn.W_xh, rnn.W_hh, rnn.W_hy, rnn.b_h[:, None], rnn.b_y[:, None]
    xs, hs, ps = {}, {-1: hprev[:, None].copy()}, {}
    loss, T = 0.0, len(inputs)
    for t in range(T):
        xs[t] = np.zeros((rnn.V, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        y = Why @ hs[t] + by
        e = np.exp(y - y.max())
        ps[t] = e / e.sum()
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(T)):
        dy = ps[t].copy()
        dy[targets[t]] -= 1
        dy /= T
        dWhy += dy @ hs[t].T
        dby += dy
        dh = Why.T @ dy + dhnext
        draw = (1 - hs[t] * hs[t]) * dh
        dbh += draw
        dWxh += draw @ xs[t].T
        dWhh += draw @ hs[t - 1].T
        dhnext = Whh.T @ draw
    grads = {"W_xh": dWxh, "W_hh": dWhh, "b_h": dbh[:, 0], "W_hy": dWhy, "b_y": dby[:, 0]}
    return loss / T, grads, hs[T - 1][:, 0]


class LoopTrainer(RNNTrainer):
    """The same trainer (windows, clipping, optimizer) with the baseline's per-step loop inside ``run``."""

    def run(self, n: int) -> int:
        for _ in range(n):
            start, inputs, targets, h0 = self._take_window()
            loss, grads, h_last = loop_gradients(self.model, inputs, targets, h0)
            trace = RNNTrace(inputs, targets, None, np.vstack([h0, h_last]), None, None)
            self._apply(RNNGradients(None, None, None, grads, None, trace), trace, loss, start, self.step_count + 1)
        return n


def make(cls, V: int, H: int, window: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    codes = np.concatenate([np.arange(V), rng.integers(0, V, 5000)]) if V > 4 else np.array([0, 1, 2, 2, 3])
    text = CharText.from_text("bench", "".join(chr(40 + c) for c in codes))
    return cls(RNN(V, H, seed=seed), make_optimizer("adam", lr=0.01), text, window=window, clip=5.0)


def rate(trainer: RNNTrainer, seconds: float = 0.4) -> float:
    n, start = 0, time.perf_counter()
    batch = 20
    while time.perf_counter() - start < seconds:
        trainer.run(batch)
        n += batch
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    for title, V, H, window in (("hello: 4 letters, 8 hidden, windows of 4", 4, 8, 4),
                                ("40 characters, 64 hidden, windows of 25", 40, 64, 25)):
        engine, loop = make(RNNTrainer, V, H, window), make(LoopTrainer, V, H, window)
        engine_rates, loop_rates = [], []
        for _ in range(args.rounds):
            engine_rates.append(rate(engine))
            loop_rates.append(rate(loop))
        e, b = statistics.median(engine_rates), statistics.median(loop_rates)
        print(f"{title}: engine {e:,.0f} updates/s, per-step loop {b:,.0f} updates/s, ratio {e / b:.2f}x "
              f"(medians of {args.rounds} interleaved rounds)")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
