"""The ``kairos`` command line: a thin layer over the library, one module per command group.

Every command module exposes ``register(app)``, which attaches its commands with
:func:`command` (the one registration style). Shared option definitions live in
:mod:`kairos.cli.options`. Heavy libraries are imported inside the commands, so
``kairos --help`` is fast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated

import typer

app = typer.Typer(
    name="kairos",
    help="Intelligence is about time: solve, learn, compress, price and scale.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def command(group: typer.Typer, name: str, func: Callable, **kwargs) -> None:
    """Register ``func`` as command ``name`` of ``group`` (wrapped by :func:`tracked`)."""
    group.command(name, **kwargs)(tracked(func))


def tracked(func: Callable) -> Callable:
    """``func``, closing the run folders it creates: ``failed`` with the error when it
    raises, ``completed`` when it returns (see :mod:`kairos.runfolder`)."""

    @functools.wraps(func)
    def tracked(*args, **kw):
        from kairos.runfolder import close_open_runs

        try:
            result = func(*args, **kw)
        except typer.Exit as exc:
            close_open_runs(None if not exc.exit_code else f"exit code {exc.exit_code}")
            raise
        except BaseException as exc:
            close_open_runs(f"{type(exc).__name__}: {exc}")
            raise
        close_open_runs(None)
        return result

    return tracked


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
            "--version",
            callback=_version_callback,
            is_eager=True,
            metavar="",
            help="Print the version.",
        ),
    ] = False,
) -> None:
    """Intelligence is about time: solve, learn, compress, price and scale."""


def _register_all() -> None:
    from kairos.cli import (
        agent,
        compare,
        cost,
        demo,
        fit,
        generate,
        info,
        solve,
        speedup,
        train,
    )

    for module in (demo, solve, generate, compare, train, speedup, agent, info, fit, cost):
        module.register(app)


_register_all()


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
