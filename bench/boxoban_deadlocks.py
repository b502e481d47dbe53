"""Deadlock pruning (issue 14, item 3): LTS with a policy, with and without it.

Runs LTS with each ``--policy`` (default the shipped ``boxoban-cm``; repeat the
flag to compare policies in the same run, the first being the baseline) on the
first ``--levels`` levels of ``<split>/valid/000.txt`` (``--split unfiltered``
or ``medium``) at ``--budget`` expansions, once per ``--modes`` entry, the
modes interleaved per level (``plain``; ``cut``: ``SearchConfig(deadlocks="cut")``,
no state with a box on a dead cell or frozen off its goal is generated;
``renormalise``: also π normalised over the live moves only). One process;
CPU seconds from ``time.process_time`` around each search. ``cut`` leaves π
unchanged on live nodes, so each level plain solves must have the same
solution; the script checks that. Writes ``bench/out/boxoban_deadlocks.json``.

    nice -n 10 env PYTHONPATH=src NUMBA_NUM_THREADS=1 python bench/boxoban_deadlocks.py
    nice -n 10 env PYTHONPATH=src NUMBA_NUM_THREADS=1 python bench/boxoban_deadlocks.py \\
        --policy boxoban-cm --policy run/policy.kpol
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


def summarise(rows: list[dict]) -> dict:
    """Solved count, expansion percentiles, solution length and CPU throughput of one search's rows."""
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


def _run_policy(levels: list, policy, configs: dict) -> dict:
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
    out: dict = {name: summarise(r) for name, r in rows.items()}
    if "plain" in rows:
        p = out["plain"]
        out["ratios"] = {
            f"{name}_over_plain": {
                "mean_expansions": out[name]["mean_expansions"] / p["mean_expansions"],
                "expansions_per_cpu_s": out[name]["expansions_per_cpu_s"]
                / p["expansions_per_cpu_s"],
                "cpu_s": out[name]["cpu_s"] / p["cpu_s"],
            }
            for name in rows
            if name != "plain"
        }
        if "cut" in rows:
            out["same_solutions"] = all(
                a["actions"] == b["actions"]
                for a, b in zip(rows["plain"], rows["cut"], strict=True)
                if a["solved"]
            )
    out["per_level_expansions"] = {k: [x["expansions"] for x in v] for k, v in rows.items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", type=int, default=1000)
    ap.add_argument("--budget", type=int, default=5_000_000)
    ap.add_argument(
        "--policy",
        action="append",
        help="a policy name or .kpol file; repeat to compare several in the same run "
        "(the first is the baseline of the ratios; default boxoban-cm)",
    )
    ap.add_argument(
        "--modes", default="plain,cut,renormalise", help="comma-separated deadlock modes"
    )
    ap.add_argument(
        "--split", default="unfiltered", help="unfiltered or medium (valid/000.txt of it)"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "boxoban_deadlocks.json")
    args = ap.parse_args()
    names = args.policy or ["boxoban-cm"]
    modes = args.modes.split(",")
    bad = [m for m in modes if m not in ("plain", "cut", "renormalise")]
    if bad or args.split not in ("unfiltered", "medium"):
        raise SystemExit(f"--modes takes plain,cut,renormalise; --split unfiltered|medium: {bad}")
    levels = read_levels(DATA.parent / args.split / "valid" / "000.txt")[: args.levels]
    policies = {name: policy_by_name(name, domain="sokoban") for name in names}
    configs = {
        m: SearchConfig(budget=args.budget, deadlocks="off" if m == "plain" else m) for m in modes
    }
    for config in configs.values():  # compile every kernel variant outside the timing
        search(levels[0], SearchConfig(budget=1000, deadlocks=config.deadlocks), policies[names[0]])
    out: dict = {"levels": len(levels), "budget": args.budget, "split": args.split}
    out["policies"] = {name: _run_policy(levels, pol, configs) for name, pol in policies.items()}
    base = out["policies"][names[0]]
    out["over_baseline"] = {
        name: {m: res[m]["mean_expansions"] / base[m]["mean_expansions"] for m in modes}
        for name, res in out["policies"].items()
        if name != names[0]
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(out, indent=2) + "\n")
    print(f"{len(levels)} {args.split}/valid/000 levels, budget {args.budget:,}, LTS")
    print(
        f"{'policy / mode':40} {'solved':>7} {'mean exp':>10} {'median':>8} {'p99':>9} "
        f"{'max':>9} {'length':>7} {'CPU s':>7} {'exp/CPU-s':>10}"
    )
    for name, res in out["policies"].items():
        for m in modes:
            s = res[m]
            print(
                f"{(name[-28:] + ' ' + m):40} {s['solved']:>7} {s['mean_expansions']:>10,.0f} "
                f"{s['median_expansions']:>8,.0f} {s['p99_expansions']:>9,.0f} "
                f"{s['max_expansions']:>9,} {s['mean_solution_length'] or 0:>7.1f} "
                f"{s['cpu_s']:>7.1f} {s['expansions_per_cpu_s']:>10,.0f}"
            )
        for k, v in res.get("ratios", {}).items():
            print(" ", k, ", ".join(f"{m} {x:.3f}" for m, x in v.items()))
    for name, v in out["over_baseline"].items():
        print(f"{name} over {names[0]}:", ", ".join(f"{m} {x:.3f}" for m, x in v.items()))
    changed = [n for n, r in out["policies"].items() if r.get("same_solutions") is False]
    if changed:
        raise SystemExit(f"pruning changed a solution of {changed}: the pruning is not a pure cut")


if __name__ == "__main__":
    main()
