"""The ``kairos`` command line: a thin layer over the library.

Heavy libraries are imported inside commands so that ``kairos --help`` is fast.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from kairos.outputs import new_run_path

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
    out = out or new_run_path("demo")
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


MAX_MESSAGE_CHARS = 400  # an error message quotes input; it must not echo a 200 KB line


def one_line(message: str) -> str:
    """``message`` on one line, shortened to :data:`MAX_MESSAGE_CHARS` characters."""
    text = " ".join(str(message).split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 30] + f" ... ({len(text):,} characters)"
    return text


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: turn kairos and usage errors into one clear line and exit 2."""
    from typer._click import exceptions as click
    from typer.exceptions import Abort

    from kairos.errors import KairosError

    try:
        rc = app(args=argv, prog_name="kairos", standalone_mode=False)
    except KairosError as exc:
        typer.secho(f"error: {one_line(str(exc))}", fg=typer.colors.RED, err=True)
        raise SystemExit(2) from None
    except click.NoArgsIsHelpError as exc:
        typer.echo(exc.format_message())
        raise SystemExit(2) from None
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "kairos"
        typer.secho(
            f"error: {one_line(exc.format_message())} (see '{where} --help')",
            fg=typer.colors.RED,
            err=True,
        )
        raise SystemExit(2) from None
    except Abort:
        typer.secho("error: aborted", fg=typer.colors.RED, err=True)
        raise SystemExit(130) from None
    except click.ClickException as exc:
        typer.secho(f"error: {one_line(exc.format_message())}", fg=typer.colors.RED, err=True)
        raise SystemExit(exc.exit_code) from None
    raise SystemExit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()
