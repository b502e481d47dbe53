"""Benchmark: uniform against learned grammar against learned grammar + library, on held-out dev tasks.

One run, on the *eval* half of DreamCoder's 217 list tasks (the hash split of
:mod:`kairos.domains.programs.split`; the priors were trained on the train half
only, by ``bench/programs_train.py``), with the last 5 examples of each task
hidden from the search:

* **Solved / generalized** for three priors at each budget of ``--budgets-s``
  CPU seconds per task: uniform ν0, the learned grammar (``list_dsl_grammar``:
  the shipped run's solutions, inventions inlined, grammar over the base DSL)
  and the learned grammar plus library (``list-dsl``). Search is deterministic
  in expansions, so only tasks unsolved at a smaller budget are searched again.
* **Targets** (issue 12): at 1 s, learned + library generalizes on ≥ 1.5× as
  many tasks as uniform; at 10 s, on ≥ 95 %; median speed-up (uniform's
  expansions ÷ learned + library's) ≥ 10× on the tasks both solve.
* **Library**: its size, the inventions, and the training corpus's bits per
  program before and after each library round (from the shipped training log).
* **Law**: log2 speed-up against I(h:D) for both learned priors (slope,
  intercept, R², n; primary, shared-path and bound variants), from the same
  searches at the largest budget; figure in ``bench/out/programs_law.png``.

CPU time is the process's (``time.process_time``): a busy machine slows the
wall clock, not the figures.

    nice -n 5 env PYTHONPATH=src python3 bench/programs_library.py --budgets-s 1 10
    nice -n 5 env PYTHONPATH=src python3 bench/programs_library.py --num-tasks 20 --budgets-s 0.3
"""

from __future__ import annotations

import argparse
import json
import pickle
import platform
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kairos.data import data_path
from kairos.domains.programs.policy_file import ProgramPolicy, shipped_policy_path
from kairos.domains.programs.solve import solve_tasks
from kairos.domains.programs.split import split_tasks
from kairos.domains.programs.tasks import read_tasks
from kairos.plotting import save_figure
from kairos.speedup.programs import law_figure, law_table, program_law

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / ".." / "shared" / "data" / "programs" / "list_tasks.json"
HOLDOUT = 5
GRAMMAR_POLICY = "policies/list_dsl_grammar.kprog"
NO_CAP = 10**12  # expansions: CPU seconds are the only limit


def _summary(results) -> dict:
    return {
        "tasks": len(results),
        "solved": sum(r.solved for r in results),
        "generalized": sum(r.generalized for r in results),
        "expansions": sum(r.expansions for r in results),
        "cpu_s": round(sum(r.seconds for r in results), 3),
    }


def solve_with_budgets(enumerator, tasks, budgets_s, *, holdout=HOLDOUT, on_done=None) -> dict:
    """Results per budget; tasks solved at a smaller budget are not searched again."""
    out, previous = {}, None
    for budget_s in budgets_s:
        todo = list(tasks) if previous is None else [
            t for t, r in zip(tasks, previous, strict=True) if not r.solved
        ]  # fmt: skip
        fresh = iter(
            solve_tasks(enumerator, todo, holdout=holdout, budget=NO_CAP, time_limit_s=budget_s)
        )
        results = list(fresh) if previous is None else [
            r if r.solved else next(fresh) for r in previous
        ]  # fmt: skip
        out[budget_s] = previous = results
        if on_done is not None:
            on_done(budget_s, results)
    return out


