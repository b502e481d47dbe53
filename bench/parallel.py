"""Benchmark: the one parallel runner (``kairos.search.parallel``) against its serial path.

Solves the same problems (the 60 bundled Boxoban levels, LTS with ``--policy``,
uniform by default) with ``jobs=1`` (the serial path, the baseline), the local
process pool at ``--jobs``, and, with ``--ray``, a private local Ray instance
at the same ``--jobs`` (its start-up is timed apart). Reports wall seconds, the ratio to the serial run, and
whether every result (status, expansions, actions) equals the serial one.
On a shared, oversubscribed machine the pool's ratio is bounded by the cores
it actually gets.

    nice -n 5 env PYTHONPATH=src python3 bench/parallel.py --jobs 2 [--ray]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kairos.data import BOXOBAN_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.policy import policy_by_name
from kairos.search import SearchConfig
from kairos.search.parallel import solve_all

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--budget", type=int, default=200_000)
    parser.add_argument("--policy", default="uniform", help="uniform, boxoban-cm or a .kpol file")
    parser.add_argument("--ray", action="store_true", help="also time a local Ray instance")
    args = parser.parse_args()
    problems = read_levels(data_path(BOXOBAN_DEMO))
    policy = policy_by_name(args.policy, domain="sokoban")
    config = SearchConfig(budget=args.budget)
    solve_all(problems[:2], config, policy)  # compile and warm the kernel cache
    runs = [("serial", 1, "local"), (f"local pool ×{args.jobs}", args.jobs, "local")]
    if args.ray:
        runs.append((f"ray (local instance) ×{args.jobs}", args.jobs, "ray"))
    rows, baseline, ray_start_s = [], None, None
    for label, jobs, executor in runs:
        if executor == "ray":
            from kairos.search.parallel import connect

            t0 = time.perf_counter()
            connect(None, jobs)
            ray_start_s = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        found = solve_all(problems, config, policy, jobs=jobs, executor=executor)
        wall_s = time.perf_counter() - t0
        key = [(r.status, r.expansions, r.actions) for r in found]
        if baseline is None:
            baseline = (wall_s, key)
        rows.append({
            "runner": label, "jobs": jobs, "problems": len(found),
            "solved": sum(r.solved for r in found), "wall_s": round(wall_s, 2),
            "ratio_to_serial": round(wall_s / baseline[0], 3), "same_results": key == baseline[1],
        })  # fmt: skip
    table = Table(
        title=f"parallel runner on {len(problems)} Boxoban levels, {args.policy}, "
        f"budget {args.budget:,}" + (f"; Ray start-up {ray_start_s} s" if ray_start_s else "")
    )
    for col in rows[0]:
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(*(str(v) for v in r.values()))
    Console(width=200).print(table)
    OUT.mkdir(exist_ok=True)
    record = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
              "platform": platform.platform(), "budget": args.budget, "policy": args.policy,
              "ray_start_s": ray_start_s, "rows": rows}  # fmt: skip
    (OUT / "parallel.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
