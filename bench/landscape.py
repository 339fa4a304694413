"""How long a loss surface takes: the batched evaluation against the naive loop, like with like, in one run.

A 2-8-8-1 tanh network on 500 training points (the circle set), surfaces of 25×25, 50×50 and 100×100 on a
random filter-normalised plane (every layer moves: the dearest case) and on two chosen first-layer weights.

Like with like: the batched evaluation (``plane_losses``) and the naive loop (``set_flat`` + the forward pass at
every grid point) evaluate the same points, the loss only, in the same precision: float64 against float64 and
float32 against float32. The float32 gain (batched float64 / batched float32) is reported on its own. Every
function runs the same number of times, interleaved round by round, so a busy machine slows all of them alike;
each figure is the median of those runs, the best in brackets.

OpenBLAS picks its kernel by CPU model, or by ``OPENBLAS_CORETYPE`` (``OPENBLAS_L2_SIZE`` sizes its blocks),
which some machines here set and users' machines do not. The figures are measured twice, each in its own
process: with the environment as given (as the server runs here) and with those two variables unset, and the
kernel OpenBLAS chose is printed with each. When neither is set, one run serves for both.

Budgets (issue 3), for the whole surface call the server makes (float32, with accuracy, on the current weights):
50×50 ≤ 50 ms, 100×100 ≤ 150 ms, and batched at least 3× faster than the naive loop at 100×100 in each precision.

    .venv/bin/python bench/landscape.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from engine import Network, make_dataset  # noqa: E402
from engine.batched_loss import naive_losses, plane_losses  # noqa: E402
from engine.landscape import parameter_surface, random_surface  # noqa: E402

BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
BUDGETS_MS = {50: 50.0, 100: 150.0}
MIN_SPEEDUP = 3.0
RESOLUTIONS = (25, 50, 100)
PARAMS = ("weight", 0, 0, 0), ("weight", 0, 1, 0)
CORENAME_SYMBOLS = ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename")
FUNCTIONS = ("surface f32", "batched f64", "naive f64", "batched f32", "naive f32")


# -- which BLAS ran ------------------------------------------------------------------------------------------


def blas_description() -> str:
    """The BLAS NumPy calls and the kernel it chose at load time: threadpoolctl's report (the bench extra),
    else OpenBLAS's own corename from NumPy's bundled build."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"OpenBLAS kernel {openblas_corename()} (threadpoolctl not installed: version and threads unknown)"
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            return (f"{lib['internal_api']} {lib.get('version')}, kernel {lib.get('architecture')}, "
                    f"{lib.get('num_threads')} threads ({Path(lib['filepath']).name})")
    return "no BLAS found by threadpoolctl"


def openblas_corename() -> str:
    libs = Path(np.__file__).parent.with_name("numpy.libs")
    for path in sorted(libs.glob("libscipy_openblas*.so*")):
        lib = ctypes.CDLL(str(path))
        for symbol in CORENAME_SYMBOLS:
            get = getattr(lib, symbol, None)
            if get is not None:
                get.restype = ctypes.c_char_p
                return get().decode()
    return "unknown"


def blas_settings(env: dict[str, str]) -> str:
    return ", ".join(f"{name}={env[name]}" for name in BLAS_VARIABLES if name in env) or "neither set"


# -- the naive loop in float32 ---------------------------------------------------------------------------------


