"""Experiment: does more training data lower the Boxoban mean? Continue the bench/boxoban.py run.

Warm-starts from that run's policy and bootstraps on the next ``--levels``
levels of ``unfiltered/train`` (budget 2,000, doubled when an iteration solves
< 5% of its attempts), refitting the LTS loss on the old and new solutions
together, for at most ``--minutes``; then evaluates on ``unfiltered/valid/000``
with a budget of 5,000,000, like ``bench/boxoban.py``. The policy is written
to ``bench/out/boxoban_more_data.kpol``; the shipped policy is not touched.

    nice -n 5 env PYTHONPATH=src python3 bench/boxoban_more_data.py [--levels 6000] [--minutes 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from kairos.domains.sokoban import read_levels
from kairos.learn.bootstrap import load_checkpoint
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.loss import fit, trajectories_from_solutions
from kairos.search.engine import SearchConfig
from kairos.search.parallel import solve_iter

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parents[1] / "shared" / "data" / "boxoban" / "unfiltered"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, default=ROOT / "out" / "boxoban" / "train")
    ap.add_argument("--trained-on", type=int, default=3000)
    ap.add_argument("--levels", type=int, default=6000)
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    cfg, state, shipped = load_checkpoint(args.run)
    levels = []
    for path in sorted((DATA / "train").glob("*.txt")):
        levels += read_levels(path)
        if len(levels) >= args.trained_on + args.levels:
            break
    old = [levels[i] for i in sorted(state.solved)]
    old_paths = [state.solved[i] for i in sorted(state.solved)]
    fresh = levels[args.trained_on : args.trained_on + args.levels]
    policy = ContextModelPolicy("sokoban", epsilon=cfg.epsilon, seed=cfg.seed)
    policy.beta[:] = shipped.beta
    solved: dict[int, list[int]] = {}
    budget, t0, cap, iteration = 2000, time.time(), 60 * args.minutes, 0
    while time.time() - t0 < cap and len(solved) < len(fresh):
        todo = [i for i in range(len(fresh)) if i not in solved]
        new = 0
        for a in solve_iter(fresh, SearchConfig(budget=budget), policy, indices=todo,
                            jobs=args.jobs, should_stop=lambda: time.time() - t0 > cap):  # fmt: skip
            if a.solved:
                solved[a.index] = list(a.actions)
                new += 1
        idx = sorted(solved)
        data = trajectories_from_solutions(
            policy, old + [fresh[i] for i in idx], old_paths + [solved[i] for i in idx]
        )
        fit(data, policy.beta, objective="lts", l2=cfg.l2, max_iter=500)
        policy.beta[:] = policy.beta.astype(np.float32).astype(np.float64)
        print(f"iter {iteration} budget {budget:,} new {new} solved {len(solved)}/{len(fresh)} "
              f"wall {time.time() - t0:.0f} s", flush=True)  # fmt: skip
        if new < 0.05 * len(todo):
            budget *= 2
        iteration += 1
    wall = time.time() - t0
    print(
        f"extra training: {wall:.0f} s x {args.jobs} cores = {args.jobs * wall / 3600:.2f} core-hours"
    )
    (ROOT / "out").mkdir(exist_ok=True)
    policy.save(ROOT / "out" / "boxoban_more_data.kpol")
    valid = read_levels(DATA / "valid" / "000.txt")
    found = list(solve_iter(valid, SearchConfig(budget=5_000_000), policy,
                            jobs=args.jobs))  # fmt: skip
    exp = [a.expansions for a in found]
    print(f"valid/000: {sum(a.solved for a in found)}/{len(valid)} solved, mean "
          f"{statistics.fmean(exp):,.0f}, median {statistics.median(exp):,.0f}, "
          f"p99 {np.percentile(exp, 99):,.0f} expansions")  # fmt: skip


if __name__ == "__main__":
    main()