def _eval_tasks(path: Path, num_tasks: int | None) -> list:
    _, evaluation = split_tasks(read_tasks(path))
    if num_tasks is not None:
        evaluation = evaluation[:: max(1, len(evaluation) // num_tasks)][:num_tasks]
    return evaluation


def _solve_prior(job) -> tuple[str, dict]:
    name, policy_path, tasks_path, num_tasks, budgets_s = job
    policy = ProgramPolicy.uniform() if policy_path is None else ProgramPolicy.load(policy_path)
    return name, solve_with_budgets(
        policy.enumerator(), _eval_tasks(tasks_path, num_tasks), budgets_s
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=Path, default=TASKS)
    parser.add_argument("--policy", type=Path, default=None, help="default: shipped list-dsl")
    parser.add_argument("--grammar-policy", type=Path, default=None, help="default: shipped")
    parser.add_argument("--budgets-s", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--num-tasks", type=int, default=None, help="every k-th eval task")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=1, help="processes (one per prior)")
    parser.add_argument("--reuse", action="store_true", help="reuse the searches of the last run")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "out" / "programs_library.json"
    )
    args = parser.parse_args()
    console = Console(width=120)
    t_start = time.perf_counter()
    evaluation = _eval_tasks(args.tasks, args.num_tasks)
    library = ProgramPolicy.load(args.policy or shipped_policy_path())
    grammar = ProgramPolicy.load(args.grammar_policy or data_path(GRAMMAR_POLICY))
    priors = {"uniform": ProgramPolicy.uniform(), "learned": grammar, "learned+library": library}
    console.print(f"eval half: {len(evaluation)} tasks, last {HOLDOUT} examples hidden")
    paths = {
        "uniform": None,
        "learned": args.grammar_policy or data_path(GRAMMAR_POLICY),
        "learned+library": args.policy or shipped_policy_path(),
    }
    jobs = [(name, paths[name], args.tasks, args.num_tasks, args.budgets_s) for name in priors]
    cache = args.out.with_suffix(".results.pkl")
    if args.reuse and cache.exists():  # the searches of an earlier run with the same arguments
        done = pickle.loads(cache.read_bytes())
    elif args.jobs > 1:  # one process per prior; CPU seconds are each process's own
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(args.jobs, len(jobs))) as pool:
            done = list(pool.map(_solve_prior, jobs))
    else:
        done = [_solve_prior(job) for job in jobs]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(done))
    res = {}
    for name, by_budget in done:
        res[name] = by_budget
        for b, r in by_budget.items():
            s = _summary(r)
            console.print(f"  {name} at {b:g} s: {s['solved']} solved, {s['generalized']} gen.")
    top = max(args.budgets_s)
    low = min(args.budgets_s)
    n = len(evaluation)

    def gen(name, b):
        return _summary(res[name][b])["generalized"]

    both = [
        u.expansions / lib.expansions
        for u, lib in zip(res["uniform"][top], res["learned+library"][top], strict=True)
        if u.solved and lib.solved
    ]
    both_learned = [
        u.expansions / g.expansions
        for u, g in zip(res["uniform"][top], res["learned"][top], strict=True)
        if u.solved and g.solved
    ]
    median = statistics.median(both) if both else float("nan")
    ratio_low = gen("learned+library", low) / max(gen("uniform", low), 1)
    law = program_law(
        evaluation, priors, {k: v[top] for k, v in res.items()}, resamples=args.resamples
    )

    table = Table(title=f"Programs (issue 12): eval half ({n} tasks), holdout {HOLDOUT}")
    for col in ("prior", "CPU s/task", "solved", "generalized", "expansions", "CPU s"):
        table.add_column(col, justify="right")
    for name in priors:
        for b in args.budgets_s:
            s = _summary(res[name][b])
            table.add_row(name, f"{b:g}", str(s["solved"]), str(s["generalized"]),
                          f"{s['expansions']:,}", f"{s['cpu_s']:.1f}")  # fmt: skip
    console.print(table)
    log = library.meta.get("log", [])
    t2 = Table(title="Training corpus (train half): bits per program under the prior")
    for col in ("round", "solved", "before library round", "after", "library size"):
        t2.add_column(col, justify="right")
    for row in log:
        t2.add_row(str(row["round"]), str(row["solved"]),
                   str(row.get("bits_per_program_before", "")),
                   str(row.get("bits_per_program_after", "")),
                   str(row.get("library_size_after", "")))  # fmt: skip
    console.print(t2)
    for inv, prim in zip(library.library, library.grammar.primitives[-len(library.library) :],
                         strict=False):  # fmt: skip
        console.print("  " + inv.readable(prim.type))
    t3 = Table(title=f"The law on programs (searches at {top:g} s)")
    for col in ("prior", "variant", "slope", "intercept", "R²", "n"):
        t3.add_column(col, justify="right")
    for row in law_table(law):
        t3.add_row(row["prior"], row["variant"], f"{row['slope']:.3f}",
                   f"{row['intercept']:.3f}", f"{row['r2']:.3f}", str(row["n"]))  # fmt: skip
    console.print(t3)
    targets = {
        f"generalized at {low:g} s: learned+library / uniform >= 1.5": [round(ratio_low, 3),
                                                                        ratio_low >= 1.5],
        f"generalized at {top:g} s by learned+library >= 95%": [
            round(gen("learned+library", top) / n, 3), gen("learned+library", top) >= 0.95 * n],
        f"median speed-up (uniform / learned+library expansions) at {top:g} s >= 10": [
            round(median, 2), median >= 10],
    }  # fmt: skip
    for k, (v, ok) in targets.items():
        console.print(f"{k}: {v} — {'met' if ok else 'NOT met'}")
    out = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "split": "train iff sha256(name)[0] is even; this is the eval half",
        "num_eval": n,
        "holdout": HOLDOUT,
        "budgets_s": args.budgets_s,
        "eval": {k: {str(b): _summary(v[b]) for b in args.budgets_s} for k, v in res.items()},
        "median_speedup_library": median,
        "num_both_solved_library": len(both),
        "median_speedup_learned": statistics.median(both_learned) if both_learned else None,
        "targets": targets,
        "library": [inv.readable(p.type) for inv, p in zip(
            library.library, library.grammar.primitives[-len(library.library):], strict=False)]
        if library.library else [],
        "training_log": log,
        "law": law_table(law),
        "per_task": {k: [r.row() for r in v[top]] for k, v in res.items()},
        "wall_s": time.perf_counter() - t_start,
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, default=str) + "\n")
    save_figure(law_figure(law), str(args.out.with_name("programs_law.png")))
    console.print(f"wrote {args.out} ({out['wall_s']:.0f} s wall)")


if __name__ == "__main__":
    main()
