"""Training objectives for context models, with analytic gradients, and their L-BFGS fit.

Data are solution trajectories: for step ``t`` the active contexts of state
``s_t``, its legal actions and the action ``a_t`` taken. With
z_a(s) = Σ_{c active in s} β[c, a] and p(a|s) = softmax over legal a of z(s):

* ``lts``: the LTS loss in log form (Orseau, Hutter, Lelis, IJCAI 2023),
  F(β) = log Σ_i d_i / π_β(n_i) = LSE_i( log d_i − Σ_{t in i} log p(a_t|s_t) ),
  d_i = length_i + 1: the log of an upper bound on the total number of LTS
  expansions needed to re-find every training solution. It is convex in β
  (log-sum-exp of convex functions, each non-decreasing in its argument).
* ``xent``: mean cross-entropy of the solution actions,
  F(β) = (1/S) Σ_t −log p(a_t|s_t) (convex).

Both add ``l2/2 · ||β − β0||²`` over the rows the data touch. Search mixes
p with uniform at ε; since π_mix ≥ (1−ε)p, the fitted unmixed loss bounds the
mixed one up to the factor (1−ε)^−length, and the fit stays convex.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from kairos.errors import ValidationError
from kairos.fit_report import FitReport
from kairos.policy.fused import step_nll

OBJECTIVES = ("lts", "xent")


@dataclass(frozen=True)
class Trajectories:
    """Solution trajectories as flat arrays.

    Attributes
    ----------
    rows : ndarray of int64, shape (S, P)
        Hashed context row of each of the P patterns at each of the S steps.
    legal : ndarray of bool, shape (S, num_actions)
    actions : ndarray of int64, shape (S,)
        Action taken at each step (legal).
    starts : ndarray of int64, shape (N + 1,)
        Steps of trajectory i are ``starts[i]:starts[i+1]``.
    """

    rows: np.ndarray
    legal: np.ndarray
    actions: np.ndarray
    starts: np.ndarray

    @property
    def num_trajectories(self) -> int:
        return len(self.starts) - 1

    @property
    def num_steps(self) -> int:
        return len(self.actions)

    @staticmethod
    def concat(parts: list[Trajectories]) -> Trajectories:
        """Join several sets of trajectories."""
        if not parts:
            return Trajectories(
                np.zeros((0, 1), np.int64),
                np.zeros((0, 4), bool),
                np.zeros(0, np.int64),
                np.zeros(1, np.int64),
            )
        offsets = np.cumsum([0] + [p.num_steps for p in parts])
        starts = np.concatenate(
            [[0]] + [p.starts[1:] + off for p, off in zip(parts, offsets[:-1], strict=True)]
        )
        return Trajectories(
            np.concatenate([p.rows for p in parts]),
            np.concatenate([p.legal for p in parts]),
            np.concatenate([p.actions for p in parts]),
            starts.astype(np.int64),
        )


@njit(cache=True)
def _step_nll(theta, cidx, legal, actions, steps_nll, coef):
    """Per-step −log p(a_t|s_t), and ∂/∂z_a of it (p_a − 1[a = a_t]) in ``coef``."""
    z = np.empty(legal.shape[1])
    for t in range(cidx.shape[0]):
        steps_nll[t] = step_nll(theta, cidx, legal, actions, t, z, coef)


@njit(cache=True)
def _scatter(cidx, coef, step_weight, grad):
    num_steps, num_pat = cidx.shape
    num_actions = coef.shape[1]
    for t in range(num_steps):
        w = step_weight[t]
        if w == 0.0:
            continue
        for k in range(num_pat):
            c = cidx[t, k]
            for a in range(num_actions):
                grad[c, a] += w * coef[t, a]


class CompactProblem:
    """An objective over the context rows the data touch (rows re-indexed 0..U-1).

    Parameters
    ----------
    data : Trajectories
    objective : {"lts", "xent"}
    l2 : float
        Weight of the L2 term toward ``beta0``.
    beta0 : ndarray of float64, shape (num_rows, num_actions), optional
        Centre of the L2 term (zeros if omitted).
    """

    def __init__(
        self,
        data: Trajectories,
        objective: str,
        *,
        l2: float,
        beta0: np.ndarray | None = None,
    ):
        if objective not in OBJECTIVES:
            raise ValidationError(
                "objective", f"got {objective!r}, expected one of {list(OBJECTIVES)}"
            )
        if l2 < 0:
            raise ValidationError("l2", f"got {l2}, expected >= 0")
        if data.num_steps == 0:
            raise ValidationError("data", "no training steps: solve at least one problem first")
        self.objective, self.l2 = objective, float(l2)
        self.used_rows, inverse = np.unique(data.rows, return_inverse=True)
        self.cidx = inverse.reshape(data.rows.shape).astype(np.int64)
        self.legal, self.actions = data.legal, data.actions
        lengths = np.diff(data.starts)
        self.traj_of_step = np.repeat(np.arange(len(lengths)), lengths)
        self.log_depth = np.log(lengths + 1.0)
        self.starts = data.starts
        num, self.num_actions = len(self.used_rows), data.legal.shape[1]
        self.theta0 = (
            np.zeros((num, self.num_actions))
            if beta0 is None
            else np.asarray(beta0, np.float64)[self.used_rows]
        )
        self._nll = np.empty(data.num_steps)
        self._coef = np.empty((data.num_steps, self.num_actions))
        self._fused: dict | None = None  # int32 indices and scratch of the fused kernel

    @property
    def num_params(self) -> int:
        return self.theta0.size

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Objective and its gradient at flat parameters ``x`` (shape (U*num_actions,))."""
        theta = x.reshape(-1, self.num_actions)
        _step_nll(theta, self.cidx, self.legal, self.actions, self._nll, self._coef)
        if self.objective == "lts":
            per_traj = self.log_depth + np.add.reduceat(self._nll, self.starts[:-1])
            top = per_traj.max()
            weights = np.exp(per_traj - top)
            total = weights.sum()
            value = top + np.log(total)
            step_weight = (weights / total)[self.traj_of_step]
        else:
            value = self._nll.mean()
            step_weight = np.full(len(self._nll), 1.0 / len(self._nll))
        grad = np.zeros_like(theta)
        _scatter(self.cidx, self._coef, step_weight, grad)
        diff = theta - self.theta0
        value += 0.5 * self.l2 * float(np.sum(diff * diff))
        grad += self.l2 * diff
        return float(value), grad.ravel()

    def value_and_grad_fused(
        self, x: np.ndarray, *, parallel: bool = False
    ) -> tuple[float, np.ndarray]:
        """:meth:`value_and_grad` in compiled passes (:mod:`kairos.policy.fused`).

        Same objective, summed per trajectory before the LTS soft-max, so
        results agree with :meth:`value_and_grad` to round-off. Serially the
        rows are renumbered pattern by pattern and swept one pattern at a time
        (cache-resident gathers); ``parallel`` splits trajectories over
        numba's threads instead.
        """
        from kairos.policy import fused as F

        if self._fused is None:
            order = F.blocked_order(self.cidx)
            new_of_old = np.empty_like(order)
            new_of_old[order] = np.arange(len(order))
            self._fused = {
                "cidx": self.cidx.astype(np.int32),
                "cidx_t": np.ascontiguousarray(new_of_old[self.cidx].T.astype(np.int32)),
                "order": order,
                "theta0": np.ascontiguousarray(self.theta0[order]),
                "z": np.empty((len(self.actions), self.num_actions)),
                "log_depth": np.ascontiguousarray(self.log_depth),
                "per_traj": np.empty(len(self.log_depth)),
                "shards": None,
            }
        k = self._fused
        code = F.OBJECTIVE_LTS if self.objective == "lts" else F.OBJECTIVE_XENT
        if parallel:
            from numba import get_num_threads

            theta = np.ascontiguousarray(x.reshape(-1, self.num_actions))
            grad = np.empty_like(theta)
            shards = k["shards"]
            if shards is None or shards.shape[0] != get_num_threads():
                shards = k["shards"] = np.empty((get_num_threads(), *theta.shape))
            value = F.value_grad_parallel(
                theta, self.theta0, self.l2, k["cidx"], self.legal, self.actions, self.starts,
                k["log_depth"], code, grad, self._coef, k["per_traj"], shards,
            )  # fmt: skip
            return float(value), grad.ravel()
        order = k["order"]
        theta = np.ascontiguousarray(x.reshape(-1, self.num_actions)[order])
        grad_blocked = np.empty_like(theta)
        value = F.value_grad_blocked(
            theta, k["theta0"], self.l2, k["cidx_t"], self.legal, self.actions, self.starts,
            k["log_depth"], code, grad_blocked, self._coef, k["per_traj"], k["z"],
        )  # fmt: skip
        grad = np.empty_like(grad_blocked)
        grad[order] = grad_blocked
        return float(value), grad.ravel()


