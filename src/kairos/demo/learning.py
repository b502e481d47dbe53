"""Demo section: learning to search faster (bootstrap learning of a context model)."""

from __future__ import annotations

import csv

from kairos.demo.context import DemoContext
from kairos.report import Section


def _plot_run(log: list[dict], title: str):
    from kairos.plotting import new_figure

    fig, _ = new_figure(9.0, 3.2)
    fig.clf()
    ax1, ax2 = fig.subplots(1, 2)
    its = [int(r["iteration"]) for r in log]
    ax1.bar(its, [float(r["expansions"]) for r in log])
    ax1.set_yscale("log")
    ax1.set_xlabel("bootstrap iteration")
    from matplotlib.ticker import MaxNLocator

    ax1.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax1.set_ylabel("expansions in the iteration")
    for it, r in zip(its, log, strict=True):
        ax1.annotate(
            f"B={int(r['budget']):,}",
            (it, float(r["expansions"])),
            fontsize=6,
            ha="center",
            va="bottom",
            rotation=90,
        )
    ax2.plot(
        [0.0] + [float(r["wall_s"]) for r in log], [0] + [int(r["solved"]) for r in log], marker="o"
    )
    ax2.set_xlabel("wall time (s)")
    ax2.set_ylabel(f"problems solved (of {log[0]['problems'] if log else 0})")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def section(ctx: DemoContext) -> Section:
    """A short live bootstrap run on bundled levels, and the shipped policy against uniform."""
    from kairos.data import (
        BOXOBAN_DEMO,
        BOXOBAN_POLICY,
        BOXOBAN_POLICY_LOG,
        STP_3X3_DEMO,
        data_path,
    )
    from kairos.domains.sokoban import read_levels
    from kairos.domains.stp import read_instances
    from kairos.learn.bootstrap import BootstrapConfig, run_bootstrap
    from kairos.policy import UniformPolicy
    from kairos.policy.files import load_policy
    from kairos.search import SearchConfig, search
    from kairos.search.summary import summarise

    levels = read_levels(data_path(BOXOBAN_DEMO))
    if ctx.quick:  # smoke test of the code path: small puzzles, small budget
        domain, live, budget0 = "stp", read_instances(data_path(STP_3X3_DEMO))[:8], 100
        what = "bundled 3×3 sliding-tile puzzles"
    else:
        domain, live, budget0 = "sokoban", levels, 2000
        what = "bundled Boxoban training levels"
    time_limit = 5.0 if ctx.quick else 30.0  # seconds: the live run stays a small share
    events = []
    with ctx.progress("learning: bootstrap on bundled levels", len(live)) as advance:

        def on_event(kind: str, info: dict) -> None:
            events.append(kind)
            if kind == "attempt" and info["new"]:
                advance()

        state, _ = run_bootstrap(
            live,
            ctx.run.file("bootstrap"),
            BootstrapConfig(
                domain=domain, initial_budget=budget0, l2=1e-5, time_limit_s=time_limit, jobs=1
            ),
            on_event=on_event,
        )
    section = Section("Learning to search faster: bootstrap LTS with a context model")
    section.text(
        "Bootstrap learning (kairos.agent): attempt every unsolved level with LTS and budget B, "
        "fit the context model π(a|s) ∝ exp(Σ_c β[c,a]) (mixed with uniform at ε = 1e-3) to all "
        "solutions found so far by minimising the LTS loss log Σ_i d_i/π(n_i) with L-BFGS, and "
        "double B when fewer than 5% of the attempts succeed. "
        f"Live run on {len(live)} {what}, capped at {time_limit:.0f} s: "
        f"{len(state.solved)}/{len(live)} solved ({state.stop_reason})."
    )
    if state.log:
        section.table(
            [
                {
                    k: r[k]
                    for k in (
                        "iteration",
                        "budget",
                        "attempted",
                        "new_solved",
                        "solved",
                        "expansions",
                        "solve_s",
                        "train_s",
                        "wall_s",
                    )
                }
                for r in state.log
            ],
            caption="Live bootstrap run, one row per iteration",
        )
        section.figure(
            _plot_run(state.log, f"live run ({what})"),
            caption="Expansions per bootstrap iteration; solved count against wall time.",
        )
    ctx.results["learning.live"] = {"solved": len(state.solved), "levels": len(live)}

    shipped_log = data_path(BOXOBAN_POLICY_LOG)
    with open(shipped_log, newline="") as fh:
        log = list(csv.DictReader(fh))
    policy = load_policy(data_path(BOXOBAN_POLICY), domain="sokoban")
    budgets = [int(r["budget"]) for r in log]
    section.figure(
        _plot_run(log, "the shipped policy's training run (bench/boxoban_curve.py)"),
        caption="The training run that produced the shipped Boxoban policy (recorded log "
        f"shipped with the policy): from scratch on the first {int(log[0]['problems']):,} "
        f"Boxoban training levels, {int(log[-1]['solved']):,} solved in {len(log)} iterations "
        f"(budget {min(budgets):,} to {max(budgets):,} expansions), one process, LTS with the "
        f"deadlock cut, 50-iteration L-BFGS refits, {policy.spec.num_patterns} contexts per "
        f"state ({'dead cells as tiles' if policy.spec.tiles == 'dead' else 'plain tiles'}).",
    )
    test = levels[:5] if ctx.quick else levels
    budget = 5_000 if ctx.quick else 50_000
    rows = []
    with ctx.progress("learning: shipped policy vs uniform", 2 * len(test)) as advance:
        for name, pol in (("LTS, uniform policy", UniformPolicy()), ("LTS, shipped CM", policy)):
            found = []
            for level in test:
                found.append(search(level, SearchConfig(budget=budget), pol))
                advance()
            s = summarise(found)
            rows.append(
                {
                    "policy": name,
                    "budget": budget,
                    "solved": f"{s['solved']}/{s['problems']}",
                    "mean expansions": s["mean_expansions"],
                    "median expansions": s["median_expansions"],
                    "seconds": s["seconds"],
                }
            )
    section.table(
        rows,
        caption="The shipped Boxoban policy against uniform on the bundled levels "
        "(which are among its training levels: this shows speed, not generalisation; "
        "see bench/RESULTS.md for held-out figures)",
    )
    return section
