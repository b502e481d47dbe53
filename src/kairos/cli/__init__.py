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
        heuristic,
        info,
        solve,
        speedup,
        train,
    )

    for module in (
        demo,
        solve,
        generate,
        compare,
        train,
        heuristic,
        speedup,
        agent,
        info,
        fit,
        cost,
    ):
        module.register(app)


_register_all()


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
