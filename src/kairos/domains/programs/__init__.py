"""Program synthesis from input/output examples: a typed list DSL searched by LTS.

The pieces, one module each:

* :mod:`.types` — Hindley–Milner types and unification;
* :mod:`.primitives` — the DSL (``map``, ``fold``, ``filter``, ...) and its limits;
* :mod:`.program`, :mod:`.sexpr` — syntax trees and their s-expression text;
* :mod:`.infer` — type inference for programs from elsewhere;
* :mod:`.interpreter` — compile once to closures, run per example;
* :mod:`.tasks` — DreamCoder's list-task JSON, validated; held-out examples;
* :mod:`.generate` — a seeded task generator;
* :mod:`.grammar` — the prior: a log-linear bigram grammar (uniform = zeros);
* :mod:`.enumerate` — LTS over partial programs; :mod:`.reference` — its plain oracle;
* :mod:`.bottom_up` — the baseline: bottom-up with observational-equivalence pruning;
* :mod:`.fit` — fitting the grammar to solutions with the LTS loss;
* :mod:`.solve` — tasks in, per-task results (solved, generalized) out.

Example
-------
>>> from kairos.domains.programs import Enumerator, Grammar, Task, solve_task
>>> from kairos.domains.programs.types import INT, tlist
>>> task = Task("descending", tlist(INT), tlist(INT), (
...     (([1, 3, 2],), [3, 2, 1]), (([3],), [3]), (([],), []), (([5, 0, 7],), [7, 5, 0])))
>>> r = solve_task(Enumerator(Grammar()), task, holdout=1)
>>> r.program, r.solved, r.generalized
('(lambda (reverse (sort $0)))', True, True)
"""

from kairos.domains.programs.enumerate import Enumerator, SearchOutcome
from kairos.domains.programs.fit import fit_grammar, steps_of, trace
from kairos.domains.programs.generate import generate_tasks
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.infer import check, infer
from kairos.domains.programs.interpreter import compile_program, consistent, run
from kairos.domains.programs.primitives import PRIMITIVES, Primitive
from kairos.domains.programs.reference import reference_search
from kairos.domains.programs.sexpr import parse, show
from kairos.domains.programs.solve import TaskResult, solve_task, solve_tasks
from kairos.domains.programs.tasks import Task, read_tasks, tasks_from_json, write_tasks
from kairos.domains.programs.types import parse_type

__all__ = [
    "PRIMITIVES",
    "Enumerator",
    "Grammar",
    "Primitive",
    "SearchOutcome",
    "Task",
    "TaskResult",
    "check",
    "compile_program",
    "consistent",
    "fit_grammar",
    "generate_tasks",
    "infer",
    "parse",
    "parse_type",
    "read_tasks",
    "reference_search",
    "run",
    "show",
    "solve_task",
    "solve_tasks",
    "steps_of",
    "tasks_from_json",
    "trace",
    "write_tasks",
]
