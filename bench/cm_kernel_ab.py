"""Compression speed of this context-mixing kernel against other kernel files, in one process.

Loads ``--base`` (a copy of an older ``kairos/info/cm_kernel.py``, e.g. from
``git show REV:src/kairos/info/cm_kernel.py``) and any ``--also`` files next to the
current kernel, and encodes each Calgary file of ``--files`` with every kernel in
turn (the order reversed every round) for ``--rounds`` rounds, so that the load of
a shared machine falls on all of them alike. Each kernel codes at the default
level's components (``--level max``: the max level's) with the table size
:func:`kairos.info.cm.table_bits_for` gives. CPU seconds from
``time.process_time``, compilation kept out of them; the coded lengths are
reported beside the times (kernels of other model versions write other bytes).
Prints a table and writes ``bench/out/cm_kernel_ab.json``.

The default level's speed moves with this box's load far more than with small
kernel changes (runs of the same code measured 33 to 66 KB/s on this box), so
speed claims about the kernel are ratios from this script, not absolute speeds
from separate runs.

    git show 89b5b62:src/kairos/info/cm_kernel.py > /tmp/cm_kernel_v28.py
    nice -n 5 env PYTHONPATH=src NUMBA_NUM_THREADS=1 python bench/cm_kernel_ab.py \\
        --base /tmp/cm_kernel_v28.py [--also OTHER.py] [--files book2,news,obj2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import inspect
import json
import platform
import sys
import time
import types
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from kairos.container import atomic_write_text
from kairos.info import cm
from kairos.info import cm_kernel as current

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT.parents[1] / "shared" / "data" / "corpora" / "calgary"


def _kernel(path: Path) -> types.ModuleType:
    """The kernel module in the file at ``path``.

    numba caches by file and rebuilds a cached kernel's globals by module name, so
    one file always loads under one name, registered in ``sys.modules``.
    """
    name = "cm_kernel_ab_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if not hasattr(module, "cm_code"):
        raise SystemExit(f"--base/--also: {path} has no cm_code (not a cm_kernel.py)")
    return module


def _encode(module: types.ModuleType, data: bytes, features: int) -> int:
    """Coded bytes of ``data`` by ``module``'s ``cm_code`` (the stream's body, no header).

    Kernels before model v30 take the components as one word (no ``more_features``).
    """
    src = np.frombuffer(data, dtype=np.uint8)
    dst = np.empty(len(data) + len(data) // 8 + 64, dtype=np.uint8)
    words = cm.feature_words(features)
    if "more_features" not in inspect.signature(module.cm_code.py_func).parameters:
        if words[1]:
            raise SystemExit("this kernel predates the components past bit 63; use --level default")
        words = words[:1]
    table_bits = cm.table_bits_for(len(data))
    written, _ = module.cm_code(
        src, len(data), dst, False, table_bits, *words, module.TABLES, np.zeros(0)
    )
    if written < 0:
        raise SystemExit("the output buffer overflowed")
    return int(written)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, required=True, help="an older cm_kernel.py")
    ap.add_argument("--also", type=Path, action="append", default=[], help="another kernel")
    ap.add_argument("--files", default="book2,news,obj2,paper2", help="Calgary file names")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--level", choices=["default", "max"], default="default")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "cm_kernel_ab.json")
    args = ap.parse_args()
    if args.rounds < 1:
        raise SystemExit("--rounds: must be at least 1")
    for path in [args.base, *args.also]:
        if not path.is_file():
            raise SystemExit(f"--base/--also: {path} is not a file")
    names = [n for n in args.files.split(",") if n]
    paths = [args.corpus / n for n in names]
    missing = [str(p) for p in paths if not p.is_file()]
    if not names or missing:
        raise SystemExit(f"--files: no such file(s): {missing or args.files!r}")
    inputs = {n: p.read_bytes() for n, p in zip(names, paths, strict=True)}
    features = cm.CMCompressor(neural=args.level == "max").features

    kernels = {"base": _kernel(args.base)}
    for j, path in enumerate(args.also):
        kernels[f"also{j}"] = _kernel(path)
    kernels["current"] = current
    for module in kernels.values():  # compile (or load the cache) outside the timing
        _encode(module, b"warm-up: compile the kernel before timing", features)

    cpu = {k: dict.fromkeys(names, 0.0) for k in kernels}
    coded = {k: {} for k in kernels}
    order = list(kernels)
    console = Console(width=120)
    for r in range(args.rounds):
        for name in names:
            for k in order if r % 2 == 0 else order[::-1]:
                t0 = time.process_time()
                coded[k][name] = _encode(kernels[k], inputs[name], features)
                cpu[k][name] += time.process_time() - t0
        console.print(f"round {r + 1} of {args.rounds} done")

    total_in = sum(len(d) for d in inputs.values()) * args.rounds
    total_cpu = {k: sum(cpu[k].values()) for k in kernels}
    table = Table(title=f"cm_code at the {args.level} level, {args.rounds} rounds (CPU s)")
    table.add_column("kernel")
    for name in names:
        table.add_column(name, justify="right")
    for col in ["CPU s", "KB/s (CPU)", "CPU / base"]:
        table.add_column(col, justify="right")
    for k in kernels:
        table.add_row(
            k,
            *[f"{cpu[k][n]:.1f} ({coded[k][n]:,} B)" for n in names],
            f"{total_cpu[k]:.1f}",
            f"{total_in / 1000 / total_cpu[k]:.1f}",
            f"{total_cpu[k] / total_cpu['base']:.3f}",
        )
    console.print(table)
    out = {
        "level": args.level,
        "files": names,
        "rounds": args.rounds,
        "base": str(args.base),
        "also": [str(p) for p in args.also],
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "cpu_s": cpu,
        "coded_bytes": coded,
        "kb_per_cpu_s": {k: total_in / 1000 / total_cpu[k] for k in kernels},
        "over_base_cpu": {k: total_cpu[k] / total_cpu["base"] for k in kernels},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(out, indent=1) + "\n")
    console.print(f"current / base CPU: {out['over_base_cpu']['current']:.3f}; wrote {args.out}")


if __name__ == "__main__":
    main()
