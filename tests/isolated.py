"""Run reader cases in a child process with time and memory limits (see tests.reader_worker).

A segfault, an out-of-memory kill or a hang of one case ends only the child:
the case is reported as ``crash`` or ``hang`` instead of killing the test run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MEMORY_LIMIT_BYTES = 6 << 30  # address space: torch and numba reserve a lot of it
CASE_LIMIT_S = 30.0  # a reader taking longer on a small file counts as a hang
STARTUP_S = 60.0  # imports and first numba compile, under load


@dataclass(frozen=True)
class Case:
    """One file for one reader. ``reader`` is a key of ``tests.reader_worker.READERS``."""

    name: str
    reader: str
    data: bytes | dict[str, bytes]  # a file, or a folder's files by name
    suffix: str = ""
    expect_sha256: str | None = None  # for kz: a decode must give exactly these bytes


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_isolated(cases: list[Case]) -> dict[str, dict]:
    """Each case's record: outcome ``ok``, ``typed``, ``error``, ``wrong``, ``crash`` or ``hang``.

    Cases run in one child process, in order; if the child dies or hangs, the
    case it was on is recorded as such and the rest run in a fresh child.
    """
    records: dict[str, dict] = {}
    remaining = list(cases)
    while remaining:
        _run_batch(remaining, records)
        remaining = [c for c in remaining if c.name not in records]
    for case in cases:
        rec = records[case.name]
        if rec["outcome"] == "ok" and rec["seconds"] > CASE_LIMIT_S:
            rec["outcome"] = "hang"
        elif rec["outcome"] == "ok" and case.expect_sha256 not in (None, rec["detail"]):
            rec["outcome"] = "wrong"
    return records


def _run_batch(cases: list[Case], records: dict[str, dict]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        manifest = []
        for i, case in enumerate(cases):
            path = tmp / f"case{i}{case.suffix}"
            if isinstance(case.data, dict):
                path.mkdir()
                for name, blob in case.data.items():
                    (path / name).write_bytes(blob)
            else:
                path.write_bytes(case.data)
            manifest.append({"name": case.name, "reader": case.reader, "path": str(path)})
        (tmp / "manifest.json").write_text(json.dumps(manifest))
        results = tmp / "results.jsonl"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
        env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"
        timeout = STARTUP_S + CASE_LIMIT_S * len(cases)
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tests.reader_worker",
                    str(tmp / "manifest.json"),
                    str(results),
                ],
                cwd=REPO,
                env=env,
                preexec_fn=_limit_memory,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            ended = f"exit {proc.returncode}: {proc.stderr[-2000:]}"
        except subprocess.TimeoutExpired:
            ended = f"timed out after {timeout:.0f} s"
        started = None
        if results.exists():
            for line in results.read_text().splitlines():
                rec = json.loads(line)
                if rec["outcome"] == "started":
                    started = rec["name"]
                else:
                    records[rec["name"]] = rec
                    started = None
        if started is None:  # the child died before its first case: nothing to retry
            started = next((c.name for c in cases if c.name not in records), None)
        if started is not None:
            outcome = "hang" if "timed out" in ended else "crash"
            records[started] = {"name": started, "outcome": outcome, "detail": ended}


def failures(records: dict[str, dict]) -> list[str]:
    """A line per case that ended other than ``ok`` or ``typed``."""
    return [
        f"{name}: {rec['outcome']}: {rec['detail'][:1500]}"
        for name, rec in records.items()
        if rec["outcome"] not in ("ok", "typed")
    ]
