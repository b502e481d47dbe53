"""``kairos generate``: write generated problem instances to a file."""

from __future__ import annotations

from typing import Annotated

import typer

from kairos.cli import options as opt

generate_app = typer.Typer(
    help="Write generated problem instances to a file.", no_args_is_help=True
)


def stp(
    output: opt.Output,
    size: Annotated[int, typer.Option(help="Board side n (n×n tiles).")] = 4,
    moves: Annotated[int, typer.Option(help="Random blank moves away from the goal.")] = 60,
    count: Annotated[int, typer.Option(help="Instances to write.")] = 100,
    seed: opt.Seed = 0,
    force: opt.Force = False,
) -> None:
    """Sliding-tile instances, each a random walk from the goal (one per line)."""
    from kairos.domains.stp import MAX_SIZE, MIN_SIZE, generate_instances, write_instances
    from kairos.errors import ValidationError
    from kairos.outputs import check_output_path

    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValidationError("--size", f"got {size}, expected {MIN_SIZE}..{MAX_SIZE}")
    if moves < 0:
        raise ValidationError("--moves", f"got {moves}, expected >= 0")
    if count < 1:
        raise ValidationError("--count", f"got {count}, expected >= 1")
    check_output_path(output, force=force)
    puzzles = generate_instances(size, moves, count, seed=seed)
    write_instances(output, puzzles, force=force)
    typer.echo(f"{output}: {len(puzzles)} stp instances, {size}×{size}, {moves} moves, seed {seed}")


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(generate_app, "stp", stp)
    app.add_typer(generate_app, name="generate")
