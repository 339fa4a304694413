"""How sharply the loss curves at the current weights, and the learning rates that keep descent stable.

λmax is the largest eigenvalue of the Hessian H = ∂²E/∂θ² of the training loss at the weights θ now, found by
power iteration on Hessian-vector products. Each product H v is exact (to rounding), by Pearlmutter's
R-operator, forward over backward: beside the forward pass, the directional derivatives R{x} = d/dr x(θ + r v)
at r = 0 of every net and o; beside the backward pass, R{δ}; then R{∂E/∂w} = H v. No step size is chosen, as a
difference of gradients would need.

Why λmax. On a bowl E = ½ θᵀHθ, plain gradient descent multiplies the part of θ along an eigenvector of
eigenvalue λ by (1 − ηλ) at each update: it shrinks only while ηλ < 2. So descent is stable for η < 2/λmax,
and heavy-ball momentum (Δw(t+1) = −η∇E + αΔw(t)) for η < 2(1 + α)/λmax (its iteration's two roots stay inside
the unit circle). Near a minimum every loss is such a bowl; elsewhere the limit is a local guide, because the
curvature changes as the weights move.

The largest *algebraic* eigenvalue, not the largest in magnitude: a negative eigenvalue (the loss curving down,
at a saddle) makes descent leave faster at any η and sets no upper limit. Power iteration finds the eigenvalue
largest in magnitude; when that one is negative, it runs again on H + sI with s = |that eigenvalue|, whose
eigenvalues λ + s are all ≥ 0 and largest for λmax (then λmax = the result − s).

Stopping rule: with v of length 1 and ρ = vᵀHv (the Rayleigh quotient), stop once the residual
‖Hv − ρv‖ ≤ tol·|ρ| (tol 1e-3 by default; in the shifted run ρ is λmax + s), or after ``max_iter`` products per
run. For a symmetric H some eigenvalue lies within the residual of ρ, and ρ ≤ λmax always: the result reports both
and whether it converged (when neither run settles, the larger of their Rayleigh quotients, the better lower bound).
A warm start (an earlier estimate's vector, as the server passes after each change) usually settles in 2–3 products.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .batched_loss import Progress
from .curve import Curve
from .network import Network

Array = np.ndarray

TOL = 1e-3
MAX_ITER = 200


class HessianProducts:
    """H v for the mean loss E over (X, T), at the weights the network has when this is made (a copy is kept).

    v and H v are vectors in ``net.flat()`` order (n_params,). Parameters the network does not train (biases
    held fixed) are not variables: their entries of v are ignored and of H v are 0. With ``weight_decay`` λ the
    optimizer descends E + λ/2·Σw² (weights only), whose Hessian is H + λ on the weights' diagonal.
    """

    def __init__(self, net: Network, X: Array, T: Array, weight_decay: float = 0.0) -> None:
        if any(phi.second_derivative is None for phi in net.activations[:-1]):
            raise ValueError("activations: a hidden layer's activation has no second derivative for the curvature")
        self.net = net = net.copy()
        L = net.n_layers
        # At weights that ran away these overflow: ``finite`` says so below, and curvature() refuses them in words.
        with np.errstate(all="ignore"):
            trace = net.forward(X)
            grads = net.backward(trace, T)
            self.delta = grads.delta
            self.dphi = [phi.derivative(trace.net[l + 1], trace.o[l + 1]) for l, phi in enumerate(net.activations[:-1])]
            self.d2phi = [phi.second_derivative(trace.net[l + 1], trace.o[l + 1])  # type: ignore[misc]
                          for l, phi in enumerate(net.activations[:-1])]
            self.back = [self.delta[l] @ net.weights[l].T for l in range(1, L)]  # Σ_k w_jk δ_k feeding layer l's inputs
        self.X, self.T = trace.o[0], np.asarray(T, dtype=np.float64)
        self.trace = trace
        self.trained = np.ones(net.n_params, dtype=bool)
        self.decay = np.zeros(net.n_params)
        for l in range(L):
            w, b = self._spans(l)
            self.decay[w] = weight_decay
            self.trained[b] = net.train_biases
        self.n_params = net.n_params
        self.finite = bool(np.isfinite(net.flat()).all() and all(np.isfinite(o).all() for o in trace.o))

    def _spans(self, l: int) -> tuple[slice, slice]:
        w_start = self.net.flat_index("weight", l, 0, 0)
        b_start = self.net.flat_index("bias", l, 0)
        return slice(w_start, b_start), slice(b_start, b_start + self.net.biases[l].size)

    def __call__(self, v: Array) -> Array:
        net, trace = self.net, self.trace
        L, batch = net.n_layers, self.X.shape[0]
        v = np.where(self.trained, np.asarray(v, dtype=np.float64), 0.0)
        dw, db = [], []
        for l in range(L):
            w, b = self._spans(l)
            dw.append(v[w].reshape(net.weights[l].shape))
            db.append(v[b])
        # Forward: R{net} = R{o_prev} W + o_prev V + V_b, and R{o} = φ'(net) R{net}, layer by layer.
        r_o = np.zeros_like(self.X)
        r_net: list[Array] = []
        for l in range(L):
            rn = r_o @ net.weights[l] + trace.o[l] @ dw[l] + db[l]
            r_net.append(rn)
            if l < L - 1:
                r_o = self.dphi[l] * rn
        # Output layer: R{δ} from the loss, then backward beside δ.
        out = net.activations[-1]
        r_delta = net.loss_fn.output_delta_r(trace.net[L], trace.o[L], self.T, out, r_net[-1])
        hv = np.zeros(net.n_params)
        for l in range(L - 1, -1, -1):
            delta = self.delta[l]
            r_o_in = np.zeros_like(self.X) if l == 0 else self.dphi[l - 1] * r_net[l - 1]
            w, b = self._spans(l)
            # R{∂E/∂W} = (R{o_prev}ᵀ δ + o_prevᵀ R{δ}) / batch; R{∂E/∂b} = mean of R{δ}.
            hv[w] = ((r_o_in.T @ delta + trace.o[l].T @ r_delta) / batch).ravel()
            hv[b] = r_delta.sum(axis=0) / batch
            if l > 0:
                # δ_prev = φ'(net_prev) ⊙ (δ Wᵀ): R{δ_prev} = φ' ⊙ (R{δ} Wᵀ + δ Vᵀ) + φ'' R{net_prev} ⊙ (δ Wᵀ)
                r_delta = (self.dphi[l - 1] * (r_delta @ net.weights[l].T + delta @ dw[l].T)
                           + self.d2phi[l - 1] * r_net[l - 1] * self.back[l - 1])
        hv += self.decay * v
        return np.where(self.trained, hv, 0.0)


class CurveProducts:
    """The worked example's curve f(x): its one variable x, so H = f''(x) (its fixed bias is no variable)."""

    def __init__(self, curve: Curve) -> None:
        self.n_params = curve.n_params
        self.trained = np.array([True, False])
        with np.errstate(over="ignore", invalid="ignore"):  # x run off to 1e160: inf, reported as not finite
            self.second = float(curve.d2f(np.array(curve.x)))
        self.finite = math.isfinite(self.second)

    def __call__(self, v: Array) -> Array:
        return np.array([self.second * v[0], 0.0])


