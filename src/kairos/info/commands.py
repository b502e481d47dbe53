"""CLI commands of the information pillar: compress, decompress, info, bench compress.

Heavy imports (numpy, numba, the kernels) happen inside the commands so that
``kairos --help`` stays fast. :func:`register` attaches them to the main app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kairos.info.compressor import COMPRESSORS, DEFAULT_MODEL
from kairos.outputs import new_run_path

_MODEL_HELP = f"Compressor: {'|'.join(COMPRESSORS)}."


def _read(path: Path) -> bytes:
    from kairos.inputs import MAX_DATA_BYTES, read_input_bytes

    return read_input_bytes(path, max_bytes=MAX_DATA_BYTES)


def _check_model(model: str) -> str:
    from kairos.errors import ValidationError

    if model not in COMPRESSORS:
        raise ValidationError("--model", f"got {model!r}, expected one of {', '.join(COMPRESSORS)}")
    return model


def compress(
    src: Annotated[Path, typer.Argument(help="File to compress.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Compressed .kz file to write.")],
    model: Annotated[str, typer.Option(help=_MODEL_HELP)] = DEFAULT_MODEL,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Compress SRC into a checksummed .kz file."""
    import time

    from kairos.info.fileformat import compress_bytes
    from kairos.outputs import check_output_path, write_output

    check_output_path(out, force=force)
    data = _read(src)
    t0 = time.perf_counter()
    blob = compress_bytes(data, _check_model(model))
    seconds = time.perf_counter() - t0
    write_output(out, blob, force=force)
    bpb = 8 * len(blob) / max(len(data), 1)
    typer.echo(
        f"{src} -> {out}: {len(data):,} -> {len(blob):,} bytes "
        f"({bpb:.3f} bits/byte, {model}, {len(data) / 1e3 / max(seconds, 1e-9):.0f} KB/s)"
    )


def decompress(
    src: Annotated[Path, typer.Argument(help=".kz file to decompress.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="File to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Decompress a .kz file; fails (exit 2) rather than write wrong bytes."""
    from kairos.info.fileformat import decompress_bytes
    from kairos.outputs import check_output_path, write_output

    check_output_path(out, force=force)
    data = decompress_bytes(_read(src), path=src)
    write_output(out, data, force=force)
    typer.echo(f"{src} -> {out}: {len(data):,} bytes (checksum verified)")


def info(
    x: Annotated[Path, typer.Argument(help="File X.")],
    y: Annotated[Path, typer.Argument(help="File Y.")],
    model: Annotated[str, typer.Option(help=_MODEL_HELP)] = DEFAULT_MODEL,
) -> None:
    """Table of C(X), C(Y), C(Y|X), I(X:Y), symmetric I and NCD."""
    from rich.console import Console
    from rich.table import Table

    from kairos.info.compressor import make_compressor
    from kairos.info.measures import info_table

    values = info_table(_read(x), _read(y), make_compressor(_check_model(model)))
    table = Table(title=f"Information between {x.name} and {y.name} ({model})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in values.items():
        table.add_row(key, f"{value:.4f}" if key == "NCD" else f"{value:,.1f}")
    Console().print(table)


def bench_compress(
    files: Annotated[list[Path], typer.Argument(help="Files to compress.")],
    models: Annotated[
        str, typer.Option(help="Comma-separated compressors (default: all).")
    ] = ",".join(COMPRESSORS),
    out: Annotated[Path | None, typer.Option(help="Run folder for the results.")] = None,
) -> None:
    """Bytes, bits per byte and speed of every compressor on FILES, in one run."""

    from rich.console import Console

    from kairos.info.bench import read_inputs, run_benchmark, summarise
    from kairos.runfolder import RunFolder

    names = [_check_model(m.strip()) for m in models.split(",") if m.strip()]
    if not names:
        from kairos.errors import ValidationError

        raise ValidationError(
            "--models", f"got {models!r}; expected compressor names, e.g. cm,gzip"
        )
    inputs = read_inputs(files)
    console = Console()
    rows = run_benchmark(inputs, names, on_step=lambda m, f: console.print(f"{m}: {f}"))
    totals = summarise(rows)
    out = out or new_run_path("bench-compress")
    run = RunFolder.create(
        out,
        command="bench compress",
        config={"files": [str(f) for f in files], "models": names},
        seed=0,
    )
    run.write_csv("results.csv", rows)
    run.write_csv("totals.csv", totals)
    console.print(totals_table(totals))
    console.print(f"Run folder: {out}")


def totals_table(totals: list[dict]):
    """A rich table of :func:`kairos.info.bench.summarise` rows."""
    from rich.table import Table

    table = Table(title="Compression, every file round-tripped")
    for col in ["model", "files", "bytes in", "bytes out", "bits/byte", "comp KB/s", "decomp KB/s"]:
        table.add_column(col, justify="left" if col == "model" else "right")
    for t in totals:
        table.add_row(
            t["model"],
            str(t["num_files"]),
            f"{t['original_bytes']:,}",
            f"{t['compressed_bytes']:,}",
            f"{t['bits_per_byte']:.3f}",
            f"{t['compress_kb_per_s']:.0f}",
            f"{t['decompress_kb_per_s']:.0f}",
        )
    return table


def register(app: typer.Typer) -> None:
    """Attach this pillar's commands to the main app (``bench`` is a shared group)."""
    app.command()(compress)
    app.command()(decompress)
    app.command()(info)
    bench = next((g.typer_instance for g in app.registered_groups if g.name == "bench"), None)
    if bench is None:
        bench = typer.Typer(help="Benchmarks (speed, size, memory).", no_args_is_help=True)
        app.add_typer(bench, name="bench")
    bench.command("compress")(bench_compress)
