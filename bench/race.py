"""What an optimizer race costs per update: a race of 2 and of 4 contestants against one run alone, same run.

A race's lockstep update is one update of every contestant (each an ordinary Trainer), so the honest expectation
is 2× and 4× one run; the ratios show what the lockstep adds on top (or saves: the contestants share the data).
Rounds are interleaved (alone, race of 2, race of 4, alone, ...) so a busy machine slows all three alike; CPU
time of this process, median of the rounds. Printed with the load average.

    .venv/bin/python bench/race.py [--rounds 7] [--updates 300]
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
from engine.race import Race  # noqa: E402

RULES = [("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.03, "momentum": 0.9}), ("adam", {"lr": 0.01}),
         ("nesterov", {"lr": 0.03, "momentum": 0.9})]
CASES = [
    ("2-4-4-1 tanh, circle, batches of 10 (the page's default)", [4, 4], "circle", "mse", 10),
    ("2-8-8-1 tanh, circle, full batch of 250", [8, 8], "circle", "mse", None),
    ("2-32×6-3 relu, three spirals, batches of 10 (the largest)", [32] * 6, "spiral3", "softmax_ce", 10),
]


def setup(sizes: list[int], dataset: str, loss: str):
    data = make_dataset(dataset, n=500, noise=0.1, test_fraction=0.5, seed=1)
    acts = "relu" if loss == "softmax_ce" else "tanh"
    net = Network([2, *sizes, data.n_classes if loss == "softmax_ce" else 1], activations=acts, loss=loss, seed=2)
    return net, data


def alone(net: Network, data, batch: int | None, k: int) -> Trainer:
    name, hp = RULES[k]
    return Trainer(net.copy(), make_optimizer(name, **hp), data, batch_size=batch, seed=3)


def race(net: Network, data, batch: int | None, n: int) -> Race:
    return Race(net, data, [make_optimizer(name, **hp) for name, hp in RULES[:n]], batch_size=batch, seed=3)


def per_update_us(runner: Trainer | Race, n: int) -> float:
    """CPU µs per (lockstep) update; reset first so every round trains the same stretch of the run."""
    runner.reset()
    started = time.process_time()
    runner.run(n)
    return (time.process_time() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--updates", type=int, default=300)
    args = parser.parse_args()
    print(f"load average at start {' '.join(f'{v:.2f}' for v in os.getloadavg())} (1, 5, 15 min)")
    print("µs of CPU per update: one run alone (SGD), a race of 2 (SGD, momentum) and of 4 (+ Adam, Nesterov),"
          f" median of {args.rounds} interleaved rounds of {args.updates} updates; ratios against the run alone,"
          " and against its contestants each run alone")
    for title, sizes, dataset, loss, batch in CASES:
        net, data = setup(sizes, dataset, loss)
        runners = [*(alone(net, data, batch, k) for k in range(4)), *(race(net, data, batch, n) for n in (2, 4))]
        times: list[list[float]] = [[] for _ in runners]
        for _ in range(args.rounds):
            for k, runner in enumerate(runners):
                times[k].append(per_update_us(runner, args.updates))
        each = [statistics.median(t) for t in times[:4]]
        two, four = statistics.median(times[4]), statistics.median(times[5])
        one = each[0]
        print(f"  {title}\n    alone (SGD) {one:8.1f}   race of 2 {two:8.1f} (×{two / one:.2f})   "
              f"race of 4 {four:8.1f} (×{four / one:.2f})\n"
              f"    the same contestants each alone, summed: {sum(each[:2]):8.1f} and {sum(each):8.1f}: "
              f"the lockstep costs ×{two / sum(each[:2]):.2f} and ×{four / sum(each):.2f} of that")
    print(f"load average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
