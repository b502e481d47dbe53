"""Benchmark: program synthesis on DreamCoder's list tasks, uniform against learned grammar.

One run measures:

* **Split.** DreamCoder's 217 list tasks (the development set) are split by a
  hash of the task name: a task is in the *train* half when the first byte of
  ``sha256(name)`` is even, else in the *eval* half. Fixed and documented, so
  every run and every solver sees the same halves.
* **Learning.** The train half is solved with the uniform grammar (all
  examples shown) at ``--train-s`` CPU seconds per task; the bigram grammar is
  fitted to the solutions with the LTS loss; the unsolved train tasks are
  tried once more with that grammar and it is refitted on all solutions (one
  bootstrap round).
* **Evaluation.** On the eval half with the last 5 examples hidden: solved
  and generalized for uniform and for the learned grammar at each budget of
  ``--budgets-s`` CPU seconds per task. Search is deterministic in its
  expansions, so a task solved within a smaller time limit is solved the same
  way with a larger one; only the tasks unsolved at the smaller budget are
  searched again. The median speed-up is uniform's expansions ÷ learned's
  over the tasks both solve at the largest budget.
* **Learned + library.** A third row with the shipped prior and Stitch library
  (``--library-policy list-dsl``, trained on the train half by
  ``bench/programs_train.py``); ``bench/programs_library.py`` has the full
  three-prior study and the law.
* **Throughput.** Expansions per CPU second of the enumerator
  (:class:`kairos.domains.programs.Enumerator`) against the plain reference
  enumerator (:func:`kairos.domains.programs.reference_search`, no table
  cache, eager children) on the same tasks, and a check that both pop the same
  number of nodes and find the same program at the reference's budget.
* **Interpreter.** Program runs (one program on one example) per CPU second,
  and compilations per CPU second, over sampled programs on the dev examples.

Targets (issue 12): ≥ 50,000 expansions per CPU second. CPU time is the
process's (``time.process_time``), so a busy machine slows the wall clock but
not the figures.

    nice -n 5 env PYTHONPATH=src python3 bench/programs.py            # ~15 min
    nice -n 5 env PYTHONPATH=src python3 bench/programs.py --quick    # ~1 min
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from kairos.domains.programs import (
    Enumerator,
    Grammar,
    compile_program,
    fit_grammar,
    parse,
    read_tasks,
    reference_search,
    run,
    solve_tasks,
    steps_of,
)
from kairos.domains.programs.generate import sample_program

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / ".." / "shared" / "data" / "programs" / "list_tasks.json"
TARGET_EXPANSIONS_PER_S = 50_000
HOLDOUT = 5


def in_train_half(name: str) -> bool:
    """The documented split: train iff the first byte of sha256(name) is even."""
    return hashlib.sha256(name.encode("utf-8")).digest()[0] % 2 == 0


def _summary(results) -> dict:
    return {
        "tasks": len(results),
        "solved": sum(r.solved for r in results),
        "generalized": sum(r.generalized for r in results),
        "expansions": sum(r.expansions for r in results),
        "cpu_s": sum(r.seconds for r in results),
    }


def _solve_with_budgets(enumerator, tasks, budgets_s, console, label):
    """Results per budget; tasks solved at a smaller budget are not searched again."""
    out, previous = {}, None
    for budget_s in budgets_s:
        if previous is None:
            todo = list(tasks)
        else:
            todo = [t for t, r in zip(tasks, previous, strict=True) if not r.solved]
        fresh = iter(
            solve_tasks(enumerator, todo, holdout=HOLDOUT, time_limit_s=budget_s) if todo else []
        )
        if previous is None:
            results = list(fresh)
        else:
            results = [r if r.solved else next(fresh) for r in previous]
        s = _summary(results)
        console.print(f"  {label} at {budget_s:g} s: {s['solved']} solved, {s['generalized']} gen.")
        out[budget_s], previous = results, results
    return out


def _throughput(tasks, args) -> dict:
    fast_exp = fast_s = ref_exp = ref_s = 0
    agree = True
    uniform = Grammar()
    for task in tasks:
        shown, _ = task.split(HOLDOUT)
        enum = Enumerator(uniform)  # cold table cache: its cost is counted
        r = enum.search(task.request, shown, budget=args.fast_budget)
        fast_exp += r.expansions
        fast_s += r.seconds
        q = reference_search(uniform, task.request, shown, budget=args.ref_budget)
        ref_exp += q.expansions
        ref_s += q.seconds
        same = Enumerator(uniform).search(task.request, shown, budget=args.ref_budget)
        agree &= same.expansions == q.expansions and same.text == q.text
    return {
        "tasks": [t.name for t in tasks],
        "fast_expansions": fast_exp,
        "fast_cpu_s": fast_s,
        "fast_expansions_per_cpu_s": fast_exp / fast_s,
        "reference_expansions": ref_exp,
        "reference_cpu_s": ref_s,
        "reference_expansions_per_cpu_s": ref_exp / ref_s,
        "speedup": (fast_exp / fast_s) / (ref_exp / ref_s),
        "same_order_at_reference_budget": bool(agree),
    }


def _interpreter(tasks, args) -> dict:
    """Programs sampled from the uniform grammar (seeded), each run on every example of a
    development task of its type: runs per CPU second, failing runs included (as in search)."""
    enumerator = Enumerator(Grammar())
    rng = np.random.default_rng(7)
    by_type: dict = {}
    for t in tasks:
        by_type.setdefault(t.request, t)
    requests = sorted(by_type, key=str)
    exprs = []
    while len(exprs) < args.num_programs:
        request = requests[int(rng.integers(len(requests)))]
        expr = sample_program(enumerator, request, rng)
        if expr is not None:
            exprs.append((request, expr))
    c0 = time.process_time()
    programs = [(r, compile_program(e, 1, enumerator.grammar.table)) for r, e in exprs]
    compile_s = time.process_time() - c0
    runs = 0
    c0 = time.process_time()
    for _ in range(args.interp_repeats):
        for request, fn in programs:
            for inputs, _ in by_type[request].examples:
                run(fn, inputs)
                runs += 1
    run_s = time.process_time() - c0
    return {
        "programs": len(programs),
        "compiles_per_cpu_s": len(programs) / compile_s,
        "runs": runs,
        "runs_per_cpu_s": runs / run_s,
    }


def _median_speedup(base, other) -> float:
    """Median of base's expansions ÷ other's over the tasks both solve (nan if none)."""
    ratios = [b.expansions / o.expansions for b, o in zip(base, other, strict=True)
              if b.solved and o.solved]  # fmt: skip
    return statistics.median(ratios) if ratios else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=Path, default=TASKS)
    parser.add_argument("--quick", action="store_true", help="20+20 tasks, short budgets")
    parser.add_argument("--num-tasks", type=int, help="tasks per half (default: all; quick: 20)")
    parser.add_argument("--train-s", type=float, help="CPU s per train task (1; quick 0.3)")
    parser.add_argument("--budgets-s", type=float, nargs="+", help="CPU s per task (1 3)")
    parser.add_argument("--fast-budget", type=int, help="expansions (100,000; quick 20,000)")
    parser.add_argument("--ref-budget", type=int, help="reference expansions (5,000; quick 1,000)")
    parser.add_argument("--num-programs", type=int, help="interpreter programs (200; quick 50)")
    parser.add_argument("--interp-repeats", type=int, default=5)
    parser.add_argument(
        "--library-policy",
        help="learned+library prior for a third row: 'list-dsl' (shipped; default), a .kprog "
        "file, or 'none' (default with --quick); bench/programs_library.py has the full study",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "out" / "programs.json"
    )
    args = parser.parse_args()
    defaults = {
        "train_s": (1.0, 0.3),
        "budgets_s": ([1.0, 3.0], [0.3, 0.6]),
        "fast_budget": (100_000, 20_000),
        "ref_budget": (5_000, 1_000),
        "num_programs": (200, 50),
        "num_tasks": (None, 20),
    }
    for name, (full, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    console = Console(width=120)
    tasks = read_tasks(args.tasks)
    train = [t for t in tasks if in_train_half(t.name)]
    evaluation = [t for t in tasks if not in_train_half(t.name)]
    if args.num_tasks is not None:
        step = max(1, len(evaluation) // args.num_tasks)
        train, evaluation = train[::step][: args.num_tasks], evaluation[::step][: args.num_tasks]
    console.print(f"{len(tasks)} tasks: {len(train)} train, {len(evaluation)} eval")
    t_start = time.perf_counter()

    hard = [t for t in evaluation if t.output_type.name == "list"][:: max(1, len(evaluation) // 8)]
    throughput = _throughput(hard[:4], args)
    interp = _interpreter(tasks, args)

    uniform = Enumerator(Grammar())
    console.print("training: uniform on the train half")
    round1 = solve_tasks(uniform, train, holdout=0, time_limit_s=args.train_s)
    solutions = {
        t.name: (parse(r.program), t.request)
        for t, r in zip(train, round1, strict=True)
        if r.solved
    }
    if not solutions:
        raise SystemExit("no train task solved: raise --train-s")
    grammar, report1 = fit_grammar(Grammar(), steps_of(uniform, list(solutions.values())))
    learned = Enumerator(grammar)
    retry = [t for t, r in zip(train, round1, strict=True) if not r.solved]
    round2 = solve_tasks(learned, retry, holdout=0, time_limit_s=args.train_s)
    for t, r in zip(retry, round2, strict=True):
        if r.solved:
            solutions[t.name] = (parse(r.program), t.request)
    steps = steps_of(uniform, list(solutions.values()))
    grammar, report2 = fit_grammar(grammar, steps)
    learned = Enumerator(grammar)
    console.print(
        f"  round 1 (uniform): {sum(r.solved for r in round1)}/{len(train)} solved; "
        f"round 2 (learned): +{sum(r.solved for r in round2)}; fit on {len(solutions)} programs"
    )

    console.print("evaluation: eval half, last 5 examples hidden")
    uni = _solve_with_budgets(uniform, evaluation, args.budgets_s, console, "uniform")
    lea = _solve_with_budgets(learned, evaluation, args.budgets_s, console, "learned")
    priors = [("uniform", uni), ("learned", lea)]
    library_policy = args.library_policy or ("none" if args.quick else "list-dsl")
    if library_policy != "none":
        from kairos.domains.programs.policy_file import program_policy_by_name

        lib_enum = program_policy_by_name(library_policy).enumerator()
        lib = _solve_with_budgets(lib_enum, evaluation, args.budgets_s, console, "learned+library")
        priors.append(("learned+library", lib))
    top = max(args.budgets_s)
    both = [
        (u.expansions, l_.expansions)
        for u, l_ in zip(uni[top], lea[top], strict=True)
        if u.solved and l_.solved
    ]
    speedups = [u / l_ for u, l_ in both]
    median_speedup = statistics.median(speedups) if speedups else float("nan")

    table = Table(
        title=f"Programs (issue 12): eval half ({len(evaluation)} tasks), holdout {HOLDOUT}"
    )
    for col in ("prior", "CPU s/task", "solved", "generalized", "expansions"):
        table.add_column(col, justify="right")
    for name, res in priors:
        for budget_s in args.budgets_s:
            s = _summary(res[budget_s])
            table.add_row(
                name,
                f"{budget_s:g}",
                str(s["solved"]),
                str(s["generalized"]),
                f"{s['expansions']:,}",
            )
    console.print(table)
    console.print(
        f"median speed-up (uniform ÷ learned expansions) on the {len(both)} tasks both solve "
        f"at {top:g} s: {median_speedup:.1f}×"
    )
    t2 = Table(title="Throughput (one core, CPU seconds)")
    for col in ("enumerator", "expansions", "CPU s", "expansions / CPU s"):
        t2.add_column(col, justify="right")
    t2.add_row(
        "kairos",
        f"{throughput['fast_expansions']:,}",
        f"{throughput['fast_cpu_s']:.2f}",
        f"{throughput['fast_expansions_per_cpu_s']:,.0f}",
    )
    t2.add_row(
        "reference",
        f"{throughput['reference_expansions']:,}",
        f"{throughput['reference_cpu_s']:.2f}",
        f"{throughput['reference_expansions_per_cpu_s']:,.0f}",
    )
    console.print(t2)
    console.print(
        f"speed-up {throughput['speedup']:.1f}×; same order as the reference: "
        f"{throughput['same_order_at_reference_budget']}; target ≥ {TARGET_EXPANSIONS_PER_S:,}/s: "
        f"{'met' if throughput['fast_expansions_per_cpu_s'] >= TARGET_EXPANSIONS_PER_S else 'NOT met'}"
    )
    console.print(
        f"interpreter: {interp['runs_per_cpu_s']:,.0f} runs (program × example) per CPU s, "
        f"{interp['compiles_per_cpu_s']:,.0f} compilations per CPU s"
    )
    out = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "quick": bool(args.quick),
        "split": "train iff sha256(name)[0] is even",
        "num_train": len(train),
        "num_eval": len(evaluation),
        "holdout": HOLDOUT,
        "train_s": args.train_s,
        "budgets_s": args.budgets_s,
        "training": {
            "round1_solved": sum(r.solved for r in round1),
            "round2_solved": sum(r.solved for r in round2),
            "programs_fitted": len(solutions),
            "fit_round1": report1.as_dict(),
            "fit_round2": report2.as_dict(),
        },
        "eval": {name: {str(b): _summary(res[b]) for b in args.budgets_s} for name, res in priors},
        "median_speedup": median_speedup,
        "library_policy": library_policy,
        "median_speedup_library": _median_speedup(uni[top], priors[-1][1][top])
        if library_policy != "none"
        else None,
        "num_both_solved": len(both),
        "throughput": throughput,
        "interpreter": interp,
        "per_task": {name: [r.row() for r in res[top]] for name, res in priors},
        "wall_s": time.perf_counter() - t_start,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    grammar.save(args.out.with_suffix(".kgram"))  # kairos solve programs --policy <this file>
    console.print(f"wrote {args.out} ({out['wall_s']:.0f} s wall)")


if __name__ == "__main__":
    main()
