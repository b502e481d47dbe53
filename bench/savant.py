"""Benchmark: the savant regime (issue 16): does a big initial budget make learning unnecessary?

8-puzzles (3×3 sliding tiles; the 4×4 puzzle does not fit this bench's time).
Training: ``--train`` random-walk instances (walks of 10–59 moves); held-out:
``--heldout`` fresh instances of the same kind (other seeds, none equal to a
training board) and ``--repeats`` training instances asked again.

Runs, each with the same cap on training compute (``--cap`` expansions):

- bootstrap (``kairos.learn.bootstrap.run_bootstrap``) for every initial budget
  B₀ × objective (``lts``: the LTS loss, a time cost; ``xent``: cross-entropy
  on the solutions) × context-model capacity (``2**rows`` hashed rows of the
  default 8-puzzle contexts). When the cap falls inside an iteration the
  bootstrap stops without refitting; the policy is then refit here on every
  solution the run found, so each policy has learnt from all its data;
- ``xent on D(lts)``: cross-entropy fitted on exactly the solutions of the
  LTS run with the same B₀ and capacity (equal data for prediction 3);
- ``memoriser``: :class:`kairos.policy.memoriser.MemoriserPolicy` storing the
  solutions of the LTS run at the default capacity (a prior indexed by the
  full state; run by the compiled kernel's batched path with batch size 1);
- ``none``: no learning, the uniform prior, with the brute-force budget the
  LTS run ended on (training solved = the tasks uniform search solves within
  that budget, attempted in order until the same cap).

Measures on the held-out tasks, per run: I(h:D) = ℓ_ν0(h) − ℓ_νD(h) in bits
with ν0 uniform and h the shortest solution (BFS), both code lengths under
tree search (``kairos.search.paths.code_length_bits``, the law's setting);
solve rate at the small and the large test budget and mean expansions, by
LTS with the state cut (the bootstrap's search; its expansion order does not
depend on the budget, so one search at the large budget gives both rates).
95% CIs: percentile bootstrap over tasks (``kairos.scaling.bootstrap.percentile_ci``),
paired over the same tasks for differences.

    nice -n 5 env PYTHONPATH=src python3 bench/savant.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from kairos.container import atomic_write_text
from kairos.domains.stp import generate
from kairos.learn.bootstrap import BootstrapConfig, run_bootstrap
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.contexts import stp_spec
from kairos.policy.loss import fit, trajectories_from_solutions
from kairos.policy.memoriser import MemoriserPolicy
from kairos.policy.uniform import UniformPolicy
from kairos.scaling.bootstrap import percentile_ci
from kairos.search.engine import SearchConfig, search
from kairos.search.paths import code_length_bits

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
L2 = 1e-4
LN2 = float(np.log(2.0))
SAVANT_FIRST_ITERATION_SHARE = 0.5  # regime rule, see _regime


def _tasks(args):
    train = [generate(3, 10 + (7 * s) % 50, seed=20_000 + s) for s in range(args.train)]
    seen = {t.tiles for t in train}
    heldout, s = [], 0
    while len(heldout) < args.heldout:
        t = generate(3, 10 + s % 50, seed=50_000 + s)
        s += 1
        if t.tiles not in seen and not t.is_goal(t.initial_state()):
            heldout.append(t)
    return train, heldout, train[: args.repeats]


def _evaluate(policy, tasks, shortest, base, args) -> dict:
    """Per-task arrays on ``tasks``: expansions (large budget), solved flags, I bits.

    ``info_bits`` is ℓ_ν0(h0) − ℓ_νD(hD) over each prior's own solution (state-cut
    search, NaN where the prior fails at the large budget); ``info_shortest_bits``
    scores one path, the shortest solution h*, under both priors (tree search).
    ``base`` is the uniform prior's result list (None when evaluating it).
    """
    batch = 1 if policy.compiled is None else 32
    config = SearchConfig(budget=args.large_budget, batch_size=batch)
    results = [search(task, config, policy) for task in tasks]
    base = base or results
    exp = np.array([r.expansions for r in results], float)
    solved = np.array([r.solved for r in results], bool)
    own = [
        (r.solution_log_prob - r0.solution_log_prob) / LN2 if r.solved and r0.solved else np.nan
        for r, r0 in zip(results, base, strict=True)
    ]
    shared = [
        code_length_bits(t, h, None, state_cut=False) - code_length_bits(t, h, policy, state_cut=False)
        for t, h in zip(tasks, shortest, strict=True)
    ]  # fmt: skip
    return {
        "results": results,
        "expansions": exp,
        "solved_large": solved,
        "solved_small": solved & (exp <= args.small_budget),
        "info_bits": np.array(own, float),
        "info_shortest_bits": np.array(shared, float),
    }


def _ci(values: np.ndarray, rng, resamples: int) -> list[float]:
    """95% percentile-bootstrap CI of the mean over the finite values."""
    values = values[np.isfinite(values)]
    if not len(values):
        return [float("nan")] * 2
    idx = rng.integers(len(values), size=(resamples, len(values)))
    return percentile_ci(values[idx].mean(axis=1))


def _summary(ev: dict, rng, resamples: int) -> dict:
    out = {}
    for key, name in (
        ("info_bits", "mean_info_bits"),
        ("info_shortest_bits", "mean_info_shortest_bits"),
        ("solved_small", "solve_small"),
        ("solved_large", "solve_large"),
        ("expansions", "mean_expansions"),
    ):
        v = ev[key].astype(float)
        out[name] = float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")
        out[f"{name}_ci"] = _ci(v, rng, resamples)
    return out


def _paired(a: dict, b: dict, key: str, rng, resamples: int) -> dict:
    """Mean of a[key] − b[key] over the same tasks, with a paired bootstrap CI."""
    d = a[key].astype(float) - b[key].astype(float)
    d = d[np.isfinite(d)]
    mean = float(d.mean()) if len(d) else float("nan")
    return {"mean": mean, "ci": _ci(d, rng, resamples), "n": len(d)}


def _refit(policy, train, solved: dict, objective: str) -> None:
    idx = sorted(solved)
    data = trajectories_from_solutions(policy, [train[i] for i in idx], [solved[i] for i in idx])
    fit(data, policy.beta, objective=objective, l2=L2)


def _regime(log: list[dict], solved: int) -> str:
    """``savant`` when the first iteration (uniform prior: brute force) found at least
    half of the run's solutions, else ``learning`` (most solutions needed a learnt prior)."""
    first = log[0]["new_solved"] if log else solved
    if solved == 0:
        return "none solved"
    return "savant" if first >= SAVANT_FIRST_ITERATION_SHARE * solved else "learning"


