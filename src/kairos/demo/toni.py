"""Demo section: spending a budget like an agent, and the TONI audit of that agent."""

from __future__ import annotations

from kairos.demo.context import DemoContext
from kairos.report import Section


def _tasks(quick: bool):
    """(label, training tasks, tasks, global budget, expansion cap per training task)."""
    if quick:  # seconds: small sliding-tile puzzles, just to exercise the machinery
        from kairos.domains.stp import generate

        train = [generate(3, 3 + s, seed=100 + s) for s in range(9)]
        tasks = [generate(3, 4 + s, seed=s) for s in range(4)] + [generate(4, 80, seed=7)]
        return "sliding-tile puzzles", train, tasks, 20_000, 5_000
    from kairos.data import BOXOBAN_DEMO, data_path
    from kairos.domains.deadlock import dead_variant
    from kairos.domains.sokoban import read_levels

    levels = read_levels(data_path(BOXOBAN_DEMO))
    train, tasks = levels[:30], levels[30:55]
    dead = [dead_variant(lv, seed=i) for i, lv in enumerate(levels[55:60])]
    return "Boxoban levels", train, tasks + dead, 2_500_000, 100_000


def section(ctx: DemoContext) -> Section:
    """Allocate one budget over live and dead Boxoban levels; audit repeats, effort, waste."""
    import json

    from kairos.agent.episode import run_agent
    from kairos.plotting import new_figure
    from kairos.runfolder import RunFolder

    label, train, tasks, budget, train_cap = _tasks(ctx.quick)
    run = RunFolder.create(
        ctx.run.file("agent"),
        command="demo:agent",
        config={"budget": budget, "tasks": len(tasks), "train": len(train)},
        seed=ctx.seed,
    )
    with ctx.progress("agent: value of time, allocation, audit", 6) as advance:
        audit = run_agent(
            tasks, train, run, budget=budget, train_cap=train_cap,
            first_slice=50 if ctx.quick else 1000,
            on_stage=lambda msg: advance(description=f"agent: {msg}"),
        )  # fmt: skip
    allocation = json.loads(run.file("allocation.json").read_text())
    predictor = json.loads(run.file("predictor.json").read_text())

    fig, _ = new_figure(10, 3.6)
    fig.clf()
    ax1, ax2 = fig.subplots(1, 2)
    for method, summary in allocation.items():
        spent, solved = zip(*summary["trace"], strict=True)
        ax1.step(spent, solved, where="post", label=method)
    ax1.set_xlabel("expansions spent (all tasks)")
    ax1.set_ylabel("tasks solved")
    ax1.legend(fontsize=8)
    rel = predictor["reliability"]
    ax2.plot([0, 1], [0, 1], color="grey", lw=0.8)
    ax2.plot([r["predicted"] for r in rel], [r["observed"] for r in rel], "o-")
    ax2.set_xlabel("predicted P(solve within Δ more expansions)")
    ax2.set_ylabel("observed rate")
    ax2.set_title("predictor reliability (held-out training levels)", fontsize=9)

    rep, eff, hop = (
        audit["repeated_tasks"],
        audit["effort_vs_difficulty"],
        audit["hopeless_starts"],
    )
    section = Section("Agent: the value of time and the traits of non-intelligence")
    section.text(
        f"{len(tasks)} {label}, {sum(t.name.endswith('-dead') for t in tasks)} of them made "
        f"provably unsolvable (a box moved onto a dead cell), share one budget of {budget:,} "
        "expansions. The agent gives the next slice to the task with the highest predicted "
        "chance of success per expansion, resumes suspended searches without losing work and "
        "abandons tasks below the cost of time; the baselines give every task the same budget, "
        "or round-robin slices up to a cap. Then the agent meets its solved tasks again."
    )
    section.table(
        [
            {
                "method": m,
                "solved": f"{s['solved']}/{s['tasks']}",
                "expansions": s["expansions"],
                "hopeless share": s["hopeless_share"],
            }
            for m, s in allocation.items()
        ],
        caption="One global budget, three ways to spend it",
    )
    section.table(
        [
            {
                "trait": "same time on a repeated task",
                "measure": "second ÷ first encounter expansions",
                "value": rep["ratio"],
                "target": "0",
            },
            {
                "trait": "same effort on easy and hard tasks",
                "measure": f"Spearman(expansions, {eff['difficulty_measure']})",
                "value": eff["spearman"],
                "target": f"≥ {eff['target']}",
            },
            {
                "trait": "starting what cannot finish",
                "measure": "share of expansions on never-solved tasks (agent)",
                "value": hop["share_by_method"].get("index"),
                "target": "lowest of the three",
            },
        ],
        caption="TONI audit (also: kairos audit RUN_DIR)",
    )
    section.figure(fig, caption="Left: solved tasks against expansions spent. Right: calibration.")
    ctx.results["agent.audit"] = audit
    return section
