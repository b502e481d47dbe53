"""Sweep the cm kernel's constants: each variant is a copy of the kernel with some
module-level constants replaced, and every (variant, file) pair runs in a pool.

    python3 bench/cm_sweep.py SPEC.json [--corpus DIR] [--files classic|all|a,b]
        [--jobs N] [--out bench/out]

``SPEC.json`` is a list of variants, the first being the reference of the deltas::

    [{"name": "base", "constants": {}},
     {"name": "init2000", "constants": {"WEIGHT_INIT": "2000"}},
     {"name": "max", "level": "max", "disable": ["lstm"], "constants": {}}]

``constants`` maps a module-level name of ``cm_kernel.py`` (or of
``lstm_kernel.py``) to the Python expression that replaces its value;
``level`` is ``default`` (``cm``) or ``max`` (``mix``); ``disable`` takes the
component names of ``cm``'s ``disable``. Sizes are those of ``cm_code``
(compression only, plus cm's stream header, as ``bench/compress.py``'s
rows without the round trip), so they match ``cm``'s streams when the constants
are unchanged. Each variant compiles its own kernel copy once (about a minute)
before its files run; the sweep of session 12 ran 42 variants 16 at a time.
Prints a table (total bytes, delta against the first variant, book1's delta,
CPU seconds) and writes every file's size to JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ROOT / "src" / "kairos" / "info"
sys.path.insert(0, str(ROOT / "src"))

from compress import CLASSIC_FILES, DEFAULT_CORPUS  # noqa: E402  (bench/compress.py, beside this file)
from kairos.info.cm import (  # noqa: E402
    _ALL_FEATURES,
    _EVERY_COMPONENT,
    _MAX_FEATURES,
    COMPONENTS,
    MAX_LEVEL_ABLATIONS,
    coded_header,
    feature_words,
    table_bits_for,
)

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,40}$")


def _replace_constants(source: str, constants: dict[str, str]) -> tuple[str, set[str]]:
    """``source`` with each ``NAME = value`` line's value replaced; the names found."""
    found = set()
    for name, value in constants.items():
        source, count = re.subn(
            rf"^{re.escape(name)} = [^#\n]*", f"{name} = {value}  ", source, flags=re.M
        )
        if count:
            found.add(name)
    return source, found


def _write_variant(variant: dict, root: Path) -> None:
    """Copy both kernels into ``root/name`` with the variant's constants."""
    name = variant["name"]
    folder = root / name
    folder.mkdir()
    constants = variant.get("constants", {})
    lstm, found_l = _replace_constants((KERNELS / "lstm_kernel.py").read_text(), constants)
    cm, found_c = _replace_constants((KERNELS / "cm_kernel.py").read_text(), constants)
    missing = set(constants) - found_l - found_c
    if missing:
        raise SystemExit(
            f"variant {name!r}: no module-level constant {sorted(missing)} in "
            "cm_kernel.py or lstm_kernel.py"
        )
    cm = cm.replace("from kairos.info.lstm_kernel import", f"from lk_{name} import")
    (folder / f"lk_{name}.py").write_text(lstm)
    (folder / f"ck_{name}.py").write_text(cm)


def _kernel(root: str, name: str):
    folder = os.path.join(root, name)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(f"ck_{name}")


