"""The network's output over the input plane, as TF Playground's heatmap: what the decision map draws."""

from __future__ import annotations

import math

import numpy as np

from .network import Network

Array = np.ndarray


def data_domain(*point_sets: Array, margin: float = 0.1) -> tuple[float, float, float, float]:
    """A square [x0, x1, y0, y1] around every point, symmetric about 0 and rounded out to a tenth."""
    extent = max((float(np.abs(p).max()) for p in point_sets if p.size), default=1.0)
    half = math.ceil(extent * (1 + margin) * 10) / 10
    return (-half, half, -half, half)


def decision_grid(net: Network, domain: tuple[float, float, float, float], resolution: int) -> Array:
    """The output at the points of a resolution × resolution lattice spanning ``domain`` edge to edge
    (x = linspace(x0, x1, resolution), likewise y), for 2-D inputs only.

    Returns (resolution, resolution) for one output, (resolution, resolution, K) for K; row 0 is y0.
    """
    if net.sizes[0] != 2:
        raise ValueError(f"sizes: a decision map needs 2 inputs, the network has {net.sizes[0]}")
    if not 2 <= resolution <= 1000:
        raise ValueError(f"resolution: expected 2..1000 cells per side, got {resolution}")
    x0, x1, y0, y1 = domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    with np.errstate(all="ignore"):
        out = net.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    k = out.shape[1]
    return out.reshape(resolution, resolution) if k == 1 else out.reshape(resolution, resolution, k)
