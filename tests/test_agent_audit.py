"""Agent runs and the TONI audit: repeated tasks, effort vs difficulty, hopeless starts."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from kairos.agent.audit import effort_correlation, repeat_ratio, uniform_code_length
from kairos.agent.episode import audit_run, run_agent
from kairos.cli import app
from kairos.domains.stp import SlidingTile, generate, write_instances
from kairos.errors import InputFormatError
from kairos.runfolder import RunFolder


def test_uniform_code_length_by_hand():
    puzzle = SlidingTile([1, 2, 0, 3, 4, 5, 6, 7, 8], 3)  # blank in a corner: 2 moves
    assert uniform_code_length(puzzle, [2]) == pytest.approx(1.0)  # L
    assert uniform_code_length(puzzle, [2, 2]) == pytest.approx(1.0 + math.log2(3))


def test_measures_on_known_numbers():
    assert repeat_ratio([(10, 0), (30, 0)]) == 0.0
    assert repeat_ratio([(10, 10), (30, 30)]) == 1.0
    assert math.isnan(repeat_ratio([]))
    assert effort_correlation([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert math.isnan(effort_correlation([1, 2], [1, 2]))


@pytest.fixture(scope="module")
def agent_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("agent")
    train = [generate(3, 3 + s, seed=100 + s) for s in range(12)]
    tasks = [generate(3, 4 + s, seed=s) for s in range(6)] + [generate(4, 80, seed=7)]
    write_instances(root / "train.txt", train)
    write_instances(root / "tasks.txt", tasks)
    run = RunFolder.create(root / "run", command="test", config={}, seed=None)
    result = run_agent(tasks, train, run, budget=30_000, first_slice=50, train_cap=5_000)
    return root, run, result


def test_agent_run_meets_the_repeat_and_effort_targets(agent_run):
    _, run, result = agent_run
    assert result["repeated_tasks"]["tasks"] >= 5
    assert result["repeated_tasks"]["ratio"] == 0.0
    assert result["effort_vs_difficulty"]["difficulty_measure"] == "bfs_optimal_length"
    assert result["effort_vs_difficulty"]["tasks"] >= 5
    assert set(result["hopeless_starts"]["share_by_method"]) == {"index", "fixed", "round_robin"}
    assert audit_run(run.path) == json.loads(run.file("audit.json").read_text())


def test_audit_cli_json_and_bad_folders(agent_run, tmp_path):
    _, run, _ = agent_run
    runner = CliRunner()
    out = runner.invoke(app, ["audit", str(run.path), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["repeated_tasks"]["ratio"] == 0.0
    with pytest.raises(InputFormatError, match=r"allocation\.csv"):
        audit_run(tmp_path)
    (tmp_path / "allocation.csv").write_text("method,problem\nindex,a\n")
    (tmp_path / "repeats.csv").write_text("problem,first_expansions,second_expansions\n")
    with pytest.raises(InputFormatError, match="missing columns"):
        audit_run(tmp_path)


def test_allocate_cli_writes_a_run_folder(agent_run):
    root, _, _ = agent_run
    out = CliRunner().invoke(
        app,
        [
            "allocate", "stp", "--levels", str(root / "tasks.txt"),
            "--train-levels", str(root / "train.txt"), "--budget", "20000",
            "--first-slice", "50", "--train-cap", "5000", "--jobs", "2", "--out", str(root / "cli"),
        ],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "TONI audit" in out.output
    for name in ("allocation.csv", "repeats.csv", "memory.kmem", "audit.json", "predictor.json"):
        assert (root / "cli" / name).is_file()
    # the BFS optimal lengths came from the worker pool: equal to the library run's serial ones
    import csv

    def difficulties(path):  # per task, in task order (the problem names differ: file vs memory)
        return [r["difficulty"] for r in csv.DictReader(path.open()) if r["method"] == "index"]

    pooled, serial = (difficulties(p / "allocation.csv") for p in (root / "cli", agent_run[1].path))
    both = [(a, b) for a, b in zip(pooled, serial, strict=True) if a and b]
    assert len(both) >= 5 and all(a == b for a, b in both)
    from kairos.errors import ValidationError

    for args, field in ((["--budget", "0"], "--budget"), (["--value", "-1"], "--value")):
        bad = CliRunner().invoke(
            app, ["allocate", "stp", "--levels", str(root / "tasks.txt"),
                  "--train-levels", str(root / "train.txt"), *args],
        )  # fmt: skip
        assert isinstance(bad.exception, ValidationError) and bad.exception.field == field


def test_training_tasks_that_teach_nothing_give_a_clear_error(tmp_path):
    from kairos.errors import ValidationError

    easy = [generate(3, 2, seed=s) for s in range(6)]  # solved within the first slice
    run = RunFolder.create(tmp_path / "run", command="test", config={}, seed=None)
    with pytest.raises(ValidationError, match="nothing to learn"):
        run_agent(easy, easy, run, budget=10_000, first_slice=1000, train_cap=5_000)
