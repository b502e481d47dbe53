"""Benchmark harness: every compressor on every file, in one run, each file round-tripped.

Used by ``kairos bench compress`` and ``bench/compress.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kairos.errors import SolutionError
from kairos.info.compressor import COMPRESSORS, Compressor, make_compressor


def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def read_inputs(paths: Sequence[str | Path]) -> list[tuple[str, bytes]]:
    """Read benchmark files, with a typed error naming any unreadable path."""
    out = []
    for path in paths:
        from kairos.inputs import MAX_DATA_BYTES, read_input_bytes

        path = Path(path)
        out.append((path.name, read_input_bytes(path, max_bytes=MAX_DATA_BYTES)))
    return out


def run_benchmark(
    files: Sequence[tuple[str, bytes]],
    models: Sequence[str | Compressor] = tuple(COMPRESSORS),
    *,
    on_step: Callable[[str, str], None] | None = None,
    params: dict | None = None,
    label: str | None = None,
) -> list[dict]:
    """Compress and decompress each file with each model.

    A model is a registry name or a built :class:`Compressor` (named by its
    ``name``, e.g. a baseline at another level). ``params`` (if given) build every model, and ``label`` (if given) names
    the model in the rows, e.g. an ablation ``cm`` with one component off.

    Returns
    -------
    rows : list of dict
        One row per (model, file): ``model, file, original_bytes, compressed_bytes,
        bits_per_byte, compress_s, decompress_s, compress_kb_per_s`` (wall
        time) and ``compress_cpu_s, decompress_cpu_s`` (this process's CPU time).

    Raises
    ------
    SolutionError
        A round trip did not reproduce the original bytes.
    """
    rows = []
    for model in models:
        if isinstance(model, str):
            compressor = make_compressor(model, **(params or {}))
        else:
            compressor, model = model, model.name
        for name, data in files:
            if on_step:
                on_step(model, name)
            c0, t0 = time.process_time(), time.perf_counter()
            stream = compressor.compress(data)
            c1, t1 = time.process_time(), time.perf_counter()
            restored = compressor.decompress(stream)
            c2, t2 = time.process_time(), time.perf_counter()
            if restored != data:
                raise SolutionError(f"{label or model} did not round-trip {name}")
            rows.append(
                {
                    "model": label or model,
                    "file": name,
                    "original_bytes": len(data),
                    "compressed_bytes": len(stream),
                    "bits_per_byte": 8 * len(stream) / max(len(data), 1),
                    "compress_s": t1 - t0,
                    "decompress_s": t2 - t1,
                    "compress_kb_per_s": len(data) / 1000 / max(t1 - t0, 1e-9),
                    "compress_cpu_s": c1 - c0,
                    "decompress_cpu_s": c2 - c1,
                }
            )
    return rows


def summarise(rows: list[dict]) -> list[dict]:
    """Totals per model: bytes, bits per byte and overall speeds."""
    out = []
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == model]
        original = sum(r["original_bytes"] for r in mine)
        packed = sum(r["compressed_bytes"] for r in mine)
        comp_s = sum(r["compress_s"] for r in mine)
        decomp_s = sum(r["decompress_s"] for r in mine)
        comp_cpu_s = sum(r.get("compress_cpu_s", 0.0) for r in mine)
        out.append(
            {
                "model": model,
                "num_files": len(mine),
                "original_bytes": original,
                "compressed_bytes": packed,
                "bits_per_byte": 8 * packed / max(original, 1),
                "compress_kb_per_s": original / 1000 / max(comp_s, 1e-9),
                "decompress_kb_per_s": original / 1000 / max(decomp_s, 1e-9),
                "compress_cpu_kb_per_s": original / 1000 / max(comp_cpu_s, 1e-9),
            }
        )
    return out
