"""Benchmark: spending one global expansion budget on a batch of mixed-difficulty tasks.

Boxoban with LTS and the uniform policy. The predictor of "solved within Δ
more expansions" is fitted on training levels and checked for calibration on
other training levels; the batch mixes unfiltered validation levels, "medium"
validation levels (much harder) and provably dead levels (a box moved onto a
dead cell). In the same run, at the same global budget:

- ``fixed``: every task gets budget / n;
- ``round_robin``: slices in turn, each task capped at 4 × budget / n;
- ``index``: the success-per-expansion index allocator.

Target (issue 7): the index allocator solves as many tasks as ``fixed`` with
≤ ½ of its expansions, or ≥ 1.5× as many tasks.

    nice -n 5 env PYTHONPATH=src python3 bench/allocator.py [--budget 12000000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from kairos.agent.allocator import allocate_by_index, allocate_fixed, allocate_round_robin
from kairos.agent.value import SuccessPredictor, collect_examples, reliability
from kairos.domains.deadlock import dead_variant
from kairos.domains.sokoban import read_levels
from kairos.search.engine import SearchSession

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "boxoban"
OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--budget", type=int, default=12_000_000)
    parser.add_argument("--train", type=int, default=120, help="training levels for the predictor")
    parser.add_argument("--train-cap", type=int, default=200_000)
    parser.add_argument("--first-slice", type=int, default=1000)
    parser.add_argument("--easy", type=int, default=40)
    parser.add_argument("--hard", type=int, default=10)
    parser.add_argument("--dead", type=int, default=10)
    parser.add_argument("--value-fraction", type=float, default=0.25,
                        help="a solve is worth this fraction of the global budget")  # fmt: skip
    args = parser.parse_args()
    console = Console(width=150)

    train = read_levels(args.data / "unfiltered/train/000.txt")[: args.train]
    check = read_levels(args.data / "unfiltered/train/001.txt")[: args.train // 2]
    t0 = time.perf_counter()
    X, y = collect_examples(
        [SearchSession(t) for t in train], first_slice=args.first_slice, cap=args.train_cap
    )
    predictor = SuccessPredictor().fit(X, y)
    Xc, yc = collect_examples(
        [SearchSession(t) for t in check], first_slice=args.first_slice, cap=args.train_cap
    )
    calibration = reliability(predictor.predict_proba(Xc), yc, bins=10)
    train_s = time.perf_counter() - t0
    brier = float(np.mean((predictor.predict_proba(Xc) - yc) ** 2))
    brier_base = float(np.mean((y.mean() - yc) ** 2))

    valid = read_levels(args.data / "unfiltered/valid/000.txt")
    medium = read_levels(args.data / "medium/valid/000.txt")
    dead = [dead_variant(lv, seed=i) for i, lv in enumerate(valid[500 : 500 + args.dead])]
    tasks = valid[: args.easy] + medium[: args.hard] + dead
    kinds = ["unfiltered"] * args.easy + ["medium"] * args.hard + ["dead"] * len(dead)
    share = args.budget // len(tasks)

    runs = {}
    timings = {}
    for name, run in (
        ("fixed", lambda: allocate_fixed(tasks, args.budget)),
        (
            "round_robin",
            lambda: allocate_round_robin(tasks, args.budget, slice_size=10_000, cap=4 * share),
        ),
        (
            "index",
            lambda: allocate_by_index(
                tasks,
                args.budget,
                predictor,
                value=args.value_fraction * args.budget,
                first_slice=args.first_slice,
            ),
        ),
    ):
        t0 = time.perf_counter()
        runs[name] = run()
        timings[name] = time.perf_counter() - t0

    fixed = runs["fixed"]
    table = Table(title=f"{len(tasks)} Boxoban tasks, global budget {args.budget:,} expansions")
    for col in ("method", "solved", "expansions", "× fixed", "to reach fixed's solved",
                "hopeless share", "dead-task exp.", "seconds"):  # fmt: skip
        table.add_column(col, justify="right")
    rows = []
    for name, alloc in runs.items():
        reach = alloc.expansions_to_solve(fixed.solved) if fixed.solved else 0
        dead_exp = sum(t.expansions for t, k in zip(alloc.tasks, kinds, strict=True) if k == "dead")
        row = {
            **alloc.summary(),
            "expansions_vs_fixed": alloc.expansions / fixed.expansions,
            "expansions_to_reach_fixed_solved": reach,
            "dead_task_expansions": dead_exp,
            "seconds": timings[name],
            "solved_by_kind": {
                k: sum(
                    t.outcome == "solved"
                    for t, kk in zip(alloc.tasks, kinds, strict=True)
                    if kk == k
                )
                for k in ("unfiltered", "medium", "dead")
            },
            "trace": alloc.trace[:: max(1, len(alloc.trace) // 400)] + alloc.trace[-1:],
        }
        rows.append(row)
        table.add_row(
            name,
            f"{alloc.solved}/{len(tasks)}",
            f"{alloc.expansions:,}",
            f"{alloc.expansions / fixed.expansions:.2f}",
            "never" if reach is None else f"{reach:,}",
            f"{alloc.hopeless_share:.2f}",
            f"{dead_exp:,}",
            f"{timings[name]:.1f}",
        )
    console.print(table)
    index = runs["index"]
    reach = index.expansions_to_solve(fixed.solved)
    half = reach is not None and reach <= 0.5 * fixed.expansions
    more = index.solved >= 1.5 * fixed.solved
    verdict = "PASS" if (half or more) else "FAIL"
    console.print(
        f"index reaches fixed's {fixed.solved} solved after "
        f"{'never' if reach is None else f'{reach:,}'} expansions "
        f"({'n/a' if reach is None else f'{reach / fixed.expansions:.2f}'} × fixed's "
        f"{fixed.expansions:,}); solved {index.solved} vs {fixed.solved} "
        f"(×{index.solved / max(fixed.solved, 1):.2f}): {verdict}"
    )
    console.print(
        f"predictor: {len(y)} training examples, Brier {brier:.4f} on held-out training "
        f"levels vs {brier_base:.4f} for the base rate; fitted in {train_s:.0f} s"
    )

    OUT.mkdir(exist_ok=True)
    result = {
        "budget": args.budget,
        "tasks": {k: kinds.count(k) for k in ("unfiltered", "medium", "dead")},
        "methods": rows,
        "target_met": verdict == "PASS",
        "index_expansions_to_reach_fixed_solved": reach,
        "predictor": {
            **predictor.to_dict(),
            "train_examples": len(y),
            "brier_held_out": brier,
            "brier_base_rate": brier_base,
            "reliability": calibration,
        },
    }
    (OUT / "allocator.json").write_text(json.dumps(result, indent=2) + "\n")
    _plot(runs, calibration, OUT / "allocator.png")
    console.print(f"wrote {OUT / 'allocator.json'} and {OUT / 'allocator.png'}")


def _plot(runs, calibration, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for name, alloc in runs.items():
        spent, solved = zip(*alloc.trace, strict=True)
        ax1.step(spent, solved, where="post", label=name)
    ax1.set_xlabel("expansions spent (global)")
    ax1.set_ylabel("tasks solved")
    ax1.legend()
    ax2.plot([0, 1], [0, 1], color="grey", lw=0.8)
    ax2.plot([r["predicted"] for r in calibration], [r["observed"] for r in calibration], "o-")
    ax2.set_xlabel("predicted P(solve within Δ)")
    ax2.set_ylabel("observed rate")
    ax2.set_title("reliability on held-out training levels")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
