"""How long a loss surface takes: the batched evaluation against the naive loop, measured in the same run.

A 2-8-8-1 tanh network on 500 training points (the circle set), surfaces of 25×25, 50×50 and 100×100 on a
random filter-normalised plane (every layer moves: the dearest case) and on two chosen first-layer weights.
The naive loop is ``set_flat`` and ``net.loss`` at every grid point. Budgets (issue 3): 100×100 ≤ 150 ms and
at least 3× faster than the naive loop; 50×50 ≤ 50 ms.

    .venv/bin/python bench/landscape.py
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from pathlib import Path

# Some machines here set these so that old OpenBLAS builds pick a safe kernel; they slow a current numpy.
# A benchmark may drop them for its own process (never the tests); OpenBLAS reads them when numpy loads.
UNSET = [name for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if os.environ.pop(name, None) is not None]

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from engine import Network, make_dataset  # noqa: E402
from engine.batched_loss import naive_losses  # noqa: E402
from engine.landscape import parameter_surface, random_surface  # noqa: E402

BUDGETS_MS = {50: 50.0, 100: 150.0}
MIN_SPEEDUP = 3.0
PARAMS = ("weight", 0, 0, 0), ("weight", 0, 1, 0)
CORENAME_SYMBOLS = ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename")


def blas_core() -> str:
    """The kernel OpenBLAS chose at load time, as NumPy's bundled build reports it (else 'unknown')."""
    libs = Path(np.__file__).parent.with_name("numpy.libs")
    for path in sorted(libs.glob("libscipy_openblas*.so*")):
        lib = ctypes.CDLL(str(path))
        for symbol in CORENAME_SYMBOLS:
            get = getattr(lib, symbol, None)
            if get is not None:
                get.restype = ctypes.c_char_p
                return get().decode()
    return "unknown"


def best_ms(fn, repeats: int) -> float:
    """The fastest of ``repeats`` runs, in ms: the least disturbed by whatever else the machine does."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


def main() -> int:
    data = make_dataset("circle", n=1000, test_fraction=0.5)
    net = Network([2, 8, 8, 1], activations="tanh", loss="mse", seed=0)
    X, T = data.X_train, data.targets(net.target_encoding)
    print(f"2-8-8-1 tanh, mse, {len(X)} training points, float32 surfaces; numpy {np.__version__}")
    unset = ", ".join(UNSET) or "nothing (neither was set)"
    print(f"unset for this process: {unset}; OpenBLAS kernel in use: {blas_core()}")
    slices = {
        "random plane": lambda res: random_surface(net, X, T, resolution=res),
        "two weights": lambda res: parameter_surface(net, X, T, *PARAMS, resolution=res, span=1.0),
    }
    row = "{:14} {:>9} {:>11} {:>10} {:>8} {:>11}  {}"
    line = "{:14} {:>9} {:>11.1f} {:>10.1f} {:>7.1f}× {:>11.1e}  {}"
    print(row.format("slice", "grid", "batched ms", "naive ms", "speedup", "max |diff|", "verdict"))
    failed = False
    for name, make in slices.items():
        for res in (25, 50, 100):
            surface = make(res)
            coords = np.stack(np.meshgrid(surface.alpha, surface.beta), axis=-1).reshape(-1, 2)
            thetas = surface.plane.point(coords)
            batched = best_ms(lambda make=make, res=res: make(res), repeats=10)
            naive = best_ms(lambda t=thetas: naive_losses(net, X, T, t), repeats=3 if res < 100 else 2)
            diff = np.abs(naive_losses(net, X, T, thetas) - surface.loss.ravel()).max()
            speedup = naive / batched
            over = batched > BUDGETS_MS.get(res, np.inf) or (res == 100 and speedup < MIN_SPEEDUP)
            failed |= over
            verdict = "OVER BUDGET" if over else "ok"
            print(line.format(name, f"{res}×{res}", batched, naive, speedup, diff, verdict))
    print(f"budgets: 50×50 ≤ {BUDGETS_MS[50]:g} ms; 100×100 ≤ {BUDGETS_MS[100]:g} ms, {MIN_SPEEDUP:g}× naive")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
