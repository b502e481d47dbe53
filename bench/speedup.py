"""Benchmark: the time–information law, log2 speed-up against I(h:D), on two domains.

- ``stp``: 8-puzzles. Training: a bootstrap run (LTS + context model) on 600
  random-walk instances, made here with fixed seeds; tasks: 200 held-out
  8-puzzles (random walks of 100 moves, other seeds); ν0 = uniform.
- ``sokoban``: the Boxoban bootstrap run of ``bench/boxoban.py`` (its
  solutions of the first ``--boxoban-train`` levels of ``unfiltered/train``);
  tasks: the first 200 levels of ``unfiltered/valid/000.txt``; ν0 = the prior
  of the smallest subset (the uniform prior's tree search cannot finish there).

Priors νDk: context models fitted on nested subsets of the training solutions.
Every prior searches every task by tree search (primary) and with the state
cut (secondary). Targets (issue 7): primary slope 1.00 ± 0.10 and R² ≥ 0.95,
or an account of the form in which the law holds.

    nice -n 5 env PYTHONPATH=src python3 bench/speedup.py [--domain stp|sokoban|both]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kairos.domains.sokoban import read_levels
from kairos.domains.stp import generate
from kairos.learn.bootstrap import (
    CHECKPOINT_NAME,
    BootstrapConfig,
    load_checkpoint,
    problems_digest,
    run_bootstrap,
)
from kairos.runfolder import write_csv
from kairos.speedup.experiment import run_speedup
from kairos.speedup.figure import plot_speedup

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parents[1] / "shared" / "data" / "boxoban"
OUT = ROOT / "out" / "speedup"


def _stp(args, console) -> tuple[dict, list[dict]]:
    train = [generate(3, 10 + s % 50, seed=10_000 + s) for s in range(args.stp_train)]
    run_dir = OUT / "stp-train"
    resume = (run_dir / CHECKPOINT_NAME).exists()
    config = BootstrapConfig(domain="stp", initial_budget=2_000, jobs=1, time_limit_s=900)
    console.print(f"stp: bootstrap on {len(train)} 8-puzzles ({'resume' if resume else 'new'})")
    state, _ = run_bootstrap(train, run_dir, None if resume else config, resume=resume)
    tasks = [generate(3, 100, seed=s) for s in range(args.tasks)]
    sizes = [8, 32, 128, len(state.solved)]
    return run_speedup(
        tasks, train, state.solved, domain="stp", sizes=sizes, budget=args.stp_budget,
        objective=config.objective, l2=config.l2, resamples=args.resamples, base="uniform",
        on_stage=lambda m: console.print(f"  stp: {m}"),
    )  # fmt: skip


def _sokoban(args, console) -> tuple[dict, list[dict]]:
    run_dir = args.boxoban_run
    config, state, _ = load_checkpoint(run_dir)
    train = []
    for path in sorted((DATA / "unfiltered" / "train").glob("*.txt")):
        train.extend(read_levels(path))
        if len(train) >= args.boxoban_train:
            break
    train = train[: args.boxoban_train]
    if problems_digest(train) != state.problems_digest:
        raise SystemExit(f"{run_dir} was not trained on the first {args.boxoban_train} levels")
    tasks = read_levels(DATA / "unfiltered" / "valid" / "000.txt")[: args.tasks]
    n = len(state.solved)
    sizes = [64, 256, 1024, n] if n > 1024 else [n // 16, n // 4, n]
    console.print(f"sokoban: {n} training solutions from {run_dir}; priors on {sizes}")
    return run_speedup(
        tasks, train, state.solved, domain="sokoban", sizes=sizes, budget=args.sokoban_budget,
        objective=config.objective, l2=config.l2, resamples=args.resamples, base="smallest",
        on_stage=lambda m: console.print(f"  sokoban: {m}"),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", choices=["stp", "sokoban", "both"], default="both")
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--stp-train", type=int, default=600)
    parser.add_argument("--stp-budget", type=int, default=3_000_000)
    parser.add_argument("--sokoban-budget", type=int, default=500_000)
    parser.add_argument("--boxoban-run", type=Path, default=ROOT / "out" / "boxoban" / "train")
    parser.add_argument("--boxoban-train", type=int, default=3000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    console = Console(width=150)
    OUT.mkdir(parents=True, exist_ok=True)
    domains = ["stp", "sokoban"] if args.domain == "both" else [args.domain]
    table = Table(title="log2 speed-up against I(h:D): slope, intercept, R² [95% CI]")
    for col in ("domain", "measure", "n", "slope", "intercept (bits)", "R²"):
        table.add_column(col)
    for domain in domains:
        t0 = time.perf_counter()
        summary, rows = (_stp if domain == "stp" else _sokoban)(args, console)
        summary["seconds"] = time.perf_counter() - t0
        (OUT / f"{domain}.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
        write_csv(OUT / f"{domain}.csv", rows)
        plot_speedup(rows, summary, OUT / f"{domain}.png")
        for label, fit in (
            ("primary (tree search, own solutions)", summary),
            ("LTS bound in place of time", summary["bound"]),
            ("shared path", summary["shared_path"]),
            ("state-cut search", summary["state_cut"]),
        ):
            table.add_row(
                domain, label, str(fit["n"]), *(_fmt(fit, k) for k in ("slope", "intercept", "r2"))
            )
    console.print(table)
    console.print(f"wrote {OUT}/{{stp,sokoban}}.json, .csv and .png")


def _fmt(fit: dict, key: str) -> str:
    value, ci = fit.get(key), fit.get(f"{key}_ci") or [float("nan")] * 2
    return f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


if __name__ == "__main__":
    main()
