"""Where a slice is evaluated: the grid's resolution, its span around the path, the path's coordinates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .directions import Plane
from .network import Network

Array = np.ndarray
Span = float | Sequence[tuple[float, float]] | None

MAX_RESOLUTION = 500


def check_resolution(resolution: int) -> int:
    """Points per axis, a whole number in 2..MAX_RESOLUTION."""
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise ValueError(f"resolution: expected a whole number of points per axis, got {resolution!r}")
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution: expected 2..{MAX_RESOLUTION} points per axis, got {resolution}")
    return int(resolution)


def axis_ranges(span: Span, current: Array, points: Array, margin: float, minimum: float) -> list[tuple]:
    """(lo, hi) per axis. span: None (the extent of ``points`` (m, k) and ``current`` (k,), widened by
    ``margin`` of it on each side, each half-width at least ``minimum`` and a tenth of the widest), a number
    (that half-width around current) or one (lo, hi) per axis."""
    k = current.size
    if span is None:
        both = np.vstack([points.reshape(-1, k), current[None]])
        lo, hi = both.min(axis=0), both.max(axis=0)
        half = (hi - lo) * (0.5 + margin)
        half = np.maximum(half, max(minimum, 0.1 * half.max()))
        return [(c - h, c + h) for c, h in zip((lo + hi) / 2, half, strict=True)]
    if isinstance(span, int | float | np.number) and not isinstance(span, bool):
        if not (np.isfinite(span) and span > 0):
            raise ValueError(f"span: expected a half-width > 0, got {span!r}")
        return [(c - span, c + span) for c in current]
    try:
        ranges = [(float(lo), float(hi)) for lo, hi in span]
    except (TypeError, ValueError):
        raise ValueError(f"span: expected a half-width or {k} (lo, hi) pairs, got {span!r}") from None
    if len(ranges) != k or not all(np.isfinite(r).all() and r[0] < r[1] for r in ranges):
        raise ValueError(f"span: expected {k} finite (lo, hi) pairs with lo < hi, got {span!r}")
    return ranges


def path_coordinates(plane: Plane, path: Array | None, steps: Array | None) -> tuple[Array, Array, Array]:
    """The trajectory's coordinates (k, dims), its steps (k,) and distances off the plane (k,)."""
    n = plane.origin.size
    rows = np.empty((0, n)) if path is None else np.asarray(path, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != n:
        raise ValueError(f"path: expected rows of {n} parameters, (k, {n}), got shape {rows.shape}")
    steps = np.arange(len(rows)) if steps is None else np.asarray(steps, dtype=np.int64)
    if steps.shape != (len(rows),):
        raise ValueError(f"steps: expected one step per path row ({len(rows)}), got shape {steps.shape}")
    coords = plane.project(rows).reshape(len(rows), plane.ndim)
    return coords, steps, plane.distance(rows).reshape(len(rows))


def current_point(plane: Plane, net: Network) -> Array:
    """The current weights' coordinates on the plane, (k,); a diverged network has none."""
    theta = net.flat()
    if not np.isfinite(theta).all():
        raise ValueError("weights: some are not finite (training diverged): reset before drawing a surface")
    return plane.project(theta)
