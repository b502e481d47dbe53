"""Learning PHS*'s heuristic from solutions: distance-to-go regressed on state features.

Every state s_t of a solution of length L (t = 0 .. L, the goal included)
is one example: its ``heuristic_features`` (the domain's hook) against the
moves still to go, L − t. The weights are the non-negative least-squares fit
(no intercept: every feature is 0 at a goal, and so is h), which makes
h ≥ 0 everywhere, as PHS* needs. Deterministic: the same solutions give the
same weights bit for bit (scipy's NNLS, no random choice).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kairos.errors import ValidationError
from kairos.search.engine import SearchConfig
from kairos.search.heuristic import LinearHeuristic
from kairos.search.parallel import solve_all


def trajectory_examples(domain: Any, actions: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Features and distance-to-go of every state along one solution.

    Returns
    -------
    features : ndarray of float64, shape (len(actions) + 1, num_features)
    to_go : ndarray of float64, shape (len(actions) + 1,)
        Moves left: ``len(actions) - t`` at step t.
    """
    state = domain.initial_state()
    rows = [np.asarray(domain.heuristic_features(state), dtype=np.float64)]
    for a in actions:
        state = domain.step(state, int(a))
        rows.append(np.asarray(domain.heuristic_features(state), dtype=np.float64))
    if not domain.is_goal(state):
        raise ValidationError("actions", f"{domain.name}: the solution does not reach a goal")
    length = len(actions)
    return np.vstack(rows), np.arange(length, -1, -1, dtype=np.float64)


def fit_heuristic(
    solutions: Sequence[tuple[Any, Sequence[int]]], *, domain: str, source: str = ""
) -> LinearHeuristic:
    """The non-negative least-squares :class:`LinearHeuristic` of distance-to-go on features.

    Parameters
    ----------
    solutions : sequence of (problem, actions)
        Solved problems of one domain (with the ``heuristic_features`` hook)
        and their solutions.
    domain : str
        The domain's name, stored in the heuristic.
    source : str
        Where the solutions came from, stored in ``fit`` (for the file's reader).

    Raises
    ------
    ValidationError
        No solutions, or a problem without ``heuristic_features``.
    """
    from scipy.optimize import nnls

    if not solutions:
        raise ValidationError("solutions", "none given; solve some problems first")
    names = getattr(solutions[0][0], "heuristic_feature_names", None)
    if names is None or not hasattr(solutions[0][0], "heuristic_features"):
        raise ValidationError(
            "domain", f"{domain!r} has no heuristic_features hook to learn a heuristic on"
        )
    parts = [trajectory_examples(problem, actions) for problem, actions in solutions]
    x = np.vstack([f for f, _ in parts])
    y = np.concatenate([t for _, t in parts])
    weights, _ = nnls(x, y)
    residual = y - x @ weights
    fit = {
        "method": "nnls, no intercept",
        "target": "moves to go along solutions",
        "source": source,
        "solutions": len(solutions),
        "states": len(y),
        "mean_to_go": float(y.mean()),
        "rmse_moves": float(np.sqrt(np.mean(residual**2))),
        "r2": float(1.0 - np.sum(residual**2) / np.sum((y - y.mean()) ** 2)),
    }
    return LinearHeuristic(domain, tuple(names), tuple(float(w) for w in weights), fit)


def learn_heuristic(
    problems: Sequence[Any],
    policy: Any,
    *,
    domain: str,
    budget: int,
    deadlocks: str = "off",
    jobs: int = 1,
    source: str = "",
) -> tuple[LinearHeuristic, int]:
    """Solve ``problems`` with LTS and ``policy``, then :func:`fit_heuristic` to the solutions.

    Parameters
    ----------
    problems : sequence
        Training problems of one domain with the ``heuristic_features`` hook.
    policy : Policy
        The policy the heuristic will be paired with (its solutions are the data).
    budget : int
        Expansions per problem.
    deadlocks : str
        ``SearchConfig.deadlocks`` of the searches.

    Returns
    -------
    (heuristic, num_solved)

    Raises
    ------
    ValidationError
        No problem was solved within ``budget``.
    """
    config = SearchConfig(budget=budget, deadlocks=deadlocks)
    found = solve_all(problems, config, policy, jobs=jobs)
    solutions = [(p, r.actions) for p, r in zip(problems, found, strict=True) if r.solved]
    if not solutions:
        raise ValidationError(
            "budget", f"no problem solved with {budget:,} expansions; raise the budget"
        )
    fit_source = f"{source}; LTS, budget {budget}, deadlocks {deadlocks}".lstrip("; ")
    return fit_heuristic(solutions, domain=domain, source=fit_source), len(solutions)
