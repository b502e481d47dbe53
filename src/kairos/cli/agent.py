"""``kairos allocate`` and ``kairos audit``: spending time by its value, and auditing it."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt


def allocate(
    domain: opt.Domain,
    levels: Annotated[
        list[Path], typer.Option("--levels", help="Tasks to solve; repeat for several files.")
    ],
    train_levels: Annotated[
        list[Path],
        typer.Option("--train-levels", help="Tasks to fit the value-of-time predictor on."),
    ],
    budget: Annotated[int, typer.Option(help="Global expansion budget for all tasks.")] = 2_000_000,
    value: Annotated[
        float | None,
        typer.Option(help="Expansions a solve is worth (default: the whole --budget)."),
    ] = None,
    first_slice: Annotated[int, typer.Option(help="First slice of every task.")] = 1000,
    train_cap: Annotated[int, typer.Option(help="Expansion cap per training task.")] = 200_000,
    policy: Annotated[str, typer.Option(help="'uniform' or a policy file (.kpol).")] = "uniform",
    jobs: opt.Jobs = 1,
    out: opt.Out = None,
    as_json: opt.Json = False,
) -> None:
    """Spend one budget on a batch of tasks by predicted value of time, against two baselines."""
    from kairos.agent.episode import run_agent
    from kairos.errors import ValidationError
    from kairos.policy import policy_by_name
    from kairos.runfolder import RunFolder

    if budget < 1:
        raise ValidationError("--budget", f"got {budget}, expected a positive integer")
    if jobs < 1:
        raise ValidationError("--jobs", f"got {jobs}, expected >= 1")
    if value is not None and value <= 0:
        raise ValidationError("--value", f"got {value}, expected > 0")
    tasks = opt.load_problems(domain.value, levels)
    train = opt.load_problems(domain.value, train_levels)
    pol = policy_by_name(policy, domain=domain.value)
    run = RunFolder.create(
        opt.run_dir(out, "allocate"),
        command="allocate",
        config={
            "domain": domain.value,
            "levels": [str(p) for p in levels],
            "train_levels": [str(p) for p in train_levels],
            "budget": budget,
            "value": value,
            "first_slice": first_slice,
            "train_cap": train_cap,
            "policy": policy,
            "jobs": jobs,
        },
        seed=None,
    )
    console = opt.console(stderr=as_json)
    with console.status("starting") as status:
        result = run_agent(
            tasks, train, run, budget=budget, value=value, first_slice=first_slice,
            train_cap=train_cap, policy=pol, jobs=jobs, on_stage=lambda msg: status.update(msg),
        )  # fmt: skip
    summary = json.loads(run.file("allocation.json").read_text())
    run.record_results(summary)
    if as_json:
        opt.echo_json({"allocation": summary, "audit": result})
        return
    _print_allocation(console, summary)
    _print_audit(console, result)
    console.print(f"run folder: {run.path}")


def audit(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by kairos allocate.")],
    as_json: opt.Json = False,
) -> None:
    """Report the traits of non-intelligence of an agent run."""
    from kairos.agent.episode import audit_run

    result = audit_run(run_dir)
    if as_json:
        opt.echo_json(result)
        return
    _print_audit(opt.console(), result)


def _print_allocation(console, summary: dict) -> None:
    from rich.table import Table

    table = Table(title="one global budget, three ways to spend it")
    for col in ("method", "solved", "expansions", "hopeless share"):
        table.add_column(col, justify="right")
    for method, s in summary.items():
        table.add_row(
            method,
            f"{s['solved']}/{s['tasks']}",
            f"{s['expansions']:,}",
            f"{s['hopeless_share']:.2f}",
        )
    console.print(table)
    for method, s in summary.items():
        gave_up = s.get("abandoned", [])
        if gave_up:
            console.print(
                f"[yellow]{method} abandoned {len(gave_up)}/{s['tasks']} task(s):[/yellow]"
            )
        for a in gave_up:
            console.print(f"  {a['problem']}: {a['reason']}")


def _print_audit(console, result: dict) -> None:
    from rich.table import Table

    rep, eff, hop = (
        result["repeated_tasks"],
        result["effort_vs_difficulty"],
        result["hopeless_starts"],
    )
    table = Table(title="TONI audit (traits of non-intelligence)")
    for col in ("trait", "measure", "value", "target", "met"):
        table.add_column(col)

    def fmt(x: float) -> str:
        return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"

    table.add_row(
        "same time on a repeated task",
        f"second ÷ first expansions ({rep['tasks']} tasks)",
        fmt(rep["ratio"]),
        "0",
        "yes" if rep["met"] else "no",
    )
    table.add_row(
        "same effort on easy and hard",
        f"Spearman(expansions, {eff['difficulty_measure']}) ({eff['tasks']} tasks)",
        fmt(eff["spearman"]),
        f"≥ {eff['target']}",
        "yes" if eff["met"] else "no",
    )
    shares = ", ".join(f"{m} {v:.2f}" for m, v in hop["share_by_method"].items())
    table.add_row(
        "starting what cannot finish",
        "share of expansions on never-solved tasks",
        shares,
        "agent lowest",
        "yes" if hop["agent_lowest"] else "no",
    )
    console.print(table)


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(app, "allocate", allocate)
    command(app, "audit", audit)
