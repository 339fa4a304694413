"""How fast the NumPy engine trains: median µs per training step, beside a pure-Python loop and PyTorch.

A training step is forward + backward + momentum update (squared error, tanh units, η = 0.01, α = 0.9) on:
  (a) 2-8-8-1, a full batch of 500 points; (b) 2-4-2-1, one example per step; (c) 2-16-16-16-1, batch of 500.
Each is timed four ways in the same run, from the same starting weights and data:
  engine run   ``Trainer.run(k)``, as the server's play loop calls it, the batch being the whole training set:
               the update, a divergence check, the parameter trajectory and the train loss logged every update
  engine step  ``opt.step(net, net.backward(net.forward(X), T))``: the Network and optimizer alone
  python loop  the same maths, example by example, with lists and ``math`` (no NumPy)
  torch        PyTorch on the CPU, float64, one thread (only when it is importable; never a dependency)
The four are checked to compute the same weights before anything is timed. Timings are interleaved round by
round, so a busy machine slows all of them alike; by default they are process CPU time (``--clock wall`` for
wall-clock time). Targets: engine ≤ 100 µs in case (a), and ≥ 4× faster than PyTorch in every case.

    .venv/bin/python bench/engine.py [--rounds 15] [--clock cpu|wall]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# One BLAS thread, as PyTorch gets one: each library is measured on one core. Set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import Dataset, Network, Trainer, make_dataset, make_optimizer  # noqa: E402

try:
    import torch
except ImportError:  # `make bench` installs its CPU build where it can, and this bench says what it skipped
    torch = None

LR, MOMENTUM = 0.01, 0.9
TARGET_A_US = 100.0
TARGET_TORCH_RATIO = 4.0


@dataclass
class Case:
    key: str
    title: str
    sizes: list[int]
    batch: int  # examples per step: 500 (the whole training set) or 1


CASES = [
    Case("a", "2-8-8-1 tanh, full batch of 500", [2, 8, 8, 1], 500),
    Case("b", "2-4-2-1 tanh, one example", [2, 4, 2, 1], 1),
    Case("c", "2-16-16-16-1 tanh, batch of 500", [2, 16, 16, 16, 1], 500),
]


# -- the four ways to take a step ------------------------------------------------------------------------


def setup(case: Case) -> tuple[Network, np.ndarray, np.ndarray]:
    """The network with small random biases; the first ``case.batch`` points of a noisy circle, ±1 targets."""
    data = make_dataset("circle", n=500, noise=0.1, test_fraction=0.0, seed=0)
    net = Network(case.sizes, activations="tanh", loss="mse", seed=1)
    rng = np.random.default_rng(2)
    for b in net.biases:
        b[:] = rng.normal(0.0, 0.1, b.shape)
    return net, data.X_train[: case.batch], data.targets("pm1")[: case.batch]


def engine_run(case: Case) -> tuple[Callable[[int], None], Callable[[], list[np.ndarray]]]:
    net, X, T = setup(case)
    data = Dataset.given("bench", X, T)  # the batch is the whole training set: full-batch updates
    trainer = Trainer(net, make_optimizer("momentum", lr=LR, momentum=MOMENTUM), data, batch_size=None)
    return trainer.run, lambda: [*net.weights, *net.biases]


def engine_step(case: Case) -> tuple[Callable[[int], None], Callable[[], list[np.ndarray]]]:
    net, X, T = setup(case)
    opt = make_optimizer("momentum", lr=LR, momentum=MOMENTUM)

    def steps(k: int) -> None:
        with np.errstate(all="ignore"):
            for _ in range(k):
                opt.step(net, net.backward(net.forward(X), T))

    return steps, lambda: [*net.weights, *net.biases]


def python_loop(case: Case) -> tuple[Callable[[int], None], Callable[[], list[np.ndarray]]]:
    """Plain Python: W[l][i][j] is w_ij in nested lists; one example at a time, gradients summed, averaged."""
    net, X, T = setup(case)
    W = [w.tolist() for w in net.weights]
    B = [b.tolist() for b in net.biases]
    VW = [[[0.0] * len(row) for row in w] for w in W]
    VB = [[0.0] * len(b) for b in B]
    xs, ts = X.tolist(), T.tolist()
    L = len(W)
    tanh = math.tanh

    def step() -> None:
        GW = [[[0.0] * len(row) for row in w] for w in W]
        GB = [[0.0] * len(b) for b in B]
        for x, t in zip(xs, ts, strict=True):
            outs = [x]
            for w, b in zip(W, B, strict=True):
                o = outs[-1]
                outs.append([
                    tanh(b_j + sum(o_i * w_i[j] for o_i, w_i in zip(o, w, strict=True)))
                    for j, b_j in enumerate(b)
                ])
            delta = [(y - t_j) * (1.0 - y * y) for y, t_j in zip(outs[-1], t, strict=True)]
            for l in range(L - 1, -1, -1):
                o, gw, gb = outs[l], GW[l], GB[l]
                for j, d in enumerate(delta):
                    gb[j] += d
                for i, o_i in enumerate(o):
                    row = gw[i]
                    for j, d in enumerate(delta):
                        row[j] += o_i * d
                if l > 0:
                    delta = [
                        (1.0 - o_i * o_i) * sum(w_ij * d for w_ij, d in zip(w_i, delta, strict=True))
                        for o_i, w_i in zip(o, W[l], strict=True)
                    ]
        n = len(xs)
        for l in range(L):
            for i, row in enumerate(W[l]):
                v, g = VW[l][i], GW[l][i]
                for j in range(len(row)):
                    v[j] = -LR * (g[j] / n) + MOMENTUM * v[j]
                    row[j] += v[j]
            v, g, b = VB[l], GB[l], B[l]
            for j in range(len(b)):
                v[j] = -LR * (g[j] / n) + MOMENTUM * v[j]
                b[j] += v[j]

    def steps(k: int) -> None:
        for _ in range(k):
            step()

    return steps, lambda: [*map(np.array, W), *map(np.array, B)]


def torch_loop(case: Case) -> tuple[Callable[[int], None], Callable[[], list[np.ndarray]]]:
    net, X, T = setup(case)
    W = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in net.weights]
    B = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in net.biases]
    Xt = torch.tensor(X, dtype=torch.float64)
    Tt = torch.tensor(T, dtype=torch.float64)
    opt = torch.optim.SGD([*W, *B], lr=LR, momentum=MOMENTUM)

    def steps(k: int) -> None:
        for _ in range(k):
            opt.zero_grad()
            o = Xt
            for w, b in zip(W, B, strict=True):
                o = torch.tanh(o @ w + b)
            loss = 0.5 * ((o - Tt) ** 2).sum(dim=1).mean()
            loss.backward()
            opt.step()

    return steps, lambda: [t.detach().numpy().copy() for t in (*W, *B)]


IMPLEMENTATIONS: dict[str, Callable] = {
    "engine run": engine_run,
    "engine step": engine_step,
    "python loop": python_loop,
}
if torch is not None:
    IMPLEMENTATIONS["torch"] = torch_loop


# -- measuring -------------------------------------------------------------------------------------------


def check_agreement(case: Case) -> float:
    """The largest difference between any implementation's weights and the engine's after three steps."""
    worst = 0.0
    reference = None
    for make in IMPLEMENTATIONS.values():
        steps, params = make(case)
        steps(3)
        got = params()
        if reference is None:
            reference = got
            continue
        worst = max(worst, max(float(np.abs(a - b).max()) for a, b in zip(got, reference, strict=True)))
    return worst


def block_size(name: str, case: Case) -> int:
    """Steps per timed block: enough for a few milliseconds each."""
    if name == "python loop":
        return 1 if case.batch > 1 else 100
    return 50 if name == "torch" else 200


def measure(case: Case, rounds: int, clock: Callable[[], float]) -> dict[str, float]:
    runners = {name: make(case)[0] for name, make in IMPLEMENTATIONS.items()}
    for name, steps in runners.items():
        steps(block_size(name, case))  # warm up caches, allocators and PyTorch's dispatcher
    samples: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:  # rotate who goes first
            k = block_size(name, case)
            start = clock()
            runners[name](k)
            samples[name].append((clock() - start) / k * 1e6)
    return {name: statistics.median(s) for name, s in samples.items()}


def ratio(r: float, width: int) -> str:
    return f"{r:>{width}.1f}×" if r < 10 else f"{r:>{width}.0f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed blocks per implementation and case")
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    if torch is not None:
        torch.set_num_threads(1)

    if torch is None:
        print("SKIPPED: the comparison with PyTorch (torch is not installed; `make bench` installs its CPU build, "
              "torch==2.13.0+cpu, where that file is on disk)")
    print(f"numpy {np.__version__}; torch {torch.__version__ if torch else 'not installed'}; "
          f"{os.cpu_count()} cores; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    print(f"median µs per training step ({args.clock} time, {args.rounds} rounds), "
          f"forward + backward + momentum update; load average at start {load:.1f}\n")
    names = list(IMPLEMENTATIONS)
    header = f"{'case':<36}" + "".join(f"{n:>13}" for n in names) + f"{'python/run':>12}"
    header += f"{'torch/run':>11}{'torch/step':>11}" if torch is not None else ""
    print(header)
    verdicts = []
    for case in CASES:
        agreement = check_agreement(case)
        if agreement > 1e-9:
            raise SystemExit(f"case {case.key}: the implementations disagree by {agreement:.2e}")
        us = measure(case, args.rounds, clock)
        row = f"({case.key}) {case.title:<32}" + "".join(f"{us[n]:>13.1f}" for n in names)
        row += ratio(us["python loop"] / us["engine run"], 11)
        if torch is not None:
            row += ratio(us["torch"] / us["engine run"], 10) + ratio(us["torch"] / us["engine step"], 10)
            for name in ("engine run", "engine step"):
                faster = us["torch"] / us[name]
                verdicts.append((f"({case.key}) {name} ≥ {TARGET_TORCH_RATIO:g}× faster than torch: "
                                 f"{faster:.1f}×", faster >= TARGET_TORCH_RATIO))
        if case.key == "a":
            for name in ("engine run", "engine step"):
                text = f"(a) {name} ≤ {TARGET_A_US:g} µs: {us[name]:.1f} µs"
                verdicts.append((text, us[name] <= TARGET_A_US))
        print(row)
    print(f"\nAll implementations agree on the weights after 3 steps to 1e-9. Load average at the end "
          f"{os.getloadavg()[0]:.1f}.")
    for text, ok in verdicts:
        print(f"  {'met   ' if ok else 'MISSED'} {text}")


if __name__ == "__main__":
    main()
