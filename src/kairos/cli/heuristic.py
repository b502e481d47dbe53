"""``kairos train-heuristic``: learn PHS*'s distance-to-go heuristic from a policy's solutions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt


def train_heuristic(
    domain: opt.Domain,
    levels: Annotated[
        list[Path] | None,
        opt.levels_option("Training problem file(s); never the levels you evaluate on."),
    ] = None,
    output: opt.Output = Path("heuristic.kheu"),
    policy: Annotated[
        str,
        typer.Option(help="The policy whose solutions are the data: a shipped name or a .kpol."),
    ] = "uniform",
    budget: opt.Budget = 100_000,
    deadlocks: Annotated[
        opt.DeadlockChoice | None,
        typer.Option(
            "--deadlocks",
            help="Deadlock pruning of the training searches (default: cut for sokoban, off "
            "otherwise).",
            show_default=False,
        ),
    ] = None,
    limit: opt.Limit = None,
    jobs: opt.Jobs = 1,
    as_json: opt.Json = False,
) -> None:
    """Solve the problems with LTS and the policy; fit h ≥ 0 to the moves-to-go along the
    solutions (non-negative least squares on the domain's distance-to-go features); write
    it as a .kheu file for 'kairos solve DOMAIN --algo phs --heuristic FILE'."""
    from kairos.errors import ValidationError
    from kairos.learn.heuristic import learn_heuristic
    from kairos.outputs import check_output_path
    from kairos.policy import policy_by_name

    if not levels:
        raise ValidationError("--levels", "no problem file given; pass --levels FILE...")
    check_output_path(output)
    if budget < 1:
        raise ValidationError("--budget", f"got {budget}, expected >= 1")
    dead_mode = deadlocks.value if deadlocks is not None else (
        "cut" if domain.value == "sokoban" else "off")  # fmt: skip
    problems = opt.load_problems(domain.value, levels, limit=limit)
    if not all(hasattr(p, "heuristic_features") for p in problems[:1]):
        raise ValidationError(
            "domain", f"{domain.value!r} has no distance-to-go features to learn a heuristic on"
        )
    pol = policy_by_name(policy, domain=domain.value)
    source = f"{len(problems)} problems of {', '.join(p.name for p in levels)}; policy {policy}"
    learned, solved = learn_heuristic(
        problems, pol, domain=domain.value, budget=budget, deadlocks=dead_mode, jobs=jobs,
        source=source,
    )  # fmt: skip
    learned.save(output)
    summary = {
        "problems": len(problems),
        "solved": solved,
        "states": learned.fit["states"],
        "features": list(learned.features),
        "weights": list(learned.weights),
        "rmse_moves": learned.fit["rmse_moves"],
        "r2": learned.fit["r2"],
        "output": str(output),
    }
    if as_json:
        opt.echo_json(summary)
        return
    terms = " + ".join(
        f"{w:.3g}·{n}" for n, w in zip(learned.features, learned.weights, strict=True)
    )
    typer.echo(
        f"{output}: h = {terms}; from {solved}/{len(problems)} solutions "
        f"({summary['states']:,} states), RMSE {summary['rmse_moves']:.2f} moves, "
        f"R² {summary['r2']:.3f}"
    )


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(app, "train-heuristic", train_heuristic)
