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
    num_steps, num_pat = cidx.shape
    num_actions = legal.shape[1]
    z = np.empty(num_actions)
    for t in range(num_steps):
        for a in range(num_actions):
            z[a] = 0.0
        for k in range(num_pat):
            c = cidx[t, k]
            for a in range(num_actions):
                z[a] += theta[c, a]
        best = -np.inf
        for a in range(num_actions):
            if legal[t, a] and z[a] > best:
                best = z[a]
        total = 0.0
        for a in range(num_actions):
            if legal[t, a]:
                total += np.exp(z[a] - best)
        log_norm = best + np.log(total)
        steps_nll[t] = log_norm - z[actions[t]]
        for a in range(num_actions):
            coef[t, a] = np.exp(z[a] - log_norm) if legal[t, a] else 0.0
        coef[t, actions[t]] -= 1.0


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


@dataclass(frozen=True)
class FitReport:
    """What the optimiser did."""

    objective: str
    value: float
    initial_value: float
    iterations: int
    evaluations: int
    grad_max: float
    converged: bool
    message: str
    seconds: float
    num_params: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def fit(
    data: Trajectories,
    beta: np.ndarray,
    *,
    objective: str = "lts",
    l2: float = 1e-4,
    beta0: np.ndarray | None = None,
    gtol: float = 1e-6,
    max_iter: int = 500,
) -> FitReport:
    """Minimise the objective over the rows the data touch, in place in ``beta``.

    Starts from the current ``beta`` (warm start; the problem is convex so the
    optimum does not depend on it). L-BFGS (scipy) stops when the largest
    gradient component is below ``gtol`` or the relative decrease per step
    falls below 1e-12, or after ``max_iter`` iterations.

    Parameters
    ----------
    data : Trajectories
    beta : ndarray of float64, shape (num_rows, num_actions)
        Updated in place on the touched rows.
    """
    import time

    from scipy.optimize import minimize

    t0 = time.perf_counter()
    problem = CompactProblem(data, objective, l2=l2, beta0=beta0)
    x0 = beta[problem.used_rows].ravel().astype(np.float64)
    initial, _ = problem.value_and_grad(x0)
    from threadpoolctl import threadpool_limits

    # L-BFGS-B makes many tiny BLAS calls; a multi-threaded BLAS pool only adds waits
    with threadpool_limits(limits=1, user_api="blas"):
        res = minimize(
            problem.value_and_grad,
            x0,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": max_iter, "gtol": gtol, "ftol": 1e-12, "maxcor": 20},
        )
    beta[problem.used_rows] = res.x.reshape(-1, problem.num_actions)
    _, grad = problem.value_and_grad(res.x)
    return FitReport(
        objective=objective,
        value=float(res.fun),
        initial_value=float(initial),
        iterations=int(res.nit),
        evaluations=int(res.nfev),
        grad_max=float(np.abs(grad).max()),
        converged=bool(res.success),
        message=str(res.message),
        seconds=time.perf_counter() - t0,
        num_params=problem.num_params,
    )


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
