import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.programs.conftest import DEV_TASKS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(not DEV_TASKS.exists(), reason="shared development data not present")
def test_bottom_up_benchmark_runs_and_writes_json(tmp_path):
    """A smoke run on a tiny budget: every searcher has a row and per-task results."""
    out = tmp_path / "programs_bottom_up.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "programs_bottom_up.py"),
         "--num-tasks", "3", "--budget-s", "0.1", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert result["num_eval"] == 3
    assert set(result["summary"]) == {"bottom-up", "uniform", "learned+library"}
    for name, rows in result["per_task"].items():
        assert len(rows) == 3, name
        assert result["summary"][name]["solved"] == sum(r["solved"] for r in rows)