def _bootstrap_run(train, b0, objective, rows, args, console) -> dict:
    run_dir = args.out.parent / f"{args.out.stem}_runs" / f"b{b0}-{objective}-r{rows}"
    shutil.rmtree(run_dir, ignore_errors=True)
    config = BootstrapConfig(
        domain="stp", initial_budget=b0, objective=objective, l2=L2, max_expansions=args.cap,
        jobs=1, seed=args.seed,
    )  # fmt: skip
    policy = ContextModelPolicy("stp", spec=stp_spec(rows), seed=args.seed)
    t0 = time.perf_counter()
    state, policy = run_bootstrap(train, run_dir, config, initial_policy=policy)
    refit = bool(state.solved) and (not state.log or state.log[-1]["solved"] < len(state.solved))
    if refit:
        _refit(policy, train, state.solved, objective)
    console.print(
        f"  B0={b0:>9,} {objective:4} rows=2^{rows:<2}: solved {len(state.solved)}/{len(train)} "
        f"in {state.iteration} iterations, {state.total_expansions:,} expansions, "
        f"final budget {state.budget:,} ({state.stop_reason}; {time.perf_counter() - t0:.1f} s)"
    )
    return {
        "state": state,
        "policy": policy,
        "row": {
            "B0": b0, "objective": objective, "rows_log2": rows, "kind": "bootstrap",
            "train_solved": len(state.solved), "train_problems": len(train),
            "train_expansions": state.total_expansions, "iterations": state.iteration,
            "final_budget": state.budget, "stop_reason": state.stop_reason,
            "refit_after_cap": refit,
            "first_iteration_solved": state.log[0]["new_solved"] if state.log else len(state.solved),
            "regime": _regime(state.log, len(state.solved)),
        },
    }  # fmt: skip


