"""``kairos allocate``, ``kairos audit`` and ``kairos speedup``: the agent measured in time."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from kairos.domains import DomainName
from kairos.outputs import new_run_path


def allocate(
    domain: Annotated[DomainName, typer.Argument(help="Problem domain.")],
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
    out: Annotated[
        Path | None, typer.Option(help="Run folder (default: runs/allocate-<timestamp>).")
    ] = None,
) -> None:
    """Spend one budget on a batch of tasks by predicted value of time, against two baselines."""
    from rich.console import Console

    from kairos.agent.episode import run_agent
    from kairos.domains import load_domain_file
    from kairos.errors import ValidationError
    from kairos.policy import policy_by_name
    from kairos.runfolder import RunFolder

    if budget < 1:
        raise ValidationError("--budget", f"got {budget}, expected a positive integer")
    if value is not None and value <= 0:
        raise ValidationError("--value", f"got {value}, expected > 0")
    tasks = [p for path in levels for p in load_domain_file(domain.value, path)]
    train = [p for path in train_levels for p in load_domain_file(domain.value, path)]
    pol = policy_by_name(policy, domain=domain.value)
    run = RunFolder.create(
        out or new_run_path("allocate"),
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
        },
        seed=None,
    )
    console = Console()
    with console.status("starting") as status:
        result = run_agent(
            tasks, train, run, budget=budget, value=value, first_slice=first_slice,
            train_cap=train_cap, policy=pol, on_stage=lambda msg: status.update(msg),
        )  # fmt: skip
    summary = json.loads(run.file("allocation.json").read_text())
    _print_allocation(console, summary)
    _print_audit(console, result)
    console.print(f"run folder: {run.path}")


def audit(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by kairos allocate.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the measures as JSON.")] = False,
) -> None:
    """Report the traits of non-intelligence of an agent run."""
    from rich.console import Console

    from kairos.agent.episode import audit_run

    result = audit_run(run_dir)
    if as_json:
        from kairos.runfolder import json_text

        typer.echo(json_text(result), nl=False)
        return
    _print_audit(Console(), result)


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


def speedup(
    run_dir: Annotated[Path, typer.Argument(help="A kairos train run folder (its solutions).")],
    levels: Annotated[
        list[Path], typer.Option("--levels", help="Held-out tasks; repeat for several files.")
    ],
    sizes: Annotated[
        str, typer.Option(help="Nested training-set sizes for the priors, e.g. '8,32,128,all'.")
    ] = "8,32,128,all",
    budget: Annotated[int, typer.Option(help="Expansion budget per task and prior.")] = 1_000_000,
    limit: Annotated[int | None, typer.Option(help="Use only the first N tasks.")] = None,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples for the CIs.")] = 1000,
    compressor: Annotated[str, typer.Option(help="Compressor for C(h) - C(h|D).")] = "cm",
    base: Annotated[
        str, typer.Option(help="nu0: 'uniform', or 'smallest' (the smallest subset's prior).")
    ] = "uniform",
    seed: Annotated[int, typer.Option(help="Seed of the subset order and the bootstrap.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Where to write results (default RUN_DIR/speedup).")
    ] = None,
) -> None:
    """Measure log2 speed-up against I(h:D) = l_nu0(h) - l_nuD(h) on held-out tasks."""
    from rich.console import Console

    from kairos.domains import load_domain_file
    from kairos.errors import InputFormatError, ValidationError
    from kairos.learn.bootstrap import load_checkpoint
    from kairos.runfolder import RunFolder
    from kairos.speedup.experiment import run_speedup

    meta_path = run_dir / "run.json"
    try:
        meta = json.loads(meta_path.read_text())
        train_cfg = meta["config"]
        train_files = [Path(p) for p in train_cfg["levels"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFormatError(meta_path, None, f"not a kairos train run folder: {exc}") from None
    config, state, _ = load_checkpoint(run_dir)
    problems = [p for path in train_files for p in load_domain_file(config.domain, path)]
    if train_cfg.get("limit"):
        problems = problems[: int(train_cfg["limit"])]
    tasks = [p for path in levels for p in load_domain_file(config.domain, path)]
    if limit is not None:
        if limit < 1:
            raise ValidationError("--limit", f"got {limit}, expected >= 1")
        tasks = tasks[:limit]
    if not state.solved:
        raise ValidationError("RUN_DIR", f"{run_dir} has no solved training problems yet")
    try:
        wanted = [len(state.solved) if s == "all" else int(s) for s in sizes.split(",")]
    except ValueError:
        raise ValidationError("--sizes", f"got {sizes!r}, expected sizes like '8,32,all'") from None
    if budget < 1:
        raise ValidationError("--budget", f"got {budget}, expected a positive integer")
    run = RunFolder.create(
        out or run_dir / "speedup",
        command="speedup",
        config={"run_dir": str(run_dir), "levels": [str(p) for p in levels], "sizes": wanted,
                "budget": budget, "limit": limit, "compressor": compressor, "base": base},
        seed=seed,
    )  # fmt: skip
    console = Console(stderr=as_json)
    with console.status("starting") as status:
        summary, rows = run_speedup(
            tasks, problems, state.solved, domain=config.domain, sizes=wanted, budget=budget,
            objective=config.objective, l2=config.l2, seed=seed, resamples=resamples,
            compressor=compressor, base=base, on_stage=lambda msg: status.update(msg),
        )  # fmt: skip
    from kairos.speedup.measure import MIN_PAIRS_FOR_FIT

    summary["min_pairs_for_fit"] = MIN_PAIRS_FOR_FIT
    run.write_json("speedup.json", summary)
    run.write_csv("speedup.csv", rows)
    console.print(
        f"tasks solved under both priors: {summary['n']} (a fit needs {MIN_PAIRS_FOR_FIT})"
    )
    if summary["n"] < MIN_PAIRS_FOR_FIT:
        raise ValidationError(
            "--levels",
            f"only {summary['n']} task(s) solved under both priors; the law is not fitted below "
            f"{MIN_PAIRS_FOR_FIT} (give more held-out tasks or a larger --budget; the counts per "
            f"prior are in {run.file('speedup.json')})",
        )
    from kairos.speedup.figure import plot_speedup

    plot_speedup(rows, summary, run.file("speedup.png"))
    if as_json:
        from kairos.runfolder import json_text

        typer.echo(json_text(summary), nl=False)
        return
    _print_speedup(console, summary)
    console.print(f"results: {run.path} (speedup.json, speedup.csv, speedup.png)")


def _print_speedup(console, summary: dict) -> None:
    from rich.table import Table

    def fmt(fit: dict | None, key: str) -> str:
        if not fit or fit.get(key) is None or math.isnan(fit.get(key, math.nan)):
            return "n/a"
        ci = fit.get(f"{key}_ci") or [math.nan, math.nan]
        return f"{fit[key]:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"

    table = Table(title="log2 speed-up against I(h:D) (95% bootstrap CIs)")
    for col in ("measure", "n", "slope", "intercept (bits)", "R²"):
        table.add_column(col)
    for label, fit in (
        ("primary: own solutions, tree search", summary),
        ("shared path hD", summary.get("shared_path")),
        ("LTS bound instead of time", summary.get("bound")),
        ("state-cut search", summary.get("state_cut")),
        ("bits written by the coder", summary.get("coded")),
    ):
        if fit:
            table.add_row(label, str(fit.get("n", 0)), fmt(fit, "slope"),
                          fmt(fit, "intercept"), fmt(fit, "r2"))  # fmt: skip
    console.print(table)