FIT_METHODS = ("lbfgsb", "lbfgsb-fused", "lbfgs")


def fit(
    data: Trajectories,
    beta: np.ndarray,
    *,
    objective: str = "lts",
    l2: float = 1e-4,
    beta0: np.ndarray | None = None,
    gtol: float = 1e-6,
    max_iter: int = 500,
    method: str = "lbfgsb",
    holdout: Trajectories | None = None,
    check_every: int = 10,
    patience: int = 2,
    stall_tol: float | None = None,
    parallel: bool = False,
) -> FitReport:
    """Minimise the objective over the rows the data touch, in place in ``beta``.

    Starts from the current ``beta`` (warm start; the problem is convex so the
    optimum does not depend on it). Stops when the largest gradient component
    is below ``gtol`` or the relative decrease per step falls below 1e-12, or
    after ``max_iter`` iterations.

    Parameters
    ----------
    data : Trajectories
    beta : ndarray of float64, shape (num_rows, num_actions)
        Updated in place on the touched rows.
    method : str
        ``lbfgsb``: scipy's L-BFGS-B (20 pairs) on :meth:`CompactProblem.value_and_grad`
        (the original refit); ``lbfgsb-fused``: the same optimiser on the fused
        kernel; ``lbfgs``: :func:`kairos.policy.lbfgs.minimise` (10 pairs) on
        the fused kernel, with the held-out stopping rule when ``holdout`` is given.
    holdout : Trajectories, optional
        ``lbfgs`` only: every ``check_every`` iterations the objective (without
        L2) is evaluated on these trajectories; the fit stops when it has not
        improved by more than 1e-4 for ``patience`` checks in a row, and keeps
        the weights of the best check (early stopping).
    stall_tol : float, optional
        ``lbfgs`` only: stop when the objective fell by less than this over the
        last ``check_every`` iterations (the LTS loss is the log of a bound on
        expansions, so 1e-3 means the bound moved by < 0.1%).
    parallel : bool
        Fused kernel over numba's threads.
    """
    import time

    if method not in FIT_METHODS:
        raise ValidationError("method", f"got {method!r}, expected one of {list(FIT_METHODS)}")
    if (holdout is not None or stall_tol is not None) and method != "lbfgs":
        raise ValidationError("holdout", "the stopping rules need method='lbfgs'")
    t0 = time.perf_counter()
    problem = CompactProblem(data, objective, l2=l2, beta0=beta0)
    x0 = beta[problem.used_rows].ravel().astype(np.float64)
    if method == "lbfgsb":
        evaluate = problem.value_and_grad
    else:

        def evaluate(x):
            return problem.value_and_grad_fused(x, parallel=parallel)

    initial, _ = evaluate(x0)
    held_best = None
    if method == "lbfgs":
        from kairos.policy.lbfgs import minimise

        watch = None
        if holdout is not None:
            watch = _HoldoutWatch(holdout, problem, beta, objective, patience, parallel)
            held_best = watch.best_value
        last = [initial]

        def callback(it, x, value):
            if it % check_every:
                return False
            stalled = stall_tol is not None and last[0] - value < stall_tol
            last[0] = value
            return stalled or (watch is not None and watch.check(x))

        res = minimise(evaluate, x0, max_iter=max_iter, gtol=gtol, callback=callback)
        x_final, value, nit, nfev = res.x, res.value, res.iterations, res.evaluations
        converged, message = res.converged, res.message
        if watch is not None:
            watch.check(x_final)
            x_final, held_best = (
                watch.best_x if watch.best_x is not None else x_final,
                watch.best_value,
            )
            value = evaluate(x_final)[0]
    else:
        from scipy.optimize import minimize
        from threadpoolctl import threadpool_limits

        # L-BFGS-B makes many tiny BLAS calls; a multi-threaded BLAS pool only adds waits
        with threadpool_limits(limits=1, user_api="blas"):
            res = minimize(
                evaluate,
                x0,
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": max_iter, "gtol": gtol, "ftol": 1e-12, "maxcor": 20},
            )
        x_final, value, nit, nfev = res.x, float(res.fun), int(res.nit), int(res.nfev)
        converged, message = bool(res.success), str(res.message)
    beta[problem.used_rows] = x_final.reshape(-1, problem.num_actions)
    _, grad = evaluate(x_final)
    return FitReport(
        objective=objective,
        value=float(value),
        initial_value=float(initial),
        iterations=int(nit),
        evaluations=int(nfev),
        grad_max=float(np.abs(grad).max()),
        converged=bool(converged),
        message=str(message),
        seconds=time.perf_counter() - t0,
        num_params=problem.num_params,
        method=method,
        holdout_value=held_best,
    )


