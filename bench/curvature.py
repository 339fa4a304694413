"""What a λmax estimate costs (engine/curvature.py), beside one full-batch gradient in the same run.

For 2-8-8-1 and 2-16-16-16-1 tanh networks on 500 points of the circle (squared error), each round times, in
turn (so a busy machine slows both alike):
  gradient   one forward and backward pass over the 500 points (what one full-batch update computes)
  product    one exact Hessian-vector product there (forward over backward), set-up excluded
  cold       a whole estimate from a random start (the stopping rule of the page: residual ≤ 1e-3·λmax)
  warm       the same estimate started from the previous one's eigenvector, as the server does after a change
Printed: medians of the rounds in ms, the ratios to one gradient, the Hessian-vector products used, and the load
average (its 1-minute figure before and after), so a figure taken on a busy machine says so.

    .venv/bin/python bench/curvature.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the work pool's threads each run one BLAS thread

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import numpy as np  # noqa: E402

from engine import Network, Trainer, make_dataset, make_optimizer  # noqa: E402
from engine.curvature import HessianProducts, trainer_curvature  # noqa: E402
from engine.gradcheck import flat_gradient  # noqa: E402


def ms(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1e3


def network_row(sizes: list[int], rounds: int) -> str:
    data = make_dataset("circle", n=500, noise=0.1, test_fraction=0.0, seed=1)
    net = Network(sizes, activations="tanh", loss="mse", seed=2)
    trainer = Trainer(net, make_optimizer("sgd", lr=0.1), data)
    trainer.run(50)  # off the starting weights, as a session would be
    X, T = trainer.X_train, trainer.T_train
    products = HessianProducts(net, X, T)
    v = np.random.default_rng(0).standard_normal(net.n_params)
    cold = trainer_curvature(trainer)
    times: dict[str, list[float]] = {"gradient": [], "product": [], "cold": [], "warm": []}
    for _ in range(rounds):
        times["gradient"].append(ms(lambda: flat_gradient(net, X, T)))
        times["product"].append(ms(lambda: products(v)))
        times["cold"].append(ms(lambda: trainer_curvature(trainer)))
        times["warm"].append(ms(lambda: trainer_curvature(trainer, start=cold.vector)))
    warm = trainer_curvature(trainer, start=cold.vector)
    m = {k: statistics.median(t) for k, t in times.items()}
    g = m["gradient"]
    return (f"  {'-'.join(map(str, sizes)):16s} {g:9.3f} {m['product']:9.3f} {m['cold']:9.3f} {m['warm']:9.3f}   "
            f"{m['product'] / g:12.2f} {m['cold'] / g:10.1f} {m['warm'] / g:10.1f}"
            f"  {cold.products:8d} / {warm.products:<4d}   {cold.lambda_max:.4g}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    load_before = os.getloadavg()[0]
    print("λmax estimate against one full-batch gradient, 500 points, tanh, squared error (median ms of "
          f"{rounds} rounds)")
    print(f"  {'network':16s} {'gradient':>9s} {'product':>9s} {'cold':>9s} {'warm':>9s}   "
          "product/grad  cold/grad  warm/grad  products cold/warm   λmax")
    for sizes in ([2, 8, 8, 1], [2, 16, 16, 16, 1]):
        print(network_row(sizes, rounds))
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
          f"{os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
