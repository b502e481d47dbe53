"""One task solved by a generative prior's strategy, scored on the hidden examples."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

from kairos.domains.programs.interpreter import compile_program, consistent
from kairos.domains.programs.sexpr import parse
from kairos.domains.programs.solve import TaskResult
from kairos.domains.programs.tasks import Task
from kairos.search.neural.strategies import Attempt


class TaskSolver(ABC):
    """Base of the ``kairos solve programs`` solvers whose prior generates programs.

    A subclass sets ``table`` (the primitive table programs compile against) and
    ``default_time_limit_s``, and implements :meth:`attempt`.
    """

    table: dict
    default_time_limit_s: float

    @abstractmethod
    def attempt(self, task: Task, *, holdout: int, budget: int, time_limit_s: float) -> Attempt:
        """The strategy's run on ``task`` with its last ``holdout`` examples hidden."""

    def solve(
        self,
        task: Task,
        *,
        holdout: int = 0,
        budget: int = 100_000,
        time_limit_s: float | None = None,
    ) -> TaskResult:
        """Solve one task; ``generalized`` checks the answer on the hidden examples."""
        limit = (
            self.default_time_limit_s
            if time_limit_s is None or math.isinf(time_limit_s)
            else time_limit_s
        )
        a = self.attempt(task, holdout=holdout, budget=budget, time_limit_s=limit)
        generalized = False
        if a.solved:
            _, hidden = task.split(holdout)
            fn = compile_program(parse(a.program), task.num_inputs, self.table)
            generalized = consistent(fn, hidden)
        status = "solved" if a.solved else ("timeout" if a.cpu_s >= limit else "budget_exhausted")
        return TaskResult(task.name, status, a.solved, generalized, a.program, a.units, a.cpu_s)
