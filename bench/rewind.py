"""What the step-back history costs: training with it against training without it, and the time to step back.

Two figures, each beside a baseline measured in the same run, rounds interleaved so a busy machine slows both:
  run      µs per update of ``Trainer.run`` with the history (keyframes, the settings log) against the same
           trainer whose history does nothing (a ``Rewind`` with no-op hooks): the overhead while playing.
  back     ms to step back 1 update and to seek to the oldest kept update, for the largest network a session
           allows (6 hidden layers of 32, three spirals, Adam, mini-batches of 10), against the ms of that many
           plain updates: stepping back replays at most ``every − 1`` updates from a keyframe.
Memory: the keyframe rings' bytes for that network, within the budget (engine/rewind.py).

    .venv/bin/python bench/rewind.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import Network, Trainer, make_dataset, make_optimizer  # noqa: E402
from engine.rewind import BUDGET_BYTES, Rewind  # noqa: E402


class NoRewind(Rewind):
    """The baseline: the same trainer, with a history that keeps nothing."""

    def before_update(self, trainer):  # type: ignore[no-untyped-def]
        pass

    def commit(self, trainer, batch_size):  # type: ignore[no-untyped-def]
        pass

    def after_update(self, trainer):  # type: ignore[no-untyped-def]
        pass


def trainer(sizes: list[int], dataset: str, loss: str, batch: int | None, rewind: bool) -> Trainer:
    data = make_dataset(dataset, n=500, noise=0.1, test_fraction=0.5, seed=1)
    acts = "relu" if loss == "softmax_ce" else "tanh"
    net = Network([2, *sizes, data.n_classes if loss == "softmax_ce" else 1], activations=acts, loss=loss, seed=2)
    t = Trainer(net, make_optimizer("adam", lr=0.001), data, batch_size=batch, seed=3)
    if not rewind:
        t.rewind = NoRewind(net.n_params)
        t.reset()
    return t


def per_update_us(t: Trainer, n: int) -> float:
    started = time.process_time()
    t.run(n)
    return (time.process_time() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    rounds = parser.parse_args().rounds

    print("run: µs per update, with the history / without (median of rounds)")
    for title, sizes, dataset, loss, batch in [
        ("2-8-8-1 tanh, circle, full batch of 250", [8, 8], "circle", "mse", None),
        ("2-4-4-1 tanh, circle, batches of 10", [4, 4], "circle", "mse", 10),
        ("2-32×6-3 relu, three spirals, batches of 10", [32] * 6, "spiral3", "softmax_ce", 10),
    ]:
        with_h, without = trainer(sizes, dataset, loss, batch, True), trainer(sizes, dataset, loss, batch, False)
        a, b = [], []
        for _ in range(rounds):
            a.append(per_update_us(with_h, 300))
            b.append(per_update_us(without, 300))
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"  {title:48s} {ma:8.1f} / {mb:8.1f}   ratio {ma / mb:5.3f}")

    big = trainer([32] * 6, "spiral3", "softmax_ce", 10, True)
    big.run(1200)
    rw = big.rewind
    first, last = big.history_range
    print(f"\nlargest network: {big.model.n_params} parameters, a keyframe every {rw.every} updates, "
          f"{rw.capacity} kept: {rw.nbytes / 2**20:.2f} MiB (budget {BUDGET_BYTES / 2**20:.0f} MiB); "
          f"updates {first}..{last} reachable ({last - first})")
    baseline = trainer([32] * 6, "spiral3", "softmax_ce", 10, False)
    baseline.run(1200)
    back1, oldest, plain = [], [], []
    for _ in range(rounds):
        big.seek(last)
        started = time.process_time()
        big.back(1)
        back1.append((time.process_time() - started) * 1e3)
        started = time.process_time()
        big.seek(first)
        oldest.append((time.process_time() - started) * 1e3)
        big.seek(last)
        started = time.process_time()
        baseline.run(rw.every - 1)
        plain.append((time.process_time() - started) * 1e3)
    print(f"back 1 update: {statistics.median(back1):.1f} ms;  seek to the oldest: {statistics.median(oldest):.1f} ms;"
          f"  baseline, {rw.every - 1} plain updates: {statistics.median(plain):.1f} ms")


if __name__ == "__main__":
    main()
