"""Fit a scaling law: robust loss on log residuals, L-BFGS-B from the best points of a grid.

The loss follows Hoffmann et al. 2022 (approach 3) and Epoch's replication:
the Huber loss, with ``delta = 1e-3``, of ``log y_hat − log y``; or the plain
squared log error. Positive parameters are fitted in log space. ``x`` is
divided by its geometric mean before fitting (and the parameters moved back
afterwards) so that scale and exponent are nearly uncorrelated, and ``y`` by
its geometric mean so that every law's offset is of order 1; the optimiser
then converges in few steps and to tight tolerances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize

from kairos.scaling.laws import LawBase

LOSSES = ("huber", "squared")


@dataclass(frozen=True)
class FitConfig:
    """How to fit: the loss, the multi-start and the optimiser's tolerances."""

    loss: str = "huber"  # "huber" (Hoffmann et al.) or "squared" log error
    huber_delta: float = 1e-3  # Hoffmann et al. 2022
    num_starts: int = 8  # best grid points refined by L-BFGS-B
    max_iterations: int = 5000  # per L-BFGS-B run; far above what convergence needs
    ftol: float = (
        1e-12  # relative loss change at which L-BFGS-B stops (tighter stalls at Huber kinks)
    )
    gtol: float = 1e-9  # projected-gradient norm at which L-BFGS-B stops
    agree_rtol: float = 1e-6  # starts whose loss is this close to the best count as agreeing

    def __post_init__(self):
        from kairos.errors import ValidationError

        if self.loss not in LOSSES:
            raise ValidationError("loss", f"got {self.loss!r}; expected one of {LOSSES}")
        if not self.huber_delta > 0:
            raise ValidationError("huber_delta", f"got {self.huber_delta}; must be > 0")
        if self.num_starts < 1:
            raise ValidationError("num_starts", f"got {self.num_starts}; must be >= 1")


@dataclass(frozen=True)
class FitResult:
    """A fitted law with its convergence diagnostics.

    ``theta`` is in the law's internal coordinates for raw ``x`` and ``y``;
    ``theta_normalized`` is the same optimum for ``x / x0`` and ``y / y0`` (the
    warm start for bootstrap refits). ``grad_norm`` is the infinity norm of the loss gradient
    at the optimum, in the normalised coordinates the optimiser saw.
    """

    law: str
    params: dict[str, float]
    theta: np.ndarray
    theta_normalized: np.ndarray
    log_x0: np.ndarray
    log_y0: float
    loss: float
    converged: bool
    grad_norm: float
    iterations: int
    num_starts: int
    num_starts_agreed: int
    message: str
    loss_kind: str = "huber"
    extra: dict[str, Any] = field(default_factory=dict)
    identifiable: bool = True  # False: the Jacobian at the optimum is singular

    def diagnostics(self) -> dict[str, Any]:
        """Convergence diagnostics as a JSON-ready dict."""
        return {
            "converged": self.converged,
            "grad_norm": self.grad_norm,
            "iterations": self.iterations,
            "num_starts": self.num_starts,
            "num_starts_agreed": self.num_starts_agreed,
            "message": self.message,
            "identifiable": self.identifiable,
        }


def _residual_loss(r: np.ndarray, config: FitConfig) -> tuple[np.ndarray, np.ndarray]:
    """Per-point loss and its derivative, both scaled by ``1/delta**2``.

    SciPy's ``ftol`` test is relative only when the loss exceeds 1, so an
    unscaled Huber loss (~1e-6) would stop the optimiser early; dividing by
    ``delta**2`` moves the optimum nowhere and keeps the tolerances meaningful.
    """
    delta = config.huber_delta
    z = r / delta
    if config.loss == "squared":
        return 0.5 * z * z, z / delta
    abs_z = np.abs(z)
    quadratic = abs_z <= 1.0
    value = np.where(quadratic, 0.5 * z * z, abs_z - 0.5)
    deriv = np.clip(z, -1.0, 1.0) / delta
    return value, deriv


def objective(
    theta: np.ndarray,
    law: LawBase,
    log_x: np.ndarray,
    log_y: np.ndarray,
    weights: np.ndarray,
    config: FitConfig,
) -> tuple[float, np.ndarray]:
    """Weighted mean loss and its analytic gradient with respect to ``theta``.

    Parameters
    ----------
    theta : ndarray of shape (p,)
    log_x : ndarray of shape (n, num_inputs)
    log_y : ndarray of shape (n,)
    weights : ndarray of shape (n,)
        Point multiplicities (all ones for a plain fit, bootstrap counts otherwise).
    """
    log_pred, jac = law.jacobian(theta, log_x)
    value, deriv = _residual_loss(log_pred - log_y, config)
    total = weights.sum()
    return float(weights @ value / total), (jac.T @ (weights * deriv)) / total


def batch_loss(
    thetas: np.ndarray, law: LawBase, log_x: np.ndarray, log_y: np.ndarray, config: FitConfig
) -> np.ndarray:
    """Mean loss for each row of ``thetas`` (shape ``(g, p)``) at once; returns ``(g,)``."""
    value, _ = _residual_loss(law.log_predict(thetas, log_x) - log_y, config)
    return value.mean(axis=1)


def minimize_from(
    theta0: np.ndarray,
    law: LawBase,
    log_x: np.ndarray,
    log_y: np.ndarray,
    weights: np.ndarray,
    config: FitConfig,
):
    """One L-BFGS-B run from ``theta0``; returns SciPy's ``OptimizeResult``."""
    return minimize(
        objective,
        theta0,
        args=(law, log_x, log_y, weights, config),
        jac=True,
        method="L-BFGS-B",
        bounds=law.bounds,
        options={
            "maxiter": config.max_iterations,
            "ftol": config.ftol,
            "gtol": config.gtol,
            "maxcor": 20,
        },
    )