def _brute_force_train(uniform_exp: np.ndarray, budget: int, cap: int) -> tuple[int, int]:
    """Training tasks uniform search solves at ``budget``, attempted in order until ``cap``."""
    spent = solved = 0
    for e in uniform_exp:
        if spent >= cap:
            break
        spent += int(min(e, budget))
        solved += int(e <= budget)
    return solved, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=200)
    parser.add_argument("--heldout", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--budgets", default="2000,20000,200000,2000000")
    parser.add_argument("--rows", default="6,10,18", help="log2 rows of the context models")
    parser.add_argument("--cap", type=int, default=4_000_000, help="training expansions per run")
    parser.add_argument("--small-budget", type=int, default=200)
    parser.add_argument("--large-budget", type=int, default=200_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="tiny smoke settings")
    parser.add_argument("--out", type=Path, default=OUT / "savant.json")
    args = parser.parse_args()
    if args.quick:
        args.train, args.heldout, args.repeats = 12, 6, 4
        args.budgets, args.rows, args.cap, args.resamples = "2000,200000", "6,18", 300_000, 200
    budgets = [int(b) for b in args.budgets.split(",")]
    rows_list = [int(r) for r in args.rows.split(",")]
    default_rows = max(rows_list)
    console = Console(width=220)
    rng = np.random.default_rng(args.seed)
    t_start = time.perf_counter()
    train, heldout, repeats = _tasks(args)
    bfs = SearchConfig(algorithm="bfs", budget=args.large_budget)
    shortest = [search(t, bfs).actions for t in heldout]
    shortest_rep = [search(t, bfs).actions for t in repeats]
    uniform = UniformPolicy()
    uniform_train = np.array(
        [search(t, SearchConfig(budget=args.large_budget)).expansions for t in train], float
    )
    console.print(
        f"savant: {len(train)} training, {len(heldout)} held-out, {len(repeats)} repeats; "
        f"uniform search needs {uniform_train.sum():,.0f} expansions for all training tasks"
    )

    runs: list[dict] = []
    evals: dict[str, dict] = {}

    base = _evaluate(uniform, heldout, shortest, None, args)["results"]
    base_rep = _evaluate(uniform, repeats, shortest_rep, None, args)["results"]

    def add(name: str, policy, row: dict) -> None:
        ev = _evaluate(policy, heldout, shortest, base, args)
        rep = _evaluate(policy, repeats, shortest_rep, base_rep, args)
        evals[name] = ev
        row = {"name": name, **row, **_summary(ev, rng, args.resamples)}
        row["repeats_solve_small"] = float(rep["solved_small"].mean())
        row["repeats_solve_small_ci"] = _ci(rep["solved_small"].astype(float), rng, args.resamples)
        row["repeats_mean_info_bits"] = float(np.nanmean(rep["info_bits"]))
        row["repeats_mean_expansions"] = float(rep["expansions"].mean())
        runs.append(row)

    add("none (uniform)", uniform, {"kind": "none", "regime": "no learning"})
    for b0 in budgets:
        lts_default = None
        for rows in rows_list:
            runs_here = {}
            for objective in ("lts", "xent"):
                run = _bootstrap_run(train, b0, objective, rows, args, console)
                runs_here[objective] = run
                add(f"B0={b0} {objective} 2^{rows}", run["policy"], run["row"])
            lts = runs_here["lts"]
            xent_eq = ContextModelPolicy("stp", spec=stp_spec(rows), seed=args.seed)
            if lts["state"].solved:
                _refit(xent_eq, train, lts["state"].solved, "xent")
            add(
                f"B0={b0} xent-on-D(lts) 2^{rows}", xent_eq,
                {**lts["row"], "objective": "xent on D(lts)", "kind": "equal data"},
            )  # fmt: skip
            if rows == default_rows:
                lts_default = lts
        memo = MemoriserPolicy()
        solved = lts_default["state"].solved
        idx = sorted(solved)
        memo.memorise([train[i] for i in idx], [solved[i] for i in idx])
        add(
            f"B0={b0} memoriser", memo,
            {**lts_default["row"], "objective": "memorise D(lts)", "kind": "memoriser",
             "rows_log2": None, "memoriser_entries": memo.num_entries},
        )  # fmt: skip
        final = lts_default["row"]["final_budget"]
        bf_solved, bf_spent = _brute_force_train(uniform_train, final, args.cap)
        add(
            f"B0={b0} none @ {final}", uniform,
            {"B0": b0, "kind": "none", "objective": "none", "regime": "no learning",
             "final_budget": final, "train_solved": bf_solved, "train_problems": len(train),
             "train_expansions": bf_spent},
        )  # fmt: skip

    predictions = _predictions(runs, evals, budgets, rows_list, rng, args.resamples)
    result = {
        "domain": "stp 3x3",
        "uniform_training_expansions": float(uniform_train.sum()),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "training_compute_cap_expansions": args.cap,
        "runs": runs,
        "predictions": predictions,
        "seconds": time.perf_counter() - t_start,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(result, indent=2, default=_json) + "\n")
    _figure(runs, budgets, rows_list, args.out.with_suffix(".png"))
    _print(console, runs, predictions)
    console.print(
        f"wrote {args.out} and {args.out.with_suffix('.png')} in {result['seconds']:.0f} s"
    )


def _json(x):
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(type(x))


def _predictions(runs, evals, budgets, rows_list, rng, resamples) -> dict:
    """The issue's three predictions as paired differences with CIs."""
    top = max(rows_list)
    lo, hi = min(budgets), max(budgets)
    by = {r["name"]: r for r in runs}
    out: dict = {}
    p1 = {}
    for rows in rows_list:
        for objective in ("lts", "xent"):
            a, b = f"B0={hi} {objective} 2^{rows}", f"B0={lo} {objective} 2^{rows}"
            p1[f"{objective} 2^{rows}"] = {
                "train_solved": [by[b]["train_solved"], by[a]["train_solved"]],
                "d_info_bits": _paired(evals[a], evals[b], "info_bits", rng, resamples),
                "d_info_shortest_bits": _paired(
                    evals[a], evals[b], "info_shortest_bits", rng, resamples
                ),
                "d_solve_small": _paired(evals[a], evals[b], "solved_small", rng, resamples),
            }
    out["1_budget_up_train_up_bits_down_small_down"] = {
        "compare": f"B0={hi} minus B0={lo}", "by_run": p1,
    }  # fmt: skip
    p2 = {}
    for b0 in budgets:
        memo, cm = f"B0={b0} memoriser", f"B0={b0} lts 2^{top}"
        p2[str(b0)] = {
            "memoriser_repeats_solve_small": by[memo]["repeats_solve_small"],
            "memoriser_heldout_solve_small": by[memo]["solve_small"],
            "memoriser_info_bits": by[memo]["mean_info_bits"],
            "memoriser_info_shortest_bits": by[memo]["mean_info_shortest_bits"],
            "d_info_bits_memoriser_minus_cm": _paired(
                evals[memo], evals[cm], "info_bits", rng, resamples
            ),
            "d_info_shortest_bits_memoriser_minus_cm": _paired(
                evals[memo], evals[cm], "info_shortest_bits", rng, resamples
            ),
        }
    out["2_memoriser_repeats_not_transfer"] = p2
    p3 = {}
    for b0 in budgets:
        for rows in rows_list:
            lts, xent = f"B0={b0} lts 2^{rows}", f"B0={b0} xent 2^{rows}"
            eq = f"B0={b0} xent-on-D(lts) 2^{rows}"
            p3[f"{b0} 2^{rows}"] = {
                "d_info_bits_lts_minus_xent_run": _paired(
                    evals[lts], evals[xent], "info_bits", rng, resamples
                ),
                "d_info_bits_lts_minus_xent_equal_data": _paired(
                    evals[lts], evals[eq], "info_bits", rng, resamples
                ),
                "d_info_shortest_bits_lts_minus_xent_equal_data": _paired(
                    evals[lts], evals[eq], "info_shortest_bits", rng, resamples
                ),
            }
    out["3_lts_retains_more_bits_than_xent"] = p3
    return out


def _fmt(value, ci) -> str:
    return f"{value:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


def _print(console, runs, predictions) -> None:
    table = Table(title="Savant regime, 8-puzzle: held-out measures [95% CI]")
    for col in ("run", "regime", "train solved", "train exp", "I(h:D) bits", "I(h*) bits", "solve@small",
                "solve@large", "mean exp", "repeats@small"):  # fmt: skip
        table.add_column(col)
    for r in runs:
        table.add_row(
            r["name"], r.get("regime", ""),
            f"{r['train_solved']}/{r['train_problems']}" if "train_solved" in r else "",
            f"{r['train_expansions']:,}" if "train_expansions" in r else "",
            _fmt(r["mean_info_bits"], r["mean_info_bits_ci"]),
            _fmt(r["mean_info_shortest_bits"], r["mean_info_shortest_bits_ci"]),
            _fmt(r["solve_small"], r["solve_small_ci"]),
            _fmt(r["solve_large"], r["solve_large_ci"]),
            f"{r['mean_expansions']:,.0f}",
            _fmt(r["repeats_solve_small"], r["repeats_solve_small_ci"]),
        )  # fmt: skip
    console.print(table)
    t1 = Table(title="Prediction 1: B0 high minus B0 low (paired over held-out tasks)")
    for col in ("run", "train solved lo→hi", "Δ I bits", "Δ I(h*) bits", "Δ solve@small"):
        t1.add_column(col)
    for name, p in predictions["1_budget_up_train_up_bits_down_small_down"]["by_run"].items():
        t1.add_row(
            name, f"{p['train_solved'][0]} → {p['train_solved'][1]}",
            _fmt(p["d_info_bits"]["mean"], p["d_info_bits"]["ci"]),
            _fmt(p["d_info_shortest_bits"]["mean"], p["d_info_shortest_bits"]["ci"]),
            _fmt(p["d_solve_small"]["mean"], p["d_solve_small"]["ci"]),
        )  # fmt: skip
    console.print(t1)
    t2 = Table(title="Predictions 2 and 3 (bits: paired differences over held-out tasks)")
    for col in ("B0", "memo repeats@small", "memo held-out@small", "Δ I memo − cm",
                "Δ I(h*) memo − cm"):  # fmt: skip
        t2.add_column(col)
    for b0, p in predictions["2_memoriser_repeats_not_transfer"].items():
        d = p["d_info_bits_memoriser_minus_cm"]
        e = p["d_info_shortest_bits_memoriser_minus_cm"]
        t2.add_row(
            b0, f"{p['memoriser_repeats_solve_small']:.2f}",
            f"{p['memoriser_heldout_solve_small']:.2f}", _fmt(d["mean"], d["ci"]),
            _fmt(e["mean"], e["ci"]),
        )  # fmt: skip
    console.print(t2)
    t3 = Table(title="Prediction 3: I(lts) − I(xent) in bits")
    for col in ("B0, rows", "separate runs", "equal data D(lts)", "equal data, I(h*)"):
        t3.add_column(col)
    for key, p in predictions["3_lts_retains_more_bits_than_xent"].items():
        a, b = p["d_info_bits_lts_minus_xent_run"], p["d_info_bits_lts_minus_xent_equal_data"]
        c = p["d_info_shortest_bits_lts_minus_xent_equal_data"]
        t3.add_row(key, *(_fmt(x["mean"], x["ci"]) for x in (a, b, c)))
    console.print(t3)


def _figure(runs, budgets, rows_list, path: Path) -> None:
    from kairos.plotting import new_figure, save_figure

    fig, _ = new_figure(15, 4.2)
    fig.clf()
    axes = fig.subplots(1, 4)
    panels = (
        ("train_solved", "training tasks solved"),
        ("mean_info_bits", "held-out I(h:D), bits (ν0 uniform, own)"),
        ("solve_small", "held-out solve rate @ small budget"),
        ("solve_large", "held-out solve rate @ large budget"),
    )
    series = [(f"lts 2^{r}", "bootstrap", "lts", r) for r in rows_list]
    series += [(f"xent 2^{r}", "bootstrap", "xent", r) for r in rows_list]
    series += [("memoriser", "memoriser", None, None), ("none", "none", "none", None)]
    for ax, (key, label) in zip(axes, panels, strict=True):
        for name, kind, objective, rows in series:
            pts = [
                r for r in runs
                if r.get("kind") == kind and "B0" in r
                and (objective is None or r.get("objective") == objective)
                and (rows is None or r.get("rows_log2") == rows)
            ]  # fmt: skip
            if not pts:
                continue
            x = [r["B0"] for r in pts]
            y = [r[key] for r in pts]
            style = "-o" if objective == "lts" else "--s" if objective == "xent" else ":^"
            line = ax.plot(x, y, style, label=name, alpha=0.85)[0]
            if f"{key}_ci" in pts[0]:
                lo = [r[f"{key}_ci"][0] for r in pts]
                hi = [r[f"{key}_ci"][1] for r in pts]
                ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.12)
        ax.set_xscale("log")
        ax.set_xlabel("initial budget B₀ (expansions)")
        ax.set_title(label, fontsize=9)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, str(path))


if __name__ == "__main__":
    main()
