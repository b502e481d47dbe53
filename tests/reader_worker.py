"""Run kairos readers on a batch of files in a child process; report how each ended.

``python -m tests.reader_worker MANIFEST RESULTS`` reads a JSON list of
``{"name", "reader", "path"}`` cases and appends one JSON line per case to
RESULTS: ``{"name", "outcome", "detail", "seconds"}`` with outcome ``ok``
(the reader returned; ``detail`` describes the result, e.g. a SHA-256),
``typed`` (a :class:`~kairos.errors.KairosError`) or ``error`` (any other
exception, with its traceback). A line ``{"name", "outcome": "started"}`` is
written and flushed before each case, so a crash (segfault, out of memory)
or a hang names the case that caused it. See :func:`tests.isolated.run_isolated`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from kairos.errors import KairosError

_SOKOBAN_LEVEL = """\
#######
#@ $ .#
#######
"""


def _use_policy(policy) -> str:
    """Run a short search with ``policy`` on a small level of its domain; verify the result."""
    from kairos.domains.base import replay
    from kairos.domains.sokoban import parse_levels
    from kairos.domains.stp import SlidingTile
    from kairos.search import SearchConfig, search

    domain = getattr(policy, "domain", None)
    if domain == "stp":
        problem = SlidingTile([1, 2, 0, 3, 4, 5, 6, 7, 8], 3)
    else:
        problem = parse_levels(_SOKOBAN_LEVEL)[0]
    result = search(problem, SearchConfig(budget=300), policy)
    if result.solved and not replay(problem, result.actions):
        raise AssertionError("search returned a path that does not solve the level")
    if result.status == "exhausted":  # both levels are solvable: a silent wrong answer
        raise AssertionError("search reports 'exhausted' on a solvable level")
    return f"solved={result.solved} expansions={result.expansions}"


def _kz(path: Path) -> str:
    from kairos.info.fileformat import decompress_bytes

    return hashlib.sha256(decompress_bytes(path.read_bytes(), path)).hexdigest()


def _kpol(path: Path) -> str:
    from kairos.policy.files import load_policy

    return _use_policy(load_policy(path))


def _kbst(path: Path) -> str:
    from kairos.learn.bootstrap import CHECKPOINT_NAME, load_checkpoint

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / CHECKPOINT_NAME)
        config, state, policy = load_checkpoint(Path(tmp))
        return f"{config.domain} solved={len(state.solved)} {_use_policy(policy)}"


def _kmem(path: Path) -> str:
    from kairos.agent.memory import SolutionMemory
    from kairos.domains.stp import SlidingTile

    memory = SolutionMemory(path)
    puzzle = SlidingTile([1, 0, 2, 3, 4, 5, 6, 7, 8], 3)
    return f"entries={len(memory)} recall={memory.recall(puzzle)}"


def _boxoban(path: Path) -> str:
    from kairos.domains.sokoban import read_levels

    return f"levels={len(read_levels(path))}"


def _stp(path: Path) -> str:
    from kairos.domains.stp import read_instances

    return f"instances={len(read_instances(path))}"


def _table(path: Path) -> str:
    import numpy as np

    from kairos.scaling.table import read_table, validate_xy

    table = read_table(path, ["n", "loss"])
    x, y = validate_xy(
        table["n"][:, None], table["loss"], num_inputs=1, num_params=3, law="power",
        x_name="n", y_name="loss",
    )  # fmt: skip
    return f"rows={len(y)} finite={bool(np.isfinite(x).all() and np.isfinite(y).all())}"


def _model(path: Path) -> str:
    from kairos.cost.spec import load_config

    return repr(load_config(path))[:200]


def _audit(path: Path) -> str:
    """``path`` is a zip-free run folder copy: a directory holding the agent's tables."""
    from kairos.agent.episode import audit_run

    return json.dumps(audit_run(path), allow_nan=False)[:200]


READERS = {
    "kz": _kz,
    "kpol": _kpol,
    "kbst": _kbst,
    "kmem": _kmem,
    "boxoban": _boxoban,
    "stp": _stp,
    "table": _table,
    "model": _model,
    "audit": _audit,
}


def main(manifest: str, results: str) -> None:
    cases = json.loads(Path(manifest).read_text())
    with open(results, "a", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps({"name": case["name"], "outcome": "started"}) + "\n")
            out.flush()
            t0 = time.perf_counter()
            try:
                detail = READERS[case["reader"]](Path(case["path"]))
                outcome = "ok"
            except KairosError as exc:
                outcome, detail = "typed", f"{type(exc).__name__}: {exc}"[:300]
            except Exception as exc:  # what the suite exists to catch
                outcome = "error"
                detail = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"[-3000:]
            record = {
                "name": case["name"],
                "outcome": outcome,
                "detail": detail,
                "seconds": round(time.perf_counter() - t0, 3),
            }
            out.write(json.dumps(record) + "\n")
            out.flush()


if __name__ == "__main__":
    main(*sys.argv[1:3])
