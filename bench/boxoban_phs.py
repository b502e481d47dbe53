"""PHS* with a learned heuristic against LTS, same policy, same run (issue 14, item 3).

1. Learns PHS*'s h (:mod:`kairos.learn.heuristic`): the ``--policy`` (default
   the shipped ``boxoban-cm``) solves the first ``--train-levels`` levels of
   ``unfiltered/train/000.txt`` with LTS + deadlock ``cut`` at budget
   ``--train-budget``; h ≥ 0 is the non-negative least-squares fit of the moves
   to go along those solutions on Sokoban's four distance-to-go features
   (:mod:`kairos.domains.sokoban_togo`). No validation level is used to learn it.
2. Runs every ``--modes`` entry on each of the first ``--levels`` levels of
   ``<split>/valid/000.txt`` at ``--budget``, the modes interleaved per level,
   all with deadlock ``cut`` and the same policy: ``lts``; ``phs-table``
   (PHS* with the hand-made h, summed box distances to the nearest goals);
   ``phs`` (PHS* with the learned h, w = 1: priority (d + h)/π); ``phs-wW``
   (the learned h scaled: (d + W·h)/π). CPU seconds from
   ``time.process_time`` around each search, in one process.

Writes ``bench/out/boxoban_phs[_<split>].json`` and the learned heuristic
``bench/out/boxoban_phs.kheu``; with ``--ship`` also the shipped copy
``src/kairos/data/heuristics/boxoban_togo.kheu``, else it checks that the
shipped copy has the same weights.

    nice -n 10 env PYTHONPATH=src NUMBA_NUM_THREADS=1 python bench/boxoban_phs.py
    nice -n 10 env PYTHONPATH=src NUMBA_NUM_THREADS=1 python bench/boxoban_phs.py --split medium
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from boxoban_deadlocks import summarise
from kairos.container import atomic_write_text
from kairos.data import BOXOBAN_HEURISTIC, data_path
from kairos.domains.sokoban import read_levels
from kairos.learn.heuristic import learn_heuristic
from kairos.policy import policy_by_name
from kairos.search.engine import SearchConfig, search
from kairos.search.heuristic import LinearHeuristic, load_heuristic

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parents[1] / "shared" / "data" / "boxoban"
SHIPPED = ROOT.parent / "src" / "kairos" / "data" / BOXOBAN_HEURISTIC


def _configs(modes: list[str], budget: int, learned: LinearHeuristic) -> dict[str, SearchConfig]:
    configs = {}
    for mode in modes:
        if mode == "lts":
            configs[mode] = SearchConfig(budget=budget, deadlocks="cut")
        elif mode == "phs-table":
            configs[mode] = SearchConfig(algorithm="phs", budget=budget, deadlocks="cut")
        elif mode == "phs" or mode.startswith("phs-w"):
            w = 1.0 if mode == "phs" else float(mode[len("phs-w") :])
            configs[mode] = SearchConfig(
                algorithm="phs", budget=budget, deadlocks="cut", heuristic=learned,
                heuristic_weight=w,
            )  # fmt: skip
        else:
            raise SystemExit(f"unknown mode {mode!r}: lts, phs-table, phs, phs-wW (W a number)")
    return configs


def _learn(args: argparse.Namespace, policy) -> tuple[LinearHeuristic, dict]:
    path = DATA / "unfiltered" / "train" / "000.txt"
    train = read_levels(path)[: args.train_levels]
    t0 = time.process_time()
    learned, solved = learn_heuristic(
        train, policy, domain="sokoban", budget=args.train_budget, deadlocks="cut",
        source=f"first {len(train)} levels of unfiltered/train/000.txt; policy {args.policy}",
    )  # fmt: skip
    info = {
        "train_levels": len(train),
        "train_solved": solved,
        "cpu_s": time.process_time() - t0,
        "weights": dict(zip(learned.features, learned.weights, strict=True)),
        "fit": dict(learned.fit),
    }
    return learned, info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", type=int, default=1000)
    ap.add_argument("--budget", type=int, default=5_000_000)
    ap.add_argument("--split", default="unfiltered", help="unfiltered or medium")
    ap.add_argument("--policy", default="boxoban-cm", help="a policy name or .kpol file")
    ap.add_argument("--modes", default="lts,phs-table,phs,phs-w4,phs-w16,phs-w64")
    ap.add_argument("--train-levels", type=int, default=1000)
    ap.add_argument("--train-budget", type=int, default=100_000)
    ap.add_argument("--ship", action="store_true", help="write the shipped heuristic file")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if args.split not in ("unfiltered", "medium"):
        raise SystemExit(f"--split takes unfiltered or medium, got {args.split!r}")
    out_path = args.out or ROOT / "out" / (
        "boxoban_phs.json" if args.split == "unfiltered" else f"boxoban_phs_{args.split}.json"
    )
    policy = policy_by_name(args.policy, domain="sokoban")
    learned, learn_info = _learn(args, policy)
    learned.save(ROOT / "out" / "boxoban_phs.kheu")
    if args.ship:
        learned.save(SHIPPED)
    shipped = load_heuristic(data_path(BOXOBAN_HEURISTIC), domain="sokoban")
    learn_info["same_as_shipped"] = shipped.weights == learned.weights
    print(
        f"learned h from {learn_info['train_solved']}/{learn_info['train_levels']} training "
        f"solutions ({learned.fit['states']:,} states, {learn_info['cpu_s']:.1f} CPU s): "
        + ", ".join(f"{n} {w:.4f}" for n, w in learn_info["weights"].items())
        + f"; RMSE {learned.fit['rmse_moves']:.2f} moves, R² {learned.fit['r2']:.3f}; "
        f"same as shipped: {learn_info['same_as_shipped']}"
    )

    levels = read_levels(DATA / args.split / "valid" / "000.txt")[: args.levels]
    modes = args.modes.split(",")
    configs = _configs(modes, args.budget, learned)
    for config in configs.values():  # compile every kernel variant outside the timing
        search(levels[0], dataclasses.replace(config, budget=1000), policy)
    rows: dict[str, list[dict]] = {m: [] for m in modes}
    for level in levels:
        for mode, config in configs.items():
            t0 = time.process_time()
            r = search(level, config, policy)
            rows[mode].append(
                {
                    "expansions": r.expansions,
                    "generated": r.generated,
                    "solved": r.solved,
                    "actions": list(r.actions),
                    "cpu_s": time.process_time() - t0,
                }
            )
    out: dict = {
        "levels": len(levels),
        "split": args.split,
        "budget": args.budget,
        "policy": args.policy,
        "heuristic": learn_info,
        "modes": {m: summarise(r) for m, r in rows.items()},
    }
    base = out["modes"][modes[0]]
    for m in modes:
        s = out["modes"][m]
        s["mean_over_" + modes[0]] = s["mean_expansions"] / base["mean_expansions"]
        s["cpu_over_" + modes[0]] = s["cpu_s"] / base["cpu_s"]
    out["per_level_expansions"] = {m: [r["expansions"] for r in v] for m, v in rows.items()}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_path, json.dumps(out, indent=2) + "\n")

    print(f"{len(levels)} {args.split}/valid/000 levels, budget {args.budget:,}, deadlocks cut")
    print(
        f"{'search':12} {'solved':>7} {'mean exp':>9} {'×':>6} {'median':>7} {'p90':>8} "
        f"{'p99':>9} {'max':>9} {'length':>7} {'CPU s':>7} {'exp/CPU-s':>10}"
    )
    for m in modes:
        s = out["modes"][m]
        print(
            f"{m:12} {s['solved']:>7} {s['mean_expansions']:>9,.0f} "
            f"{s['mean_over_' + modes[0]]:>6.3f} {s['median_expansions']:>7,.0f} "
            f"{s['p90_expansions']:>8,.0f} {s['p99_expansions']:>9,.0f} "
            f"{s['max_expansions']:>9,} {s['mean_solution_length'] or 0:>7.1f} "
            f"{s['cpu_s']:>7.1f} {s['expansions_per_cpu_s']:>10,.0f}"
        )
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
