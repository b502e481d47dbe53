"""Benchmark: every compressor on the Calgary corpus, one run, every file round-tripped.

For each compressor (each in its own fresh process, so that its peak resident
memory is its own): per-file and total bytes, bits per byte, compression and
decompression speed, and peak RSS. A warm-up on a few bytes before timing
keeps numba's JIT compilation out of the speeds. Any round trip that does
not reproduce the original bytes aborts the run. Prints a table and writes
JSON under ``bench/out/``; ratios are against xz -9e and brotli -11 from the
same run.

    nice -n 5 env PYTHONPATH=src NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 \\
        python3 bench/compress.py [--corpus ../shared/data/corpora/calgary] [--models cm,xz,...]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import platform
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "corpora" / "calgary"
)
TARGETS = {  # issue 4, for the default model ``cm``
    "total_bytes": 618_000,
    "book1_bytes": 187_000,
    "compress_kb_per_s": 20.0,
    "peak_rss_bytes": 4 * 1024**3,
}


def _run_model(model: str, paths: list[str]) -> dict:
    """Worker: benchmark one compressor on every file (in a fresh process)."""
    from kairos.info.bench import peak_rss_bytes, read_inputs, run_benchmark, summarise
    from kairos.info.compressor import make_compressor

    warm = make_compressor(model)
    warm.decompress(warm.compress(b"warm-up: compile kernels before timing"))
    rows = run_benchmark(read_inputs(paths), [model])
    total = summarise(rows)[0]
    total["peak_rss_bytes"] = peak_rss_bytes()
    return {"rows": rows, "total": total}


def _write(out: Path, corpus: Path, paths, models, results: dict, checks: dict) -> None:
    import kairos

    payload = {
        "corpus": str(corpus),
        "files": [Path(p).name for p in paths],
        "models": models,
        "completed": list(results),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "kairos_version": getattr(kairos, "__version__", None),
        "results": results,
        "cm_targets": TARGETS,
        "cm_checks": checks,
    }
    out.write_text(json.dumps(payload, indent=1))


def main() -> None:
    from kairos.info.compressor import COMPRESSORS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--models", default=",".join(COMPRESSORS))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()

    paths = sorted(str(p) for p in args.corpus.iterdir() if p.is_file())
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    console = Console(width=140)
    console.print(f"{len(paths)} files from {args.corpus}; models: {', '.join(models)}")
    results = {}
    ctx = multiprocessing.get_context("spawn")
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / time.strftime("compress-%Y%m%d-%H%M%S.json")
    for model in models:
        t0 = time.perf_counter()
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
            results[model] = pool.submit(_run_model, model, paths).result()
        console.print(f"{model}: done in {time.perf_counter() - t0:.0f} s")
        _write(out, args.corpus, paths, models, results, {})  # partial results survive

    files = [Path(p).name for p in paths]
    per_file = Table(title="Compressed bytes per file (every file round-tripped exactly)")
    per_file.add_column("file")
    per_file.add_column("bytes in", justify="right")
    for model in models:
        per_file.add_column(model, justify="right")
    for i, name in enumerate(files):
        row = [name, f"{results[models[0]]['rows'][i]['original_bytes']:,}"]
        row += [f"{results[m]['rows'][i]['compressed_bytes']:,}" for m in models]
        per_file.add_row(*row)
    console.print(per_file)

    totals = Table(title="Totals")
    for col in ["model", "bytes out", "bits/byte", "vs xz", "vs brotli", "comp KB/s",
                "decomp KB/s", "peak RSS MB"]:  # fmt: skip
        totals.add_column(col, justify="left" if col == "model" else "right")
    ref = {m: results[m]["total"]["compressed_bytes"] for m in ("xz", "brotli") if m in results}
    for model in models:
        t = results[model]["total"]
        totals.add_row(
            model,
            f"{t['compressed_bytes']:,}",
            f"{t['bits_per_byte']:.3f}",
            f"{t['compressed_bytes'] / ref['xz']:.3f}" if "xz" in ref else "-",
            f"{t['compressed_bytes'] / ref['brotli']:.3f}" if "brotli" in ref else "-",
            f"{t['compress_kb_per_s']:.1f}",
            f"{t['decompress_kb_per_s']:.1f}",
            f"{t['peak_rss_bytes'] / 2**20:.0f}",
        )
    console.print(totals)

    checks = {}
    if "cm" in results:
        cm = results["cm"]
        book1 = [r for r in cm["rows"] if r["file"] == "book1"]
        checks = {
            "total_bytes": cm["total"]["compressed_bytes"],
            "book1_bytes": book1[0]["compressed_bytes"] if book1 else None,
            "compress_kb_per_s": cm["total"]["compress_kb_per_s"],
            "peak_rss_bytes": cm["total"]["peak_rss_bytes"],
        }
        for key, target in TARGETS.items():
            value = checks[key]
            higher_is_better = key == "compress_kb_per_s"
            ok = value is not None and (value >= target if higher_is_better else value <= target)
            console.print(f"cm {key}: {value} (target {'≥' if higher_is_better else '≤'} "
                          f"{target}): {'pass' if ok else 'MISS'}")  # fmt: skip

    _write(out, args.corpus, paths, models, results, checks)
    console.print(f"JSON: {out}")


if __name__ == "__main__":
    main()
