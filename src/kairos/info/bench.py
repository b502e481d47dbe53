"""Benchmark harness: every compressor on every file, in one run, each file round-tripped.

Used by ``kairos bench compress`` and ``bench/compress.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kairos.errors import SolutionError
from kairos.info.compressor import COMPRESSORS, make_compressor


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
    models: Sequence[str] = tuple(COMPRESSORS),
    *,
    on_step: Callable[[str, str], None] | None = None,
) -> list[dict]:
    """Compress and decompress each file with each model.

    Returns
    -------
    rows : list of dict
        One row per (model, file): ``model, file, original_bytes, compressed_bytes,
        bits_per_byte, compress_s, decompress_s, compress_kb_per_s``.

    Raises
    ------
    SolutionError
        A round trip did not reproduce the original bytes.
    """
    rows = []
    for model in models:
        compressor = make_compressor(model)
        for name, data in files:
            if on_step:
                on_step(model, name)
            t0 = time.perf_counter()
            stream = compressor.compress(data)
            t1 = time.perf_counter()
            restored = compressor.decompress(stream)
            t2 = time.perf_counter()
            if restored != data:
                raise SolutionError(f"{model} did not round-trip {name}")
            rows.append(
                {
                    "model": model,
                    "file": name,
                    "original_bytes": len(data),
                    "compressed_bytes": len(stream),
                    "bits_per_byte": 8 * len(stream) / max(len(data), 1),
                    "compress_s": t1 - t0,
                    "decompress_s": t2 - t1,
                    "compress_kb_per_s": len(data) / 1000 / max(t1 - t0, 1e-9),
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
        out.append(
            {
                "model": model,
                "num_files": len(mine),
                "original_bytes": original,
                "compressed_bytes": packed,
                "bits_per_byte": 8 * packed / max(original, 1),
                "compress_kb_per_s": original / 1000 / max(comp_s, 1e-9),
                "decompress_kb_per_s": original / 1000 / max(decomp_s, 1e-9),
            }
        )
    return out
