import csv
import os
import subprocess
import sys
from pathlib import Path

from kairos.data import STP_3X3_DEMO, data_path

SRC = Path(__file__).resolve().parents[1] / "src"


def _kairos(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_solve_writes_results_and_summary(tmp_path):
    out = _kairos(
        "solve",
        "stp",
        "--levels",
        str(data_path(STP_3X3_DEMO)),
        "--algo",
        "wastar",
        "--budget",
        "5000",
        "--results",
        "r.csv",
        "--out",
        "run",
        "--jobs",
        "2",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "20/20" in out.stdout
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert len(rows) == 20 and all(r["status"] == "solved" for r in rows)
    assert list(rows[0])[:6] == [
        "problem",
        "status",
        "expansions",
        "generated",
        "length",
        "seconds",
    ]
    assert (tmp_path / "run" / "results.csv").exists() and (tmp_path / "run" / "run.json").exists()


def test_solve_reports_bad_inputs_in_one_line(tmp_path):
    (tmp_path / "bad.txt").write_text("; 0\n#####\n#@$?#\n#####\n")
    out = _kairos("solve", "sokoban", "--levels", "bad.txt", cwd=tmp_path)
    assert out.returncode == 2
    assert "bad.txt:3: unknown character '?'" in out.stderr
    out = _kairos(
        "solve", "stp", "--levels", str(data_path(STP_3X3_DEMO)), "--budget", "0", cwd=tmp_path
    )
    assert out.returncode == 2 and "budget: got 0" in out.stderr
    out = _kairos(
        "solve",
        "stp",
        "--levels",
        str(data_path(STP_3X3_DEMO)),
        "--policy",
        "nope.kpol",
        cwd=tmp_path,
    )
    assert out.returncode == 2 and "nope.kpol" in out.stderr


def test_solve_takes_several_files_after_one_levels_flag_and_a_policy_file(tmp_path):
    from kairos.data import STP_4X4_DEMO
    from kairos.policy.files import save_policy

    save_policy(tmp_path / "u.kpol", "uniform", "stp", {}, {})
    out = _kairos(
        "solve",
        "stp",
        "--levels",
        str(data_path(STP_3X3_DEMO)),
        str(data_path(STP_4X4_DEMO)),
        "--policy",
        "u.kpol",
        "--budget",
        "300",
        "--results",
        "r.csv",
        "--out",
        "run",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert len(rows) == 40 and {r["problem"].split(":")[0] for r in rows} == {
        "demo_3x3.txt",
        "demo_4x4.txt",
    }
    exhausted = [r for r in rows if r["status"] == "budget_exhausted"]
    assert exhausted and all(r["expansions"] == "300" and r["length"] == "" for r in exhausted)
    for header in ("solved", "mean exp.", "median exp.", "max exp.", "mean length", "seconds"):
        assert header in out.stdout
    out = _kairos("solve", "stp", cwd=tmp_path)
    assert out.returncode == 2 and "--levels" in out.stderr
