"""``kairos compare``: two solve runs side by side, problem by problem."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt


def compare(
    run_a: Annotated[Path, typer.Argument(help="Run folder A (from kairos solve).")],
    run_b: Annotated[Path, typer.Argument(help="Run folder B (from kairos solve).")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Also write the per-problem CSV here.", show_default=False
        ),
    ] = None,
    force: opt.Force = False,
    as_json: opt.Json = False,
) -> None:
    """Compare two solve runs per problem: status, expansions and B ÷ A."""
    import math

    from rich.table import Table

    from kairos.outputs import check_output_path
    from kairos.runfolder import write_csv
    from kairos.search.compare import compare_runs

    if output is not None:
        check_output_path(output, force=force)
    rows, summary = compare_runs(run_a, run_b)
    if output is not None:
        write_csv(output, rows)
    if as_json:
        opt.echo_json({"summary": summary, "problems": rows})
        return
    console = opt.console()
    table = Table(title=f"A = {run_a}  ·  B = {run_b}")
    for col in ("problem", "A", "B", "A expansions", "B expansions", "B ÷ A"):
        table.add_column(col, justify="left" if col == "problem" else "right")
    for r in rows:
        table.add_row(r["problem"], r["status_a"], r["status_b"], f"{r['expansions_a']:,}",
                      f"{r['expansions_b']:,}", "–" if math.isnan(r["ratio"]) else f"{r['ratio']:.3g}")  # fmt: skip
    console.print(table)
    s = summary
    console.print(
        f"{s['problems']} problems in both runs; solved: A {s['solved_a']}, B {s['solved_b']}, "
        f"both {s['solved_both']} (only A {s['solved_only_a']}, only B {s['solved_only_b']}); "
        f"geometric mean B ÷ A expansions {s['geomean_ratio']:.3g} over problems both solved, "
        f"B fewer on {s['b_fewer_expansions']}"
    )


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(app, "compare", compare)
