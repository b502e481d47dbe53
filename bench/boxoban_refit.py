"""Cheap refits (issue 14, item 1): the LTS-loss refit of a bootstrap, six ways, same run.

Replays the refits of a bootstrap on fixed data: the solutions of the first
``--train-levels`` levels of ``unfiltered/train``, found by LTS with the
shipped ``boxoban-cm`` policy (budget 100,000; deadlock ``cut``, which finds
the same solutions as plain LTS, 4× faster), ordered easiest first (fewest
expansions) as a bootstrap meets them. Round r refits on the first
``--rounds[r]`` solutions, starting from that method's weights after round
r − 1 (warm start, as ``kairos.learn.bootstrap`` does), from β = 0 in round 1;
weights are rounded to float32 after each refit, as the bootstrap stores them.

Methods (``kairos.policy.loss.fit``), all LTS loss, L2 1e-5 (the shipped run's):

* ``lbfgsb``: today's refit, scipy L-BFGS-B on the numpy + numba loss, ≤ 500 iterations;
* ``lbfgsb-fused``: the same optimiser on the fused, pattern-blocked kernel;
* ``lbfgs``: kairos's L-BFGS (no bounds) on the fused kernel, ≤ 500 iterations;
* ``lbfgs-50``: the same, truncated at 50 iterations per refit;
* ``lbfgs-stall``: the same, ≤ 500 iterations, stopped when the LTS loss fell
  by < 1e-3 (the expansion bound by < 0.1%) over the last 10 iterations;
* ``lbfgs-early``: the same, ≤ 500 iterations, trained on 90% of the
  solutions, stopped when the LTS loss on the other 10% (seeded split) has
  not improved by 1e-4 for 2 checks 10 iterations apart; best weights kept.

Reported per method: refit CPU seconds per round and in all, the final LTS
loss on all the data (one evaluator for every method), and LTS with the final
policy on the first ``--eval-levels`` levels of ``unfiltered/valid/000.txt``
(budget ``--eval-budget``, plain LTS): solved and mean expansions. One
process. Deterministic for a given ``--seed``. Writes ``bench/out/boxoban_refit.json``.

    nice -n 10 env PYTHONPATH=src NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        python bench/boxoban_refit.py
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
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.loss import CompactProblem, Trajectories, fit
from kairos.search.engine import SearchConfig, search

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parents[1] / "shared" / "data" / "boxoban" / "unfiltered"
L2 = 1e-5
METHODS = {  # name: fit() keywords
    "lbfgsb": {"method": "lbfgsb", "max_iter": 500},
    "lbfgsb-fused": {"method": "lbfgsb-fused", "max_iter": 500},
    "lbfgs": {"method": "lbfgs", "max_iter": 500},
    "lbfgs-50": {"method": "lbfgs", "max_iter": 50},
    "lbfgs-stall": {"method": "lbfgs", "max_iter": 500, "stall_tol": 1e-3},
    "lbfgs-early": {"method": "lbfgs", "max_iter": 500, "holdout": True},
}


def train_levels(count: int) -> list:
    """The first ``count`` levels of ``unfiltered/train``, files in name order."""
    out: list = []
    for path in sorted((DATA / "train").glob("*.txt")):
        out.extend(read_levels(path))
        if len(out) >= count:
            break
    return out[:count]


def _subset(data: Trajectories, keep: np.ndarray) -> Trajectories:
    """The trajectories ``keep`` (indices, in order) of ``data``."""
    parts = [
        Trajectories(
            data.rows[data.starts[i] : data.starts[i + 1]],
            data.legal[data.starts[i] : data.starts[i + 1]],
            data.actions[data.starts[i] : data.starts[i + 1]],
            np.array([0, data.starts[i + 1] - data.starts[i]], np.int64),
        )
        for i in keep
    ]
    return Trajectories.concat(parts)


def _time_kernels(problem: CompactProblem, out: Path, repeats: int = 20) -> None:
    from numba import get_num_threads

    x = np.random.default_rng(0).normal(0.0, 0.3, problem.num_params)
    kernels = {
        "numpy+numba (today)": problem.value_and_grad,
        "fused, pattern-blocked": problem.value_and_grad_fused,
        "fused, parallel": lambda v: problem.value_and_grad_fused(v, parallel=True),
    }
    rows = {}
    for name, f in kernels.items():
        f(x)  # compile outside the timing
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(repeats):
            f(x)
        rows[name] = {
            "cpu_s": (time.process_time() - c0) / repeats,
            "wall_s": (time.perf_counter() - w0) / repeats,
        }
        print(
            f"{name:24} {rows[name]['cpu_s'] * 1e3:7.1f} ms CPU {rows[name]['wall_s'] * 1e3:7.1f} ms wall"
        )
    result = {"numba_threads": get_num_threads(), "steps": len(problem.actions),
              "params": problem.num_params, "per_evaluation": rows}  # fmt: skip
    atomic_write_text(out, json.dumps(result, indent=2) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-levels", type=int, default=3000)
    ap.add_argument("--rounds", type=int, nargs="+", default=[500, 1000, 2000, 3000])
    ap.add_argument("--eval-levels", type=int, default=200)
    ap.add_argument("--eval-budget", type=int, default=100_000)
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "boxoban_refit.json")
    ap.add_argument(
        "--kernel-only",
        action="store_true",
        help="only time one loss+gradient evaluation (numpy+numba, fused serial, fused "
        "parallel over NUMBA_NUM_THREADS) on all the data, and write ..._kernel.json",
    )
    args = ap.parse_args()

    levels = train_levels(args.train_levels)
    shipped = policy_by_name("boxoban-cm", domain="sokoban")
    t0 = time.process_time()
    found = []
    for i, level in enumerate(levels):
        r = search(level, SearchConfig(budget=100_000, deadlocks="cut"), shipped)
        if r.solved:
            found.append((r.expansions, i, list(r.actions)))
    found.sort()  # easiest first, ties by level index
    print(
        f"{len(found)}/{len(levels)} training levels solved ({time.process_time() - t0:.1f} CPU s)"
    )
    template = ContextModelPolicy("sokoban")
    data = template.trajectories([levels[i] for _, i, _ in found], [a for _, _, a in found])
    rng = np.random.default_rng(args.seed)
    held = np.zeros(len(found), bool)
    held[rng.permutation(len(found))[: len(found) // 10]] = True
    valid = read_levels(DATA / "valid" / "000.txt")[: args.eval_levels]
    rounds = [min(n, len(found)) for n in args.rounds]
    full = CompactProblem(_subset(data, np.arange(rounds[-1])), "lts", l2=L2)
    if args.kernel_only:
        _time_kernels(full, args.out.with_name(args.out.stem + "_kernel.json"))
        return

    results = {}
    for name in args.methods:
        kw = dict(METHODS[name])
        holdout = kw.pop("holdout", False)
        policy = ContextModelPolicy("sokoban")
        per_round = []
        for n in rounds:
            idx = np.arange(n)
            train_idx, held_idx = (idx[~held[:n]], idx[held[:n]]) if holdout else (idx, None)
            train = _subset(data, train_idx)
            extra = {"holdout": _subset(data, held_idx)} if holdout else {}
            c0 = time.process_time()
            report = fit(train, policy.beta, objective="lts", l2=L2, **kw, **extra)
            cpu = time.process_time() - c0
            policy.beta[:] = policy.beta.astype(np.float32).astype(np.float64)
            per_round.append(
                {
                    "solutions": n,
                    "cpu_s": cpu,
                    "iterations": report.iterations,
                    "evaluations": report.evaluations,
                    "value": report.value,
                    "grad_max": report.grad_max,
                    "message": report.message,
                    "holdout_value": report.holdout_value,
                }
            )
            print(
                f"{name:13} round n={n:5}: {cpu:7.1f} CPU s, {report.iterations:3} it, "
                f"{report.evaluations:3} ev, loss {report.value:.6f}, {report.message}",
                flush=True,
            )
        loss = full.value_and_grad(policy.beta[full.used_rows].ravel())[0]
        rows = [search(v, SearchConfig(budget=args.eval_budget), policy) for v in valid]
        exp = [r.expansions for r in rows]
        results[name] = {
            "rounds": per_round,
            "refit_cpu_s": sum(r["cpu_s"] for r in per_round),
            "final_loss_all_data": loss,
            "valid_solved": sum(r.solved for r in rows),
            "valid_mean_expansions": statistics.fmean(exp),
            "valid_median_expansions": statistics.median(exp),
            "valid_per_level": exp,
        }
    base = results.get("lbfgsb")
    print(
        f"\n{len(valid)} valid/000 levels, budget {args.eval_budget:,}; rounds {rounds}; "
        "loss = final LTS loss (log, + L2) on all round-4 data"
    )
    print(
        f"{'method':13} {'refit CPU s':>11} {'× today':>8} {'loss':>10} {'solved':>7} {'mean exp':>9} {'× today':>8}"
    )
    for name, r in results.items():
        cpu_ratio = r["refit_cpu_s"] / base["refit_cpu_s"] if base else float("nan")
        exp_ratio = (
            r["valid_mean_expansions"] / base["valid_mean_expansions"] if base else float("nan")
        )
        r["ratios_to_lbfgsb"] = {"refit_cpu_s": cpu_ratio, "valid_mean_expansions": exp_ratio}
        print(
            f"{name:13} {r['refit_cpu_s']:>11.1f} {cpu_ratio:>8.3f} {r['final_loss_all_data']:>10.5f} "
            f"{r['valid_solved']:>7} {r['valid_mean_expansions']:>9,.0f} {exp_ratio:>8.3f}"
        )
    out = {
        "train_levels": len(levels),
        "solutions": len(found),
        "rounds": rounds,
        "seed": args.seed,
        "eval_levels": len(valid),
        "eval_budget": args.eval_budget,
        "methods": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
