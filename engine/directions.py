"""Planes through weight space: the 2-D (or 1-D) slices a person can look at.

A plane is theta(c) = origin + sum_k c_k directions[k], with theta and origin flat parameter vectors in
``net.flat()`` order, shape (n_params,), and c the k = 1 or 2 coordinates of a point on it. Three kinds:

- parameters: the directions are unit vectors on chosen parameters and the origin holds 0 there, so a
  coordinate *is* the parameter's value;
- random: seeded Gaussian directions, filter-normalised (Li et al., 2018);
- pca: the first principal components of a recorded trajectory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import names
from .network import Network

Array = np.ndarray
ParamRef = tuple  # ("weight", l, i, j) or ("bias", l, j)


@dataclass
class Plane:
    """origin: (n_params,); directions: (k, n_params), k = 1 or 2; indices: the chosen parameters' positions
    in ``flat()`` for a parameter slice (else None)."""

    origin: Array
    directions: Array
    indices: tuple[int, ...] | None = None

    @property
    def ndim(self) -> int:
        return len(self.directions)

    def point(self, coords: Array) -> Array:
        """coords: (m, k) or (k,) -> flat parameter vectors (m, n_params) or (n_params,)."""
        coords = np.asarray(coords, dtype=np.float64)
        return self.origin + coords @ self.directions

    def project(self, thetas: Array) -> Array:
        """Flat vectors (m, n_params) or (n_params,) -> their coordinates (m, k) or (k,) on the plane.

        The least-squares coordinates (the directions need not be orthogonal). For a parameter slice they are
        read off exactly: the chosen parameters' values.
        """
        thetas = np.asarray(thetas, dtype=np.float64)
        if thetas.shape[-1] != self.origin.size:
            raise ValueError(f"thetas: expected vectors of {self.origin.size} parameters, got {thetas.shape}")
        if self.indices is not None:
            return thetas[..., list(self.indices)].copy()
        gram = self.directions @ self.directions.T
        rhs = (thetas - self.origin) @ self.directions.T
        return np.linalg.solve(gram, rhs.T).T if rhs.ndim == 2 else np.linalg.solve(gram, rhs)

    def distance(self, thetas: Array) -> Array:
        """How far each vector lies off the plane (Euclidean, in parameter units): (m,) or ()."""
        thetas = np.asarray(thetas, dtype=np.float64)
        return np.linalg.norm(thetas - self.point(self.project(thetas)), axis=-1)


# -- parameters -----------------------------------------------------------------------------------------


def parameter_index(net: Network, ref: ParamRef, name: str = "param") -> int:
    """The position in ``flat()`` of ("weight", l, i, j) or ("bias", l, j); ValueError naming ``name``."""
    if not isinstance(ref, Sequence) or isinstance(ref, str) or not ref:
        raise ValueError(f"{name}: expected ('weight', l, i, j) or ('bias', l, j), got {ref!r}")
    kind, *rest = ref
    want = {"weight": 3, "bias": 2}.get(kind)
    if want is None or len(rest) != want or not all(isinstance(k, int | np.integer) for k in rest):
        raise ValueError(f"{name}: expected ('weight', l, i, j) or ('bias', l, j), got {ref!r}")
    try:
        return net.flat_index(kind, *(int(k) for k in rest))
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None


def parameter_label(net: Network, ref: ParamRef) -> str:
    """Plain words for a parameter, as the page names it (engine/names.py): 'w from x₁ to h₁', 'b of h₁'."""
    return names.param_label(net, ref)


def parameter_plane(net: Network, refs: Sequence[ParamRef], names: Sequence[str]) -> Plane:
    """The slice along one or two chosen parameters, every other one held at its current value."""
    indices = tuple(parameter_index(net, ref, name) for ref, name in zip(refs, names, strict=True))
    if len(set(indices)) != len(indices):
        raise ValueError(f"{names[-1]}: choose two different weights (the same one was chosen twice)")
    origin = net.flat()
    origin[list(indices)] = 0.0  # so that a coordinate is the parameter's own value
    directions = np.zeros((len(indices), origin.size))
    directions[np.arange(len(indices)), indices] = 1.0
    return Plane(origin, directions, indices)


# -- random, filter-normalised --------------------------------------------------------------------------


def layer_views(net: Network, flat: Array) -> list[tuple[Array, Array]]:
    """Views (weights (n_l, n_{l+1}), biases (n_{l+1},)) into a flat vector, layer by layer."""
    out, offset = [], 0
    for w in net.weights:
        n_in, n_out = w.shape
        weights = flat[offset : offset + n_in * n_out].reshape(n_in, n_out)
        offset += n_in * n_out
        out.append((weights, flat[offset : offset + n_out]))
        offset += n_out
    return out


def filter_normalise(net: Network, direction: Array, theta: Array, bias: str = "zero") -> Array:
    """Rescale a flat direction neuron by neuron to the norm of theta's filter; returns a new vector.

    A filter is the column weights[l][:, j], the weights into neuron j. bias='zero' sets every bias direction
    to 0, as Li et al.'s code does with ignore='biasbn': the plane never moves a bias. bias='filter' makes b_j
    part of neuron j's filter, so (weights[l][:, j], biases[l][j]) is rescaled as one vector. Biases the
    network does not train get direction 0 either way, since a plane should not move what training cannot.
    """
    if bias not in ("zero", "filter"):
        raise ValueError(f"bias: expected 'zero' or 'filter', got {bias!r}")
    out = np.array(direction, dtype=np.float64)
    with_bias = bias == "filter" and net.train_biases
    theta = np.asarray(theta, dtype=np.float64)
    for (d_w, d_b), (w, b) in zip(layer_views(net, out), layer_views(net, theta), strict=True):
        if not with_bias:
            d_b[:] = 0.0
        d_norm = np.sqrt((d_w**2).sum(axis=0) + (d_b**2 if with_bias else 0.0))
        w_norm = np.sqrt((w**2).sum(axis=0) + (b**2 if with_bias else 0.0))
        # A zero filter in theta (or in d) gets a zero direction rather than a division by zero.
        scale = np.divide(w_norm, d_norm, out=np.zeros_like(w_norm), where=d_norm > 0)
        d_w *= scale
        if with_bias:
            d_b *= scale
    return out


def random_plane(net: Network, seed: int = 0, origin: Array | None = None, bias: str = "zero") -> Plane:
    """Two seeded Gaussian directions, filter-normalised to ``origin`` (default: the current
    weights), centred there. Coordinate 1 along a direction changes every filter by its own norm."""
    theta = net.flat() if origin is None else np.asarray(origin, dtype=np.float64).copy()
    if theta.shape != (net.n_params,):
        raise ValueError(f"origin: expected shape ({net.n_params},), got {theta.shape}")
    if not np.isfinite(theta).all():
        name = "weights" if origin is None else "origin"
        raise ValueError(f"{name}: some are not finite (training diverged?): no plane can be centred there")
    draws = np.random.default_rng(seed).standard_normal((2, theta.size))
    directions = np.stack([filter_normalise(net, d, theta, bias) for d in draws])
    if np.linalg.matrix_rank(directions) < 2:
        raise ValueError("origin: every filter is zero there, so a filter-normalised plane has no extent")
    return Plane(theta, directions)


# -- principal components of a trajectory ---------------------------------------------------------------


def pca_plane(path: Array, seed: int = 0) -> tuple[Plane, Array]:
    """The plane of a trajectory: path (k, n_params), oldest first; centred on its last point.

    The differences path - path[-1] are decomposed (no mean removed, as in Li et al.); the first two right
    singular vectors span the plane. Returns the plane and each component's share of the squared length of
    the differences, shape (2,), summing to at most 1 (exactly 1 for a path that lies in a plane).
    A straight path has one component: the second is then a seeded unit vector orthogonal to it, share 0.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or len(path) < 2:
        raise ValueError(f"trajectory: need at least 2 recorded points (k, n_params), got shape {path.shape}")
    if not np.isfinite(path).all():
        raise ValueError("trajectory: some recorded weights are not finite (training diverged?)")
    diffs = path - path[-1]
    _, s, vt = np.linalg.svd(diffs, full_matrices=False)
    total = float((s**2).sum())
    if total == 0.0:
        raise ValueError("trajectory: every recorded point is the same, so it spans no plane")
    # Components below rounding of the largest carry no direction of their own.
    rank = int((s > s[0] * 1e-12).sum())
    directions = vt[:2].copy() if rank >= 2 else vt[:1].copy()
    if rank < 2:
        extra = np.random.default_rng(seed).standard_normal(path.shape[1])
        extra -= (extra @ directions[0]) * directions[0]
        directions = np.vstack([directions, extra / np.linalg.norm(extra)])
    shares = np.zeros(2)
    shares[: min(rank, 2)] = s[: min(rank, 2)] ** 2 / total
    return Plane(path[-1].copy(), directions), shares
