"""Benchmark: the savant regime (issue 16): does a big initial budget make learning unnecessary?

The experiment is :func:`kairos.learn.savant.run_savant` (its docstring lists
the runs and measures); this script builds the tasks of one domain, runs the
grid, prints the tables and writes ``bench/out/savant_<domain>.json`` (the
8-puzzle keeps its first name, ``savant.json``) and a figure next to it.

Domains (``--domain``):

- ``stp3``: 8-puzzles. Training: ``--train`` random-walk instances (walks of
  10–59 moves); held-out: ``--heldout`` fresh instances of the same kind
  (other seeds, none equal to a training board); repeats: the first
  ``--repeats`` training instances asked again. Shortest solutions by BFS.
- ``stp4``: 15-puzzles, random walks of 6–20 moves (training) and 8–16 moves
  (held-out), sized so that uniform search solves few at the small test budget
  and nearly all at the large one. Shortest solutions by A* (Manhattan).
- ``boxoban``: Boxoban development levels: training levels from
  ``unfiltered/train/000.txt``, held-out levels from ``unfiltered/train/001.txt``
  (never the test or hard sets). No shortest solutions (no cheap optimal solver):
  I(h*) is absent there.

    nice -n 10 env PYTHONPATH=src python3 bench/savant.py --domain stp4 [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from kairos.container import atomic_write_text
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import generate
from kairos.learn.savant import BruteForce, SavantConfig, run_savant
from kairos.learn.savant_report import prediction_verdicts, savant_figure, savant_onset
from kairos.plotting import save_figure
from kairos.search.engine import SearchConfig, search

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
BOXOBAN = ROOT.parent / ".." / "shared" / "data" / "boxoban" / "unfiltered" / "train"

# per domain: tasks, grid, test budgets (the stp3 values are the first benchmark's)
DEFAULTS = {
    "stp3": dict(train=200, heldout=100, repeats=40, budgets="2000,20000,200000,2000000",
                 rows="6,10,18", cap=4_000_000, small_budget=200, large_budget=200_000,
                 memoriser_batch=1, repeats_budget=None, uncapped_budget=200_000),
    "stp4": dict(train=100, heldout=40, repeats=20, budgets="2000,20000,200000,2000000",
                 rows="6,12,18", cap=4_000_000, small_budget=1_000, large_budget=300_000,
                 memoriser_batch=32, repeats_budget=1_000, uncapped_budget=2_000_000),
    "boxoban": dict(train=50, heldout=30, repeats=10, budgets="2000,20000,200000,2000000",
                    rows="10,15,20", cap=5_000_000, small_budget=2_000, large_budget=200_000,
                    memoriser_batch=32, repeats_budget=2_000),
}  # fmt: skip
QUICK = {
    "stp3": dict(train=12, heldout=6, repeats=4, budgets="2000,200000", rows="6,18", cap=300_000,
                 resamples=200),
    "stp4": dict(train=12, heldout=6, repeats=4, budgets="2000,200000", rows="6,18", cap=400_000,
                 resamples=200, large_budget=300_000, uncapped_budget=300_000),
    "boxoban": dict(train=6, heldout=4, repeats=2, budgets="2000,200000", rows="12", cap=300_000,
                    resamples=200, large_budget=50_000),
}  # fmt: skip


def tasks(domain: str, args):
    """(train, held-out, repeats, shortest held-out, shortest repeats) of ``domain``."""
    if domain == "boxoban":
        train = read_levels(BOXOBAN / "000.txt")[: args.train]
        heldout = read_levels(BOXOBAN / "001.txt")[: args.heldout]
        return train, heldout, train[: args.repeats], None, None
    if domain == "stp3":  # walks of 10-59 moves, held-out 10-59
        size, seeds, walk, fresh = 3, (20_000, 50_000), (10, 7, 50), (10, 1, 50)
        optimal = SearchConfig(algorithm="bfs", budget=args.large_budget)
    else:  # walks of 6-20 moves, held-out 8-16
        size, seeds, walk, fresh = 4, (30_000, 60_000), (6, 7, 15), (8, 1, 9)
        optimal = SearchConfig(algorithm="wastar", weight=1.0, budget=args.large_budget)

    def moves(s: int, spec: tuple[int, int, int]) -> int:
        return spec[0] + (spec[1] * s) % spec[2]

    train = [generate(size, moves(s, walk), seed=seeds[0] + s) for s in range(args.train)]
    seen = {t.tiles for t in train}
    heldout, s = [], 0
    while len(heldout) < args.heldout:
        t = generate(size, moves(s, fresh), seed=seeds[1] + s)
        s += 1
        if t.tiles not in seen and not t.is_goal(t.initial_state()):
            heldout.append(t)
    repeats = train[: args.repeats]
    shortest = [search(t, optimal).actions for t in heldout]
    shortest_rep = [search(t, optimal).actions for t in repeats]
    return train, heldout, repeats, shortest, shortest_rep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", choices=sorted(DEFAULTS), default="stp3")
    for name in ("train", "heldout", "repeats", "cap", "small_budget", "large_budget"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=None)
    parser.add_argument("--budgets", default=None, help="initial budgets B0, comma-separated")
    parser.add_argument("--rows", default=None, help="log2 rows of the context models")
    parser.add_argument("--memoriser-batch", type=int, default=None)
    parser.add_argument("--repeats-budget", type=int, default=None)
    parser.add_argument(
        "--uncapped-budget", type=int, default=None,
        help="also run uniform search on every training task at this budget, without the cap",
    )  # fmt: skip
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="tiny smoke settings")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    given = {k: v for k, v in vars(args).items() if v is not None}
    settings = {**DEFAULTS[args.domain], **(QUICK[args.domain] if args.quick else {})}
    for key, value in settings.items():
        if key not in given or (args.quick and key == "resamples"):
            setattr(args, key, value)
    if args.out is None:
        args.out = OUT / ("savant.json" if args.domain == "stp3" else f"savant_{args.domain}.json")
    config = SavantConfig(
        domain="sokoban" if args.domain == "boxoban" else "stp",
        budgets=tuple(int(b) for b in args.budgets.split(",")),
        rows_log2=tuple(int(r) for r in args.rows.split(",")),
        cap_expansions=args.cap, small_budget=args.small_budget,
        large_budget=args.large_budget, resamples=args.resamples, seed=args.seed,
        memoriser_batch_size=args.memoriser_batch, repeats_budget=args.repeats_budget,
    )  # fmt: skip
    console = Console(width=220)
    t0, c0 = time.perf_counter(), time.process_time()
    train, heldout, repeats, shortest, shortest_rep = tasks(args.domain, args)
    console.print(
        f"savant {args.domain}: {len(train)} training, {len(heldout)} held-out, "
        f"{len(repeats)} repeats; cap {config.cap_expansions:,} training expansions per run"
    )
    result = run_savant(
        train, heldout, repeats, config, shortest=shortest, shortest_repeats=shortest_rep,
        work_dir=args.out.parent / f"{args.out.stem}_runs",
        on_stage=lambda m: console.print(f"  [{time.perf_counter() - t0:6.0f} s] {m}"),
    )  # fmt: skip
    result["domain"] = args.domain
    result["settings"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    result["cpu_seconds"] = time.process_time() - c0
    if args.uncapped_budget:
        solved, spent = BruteForce(train).train_solved(args.uncapped_budget, cap=2**62)
        result["brute_force_uncapped"] = {
            "budget": args.uncapped_budget, "train_solved": solved, "train_expansions": spent,
        }  # fmt: skip
        console.print(
            f"uniform search without the cap, budget {args.uncapped_budget:,}: "
            f"{solved}/{len(train)} training tasks, {spent:,} expansions"
        )
    result["verdicts"] = prediction_verdicts(result)
    result["savant_onset_B0"] = savant_onset(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(result, indent=2, default=_json) + "\n")
    fig = savant_figure(result["runs"], config.rows_log2, title=f"savant regime, {args.domain}")
    save_figure(fig, str(args.out.with_suffix(".png")))
    _print(console, result)
    console.print(
        f"wrote {args.out} and {args.out.with_suffix('.png')} in {result['seconds']:.0f} s "
        f"({result['cpu_seconds']:.0f} CPU s)"
    )


def _json(x):
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(type(x))


def _fmt(value, ci) -> str:
    return f"{value:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


def _print(console, result) -> None:
    table = Table(title=f"Savant regime, {result['domain']}: held-out measures [95% CI]")
    for col in ("run", "regime", "train solved", "train exp", "I(h:D) bits", "I(hD) bits",
                "I(h*) bits", "solve@small", "solve@large", "mean exp", "repeats@small"):  # fmt: skip
        table.add_column(col)
    for r in result["runs"]:
        table.add_row(
            r["name"], r.get("regime", ""),
            f"{r['train_solved']}/{r['train_problems']}" if "train_solved" in r else "",
            f"{r['train_expansions']:,}" if "train_expansions" in r else "",
            _fmt(r["mean_info_bits"], r["mean_info_bits_ci"]),
            _fmt(r["mean_info_path_bits"], r["mean_info_path_bits_ci"]),
            _fmt(r["mean_info_shortest_bits"], r["mean_info_shortest_bits_ci"]),
            _fmt(r["solve_small"], r["solve_small_ci"]),
            _fmt(r["solve_large"], r["solve_large_ci"]),
            f"{r['mean_expansions']:,.0f}",
            _fmt(r["repeats_solve_small"], r["repeats_solve_small_ci"]),
        )  # fmt: skip
    console.print(table)
    verdicts = Table(title="The three predictions, paired over held-out tasks [95% CI]")
    for col in ("prediction", "case", "data", "verdict"):
        verdicts.add_column(col)
    for v in result["verdicts"]:
        verdicts.add_row(v["prediction"], v["case"], v["data"], v["verdict"])
    console.print(verdicts)
    console.print(f"savant regime from B0 (per run kind): {result['savant_onset_B0']}")


if __name__ == "__main__":
    main()
