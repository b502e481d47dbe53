"""``kairos speedup``: log2 speed-up against the information a training run gives."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt
from kairos.info.compressor import COMPRESSORS

CompressorChoice = opt.choices("CompressorChoice", tuple(COMPRESSORS))
BaseChoice = opt.choices("BaseChoice", ("uniform", "smallest"))


def speedup(
    run_dir: Annotated[Path, typer.Argument(help="A kairos train run folder (its solutions).")],
    levels: Annotated[
        list[Path], typer.Option("--levels", help="Held-out tasks; repeat for several files.")
    ],
    sizes: Annotated[
        str, typer.Option(help="Nested training-set sizes for the priors, e.g. '8,32,128,all'.")
    ] = "8,32,128,all",
    budget: Annotated[int, typer.Option(help="Expansion budget per task and prior.")] = 1_000_000,
    limit: opt.Limit = None,
    resamples: opt.Resamples = 1000,
    compressor: Annotated[
        CompressorChoice, typer.Option(help="Compressor for C(h) - C(h|D).")
    ] = CompressorChoice.cm,
    base: Annotated[
        BaseChoice,
        typer.Option(help="nu0: 'uniform', or 'smallest' (the smallest subset's prior)."),
    ] = BaseChoice.uniform,
    seed: Annotated[int, typer.Option(help="Seed of the subset order and the bootstrap.")] = 0,
    jobs: opt.Jobs = 1,
    as_json: opt.Json = False,
    out: opt.Out = None,
) -> None:
    """Measure log2 speed-up against I(h:D) = l_nu0(h) - l_nuD(h) on held-out tasks.

    On a ``kairos train programs`` run: three priors (uniform, the learned
    grammar, grammar plus library), ``--budget`` expansions per task.
    """
    from kairos.cli.speedup_programs import is_program_run, speedup_programs_command

    if is_program_run(run_dir):
        speedup_programs_command(
            run_dir, levels, budget=budget, limit=limit, holdout=0, time_limit=None,
            resamples=resamples, seed=seed, as_json=as_json, out=out,
        )  # fmt: skip
        return
    from kairos.errors import InputFormatError, ValidationError
    from kairos.learn.bootstrap import load_checkpoint
    from kairos.runfolder import RunFolder
    from kairos.speedup.experiment import run_speedup

    meta_path = run_dir / "run.json"
    try:
        meta = json.loads(meta_path.read_text())
        train_cfg = meta["config"]
        train_files = [Path(p) for p in train_cfg["levels"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFormatError(meta_path, None, f"not a kairos train run folder: {exc}") from None
    if budget < 1:
        raise ValidationError("--budget", f"got {budget}, expected a positive integer")
    if jobs < 1:
        raise ValidationError("--jobs", f"got {jobs}, expected >= 1")
    if resamples < 1:
        raise ValidationError("--resamples", f"got {resamples}, expected >= 1")
    config, state, _ = load_checkpoint(run_dir)
    limit_train = train_cfg.get("limit")
    problems = opt.load_problems(
        config.domain, train_files, limit=int(limit_train) if limit_train else None
    )
    tasks = opt.load_problems(config.domain, levels, limit=limit)
    if not state.solved:
        raise ValidationError("RUN_DIR", f"{run_dir} has no solved training problems yet")
    try:
        wanted = [len(state.solved) if s == "all" else int(s) for s in sizes.split(",")]
    except ValueError:
        raise ValidationError("--sizes", f"got {sizes!r}, expected sizes like '8,32,all'") from None
    for n in wanted:  # checked here, before the run folder is written
        if not 1 <= n <= len(state.solved):
            raise ValidationError(
                "--sizes", f"subset size {n} outside 1..{len(state.solved)} (the run's solutions)"
            )
    if base.value == "smallest" and len(set(wanted)) < 2:
        raise ValidationError("--sizes", "--base smallest needs at least two subset sizes")
    run = RunFolder.create(
        opt.run_dir(out, "speedup"),
        command="speedup",
        config={"run_dir": str(run_dir), "levels": [str(p) for p in levels], "sizes": wanted,
                "budget": budget, "limit": limit, "compressor": compressor.value,
                "base": base.value, "resamples": resamples, "jobs": jobs},
        seed=seed,
    )  # fmt: skip
    console = opt.console(stderr=as_json)
    with console.status("starting") as status:
        summary, rows = run_speedup(
            tasks, problems, state.solved, domain=config.domain, sizes=wanted, budget=budget,
            objective=config.objective, l2=config.l2, seed=seed, resamples=resamples,
            compressor=compressor.value, base=base.value, jobs=jobs, on_stage=lambda msg: status.update(msg),
        )  # fmt: skip
    from kairos.speedup.measure import MIN_PAIRS_FOR_FIT

    summary["min_pairs_for_fit"] = MIN_PAIRS_FOR_FIT
    run.write_json("speedup.json", summary)
    run.write_csv("speedup.csv", rows)
    run.record_results({k: v for k, v in summary.items() if not isinstance(v, (list, dict))})
    console.print(
        f"tasks solved under both priors: {summary['n']} (a fit needs {MIN_PAIRS_FOR_FIT})"
    )
    if summary["n"] < MIN_PAIRS_FOR_FIT:
        raise ValidationError(
            "--levels",
            f"only {summary['n']} task(s) solved under both priors; the law is not fitted below "
            f"{MIN_PAIRS_FOR_FIT} (give more held-out tasks or a larger --budget; the counts per "
            f"prior are in {run.file('speedup.json')})",
        )
    from kairos.speedup.figure import plot_speedup

    plot_speedup(rows, summary, run.file("speedup.png"))
    if as_json:
        opt.echo_json(summary)
        return
    _print_speedup(console, summary)
    console.print(f"results: {run.path} (speedup.json, speedup.csv, speedup.png)")


def _print_speedup(console, summary: dict) -> None:
    from rich.table import Table

    def fmt(fit: dict | None, key: str) -> str:
        if not fit or fit.get(key) is None or math.isnan(fit.get(key, math.nan)):
            return "n/a"
        ci = fit.get(f"{key}_ci") or [math.nan, math.nan]
        return f"{fit[key]:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"

    table = Table(title="log2 speed-up against I(h:D) (95% bootstrap CIs)")
    for col in ("measure", "n", "slope", "intercept (bits)", "R²"):
        table.add_column(col)
    for label, fit in (
        ("primary: own solutions, tree search", summary),
        ("shared path hD", summary.get("shared_path")),
        ("LTS bound instead of time", summary.get("bound")),
        ("state-cut search", summary.get("state_cut")),
        ("bits written by the coder", summary.get("coded")),
    ):
        if fit:
            table.add_row(label, str(fit.get("n", 0)), fmt(fit, "slope"),
                          fmt(fit, "intercept"), fmt(fit, "r2"))  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    from kairos.cli import command

    command(app, "speedup", speedup)
