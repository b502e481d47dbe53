"""The marginal value of time: P(solve within Δ more expansions | the search so far).

An agent that weighs more computation against its cost needs a forecast of
what the computation will buy. :class:`SuccessPredictor` is a logistic model
of the probability that a suspended search finds its solution within ``Δ``
more expansions, from what the search has shown so far:

- ``log_spent``: log(1 + expansions spent);
- ``log_ratio``: log(Δ / (1 + spent)), how much longer it is asked to run;
- ``frontier_gap``: the open list's lowest priority minus log(1 + spent) (for
  LTS, log(d/π) of the next node: how far the search cost has run ahead of the
  work done);
- ``log_frontier``: log(1 + open nodes) − log(1 + spent), the branching so far;
- ``root_heuristic``: the domain heuristic of the initial state (a difficulty cue);
- ``dead``: whether the task is provably unsolvable from its start (a Sokoban
  box on a dead cell). A dead task gets probability 0 without a model call.

Training examples come from running training tasks in doubling slices
(:func:`collect_examples`); :func:`reliability` bins held-out predictions
against outcomes for a reliability plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from kairos.domains.base import Domain
from kairos.errors import ValidationError
from kairos.search.engine import SearchSession
from kairos.search.reference import ReferenceSession

FEATURES = ("log_spent", "log_ratio", "frontier_gap", "log_frontier", "root_heuristic")
HORIZON_MULTIPLES = (0.5, 1.0, 2.0, 4.0)  # Δ as multiples of the expansions spent


def is_dead(domain: Domain) -> bool:
    """Whether the task is provably unsolvable from its initial state (the domain's ``is_dead``).

    False for a domain without the hook: it offers no cheap proof.
    """
    hook = getattr(domain, "is_dead", None)
    return bool(hook(domain.initial_state())) if hook is not None else False


@dataclass(frozen=True)
class Snapshot:
    """What a suspended search shows: the predictor's raw inputs."""

    spent: int
    frontier_min: float
    frontier_size: int
    root_heuristic: float
    dead: bool

    @classmethod
    def of(cls, session: SearchSession | ReferenceSession, *, dead: bool | None = None) -> Snapshot:
        domain = session.domain
        return cls(
            spent=session.expansions,
            frontier_min=session.frontier_min,
            frontier_size=session.frontier_size,
            root_heuristic=float(domain.heuristic(domain.initial_state())),
            dead=is_dead(domain) if dead is None else dead,
        )

    def features(self, delta: float) -> np.ndarray:
        """The feature row for a further ``delta`` expansions (order of :data:`FEATURES`)."""
        log_spent = math.log1p(self.spent)
        gap = self.frontier_min - log_spent if math.isfinite(self.frontier_min) else 0.0
        return np.array(
            [
                log_spent,
                math.log(max(delta, 1.0)) - log_spent,
                gap,
                math.log1p(self.frontier_size) - log_spent,
                self.root_heuristic,
            ]
        )


class SuccessPredictor:
    """Logistic regression of "solved within Δ more expansions" (scikit-learn-style API).

    Parameters
    ----------
    l2 : float
        Ridge penalty on the standardised weights (not on the intercept).
    """

    def __init__(self, l2: float = 1e-3):
        if l2 < 0:
            raise ValidationError("l2", f"got {l2}, expected >= 0")
        self.l2 = l2

    def fit(self, X: np.ndarray, y: np.ndarray) -> SuccessPredictor:
        """Fit on feature rows ``X`` (n, len(FEATURES)) and 0/1 outcomes ``y`` (n,)."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(FEATURES) or len(X) != len(y):
            raise ValidationError("X", f"expected shape (n, {len(FEATURES)}) matching y")
        if len(X) < 2 or y.min() == y.max():
            raise ValidationError("y", "needs at least one success and one failure to fit")
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0) + 1e-9
        Z = np.column_stack([np.ones(len(X)), (X - self.mean_) / self.scale_])

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = Z @ w
            # log(1 + e^z) - y z, computed stably
            nll = np.logaddexp(0.0, z) - y * z
            p = 0.5 * (1.0 + np.tanh(0.5 * z))
            grad = Z.T @ (p - y) / len(y)
            reg = self.l2 * np.r_[0.0, w[1:]]
            return float(nll.mean() + 0.5 * self.l2 * w[1:] @ w[1:]), grad + reg

        result = minimize(loss, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B",
                          options={"gtol": 1e-9, "maxiter": 1000})  # fmt: skip
        self.coef_ = result.x
        self.converged_ = bool(result.success)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(solved within Δ) for each feature row."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        z = self.coef_[0] + ((X - self.mean_) / self.scale_) @ self.coef_[1:]
        return 0.5 * (1.0 + np.tanh(0.5 * z))

    def probability(self, snapshot: Snapshot, delta: float) -> float:
        """P(solved within ``delta`` more expansions) for one suspended search."""
        if snapshot.dead:
            return 0.0
        return float(self.predict_proba(snapshot.features(delta))[0])

    def to_dict(self) -> dict:
        return {
            "l2": self.l2,
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "coef": self.coef_.tolist(),
            "features": list(FEATURES),
        }


def collect_examples(
    sessions: Sequence[SearchSession | ReferenceSession], *, first_slice: int, cap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Run each session in doubling slices up to ``cap`` and label every checkpoint.

    At a checkpoint with ``e`` expansions spent, one example per Δ in
    :data:`HORIZON_MULTIPLES` × ``e`` is labelled 1 if the search finished
    solved within ``e + Δ`` expansions. Searches that hit ``cap`` unsolved
    give label 0 only where ``e + Δ ≤ cap`` (beyond it the outcome is unknown);
    searches that exhausted their tree give label 0 for every Δ.
    """
    rows: list[np.ndarray] = []
    labels: list[float] = []
    for session in sessions:
        dead = is_dead(session.domain)
        # (snapshot, horizons): the untouched root is asked about the first slice only
        checkpoints = [(Snapshot.of(session, dead=dead), (float(first_slice),))]
        step = first_slice
        while not session.done and session.expansions < cap:
            session.advance(min(step, cap - session.expansions))
            if not session.done:
                spent = session.expansions
                horizons = tuple(m * spent for m in HORIZON_MULTIPLES)
                checkpoints.append((Snapshot.of(session, dead=dead), horizons))
            step = session.expansions
        solved_at = session.expansions if session.status == "solved" else None
        known_until = math.inf if session.status == "exhausted" else cap
        for snap, horizons in checkpoints:
            for delta in horizons:
                if solved_at is not None and solved_at <= snap.spent + delta:
                    label = 1.0
                elif snap.spent + delta <= known_until:
                    label = 0.0
                else:
                    continue
                rows.append(snap.features(delta))
                labels.append(label)
    return np.array(rows).reshape(-1, len(FEATURES)), np.array(labels)


def reliability(
    probabilities: np.ndarray, outcomes: np.ndarray, bins: int = 10
) -> list[dict[str, float]]:
    """Calibration table: per probability bin, the mean prediction and the observed rate."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    outcomes = np.asarray(outcomes, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probabilities, edges) - 1, 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            table.append(
                {
                    "low": float(edges[b]),
                    "high": float(edges[b + 1]),
                    "count": int(mask.sum()),
                    "predicted": float(probabilities[mask].mean()),
                    "observed": float(outcomes[mask].mean()),
                }
            )
    return table
