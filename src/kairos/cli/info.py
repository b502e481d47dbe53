"""The information pillar's commands: ``compress``, ``decompress``, ``info``, ``bench compress``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kairos.cli import options as opt
from kairos.info.compressor import COMPRESSORS, DEFAULT_MODEL

CompressorChoice = opt.choices("CompressorChoice", tuple(COMPRESSORS))
Compressor = Annotated[CompressorChoice, typer.Option("--compressor", help="Compressor.")]


def _read(path: Path) -> bytes:
    from kairos.inputs import MAX_DATA_BYTES, read_input_bytes

    return read_input_bytes(path, max_bytes=MAX_DATA_BYTES)


def compress(
    src: Annotated[Path, typer.Argument(help="File to compress.")],
    output: opt.Output,
    compressor: Compressor = CompressorChoice(DEFAULT_MODEL),
    force: opt.Force = False,
    as_json: opt.Json = False,
) -> None:
    """Compress SRC into a checksummed .kz file."""
    import time

    from kairos.info.fileformat import compress_bytes
    from kairos.outputs import check_output_path, write_output

    check_output_path(output, force=force)
    data = _read(src)
    t0 = time.perf_counter()
    blob = compress_bytes(data, compressor.value)
    seconds = time.perf_counter() - t0
    write_output(output, blob, force=force)
    figures = {
        "input_bytes": len(data),
        "output_bytes": len(blob),
        "bits_per_byte": 8 * len(blob) / max(len(data), 1),
        "compressor": compressor.value,
        "kb_per_s": len(data) / 1e3 / max(seconds, 1e-9),
    }
    if as_json:
        opt.echo_json(figures)
        return
    typer.echo(
        f"{src} -> {output}: {len(data):,} -> {len(blob):,} bytes "
        f"({figures['bits_per_byte']:.3f} bits/byte, {compressor.value}, "
        f"{figures['kb_per_s']:.0f} KB/s)"
    )


def decompress(
    src: Annotated[Path, typer.Argument(help=".kz file to decompress.")],
    output: opt.Output,
    force: opt.Force = False,
) -> None:
    """Decompress a .kz file; fails (exit 2) rather than write wrong bytes."""
    from kairos.info.fileformat import decompress_bytes
    from kairos.outputs import check_output_path, write_output

    check_output_path(output, force=force)
    data = decompress_bytes(_read(src), path=src)
    write_output(output, data, force=force)
    typer.echo(f"{src} -> {output}: {len(data):,} bytes (checksum verified)")


def info(
    x: Annotated[Path, typer.Argument(help="File X.")],
    y: Annotated[Path, typer.Argument(help="File Y.")],
    compressor: Compressor = CompressorChoice(DEFAULT_MODEL),
    as_json: opt.Json = False,
) -> None:
    """Table of C(X), C(Y), C(Y|X), I(X:Y), symmetric I and NCD."""
    from rich.table import Table

    from kairos.info.compressor import make_compressor
    from kairos.info.measures import info_table

    values = info_table(_read(x), _read(y), make_compressor(compressor.value))
    if as_json:
        opt.echo_json(values)
        return
    table = Table(title=f"Information between {x.name} and {y.name} ({compressor.value})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in values.items():
        table.add_row(key, f"{value:.4f}" if key == "NCD" else f"{value:,.1f}")
    opt.console().print(table)


def bench_compress(
    files: Annotated[list[Path], typer.Argument(help="Files to compress.")],
    compressors: Annotated[
        str, typer.Option(help=f"Comma-separated compressors from {', '.join(COMPRESSORS)}.")
    ] = ",".join(COMPRESSORS),
    out: opt.Out = None,
    as_json: opt.Json = False,
) -> None:
    """Bytes, bits per byte and speed of every compressor on FILES, in one run."""
    from kairos.errors import ValidationError
    from kairos.info.bench import read_inputs, run_benchmark, summarise
    from kairos.runfolder import RunFolder

    names = [m.strip() for m in compressors.split(",") if m.strip()]
    if not names:
        raise ValidationError(
            "--compressors", f"got {compressors!r}; expected compressor names, e.g. cm,gzip"
        )
    for name in names:
        if name not in COMPRESSORS:
            raise ValidationError(
                "--compressors", f"got {name!r}, expected names from {', '.join(COMPRESSORS)}"
            )
    inputs = read_inputs(files)
    run = RunFolder.create(
        opt.run_dir(out, "bench-compress"),
        command="bench compress",
        config={"files": [str(f) for f in files], "compressors": names},
        seed=0,
    )
    console = opt.console(stderr=as_json)
    rows = run_benchmark(inputs, names, on_step=lambda m, f: console.print(f"{m}: {f}"))
    totals = summarise(rows)
    run.write_csv("results.csv", rows)
    run.write_csv("totals.csv", totals)
    run.record_results({"totals": totals})
    if as_json:
        opt.echo_json(totals)
        return
    console.print(_totals_table(totals))
    console.print(f"Run folder: {run.path}")


def _totals_table(totals: list[dict]):
    from rich.table import Table

    table = Table(title="Compression, every file round-tripped")
    for col in [
        "compressor",
        "files",
        "bytes in",
        "bytes out",
        "bits/byte",
        "comp KB/s",
        "decomp KB/s",
    ]:
        table.add_column(col, justify="left" if col == "compressor" else "right")
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
    from kairos.cli import command

    command(app, "compress", compress)
    command(app, "decompress", decompress)
    command(app, "info", info)
    bench = typer.Typer(help="Benchmarks (speed, size, memory).", no_args_is_help=True)
    app.add_typer(bench, name="bench")
    command(bench, "compress", bench_compress)
