"""The ``kairos`` command line: a thin layer over the library.

Heavy libraries are imported inside commands so that ``kairos --help`` is fast.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="kairos",
    help="Intelligence is about time: solve, learn, compress, price and scale.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version_callback(value: bool) -> None:
    if value:
        from kairos import __version__

        typer.echo(f"kairos {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Intelligence is about time: solve, learn, compress, price and scale."""


@app.command()
def demo(
    out: Annotated[
        Path | None, typer.Option(help="Run folder (default: runs/demo-<timestamp>).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for every stochastic step.")] = 0,
    quick: Annotated[
        bool, typer.Option(help="Smaller workloads (seconds, for smoke tests).")
    ] = False,
) -> None:
    """Run the embedded default job on bundled data and write report.html."""
    from rich.console import Console

    from kairos.demo import run_demo

    console = Console()
    out = out or Path("runs") / time.strftime("demo-%Y%m%d-%H%M%S")
    t0 = time.perf_counter()
    path, failed = run_demo(out, seed=seed, quick=quick, console=console)
    console.print(f"\nReport: [bold]{path}[/bold]  ({time.perf_counter() - t0:.1f} s)")
    if failed:
        console.print(f"[red]{len(failed)} section(s) failed: {', '.join(failed)}[/red]")
        raise typer.Exit(1)


from kairos.search.commands import solve as _solve  # noqa: E402

app.command(name="solve")(_solve)
from kairos.agent.commands import train as _train  # noqa: E402  (light: heavy imports inside)

app.command(name="train")(_train)
# --- information pillar: compress, decompress, info, bench compress ---
from kairos.info import commands as _info_commands  # noqa: E402

_info_commands.register(app)
from kairos.cost.commands import cost_app  # noqa: E402  (light: heavy imports live in the commands)

app.add_typer(cost_app, name="cost")
from kairos.scaling.commands import fit_command  # noqa: E402  (light: heavy imports are inside)

app.command("fit")(fit_command)
from kairos.agent import toni_commands as _toni_commands  # noqa: E402  (heavy imports inside)

app.command("allocate")(_toni_commands.allocate)
app.command("audit")(_toni_commands.audit)
app.command("speedup")(_toni_commands.speedup)


def main() -> None:
    """Console-script entry point: turn kairos errors into one clear line and exit 2."""
    from kairos.errors import KairosError

    try:
        app()
    except KairosError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
