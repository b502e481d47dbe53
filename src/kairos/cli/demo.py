"""``kairos demo``: the embedded default job, writing report.html."""

from __future__ import annotations

from typing import Annotated

import typer

from kairos.cli import options as opt


def demo(
    out: opt.Out = None,
    seed: opt.Seed = 0,
    quick: Annotated[
        bool, typer.Option(help="Smaller workloads (seconds, for smoke tests).")
    ] = False,
) -> None:
    """Run the embedded default job on bundled data and write report.html."""
    import time

    from kairos.demo import run_demo

    console = opt.console()
    t0 = time.perf_counter()
    path, failed = run_demo(opt.run_dir(out, "demo"), seed=seed, quick=quick, console=console)
    console.print(f"\nReport: [bold]{path}[/bold]  ({time.perf_counter() - t0:.1f} s)")
    if failed:
        console.print(f"[red]{len(failed)} section(s) failed: {', '.join(failed)}[/red]")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(app, "demo", demo)
