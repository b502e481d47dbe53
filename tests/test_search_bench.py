import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_search_speed_benchmark_runs_and_writes_json(tmp_path):
    """A smoke run on tiny budgets: the script works and its JSON has every figure
    (no timing is asserted; the figures themselves live in bench/RESULTS.md)."""
    out = tmp_path / "speed.json"
    args = ["--num-levels", "2", "--budget", "3000", "--num-stp", "1", "--stp-budget", "3000"]
    args += ["--ref-problems", "1", "--ref-budget", "500", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "search_speed.py"), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert set(result["compiled"]) == {"sokoban/lts", "sokoban/bfs", "stp4/lts", "stp4/bfs"}
    for row in result["compiled"].values():
        assert row["expansions_per_s"] > 0 and row["largest_search"]["bytes_per_node"] > 0
    for row in result["versus_reference"].values():
        assert row["compiled"]["expansions"] == row["reference"]["expansions"]
        assert row["speedup"] > 0
    assert "speed_target_met" in result["verdict"] and "memory_target_met" in result["verdict"]
