"""``kairos speedup`` on a program run: the law for uniform, learned grammar and grammar + library."""

from __future__ import annotations

import json
import math
from pathlib import Path


def is_program_run(run_dir: Path) -> bool:
    """Whether ``run_dir`` is a ``kairos train programs`` run folder."""
    from kairos.domains.programs.policy_file import RUN_POLICY_NAME

    return (Path(run_dir) / RUN_POLICY_NAME).exists()


def speedup_programs_command(
    run_dir: Path,
    levels: list[Path],
    *,
    budget: int,
    limit: int | None,
    holdout: int,
    time_limit: float | None,
    resamples: int,
    seed: int,
    as_json: bool,
    out: Path | None,
) -> None:
    """Search held-out tasks under the three priors of a program run and fit the law.

    Writes ``speedup.json`` (fits), ``speedup.csv`` (one row per task and
    learned prior) and ``speedup.png`` (:func:`kairos.speedup.programs.law_figure`).

    Raises
    ------
    ValidationError
        Bad ``--budget`` or ``--limit``.
    FileFormatError
        The run's policy files are missing or damaged.
    """
    import typer
    from rich.console import Console
    from rich.table import Table

    from kairos.domains.programs.policy_file import (
        RUN_GRAMMAR_POLICY_NAME,
        RUN_POLICY_NAME,
        ProgramPolicy,
    )
    from kairos.domains.programs.tasks import read_tasks
    from kairos.errors import ValidationError
    from kairos.plotting import save_figure
    from kairos.runfolder import RunFolder
    from kairos.speedup.programs import (
        law_figure,
        law_table,
        measure_program_priors,
        program_law,
    )

    if budget < 1:
        raise ValidationError("--budget", f"got {budget}, expected a positive integer")
    if time_limit is not None and not time_limit > 0:
        raise ValidationError("--time-limit", f"got {time_limit}, expected > 0 CPU seconds")
    tasks = [t for path in levels for t in read_tasks(path)]
    if limit is not None:
        if limit < 1:
            raise ValidationError("--limit", f"got {limit}, expected >= 1")
        tasks = tasks[:limit]
    priors = {
        "uniform": ProgramPolicy.uniform(),
        "learned": ProgramPolicy.load(run_dir / RUN_GRAMMAR_POLICY_NAME),
        "learned+library": ProgramPolicy.load(run_dir / RUN_POLICY_NAME),
    }
    run = RunFolder.create(
        out or run_dir / "speedup",
        command="speedup",
        config={"run_dir": str(run_dir), "levels": [str(p) for p in levels], "budget": budget,
                "limit": limit, "holdout": holdout, "time_limit_s": time_limit},
        seed=seed,
    )  # fmt: skip
    console = Console(stderr=as_json)
    with console.status("searching under three priors"):
        results = measure_program_priors(
            tasks,
            priors,
            holdout=holdout,
            budget=budget,
            time_limit_s=math.inf if time_limit is None else time_limit,
        )
    law = program_law(tasks, priors, results, resamples=resamples, seed=seed)
    summary = {
        "solved": {n: sum(r.solved for r in res) for n, res in results.items()},
        "generalized": {n: sum(r.generalized for r in res) for n, res in results.items()},
        "tasks": len(tasks),
        "fits": {n: v["fit"] for n, v in law.items()},
    }
    run.write_json("speedup.json", summary)
    run.write_csv("speedup.csv", [{"prior": n, **r} for n, v in law.items() for r in v["rows"]])
    save_figure(law_figure(law), str(run.file("speedup.png")))
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    table = Table(title=f"log2 speed-up against I(h:D) on {len(tasks)} program tasks")
    for col in ("prior", "variant", "slope", "intercept", "R²", "n"):
        table.add_column(col, justify="right")
    for row in law_table(law):
        table.add_row(row["prior"], row["variant"], f"{row['slope']:.3f}",
                      f"{row['intercept']:.3f}", f"{row['r2']:.3f}", str(row["n"]))  # fmt: skip
    console.print(table)
    console.print(
        "solved: " + ", ".join(f"{n} {k}/{len(tasks)}" for n, k in summary["solved"].items())
    )
    console.print(f"results: {run.path} (speedup.json, speedup.csv, speedup.png)")
