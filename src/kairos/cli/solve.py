"""``kairos solve``: search a file of problems and summarise."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt

AlgoChoice = opt.choices("AlgoChoice", ("lts", "bfs", "wastar", "phs"))


def solve(
    domain: opt.Domain,
    levels: Annotated[
        list[Path] | None,
        opt.levels_option(
            "Problem file(s): '--levels a.txt b.txt' or '--levels a.txt --levels b.txt'."
        ),
    ] = None,
    more_levels: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILE", help="More problem files (what a shell glob after --levels gives)."
        ),
    ] = None,
    algo: Annotated[AlgoChoice, typer.Option(help="Search algorithm.")] = AlgoChoice.lts,
    budget: opt.Budget = 100_000,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="CPU seconds per problem (domains with their own search, e.g. programs).",
            show_default=False,
        ),
    ] = None,
    holdout: Annotated[
        int,
        typer.Option(help="Examples hidden from the search, from the end (programs)."),
    ] = 0,
    policy: Annotated[
        str,
        typer.Option(
            help="'uniform', 'boxoban-cm' (the shipped Boxoban context model), 'list-dsl' "
            "(the shipped program prior and library) or a policy file trained for this "
            "domain (.kpol; .kprog or .kgram for programs)."
        ),
    ] = "uniform",
    strategy: Annotated[
        str | None,
        typer.Option(
            help="With a transformer prior (--policy list-transformer or a .ktpr file): "
            "lts (budget = nodes), sample, adaptive, vote, marginal (budget = samples) or greedy; "
            "default lts, 1 CPU s per task unless --time-limit.",
        ),
    ] = None,
    hf_model: Annotated[
        Path | None,
        typer.Option(
            "--hf-model",
            help="Programs, with the optional hf extra (pip install 'kairos\\[hf]'): a Hugging Face "
            "causal LM's folder "
            "(save_pretrained: config.json, weights, tokenizer) as the prior; needs "
            "--hf-template. --strategy sample (default), adaptive, vote, marginal or greedy; "
            "60 CPU s per task unless --time-limit.",
            show_default=False,
        ),
    ] = None,
    hf_template: Annotated[
        Path | None,
        typer.Option(
            "--hf-template",
            help="With --hf-model: the prompt-to-program template (JSON; see the README).",
            show_default=False,
        ),
    ] = None,
    weight: Annotated[float, typer.Option(help="Heuristic weight for wastar.")] = 1.5,
    heuristic: Annotated[
        str | None,
        typer.Option(
            "--heuristic",
            help="With --algo phs: the learned heuristic, 'boxoban-togo' (shipped, Sokoban) or "
            "a .kheu file (kairos train-heuristic). Default: the domain's own heuristic "
            "(Sokoban: summed box distances to the nearest goals).",
            show_default=False,
        ),
    ] = None,
    heuristic_weight: Annotated[
        float,
        typer.Option("--heuristic-weight", help="With --algo phs: w in the priority (d + w·h)/π."),
    ] = 1.0,
    deadlocks: Annotated[
        opt.DeadlockChoice | None,
        typer.Option(
            "--deadlocks",
            help="Sokoban: do not generate states with a box on a dead cell or frozen off its "
            "goal (sound). cut keeps the policy's probabilities (same solutions, fewer "
            "expansions); renormalise spreads them over the live moves. Default: cut for "
            "sokoban, off for the other domains.",
            show_default=False,
        ),
    ] = None,
    limit: opt.Limit = None,
    jobs: opt.Jobs = 1,
    executor: opt.Executor = opt.ExecutorChoice.local,
    ray_address: opt.RayAddress = None,
    results: Annotated[
        Path | None, typer.Option(help="Also write the per-problem CSV here.", show_default=False)
    ] = None,
    out: opt.Out = None,
    as_json: opt.Json = False,
) -> None:
    """Solve every problem in the given files and print a summary table."""
    import time

    from rich.progress import Progress
    from rich.table import Table

    from kairos.errors import ValidationError
    from kairos.outputs import check_output_path
    from kairos.policy import policy_by_name
    from kairos.runfolder import RunFolder, write_csv
    from kairos.search import SearchConfig
    from kairos.search.parallel import check_executor, solve_all
    from kairos.search.summary import summarise

    check_executor(executor.value, jobs)
    levels = [*(levels or []), *(more_levels or [])]
    if not levels:
        raise ValidationError("--levels", "no problem file given; pass --levels FILE...")
    if results is not None:
        check_output_path(results)
    if deadlocks is not None:
        dead_mode = deadlocks.value
    else:  # the cut is sound and keeps every solution: on by default where it exists
        dead_mode = "cut" if domain.value == "sokoban" else "off"
    if algo.value != "phs":
        for flag, unset in (("--heuristic", heuristic is None),
                            ("--heuristic-weight", heuristic_weight == 1.0)):  # fmt: skip
            if not unset:
                raise ValidationError(
                    flag, f"only PHS* reads it; add --algo phs (got {algo.value})"
                )
    if not 0 <= heuristic_weight < float("inf"):
        raise ValidationError("--heuristic-weight", f"got {heuristic_weight}, expected >= 0")
    learned = None
    if heuristic is not None:
        from kairos.search.heuristic import heuristic_by_name

        learned = heuristic_by_name(heuristic, domain=domain.value)
    config = SearchConfig(algorithm=algo.value, budget=budget, weight=weight, deadlocks=dead_mode,
                          heuristic=learned, heuristic_weight=heuristic_weight)  # fmt: skip
    problems = opt.load_problems(domain.value, levels, limit=limit)
    if learned is not None and problems:
        try:
            learned.check_domain(problems[0])
        except ValidationError as exc:
            raise ValidationError("--heuristic", f"{heuristic}: {exc.message}") from None
    if problems and all(callable(getattr(p, "solve", None)) for p in problems):
        if dead_mode != "off":
            raise ValidationError(
                "--deadlocks", f"domain {domain.value!r} has its own search; drop --deadlocks"
            )
        _solve_own(
            problems,
            domain.value,
            levels,
            budget,
            time_limit,
            holdout,
            policy,
            results,
            out,
            as_json,
            strategy,
            hf_model,
            hf_template,
        )
        return
    for flag, value in (("--hf-model", hf_model), ("--hf-template", hf_template)):
        if value is not None:
            raise ValidationError(flag, f"domain {domain.value!r} has no language-model prior")
    if strategy is not None:
        raise ValidationError("--strategy", f"domain {domain.value!r} has no transformer prior")
    for flag, value, unset in (("--time-limit", time_limit, None), ("--holdout", holdout, 0)):
        if value != unset:
            raise ValidationError(
                flag, f"domain {domain.value!r} has no search of its own that supports it"
            )
    pol = policy_by_name(policy, domain=domain.value)
    run = RunFolder.create(
        opt.run_dir(out, "solve"),
        command="solve",
        config={"domain": domain.value, "levels": [str(p) for p in levels],
                "algorithm": algo.value, "budget": budget, "policy": policy, "weight": weight,
                "limit": limit, "jobs": jobs, "executor": executor.value,
                "deadlocks": dead_mode, "heuristic": heuristic,
                "heuristic_weight": heuristic_weight},
        seed=None,
    )  # fmt: skip
    console = opt.console(stderr=as_json)
    t0 = time.perf_counter()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"{algo.value} on {len(problems)} problems", total=len(problems))
        found = solve_all(problems, config, pol, jobs=jobs, executor=executor.value,
                          ray_address=ray_address, on_result=lambda r: bar.advance(task))  # fmt: skip
    wall_s = time.perf_counter() - t0
    rows = [r.row() for r in found]
    run.write_csv("results.csv", rows)
    if results is not None:
        write_csv(results, rows)
    s = {**summarise(found), "wall_s": wall_s}
    run.record_results(s)
    if as_json:
        opt.echo_json(s)
        return
    table = Table(title=f"kairos solve {domain.value} · {algo.value} · {opt.policy_label(policy)}")
    for col in ("solved", "mean exp.", "median exp.", "max exp.", "mean length", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(
        f"{s['solved']}/{s['problems']}",
        f"{s['mean_expansions']:,.0f}",
        f"{s['median_expansions']:,.0f}",
        f"{s['max_expansions']:,}",
        f"{s['mean_length']:.1f}",
        f"{s['seconds']:.2f}",
    )
    console.print(table)
    console.print(f"wall time {wall_s:.2f} s with {jobs} job(s); run folder: {run.path}")


def _solve_own(
    problems,
    domain,
    levels,
    budget,
    time_limit,
    holdout,
    policy,
    results,
    out,
    as_json,
    strategy=None,
    hf_model=None,
    hf_template=None,
):
    """Solve with a domain's own search (its optional ``solve`` hook), e.g. program synthesis.

    A transformer prior (:mod:`kairos.search.neural`) replaces the hook for program tasks.
    """
    import math
    import time

    from rich.progress import Progress
    from rich.table import Table

    from kairos.errors import ValidationError
    from kairos.runfolder import RunFolder, write_csv
    from kairos.search.neural.solve import neural_solver_for

    if time_limit is not None and not time_limit > 0:
        raise ValidationError("--time-limit", f"got {time_limit}, expected > 0 CPU seconds")
    neural = neural_solver_for(
        policy, strategy, problems, domain, hf_model=hf_model, hf_template=hf_template
    )
    console = opt.console(stderr=as_json)
    found = []
    t0 = time.perf_counter()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"{domain}: {len(problems)} problems", total=len(problems))
        for p in problems:
            if neural is not None:
                found.append(
                    neural.solve(p.task, holdout=holdout, budget=budget, time_limit_s=time_limit)
                )
                bar.advance(task)
                continue
            found.append(
                p.solve(
                    policy=policy,
                    holdout=holdout,
                    budget=budget,
                    time_limit_s=math.inf if time_limit is None else time_limit,
                )
            )
            bar.advance(task)
    wall_s = time.perf_counter() - t0
    rows = [r.row() for r in found]
    run = RunFolder.create(
        opt.run_dir(out, "solve"),
        command="solve",
        config={
            "domain": domain,
            "levels": [str(p) for p in levels],
            "budget": budget,
            "time_limit_s": time_limit,
            "holdout": holdout,
            "policy": policy,
            "strategy": strategy,
            "hf_model": None if hf_model is None else str(hf_model),
            "hf_template": None if hf_template is None else str(hf_template),
        },
        seed=None if neural is None else neural.seed,
    )
    run.write_csv("results.csv", rows)
    if results is not None:
        write_csv(results, rows)
    summary = {
        "problems": len(found),
        "solved": sum(r.solved for r in found),
        "generalized": sum(r.generalized for r in found),
        "expansions": sum(r.expansions for r in found),
        "wall_s": wall_s,
    }
    run.record_results(summary)
    if as_json:
        opt.echo_json(summary)
        return
    prior = policy if hf_model is None else f"{hf_model.name} (hf, {strategy or 'sample'})"
    table = Table(title=f"kairos solve {domain} · {prior} · holdout {holdout}")
    for col in ("task", "solved", "generalized", "expansions", "CPU s", "program"):
        table.add_column(col, justify="right" if col not in ("task", "program") else "left")
    for r in found:
        table.add_row(
            r.name,
            "yes" if r.solved else "no",
            "yes" if r.generalized else "no",
            f"{r.expansions:,}",
            f"{r.seconds:.2f}",
            r.program,
        )
    console.print(table)
    console.print(
        f"solved {sum(r.solved for r in found)}/{len(found)}, generalized "
        f"{sum(r.generalized for r in found)}/{len(found)}; wall time {wall_s:.2f} s; "
        f"run folder: {run.path}"
    )


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(app, "solve", solve)
