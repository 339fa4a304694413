"""Hessian-vector products and λmax against torch.autograd (double backward, float64) on the same network.

`make test` installs PyTorch's CPU build from this machine's disk; where it is absent this test skips saying so.
"""

import numpy as np
import pytest

from engine import Network
from engine.curvature import HessianProducts, curvature

torch = pytest.importorskip("torch", reason="PyTorch is not installed (make test installs torch==2.13.0+cpu)")
TOLERANCE = 1e-10  # both exact in float64; the same sums in another order differ by rounding, ~1e-15 relative

TORCH_ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "linear": lambda z: z}


def torch_loss(net: Network, X: np.ndarray, T: np.ndarray):
    """E(θ) as a torch function of the flat parameter vector, in net.flat() order."""
    Xt, Tt = torch.from_numpy(X), torch.from_numpy(T)
    shapes = [(w.shape, b.shape) for w, b in zip(net.weights, net.biases, strict=True)]

    def loss(theta):
        o, offset = Xt, 0
        for (ws, bs), phi in zip(shapes, net.activation_names, strict=True):
            w = theta[offset: offset + ws[0] * ws[1]].reshape(ws)
            offset += ws[0] * ws[1]
            b = theta[offset: offset + bs[0]]
            offset += bs[0]
            net_l = o @ w + b
            o = net_l if phi == "softmax" else TORCH_ACTIVATIONS[phi](net_l)
        if net.loss_name == "mse":
            return 0.5 * ((o - Tt) ** 2).sum(dim=1).mean()
        if net.loss_name == "bce":
            return torch.nn.functional.binary_cross_entropy_with_logits(net_l, Tt, reduction="none").sum(1).mean()
        return -(Tt * torch.log_softmax(net_l, dim=1)).sum(dim=1).mean()

    return loss


@pytest.mark.parametrize("sizes,activations,loss", [
    ([2, 8, 8, 1], "tanh", "mse"),
    ([2, 6, 3], ["sigmoid", "softmax"], "softmax_ce"),
    ([2, 5, 1], ["relu", "sigmoid"], "bce"),
    ([3, 4, 4, 2], ["tanh", "sigmoid", "linear"], "mse"),
])
def test_products_and_lambda_max_match_torch_autograd(sizes, activations, loss):
    net = Network(sizes, activations=activations, loss=loss, seed=4)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, sizes[0]))
    T = (np.eye(sizes[-1])[rng.integers(0, sizes[-1], 60)] if loss == "softmax_ce"
         else rng.integers(0, 2, (60, 1)).astype(float) if loss == "bce" else rng.normal(size=(60, sizes[-1])))
    f = torch_loss(net, X, T)
    theta = torch.from_numpy(net.flat())
    products = HessianProducts(net, X, T)
    for k in range(3):
        v = rng.normal(size=net.n_params)
        _, theirs = torch.autograd.functional.hvp(f, theta, torch.from_numpy(v))
        ours = products(v)
        assert np.abs(ours - theirs.numpy()).max() <= TOLERANCE * max(1.0, np.abs(ours).max()), k
    H = torch.autograd.functional.hessian(f, theta).numpy()
    found = curvature(net, X, T, tol=1e-10, max_iter=20_000)
    assert found.lambda_max == pytest.approx(np.linalg.eigvalsh((H + H.T) / 2).max(), rel=1e-8)
