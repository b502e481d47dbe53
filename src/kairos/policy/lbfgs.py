"""A small unconstrained L-BFGS (numpy), for the context models' convex refits.

scipy's L-BFGS-B carries bound-handling machinery whose cost per iteration
(O(m·n) with a large constant) exceeds the whole loss-and-gradient evaluation
on Boxoban-sized problems (n ≈ 4·10⁵); the refits need no bounds. This is the
textbook two-loop recursion (Nocedal & Wright, Alg. 7.4) with an Armijo
backtracking line search; the objective is convex with L2, so every accepted
step has sᵀy > 0 and the curvature pairs are kept. Deterministic: no random
choices, numpy's reductions only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_ARMIJO_C1 = 1e-4
_MAX_HALVINGS = 40


@dataclass(frozen=True)
class LbfgsResult:
    """Where the minimiser stopped and why."""

    x: np.ndarray
    value: float
    iterations: int
    evaluations: int
    converged: bool
    message: str


def minimise(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    *,
    max_iter: int,
    gtol: float = 1e-6,
    ftol: float = 1e-12,
    memory: int = 10,
    callback: Callable[[int, np.ndarray, float], bool] | None = None,
) -> LbfgsResult:
    """Minimise ``fun`` from ``x0``.

    Parameters
    ----------
    fun : callable(x) -> (value, gradient)
        x and gradient: ndarray of float64, shape (n,).
    x0 : ndarray of float64, shape (n,)
    max_iter : int
        Iterations (accepted steps) at most.
    gtol : float
        Stop when max |gradient| ≤ gtol (converged).
    ftol : float
        Stop when a step lowers the value by ≤ ftol·max(|f|, |f_new|, 1) (converged).
    memory : int
        Curvature pairs kept.
    callback : callable(iteration, x, value) -> bool, optional
        Called after each iteration; True stops the run (message ``"stopped by callback"``).
    """
    x = np.array(x0, dtype=np.float64)
    n = x.shape[0]
    f, g = fun(x)
    evaluations = 1
    s_hist = np.zeros((memory, n))
    y_hist = np.zeros((memory, n))
    rho = np.zeros(memory)
    alpha = np.zeros(memory)
    stored, head = 0, 0  # pairs kept; slot of the next one
    if float(np.abs(g).max(initial=0.0)) <= gtol:
        return LbfgsResult(x, float(f), 0, evaluations, True, "gradient below gtol")
    message, converged, it = "iteration cap", False, 0
    while it < max_iter:
        d = -g
        order = [(head - 1 - j) % memory for j in range(stored)]  # newest first
        for j in order:
            alpha[j] = rho[j] * float(s_hist[j] @ d)
            d -= alpha[j] * y_hist[j]
        if stored:
            newest = order[0]
            d *= float(s_hist[newest] @ y_hist[newest]) / float(y_hist[newest] @ y_hist[newest])
        for j in reversed(order):
            beta = rho[j] * float(y_hist[j] @ d)
            d += (alpha[j] - beta) * s_hist[j]
        slope = float(g @ d)
        if slope >= 0:  # not a descent direction (round-off): restart from steepest descent
            stored, d = 0, -g
            slope = float(g @ d)
        step = 1.0 if stored else min(1.0, 1.0 / float(np.linalg.norm(g)))
        for _ in range(_MAX_HALVINGS):
            x_new = x + step * d
            f_new, g_new = fun(x_new)
            evaluations += 1
            if f_new <= f + _ARMIJO_C1 * step * slope:
                break
            step *= 0.5
        else:
            message = "line search failed"
            break
        s = x_new - x
        y = g_new - g
        sy = float(s @ y)
        if sy > 1e-12 * float(y @ y):
            s_hist[head], y_hist[head], rho[head] = s, y, 1.0 / sy
            head = (head + 1) % memory
            stored = min(stored + 1, memory)
        decrease = f - f_new
        x, f, g = x_new, f_new, g_new
        it += 1
        if float(np.abs(g).max()) <= gtol:
            message, converged = "gradient below gtol", True
            break
        if decrease <= ftol * max(abs(f), abs(f_new), 1.0):
            message, converged = "relative decrease below ftol", True
            break
        if callback is not None and callback(it, x, float(f)):
            message = "stopped by callback"
            break
    return LbfgsResult(x, float(f), it, evaluations, converged, message)