@dataclass
class Curvature:
    """λmax of H (possibly ≤ 0: no direction curves up) with its error, and the eigenvector (a warm start)."""

    lambda_max: float
    residual: float  # ‖H v − λmax v‖, v of length 1: an eigenvalue of H lies within this of lambda_max
    converged: bool  # the stopping rule was met (else max_iter products ran out; lambda_max ≤ the true λmax)
    products: int  # Hessian-vector products used
    shifted: bool  # a negative eigenvalue was larger in magnitude: λmax came from a second run on H + sI
    vector: Array
    weight_decay: float = 0.0  # included in the curvature (the optimizer descends E + λ/2·Σw²)
    step: int | None = None  # the update after which the weights were measured, when a trainer's
    points: int = 0  # training examples E was taken over
    seconds: float = 0.0  # how long the estimate took (wall clock)

    def limits(self, optimizer: str, momentum: float = 0.0) -> list[Limit]:
        return stability_limits(self.lambda_max, optimizer, momentum)


@dataclass
class _Run:
    eigenvalue: float  # ρ − shift: the estimate for H itself
    residual: float
    converged: bool
    products: int
    vector: Array
    norm: float  # ‖(H + shift·I)v‖ at the last product: at most the spectral radius of H + shift·I


def power_iteration(
    hvp: Callable[[Array], Array], start: Array, shift: float = 0.0, tol: float = TOL, max_iter: int = MAX_ITER,
    progress: Progress | None = None,
) -> _Run:
    """The dominant eigenvalue of H + shift·I by power iteration from ``start``. ρ = vᵀ(H + shift·I)v with
    ‖v‖ = 1; stops once ‖(H + shift·I)v − ρv‖ ≤ tol·|ρ| (the residual is the same for H and v)."""
    v = start / np.linalg.norm(start)
    rho, residual, norm = 0.0, math.inf, 0.0
    for k in range(1, max_iter + 1):
        if progress is not None:
            progress(k / max_iter)
        # Weights that have run away overflow here; that is refused just below, in words, without numpy's warning.
        with np.errstate(over="ignore", invalid="ignore"):
            w = hvp(v) + shift * v
            rho = float(v @ w)
            residual = float(np.linalg.norm(w - rho * v))
            norm = float(np.linalg.norm(w))
        if not math.isfinite(norm):
            raise ValueError("weights: the curvature at these weights is too large to measure in floating point")
        if residual <= tol * abs(rho) or norm == 0.0:  # norm 0: v is in the null space, every curvature there 0
            return _Run(rho - shift, residual, True, k, v, norm)
        v = w / norm
    return _Run(rho - shift, residual, False, max_iter, v, norm)


