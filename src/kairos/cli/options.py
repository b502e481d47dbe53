"""Shared option definitions and helpers of the ``kairos`` command line: one vocabulary.

- ``--jobs`` worker processes, ``--executor``/``--ray-address`` where to run them;
- ``--resamples`` bootstrap resamples; ``--seed`` the seed of every stochastic step;
- ``--out`` is always a run folder, ``--output``/``-o`` always a single file;
- ``--json`` prints the figures a command reports as JSON on stdout;
- ``--limit`` uses only the first N problems.

Choices are generated from the registries (domains, compressors, algorithms), so
a registered domain or compressor shows up in every command that takes one.
Everything here is light to import: heavy modules load inside the commands.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

# ---- choices from the registries ------------------------------------------------------


def domain_names() -> list[str]:
    """Names of the registered domains (the one place the CLI asks the registry)."""
    from kairos.domains import available_domains

    return available_domains()


def load_problems(domain: str, paths: list[Path], *, limit: int | None = None) -> list:
    """Read every problem in ``paths`` for ``domain``; keep the first ``limit``."""
    from kairos.domains import load_domain_file
    from kairos.errors import ValidationError

    if limit is not None and limit < 1:
        raise ValidationError("--limit", f"got {limit}, expected >= 1")
    problems = [p for path in paths for p in load_domain_file(domain, path)]
    return problems if limit is None else problems[:limit]


def choices(name: str, values: list[str] | tuple[str, ...]) -> type[StrEnum]:
    """A StrEnum named ``name`` whose members are ``values`` (Typer shows them as choices)."""
    return StrEnum(name, {v: v for v in values})


DomainChoice = choices("DomainChoice", domain_names())
ExecutorChoice = choices("ExecutorChoice", ("local", "ray"))
# kairos.search.engine.DEADLOCK_MODES, named here so that --help does not import the kernel
DeadlockChoice = choices("DeadlockChoice", ("off", "cut", "renormalise"))

# ---- option definitions ---------------------------------------------------------------

Domain = Annotated[DomainChoice, typer.Argument(help="Problem domain.", show_default=False)]
Jobs = Annotated[int, typer.Option("--jobs", help="Worker processes.")]
Executor = Annotated[
    ExecutorChoice,
    typer.Option(
        "--executor",
        help="Local process pool, or Ray (the optional extra): a cluster at --ray-address "
        "or RAY_ADDRESS, else a local Ray instance.",
    ),
]
RayAddress = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="Ray cluster to join, e.g. 10.0.0.5:6379 (default: the RAY_ADDRESS variable).",
        show_default=False,
    ),
]
Deadlocks = Annotated[
    DeadlockChoice,
    typer.Option(
        "--deadlocks",
        help="Sokoban: do not generate states with a box on a dead cell or frozen off its "
        "goal (sound). cut keeps the policy's probabilities (same solutions, fewer "
        "expansions); renormalise spreads them over the live moves.",
    ),
]
Resamples = Annotated[int, typer.Option("--resamples", help="Bootstrap resamples for the CIs.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of every stochastic step.")]
Limit = Annotated[
    int | None,
    typer.Option("--limit", help="Use only the first N problems.", show_default=False),
]
Json = Annotated[bool, typer.Option("--json", help="Print the figures as JSON on stdout.")]
Out = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Run folder (default: runs/<command>-<timestamp>).", show_default=False
    ),
]
Output = Annotated[Path, typer.Option("--output", "-o", help="File to write.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
Budget = Annotated[int, typer.Option("--budget", help="Expansion budget per problem.")]


def levels_option(help_text: str) -> Any:
    """A repeatable ``--levels FILE`` option (problem files)."""
    return typer.Option("--levels", help=help_text, show_default=False)


# ---- helpers --------------------------------------------------------------------------


def run_dir(out: Path | None, command: str) -> Path:
    """``out``, or a new ``runs/<command>-<timestamp>`` folder when no ``--out`` was given.

    Call it only once the arguments are checked: the default folder is created here.
    """
    from kairos.outputs import new_run_path

    return out if out is not None else new_run_path(command)


def console(*, stderr: bool = False):
    """A rich console; when output is not a terminal, tables are not cut at 80 columns."""
    from rich.console import Console

    con = Console(stderr=stderr)
    if not con.is_terminal:
        con = Console(stderr=stderr, width=1000)
    return con


def echo_json(obj: Any) -> None:
    """Print ``obj`` as strict, indented JSON on stdout (NaN and inf as null)."""
    from kairos.runfolder import json_text

    typer.echo(json_text(obj), nl=False)


def policy_label(name: str) -> str:
    """How a results title names a policy: shipped (registered) or a user's file."""
    from kairos.policy import POLICIES

    if name in POLICIES:
        return f"shipped policy {name}"
    return f"policy file {Path(name).name}"