def naive_losses_f32(net: Network, X: np.ndarray, T: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    """``naive_losses`` in float32: per point, the layers' weights sliced out of theta and one forward pass.
    (``Network`` is float64 throughout, so the float32 twin of its forward pass is written out here.)"""
    X32, T32, thetas = X.astype(np.float32), T.astype(np.float32), thetas.astype(np.float32)
    shapes = [w.shape for w in net.weights]
    out = np.empty(len(thetas))
    for k, theta in enumerate(thetas):
        o, offset = X32, 0
        for (n_in, n_out), phi in zip(shapes, net.activations, strict=True):
            w = theta[offset : offset + n_in * n_out].reshape(n_in, n_out)
            offset += n_in * n_out
            b = theta[offset : offset + n_out]
            offset += n_out
            z = o @ w
            z += b
            o = phi.value(z)
        errors = net.loss_fn.errors(z, o, T32)
        out[k] = float(np.add.reduce(errors)) / errors.size
    return out


# -- measuring (in a process whose environment is the one to measure) ------------------------------------------


def measure(repeats: int) -> list[dict]:
    data = make_dataset("circle", n=1000, test_fraction=0.5)
    net = Network([2, 8, 8, 1], activations="tanh", loss="mse", seed=0)
    X, T = data.X_train, data.targets(net.target_encoding)
    slices = {
        "random plane": lambda res: random_surface(net, X, T, resolution=res),
        "two weights": lambda res: parameter_surface(net, X, T, *PARAMS, resolution=res, span=1.0),
    }
    rows = []
    for name, make in slices.items():
        for res in RESOLUTIONS:
            surface = make(res)
            plane = surface.plane
            coords = np.stack(np.meshgrid(surface.alpha, surface.beta), axis=-1).reshape(-1, 2)
            thetas = plane.point(coords)
            fns = {
                "surface f32": lambda make=make, res=res: make(res),
                "batched f64": lambda p=plane, c=coords: plane_losses(net, X, T, p, c, np.float64, accuracy=False),
                "naive f64": lambda t=thetas: naive_losses(net, X, T, t),
                "batched f32": lambda p=plane, c=coords: plane_losses(net, X, T, p, c, np.float32, accuracy=False),
                "naive f32": lambda t=thetas: naive_losses_f32(net, X, T, t),
            }
            values = {key: np.ravel(fn()[0] if key.startswith("batched") else fn()) for key, fn in fns.items()
                      if key != "surface f32"}
            reference = values["naive f64"]
            diffs = {key: float(np.abs(v - reference).max()) for key, v in values.items()}
            times: dict[str, list[float]] = {key: [] for key in fns}
            order = list(fns)
            for r in range(repeats):
                for key in order[r % len(order):] + order[: r % len(order)]:  # rotate who goes first
                    start = time.perf_counter()
                    fns[key]()
                    times[key].append((time.perf_counter() - start) * 1e3)
            rows.append({"slice": name, "res": res, "diffs": diffs,
                         "median": {k: statistics.median(v) for k, v in times.items()},
                         "best": {k: min(v) for k, v in times.items()}})
    return rows


def print_rows(rows: list[dict], repeats: int) -> bool:
    """The two tables; True when a budget is missed."""
    print(f"ms, median of {repeats} runs each (best in brackets), loss only, the same points on both sides")
    head = "{:13} {:>7} | {:>15} {:>17} {:>7} | {:>15} {:>17} {:>7} | {:>8} | {:>9}"
    print(head.format("slice", "grid", "batched f64", "naive f64", "speedup", "batched f32", "naive f32",
                      "speedup", "f32 gain", "f32 error"))

    def cell(row: dict, key: str, width: int) -> str:
        return f"{row['median'][key]:.1f} ({row['best'][key]:.1f})".rjust(width)

    for row in rows:
        m = row["median"]
        print(f"{row['slice']:13} {row['res']:>3}×{row['res']:<3} | {cell(row, 'batched f64', 15)} "
              f"{cell(row, 'naive f64', 17)} {m['naive f64'] / m['batched f64']:>6.1f}× | "
              f"{cell(row, 'batched f32', 15)} {cell(row, 'naive f32', 17)} "
              f"{m['naive f32'] / m['batched f32']:>6.1f}× | {m['batched f64'] / m['batched f32']:>7.2f}× | "
              f"{row['diffs']['batched f32']:>9.1e}")
    worst64 = max(row["diffs"]["batched f64"] for row in rows)
    print(f"speedup = naive / batched in the same precision; f32 gain = batched f64 / batched f32; f32 error = "
          f"max |batched f32 − naive f64| (batched f64 agrees with naive f64 to {worst64:.1e})")
    print()
    print("the surface call the server makes (float32, loss and accuracy, plane and path included), ms:")
    failed = False
    for row in rows:
        res, m = row["res"], row["median"]
        budget = BUDGETS_MS.get(res)
        checks = []
        if budget is not None:
            checks.append((f"≤ {budget:g} ms", m["surface f32"] <= budget))
        if res == max(RESOLUTIONS):
            for p in ("f64", "f32"):
                speedup = m[f"naive {p}"] / m[f"batched {p}"]
                checks.append((f"{p} ≥ {MIN_SPEEDUP:g}× naive", speedup >= MIN_SPEEDUP))
        failed |= not all(ok for _, ok in checks)
        verdict = "; ".join(f"{text}: {'met' if ok else 'MISSED'}" for text, ok in checks) or "no budget"
        print(f"  {row['slice']:13} {res:>3}×{res:<3} {m['surface f32']:7.1f} ({row['best']['surface f32']:.1f})"
              f"   {verdict}")
    return failed


# -- the two environments ------------------------------------------------------------------------------------


def run_child(label: str, env: dict[str, str], repeats: int) -> list[dict] | None:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        done = subprocess.run([sys.executable, __file__, "--env", label, "--repeats", str(repeats),
                               "--json", out.name], env=env)
        if done.returncode not in (0, 1):
            print(f"the run with the environment {label} failed (exit {done.returncode})")
            return None
        return json.loads(Path(out.name).read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of every function, the same for all")
    parser.add_argument("--env", choices=["both", "kept", "unset"], default="both",
                        help="measure with the BLAS variables as given, unset, or both (each in its own process)")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # where a child writes its rows for the parent
    args = parser.parse_args()

    if args.env != "both":
        print(f"\n== environment {args.env} ({blas_settings(os.environ)}): {blas_description()}")
        rows = measure(args.repeats)
        failed = print_rows(rows, args.repeats)
        if args.json:
            Path(args.json).write_text(json.dumps(rows))
        return 1 if failed else 0

    load = os.getloadavg()
    print(f"2-8-8-1 tanh, mse, 500 training points; numpy {np.__version__}; {os.cpu_count()} cores; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min)")
    given = dict(os.environ)
    print(f"BLAS variables as given: {blas_settings(given)}")
    kept = run_child("kept", given, args.repeats)
    if not any(name in given for name in BLAS_VARIABLES):
        print("\nneither BLAS variable is set here: the figures above serve for both 'kept' and 'unset'")
        return 0 if kept is not None else 2
    unset_env = {k: v for k, v in given.items() if k not in BLAS_VARIABLES}
    unset = run_child("unset", unset_env, args.repeats)
    if kept is None or unset is None:
        return 2
    print("\nthe surface call (float32), with the variables unset against kept (medians, same run):")
    for a, b in zip(kept, unset, strict=True):
        ka, ub = a["median"]["surface f32"], b["median"]["surface f32"]
        print(f"  {a['slice']:13} {a['res']:>3}×{a['res']:<3} kept {ka:7.1f} ms   unset {ub:7.1f} ms   "
              f"unset is {ka / ub:.2f}× as fast")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