def top_eigenvalue(
    hvp: Callable[[Array], Array], n: int, start: Array | None = None, tol: float = TOL, max_iter: int = MAX_ITER,
    seed: int = 0, progress: Progress | None = None, trained: Array | None = None,
) -> Curvature:
    """The largest algebraic eigenvalue of a symmetric H given by its products (see the module's docstring).
    ``trained``: a mask of the coordinates that are variables (the start vector lives there)."""
    first = np.random.default_rng(seed).standard_normal(n)
    if start is not None and np.any(start):
        # A warm start (an earlier estimate's vector) with a tenth of a random one mixed in: every direction keeps
        # a share, so an eigenvalue that has grown past the old λmax still shows in the residual and takes over.
        warm = np.asarray(start, dtype=np.float64)
        first = warm / np.linalg.norm(warm) + 0.1 * first / np.linalg.norm(first)
    if trained is not None:
        first = np.where(trained, first, 0.0)
    run = power_iteration(hvp, first, 0.0, tol, max_iter, progress)
    if run.eigenvalue >= 0 and run.converged:
        return Curvature(run.eigenvalue, run.residual, True, run.products, False, run.vector)
    # The eigenvalue largest in magnitude is negative (or the run did not settle, as when +λ and −λ tie):
    # shift by about its size, so that every eigenvalue of H + sI is ≥ 0 (give or take the residual) and the
    # largest is λmax + s.
    shift = abs(run.eigenvalue) + run.residual if run.converged else run.norm
    second = power_iteration(hvp, first, shift, tol, max_iter, progress)
    products = run.products + second.products
    if not second.converged and run.eigenvalue > second.eigenvalue:
        # Neither settled. Both are Rayleigh quotients of H, so both are ≤ λmax: the larger is the better bound.
        return Curvature(run.eigenvalue, run.residual, False, products, False, run.vector)
    return Curvature(second.eigenvalue, second.residual, second.converged, products, True, second.vector)


def curvature(
    net: Network, X: Array, T: Array, weight_decay: float = 0.0, start: Array | None = None, tol: float = TOL,
    max_iter: int = MAX_ITER, seed: int = 0, progress: Progress | None = None,
) -> Curvature:
    """λmax of the Hessian of E over (X, T) at ``net``'s weights now (weight decay included when given)."""
    started = time.perf_counter()
    hessian = CurveProducts(net) if isinstance(net, Curve) else HessianProducts(net, X, T, weight_decay)
    if not hessian.finite:
        raise ValueError("weights: the weights or the outputs are not finite; there is no curvature to measure")
    found = top_eigenvalue(hessian, net.n_params, start, tol, max_iter, seed, progress, hessian.trained)
    found.weight_decay, found.points = weight_decay, len(X)
    found.seconds = time.perf_counter() - started
    return found


