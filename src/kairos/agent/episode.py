"""An agent run: fit the value-of-time predictor, spend a budget, meet the tasks again, audit.

:func:`run_agent` writes everything :func:`audit_run` (``kairos audit``) reads
into a run folder:

- ``predictor.json``: the fitted predictor and its reliability table on
  held-out training tasks;
- ``allocation.csv``: one row per (method, task): outcome, expansions,
  solution length and the task's independent difficulty;
- ``repeats.csv``: the solved tasks met a second time by the same agent,
  expansions on each encounter;
- ``memory.kmem``: the agent's memory of verified solutions (kept across runs
  into the same folder);
- ``audit.json``: the three TONI measures.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from kairos.agent.allocator import (
    Allocation,
    allocate_by_index,
    allocate_fixed,
    allocate_round_robin,
)
from kairos.agent.audit import (
    EFFORT_TARGET,
    REPEAT_TARGET,
    effort_correlation,
    hopeless_shares,
    repeat_ratio,
    uniform_code_length,
)
from kairos.agent.memory import SolutionMemory
from kairos.agent.value import SuccessPredictor, collect_examples, reliability
from kairos.domains.base import DEFAULT_DIFFICULTY, Domain
from kairos.errors import InputFormatError, ValidationError
from kairos.policy.base import Policy
from kairos.runfolder import RunFolder
from kairos.search.engine import SearchConfig, open_session, search
from kairos.search.parallel import solve_all
from kairos.search.result import SearchResult

METHODS = ("index", "fixed", "round_robin")
BFS_DIFFICULTY_BUDGET = 2_000_000  # optimal lengths beyond this are left blank
BFS_DIFFICULTY = SearchConfig(algorithm="bfs", budget=BFS_DIFFICULTY_BUDGET)


def difficulty(
    domain: Domain, actions: Sequence[int], *, bfs: SearchResult | None = None
) -> tuple[str, float]:
    """An independent difficulty measure of a solved task: (name, value), nan when unknown.

    The domain's ``difficulty`` names the measure: ``bfs_optimal_length``, the
    optimal solution length by BFS (sliding tiles, whose state spaces allow it),
    or, by default, ``uniform_code_length_bits``, ℓ_ν0 of the solution found in
    bits under the uniform prior. A task with no solution (``actions`` empty)
    gets ``("", nan)``: it does not enter the effort measure, and its BFS would
    cost more than the whole run. ``bfs`` is that BFS's result when it was
    already run (e.g. for many tasks at once by the parallel runner).
    """
    if not actions:  # only solved tasks enter the effort measure
        return "", math.nan
    measure = getattr(domain, "difficulty", DEFAULT_DIFFICULTY)
    if measure == "bfs_optimal_length":
        found = bfs or search(domain, BFS_DIFFICULTY)
        return measure, float(found.length) if found.solved else math.nan
    if measure != DEFAULT_DIFFICULTY:
        raise ValidationError(
            "difficulty",
            f"{domain.name}: got {measure!r}, expected 'bfs_optimal_length' or "
            f"{DEFAULT_DIFFICULTY!r}",
        )
    return measure, uniform_code_length(domain, actions)


def fit_predictor(
    train: Sequence[Domain],
    *,
    first_slice: int,
    cap: int,
    config: SearchConfig,
    policy: Policy | None,
) -> tuple[SuccessPredictor, dict]:
    """Fit on two thirds of ``train``; the reliability table is scored on the last third."""
    if len(train) < 3:
        raise ValidationError("train", f"got {len(train)} training tasks, expected >= 3")
    cut = max(1, (2 * len(train)) // 3)

    def examples(tasks: Sequence[Domain]):
        sessions = [open_session(t, config, policy) for t in tasks]
        return collect_examples(sessions, first_slice=first_slice, cap=cap)

    X, y = examples(train[:cut])
    if not len(y) or y.min() == y.max():
        outcome = "solved within the first slice" if len(y) and y.min() == 1 else "unsolved"
        raise ValidationError(
            "train",
            f"every training task came out {outcome}: nothing to learn about the value of "
            "more time; use training tasks of mixed difficulty for this policy, or change "
            "the first slice and the cap",
        )
    predictor = SuccessPredictor().fit(X, y)
    Xh, yh = examples(train[cut:])
    p = predictor.predict_proba(Xh) if len(yh) else Xh[:, 0]
    report = {
        **predictor.to_dict(),
        "converged": predictor.converged_,
        "train_examples": len(y),
        "held_out_examples": len(yh),
        "brier_held_out": float(((p - yh) ** 2).mean()) if len(yh) else math.nan,
        "brier_base_rate": float(((y.mean() - yh) ** 2).mean()) if len(yh) else math.nan,
        "reliability": reliability(p, yh) if len(yh) else [],
    }
    return predictor, report


def run_agent(
    tasks: Sequence[Domain],
    train: Sequence[Domain],
    run: RunFolder,
    *,
    budget: int,
    value: float | None = None,
    first_slice: int = 1000,
    train_cap: int = 200_000,
    policy: Policy | None = None,
    config: SearchConfig = SearchConfig(),
    on_stage: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> dict:
    """Run the agent and its baselines on ``tasks``, meet them again, and audit.

    Parameters
    ----------
    value : float, optional
        What a solve is worth in expansions (default: the whole ``budget``, so a task
        is abandoned only when even the whole budget, spent at its predicted rate,
        would not be expected to buy one solve; a quarter of it abandoned all ten
        Boxoban tasks of bench/RESULTS.md's "Robustness" run, the whole of it solved 3).
    jobs : int
        Worker processes for the independent searches (the BFS difficulty of
        each solved task); the allocations themselves share one budget and run
        in order.
    """
    if not tasks:
        raise ValidationError("tasks", "expected at least one task")
    stage = on_stage or (lambda _msg: None)
    value = value if value is not None else float(budget)
    stage("fitting the value-of-time predictor")
    predictor, report = fit_predictor(
        train, first_slice=first_slice, cap=train_cap, config=config, policy=policy
    )
    run.write_json("predictor.json", report)

    memory = SolutionMemory(run.file("memory.kmem"))
    runs: dict[str, Allocation] = {}
    stage("index allocator (the agent)")
    runs["index"] = allocate_by_index(
        tasks, budget, predictor, value=value, first_slice=first_slice, memory=memory,
        config=config, policy=policy,
    )  # fmt: skip
    memory.save()
    stage("baseline: fixed budget per task")
    runs["fixed"] = allocate_fixed(tasks, budget, config=config, policy=policy)
    stage("baseline: round robin with a cap")
    share = max(1, budget // len(tasks))
    runs["round_robin"] = allocate_round_robin(
        tasks, budget, slice_size=max(1, share // 20), cap=4 * share, config=config, policy=policy
    )

    stage("meeting the solved tasks again")
    solved = [i for i, t in enumerate(runs["index"].tasks) if t.outcome == "solved"]
    again = allocate_by_index(
        [tasks[i] for i in solved] or tasks[:1], budget, predictor, value=value,
        first_slice=first_slice, memory=memory, config=config, policy=policy,
    )  # fmt: skip
    repeats = [
        {
            "problem": runs["index"].tasks[i].problem,
            "first_expansions": runs["index"].tasks[i].expansions,
            "second_expansions": again.tasks[k].expansions,
            "second_from_memory": again.tasks[k].recalled,
        }
        for k, i in enumerate(solved)
    ]
    run.write_csv("repeats.csv", repeats)

    stage("difficulty of each task")
    paths = [
        next((r.tasks[i].actions for r in runs.values() if r.tasks[i].actions), ())
        for i in range(len(tasks))
    ]
    by_bfs = [
        i
        for i, task in enumerate(tasks)
        if paths[i] and getattr(task, "difficulty", DEFAULT_DIFFICULTY) == "bfs_optimal_length"
    ]
    bfs = dict(
        zip(by_bfs, solve_all([tasks[i] for i in by_bfs], BFS_DIFFICULTY, jobs=jobs), strict=True)
    )
    rows = []
    for i, task in enumerate(tasks):
        measure, level = difficulty(task, paths[i], bfs=bfs.get(i))
        for method in METHODS:
            t = runs[method].tasks[i]
            rows.append(
                {
                    "method": method,
                    "problem": t.problem,
                    "outcome": t.outcome,
                    "expansions": t.expansions,
                    "length": t.length if t.outcome == "solved" else "",
                    "recalled": int(t.recalled),
                    "difficulty_measure": measure,
                    "difficulty": "" if math.isnan(level) else level,
                    "abandoned_because": t.reason,
                }
            )
    run.write_csv("allocation.csv", rows)
    run.write_json(
        "allocation.json",
        {m: {**a.summary(), "trace": a.trace} for m, a in runs.items()},
    )
    result = audit_run(run.path)
    run.write_json("audit.json", result)
    return result


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a table an agent run wrote; a short, long or binary row is a typed error."""
    import io

    from kairos.inputs import read_input_text

    if not path.exists():
        raise InputFormatError(path, None, "missing: not an agent run folder (see kairos allocate)")
    text = read_input_text(path)
    if "\x00" in text:
        raise InputFormatError(path, None, "holds NUL bytes: not a CSV table (see kairos allocate)")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            if None in row or None in row.values():
                width = len(reader.fieldnames or ())
                raise InputFormatError(
                    path, reader.line_num, f"row has a different number of fields than the {width} "
                    "of the header"
                )  # fmt: skip
            rows.append(row)
    except csv.Error as exc:
        raise InputFormatError(path, reader.line_num, f"not a CSV table: {exc}") from None
    return rows


def _finite_or_none(value: float) -> float | None:
    """JSON has no NaN: a measure that is not defined (too few tasks) is null."""
    return None if value is None or not math.isfinite(value) else value


def audit_run(run_dir: str | Path) -> dict:
    """The three TONI measures of an agent run folder (see :mod:`kairos.agent.audit`)."""
    run_dir = Path(run_dir)
    rows = _read_csv(run_dir / "allocation.csv")
    repeats = _read_csv(run_dir / "repeats.csv")
    required = {"method", "problem", "outcome", "expansions", "difficulty"}
    if rows and not required <= set(rows[0]):
        missing = sorted(required - set(rows[0]))
        raise InputFormatError(run_dir / "allocation.csv", 1, f"missing columns {missing}")
    try:
        pairs = [(int(r["first_expansions"]), int(r["second_expansions"])) for r in repeats]
        agent = [r for r in rows if r["method"] == "index"]
        effort = [
            (int(r["expansions"]), float(r["difficulty"]))
            for r in agent
            if r["outcome"] == "solved" and r["difficulty"] != "" and r.get("recalled") != "1"
        ]
        shares = hopeless_shares(rows)
    except (KeyError, ValueError) as exc:
        raise InputFormatError(run_dir, None, f"malformed agent tables: {exc}") from exc
    rho = effort_correlation([e for e, _ in effort], [d for _, d in effort])
    ratio = repeat_ratio(pairs)
    return {
        "repeated_tasks": {
            "ratio": _finite_or_none(ratio),
            "tasks": len(pairs),
            "target": REPEAT_TARGET,
            "met": bool(pairs) and ratio == REPEAT_TARGET,
        },
        "effort_vs_difficulty": {
            "spearman": _finite_or_none(rho),
            "tasks": len(effort),
            "difficulty_measure": next(
                (r["difficulty_measure"] for r in agent if r.get("difficulty_measure")), ""
            ),
            "target": EFFORT_TARGET,
            "met": bool(rho >= EFFORT_TARGET),
        },
        "hopeless_starts": {
            "share_by_method": shares,
            "agent_lowest": bool(shares) and shares.get("index", 1.0) <= min(shares.values()),
        },
    }
