"""``kairos train``: bootstrap a policy on a set of training problems."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt

ObjectiveChoice = opt.choices("ObjectiveChoice", ("lts", "xent"))
PolicyKindChoice = opt.choices("PolicyKindChoice", ("cm", "nn"))
FitMethodChoice = opt.choices("FitMethodChoice", ("lbfgsb", "lbfgsb-fused", "lbfgs"))


def train(
    domain: opt.Domain,
    levels: Annotated[
        list[Path], opt.levels_option("Training problem file(s); repeat for several.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Run folder; gets policy.kpol.")],
    objective: Annotated[
        ObjectiveChoice, typer.Option(help="Training loss.")
    ] = ObjectiveChoice.lts,
    policy_kind: Annotated[
        PolicyKindChoice,
        typer.Option("--policy-kind", help="Context model (cm) or convolutional network (nn)."),
    ] = PolicyKindChoice.cm,
    budget: Annotated[int, typer.Option(help="Initial expansion budget per problem.")] = 2_000,
    l2: Annotated[
        float | None,
        typer.Option(help="L2 weight toward zero weights [default: 1e-4; programs 1e-2]."),
    ] = None,
    limit: opt.Limit = None,
    jobs: opt.Jobs = os.cpu_count() or 1,
    executor: opt.Executor = opt.ExecutorChoice.local,
    ray_address: opt.RayAddress = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Wall-clock cap in seconds.")
    ] = None,
    max_expansions: Annotated[
        int | None, typer.Option(help="Cap on expansions over the whole run.")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Continue the run in --out.")] = False,
    seed: Annotated[int, typer.Option(help="Hash seed of the contexts.")] = 0,
    deadlocks: opt.Deadlocks = opt.DeadlockChoice.off,
    fit_method: Annotated[
        FitMethodChoice,
        typer.Option(
            "--fit-method",
            help="Context-model refit: scipy L-BFGS-B (lbfgsb), the same on the fused "
            "kernel, or kairos's L-BFGS on the fused kernel (lbfgs).",
        ),
    ] = FitMethodChoice.lbfgsb,
    fit_max_iter: Annotated[
        int,
        typer.Option(
            "--fit-max-iter",
            help="Iterations per refit (warm-started; 50 with lbfgs cost 1/14 of 500 with "
            "lbfgsb at +1.5% validation expansions, bench/RESULTS.md).",
        ),
    ] = 500,
    contexts: Annotated[
        str,
        typer.Option(
            "--contexts",
            help="Context set of the context model: base; sokoban also push (+ the cells a "
            "push meets) and push-dead (+ dead cells as their own tiles).",
        ),
    ] = "base",
    min_new_fraction: Annotated[
        float,
        typer.Option(
            "--min-new-fraction",
            help="Double the budget when an iteration solves fewer than this fraction of "
            "the problems it attempted.",
        ),
    ] = 0.05,
    max_budget: Annotated[
        int, typer.Option("--max-budget", help="The budget never doubles past this.")
    ] = 1 << 24,
    as_json: opt.Json = False,
    rounds: Annotated[
        int, typer.Option(help="programs: rounds of solve, fit, library (budget x4 each).")
    ] = 3,
    library: Annotated[
        bool, typer.Option(help="programs: learn a Stitch library after every fit.")
    ] = True,
) -> None:
    """Bootstrap-train a policy: solve, learn from the solutions, double the budget, repeat.

    For ``programs``: solve, fit the grammar with the LTS loss, learn a library
    with Stitch, raise the budget; the run folder gets ``policy.kprog``.
    """
    from kairos.errors import ValidationError

    if domain.value == "programs":
        from kairos.cli.train_programs import train_programs_command

        for flag, given in (("--resume", resume), ("--policy-kind", policy_kind.value != "cm"),
                            ("--max-expansions", max_expansions is not None),
                            ("--deadlocks", deadlocks.value != "off"),
                            ("--fit-method", fit_method.value != "lbfgsb"),
                            ("--fit-max-iter", fit_max_iter != 500),
                            ("--contexts", contexts != "base"),
                            ("--min-new-fraction", min_new_fraction != 0.05),
                            ("--max-budget", max_budget != 1 << 24)):  # fmt: skip
            if given:
                raise ValidationError(flag, "not supported by the program bootstrap; drop it")
        train_programs_command(
            levels, out, budget=budget, rounds=rounds, objective=objective.value,
            l2=1e-2 if l2 is None else l2, limit=limit, time_limit=time_limit, library=library,
        )  # fmt: skip
        return
    if rounds != 3 or not library:
        raise ValidationError(
            "--rounds" if rounds != 3 else "--no-library", "only for the programs domain"
        )
    l2 = 1e-4 if l2 is None else l2
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.progress import TimeElapsedColumn as Elapsed
    from rich.table import Table

    from kairos.errors import ValidationError
    from kairos.learn.bootstrap import CHECKPOINT_NAME, BootstrapConfig, run_bootstrap
    from kairos.runfolder import RunFolder
    from kairos.search.parallel import check_executor, connect

    check_executor(executor.value, jobs)
    if fit_max_iter < 1:
        raise ValidationError("--fit-max-iter", f"got {fit_max_iter}, expected >= 1")
    from kairos.policy.contexts import CONTEXT_SETS

    if contexts not in CONTEXT_SETS.get(domain.value, {"base": None}):
        known = list(CONTEXT_SETS.get(domain.value, {"base": None}))
        raise ValidationError("--contexts", f"got {contexts!r:.40}, expected one of {known}")
    if max_budget < budget:
        raise ValidationError("--max-budget", f"got {max_budget}, expected >= --budget {budget}")
    if not 0 <= min_new_fraction <= 1:
        raise ValidationError("--min-new-fraction", f"got {min_new_fraction}, expected in [0, 1]")
    problems = opt.load_problems(domain.value, levels, limit=limit)
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
        policy=policy_kind.value,
        executor=executor.value,
        deadlocks=deadlocks.value,
        fit_method=fit_method.value,
        fit_max_iter=fit_max_iter,
        contexts=contexts,
        min_new_fraction=min_new_fraction,
        max_budget=max_budget,
    )
    if executor.value == "ray":
        connect(ray_address, jobs)
    if resume:
        run = RunFolder.reopen(out)
    else:
        run = RunFolder.create(
            out,
            command="train",
            config={**config.__dict__, "levels": [str(p) for p in levels], "limit": limit},
            seed=seed,
            must_be_new=True,
            hint="pass --resume to continue it, or give a new --out",
        )
    console = opt.console(stderr=as_json)
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
    summary = {"problems": len(problems), **state.summary()}
    if (out / "run.json").is_file():
        run.record_results(summary)
    if as_json:
        opt.echo_json({**summary, "log": state.log})
        return
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
        opt.console(stderr=True).print(
            f"[yellow]warning: no training problem was solved, so {out / 'policy.kpol'} is the "
            "untrained initial policy; raise --budget or use easier --levels[/yellow]"
        )
    console.print(
        f"stopped: {state.stop_reason} · solved {len(state.solved)}/{len(problems)} · "
        f"policy: {out / 'policy.kpol'}"
    )


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(app, "train", train)
