"""Learning curve as a scaling law (issue 14, item 4): a short bootstrap, evaluated as it learns.

Bootstraps LTS+CM from scratch (β = 0) on the first ``--train-levels`` levels
of ``unfiltered/train`` in one process (``--jobs 1``), capped at
``--minutes`` of wall time, with the cheap training of this branch
(``--deadlocks cut`` searches, ``--fit-method lbfgs`` refits truncated at
``--fit-max-iter`` iterations, as ``bench/boxoban_refit.py`` found to cost
1/14 of today's refit at +1.5% validation expansions). After every refit that saw new solutions, the policy is
evaluated (LTS with the same deadlock mode) on the first ``--eval-levels``
levels of ``unfiltered/valid/000.txt`` at ``--eval-budget`` expansions (an
unsolved level counts as the budget, so early means are lower bounds).
Training compute is this process's CPU time minus the evaluations' CPU time.

The curve (mean expansions against training core-hours) is fitted with
``kairos.scaling`` (power law ``E + A·x^−α`` with 1,000 bootstrap resamples,
and the plateau test over power / saturating / bnsl); the compute at which the
fitted power law reaches ``--target`` mean expansions is read off every
resample for a percentile CI. The curve is fitted twice: against training
core-hours and against training levels attempted (cumulative). Writes
``bench/out/boxoban_curve/`` (the run, its ``train/log.csv``, ``curve.json``,
``curve_<axis>.png``, ``plateau_<axis>.png``); ``--fit-only`` refits a
finished run's ``curve.json``. ``--contexts`` picks the context set,
``--min-new-fraction`` and ``--max-budget`` the budget schedule. The curve so
far and the training CPU are saved as the run goes (``curve.json`` and
``cpu.json``), so ``--resume`` continues a killed run from its checkpoint
(the CPU since the last 250 attempts before the kill is not counted).

    nice -n 10 env PYTHONPATH=src NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        python bench/boxoban_curve.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from boxoban_refit import train_levels
from kairos.container import atomic_write_text
from kairos.domains.sokoban import read_levels
from kairos.learn import BootstrapConfig, run_bootstrap
from kairos.learn.bootstrap import load_checkpoint
from kairos.policy.files import load_policy
from kairos.search.engine import SearchConfig, search

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parents[1] / "shared" / "data" / "boxoban" / "unfiltered"


def crossing(law, values: dict, target: float) -> float:
    """x where the fitted power law ``E + A·x^−α`` reaches ``target`` (inf if E ≥ target)."""
    e, a, alpha = values["E"], values["A"], values["alpha"]
    if e >= target or a <= 0:
        return float("inf")
    return float(((target - e) / a) ** (-1.0 / alpha))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-levels", type=int, default=3000)
    ap.add_argument("--minutes", type=float, default=12.0)
    ap.add_argument("--eval-levels", type=int, default=100)
    ap.add_argument("--eval-budget", type=int, default=50_000)
    ap.add_argument("--deadlocks", default="cut")
    ap.add_argument("--fit-method", default="lbfgs")
    ap.add_argument("--fit-max-iter", type=int, default=50)
    ap.add_argument("--stall-tol", type=float, default=None)
    ap.add_argument("--l2", type=float, default=1e-5)
    ap.add_argument("--target", type=float, default=2000.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--contexts", default="base", help="context set (CONTEXT_SETS)")
    ap.add_argument("--min-new-fraction", type=float, default=0.05)
    ap.add_argument("--max-budget", type=int, default=1 << 24)
    ap.add_argument("--resume", action="store_true", help="continue the run in OUT/train")
    ap.add_argument(
        "--refit-on-stop",
        action="store_true",
        help="when the time cap stops an iteration, learn from its solutions before stopping",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "boxoban_curve")
    ap.add_argument(
        "--fit-only",
        action="store_true",
        help="no training: refit the curve already in OUT/curve.json",
    )
    args = ap.parse_args()
    if args.fit_only:
        summary = json.loads((args.out / "curve.json").read_text())
        _fit_all(summary, args.target, args.out)
        atomic_write_text(
            args.out / "curve.json", json.dumps(summary, indent=2, default=float) + "\n"
        )
        print(json.dumps(summary["fits"], indent=2, default=float))
        return
    run_dir = args.out / "train"
    points: list[dict] = []
    cpu_before = 0.0  # training + evaluation CPU of earlier sessions of a resumed run
    eval_before = 0.0
    if args.resume:
        saved = json.loads((args.out / "cpu.json").read_text())
        cpu_before, eval_before = saved["cpu_s"], saved["eval_cpu_s"]
        points = json.loads((args.out / "curve.json").read_text())["points"]
    elif run_dir.exists():
        shutil.rmtree(run_dir)  # a fresh run: the curve needs every evaluation
    args.out.mkdir(parents=True, exist_ok=True)
    levels = train_levels(args.train_levels)
    valid = read_levels(DATA / "valid" / "000.txt")[: args.eval_levels]
    eval_config = SearchConfig(budget=args.eval_budget, deadlocks=args.deadlocks)
    config = BootstrapConfig(
        domain="sokoban",
        initial_budget=2000,
        l2=args.l2,
        time_limit_s=60 * args.minutes,
        jobs=1,
        seed=args.seed,
        deadlocks=args.deadlocks,
        fit_method=args.fit_method,
        fit_max_iter=args.fit_max_iter,
        fit_stall_tol=args.stall_tol,
        contexts=args.contexts,
        min_new_fraction=args.min_new_fraction,
        max_budget=args.max_budget,
        refit_on_stop=args.refit_on_stop,
    )
    eval_cpu = [eval_before]
    cpu0 = time.process_time() - cpu_before
    seen = [len(load_checkpoint(run_dir)[1].log) if args.resume else 0]
    attempts = [0]

    def save_progress() -> None:
        cpu = {"cpu_s": time.process_time() - cpu0, "eval_cpu_s": eval_cpu[0]}
        atomic_write_text(args.out / "cpu.json", json.dumps(cpu) + "\n")
        partial = {"config": vars(args) | {"out": str(args.out)}, "points": points}
        atomic_write_text(
            args.out / "curve.json", json.dumps(partial, indent=2, default=str) + "\n"
        )

    def evaluate(log: list[dict]) -> None:
        c0 = time.process_time()
        policy = load_policy(run_dir / "policy.kpol", domain="sokoban")
        rows = [search(v, eval_config, policy) for v in valid]
        exp = [r.expansions for r in rows]
        eval_cpu[0] += time.process_time() - c0
        train_cpu = time.process_time() - cpu0 - eval_cpu[0]
        point = {
            "iteration": log[-1]["iteration"],
            "train_cpu_s": train_cpu,
            "train_core_hours": train_cpu / 3600,
            "levels_attempted": sum(r["attempted"] for r in log),
            "levels_solved": log[-1]["solved"],
            "valid_solved": sum(r.solved for r in rows),
            "valid_mean_expansions": statistics.fmean(exp),
            "valid_median_expansions": statistics.median(exp),
            "refit_s": sum(float(r["train_s"]) for r in log),
            "solve_s": sum(float(r["solve_s"]) for r in log),
            "budget": log[-1]["budget"],
        }
        points.append(point)
        save_progress()
        print(
            f"it {point['iteration']:2}: train {train_cpu:7.1f} CPU s, solved "
            f"{point['levels_solved']:5}/{len(levels)}; valid {point['valid_solved']}/{len(valid)}"
            f" mean {point['valid_mean_expansions']:9,.0f}",
            flush=True,
        )

    def on_event(kind: str, info: dict) -> None:
        if kind == "attempt":
            attempts[0] += 1
            if attempts[0] % 250 == 0:  # as often as the bootstrap's checkpoints
                save_progress()
            return
        if kind != "iteration" or info["iteration"] == 0:
            return
        c0 = time.process_time()  # reading the log back counts as evaluation, not training
        log = load_checkpoint(run_dir)[1].log
        eval_cpu[0] += time.process_time() - c0
        if len(log) > seen[0] and log[-1]["new_solved"]:
            evaluate(log)
        seen[0] = len(log)

    state, _ = run_bootstrap(levels, run_dir, config, on_event=on_event, resume=args.resume)
    if state.log and state.log[-1]["new_solved"] and len(state.log) > seen[0]:
        evaluate(state.log)
    summary = {
        "config": vars(args) | {"out": str(args.out)},
        "stop_reason": state.stop_reason,
        "solved": len(state.solved),
        "train_levels": len(levels),
        "points": points,
    }
    summary["config"].pop("out")
    save_progress()
    if len(points) >= 5:
        _fit_all(summary, args.target, args.out)
    atomic_write_text(args.out / "curve.json", json.dumps(summary, indent=2, default=float) + "\n")
    print(json.dumps(summary.get("fits", {}), indent=2, default=float))


AXES = {
    "core_hours": ("train_core_hours", "training core-hours"),
    "levels": ("levels_attempted", "training levels attempted (cumulative)"),
}


def _fit_all(summary: dict, target: float, out: Path) -> None:
    """Fit mean expansions against each of ``AXES``; ``summary["fits"][axis]``."""
    points = summary["points"]
    y = np.array([p["valid_mean_expansions"] for p in points])
    summary["fits"] = {}
    for axis, (key, label) in AXES.items():
        x = np.array([float(p[key]) for p in points])
        summary["fits"][axis] = _fit(x, y, target, out, label, axis)


def _fit(x: np.ndarray, y: np.ndarray, target: float, out: Path, x_label: str, stem: str) -> dict:
    from kairos.scaling.bootstrap import bootstrap, percentile_ci
    from kairos.scaling.fit import fit_law
    from kairos.scaling.laws import LAWS
    from kairos.scaling.plateau import plateau_test
    from kairos.scaling.plots import plot_fit, plot_plateau

    law = LAWS["power"]
    fit = fit_law(law, x, y)
    boot = bootstrap(law, x, y, fit, num_resamples=1000, seed=0)
    samples = boot.param_samples()
    cross = np.array(
        [
            crossing(law, {k: samples[k][i] for k in samples}, target)
            for i in range(boot.num_resamples)
        ]
    )
    finite = np.isfinite(cross)
    result = {
        "law": "power",
        "params": fit.params,
        "params_ci": boot.param_ci(0.95),
        "converged": fit.converged,
        "identifiable": fit.identifiable,
        "target": target,
        "x": x_label,
        "x_to_target": crossing(law, fit.params, target),
        "x_to_target_ci": percentile_ci(np.where(finite, cross, np.inf), 0.95),
        "resamples_never_reaching_target": float(1 - finite.mean()),
    }
    try:
        plateau = plateau_test(x, y, num_resamples=200, seed=0)
        result["plateau"] = plateau.to_json()
        fig = plot_plateau(x, y, plateau, x_label=x_label, y_label="mean expansions")
        fig.savefig(out / f"plateau_{stem}.png", dpi=120)
    except Exception as exc:  # too few points for the widest family: say so, keep the fit
        result["plateau"] = {"error": f"{type(exc).__name__}: {exc}"}
    reach = result["x_to_target"]
    factor = min(max(10.0, 2 * reach / x.max() if np.isfinite(reach) else 10.0), 1e4)
    fig = plot_fit(
        x, y, fit, boot, extrapolate_factor=factor,
        x_label=x_label, y_label="mean valid/000 expansions",
    )  # fmt: skip
    fig.axes[0].axhline(target, color="red", lw=0.8, ls="--")
    fig.savefig(out / f"curve_{stem}.png", dpi=120)
    return result


if __name__ == "__main__":
    main()
