"""``kairos cost``: price a workload directly, or run the ``frontier`` and ``calibrate`` subcommands.

Heavy imports (numpy, torch, matplotlib) happen inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt
from kairos.cost.estimate import COST_MODELS
from kairos.cost.hardware import hardware_names
from kairos.cost.spec import shipped_model_names
from kairos.errors import ValidationError

cost_app = typer.Typer(
    help=(
        "Price transformer inference in FLOPs, bytes and eFLOPs (Kinetics).\n\n"
        "Direct form: kairos cost --model qwen3-8b --hardware h100 --prompt 1024 --gen 32768 --samples 8"
    ),
    no_args_is_help=False,
    add_completion=False,
)


def _parse_lengths(text: str) -> list[int]:
    try:
        lengths = [int(x) for x in text.split(",")]
    except ValueError:
        raise ValidationError(
            "gen",
            f"found {text!r}, expected a token count or comma-separated counts, e.g. 8192,16384",
        ) from None
    return lengths


def _format_breakdown(cost) -> None:
    from rich.table import Table

    console = opt.console()
    w, hw, spec = cost.workload, cost.hardware, cost.model
    title = (
        f"{spec.name} on {hw.name} ({cost.mode}): prompt {w.prompt_tokens}, gen {list(w.gen_tokens)}, "
        f"{w.num_samples} sample(s), batch {w.effective_batch}"
        + (f", block top-k {w.sparse.budget_tokens}/{w.sparse.block_size}" if w.sparse else "")
    )
    table = Table(title=title)
    for col in ("term", "FLOPs", "bytes", "eFLOPs", "share", "seconds"):
        table.add_column(col, justify="left" if col == "term" else "right", no_wrap=True)
    for row in cost.table():
        table.add_row(
            row["term"],
            f"{row['flops']:.3g}",
            f"{row['bytes']:.3g}",
            f"{row['eflops']:.3g}",
            f"{row['eflops'] / cost.eflops:.1%}" if cost.eflops else "-",
            f"{row['seconds_max']:.3g}",
        )
    console.print(table)
    s = cost.summary()
    console.print(
        f"params {spec.num_params:,} (active {spec.num_active_params:,}); "
        f"KV {s['kv_bytes_per_token']:,} B/token, {s['kv_bytes'] / 2**30:.3f} GiB at the end; "
        f"I = {hw.intensity:.1f} FLOPs/byte"
    )
    console.print(
        f"attention share {s['attention_share']:.2%}; roofline time {cost.seconds_max:.4g} s (max) "
        f"/ {cost.seconds_sum:.4g} s (sum)"
    )


def cost(
    ctx: typer.Context,
    model: Annotated[
        str | None,
        typer.Option(help=f"One of {', '.join(shipped_model_names())}, or a config.json path."),
    ] = None,
    hardware: Annotated[
        str, typer.Option(help=f"One of {', '.join(hardware_names())}, or a JSON profile path.")
    ] = "h100",
    prompt: Annotated[
        int, typer.Option(help="Prompt tokens (its KV is shared by the samples).")
    ] = 1024,
    gen: Annotated[
        str, typer.Option(help="Generated tokens per sample, or equally likely lengths 'a,b,c'.")
    ] = "32768",
    samples: Annotated[int, typer.Option(help="Samples N continuing the prompt.")] = 1,
    batch: Annotated[
        int | None, typer.Option(help="Sequences decoded together (default: all samples).")
    ] = None,
    sparse: Annotated[
        str | None,
        typer.Option(help="Block top-k attention 'topk:BUDGET[:BLOCK]' (default dense)."),
    ] = None,
    kinetics: Annotated[
        bool,
        typer.Option("--kinetics", help="Kinetics' published formula (no prefill, no weights)."),
    ] = False,
    as_json: opt.Json = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Also write a run folder with the summary and the terms.", show_default=False
        ),
    ] = None,
) -> None:
    """Print the cost breakdown of one workload (or run a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    if model is None:
        typer.echo(ctx.get_help())
        raise ValidationError(
            "--model",
            "no model given; pass --model NAME or a config.json path (kairos cost --help)",
        )
    from kairos.cost import Workload, estimate, get_hardware, get_model, parse_sparse

    work = Workload.of(
        prompt_tokens=prompt,
        gen_tokens=_parse_lengths(gen),
        num_samples=samples,
        batch_size=batch,
        sparse=parse_sparse(sparse),
    )
    from kairos.cost.estimate import context_warnings

    spec = get_model(model)
    for warning in context_warnings(spec, work):
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    result = estimate(spec, work, get_hardware(hardware), mode="kinetics" if kinetics else "exact")
    if out is not None:
        from kairos.runfolder import RunFolder

        config = {
            "model": model,
            "hardware": hardware,
            "prompt": prompt,
            "gen": gen,
            "samples": samples,
            "batch": batch,
            "sparse": sparse,
            "kinetics": kinetics,
        }
        run = RunFolder.create(out, command="cost", config=config, seed=None)
        run.write_json("summary.json", result.summary())
        run.write_csv("terms.csv", result.table())
        run.record_results(result.summary())
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2))
    else:
        _format_breakdown(result)


