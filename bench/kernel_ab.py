"""LTS throughput of this kernel against an older kernel file, in one process, interleaved.

Loads ``--base`` (a copy of an older ``kairos/search/kernel.py``, e.g. from
``git show REV:src/kairos/search/kernel.py``) next to the current kernel and runs
LTS + deadlock ``cut`` with the shipped policy on the first ``--levels`` levels of
``unfiltered/valid/000.txt``, alternating the two kernels level by level (the
order swapped every round) for ``--rounds`` rounds, so that the load of a shared
machine falls on both alike. Both must expand the same nodes; CPU seconds from
``time.process_time``. ``--also`` adds further kernel files to the same rotation,
each quoted over ``--base`` too. Writes ``bench/out/kernel_ab.json``.

    git show 4fbfd9a:src/kairos/search/kernel.py > /tmp/kernel_base.py
    nice -n 10 env PYTHONPATH=src NUMBA_NUM_THREADS=1 python bench/kernel_ab.py --base /tmp/kernel_base.py
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import inspect
import json
import sys
import time
import types
from pathlib import Path

import kairos.search.engine as engine
from kairos.container import atomic_write_text
from kairos.domains.sokoban import read_levels
from kairos.policy import policy_by_name
from kairos.search import kernel as current
from kairos.search.engine import SearchConfig, search

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parents[1] / "shared" / "data" / "boxoban" / "unfiltered" / "valid" / "000.txt"


def _older(path: Path) -> types.SimpleNamespace:
    """The current kernel module's names, with ``search_kernel`` from the file at ``path``.

    An older kernel without PHS* lacks the ``htables`` and ``hweights``
    parameters; the wrapper drops them (LTS does not read them).
    """
    # numba caches by file and rebuilds a cached kernel's globals by module name,
    # so one file must always load under one name, registered in sys.modules.
    name = "kernel_ab_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    params = inspect.signature(module.search_kernel.py_func).parameters
    drop = "htables" not in params

    def search_kernel(*args):
        if drop:
            args = args[:8] + args[10:]  # (…, algo, weight, htables, hweights, state_cut, …)
        return module.search_kernel(*args)

    names = {k: getattr(current, k) for k in dir(current) if not k.startswith("__")}
    return types.SimpleNamespace(**{**names, "search_kernel": search_kernel})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, required=True, help="an older kernel.py")
    ap.add_argument(
        "--also", type=Path, action="append", default=[], help="another kernel.py to time"
    )
    ap.add_argument("--levels", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "kernel_ab.json")
    args = ap.parse_args()
    kernels = {"base": _older(args.base)}
    for j, path in enumerate(args.also):
        kernels[f"also{j}"] = _older(path)
    kernels["current"] = current
    policy = policy_by_name("boxoban-cm", domain="sokoban")
    levels = read_levels(DATA)[: args.levels]
    config = SearchConfig(budget=5_000_000, deadlocks="cut")
    cpu = dict.fromkeys(kernels, 0.0)
    expansions = dict.fromkeys(kernels, 0)
    for module in kernels.values():  # compile outside the timing
        engine.K = module
        search(levels[0], config, policy)
    order = list(kernels)
    for r in range(args.rounds):
        for level in levels:
            found = {}
            for name in order if r % 2 == 0 else order[::-1]:
                engine.K = kernels[name]
                t0 = time.process_time()
                found[name] = search(level, config, policy)
                cpu[name] += time.process_time() - t0
                expansions[name] += found[name].expansions
            if any(found[k].actions != found["base"].actions for k in found):
                raise SystemExit(f"{level.name}: the kernels found different solutions")
    engine.K = current
    out = {
        "levels": len(levels),
        "rounds": args.rounds,
        "base": str(args.base),
        "also": [str(p) for p in args.also],
        "expansions": expansions,
        "cpu_s": cpu,
        "expansions_per_cpu_s": {k: expansions[k] / cpu[k] for k in kernels},
        "current_over_base_cpu": cpu["current"] / cpu["base"],
        "over_base_cpu": {k: cpu[k] / cpu["base"] for k in kernels},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(out, indent=2) + "\n")
    for k in kernels:
        print(f"{k:8} {expansions[k]:>10,} expansions {cpu[k]:7.2f} CPU s "
              f"{out['expansions_per_cpu_s'][k]:>10,.0f} exp./CPU-s")  # fmt: skip
    for j, path in enumerate(args.also):
        print(f"also{j} ({path}) / base CPU: {out['over_base_cpu'][f'also{j}']:.4f}")
    print(f"current / base CPU: {out['current_over_base_cpu']:.4f}; wrote {args.out}")


if __name__ == "__main__":
    main()