def trainer_curvature(trainer, start: Array | None = None, progress: Progress | None = None, **options) -> Curvature:
    """λmax for a trainer: E over its whole training set at the weights now, with its optimizer's weight decay
    (what full-batch descent would see), warm-started from ``start`` (an earlier estimate's vector)."""
    found = curvature(trainer.model, trainer.X_train, trainer.T_train,
                      getattr(trainer.optimizer, "weight_decay", 0.0), start, progress=progress, **options)
    found.step = trainer.step_count
    return found


# -- the learning rates λmax allows ------------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    """η < eta_max keeps the update stable on a bowl of curvature λmax (None: no positive curvature, no limit)."""

    rule: str  # 'gd', 'heavy_ball', 'nesterov', 'inertia'
    label: str  # plain words: "plain gradient descent"
    formula: str  # "η < 2/λmax"
    eta_max: float | None


RULES = {
    # rule: (label, formula, the limit times λmax as a function of α)
    "gd": ("plain gradient descent", "η < 2/λmax", lambda a: 2.0),
    "heavy_ball": ("momentum (heavy ball)", "η < 2(1 + α)/λmax", lambda a: 2.0 * (1.0 + a)),
    "nesterov": ("Nesterov momentum", "η < 2(1 + α)/((1 + 2α)·λmax)", lambda a: 2.0 * (1.0 + a) / (1.0 + 2.0 * a)),
    "inertia": ("momentum, inertia form", "η < 2(1 + α)/((1 − α)·λmax)", lambda a: 2.0 * (1.0 + a) / (1.0 - a)),
}
RULE_OF = {"sgd": "gd", "momentum": "heavy_ball", "nesterov": "nesterov", "inertia": "inertia"}
ADAPTIVE = ("adam", "rmsprop")  # they divide each step by a running size of the gradient: λmax alone sets no η


def stability_limits(lambda_max: float, optimizer: str, momentum: float = 0.0) -> list[Limit]:
    """The limits to show for an optimizer: plain descent's, then the optimizer's own with its α (for
    momentum-like rules). Adam and RMSprop get none: their steps are not η times the gradient."""
    if optimizer in ADAPTIVE:
        return []
    rules = ["gd"] if RULE_OF.get(optimizer, "gd") == "gd" else ["gd", RULE_OF[optimizer]]
    out = []
    for rule in rules:
        label, formula, times = RULES[rule]
        out.append(Limit(rule, label, formula, times(momentum) / lambda_max if lambda_max > 0 else None))
    return out


def limit_in_force(lambda_max: float, optimizer: str, momentum: float = 0.0) -> Limit | None:
    """The limit of the optimizer in use (the last of ``stability_limits``), or None for Adam and RMSprop."""
    limits = stability_limits(lambda_max, optimizer, momentum)
    return limits[-1] if limits else None


def divergence_note(found: Curvature, eta: float, optimizer: str, momentum: float = 0.0) -> str:
    """Which limit the η in force crossed, in plain words, from the newest estimate (measured earlier)."""
    at = f"λmax = {found.lambda_max:.4g}, measured after update {found.step}" if found.step is not None \
        else f"λmax = {found.lambda_max:.4g}"
    if optimizer in ADAPTIVE:
        return (f"The curvature was {at}; {optimizer.capitalize() if optimizer == 'adam' else 'RMSprop'} divides "
                "each step by a running size of the gradient, so 2/λmax sets no limit on its η.")
    limit = limit_in_force(found.lambda_max, optimizer, momentum)
    assert limit is not None
    if limit.eta_max is None:
        return (f"The loss curved upward in no direction ({at}), so no η limit applied: the weights ran off "
                "along a slope.")
    if eta > limit.eta_max:
        return (f"The η in force, {eta:.4g}, was above the stability limit of {limit.label}, "
                f"{limit.formula} = {limit.eta_max:.4g} ({at}).")
    return (f"The η in force, {eta:.4g}, was below the stability limit of {limit.label}, {limit.formula} = "
            f"{limit.eta_max:.4g} ({at}): the curvature grew after it was measured, or a mini-batch curved more "
            "sharply than the whole training set.")
