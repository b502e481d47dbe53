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
def test_programs_benchmark_runs_and_writes_json(tmp_path):
    """A smoke run on tiny budgets: the script works and its JSON has every figure
    (no timing is asserted; the figures themselves live in bench/RESULTS.md)."""
    out = tmp_path / "programs.json"
    args = ["--quick", "--num-tasks", "4", "--train-s", "0.1", "--budgets-s", "0.1", "0.2"]
    args += ["--fast-budget", "2000", "--ref-budget", "300", "--num-programs", "5"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "programs.py"), *args, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert result["num_eval"] == 4 and set(result["eval"]) == {"uniform", "learned"}
    assert result["throughput"]["same_order_at_reference_budget"]
    assert result["interpreter"]["runs_per_cpu_s"] > 0
    for rows in result["per_task"].values():
        assert all(r["generalized"] <= r["solved"] for r in rows)
