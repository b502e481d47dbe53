"""Smoke run of bench/savant.py (issue 16) on its --quick settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


BOXOBAN = ROOT.parent / "shared" / "data" / "boxoban" / "unfiltered" / "train" / "001.txt"


@pytest.mark.slow
@pytest.mark.parametrize("domain", ["stp3", "stp4", "boxoban"])
def test_savant_bench_quick_writes_every_run_and_prediction(tmp_path, domain):
    if domain == "boxoban" and not BOXOBAN.exists():
        pytest.skip(f"Boxoban development levels not found at {BOXOBAN}")
    out = tmp_path / "savant.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    bench = [sys.executable, str(ROOT / "bench" / "savant.py"), "--domain", domain]
    run = subprocess.run(
        [*bench, "--quick", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert out.with_suffix(".png").stat().st_size > 0
    kinds = {r["kind"] for r in result["runs"]}
    assert kinds == {"none", "bootstrap", "equal data", "memoriser"}
    for r in result["runs"]:
        if r["kind"] == "bootstrap":
            assert r["train_expansions"] <= result["training_compute_cap_expansions"] + 200_000
            assert r["regime"] in ("savant", "learning", "stalled", "none solved")
        if r["kind"] == "none":
            assert r["mean_info_bits"] == 0.0  # the uniform prior against itself
        assert 0.0 <= r["solve_small"] <= r["solve_large"] <= 1.0
    memo = [r for r in result["runs"] if r["kind"] == "memoriser"]
    # stored paths replay: every repeat the LTS run solved is solved at once
    assert memo and all(
        r["repeats_solve_small"] == 1.0 for r in memo if r["train_solved"] == r["train_problems"]
    )
    assert result["domain"] == domain and result["verdicts"]
    uncapped = result.get("brute_force_uncapped")
    if domain != "boxoban":  # uniform search on every training task, no cap
        assert uncapped["train_solved"] <= result["tasks"]["train"]
        capped = [  # brute force under the cap, at budgets up to the uncapped one
            r["train_solved"] for r in result["runs"]
            if r["kind"] == "none" and r.get("final_budget", 0) <= uncapped["budget"]
            and "train_solved" in r
        ]  # fmt: skip
        assert all(uncapped["train_solved"] >= c for c in capped)
    assert set(result["predictions"]) == {
        "1_budget_up_train_up_bits_down_small_down",
        "2_memoriser_repeats_not_transfer",
        "3_lts_retains_more_bits_than_xent",
    }
