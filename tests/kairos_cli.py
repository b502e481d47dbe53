"""Run the ``kairos`` command line in a child process on this checkout's sources."""

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def run_kairos(*args: str, cwd) -> subprocess.CompletedProcess:
    """``python -m kairos.cli ARGS`` in ``cwd``, with output captured as text."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