def frontier(
    table: Annotated[Path, typer.Argument(help="CSV: model,strategy,gen_tokens,samples,accuracy.")],
    hardware: Annotated[str, typer.Option(help="Hardware profile name or JSON path.")] = "kinetics",
    mode: Annotated[str, typer.Option(help=f"Cost model: {', '.join(COST_MODELS)}.")] = "exact",
    prompt: Annotated[int, typer.Option(help="Prompt tokens where the table gives none.")] = 128,
    out: opt.Out = None,
    as_json: opt.Json = False,
) -> None:
    """Price each row of TABLE and draw accuracy against eFLOPs with its Pareto frontier."""
    from rich.table import Table

    from kairos.cost import get_hardware
    from kairos.cost.frontier import frontier_table, price_rows, read_table
    from kairos.demo.cost import plot_frontier
    from kairos.report import Report, Section
    from kairos.runfolder import RunFolder

    if mode not in COST_MODELS:
        raise ValidationError("mode", f"found {mode!r}, expected one of {list(COST_MODELS)}")
    if prompt < 0:
        raise ValidationError("prompt", f"found {prompt}, expected >= 0 tokens")
    rows = read_table(table)
    hw = get_hardware(hardware)
    result = frontier_table(price_rows(rows, hw, mode=mode, prompt_tokens=prompt))
    config = {"table": str(table), "hardware": hw.name, "mode": mode, "prompt": prompt}
    run = RunFolder.create(
        opt.run_dir(out, "cost-frontier"),
        command="cost frontier",
        config=config,
        seed=None,
    )
    run.write_csv("frontier.csv", result)
    section = Section(f"Iso-cost frontier ({hw.name}, {mode})")
    section.figure(
        plot_frontier(result, title=f"{table.name} on {hw.name}"),
        caption="Accuracy against eFLOPs.",
    )
    section.table(result)
    Report("kairos cost frontier", [section]).write(run.file("report.html"))
    front = sorted((r for r in result if r["on_frontier"]), key=lambda r: r["eflops"])
    run.record_results({"rows": len(result), "on_frontier": len(front)})
    if as_json:
        opt.echo_json(front)
        return

    view = Table(title=f"Pareto frontier on {hw.name} ({mode})")
    for col in ("model", "strategy", "gen_tokens", "samples", "accuracy", "eFLOPs"):
        view.add_column(col)
    for r in front:
        view.add_row(
            r["model"],
            r["strategy"],
            str(r["gen_tokens"]),
            str(r["samples"]),
            f"{r['accuracy']:.3f}",
            f"{r['eflops']:.3e}",
        )
    console = opt.console()
    console.print(view)
    console.print(f"Run folder: [bold]{run.path}[/bold]")


def calibrate(
    quick: Annotated[
        bool, typer.Option(help="A few tiny sizes (seconds; for smoke tests).")
    ] = False,
    save_profile: Annotated[
        Path | None, typer.Option(help="Also write the fitted cpu profile JSON here.")
    ] = None,
    out: opt.Out = None,
    seed: Annotated[int, typer.Option(help="Seed for the timed models' weights and inputs.")] = 0,
    as_json: opt.Json = False,
) -> None:
    """Time a small transformer's prefill and decode here and fit the cpu roofline profile."""
    import dataclasses

    from rich.progress import Progress
    from rich.table import Table

    from kairos.cost.calibrate import FULL_PLAN, QUICK_PLAN, num_points
    from kairos.cost.calibrate import calibrate as run_calibration
    from kairos.outputs import write_output_text
    from kairos.runfolder import RunFolder

    plan = dataclasses.replace(QUICK_PLAN if quick else FULL_PLAN, seed=seed)
    run = RunFolder.create(
        opt.run_dir(out, "cost-calibrate"),
        command="cost calibrate",
        config=dataclasses.asdict(plan),
        seed=seed,
    )
    console = opt.console(stderr=as_json)
    with Progress(console=console) as bar:
        task = bar.add_task("timing", total=num_points(plan))
        profile, rows, summary = run_calibration(plan, lambda: bar.advance(task))
    run.write_csv("points.csv", rows)
    run.write_json("summary.json", summary)
    run.write_json("cpu_profile.json", profile.to_dict())
    if save_profile is not None:
        write_output_text(save_profile, json.dumps(profile.to_dict(), indent=2) + "\n")
    run.record_results(summary)
    if as_json:
        opt.echo_json({"profile": profile.to_dict(), "summary": summary})
        return

    view = Table(title="predicted / measured (held-out points marked *)")
    for col in ("size", "phase", "tokens", "measured s", "predicted s", "ratio"):
        view.add_column(col, justify="right")
    for r in rows:
        view.add_row(
            str(r["size"]) + ("*" if r["held_out"] else ""),
            r["phase"],
            str(r["tokens"]),
            f"{r['measured_s']:.3e}",
            f"{r['predicted_s']:.3e}",
            f"{r['ratio']:.2f}",
        )
    console.print(view)
    console.print(
        f"fitted: {profile.peak_flops_per_s:.3e} FLOP/s, {profile.bandwidth_bytes_per_s:.3e} B/s, "
        f"{profile.step_overhead_s * 1e6:.1f} us/call + {profile.layer_overhead_s * 1e6:.2f} us/layer"
    )
    console.print(
        f"median |log(pred/meas)|: train {summary['median_abs_log_ratio_train']:.3f}, "
        f"held-out {summary['median_abs_log_ratio_held_out']:.3f} (target <= {summary['target']:.3f})"
    )
    console.print(f"Run folder: [bold]{run.path}[/bold]")


def register(app: typer.Typer) -> None:
    from kairos.cli import command, tracked

    cost_app.callback(invoke_without_command=True)(tracked(cost))
    command(cost_app, "frontier", frontier)
    command(cost_app, "calibrate", calibrate)
    app.add_typer(cost_app, name="cost")
