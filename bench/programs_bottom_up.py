"""Benchmark: LTS against a plain bottom-up enumerator with observational-equivalence pruning.

Issue 12 asks how the search compares, at equal CPU time, with a bottom-up
enumerator with observational-equivalence pruning. One run, on the *eval*
half of DreamCoder's 217 list tasks (the hash split of
:mod:`kairos.domains.programs.split`), last 5 examples of each task hidden,
the same CPU seconds per task (``--budget-s``, default 1) for:

* **bottom-up**: :mod:`kairos.domains.programs.bottom_up` over the base DSL
  (sound pruning of closed terms; lambda bodies told apart on probe arguments);
* **uniform**: LTS with the uniform grammar ν0;
* **learned+library**: LTS with the shipped prior ``list-dsl`` (grammar and
  Stitch library, trained on the train half only).

Reported per searcher: solved and generalized, the CPU seconds spent, and
candidates per CPU second (bottom-up: terms built and run on the shown
examples; LTS: expansions, i.e. partial programs popped — not the same unit),
plus which tasks each one alone generalizes on. Time is the only limit (no
expansion cap). CPU time is each search's own (``time.process_time``).

    nice -n 5 env PYTHONPATH=src python3 bench/programs_bottom_up.py
    nice -n 5 env PYTHONPATH=src python3 bench/programs_bottom_up.py --num-tasks 10 --budget-s 0.2
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kairos.domains.programs.bottom_up import solve_task_bottom_up
from kairos.domains.programs.policy_file import ProgramPolicy, shipped_policy_path
from kairos.domains.programs.solve import solve_tasks
from kairos.domains.programs.split import split_tasks
from kairos.domains.programs.tasks import read_tasks

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / ".." / "shared" / "data" / "programs" / "list_tasks.json"
HOLDOUT = 5
NO_CAP = 10**12  # expansions: CPU seconds are the only limit
SEARCHERS = ("bottom-up", "uniform", "learned+library")


def _eval_tasks(path: Path, num_tasks: int | None) -> list:
    _, evaluation = split_tasks(read_tasks(path))
    if num_tasks is not None:
        evaluation = evaluation[:: max(1, len(evaluation) // num_tasks)][:num_tasks]
    return evaluation


def _solve(job) -> tuple[str, list]:
    name, tasks_path, num_tasks, budget_s, policy_path = job
    tasks = _eval_tasks(tasks_path, num_tasks)
    if name == "bottom-up":
        return name, [
            solve_task_bottom_up(t, holdout=HOLDOUT, time_limit_s=budget_s) for t in tasks
        ]
    policy = ProgramPolicy.uniform() if name == "uniform" else ProgramPolicy.load(policy_path)
    return name, solve_tasks(
        policy.enumerator(), tasks, holdout=HOLDOUT, budget=NO_CAP, time_limit_s=budget_s
    )


def _summary(results) -> dict:
    cpu_s = sum(r.seconds for r in results)
    candidates = sum(r.expansions for r in results)
    return {
        "tasks": len(results),
        "solved": sum(r.solved for r in results),
        "generalized": sum(r.generalized for r in results),
        "candidates": candidates,
        "cpu_s": round(cpu_s, 3),
        "candidates_per_cpu_s": round(candidates / cpu_s) if cpu_s > 0 else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=Path, default=TASKS)
    parser.add_argument("--policy", type=Path, default=None, help="default: shipped list-dsl")
    parser.add_argument("--budget-s", type=float, default=1.0, help="CPU seconds per task")
    parser.add_argument("--num-tasks", type=int, default=None, help="every k-th eval task")
    parser.add_argument("--jobs", type=int, default=1, help="processes (one per searcher)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "out" / "programs_bottom_up.json"
    )
    args = parser.parse_args()
    console = Console(width=120)
    t_start = time.perf_counter()
    evaluation = _eval_tasks(args.tasks, args.num_tasks)
    n = len(evaluation)
    console.print(f"eval half: {n} tasks, last {HOLDOUT} examples hidden, {args.budget_s:g} s each")
    policy_path = args.policy or shipped_policy_path()
    jobs = [(name, args.tasks, args.num_tasks, args.budget_s, policy_path) for name in SEARCHERS]
    if args.jobs > 1:  # one process per searcher; CPU seconds are each search's own
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(args.jobs, len(jobs))) as pool:
            res = dict(pool.map(_solve, jobs))
    else:
        res = dict(_solve(job) for job in jobs)

    table = Table(title=f"Programs: LTS vs bottom-up, eval half ({n} tasks), {args.budget_s:g} s")
    for col in ("searcher", "solved", "generalized", "CPU s", "candidates", "candidates / CPU s"):
        table.add_column(col, justify="right")
    summaries = {name: _summary(res[name]) for name in SEARCHERS}
    for name, s in summaries.items():
        table.add_row(name, str(s["solved"]), str(s["generalized"]), f"{s['cpu_s']:.1f}",
                      f"{s['candidates']:,}", f"{s['candidates_per_cpu_s']:,}")  # fmt: skip
    console.print(table)
    gen = {name: {r.name for r in res[name] if r.generalized} for name in SEARCHERS}
    only = {
        name: sorted(gen[name] - set().union(*(gen[o] for o in SEARCHERS if o != name)))
        for name in SEARCHERS
    }
    for name, names in only.items():
        console.print(f"  generalized by {name} alone ({len(names)}): {', '.join(names)}")
    out = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "split": "train iff sha256(name)[0] is even; this is the eval half",
        "num_eval": n,
        "num_tasks_arg": args.num_tasks,
        "holdout": HOLDOUT,
        "budget_s": args.budget_s,
        "units": {
            "bottom-up": "candidates = terms built and run on the shown examples",
            "uniform": "candidates = LTS expansions (partial programs popped)",
            "learned+library": "candidates = LTS expansions (partial programs popped)",
        },
        "summary": summaries,
        "generalized_alone": only,
        "per_task": {name: [r.row() for r in res[name]] for name in SEARCHERS},
        "wall_s": time.perf_counter() - t_start,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, default=str) + "\n")
    console.print(f"wrote {args.out} ({out['wall_s']:.0f} s wall)")


if __name__ == "__main__":
    main()
