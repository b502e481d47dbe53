"""The bootstrap on programs: solve, fit the grammar with the LTS loss, learn a library, repeat.

One round (DreamCoder's wake/sleep cycle, with Stitch as the compressor):

1. **solve** every unsolved training task with LTS under the current prior
   and library, at ``budget`` expansions per task (all examples shown);
2. **fit** the bigram grammar over the current DSL to all solutions so far
   with the LTS loss (:func:`kairos.domains.programs.fit.fit_grammar`), and
   measure the corpus description length ``Σ −log2 π(program)`` (the bits
   *before* the library round);
3. **library round**: Stitch compresses the solutions into inventions, which
   join the DSL; the solutions are rewritten in terms of them
   (:func:`kairos.domains.programs.library.learn_library`); the grammar is
   refitted over the grown DSL and the corpus measured again (the bits
   *after*);
4. multiply the budget by ``budget_factor`` (up to ``max_budget``).

Search is deterministic in expansions, so a run is reproducible from its
config. The run folder gets, after every round and atomically:
``policy.kprog`` (library and grammar in one checksummed file,
:mod:`kairos.domains.programs.policy_file`), ``log.csv`` (one row per round,
the bootstrap's columns plus the description lengths and library size),
``solutions.csv`` (each solved task's program in the final DSL) and
``summary.json``; at the end, ``policy_grammar.kprog``, the same solutions'
grammar over the base DSL without the library (:func:`grammar_only_policy`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kairos.domains.programs.fit import OBJECTIVES, fit_grammar, steps_of
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.library import (
    Solution,
    corpus_bits,
    inline_solution,
    learn_library,
)
from kairos.domains.programs.policy_file import (
    RUN_GRAMMAR_POLICY_NAME,
    RUN_POLICY_NAME,
    ProgramPolicy,
)
from kairos.domains.programs.sexpr import parse, show
from kairos.domains.programs.solve import solve_task
from kairos.domains.programs.tasks import Task
from kairos.errors import ValidationError

POLICY_NAME = RUN_POLICY_NAME
GRAMMAR_POLICY_NAME = RUN_GRAMMAR_POLICY_NAME
LOG_NAME = "log.csv"


@dataclass(frozen=True)
class ProgramTrainConfig:
    """Settings of a program bootstrap.

    Attributes
    ----------
    initial_budget : int
        Expansions per task in the first round.
    budget_factor : float
        The budget is multiplied by this after every round.
    max_budget : int
        The budget never grows past this.
    rounds : int
        Rounds to run (fewer when every task is solved or the time cap hits).
    task_time_limit_s : float
        CPU seconds per task and round, on top of the expansion budget.
    time_limit_s : float or None
        Wall-clock cap over the whole run (checked between tasks).
    objective : str
        ``lts`` or ``xent``.
    l2 : float
        L2 weight of the grammar fit.
    library : bool
        Run a library round after every fit.
    library_iterations : int
        Most inventions per library round.
    max_arity : int
        Most parameters of an invention.
    """

    initial_budget: int = 20_000
    budget_factor: float = 4.0
    max_budget: int = 2_000_000
    rounds: int = 3
    task_time_limit_s: float = math.inf
    time_limit_s: float | None = None
    objective: str = "lts"
    l2: float = 1e-2
    library: bool = True
    library_iterations: int = 5
    max_arity: int = 2

    def __post_init__(self) -> None:
        if self.initial_budget < 1:
            raise ValidationError("initial_budget", f"got {self.initial_budget}, expected >= 1")
        if not self.budget_factor >= 1:
            raise ValidationError("budget_factor", f"got {self.budget_factor}, expected >= 1")
        if self.rounds < 1:
            raise ValidationError("rounds", f"got {self.rounds}, expected >= 1")
        if self.objective not in OBJECTIVES:
            raise ValidationError(
                "objective", f"got {self.objective!r}, expected one of {list(OBJECTIVES)}"
            )
        if self.l2 < 0:
            raise ValidationError("l2", f"got {self.l2}, expected >= 0")
        if not self.task_time_limit_s > 0:
            raise ValidationError(
                "task_time_limit_s", f"got {self.task_time_limit_s}, expected > 0"
            )
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise ValidationError("time_limit_s", f"got {self.time_limit_s}, expected > 0")
        if self.library_iterations < 1 or self.max_arity < 0:
            raise ValidationError(
                "library_iterations",
                f"got {self.library_iterations} iterations of arity <= {self.max_arity}",
            )


@dataclass
class ProgramTrainResult:
    """The outcome of :func:`train_programs`."""

    policy: ProgramPolicy
    solutions: dict[str, Solution]
    log: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = ""


def _fit(policy: ProgramPolicy, sols: Sequence[Solution], config) -> tuple[Grammar, dict]:
    pairs = [(s.program, s.request) for s in sols]
    base = Grammar(policy.grammar.primitives)
    grammar, report = fit_grammar(
        base, steps_of(policy.enumerator(), pairs), objective=config.objective, l2=config.l2
    )
    return grammar, report.as_dict()


def train_programs(
    tasks: Sequence[Task],
    run_dir: str | Path,
    config: ProgramTrainConfig | None = None,
    *,
    on_event: Callable[[str, dict], None] | None = None,
) -> ProgramTrainResult:
    """Bootstrap a program prior and library on ``tasks``; see the module docstring.

    Parameters
    ----------
    tasks : sequence of Task
        Training tasks (names unique).
    run_dir : path
        Gets ``policy.kprog``, ``log.csv``, ``solutions.csv`` and ``summary.json``.
    on_event : callable(kind, info), optional
        ``("round", {...})`` at the start of a round, ``("attempt", {...})``
        after each task, ``("library", {...})`` after a library round.

    Raises
    ------
    ValidationError
        No tasks, or duplicate task names.
    """
    config = config or ProgramTrainConfig()
    if not tasks:
        raise ValidationError("tasks", "no training tasks: pass at least one")
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        raise ValidationError("tasks", "task names must be unique to train on them")
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    emit = on_event or (lambda kind, info: None)
    start = time.perf_counter()
    policy = ProgramPolicy.uniform()
    solutions: dict[str, Solution] = {}
    log: list[dict[str, Any]] = []
    budget = config.initial_budget
    stop = ""
    total_expansions = 0

    def capped() -> bool:
        return (
            config.time_limit_s is not None and time.perf_counter() - start >= config.time_limit_s
        )

    for rnd in range(config.rounds):
        todo = [t for t in tasks if t.name not in solutions]
        if not todo:
            stop = "all solved"
            break
        if capped():
            stop = "time limit"
            break
        emit("round", {"round": rnd, "budget": budget, "attempts": len(todo)})
        enum = policy.enumerator()
        solve_start = time.process_time()
        new = expansions = attempted = 0
        for task in todo:
            if capped():
                stop = "time limit"
                break
            r = solve_task(enum, task, budget=budget, time_limit_s=config.task_time_limit_s)
            attempted += 1
            expansions += r.expansions
            if r.solved:
                solutions[task.name] = Solution(
                    task.name, parse(r.program), task.request, task.examples, task.num_inputs
                )
                new += 1
            emit("attempt", {"task": task.name, "solved": r.solved, "total": len(solutions)})
        total_expansions += expansions
        solve_s = time.process_time() - solve_start
        row: dict[str, Any] = {
            "round": rnd,
            "budget": budget,
            "attempted": attempted,
            "new_solved": new,
            "solved": len(solutions),
            "tasks": len(tasks),
            "expansions": expansions,
            "total_expansions": total_expansions,
            "solve_cpu_s": round(solve_s, 3),
        }
        sols = [solutions[n] for n in names if n in solutions]
        if sols:
            fit_start = time.process_time()
            grammar, report = _fit(policy, sols, config)
            policy = ProgramPolicy(policy.library, grammar)
            pairs = [(s.program, s.request) for s in sols]
            before = corpus_bits(grammar, pairs)
            row.update(
                fit_value=round(report["value"], 6),
                fit_converged=report["converged"],
                bits_before=round(before, 3),
                bits_per_program_before=round(before / len(sols), 3),
                library_size_before=len(policy.library),
            )
            if config.library and len(sols) >= 2:
                lib = learn_library(
                    sols,
                    policy.library,
                    iterations=config.library_iterations,
                    max_arity=config.max_arity,
                )
                for s in lib.solutions:
                    solutions[s.name] = s
                sols = lib.solutions
                policy = ProgramPolicy(tuple(lib.library), Grammar(lib.primitives))
                grammar, report = _fit(policy, sols, config)
                policy = ProgramPolicy(policy.library, grammar)
                after = corpus_bits(grammar, [(s.program, s.request) for s in sols])
                row.update(
                    new_inventions=" ".join(inv.name for inv in lib.inventions),
                    rewritten=lib.num_rewritten,
                    rewrite_rejected=lib.num_rejected,
                    stitch_cost_before=lib.stitch_cost_before,
                    stitch_cost_after=lib.stitch_cost_after,
                )
                emit("library", {"round": rnd, "inventions": [i.name for i in lib.inventions]})
            else:
                after = before
            row.update(
                bits_after=round(after, 3),
                bits_per_program_after=round(after / len(sols), 3),
                library_size_after=len(policy.library),
                fit_cpu_s=round(time.process_time() - fit_start, 3),
            )
        row["wall_s"] = round(time.perf_counter() - start, 3)
        log.append(row)
        policy.meta = {"config": asdict(config), "log": log, "tasks": len(tasks)}
        _write(run_dir, policy, solutions, names, log, stop)
        if stop:
            break
        budget = min(int(budget * config.budget_factor), config.max_budget)
    stop = stop or ("all solved" if len(solutions) == len(tasks) else "rounds done")
    policy.meta = {"config": asdict(config), "log": log, "tasks": len(tasks)}
    _write(run_dir, policy, solutions, names, log, stop)
    sols = [solutions[n] for n in names if n in solutions]
    if sols:
        grammar_only = grammar_only_policy(policy, sols, config)
        grammar_only.save(run_dir / GRAMMAR_POLICY_NAME)
    return ProgramTrainResult(policy, solutions, log, stop)


def grammar_only_policy(
    policy: ProgramPolicy, solutions: Sequence[Solution], config: ProgramTrainConfig
) -> ProgramPolicy:
    """The *learned grammar* prior: the base DSL's grammar fitted to the same solutions.

    Every solution is inlined (its inventions replaced by their bodies,
    :func:`kairos.domains.programs.library.inline_solution`), so this prior
    differs from ``policy`` only in having no library: the ablation of the
    law's three priors (uniform, learned grammar, learned grammar plus library).
    A solution that cannot be inlined soundly is left out and counted in ``meta``.
    """
    uniform = ProgramPolicy.uniform()
    base_enum = uniform.enumerator()
    inlined, dropped = [], 0
    for s in solutions:
        try:
            inlined.append(inline_solution(s, policy.library, base_enum))
        except ValidationError:
            dropped += 1
    if not inlined:
        return ProgramPolicy(uniform.library, uniform.grammar, {"inlined": 0, "dropped": dropped})
    grammar, report = _fit(uniform, inlined, config)
    pairs = [(s.program, s.request) for s in inlined]
    return ProgramPolicy(
        (),
        grammar,
        {
            "inlined": len(inlined),
            "dropped": dropped,
            "bits": corpus_bits(grammar, pairs),
            "fit": report,
            "from": "the solutions of a library run, inventions inlined",
        },
    )


def _write(run_dir: Path, policy, solutions, names, log, stop: str) -> None:
    import json

    from kairos.container import atomic_write_text
    from kairos.runfolder import write_csv

    policy.save(run_dir / POLICY_NAME)
    columns: dict[str, None] = {}
    for row in log:
        columns.update(dict.fromkeys(row))
    write_csv(run_dir / LOG_NAME, [{c: row.get(c, "") for c in columns} for row in log])
    write_csv(
        run_dir / "solutions.csv",
        [{"task": n, "program": show(solutions[n].program)} for n in names if n in solutions],
    )
    atomic_write_text(
        run_dir / "summary.json",
        json.dumps(
            {
                "solved": len(solutions),
                "tasks": len(names),
                "rounds": len(log),
                "library": [inv.readable() for inv in policy.library],
                "stop_reason": stop,
            },
            indent=2,
        )
        + "\n",
    )


__all__ = ["ProgramTrainConfig", "ProgramTrainResult", "grammar_only_policy", "train_programs"]
