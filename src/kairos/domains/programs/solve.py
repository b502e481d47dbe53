"""Solving tasks: search on the shown examples, then check the hidden ones.

``holdout = K`` hides the last K examples of each task from the search. A task
is *solved* when the search finds a program consistent with the shown
examples, and *generalized* when that program is also right on the hidden ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kairos.domains.programs.enumerate import Enumerator
from kairos.domains.programs.interpreter import compile_program, consistent
from kairos.domains.programs.tasks import Task


@dataclass(frozen=True)
class TaskResult:
    """The outcome of one task.

    Attributes
    ----------
    name : str
    status : str
        ``solved``, ``budget_exhausted``, ``timeout`` or ``exhausted``.
    solved : bool
        A program consistent with the shown examples was found.
    generalized : bool
        ... and it is also right on the hidden examples (True when none are hidden).
    program : str
        Its s-expression ("" unless solved).
    expansions : int
    seconds : float
        CPU seconds of the search.
    log_prob : float
        Natural-log prior probability of the program (nan unless solved).
    num_choices : int
        Choices (search depth) of the program.
    """

    name: str
    status: str
    solved: bool
    generalized: bool
    program: str
    expansions: int
    seconds: float
    log_prob: float = math.nan
    num_choices: int = 0

    def row(self) -> dict[str, object]:
        """One CSV row."""
        return {
            "problem": self.name,
            "status": self.status,
            "solved": int(self.solved),
            "generalized": int(self.generalized),
            "expansions": self.expansions,
            "seconds": round(self.seconds, 6),
            "log_prob": "" if math.isnan(self.log_prob) else round(self.log_prob, 6),
            "program": self.program,
        }


def solve_task(
    enumerator: Enumerator,
    task: Task,
    *,
    holdout: int = 0,
    budget: int = 1_000_000,
    time_limit_s: float = math.inf,
) -> TaskResult:
    """Search ``task``'s shown examples, then test the program on the hidden ones."""
    shown, hidden = task.split(holdout)
    out = enumerator.search(
        task.request, shown, budget=budget, time_limit_s=time_limit_s, num_inputs=task.num_inputs
    )
    generalized = False
    if out.solved:
        fn = compile_program(out.program, task.num_inputs, enumerator.grammar.table)
        generalized = consistent(fn, hidden)
    return TaskResult(
        task.name,
        out.status,
        out.solved,
        generalized,
        out.text,
        out.expansions,
        out.seconds,
        out.log_prob,
        out.depth,
    )


def solve_tasks(
    enumerator: Enumerator,
    tasks: Sequence[Task],
    *,
    holdout: int = 0,
    budget: int = 1_000_000,
    time_limit_s: float = math.inf,
    on_result: Callable[[TaskResult], None] | None = None,
) -> list[TaskResult]:
    """:func:`solve_task` on each task in turn (one process; tables are shared)."""
    out = []
    for task in tasks:
        r = solve_task(enumerator, task, holdout=holdout, budget=budget, time_limit_s=time_limit_s)
        out.append(r)
        if on_result is not None:
            on_result(r)
    return out
