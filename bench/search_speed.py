"""Benchmark: expansions per second and bytes per stored node of the compiled search.

Measures, in one run and on one core:

* LTS with the uniform policy and BFS, on Boxoban levels (the shared
  ``unfiltered/train/000.txt`` when present, else the 60 bundled levels) and on
  seeded random 4×4 sliding-tile instances, state cut on throughout;
* the same searches with the pure-Python reference search
  (:func:`kairos.search.reference_search`) on the first few problems at a smaller
  budget, and the compiled kernel on exactly those problems and budgets: the
  ratio of the two rates is the speed-up;
* rates per wall second (the searches' own timers) and per CPU second of the
  searching thread; on a shared, oversubscribed machine the second is the
  per-core figure, the first also counts time spent waiting for a core;
* memory: bytes allocated at the end of a search (node arrays, open list and
  state-cut table, growth slack included) divided by its stored (generated)
  nodes, for the largest search of each kind, and the same per million nodes.

Targets (issue 2): ≥ 500,000 expansions/s per core on Sokoban with the state
cut on; ≤ 64 bytes per stored node.

    nice -n 5 env PYTHONPATH=src python3 bench/search_speed.py
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core: the kernel is sequential anyway

import argparse
import json
import platform
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kairos.data import BOXOBAN_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import generate
from kairos.search import SearchConfig, reference_search, search

TARGET_EXPANSIONS_PER_S = 500_000  # Sokoban, LTS uniform, state cut on, one core
TARGET_BYTES_PER_NODE = 64
ROOT = Path(__file__).resolve().parents[1]
SHARED_LEVELS = ROOT / ".." / "shared" / "data" / "boxoban" / "unfiltered" / "train" / "000.txt"
ALGOS = ("lts", "bfs")


def _workloads(args: argparse.Namespace) -> dict[str, tuple[str, list, int]]:
    path = Path(args.levels) if args.levels else SHARED_LEVELS
    if not path.exists():
        path = data_path(BOXOBAN_DEMO)
    levels = read_levels(path)[: args.num_levels]
    puzzles = [generate(4, args.stp_walk, seed=s) for s in range(args.num_stp)]
    return {
        "sokoban": (f"{path.name}, first {len(levels)} levels", levels, args.budget),
        "stp4": (
            f"4×4 STP, {len(puzzles)} random walks of {args.stp_walk} moves (seeds 0..)",
            puzzles,
            args.stp_budget,
        ),
    }


def _run(problems: list, algo: str, budget: int, searcher) -> dict:
    """Search every problem; wall seconds are the searches' own, CPU seconds the thread's."""
    config = SearchConfig(algorithm=algo, budget=budget)
    results, cpu_s = [], 0.0
    for problem in problems:
        c0 = time.thread_time()
        results.append(searcher(problem, config))
        cpu_s += time.thread_time() - c0
    expansions = sum(r.expansions for r in results)
    seconds = sum(r.seconds for r in results)
    out = {
        "problems": len(results),
        "solved": sum(r.solved for r in results),
        "expansions": expansions,
        "generated": sum(r.generated for r in results),
        "seconds": seconds,
        "cpu_seconds": cpu_s,
        "expansions_per_s": expansions / seconds,
        "expansions_per_cpu_s": expansions / cpu_s,
    }
    largest = max(results, key=lambda r: r.generated)
    if largest.memory_bytes:  # the reference search does not report memory
        out["largest_search"] = {
            "problem": largest.problem,
            "generated": largest.generated,
            "expansions": largest.expansions,
            "memory_bytes": largest.memory_bytes,
            "bytes_per_node": largest.memory_bytes / largest.generated,
            "mib_per_million_nodes": largest.memory_bytes / largest.generated * 1e6 / 2**20,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", help="Boxoban file (default: shared train/000.txt)")
    parser.add_argument("--num-levels", type=int, default=30)
    parser.add_argument("--budget", type=int, default=200_000, help="Sokoban expansions")
    parser.add_argument("--num-stp", type=int, default=8)
    parser.add_argument("--stp-walk", type=int, default=60)
    parser.add_argument("--stp-budget", type=int, default=1_000_000)
    parser.add_argument("--ref-problems", type=int, default=4)
    parser.add_argument("--ref-budget", type=int, default=20_000)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "out" / "search_speed.json"
    )
    args = parser.parse_args()

    workloads = _workloads(args)
    search(workloads["stp4"][1][0], SearchConfig(budget=100))  # load/compile the kernel
    load_start = os.getloadavg()
    t_start = time.perf_counter()
    compiled, versus = {}, {}
    for name, (_label, problems, budget) in workloads.items():
        for algo in ALGOS:
            compiled[name, algo] = _run(problems, algo, budget, search)
            few = problems[: args.ref_problems]
            versus[name, algo] = {
                "compiled": _run(few, algo, args.ref_budget, search),
                "reference": _run(few, algo, args.ref_budget, reference_search),
            }
    total_s = time.perf_counter() - t_start

    console = Console(width=120)
    table = Table(title="Compiled search, one core, state cut on")
    columns = ("workload", "algo", "solved", "expansions", "wall s", "exp/s", "exp/CPU-s")
    for col in (*columns, "B/node", "MiB/1M"):
        table.add_column(col, justify="right" if col not in ("workload", "algo") else "left")
    for (name, algo), r in compiled.items():
        big = r["largest_search"]
        table.add_row(
            name,
            algo,
            f"{r['solved']}/{r['problems']}",
            f"{r['expansions']:,}",
            f"{r['seconds']:.2f}",
            f"{r['expansions_per_s']:,.0f}",
            f"{r['expansions_per_cpu_s']:,.0f}",
            f"{big['bytes_per_node']:.1f}",
            f"{big['mib_per_million_nodes']:.1f}",
        )
    console.print(table)
    ref_table = Table(
        title=f"Same run: pure-Python reference, first {args.ref_problems} problems, "
        f"budget {args.ref_budget:,}"
    )
    for col in ("workload", "algo", "compiled exp/CPU-s", "reference exp/CPU-s", "speed-up"):
        ref_table.add_column(col, justify="left" if col in ("workload", "algo") else "right")
    for (name, algo), v in versus.items():
        c, p = v["compiled"]["expansions_per_cpu_s"], v["reference"]["expansions_per_cpu_s"]
        # same problems, budget and semantics: the two searches expand the same nodes
        assert v["compiled"]["expansions"] == v["reference"]["expansions"]
        v["speedup"] = c / p
        ref_table.add_row(name, algo, f"{c:,.0f}", f"{p:,.0f}", f"×{c / p:.0f}")
    console.print(ref_table)

    sokoban_rate = compiled["sokoban", "lts"]["expansions_per_cpu_s"]
    sokoban_wall_rate = compiled["sokoban", "lts"]["expansions_per_s"]
    worst_bytes = max(r["largest_search"]["bytes_per_node"] for r in compiled.values())
    verdict = {
        "sokoban_lts_expansions_per_cpu_s": sokoban_rate,
        "sokoban_lts_expansions_per_wall_s": sokoban_wall_rate,
        "speed_target_met": sokoban_rate >= TARGET_EXPANSIONS_PER_S,
        "worst_bytes_per_node": worst_bytes,
        "memory_target_met": worst_bytes <= TARGET_BYTES_PER_NODE,
    }
    console.print(
        f"Sokoban LTS: {sokoban_rate:,.0f} expansions per CPU second, {sokoban_wall_rate:,.0f} "
        f"per wall second (target ≥ {TARGET_EXPANSIONS_PER_S:,} per core: "
        f"{'pass' if verdict['speed_target_met'] else 'FAIL'}); worst bytes per stored node "
        f"{worst_bytes:.1f} (target ≤ {TARGET_BYTES_PER_NODE}: "
        f"{'pass' if verdict['memory_target_met'] else 'FAIL'}); measured in {total_s:.0f} s, "
        f"load average {load_start[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )

    result = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
            "load_average_end": os.getloadavg(),
            "python": platform.python_version(),
            "numba_num_threads": os.environ["NUMBA_NUM_THREADS"],
        },
        "args": vars(args),
        "workloads": {name: label for name, (label, _, _) in workloads.items()},
        "compiled": {f"{n}/{a}": r for (n, a), r in compiled.items()},
        "versus_reference": {f"{n}/{a}": v for (n, a), v in versus.items()},
        "targets": {
            "expansions_per_s": TARGET_EXPANSIONS_PER_S,
            "bytes_per_node": TARGET_BYTES_PER_NODE,
        },
        "verdict": verdict,
        "seconds": total_s,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
