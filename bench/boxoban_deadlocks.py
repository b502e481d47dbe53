"""Deadlock pruning (issue 14, item 3): LTS with the shipped policy, with and without it.

Runs LTS with the shipped ``boxoban-cm`` policy on the first ``--levels``
levels of ``unfiltered/valid/000.txt`` at ``--budget`` expansions, twice per
level, interleaved (plain; ``SearchConfig(deadlocks="cut")``: no state with a
box on a dead cell or frozen off its goal is generated; ``"renormalise"``:
also π normalised over the live moves only). One process;
CPU seconds from ``time.process_time`` around each search. ``cut`` leaves π
unchanged on live nodes, so each level plain solves must have the same
solution; the script checks that. Writes ``bench/out/boxoban_deadlocks.json``.

    nice -n 10 env PYTHONPATH=src NUMBA_NUM_THREADS=1 python bench/boxoban_deadlocks.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from kairos.container import atomic_write_text
from kairos.domains.sokoban import read_levels
from kairos.policy import policy_by_name
from kairos.search.engine import SearchConfig, search

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parents[1] / "shared" / "data" / "boxoban" / "unfiltered"


def _summary(rows: list[dict]) -> dict:
    exp = [r["expansions"] for r in rows]
    cpu = sum(r["cpu_s"] for r in rows)
    solved = [r for r in rows if r["solved"]]
    return {
        "solved": len(solved),
        "mean_expansions": statistics.fmean(exp),
        "median_expansions": statistics.median(exp),
        "p90_expansions": float(np.percentile(exp, 90)),
        "p99_expansions": float(np.percentile(exp, 99)),
        "max_expansions": max(exp),
        "mean_solution_length": statistics.fmean(len(r["actions"]) for r in solved)
        if solved
        else None,
        "mean_generated": statistics.fmean(r["generated"] for r in rows),
        "cpu_s": cpu,
        "expansions_per_cpu_s": sum(exp) / max(cpu, 1e-9),
        "levels_per_cpu_s": len(rows) / max(cpu, 1e-9),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", type=int, default=1000)
    ap.add_argument("--budget", type=int, default=5_000_000)
    ap.add_argument("--policy", default="boxoban-cm", help="a policy name or .kpol file")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "boxoban_deadlocks.json")
    args = ap.parse_args()
    levels = read_levels(DATA / "valid" / "000.txt")[: args.levels]
    policy = policy_by_name(args.policy, domain="sokoban")
    configs = {
        "plain": SearchConfig(budget=args.budget),
        "cut": SearchConfig(budget=args.budget, deadlocks="cut"),
        "renormalise": SearchConfig(budget=args.budget, deadlocks="renormalise"),
    }
    search(levels[0], configs["cut"], policy)  # compile the kernel outside the timing
    rows: dict[str, list[dict]] = {k: [] for k in configs}
    for level in levels:
        for name, config in configs.items():
            t0 = time.process_time()
            r = search(level, config, policy)
            rows[name].append(
                {
                    "expansions": r.expansions,
                    "generated": r.generated,
                    "solved": r.solved,
                    "actions": list(r.actions),
                    "cpu_s": time.process_time() - t0,
                }
            )
    same = all(
        a["actions"] == b["actions"]
        for a, b in zip(rows["plain"], rows["cut"], strict=True)
        if a["solved"]
    )
    out = {name: _summary(r) for name, r in rows.items()}
    p = out["plain"]
    out["ratios"] = {
        f"{name}_over_plain": {
            "mean_expansions": out[name]["mean_expansions"] / p["mean_expansions"],
            "expansions_per_cpu_s": out[name]["expansions_per_cpu_s"] / p["expansions_per_cpu_s"],
            "cpu_s": out[name]["cpu_s"] / p["cpu_s"],
        }
        for name in ("cut", "renormalise")
    }
    out["same_solutions"] = same
    out["levels"], out["budget"], out["policy"] = len(levels), args.budget, args.policy
    out["per_level_expansions"] = {k: [x["expansions"] for x in v] for k, v in rows.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(out, indent=2) + "\n")
    print(f"{len(levels)} valid/000 levels, budget {args.budget:,}, policy {args.policy}, LTS")
    print(
        f"{'':10} {'solved':>7} {'mean exp':>10} {'median':>8} {'p99':>9} {'max':>9} "
        f"{'length':>7} {'CPU s':>7} {'exp/CPU-s':>10}"
    )
    for name in configs:
        s = out[name]
        print(
            f"{name:10} {s['solved']:>7} {s['mean_expansions']:>10,.0f} "
            f"{s['median_expansions']:>8,.0f} {s['p99_expansions']:>9,.0f} "
            f"{s['max_expansions']:>9,} {s['mean_solution_length']:>7.1f} {s['cpu_s']:>7.1f} "
            f"{s['expansions_per_cpu_s']:>10,.0f}"
        )
    for k, v in out["ratios"].items():
        print(k, ", ".join(f"{m} {x:.3f}" for m, x in v.items()))
    print("cut: same solutions as plain on every level plain solved:", same)
    if not same:
        raise SystemExit("pruning changed a solution: the pruning is not a pure cut")


if __name__ == "__main__":
    main()
