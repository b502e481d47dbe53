"""``kairos train``: bootstrap a policy on a set of training problems."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kairos.domains import DomainName


class Objective(StrEnum):
    lts = "lts"
    xent = "xent"


class Executor(StrEnum):
    local = "local"
    ray = "ray"


class PolicyKind(StrEnum):
    cm = "cm"
    nn = "nn"


def train(
    domain: Annotated[DomainName, typer.Argument(help="Problem domain.")],
    levels: Annotated[
        list[Path], typer.Option("--levels", help="Training problem file(s); repeat for several.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Run folder; gets policy.kpol.")],
    objective: Annotated[Objective, typer.Option(help="Training loss.")] = Objective.lts,
    policy: Annotated[
        PolicyKind, typer.Option(help="Context model (cm) or convolutional network (nn).")
    ] = (PolicyKind.cm),
    budget: Annotated[int, typer.Option(help="Initial expansion budget per problem.")] = 2_000,
    l2: Annotated[float, typer.Option(help="L2 weight toward zero weights.")] = 1e-4,
    limit: Annotated[
        int | None, typer.Option(help="Use only the first N problems of the files.")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Worker processes (local pool).")] = (
        os.cpu_count() or 1
    ),
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Wall-clock cap in seconds.")
    ] = None,
    max_expansions: Annotated[
        int | None, typer.Option(help="Cap on expansions over the whole run.")
    ] = None,
    executor: Annotated[
        Executor, typer.Option(help="Local process pool, or Ray (optional extra).")
    ] = Executor.local,
    resume: Annotated[bool, typer.Option(help="Continue the run in --out.")] = False,
    seed: Annotated[int, typer.Option(help="Hash seed of the contexts.")] = 0,
) -> None:
    """Bootstrap-train a policy: solve, learn from the solutions, double the budget, repeat."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.progress import TimeElapsedColumn as Elapsed
    from rich.table import Table

    from kairos.domains import load_domain_file
    from kairos.errors import ValidationError
    from kairos.learn.bootstrap import CHECKPOINT_NAME, BootstrapConfig, run_bootstrap
    from kairos.runfolder import RunFolder

    if limit is not None and limit < 1:
        raise ValidationError("--limit", f"got {limit}, expected >= 1")
    problems = [p for path in levels for p in load_domain_file(domain.value, path)]
    if limit is not None:
        problems = problems[:limit]
    if resume and not (out / CHECKPOINT_NAME).exists():
        raise ValidationError("--resume", f"no checkpoint {out / CHECKPOINT_NAME} to resume")
    config = BootstrapConfig(
        domain=domain.value,
        initial_budget=budget,
        objective=objective.value,
        l2=l2,
        time_limit_s=time_limit,
        max_expansions=max_expansions,
        jobs=jobs,
        seed=seed,
        policy=policy.value,
        executor=executor.value,
    )
    if not resume:
        RunFolder.create(
            out,
            command="train",
            config={
                **config.__dict__,
                "levels": [str(p) for p in levels],
                "limit": limit,
            },
            seed=seed,
            must_be_new=True,
            hint="pass --resume to continue it, or give a new --out",
        )
    console = Console()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        Elapsed(),
        console=console,
    ) as bar:
        task = bar.add_task("bootstrap", total=len(problems))

        def on_event(kind: str, info: dict) -> None:
            if kind == "iteration":
                bar.update(
                    task,
                    completed=info["solved"],
                    description=f"iter {info['iteration']} · budget {info['budget']:,} · solved",
                )
            elif info["new"]:
                bar.update(task, completed=info["solved"])

        state, _ = run_bootstrap(problems, out, config, resume=resume, on_event=on_event)
    table = Table(title=f"kairos train {domain.value} · {objective.value}")
    for col in ("iter", "budget", "new", "solved", "expansions", "wall s"):
        table.add_column(col, justify="right")
    for row in state.log:
        table.add_row(
            str(row["iteration"]),
            f"{row['budget']:,}",
            str(row["new_solved"]),
            f"{row['solved']}/{row['problems']}",
            f"{row['expansions']:,}",
            f"{row['wall_s']:.1f}",
        )
    console.print(table)
    if not state.solved:
        Console(stderr=True).print(
            f"[yellow]warning: no training problem was solved, so {out / 'policy.kpol'} is the "
            "untrained initial policy; raise --budget or use easier --levels[/yellow]"
        )
    console.print(
        f"stopped: {state.stop_reason} · solved {len(state.solved)}/{len(problems)} · "
        f"policy: {out / 'policy.kpol'}"
    )
