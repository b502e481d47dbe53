"""``kairos train programs``: the program bootstrap from the command line (see :mod:`kairos.learn.programs`)."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path


def train_programs_command(
    levels: list[Path],
    out: Path,
    *,
    budget: int,
    rounds: int,
    objective: str,
    l2: float,
    limit: int | None,
    time_limit: float | None,
    library: bool = True,
) -> None:
    """Bootstrap a program prior and library on the tasks in ``levels``; write the run folder ``out``.

    Raises
    ------
    ValidationError
        Bad ``limit`` or settings (named as the CLI flags).
    InputFormatError
        A malformed task file.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from kairos.domains.programs.tasks import read_tasks
    from kairos.errors import ValidationError
    from kairos.learn.programs import (
        GRAMMAR_POLICY_NAME,
        POLICY_NAME,
        ProgramTrainConfig,
        train_programs,
    )
    from kairos.runfolder import RunFolder

    if limit is not None and limit < 1:
        raise ValidationError("--limit", f"got {limit}, expected >= 1")
    tasks = [t for path in levels for t in read_tasks(path)]
    if limit is not None:
        tasks = tasks[:limit]
    try:
        config = ProgramTrainConfig(
            initial_budget=budget,
            rounds=rounds,
            objective=objective,
            l2=l2,
            time_limit_s=time_limit,
            library=library,
        )
    except ValidationError as exc:
        flag = {"initial_budget": "--budget", "time_limit_s": "--time-limit"}.get(
            exc.field, f"--{exc.field.replace('_', '-')}"
        )
        raise ValidationError(flag, exc.message) from None
    config_json = {
        **asdict(config),
        "task_time_limit_s": (
            None if math.isinf(config.task_time_limit_s) else config.task_time_limit_s
        ),
    }
    RunFolder.create(
        out,
        command="train",
        config={"domain": "programs", "levels": [str(p) for p in levels], "limit": limit,
                **config_json},
        seed=None,
        must_be_new=True,
        hint="give a new --out",
    )  # fmt: skip
    console = Console()
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        task = bar.add_task("bootstrap", total=len(tasks))

        def on_event(kind: str, info: dict) -> None:
            if kind == "round":
                bar.update(task, description=f"round {info['round']} · budget {info['budget']:,}")
            elif kind == "attempt":
                bar.update(task, completed=info["total"])

        result = train_programs(tasks, out, config, on_event=on_event)
    table = Table(title=f"kairos train programs · {len(tasks)} tasks")
    cols = ("round", "budget", "new_solved", "solved", "bits_per_program_before",
            "bits_per_program_after", "library_size_after")  # fmt: skip
    for c in cols:
        table.add_column(c.replace("_", " "), justify="right")
    for row in result.log:
        table.add_row(*(str(row.get(c, "")) for c in cols))
    console.print(table)
    for inv, prim in zip(
        result.policy.library,
        result.policy.grammar.primitives[-len(result.policy.library) :],
        strict=False,
    ):
        console.print("  " + inv.readable(prim.type))
    console.print(
        f"solved {len(result.solutions)}/{len(tasks)} ({result.stop_reason}); "
        f"prior and library: {out / POLICY_NAME}; grammar only: {out / GRAMMAR_POLICY_NAME}; "
        f"log: {out / 'log.csv'}"
    )
