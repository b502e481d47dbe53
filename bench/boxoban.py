"""Boxoban benchmark: bootstrap a context model from scratch, evaluate on valid/000.txt.

Stages (each writes JSON under ``bench/out/boxoban/`` and is skipped when its
output exists, so a killed run resumes; training itself resumes from its
checkpoint):

1. ``train``: bootstrap LTS+CM (LTS loss) on the first ``--train-levels``
   levels of ``unfiltered/train``, initial budget 2,000, wall-clock capped;
2. ``eval``: LTS with the trained policy on ``unfiltered/valid/000.txt``
   (1,000 levels), budget up to 5,000,000 expansions per level;
3. ``baselines``: the uniform policy (LTS) and weighted A* on the first
   ``--subset`` validation levels with a smaller budget, next to LTS+CM on the
   same levels and budget;
4. ``speed``: expansions per second of one process, uniform policy against the
   trained context model on the same levels and budget, interleaved rounds;
6. ``nn`` (with ``--nn-epochs``): the convolutional policy trained with
   cross-entropy on the same solutions, against the context model on the
   baseline subset (LTS, batched path, one process);
5. ``xent``: the same solutions refitted with cross-entropy, and LTS with
   that policy against LTS with the LTS-loss policy on the same levels and
   budget, as an expansions ratio.

Usage::

    nice -n 5 env PYTHONPATH=src NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 \\
        python bench/boxoban.py --jobs 2 --train-minutes 35
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from pathlib import Path

from kairos.container import atomic_write_text
from kairos.domains.sokoban import read_levels
from kairos.learn import BootstrapConfig, run_bootstrap
from kairos.learn.bootstrap import CHECKPOINT_NAME, load_checkpoint
from kairos.policy import UniformPolicy
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.files import load_policy
from kairos.policy.loss import fit, trajectories_from_solutions
from kairos.search.engine import SearchConfig
from kairos.search.parallel import solve_iter

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "boxoban" / "unfiltered"
OUT = Path(__file__).resolve().parent / "out" / "boxoban"  # --out overrides


def _log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def _levels(folder: Path, count: int) -> list:
    out = []
    for path in sorted(folder.glob("*.txt")):
        out.extend(read_levels(path))
        if len(out) >= count:
            break
    return out[:count]


def _evaluate(problems, policy, config: SearchConfig, jobs: int) -> dict:
    t0 = time.perf_counter()
    rows = sorted(
        solve_iter(problems, config, policy, jobs=jobs),
        key=lambda a: a.index,
    )
    wall = time.perf_counter() - t0
    exp = [a.expansions for a in rows]
    solved = [a for a in rows if a.solved]
    return {
        "algorithm": config.algorithm,
        "budget": config.budget,
        "levels": len(problems),
        "solved": len(solved),
        "mean_expansions": statistics.fmean(exp),
        "median_expansions": statistics.median(exp),
        "max_expansions": max(exp),
        "mean_length": statistics.fmean(len(a.actions) for a in solved) if solved else None,
        "search_s": sum(a.seconds for a in rows),
        "wall_s": wall,
        "expansions_per_s": sum(exp) / max(sum(a.seconds for a in rows), 1e-9),
        "per_level": exp,
        "per_level_solved": [a.solved for a in rows],
    }


def _write(name: str, obj: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    atomic_write_text(OUT / f"{name}.json", json.dumps(obj, indent=2) + "\n")


def _brief(r: dict) -> str:
    return (
        f"{r['algorithm']}: {r['solved']}/{r['levels']} solved, mean {r['mean_expansions']:,.0f}"
        f" exp., median {r['median_expansions']:,.0f}, {r['expansions_per_s']:,.0f} exp/s"
    )


def main() -> None:
    global OUT
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-levels", type=int, default=3000)
    ap.add_argument("--train-minutes", type=float, default=35.0)
    ap.add_argument("--eval-levels", type=int, default=1000)
    ap.add_argument("--eval-budget", type=int, default=5_000_000)
    ap.add_argument("--subset", type=int, default=50)
    ap.add_argument("--subset-budget", type=int, default=200_000)
    ap.add_argument("--xent-levels", type=int, default=200)
    ap.add_argument("--l2", type=float, default=1e-5)
    ap.add_argument("--nn-epochs", type=int, default=0, help="0 skips the network stage")
    ap.add_argument("--nn-budget", type=int, default=20_000)
    ap.add_argument("--speed-levels", type=int, default=100)
    ap.add_argument("--speed-budget", type=int, default=20_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    OUT = args.out or OUT
    run_dir = OUT / "train"
    OUT.mkdir(parents=True, exist_ok=True)

    train = _levels(DATA / "train", args.train_levels)
    _log(f"train: {len(train)} levels, {args.jobs} jobs, cap {args.train_minutes} min")
    config = BootstrapConfig(
        domain="sokoban",
        initial_budget=2000,
        objective="lts",
        l2=args.l2,
        time_limit_s=60 * args.train_minutes,
        jobs=args.jobs,
    )
    if not (OUT / "train.json").exists():
        resume = (run_dir / CHECKPOINT_NAME).exists()

        def on_event(kind, info):
            if kind == "iteration":
                _log(f"iteration {info}")

        # on resume the checkpoint's settings stay; the wall-clock cap comes from --train-minutes
        state, policy = run_bootstrap(train, run_dir, config, resume=resume, on_event=on_event)
        _write(
            "train",
            {
                "levels": len(train),
                "solved": len(state.solved),
                "iterations": state.iteration,
                "final_budget": state.budget,
                "total_expansions": state.total_expansions,
                "wall_s": state.wall_s,
                "jobs": args.jobs,
                "core_hours": state.wall_s * args.jobs / 3600,
                "stop_reason": state.stop_reason,
                "max_rss_bytes_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "max_rss_bytes_workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                * 1024,
                "log": state.log,
            },
        )
    tr = json.loads((OUT / "train.json").read_text())
    _log(f"trained: {tr['solved']}/{tr['levels']} in {tr['wall_s']:.0f} s ({tr['stop_reason']})")
    policy = load_policy(run_dir / "policy.kpol", domain="sokoban")

    valid = read_levels(DATA / "valid" / "000.txt")[: args.eval_levels]
    if not (OUT / "eval.json").exists():
        r = _evaluate(valid, policy, SearchConfig("lts", budget=args.eval_budget), args.jobs)
        _write("eval", r)
    ev = json.loads((OUT / "eval.json").read_text())
    _log("eval " + _brief(ev))

    sub = valid[: args.subset]
    if not (OUT / "baselines.json").exists():
        cfg = SearchConfig("lts", budget=args.subset_budget)
        res = {
            "lts_cm": _evaluate(sub, policy, cfg, args.jobs),
            "lts_uniform": _evaluate(sub, UniformPolicy(), cfg, args.jobs),
            "wastar_w1.5": _evaluate(
                sub, None, SearchConfig("wastar", budget=args.subset_budget, weight=1.5), args.jobs
            ),
        }
        _write("baselines", res)
    base = json.loads((OUT / "baselines.json").read_text())
    for name, r in base.items():
        _log(f"subset {name} " + _brief(r))

    if not (OUT / "speed.json").exists():
        # one process; CPU seconds, so that other jobs on a shared machine do not count
        from kairos.search.engine import search

        cfg = SearchConfig("lts", budget=args.speed_budget)
        speed_levels = valid[: args.speed_levels]
        rounds: dict[str, list[float]] = {"uniform": [], "cm": []}
        wall_rounds: dict[str, list[float]] = {"uniform": [], "cm": []}
        for _ in range(3):
            for name, pol in (("uniform", UniformPolicy()), ("cm", policy)):
                cpu0, wall0, total = time.process_time(), time.perf_counter(), 0
                for level in speed_levels:
                    total += search(level, cfg, pol).expansions
                rounds[name].append(total / (time.process_time() - cpu0))
                wall_rounds[name].append(total / (time.perf_counter() - wall0))
        best = {k: max(v) for k, v in rounds.items()}
        _write(
            "speed",
            {
                "levels": len(speed_levels),
                "budget": args.speed_budget,
                "rounds_expansions_per_cpu_s": rounds,
                "rounds_expansions_per_wall_s": wall_rounds,
                "best_expansions_per_s": best,
                "cm_over_uniform": best["cm"] / best["uniform"],
            },
        )
    sp = json.loads((OUT / "speed.json").read_text())
    _log(
        f"speed (1 process, per CPU second): uniform {sp['best_expansions_per_s']['uniform']:,.0f} exp/s, "
        f"CM {sp['best_expansions_per_s']['cm']:,.0f} exp/s (ratio {sp['cm_over_uniform']:.2f})"
    )

    if not (OUT / "xent.json").exists():
        _, state, _ = load_checkpoint(run_dir)
        idx = sorted(state.solved)
        xent = ContextModelPolicy("sokoban")
        data = trajectories_from_solutions(
            xent, [train[i] for i in idx], [state.solved[i] for i in idx]
        )
        rep_x = fit(data, xent.beta, objective="xent", l2=args.l2)
        lts = ContextModelPolicy("sokoban")
        rep_l = fit(data, lts.beta, objective="lts", l2=args.l2)
        part = valid[: args.xent_levels]
        cfg = SearchConfig("lts", budget=args.subset_budget)
        rx = _evaluate(part, xent, cfg, args.jobs)
        rl = _evaluate(part, lts, cfg, args.jobs)
        _write(
            "xent",
            {
                "training_solutions": len(idx),
                "fit_xent": rep_x.as_dict(),
                "fit_lts": rep_l.as_dict(),
                "lts_loss_policy": rl,
                "xent_policy": rx,
                "expansions_ratio_xent_over_lts": rx["mean_expansions"] / rl["mean_expansions"],
            },
        )
    xe = json.loads((OUT / "xent.json").read_text())
    _log("xent-trained " + _brief(xe["xent_policy"]))
    _log("lts-trained  " + _brief(xe["lts_loss_policy"]))
    if args.nn_epochs > 0 and not (OUT / "nn.json").exists():
        from kairos.policy.neural import NetSpec, NeuralPolicy, train_nn

        _, state, _ = load_checkpoint(run_dir)
        idx = sorted(state.solved)
        net = NeuralPolicy(NetSpec("sokoban"), seed=0)
        rep = train_nn(
            net,
            [train[i] for i in idx],
            [state.solved[i] for i in idx],
            objective="xent",
            epochs=args.nn_epochs,
            batch_trajectories=64,
        )
        r = _evaluate(sub, net, SearchConfig("lts", budget=args.nn_budget), 1)
        # LTS is deterministic and anytime: the CM run with the larger budget tells
        # which levels it solves within nn_budget, and with how many expansions
        cm_exp = [min(e, args.nn_budget) for e in base["lts_cm"]["per_level"]]
        cm = {
            "budget": args.nn_budget,
            "solved": sum(
                ok and e <= args.nn_budget
                for ok, e in zip(
                    base["lts_cm"]["per_level_solved"], base["lts_cm"]["per_level"], strict=True
                )
            ),
            "mean_expansions": statistics.fmean(cm_exp),
        }
        _write("nn", {"fit": rep, "lts_nn": r, "lts_cm_same_budget": cm})
    if (OUT / "nn.json").exists():
        nn = json.loads((OUT / "nn.json").read_text())
        _log(
            f"nn ({nn['fit']['epochs']} epochs, {nn['fit']['seconds']:.0f} s) "
            + _brief(nn["lts_nn"])
        )
        cm = nn["lts_cm_same_budget"]
        _log(f"cm at the same budget: {cm['solved']} solved, mean {cm['mean_expansions']:,.0f}")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| training levels solved | {tr['solved']}/{tr['levels']} |")
    print(
        f"| training wall × cores | {tr['wall_s']:.0f} s × {tr['jobs']} = "
        f"{tr['core_hours']:.2f} core-hours |"
    )
    print(f"| valid/000 solved (budget {ev['budget']:,}) | {ev['solved']}/{ev['levels']} |")
    print(
        f"| valid/000 mean / median expansions | {ev['mean_expansions']:,.0f} / "
        f"{ev['median_expansions']:,.0f} |"
    )
    for name, r in base.items():
        print(
            f"| subset {args.subset} levels, {name}, budget {r['budget']:,} | {r['solved']}/"
            f"{r['levels']} solved, mean {r['mean_expansions']:,.0f} |"
        )
    print(
        f"| expansions per CPU second, 1 process: uniform / CM | {sp['best_expansions_per_s']['uniform']:,.0f}"
        f" / {sp['best_expansions_per_s']['cm']:,.0f} (CM/uniform {sp['cm_over_uniform']:.2f}) |"
    )
    print(
        f"| xent / LTS-loss mean expansions ({args.xent_levels} levels) | "
        f"{xe['expansions_ratio_xent_over_lts']:.2f} |"
    )
    summary = {
        "train": {k: v for k, v in tr.items() if k != "log"},
        "eval": {k: v for k, v in ev.items() if not k.startswith("per_level")},
        "baselines": {
            k: {kk: vv for kk, vv in v.items() if not kk.startswith("per_level")}
            for k, v in base.items()
        },
        "xent_over_lts": xe["expansions_ratio_xent_over_lts"],
        "speed": sp,
        "date": time.strftime("%Y-%m-%d"),
    }
    _write("summary", summary)


if __name__ == "__main__":
    main()