def _code(kernel, data: np.ndarray, features: int) -> int:
    n = len(data)
    dst = np.zeros(n + n // 2 + 1024, dtype=np.uint8)
    table_bits = table_bits_for(n)
    written, _ = kernel.cm_code(
        data,
        n,
        dst,
        False,
        table_bits,
        *feature_words(features),
        kernel.TABLES,
        np.zeros(0),
    )
    if written < 0:
        raise RuntimeError("output buffer overflowed")
    return written + len(coded_header(n, table_bits, features))


def _compile(job: tuple[str, dict]) -> tuple[str, float]:
    root, variant = job
    t0 = time.perf_counter()
    kernel = _kernel(root, variant["name"])
    _code(kernel, np.frombuffer(b"warm up the compiled kernel " * 40, np.uint8), variant["f"])
    return variant["name"], time.perf_counter() - t0


def _run(job: tuple[str, dict, str]) -> tuple[str, str, int, float]:
    root, variant, path = job
    kernel = _kernel(root, variant["name"])
    data = np.frombuffer(Path(path).read_bytes(), dtype=np.uint8)
    t0 = time.process_time()
    size = _code(kernel, data, variant["f"])
    return variant["name"], Path(path).name, size, time.process_time() - t0


def _features(variant: dict) -> int:
    level = variant.get("level", "default")
    if level not in ("default", "max"):
        raise SystemExit(f"variant {variant['name']!r}: level {level!r}, expected default or max")
    allowed = MAX_LEVEL_ABLATIONS | COMPONENTS if level == "max" else COMPONENTS
    features = _MAX_FEATURES if level == "max" else _ALL_FEATURES
    for component in variant.get("disable", []):
        if component not in allowed:
            raise SystemExit(f"variant {variant['name']!r}: unknown component {component!r}")
        features &= ~_EVERY_COMPONENT[component]
    return features


def _load_spec(path: Path) -> list[dict]:
    try:
        spec = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SystemExit(f"{path}: cannot read the spec ({exc})") from None
    if not isinstance(spec, list) or not spec:
        raise SystemExit(f"{path}: expected a non-empty JSON list of variants")
    names = set()
    for i, variant in enumerate(spec):
        if not isinstance(variant, dict) or not _NAME.match(str(variant.get("name", ""))):
            raise SystemExit(f"{path}: variant {i} needs a name of letters, digits and _")
        if variant["name"] in names:
            raise SystemExit(f"{path}: variant name {variant['name']!r} repeats")
        names.add(variant["name"])
        constants = variant.get("constants", {})
        if not isinstance(constants, dict) or not all(
            _NAME.match(k) and isinstance(v, str) for k, v in constants.items()
        ):
            raise SystemExit(f"{path}: variant {variant['name']!r}: constants must map NAME to str")
        variant["f"] = _features(variant)
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--files", default="classic", help="classic, all, or names a,b,c")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    spec = _load_spec(args.spec)
    if not args.corpus.is_dir():
        parser.error(f"--corpus: {args.corpus} is not a folder")
    if args.files == "all":
        paths = sorted(p for p in args.corpus.iterdir() if p.is_file())
    else:
        names = CLASSIC_FILES if args.files == "classic" else args.files.split(",")
        paths = [args.corpus / n for n in names]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            parser.error(f"--files: not found: {missing}")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    paths.sort(key=lambda p: -p.stat().st_size)  # the longest first, for balance
    console = Console(width=140)
    sizes: dict[str, dict[str, int]] = {v["name"]: {} for v in spec}
    cpu: dict[str, float] = {v["name"]: 0.0 for v in spec}
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / time.strftime("cm-sweep-%Y%m%d-%H%M%S.json")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cm-sweep-") as root:
        for variant in spec:
            _write_variant(variant, Path(root))
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(args.jobs, len(spec) * len(paths))) as pool:
            for name, seconds in pool.imap_unordered(_compile, [(root, v) for v in spec]):
                console.print(
                    f"[{time.perf_counter() - t0:5.0f} s] compiled {name} ({seconds:.0f} s)"
                )
            jobs = [(root, v, str(p)) for p in paths for v in spec]
            for name, file, size, seconds in pool.imap_unordered(_run, jobs):
                sizes[name][file] = size
                cpu[name] += seconds
                console.print(f"[{time.perf_counter() - t0:5.0f} s] {name} {file} {size:,} B")
                record = {"spec": spec, "files": [p.name for p in paths], "sizes": sizes,
                          "cpu_s": cpu, "corpus": str(args.corpus)}  # fmt: skip
                tmp = out.with_suffix(".tmp")
                tmp.write_text(json.dumps(record, indent=1))
                tmp.replace(out)  # partial results survive a crash
    ref = spec[0]["name"]
    table = Table(title=f"cm constants sweep: deltas against {ref!r}")
    for col in ("variant", "total B", "delta B", "book1 delta B", "CPU s"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    ref_total = sum(sizes[ref].values())
    for variant in sorted(spec, key=lambda v: sum(sizes[v["name"]].values())):
        name = variant["name"]
        total = sum(sizes[name].values())
        book1 = f"{sizes[name]['book1'] - sizes[ref]['book1']:+,}" if "book1" in sizes[ref] else "-"
        table.add_row(name, f"{total:,}", f"{total - ref_total:+,}", book1, f"{cpu[name]:.1f}")
    console.print(table)
    console.print(f"JSON: {out}")


if __name__ == "__main__":
    main()