def single_threaded_blas():
    """Context manager limiting BLAS to one thread.

    SciPy's L-BFGS-B makes many tiny BLAS calls; with a multi-threaded
    OpenBLAS each call pays for waking the thread pool, which measured about
    10x slower per fit on a loaded 2-core machine.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def normalize_x(log_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre ``log x`` per column; returns ``(log_x − log_x0, log_x0)``."""
    log_x0 = log_x.mean(axis=0)
    return log_x - log_x0, log_x0


def normalize_y(log_y: np.ndarray, law: LawBase) -> tuple[np.ndarray, float]:
    """Centre ``log y`` when the law allows it; returns ``(log_y − log_y0, log_y0)``."""
    log_y0 = float(log_y.mean()) if law.scales_with_y else 0.0
    return log_y - log_y0, log_y0


def _as_columns(x: np.ndarray, law: LawBase) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x.reshape(len(x), law.num_inputs)


# SciPy's L-BFGS-B ends with "ABNORMAL" when its line search cannot lower the
# loss any further in floating point (seen with SciPy 1.17.1 and numpy 2.4.6 on
# a Huber-loss fit, at the right optimum); that is an optimum when every start
# reached it and the projected gradient is this small relative to the loss.
STALL_GRAD_RTOL = 1e-4


def _converged(best, grad_norm: float, all_starts_agree: bool) -> bool:
    """L-BFGS-B's own verdict, or a line-search stall at an optimum every start agrees on."""
    if best.success:
        return True
    stalled = str(best.message).startswith("ABNORMAL")
    return stalled and all_starts_agree and grad_norm <= STALL_GRAD_RTOL * max(1.0, abs(best.fun))


def fit_law(
    law: LawBase,
    x: np.ndarray,
    y: np.ndarray,
    *,
    config: FitConfig = FitConfig(),
) -> FitResult:
    """Fit ``law`` to positive data ``(x, y)``.

    Every point of the law's starting grid is scored at once; the
    ``config.num_starts`` best are refined by L-BFGS-B and the best optimum is
    kept. Inputs are assumed valid (see :func:`kairos.scaling.table.validate_xy`).

    Parameters
    ----------
    law : a law from :data:`kairos.scaling.laws.LAWS`
    x : ndarray of shape (n,) or (n, law.num_inputs), all > 0
    y : ndarray of shape (n,), all > 0

    Returns
    -------
    FitResult
    """
    log_x, log_x0 = normalize_x(np.log(_as_columns(x, law)))
    log_y, log_y0 = normalize_y(np.log(np.asarray(y, dtype=float)), law)
    grid = law.initial_grid(log_x, np.exp(log_y))
    lows, highs = np.array(law.bounds).T
    grid = np.clip(grid, lows, highs)
    grid_losses = batch_loss(grid, law, log_x, log_y, config)
    order = np.argsort(np.where(np.isfinite(grid_losses), grid_losses, np.inf))
    starts = grid[order[: config.num_starts]]
    weights = np.ones_like(log_y)
    with single_threaded_blas():
        runs = [minimize_from(s, law, log_x, log_y, weights, config) for s in starts]
    best = min(runs, key=lambda r: r.fun)
    tolerance = config.agree_rtol * max(abs(best.fun), 1e-12)
    agreed = sum(r.fun - best.fun <= tolerance for r in runs)
    theta_norm = np.asarray(best.x, dtype=float)
    theta = law.rescale(theta_norm, log_x0, log_y0)
    _, grad = objective(theta_norm, law, log_x, log_y, weights, config)
    grad_norm = float(_projected_grad_norm(theta_norm, grad, law))
    return FitResult(
        law=law.name,
        params=law.to_values(theta),
        theta=theta,
        theta_normalized=theta_norm,
        log_x0=log_x0,
        log_y0=log_y0,
        loss=float(best.fun),
        converged=_converged(best, grad_norm, agreed == len(runs)),
        grad_norm=grad_norm,
        iterations=int(best.nit),
        num_starts=len(runs),
        num_starts_agreed=int(agreed),
        message=str(best.message),
        loss_kind=config.loss,
        identifiable=jacobian_has_full_rank(theta_norm, law, log_x),
    )


def jacobian_has_full_rank(theta: np.ndarray, law: LawBase, log_x: np.ndarray) -> bool:
    """Whether the free parameters (those not at a bound) are locally identifiable.

    A rank-deficient Jacobian of the predictions means a singular Gauss-Newton
    Hessian: some direction in parameter space leaves every prediction unchanged.
    """
    _, jac = law.jacobian(theta, log_x)
    lows, highs = np.array(law.bounds).T
    free = (theta > lows) & (theta < highs)
    jac = jac[:, free]
    if not jac.size:
        return True
    if not np.all(np.isfinite(jac)):
        return False
    s = np.linalg.svd(jac, compute_uv=False)
    return bool(s.min() > 1e-10 * max(s.max(), 1e-300))


def _projected_grad_norm(theta: np.ndarray, grad: np.ndarray, law: LawBase) -> float:
    """Infinity norm of the gradient, ignoring components pushing into an active bound."""
    lows, highs = np.array(law.bounds).T
    g = grad.copy()
    g[(theta <= lows) & (g > 0)] = 0.0
    g[(theta >= highs) & (g < 0)] = 0.0
    return float(np.max(np.abs(g))) if g.size else 0.0
