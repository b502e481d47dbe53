"""``kairos train programs``, ``kairos speedup`` on its run, ``kairos solve programs --policy``."""

from __future__ import annotations

import csv
import json

import pytest

from tests.kairos_cli import run_kairos as _kairos

TASKS = [
    {
        "name": name,
        "type": {"input": "list-of-int", "output": "list-of-int"},
        "examples": [{"i": x, "o": fn(x)} for x in ([3, 1, 2], [], [5], [2, 2, 7], [0, 9], [4, 1])],
    }
    for name, fn in (
        ("take-1", lambda x: x[:1]),
        ("take-2", lambda x: x[:2]),
        ("drop-1", lambda x: x[1:]),
        ("drop-2", lambda x: x[2:]),
        ("prepend-1", lambda x: [1, *x]),
        ("sort", sorted),
        ("reverse", lambda x: x[::-1]),
    )
]


@pytest.mark.slow  # three CLI runs: ~30 s
def test_train_speedup_and_solve_with_the_trained_policy(tmp_path):
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps(TASKS))
    run = tmp_path / "run"
    r = _kairos("train", "programs", "--levels", str(tasks), "--out", str(run), "--budget",
                "3000", "--rounds", "1", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    for name in ("run.json", "policy.kprog", "policy_grammar.kprog", "log.csv"):
        assert (run / name).exists()
    rows = list(csv.DictReader((run / "log.csv").open()))
    assert "bits_per_program_after" in rows[0]
    r = _kairos("speedup", str(run), "--levels", str(tasks), "--budget", "5000", "--json",
                "--resamples", "20", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert set(summary["fits"]) == {"learned", "learned+library"}
    assert (run / "speedup" / "speedup.png").exists()
    r = _kairos("solve", "programs", "--levels", str(tasks), "--holdout", "2", "--policy",
                str(run / "policy.kprog"), "--out", str(tmp_path / "solve"), cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((tmp_path / "solve" / "results.csv").open()))
    assert sum(int(x["solved"]) for x in rows) == len(TASKS)


def test_train_programs_bad_flags_are_typed_errors(tmp_path):
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps(TASKS))
    r = _kairos("train", "programs", "--levels", str(tasks), "--out", str(tmp_path / "r"),
                "--rounds", "0", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "--rounds" in r.stderr and "Traceback" not in r.stderr
    r = _kairos("solve", "programs", "--levels", str(tasks), "--policy",
                str(tmp_path / "none.kprog"), cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "none.kprog" in r.stderr and "Traceback" not in r.stderr
