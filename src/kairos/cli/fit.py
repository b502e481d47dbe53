"""``kairos fit``: fit a scaling law to a CSV/Parquet table, or compare families by extrapolation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt


def _split_names(text: str, field: str) -> list[str]:
    from kairos.errors import ValidationError

    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise ValidationError(field, f"got {text!r}; expected comma-separated names")
    return names


def fit_command(
    data: Annotated[Path, typer.Argument(help="CSV or Parquet table with named columns.")],
    law: Annotated[
        str,
        typer.Option(help="Law: power, chinchilla, saturating, bnsl, bnsl2 or coverage."),
    ] = "power",
    x: Annotated[
        str, typer.Option("--x", help="Input column(s), e.g. 'N,D' for chinchilla.")
    ] = "x",
    y: Annotated[str, typer.Option("--y", help="Output column, e.g. 'loss'.")] = "y",
    resamples: Annotated[
        int,
        typer.Option(
            "--resamples", help="Bootstrap resamples for CIs (0: none; --compare uses 200 if 0)."
        ),
    ] = 0,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            help="Worker processes for the bootstrap (each costs ~1-2 s to start; "
            "worth it above a few thousand refits).",
        ),
    ] = 1,
    loss: Annotated[
        str, typer.Option(help="Fitting loss: huber (delta 1e-3) or squared.")
    ] = "huber",
    level: Annotated[float, typer.Option(help="Confidence level of the CIs.")] = 0.95,
    compare: Annotated[
        str | None,
        typer.Option(
            help="Compare families by extrapolation (replaces --law), e.g. 'power,saturating,bnsl'."
        ),
    ] = None,
    holdout: Annotated[
        float, typer.Option(help="With --compare: share of largest-x points held out.")
    ] = 0.2,
    budget_flops: Annotated[
        float, typer.Option(help="Chinchilla: compute budget C ≈ 6ND for N*, D*.")
    ] = 5.76e23,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap resampling.")] = 0,
    out: opt.Out = None,
    as_json: opt.Json = False,
) -> None:
    """Fit a scaling law with bootstrap CIs, or test for a plateau with --compare."""
    import numpy as np

    from kairos.errors import ValidationError
    from kairos.plotting import save_figure
    from kairos.runfolder import RunFolder
    from kairos.scaling.bootstrap import bootstrap as run_bootstrap
    from kairos.scaling.fit import FitConfig, fit_law
    from kairos.scaling.laws import get_law
    from kairos.scaling.plateau import check_arguments, describe, plateau_test
    from kairos.scaling.plots import plot_fit, plot_plateau
    from kairos.scaling.summary import summarize
    from kairos.scaling.table import read_table, validate_xy

    x_cols = _split_names(x, "--x")
    y_col = _split_names(y, "--y")
    if len(y_col) != 1:
        raise ValidationError("--y", f"got {y!r}; expected exactly one column")
    if resamples < 0:
        raise ValidationError("--resamples", f"got {resamples}; expected a count >= 0")
    if jobs < 1:
        raise ValidationError("--jobs", f"got {jobs}; expected >= 1")
    if not 0.0 < level < 1.0:
        raise ValidationError("--level", f"got {level}; expected a value in (0, 1)")
    if not budget_flops > 0:
        raise ValidationError("--budget-flops", f"got {budget_flops}; expected > 0")
    config = FitConfig(loss=loss)
    families = _split_names(compare, "--compare") if compare is not None else None
    chosen = None if families else get_law(law)
    if families:
        check_arguments(tuple(families), holdout, level)
    if families and len(x_cols) != 1:
        raise ValidationError("--x", f"got {x!r}; --compare needs exactly one input column")
    if chosen is not None and len(x_cols) != chosen.num_inputs:
        raise ValidationError(
            "--x", f"got {len(x_cols)} column(s) {x!r}; the {law} law needs {chosen.num_inputs}"
        )
    table = read_table(data, [*x_cols, y_col[0]])
    x_values = np.stack([table[c] for c in x_cols], axis=1)
    y_values = table[y_col[0]]
    out = opt.run_dir(out, "fit")
    run = RunFolder.create(
        out,
        command="fit",
        config={
            "data": str(data),
            "law": law,
            "x": x_cols,
            "y": y_col[0],
            "resamples": resamples,
            "jobs": jobs,
            "loss": loss,
            "level": level,
            "compare": families,
            "holdout": holdout,
            "budget_flops": budget_flops,
        },
        seed=seed,
    )
    if families:
        result = plateau_test(
            x_values[:, 0],
            y_values,
            families=tuple(families),
            holdout_fraction=holdout,
            num_resamples=resamples or 200,
            level=level,
            seed=seed,
            workers=jobs,
            config=config,
        )
        record = result.to_json()
        record["summary"] = describe(result)
        run.write_json("plateau.json", record)
        save_figure(
            plot_plateau(x_values[:, 0], y_values, result, x_label=x_cols[0], y_label=y_col[0]),
            str(run.file("plateau.png")),
        )
    else:
        x_values, y_values = validate_xy(
            x_values,
            y_values,
            num_inputs=chosen.num_inputs,
            num_params=len(chosen.params),
            law=law,
            y_max=1.0 if law == "coverage" else None,
            x_name=",".join(x_cols),
            y_name=y_col[0],
        )
        fit = fit_law(chosen, x_values, y_values, config=config)
        boot = None
        if resamples:
            boot = run_bootstrap(
                chosen,
                x_values,
                y_values,
                fit,
                num_resamples=resamples,
                seed=seed,
                workers=jobs,
                config=config,
            )
        x_query = None if chosen.num_inputs != 1 else x_values.max() * np.array([1.0, 10.0])
        record = summarize(fit, boot, level=level, budget_flops=budget_flops, x_query=x_query)
        run.write_json("fit.json", record)
        save_figure(
            plot_fit(
                x_values if chosen.num_inputs == 2 else x_values[:, 0],
                y_values,
                fit,
                boot,
                level=level,
                x_label=x_cols[0],
                y_label=y_col[0],
            ),
            str(run.file("fit.png")),
        )
    run.record_results({k: v for k, v in record.items() if k in _SUMMARY_KEYS})
    if as_json:
        from kairos.runfolder import json_text

        typer.echo(json_text(record), nl=False)
        return
    _print_record(record, run.path)


_SUMMARY_KEYS = ("law", "best_law", "params", "ci", "loss", "converged", "derived", "summary")


def _print_record(record: dict, run_path: Path) -> None:
    from rich.table import Table

    console = opt.console()
    title = f"{record.get('law') or record.get('best_law')} fit"
    table = Table(title=title)
    table.add_column("parameter")
    table.add_column("value", justify="right")
    table.add_column(f"{round(100 * record['level'])}% CI", justify="right")
    for name, value in record["params"].items():
        ci = record["ci"].get(name)
        table.add_row(name, f"{value:.5g}", f"[{ci[0]:.5g}, {ci[1]:.5g}]" if ci else "–")
    console.print(table)
    diag = record["diagnostics"]
    console.print(
        f"loss {record['loss']:.6g}; converged {record['converged']} "
        f"(grad norm {diag['grad_norm']:.2g}, {diag['iterations']} iterations, "
        f"{diag['num_starts_agreed']}/{diag['num_starts']} starts agreed)"
    )
    if diag.get("identifiable") is False:
        console.print(
            "[red]unidentifiable: the Jacobian at the optimum is singular; the data do not "
            "determine every parameter (treat the values as unfitted)[/red]"
        )
    for key, value in record.get("derived", {}).items():
        console.print(f"{key}: {value}")
    if "summary" in record:
        console.print(record["summary"])
    console.print(f"run folder: [bold]{run_path}[/bold]")


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(app, "fit", fit_command)
