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
def test_library_benchmark_runs_and_writes_json(tmp_path):
    """A smoke run on tiny budgets with the shipped priors: the JSON has every figure."""
    out = tmp_path / "programs_library.json"
    args = ["--num-tasks", "4", "--budgets-s", "0.1", "0.2", "--resamples", "20"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "programs_library.py"), *args, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert result["num_eval"] == 4
    assert set(result["eval"]) == {"uniform", "learned", "learned+library"}
    assert len(result["targets"]) == 3 and result["training_log"]
    assert {row["prior"] for row in result["law"]} == {"learned", "learned+library"}
    assert (tmp_path / "programs_law.png").exists()