class _HoldoutWatch:
    """The held-out objective of the weights being fitted, and the best weights seen."""

    def __init__(self, holdout, problem, beta, objective, patience, parallel):
        self.problem = CompactProblem(holdout, objective, l2=0.0)
        # held-out rows the fit also moves, and where they sit in its parameters
        pos = np.searchsorted(problem.used_rows, self.problem.used_rows)
        pos = np.minimum(pos, len(problem.used_rows) - 1)
        self.shared = problem.used_rows[pos] == self.problem.used_rows
        self.pos = pos[self.shared]
        self.base = beta[self.problem.used_rows].astype(np.float64)
        self.num_actions = problem.num_actions
        self.patience, self.parallel = patience, parallel
        self.best_x = beta[problem.used_rows].ravel().astype(np.float64)  # the start
        self.best_value = self.value(self.best_x)
        self.stale = 0

    def value(self, x: np.ndarray) -> float:
        theta = self.base.copy()
        theta[self.shared] = x.reshape(-1, self.num_actions)[self.pos]
        return self.problem.value_and_grad_fused(theta.ravel(), parallel=self.parallel)[0]

    def check(self, x: np.ndarray) -> bool:
        """Record ``x``; True once the held-out value stalled ``patience`` times."""
        value = self.value(x)
        if value < self.best_value - 1e-4:
            self.best_value, self.best_x, self.stale = value, x.copy(), 0
        else:
            self.stale += 1
        return self.stale >= self.patience


def trajectories_from_solutions(policy, problems, solutions) -> Trajectories:
    """The policy's context rows along solution paths (its ``trajectories`` method).

    Parameters
    ----------
    policy : ContextModelPolicy or FeatureModelPolicy
        Supplies the contexts and the hash seed.
    problems : sequence of Domain
    solutions : sequence of sequence of int
        The action path solving each problem.
    """
    return policy.trajectories(problems, solutions)
