"""One programming-by-example task as a :class:`~kairos.domains.base.Domain`, for the registry.

The registry's loader for ``programs`` reads a DreamCoder task file into
:class:`ProgramTask` objects. Each is a faithful :class:`Domain`: a state is a
partial program (:class:`~.enumerate.Node`), the actions of a state index its
leftmost hole's production table (most probable first under the uniform
grammar), a goal is a complete program consistent with the examples, so any
kairos search runs it (tree search: every state is its own key). The
domain's own search, with a learned grammar, held-out examples and a CPU time
limit, is the optional hook :meth:`ProgramTask.solve`, which ``kairos solve``
uses when a domain has it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

from kairos.domains.programs.enumerate import Enumerator, Node, child, root
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.interpreter import compile_program, consistent
from kairos.domains.programs.program import Prim
from kairos.domains.programs.sexpr import show
from kairos.domains.programs.solve import TaskResult, solve_task
from kairos.domains.programs.tasks import Task, read_tasks
from kairos.errors import ValidationError

_UNIFORM = Enumerator(Grammar())
MAX_ACTIONS = 256  # primitives + variables in scope; far above any table search reaches


class ProgramTask:
    """A :class:`Task` seen as a search domain over partial programs.

    Parameters
    ----------
    task : Task
    """

    # Actions are production-table indices; generic searches size their score
    # vectors by len(action_names), so it must cover the largest table.
    action_names = "".join(chr(0x2800 + i) for i in range(MAX_ACTIONS))

    def __init__(self, task: Task):
        self.task = task
        self.name = task.name

    def initial_state(self) -> Node:
        return root(self.task.request, _UNIFORM.grammar)

    def legal_actions(self, state: Node) -> Sequence[int]:
        if state.holes is None:
            return []
        size = len(_UNIFORM.table(state)[0])
        if size > MAX_ACTIONS:
            raise ValidationError(
                "state", f"{size} productions at one hole, more than the {MAX_ACTIONS} supported"
            )
        return range(size)

    def step(self, state: Node, action: int) -> Node:
        entries, names = _UNIFORM.table(state)
        return child(_UNIFORM.grammar, state, entries[action], names)

    def is_goal(self, state: Node) -> bool:
        if state.holes is not None:
            return False
        from kairos.domains.programs.enumerate import program

        fn = compile_program(program(state), self.task.num_inputs, _UNIFORM.grammar.table)
        return consistent(fn, self.task.examples)

    def key(self, state: Node) -> Hashable:
        return state.choices  # tree search: a partial program is its path

    def render(self, state: Node) -> str:
        """The partial program, holes shown as ``?``."""
        from kairos.domains.programs.enumerate import LAMBDA, build

        tokens, c = [], state.choices
        while c is not None:
            tokens.append(c[0])
            c = c[1]
        tokens.reverse()
        holes, h = 0, state.holes
        while h is not None:
            holes += 1
            h = h[1]
        hole = ("p", "?", 0, -1, -1)
        try:
            return show(build(tokens + [hole] * holes))
        except IndexError:
            return show(Prim("?")) if not tokens or tokens[0] is not LAMBDA else "(lambda ?)"

    def heuristic(self, state: Node) -> float:
        return 0.0

    def solve(
        self,
        *,
        policy: str = "uniform",
        holdout: int = 0,
        budget: int = 1_000_000,
        time_limit_s: float = math.inf,
    ) -> TaskResult:
        """The domain's own search (optional hook): LTS with the last ``holdout`` examples hidden.

        Parameters
        ----------
        policy : str
            ``uniform``, ``list-dsl`` (the shipped prior and library), a policy
            file with a library (``.kprog``, :mod:`.policy_file`) or a grammar
            file (``.kgram``, :meth:`Grammar.save`).

        Raises
        ------
        FileFormatError
            The grammar file is missing, damaged or for another DSL.
        ValidationError
            A bad budget, time limit or holdout.
        """
        return solve_task(
            enumerator_for(policy),
            self.task,
            holdout=holdout,
            budget=budget,
            time_limit_s=time_limit_s,
        )


@functools.lru_cache(maxsize=4)
def enumerator_for(policy: str) -> Enumerator:
    """The enumerator of a policy name (``uniform``, ``list-dsl``) or file, shared by all tasks."""
    if policy == "uniform":
        return _UNIFORM
    from kairos.domains.programs.policy_file import SHIPPED, SUFFIX, program_policy_by_name

    if policy == SHIPPED or str(policy).endswith(SUFFIX):
        return program_policy_by_name(policy).enumerator()
    return Enumerator(Grammar.load(policy))


def read_program_tasks(path: str | Path) -> list[Any]:
    """The registry loader: tasks of a DreamCoder list-task file as :class:`ProgramTask`."""
    return [ProgramTask(t) for t in read_tasks(path)]
