"""The one result object every search algorithm returns."""

from __future__ import annotations

import math
from dataclasses import dataclass

STATUSES = ("solved", "budget_exhausted", "exhausted")


@dataclass(frozen=True)
class SearchResult:
    """What a search did and found.

    Attributes
    ----------
    status : str
        ``solved``, ``budget_exhausted`` or ``exhausted`` (whole tree searched, no goal).
    actions : tuple of int
        The solution path (empty unless solved).
    action_names : str
        The path as letters, e.g. ``"UURDL"``.
    expansions, generated : int
        Nodes expanded (goal included) and nodes created (root included).
    seconds : float
        Wall time of the search.
    solution_log_prob : float
        log π(n*) of the solution under the search's policy (uniform for BFS and
        WA*), nan unless solved.
    log_bound : float
        log(d(n*)/π(n*)), the LTS bound on expansions (nan unless solved).
    memory_bytes : int
        Bytes allocated for nodes, open list and state table at the end.
    """

    problem: str
    algorithm: str
    status: str
    actions: tuple[int, ...]
    action_names: str
    expansions: int
    generated: int
    seconds: float
    solution_log_prob: float = math.nan
    log_bound: float = math.nan
    memory_bytes: int = 0

    @property
    def solved(self) -> bool:
        return self.status == "solved"

    @property
    def length(self) -> int:
        """Solution length in actions (0 unless solved)."""
        return len(self.actions)

    @property
    def bound(self) -> float:
        """d(n*)/π(n*) (inf if it overflows; nan unless solved)."""
        try:
            return math.exp(self.log_bound)
        except OverflowError:
            return math.inf

    def row(self) -> dict[str, object]:
        """One CSV row: ``problem,status,expansions,generated,length,seconds`` and more."""
        return {
            "problem": self.problem,
            "status": self.status,
            "expansions": self.expansions,
            "generated": self.generated,
            "length": self.length if self.solved else "",
            "seconds": round(self.seconds, 6),
            "algorithm": self.algorithm,
            "solution_log_prob": ""
            if math.isnan(self.solution_log_prob)
            else self.solution_log_prob,
            "log_bound": "" if math.isnan(self.log_bound) else self.log_bound,
            "actions": self.action_names,
        }


def finished_result(
    domain,
    *,
    algorithm: str,
    status: str,
    actions: tuple[int, ...],
    log_prob: float,
    expansions: int,
    generated: int,
    seconds: float,
    verify: bool,
    **extra,
) -> SearchResult:
    """The :class:`SearchResult` of a search over ``domain``, from its found path if solved.

    ``actions`` is the solution (empty unless ``status == "solved"``) and ``log_prob``
    its log-probability (nats) under the policy. With ``verify``, a solution is replayed
    in the domain and :class:`~kairos.errors.SolutionError` raised if it does not reach a goal.
    """
    from kairos.domains.base import replay
    from kairos.errors import SolutionError

    if status == "solved":
        log_bound = math.log(len(actions) + 1) - log_prob
        if verify and not replay(domain, actions):
            raise SolutionError(f"{domain.name}: the returned solution does not replay to a goal")
    else:
        log_prob = log_bound = math.nan
    return SearchResult(
        problem=domain.name,
        algorithm=algorithm,
        status=status,
        actions=tuple(actions),
        action_names="".join(domain.action_names[a] for a in actions),
        expansions=expansions,
        generated=generated,
        seconds=seconds,
        solution_log_prob=log_prob,
        log_bound=log_bound,
        **extra,
    )
