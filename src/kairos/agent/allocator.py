"""Spending a global expansion budget across a batch of tasks.

Three ways to spend the same budget ``B`` on ``n`` tasks, all on resumable
searches (:func:`~kairos.search.engine.open_session`), so that a slice
given later continues where the last one stopped and no work is lost:

- :func:`allocate_fixed`: each task in turn gets ``B / n`` expansions (the
  baseline that treats every task alike);
- :func:`allocate_round_robin`: slices of a fixed size in turn, each task
  capped at ``cap`` expansions;
- :func:`allocate_by_index`: a Pandora's-box style index. Every live task's
  next slice doubles what it has spent; the slice goes to the task with the
  highest predicted success per expansion, P(solve within Δ)/Δ, from a
  :class:`~kairos.agent.value.SuccessPredictor`. A task whose index falls below
  the cost of time, ``1 / value`` (the expansions a solve is worth), is
  abandoned: a provably dead task is abandoned before it costs anything.

Each returns an :class:`Allocation`: per task outcome and expansions, the
solved count, and the trace of solved tasks against expansions spent.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kairos.agent.memory import SolutionMemory
from kairos.agent.value import Snapshot, SuccessPredictor, is_dead
from kairos.domains.base import Domain
from kairos.errors import ValidationError
from kairos.policy.base import Policy
from kairos.search.engine import SearchConfig, SearchSession, open_session
from kairos.search.reference import ReferenceSession

OUTCOMES = ("solved", "exhausted", "abandoned", "unfinished")


@dataclass
class TaskOutcome:
    """How one task ended under an allocation."""

    problem: str
    outcome: str
    expansions: int
    actions: tuple[int, ...] = ()
    recalled: bool = False  # answered from memory, without search
    reason: str = ""  # why the task was abandoned (empty otherwise)

    @property
    def length(self) -> int:
        return len(self.actions)


@dataclass
class Allocation:
    """The result of spending a global budget on a batch of tasks."""

    method: str
    budget: int
    tasks: list[TaskOutcome]
    trace: list[tuple[int, int]] = field(default_factory=list)  # (expansions spent, solved)

    @property
    def solved(self) -> int:
        return sum(t.outcome == "solved" for t in self.tasks)

    @property
    def expansions(self) -> int:
        return sum(t.expansions for t in self.tasks)

    @property
    def hopeless_share(self) -> float:
        """Share of all expansions spent on tasks that were never solved."""
        total = self.expansions
        wasted = sum(t.expansions for t in self.tasks if t.outcome != "solved")
        return wasted / total if total else 0.0

    def expansions_to_solve(self, count: int) -> int | None:
        """Expansions spent when the ``count``-th task was solved (None if never)."""
        for spent, solved in self.trace:
            if solved >= count:
                return spent
        return None

    def summary(self) -> dict[str, object]:
        return {
            "method": self.method,
            "budget": self.budget,
            "solved": self.solved,
            "tasks": len(self.tasks),
            "expansions": self.expansions,
            "hopeless_share": self.hopeless_share,
            "abandoned": [
                {"problem": t.problem, "expansions": t.expansions, "reason": t.reason}
                for t in self.tasks
                if t.outcome == "abandoned"
            ],
        }


class _Batch:
    """Sessions of a batch of tasks, the shared budget, and the bookkeeping."""

    def __init__(
        self,
        method: str,
        tasks: Sequence[Domain],
        budget: int,
        config: SearchConfig,
        policy: Policy | None,
        on_progress: Callable[[int, int], None] | None,
    ):
        if budget < 1:
            raise ValidationError("budget", f"got {budget}, expected a positive integer")
        if not tasks:
            raise ValidationError("tasks", "expected at least one task")
        self.sessions: list[SearchSession | ReferenceSession | None] = [
            open_session(t, config, policy) for t in tasks
        ]
        self.outcomes = [TaskOutcome(t.name, "unfinished", 0) for t in tasks]
        self.allocation = Allocation(method, budget, self.outcomes, [(0, 0)])
        self.left = budget
        self.solved = 0
        self.on_progress = on_progress

    def run(self, i: int, expansions: int) -> str:
        """Give task ``i`` up to ``expansions`` more; returns its status."""
        session = self.sessions[i]
        assert session is not None
        before = session.expansions
        status = session.advance(min(expansions, self.left))
        spent = session.expansions - before
        self.left -= spent
        self.outcomes[i].expansions = session.expansions
        if status == "solved":
            self.solved += 1
            self.outcomes[i].outcome = "solved"
            self.outcomes[i].actions = session.result().actions
        elif status == "exhausted":
            self.outcomes[i].outcome = "exhausted"
        if session.done:
            self.sessions[i] = None  # free its arrays
        used = self.allocation.budget - self.left
        self.allocation.trace.append((used, self.solved))
        if self.on_progress:
            self.on_progress(used, self.solved)
        return status

    def recall(self, i: int, actions: tuple[int, ...]) -> None:
        """Task ``i`` answered from memory: solved at zero expansions."""
        self.outcomes[i].outcome = "solved"
        self.outcomes[i].actions = actions
        self.outcomes[i].recalled = True
        self.sessions[i] = None
        self.solved += 1
        self.allocation.trace.append((self.allocation.budget - self.left, self.solved))

    def abandon(self, i: int, reason: str) -> None:
        self.outcomes[i].outcome = "abandoned"
        self.outcomes[i].reason = reason
        self.sessions[i] = None


def allocate_fixed(
    tasks: Sequence[Domain],
    budget: int,
    *,
    config: SearchConfig = SearchConfig(),
    policy: Policy | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Allocation:
    """Baseline: every task gets ``budget // len(tasks)`` expansions, one after another."""
    batch = _Batch("fixed", tasks, budget, config, policy, on_progress)
    share = max(1, budget // len(tasks))
    for i in range(len(tasks)):
        if batch.left <= 0:
            break
        batch.run(i, share)
    return batch.allocation


def allocate_round_robin(
    tasks: Sequence[Domain],
    budget: int,
    *,
    slice_size: int,
    cap: int,
    config: SearchConfig = SearchConfig(),
    policy: Policy | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Allocation:
    """Baseline: slices of ``slice_size`` in turn; a task stops at ``cap`` expansions."""
    if slice_size < 1 or cap < 1:
        raise ValidationError("slice_size", "slice_size and cap must be positive")
    batch = _Batch("round_robin", tasks, budget, config, policy, on_progress)
    live = list(range(len(tasks)))
    while live and batch.left > 0:
        still = []
        for i in live:
            if batch.left <= 0:
                break
            spent = batch.outcomes[i].expansions
            status = batch.run(i, min(slice_size, cap - spent))
            if status == "budget_exhausted" and batch.outcomes[i].expansions < cap:
                still.append(i)
            elif status == "budget_exhausted":
                batch.abandon(i, f"reached the cap of {cap:,} expansions per task")
        live = still
    return batch.allocation


def allocate_by_index(
    tasks: Sequence[Domain],
    budget: int,
    predictor: SuccessPredictor,
    *,
    value: float,
    first_slice: int = 1000,
    memory: SolutionMemory | None = None,
    config: SearchConfig = SearchConfig(),
    policy: Policy | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Allocation:
    """Spend ``budget`` by the success-per-expansion index (see module docstring).

    With a ``memory``, every task is looked up first: a task solved before is
    answered by replaying its verified solution, at zero expansions, and every
    task solved now is remembered (the caller saves the memory).

    Parameters
    ----------
    value : float
        What one solve is worth, in expansions. A task whose predicted success
        per expansion of its next slice falls below ``1 / value`` is abandoned.
    first_slice : int
        The first slice of every task (later slices double the spend).
    """
    if value <= 0:
        raise ValidationError("value", f"got {value}, expected > 0")
    if first_slice < 1:
        raise ValidationError("first_slice", f"got {first_slice}, expected >= 1")
    batch = _Batch("index", tasks, budget, config, policy, on_progress)
    cost_of_time = 1.0 / value
    dead = [is_dead(t) for t in tasks]

    heap: list[tuple[float, int, int]] = []  # (-index, task, slice)

    def schedule(i: int) -> None:
        """Queue task ``i``'s next slice by its index, or abandon it below the cost of time."""
        session = batch.sessions[i]
        assert session is not None
        delta = first_slice if session.expansions == 0 else session.expansions
        snap = Snapshot.of(session, dead=dead[i])
        probability = predictor.probability(snap, delta)
        score = probability / delta
        if score < cost_of_time:
            why = (
                "provably dead (a box is stuck), "
                if dead[i]
                else f"after {session.expansions:,} expansions, "
                if session.expansions
                else "before any search, "
            )
            batch.abandon(
                i,
                f"{why}P(solve within {delta:,} more) = {probability:.3g}: "
                f"{score:.3g} per expansion is below the cost of time 1/value = {cost_of_time:.3g}",
            )
        else:
            heapq.heappush(heap, (-score, i, delta))

    for i in range(len(tasks)):
        known = memory.recall(tasks[i]) if memory is not None else None
        if known is not None:
            batch.recall(i, known)
        else:
            schedule(i)
    while heap and batch.left > 0:
        _, i, delta = heapq.heappop(heap)
        if batch.run(i, delta) == "budget_exhausted" and batch.left > 0:
            schedule(i)
    if memory is not None:
        for task, outcome in zip(tasks, batch.outcomes, strict=True):
            if outcome.outcome == "solved" and not outcome.recalled:
                memory.remember(task, outcome.actions, problem=outcome.problem)
    return batch.allocation
