"""The loss of many weight sets at once: every point of a plane through weight space, in chunks.

A chunk of c points runs the forward pass as stacked matrix products, (c, n_{l+1}, n_l) @ (c, n_l, batch),
with the network's own activation and loss functions, so a surface value is the same number ``net.loss``
gives (to float32 rounding), computed without a Python loop over the points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .activations import Activation
from .curve import Curve
from .directions import Plane, layer_views
from .network import Network

Array = np.ndarray
Progress = Callable[[float], None]  # told the share of the work done; raises to stop it

# Bytes per (chunk, width, batch) array: a chunk's arrays then stay within a core's 1 MB L2 cache, and each
# NumPy call still has tens of thousands of numbers to amortise its overhead. 256 KB to 2 MB measured alike.
CHUNK_BYTES = 512 << 10
# Activations that are not ufuncs (ReLU, the logistic unit) return new arrays; kept under the allocator's
# 128 KB threshold these come from its free lists instead of fresh, page-faulting mappings: 2x faster here.
CHUNK_BYTES_NEW_ARRAYS = 120 << 10


def naive_losses(net: Network, X: Array, T: Array, thetas: Array, progress: Progress | None = None) -> Array:
    """The reference: ``set_flat`` and ``net.loss`` for each row of thetas (m, n_params) -> (m,) float64.
    The network is left as it was."""
    saved = net.flat()
    try:
        out = np.empty(len(thetas))
        for k, theta in enumerate(thetas):
            if progress is not None:
                progress(k / len(thetas))
            net.set_flat(theta)
            out[k] = net.loss(X, T)
    finally:
        net.set_flat(saved)
    return out


def class_encoding(net: Network, T: Array) -> str | None:
    """The target encoding if T holds class labels ('onehot', '01', 'pm1'), else None (regression)."""
    encoding = net.target_encoding
    values = np.unique(T)
    if encoding == "onehot":
        ok = set(values) <= {0.0, 1.0} and bool((T.sum(axis=1) == 1).all())
    else:
        ok = set(values) <= ({0.0, 1.0} if encoding == "01" else {-1.0, 1.0})
    return encoding if ok else None


def _correct(o: Array, T: Array, encoding: str) -> Array:
    """o: (c, batch, n_out), T: (batch, n_out) -> (c, batch): whether each example is classed right."""
    if encoding == "onehot":
        return o.argmax(axis=2) == T.argmax(axis=1)
    threshold = 0.5 if encoding == "01" else 0.0
    return ((o > threshold) == (T > threshold)).all(axis=2)


def plane_losses(
    net: Network,
    X: Array,
    T: Array,
    plane: Plane,
    coords: Array,
    dtype: type = np.float32,
    accuracy: bool | None = None,
    chunk_bytes: int | None = None,
    progress: Progress | None = None,
) -> tuple[Array, Array | None]:
    """E (and the share classed right) at each point of the plane: coords (m, k) -> (m,), (m,) or None.

    accuracy: None computes it when T holds class labels. chunk_bytes: the size of each (chunk, n_l, batch)
    array (None: chosen for the network's activations). Layers before the first one the plane moves are
    run once. That layer's net is linear in the coordinates, net = N_0 + sum_k c_k N_k, so a chunk's nets
    come from one matrix product, [1, c] @ [N_0; N_k], however many points it has.
    progress: called before each chunk with the share of points done; it may raise to stop the work (a
    caller's time budget, or a page that no longer wants the result).
    """
    coords = np.atleast_2d(np.asarray(coords, dtype=np.float64))
    X, T = np.asarray(X, dtype=np.float64), np.asarray(T, dtype=np.float64)
    if isinstance(net, Curve):
        x = plane.point(coords)[:, 0]  # weights[0][0, 0] comes first in flat()
        # A diverged run's iterates lie far out (x past 1e77): f overflows to inf there, which is the true value
        # in floating point; callers take non-finite losses as gaps (the page draws none), so no warning is due.
        with np.errstate(over="ignore", invalid="ignore"):
            return net.f(x).astype(dtype), None
    if type(net).forward is not Network.forward:  # a model with its own forward: no batched shortcut
        return naive_losses(net, X, T, plane.point(coords), progress).astype(dtype), None
    encoding = class_encoding(net, T) if accuracy is not False else None
    if accuracy and encoding is None:
        raise ValueError("accuracy: the targets are not class labels")

    first, basis = _first_moved_layer(net, X, plane, dtype)
    batch, sizes = len(X), net.sizes
    if chunk_bytes is None:
        in_place = all(isinstance(phi.value, np.ufunc) for phi in net.activations[first:-1])
        chunk_bytes = CHUNK_BYTES if in_place else CHUNK_BYTES_NEW_ARRAYS
    chunk = max(1, chunk_bytes // (batch * max(sizes[first + 1 :]) * np.dtype(dtype).itemsize))
    # The hidden layers' nets go into buffers made once and reused by every chunk: a fresh array of a
    # megabyte is a fresh mapping from the allocator, whose page faults cost as much as the arithmetic.
    buffers = [np.empty((chunk, n, batch), dtype) for n in sizes[first + 1 : -1]]
    # The loss functions take (examples, n_out) rows: the targets repeated for every point of a chunk.
    T_rows = np.tile(T.astype(dtype), (chunk, 1))
    loss = np.empty(len(coords))
    acc = np.empty(len(coords)) if encoding else None
    for start in range(0, len(coords), chunk):
        if progress is not None:
            progress(start / len(coords))
        c = coords[start : start + chunk]
        net_out, o_out = _forward(net, plane, c, first, basis, [b[: len(c)] for b in buffers], dtype)
        rows = len(c) * batch
        errors = net.loss_fn.errors(net_out.reshape(rows, -1), o_out.reshape(rows, -1), T_rows[:rows])
        loss[start : start + len(c)] = errors.reshape(len(c), batch).mean(axis=1, dtype=np.float64)
        if acc is not None:
            acc[start : start + len(c)] = _correct(o_out, T, encoding).mean(axis=1)
    return loss.astype(dtype), None if acc is None else acc.astype(dtype)


def _first_moved_layer(net: Network, X: Array, plane: Plane, dtype: type) -> tuple[int, Array]:
    """The first layer l the plane moves, and its nets N_0 (at the origin) and N_k (along direction k) as the
    rows of a (1 + k, batch * n_{l+1}) array, each laid out as ``_forward`` wants."""
    origin, dirs = layer_views(net, plane.origin), [layer_views(net, d) for d in plane.directions]
    moved = [any(d[layer][0].any() or d[layer][1].any() for d in dirs) for layer in range(net.n_layers)]
    first = moved.index(True) if any(moved) else net.n_layers - 1
    o = X
    for (w, b), phi in zip(origin[:first], net.activations[:first], strict=True):
        o = phi.value(o @ w + b)
    # net(c) = o (W + sum_k c_k dW_k) + (b + sum_k c_k db_k) = N_0 + sum_k c_k N_k, exactly.
    nets = [o @ w + b for w, b in [origin[first]] + [d[first] for d in dirs]]
    hidden = first < net.n_layers - 1
    return first, np.stack([n.T if hidden else n for n in nets]).reshape(len(nets), -1).astype(dtype)


def _forward(
    net: Network, plane: Plane, c: Array, first: int, basis: Array, buffers: list[Array], dtype: type
) -> tuple[Array, Array]:
    """The output layer's net and o at the points c (m, k): each (m, batch, n_out).

    Hidden layers are batch-last, (m, n, batch), so that a bias broadcasts along the long batch axis and
    net = W^T o is one stacked product; the output layer is batch-first, as softmax and the losses expect.
    """
    m, L = len(c), net.n_layers
    mix = np.hstack([np.ones((m, 1)), c]).astype(dtype)
    if first == L - 1:  # only the output layer moves
        net_l = (mix @ basis).reshape(m, -1, net.sizes[-1])
        return net_l, _apply(net.activations[first], net_l, dtype)
    net_l = buffers[0]
    np.matmul(mix, basis, out=net_l.reshape(m, -1))
    o_l = _apply(net.activations[first], net_l, dtype, in_place=True)
    later = _layers_stacked(net, plane.point(c), first + 1, dtype)
    for layer, (w, b) in enumerate(later, start=first + 1):
        phi = net.activations[layer]
        if layer < L - 1:
            net_l = np.matmul(np.ascontiguousarray(w.transpose(0, 2, 1)), o_l, out=buffers[layer - first])
            net_l += b[:, :, None]
            o_l = _apply(phi, net_l, dtype, in_place=True)
        else:
            net_l = np.matmul(o_l.transpose(0, 2, 1), w)
            net_l += b[:, None, :]
            o_l = _apply(phi, net_l, dtype)
    return net_l, o_l


def _apply(phi: Activation, net_l: Array, dtype: type, in_place: bool = False) -> Array:
    """phi(net_l); in_place: overwrite net_l with o when phi is a NumPy ufunc (tanh) and can write there."""
    if in_place and isinstance(phi.value, np.ufunc):
        return phi.value(net_l, out=net_l)
    return phi.value(net_l).astype(dtype, copy=False)  # a float64 answer becomes dtype again


def _layers_stacked(net: Network, thetas: Array, first: int, dtype: type) -> list[tuple[Array, Array]]:
    """Weights (c, n_l, n_{l+1}) and biases (c, n_{l+1}) of layers ``first``.. for each row of thetas."""
    out, offset = [], 0
    for layer, w in enumerate(net.weights):
        n_in, n_out = w.shape
        if layer >= first:
            weights = thetas[:, offset : offset + n_in * n_out].reshape(-1, n_in, n_out)
            biases = thetas[:, offset + n_in * n_out : offset + n_in * n_out + n_out]
            out.append((weights.astype(dtype), biases.astype(dtype)))
        offset += n_in * n_out + n_out
    return out
